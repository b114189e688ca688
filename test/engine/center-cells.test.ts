/**
 * Scans by cells (center-cells.ts): past `cellsFrom` centers a new center scans only the
 * locality neighbourhoods it may affect. Here the cells take over after 40 centers, so that
 * groups built before them carry on (by default they take over from the second center);
 * every result must stay exactly the textbook loop's.
 */
import { describe, expect, test } from "bun:test";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { initialGroups, type LargeBatchLimits } from "../../src/engine/center-groups.ts";
import { EuclideanSpace, nearestSeeds } from "../../src/engine/euclidean.ts";
import { kCenterGreedy, kCenterPlain } from "../../src/engine/kcenter.ts";
import { kMeansPlusPlus } from "../../src/engine/kmeanspp.ts";
import { inLocalityOrder, localityCells } from "../../src/engine/locality.ts";
import { ProjectedBounds } from "../../src/engine/projection.ts";
import type { Matrix } from "../../src/matrix.ts";
import { Rng } from "../../src/rng.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints } from "../helpers.ts";
import { addRandomCenters, nearestCenterDistance } from "./random-centers.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!.blas;
const early: LargeBatchLimits = { bucketsFrom: 1e9, cellsFrom: 40 };
const never: LargeBatchLimits = { bucketsFrom: 1e9, cellsFrom: 1e9 };

/** points in a locality order of `pivots` neighbourhoods, and a space that carries them as cells. */
function cellSpace(points: Matrix, pivots: number, blas = typescriptBlas): { ordered: Matrix; space: EuclideanSpace } {
  const locality = localityCells(points, blas, null, pivots);
  const ordered = inLocalityOrder(points, locality.order, false)!;
  return { ordered, space: new EuclideanSpace(ordered, null, null, locality) };
}

describe("scans by cells", () => {
  test("localityCells() gives a permutation cut into runs, each around a pivot inside its own cluster", () => {
    const points = clusteredPoints(3000, 8, 12, 3, 0.5);
    const { order, starts, pivots } = localityCells(points, typescriptBlas, null, 32);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(starts[0]).toBe(0);
    expect(starts[starts.length - 1]).toBe(3000);
    expect(pivots.length).toBe(starts.length - 1);
    const space = new EuclideanSpace(inLocalityOrder(points, order, false)!);
    for (let b = 0; b < pivots.length; b++) {
      expect(starts[b + 1]!).toBeGreaterThan(starts[b]!);
      // Clusters lie ~40 apart and ~3 across: a run that reached into another cluster would show it.
      for (let x = starts[b]!; x < starts[b + 1]!; x++) expect(space.distance(x, pivots[b]!)).toBeLessThan(10);
    }
  });

  test("kCenterGreedy() by cells picks exactly what the textbook loop picks, with the same coverage as by groups", () => {
    const points = clusteredPoints(5000, 8, 25, 12);
    for (const blas of [typescriptBlas, openblas].filter((b) => b !== null)) {
      const { ordered, space } = cellSpace(points, 64, blas);
      const options = { seeds: null, selectable: null, firstPick: 5, minDistance: 0 };
      const byCells = kCenterGreedy(space, 1500, { ...options, limits: early });
      const byGroups = kCenterGreedy(space, 1500, { ...options, limits: never });
      const byDefault = kCenterGreedy(space, 1500, options); // cells from the second center
      expect(Array.from(byDefault.picks)).toEqual(Array.from(byGroups.picks));
      const plain = kCenterPlain(new EuclideanSpace(ordered), 1500, options);
      expect(Array.from(byCells.picks)).toEqual(Array.from(plain.picks));
      expect(Array.from(byCells.distances)).toEqual(Array.from(plain.distances));
      expect(byCells.finalRadius).toBe(plain.finalRadius);
      expect(Array.from(byCells.coverage.sizes)).toEqual(Array.from(byGroups.coverage.sizes));
      expect(Array.from(byCells.coverage.radii)).toEqual(Array.from(byGroups.coverage.radii));
      // The cells rule out most rows: far fewer measurements than the textbook loop's.
      expect(byCells.evaluations).toBeLessThan(plain.evaluations / 5);
    }
  }, 60_000);

  test.skipIf(openblas === null)("with projected screening (wide rows) the cells' loop equals the textbook loop", () => {
    const points = clusteredPoints(3000, 48, 20, 7);
    const projected = ProjectedBounds.build(points, openblas!, [4, 12])!;
    const locality = localityCells(projected.coordinates, openblas!, null, 48);
    const ordered = inLocalityOrder(points, locality.order, false)!;
    projected.reorder(locality.order);
    const space = new EuclideanSpace(ordered, openblas, projected, locality);
    expect(space.screenMany).toBeDefined();
    const options = { seeds: null, selectable: null, firstPick: 9, minDistance: 0 };
    const byCells = kCenterGreedy(space, 1000, { ...options, limits: early });
    const plain = kCenterPlain(new EuclideanSpace(ordered), 1000, options);
    expect(byCells.screened).toBeGreaterThan(0);
    expect(Array.from(byCells.picks)).toEqual(Array.from(plain.picks));
    expect(Array.from(byCells.distances)).toEqual(Array.from(plain.distances));
  }, 60_000);

  test("with labelled rows and rows that may not be picked, the cells' loop equals the textbook loop", () => {
    const points = clusteredPoints(5000, 8, 25, 4);
    const { ordered, space } = cellSpace(points, 64);
    const seeds = nearestSeeds(ordered, clusteredPoints(30, 8, 25, 4), typescriptBlas);
    const selectable = new Uint8Array(5000).fill(1);
    for (let i = 2; i < 5000; i += 9) selectable[i] = 0;
    const options = { seeds, selectable, firstPick: -1, minDistance: 0 };
    const byCells = kCenterGreedy(space, 1200, { ...options, limits: early });
    const plain = kCenterPlain(new EuclideanSpace(ordered), 1200, options);
    expect(Array.from(byCells.picks)).toEqual(Array.from(plain.picks));
    expect(Array.from(byCells.distances)).toEqual(Array.from(plain.distances));
    expect(byCells.finalRadius).toBe(plain.finalRadius);
  }, 60_000);

  test("a priority (hybrid), class quotas and MIN_DISTANCE pick the same by cells as by groups", () => {
    const n = 4000;
    const points = clusteredPoints(n, 6, 20, 6);
    const { space } = cellSpace(points, 48);
    const rng = new Rng(2);
    const score = Float64Array.from({ length: n }, () => 0.2 + rng.nextFloat());
    const priority = (row: number, d: number) => (d === Infinity ? score[row]! : score[row]! * d);
    const classOf = Int32Array.from({ length: n }, () => rng.nextInt(4));
    const quotas = { classOf, quotas: Int32Array.from([600, 150, 400, 900]) };
    for (const extra of [{ priority }, { quotas }, { minDistance: 1.5 }]) {
      const options = { seeds: null, selectable: null, firstPick: 0, minDistance: 0, ...extra };
      const byCells = kCenterGreedy(space, 1800, { ...options, limits: early });
      const byGroups = kCenterGreedy(space, 1800, { ...options, limits: never });
      expect(byCells.picks.length).toBeGreaterThan(100);
      expect(Array.from(byCells.picks)).toEqual(Array.from(byGroups.picks));
      expect(Array.from(byCells.radii)).toEqual(Array.from(byGroups.radii));
      expect(byCells.stoppedAt).toBe(byGroups.stoppedAt);
    }
  }, 60_000);

  test("k-means++ draws the same centers by cells as by groups", () => {
    const points = clusteredPoints(4000, 8, 20, 8);
    const { space } = cellSpace(points, 48);
    const run = (limits: LargeBatchLimits) =>
      kMeansPlusPlus(space, 1500, { firstPick: 11, rng: new Rng(5), selectable: null, tolerance: 0, limits });
    const byCells = run(early), byGroups = run(never);
    expect(Array.from(byCells.picks)).toEqual(Array.from(byGroups.picks));
    expect(Array.from(byCells.coverage.radii)).toEqual(Array.from(byGroups.coverage.radii));
  }, 60_000);

  test("after centers arrive in any order, every row's distance is its exact distance to the nearest center", () => {
    const n = 4000;
    const { space } = cellSpace(clusteredPoints(n, 6, 25, 4), 40);
    const state = initialGroups(n, null, null, null, null, early);
    const { centers, taken } = addRandomCenters(state, space, 1200, 9);
    expect(state.cells).not.toBeNull();
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const nearest = nearestCenterDistance(space, centers, i);
      expect(state.distance[i]).toBe(nearest);
      // Each row sits in the group of the center it is nearest to, at its slot.
      const g = state.groups[state.groupOf[i]!]!;
      expect(space.distance(g.center, i)).toBe(nearest);
      expect(g.items[state.slot![i]!]).toBe(i);
    }
  }, 60_000);
});

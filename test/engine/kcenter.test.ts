import { describe, expect, test } from "bun:test";
import { EuclideanSpace, nearestSeeds } from "../../src/engine/euclidean.ts";
import { kCenterGreedy, kCenterPlain } from "../../src/engine/kcenter.ts";
import { LeafSpace, nearestLeafSeeds } from "../../src/engine/leaf-space.ts";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { Rng } from "../../src/rng.ts";
import { clusteredPoints } from "../helpers.ts";
import { backendsUnderTest } from "../ffi/backends.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!.blas;

const noSeeds = { seeds: null, selectable: null, firstPick: 0, minDistance: 0 };

describe("kCenterGreedy", () => {
  test("kCenterGreedy() keeps the far point", () => {
    const points = { data: Float32Array.from([0, 0, 0.1, 0, 0, 0.1, 10, 10]), rows: 4, cols: 2 };
    const result = kCenterGreedy(new EuclideanSpace(points), 2, noSeeds);
    expect(Array.from(result.picks)).toEqual([0, 3]);
    expect(result.distances[1]).toBeCloseTo(Math.hypot(10, 10), 5);
  });

  test("kCenterGreedy() picks exactly what the unpruned loop picks, with far fewer measurements", () => {
    for (const seed of [1, 2, 3]) {
      const points = clusteredPoints(3000, 8, 20, seed);
      const space = new EuclideanSpace(points);
      const pruned = kCenterGreedy(space, 150, { ...noSeeds, firstPick: seed });
      const plain = kCenterPlain(space, 150, { ...noSeeds, firstPick: seed });
      expect(Array.from(pruned.picks)).toEqual(Array.from(plain.picks));
      expect(Array.from(pruned.distances)).toEqual(Array.from(plain.distances));
      expect(pruned.evaluations).toBeLessThan(plain.evaluations / 3);
    }
  });

  test.skipIf(openblas === null)("kCenterGreedy() with OpenBLAS's GEMV bounds on center distances still equals the unpruned loop", () => {
    const points = clusteredPoints(4000, 16, 40, 8);
    const indexed = new EuclideanSpace(points, openblas);
    expect(indexed.centerIndex).toBeDefined();
    const pruned = kCenterGreedy(indexed, 400, { ...noSeeds, firstPick: 3 });
    const plain = kCenterPlain(new EuclideanSpace(points), 400, { ...noSeeds, firstPick: 3 });
    expect(Array.from(pruned.picks)).toEqual(Array.from(plain.picks));
    expect(Array.from(pruned.distances)).toEqual(Array.from(plain.distances));
  });

  test("kCenterGreedy() seeded by labelled rows equals the unpruned loop and never re-picks excluded rows", () => {
    const points = clusteredPoints(2000, 6, 10, 9);
    const labeled = clusteredPoints(50, 6, 10, 9); // same centers: labelled rows sit inside the clusters
    const seeds = nearestSeeds(points, labeled, typescriptBlas);
    const selectable = new Uint8Array(2000).fill(1);
    for (let i = 0; i < 2000; i += 7) selectable[i] = 0;
    const options = { seeds, selectable, firstPick: -1, minDistance: 0 };
    const space = new EuclideanSpace(points);
    const pruned = kCenterGreedy(space, 100, options);
    const plain = kCenterPlain(space, 100, options);
    expect(Array.from(pruned.picks)).toEqual(Array.from(plain.picks));
    for (const p of pruned.picks) expect(selectable[p]).toBe(1);
    // The first pick is the row farthest from every labelled row.
    let far = -1;
    for (let i = 0; i < 2000; i++) if (selectable[i] && (far === -1 || seeds.nearestDistance[i]! > seeds.nearestDistance[far]!)) far = i;
    expect(pruned.picks[0]).toBe(far);
  });

  test("nearestSeeds() finds each row's exact nearest seed", () => {
    const points = clusteredPoints(500, 5, 4, 4);
    const seedRows = clusteredPoints(300, 5, 4, 5);
    const state = nearestSeeds(points, seedRows, typescriptBlas);
    for (let i = 0; i < 500; i += 13) {
      let best = Infinity;
      for (let s = 0; s < 300; s++) {
        let sum = 0;
        for (let j = 0; j < 5; j++) sum += (points.data[i * 5 + j]! - seedRows.data[s * 5 + j]!) ** 2;
        best = Math.min(best, Math.sqrt(sum));
      }
      expect(state.nearestDistance[i]).toBeCloseTo(best, 9);
    }
  });

  test("kCenterGreedy() returns distinct rows when every row is identical", () => {
    const points = { data: new Float32Array(40).fill(3), rows: 20, cols: 2 };
    const result = kCenterGreedy(new EuclideanSpace(points), 10, noSeeds);
    expect(new Set(result.picks).size).toBe(10);
    expect(Array.from(result.distances).every((d) => d === 0)).toBe(true);
  });

  test("kCenterGreedy() stops at minDistance and keeps what it chose", () => {
    const points = clusteredPoints(1000, 4, 5, 11, 0.5);
    const result = kCenterGreedy(new EuclideanSpace(points), 500, { ...noSeeds, minDistance: 3 });
    expect(result.picks.length).toBeLessThan(500);
    expect(result.stoppedAt).not.toBeNull();
    expect(result.stoppedAt!).toBeLessThan(3);
    const space = new EuclideanSpace(points);
    for (let a = 0; a < result.picks.length; a++) {
      for (let b = a + 1; b < result.picks.length; b++) expect(space.distance(result.picks[a]!, result.picks[b]!)).toBeGreaterThanOrEqual(3);
    }
  });
});

describe("leaf space", () => {
  test("leaf distance is the share of trees whose leaves differ, and greedy equals the unpruned loop", () => {
    const rng = new Rng(3);
    const trees = 12, n = 800;
    const leaves = Int32Array.from({ length: n * trees }, () => rng.nextInt(4));
    const space = new LeafSpace(leaves, trees);
    let differ = 0;
    for (let t = 0; t < trees; t++) if (leaves[t] !== leaves[trees + t]) differ++;
    expect(space.distance(0, 1)).toBe(differ / trees);
    const seeds = nearestLeafSeeds(space, leaves.slice(0, 5 * trees));
    const options = { seeds, selectable: null, firstPick: -1, minDistance: 0 };
    expect(Array.from(kCenterGreedy(space, 60, options).picks)).toEqual(Array.from(kCenterPlain(space, 60, options).picks));
  });
});

/**
 * Plain core-set by cells with each pick one job for every thread (kcenter-cells.ts, the
 * kcenter_cells_many kernel): what kCenterGreedy runs by default where rows have cells in
 * kernel memory. It must pick exactly what the textbook loop picks, report the coverage
 * center-groups.ts's loop reports, and give the same bits on any thread count.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { fashionMnistImages } from "../../bench/workloads.ts";
import { EuclideanSpace, nearestSeeds, usesNarrowKernel } from "../../src/engine/euclidean.ts";
import { kCenterByCells } from "../../src/engine/kcenter-cells.ts";
import { kCenterGreedy, kCenterPlain, type KCenterOptions, type KCenterResult } from "../../src/engine/kcenter.ts";
import { setMainTakesChunks, setMinValuesPerPart, startThreads, stopThreads, threadStats } from "../../src/engine/kernels/threads.ts";
import { allocFloat32, allocFloat64 } from "../../src/engine/kernels/kernels.ts";
import { inLocalityOrder, localityCells } from "../../src/engine/locality.ts";
import { ProjectedBounds } from "../../src/engine/projection.ts";
import type { Matrix } from "../../src/matrix.ts";
import { Rng } from "../../src/rng.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints } from "../helpers.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!.blas;
/** center-groups.ts's loop, groups only: the loop the cells' kernel replaces. */
const byGroups = { bucketsFrom: 1e9, cellsFrom: 1e9 };

afterAll(() => stopThreads());

/** points in a locality order of `pivots` cells, with projected screening when `levels` are given. */
function cellSpace(points: Matrix, pivots: number, levels: number[] | null = null): { ordered: Matrix; space: EuclideanSpace; order: Uint32Array } {
  const blas = openblas ?? typescriptBlas;
  const projected = levels ? ProjectedBounds.build(points, blas, levels, true) : null;
  const locality = localityCells(projected?.coordinates ?? points, blas, null, pivots);
  const ordered = inLocalityOrder(points, locality.order, false)!;
  projected?.reorder(locality.order);
  return { ordered, space: new EuclideanSpace(ordered, blas, projected, locality), order: locality.order };
}

function expectSameSelection(got: KCenterResult, want: KCenterResult): void {
  expect(Array.from(got.picks)).toEqual(Array.from(want.picks));
  expect(Array.from(got.distances)).toEqual(Array.from(want.distances));
  expect(got.finalRadius).toBe(want.finalRadius);
}

describe("k-center by cells, one job a pick", () => {
  test("picks what the textbook loop picks, with the radii and coverage of center-groups.ts's loop", () => {
    const points = clusteredPoints(5000, 8, 25, 12);
    // 12 cells of ~400 rows: each cut into blocks (at most 256 rows) that the threads share.
    const { ordered, space, order } = cellSpace(points, 12);
    const options: KCenterOptions = { seeds: null, selectable: null, firstPick: 5, minDistance: 0, tieKey: order };
    const cells = kCenterByCells(space, 1500, options)!;
    expect(cells).not.toBeNull();
    const groups = kCenterGreedy(space, 1500, { ...options, limits: byGroups });
    expectSameSelection(cells, kCenterPlain(new EuclideanSpace(ordered), 1500, options));
    expectSameSelection(cells, groups);
    expect(Array.from(cells.radii)).toEqual(Array.from(groups.radii));
    expect(Array.from(cells.coverage.sizes)).toEqual(Array.from(groups.coverage.sizes));
    expect(Array.from(cells.coverage.radii)).toEqual(Array.from(groups.coverage.radii));
    // Its bounds rule out most rows: far fewer measurements than the textbook loop's.
    expect(cells.evaluations).toBeGreaterThan(5000);
    expect(cells.evaluations).toBeLessThan((1500 * 5000) / 5);
  }, 60_000);

  test("with labelled rows, rows that may not be picked, and ties broken by the original row", () => {
    // Duplicated rows make ties: the pick among equally far rows is the lowest original row.
    const base = clusteredPoints(2500, 8, 25, 4);
    const points = { data: new Float32Array(5000 * 8), rows: 5000, cols: 8 };
    points.data.set(base.data);
    points.data.set(base.data, 2500 * 8);
    const { ordered, space, order } = cellSpace(points, 64);
    const seeds = nearestSeeds(ordered, clusteredPoints(30, 8, 25, 4), typescriptBlas);
    // (The textbook loop breaks ties by position, not by original row: compared by groups here.)
    const selectable = new Uint8Array(5000).fill(1);
    for (let i = 2; i < 5000; i += 9) selectable[i] = 0;
    const options: KCenterOptions = { seeds, selectable, firstPick: -1, minDistance: 0, tieKey: order };
    const cells = kCenterByCells(space, 1200, options)!;
    const groups = kCenterGreedy(space, 1200, { ...options, limits: byGroups });
    expectSameSelection(cells, groups);
    expect(Array.from(cells.coverage.sizes)).toEqual(Array.from(groups.coverage.sizes));
    // Never a row that may not be picked.
    for (const p of cells.picks) expect(selectable[p]).toBe(1);
  }, 60_000);

  test("with the staged projected screen (wide rows), equal to the textbook loop and counting each stage", () => {
    const points = clusteredPoints(4000, 64, 20, 7);
    const { ordered, space, order } = cellSpace(points, 48, [16, 32]);
    expect(space.kernelScreen?.prefilter).not.toBeNull();
    const options: KCenterOptions = { seeds: null, selectable: null, firstPick: 9, minDistance: 0, tieKey: order };
    const stagesBefore = [...space.projected!.rowsPerStage];
    const cells = kCenterByCells(space, 800, options)!;
    expectSameSelection(cells, kCenterPlain(new EuclideanSpace(ordered), 800, options));
    const entered = space.projected!.rowsPerStage.map((rows, s) => rows - stagesBefore[s]!);
    // Rows enter the prefilter as screened, and each stage keeps at most what entered it.
    expect(entered[0]).toBe(cells.screened);
    for (let s = 1; s < entered.length; s++) expect(entered[s]!).toBeLessThanOrEqual(entered[s - 1]!);
    expect(cells.evaluations).toBeLessThanOrEqual(entered[entered.length - 1]!);
    expect(cells.evaluations).toBeLessThan(cells.screened);
  }, 60_000);

  test("gives the same bits on 1, 2 and 3 threads, the workers running every cell", async () => {
    // Cells of ~400 rows: the blocks of one cell run on every thread.
    const { space, order } = cellSpace(clusteredPoints(6000, 24, 30, 3), 15, [8, 16]);
    const options: KCenterOptions = { seeds: null, selectable: null, firstPick: 0, minDistance: 0, tieKey: order };
    const saved = setMinValuesPerPart(0);
    try {
      await startThreads(1);
      const reference = kCenterByCells(space, 700, options)!;
      for (const [threads, mainWorks] of [[2, true], [3, true], [2, false], [3, false]] as const) {
        expect(await startThreads(threads)).toBeNull();
        const before = threadStats();
        setMainTakesChunks(mainWorks);
        const got = (() => { try { return kCenterByCells(space, 700, options)!; } finally { setMainTakesChunks(true); } })();
        const after = threadStats();
        expect(after.splitScans - before.splitScans).toBeGreaterThanOrEqual(700);
        if (!mainWorks) expect(after.workerChunks - before.workerChunks).toBe(after.chunks - before.chunks);
        expectSameSelection(got, reference);
        expect(new Uint32Array(got.radii.buffer)).toEqual(new Uint32Array(reference.radii.buffer));
        expect(Array.from(got.coverage.sizes)).toEqual(Array.from(reference.coverage.sizes));
        expect(got.evaluations).toBe(reference.evaluations);
      }
    } finally {
      setMinValuesPerPart(saved);
      await startThreads(1);
    }
  }, 120_000);

  // Every row holds 2^-40 (so float32 rows take the float32-arithmetic kernel) and 100
  // coordinates near 2^-60. c differs from x by 230 ulps (≈2^-75) a coordinate: each square rounds
  // to 0, so d(c, x) is measured near 2^-74 or 0, while the pivot p's distances put c ≈2^-72 from
  // x. A purely relative error bound then rules x out, and x keeps its seed distance 2^-73. Float64
  // rows: the same scaled by 2^-463, where float64 squares round to 0.
  test.each([["float32 (the narrow kernel)", false, 0], ["float64", true, 463]] as const)(
    "%s rows differing by less than their squares resolve pick what the textbook loop picks", (_, float64, shift) => {
      const dim = 101, scale = 2 ** -shift, near = 2 ** -60 * scale, ulp = 2 ** -83 * scale;
      const row = (at: (j: number) => number) => Array.from({ length: dim }, (_, j) => (j === 0 ? 2 ** -40 * scale : at(j)));
      const seed = row((j) => (j === 1 ? near - 2 ** -73 * scale : near));
      const rows = [
        row(() => near - 2 ** -62 * scale), // p, the pivot
        row(() => near), // x, 2^-73 from the seed
        row(() => near + 230 * ulp), // c
        row((j) => (j === 1 ? near - 2 ** -73 * scale : j === 2 ? near + 887 * ulp : near)), // q, between x's two distances from the seed
      ];
      const alloc = float64 ? allocFloat64 : allocFloat32;
      const points = { data: alloc(rows.length * dim), rows: rows.length, cols: dim };
      rows.forEach((values, r) => points.data.set(values, r * dim));
      const seedRows = { data: alloc(dim), rows: 1, cols: dim };
      seedRows.data.set(seed);
      const seeds = nearestSeeds(points, seedRows, typescriptBlas);
      const space = new EuclideanSpace(points, null, null, { starts: Uint32Array.from([0, 4]), pivots: Uint32Array.from([0]) });
      expect(usesNarrowKernel(points, points)).toBe(!float64);
      const options: KCenterOptions = { seeds, selectable: null, firstPick: 0, minDistance: 0, tieKey: null };
      const plain = kCenterPlain(space, 4, options);
      expect(Array.from(plain.picks)).toEqual([0, 2, 3, 1]);
      expectSameSelection(kCenterByCells(space, 4, options)!, plain);
      // center-groups.ts's scan by cells (MIN_DISTANCE keeps it) has the same bounds.
      const stopping = { ...options, minDistance: 2 ** -1000 };
      expectSameSelection(kCenterGreedy(space, 4, stopping), kCenterPlain(space, 4, stopping));
    });

  test("on cells of any shape (empty, one row, pivots outside them), with k past the candidates, a first pick that may not be picked, identical rows and reused buffers, as center-groups.ts's loop", () => {
    const rng = new Rng(11);
    const compare = (points: Matrix, sizes: number[], k: number, options: KCenterOptions): KCenterResult => {
      const starts = Uint32Array.from(sizes, (_, b) => sizes.slice(0, b).reduce((a, s) => a + s, 0));
      const cells = { starts: Uint32Array.from([...starts, points.rows]), pivots: Uint32Array.from(sizes, () => rng.nextInt(points.rows)) };
      const space = new EuclideanSpace(points, openblas ?? typescriptBlas, null, cells);
      const got = kCenterByCells(space, k, options)!, want = kCenterGreedy(space, k, { ...options, limits: byGroups });
      expectSameSelection(got, want);
      expect(Array.from(got.radii)).toEqual(Array.from(want.radii));
      expect(Array.from(got.coverage.sizes)).toEqual(Array.from(want.coverage.sizes));
      expect(Array.from(got.coverage.radii)).toEqual(Array.from(want.coverage.radii));
      return got;
    };
    const inKernel = (m: Matrix): Matrix => { const data = allocFloat32(m.data.length); data.set(m.data); return { ...m, data }; };
    // Each row twice (600 rows apart), so equally far rows sit in different blocks.
    const half = clusteredPoints(600, 5, 8, 2), points = inKernel({ data: new Float32Array(1200 * 5), rows: 1200, cols: 5 });
    points.data.set(half.data);
    points.data.set(half.data, 600 * 5);
    // A larger run first, with ties by a reversed key: the next runs reuse its buffers.
    const reversed = Uint32Array.from({ length: 1200 }, (_, i) => 1199 - i);
    compare(points, [500, 0, 1, 699], 300, { seeds: null, selectable: null, firstPick: 7, minDistance: 0, tieKey: reversed });
    const selectable = Uint8Array.from({ length: 1200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const all = compare(points, [1200], 450, { seeds: null, selectable, firstPick: 4, minDistance: 0, tieKey: null });
    expect(all.picks.length).toBe(400);
    expect(new Set(all.picks).size).toBe(400);
    const same = inKernel({ data: new Float32Array(600 * 3).fill(0.25), rows: 600, cols: 3 });
    expect(Array.from(compare(same, [0, 300, 300], 5, { seeds: null, selectable: null, firstPick: 2, minDistance: 0, tieKey: null }).picks)).toEqual([2, 0, 1, 3, 4]);
  });

  test("kCenterGreedy runs it only for plain core-set: a priority, quotas or MIN_DISTANCE keep center-groups.ts's loop", () => {
    const { space, order } = cellSpace(clusteredPoints(3000, 6, 20, 6), 32);
    const rng = new Rng(2);
    const score = Float64Array.from({ length: 3000 }, () => 0.2 + rng.nextFloat());
    const priority = (row: number, d: number) => (d === Infinity ? score[row]! : score[row]! * d);
    const options: KCenterOptions = { seeds: null, selectable: null, firstPick: 0, minDistance: 0, tieKey: order };
    // The cells' loop leaves coverage radii of center-groups.ts's loop and no stoppedAt; MIN_DISTANCE needs one.
    const stopped = kCenterGreedy(space, 3000, { ...options, minDistance: 1.5 });
    expect(stopped.stoppedAt).not.toBeNull();
    expect(stopped.picks.length).toBeLessThan(3000);
    // Plain core-set runs the cells' loop (its measurement count differs from the groups' loop's).
    const plain = kCenterGreedy(space, 500, options), byCells = kCenterByCells(space, 500, options)!;
    expect(plain.evaluations).toBe(byCells.evaluations);
    expect(plain.evaluations).not.toBe(kCenterGreedy(space, 500, { ...options, limits: byGroups }).evaluations);
    const hybrid = kCenterGreedy(space, 500, { ...options, priority });
    expect(Array.from(hybrid.picks)).toEqual(Array.from(kCenterGreedy(space, 500, { ...options, priority, limits: byGroups }).picks));
    expect(Array.from(hybrid.picks)).not.toEqual(Array.from(kCenterGreedy(space, 500, options).picks));
  }, 60_000);

  const images = fashionMnistImages(8000);
  test.skipIf(images === null || openblas === null)("on 8,000 raw Fashion-MNIST images, with the staged int8 screen, equal to the textbook loop", () => {
    const projected = ProjectedBounds.build(images!, openblas!, [48, 128], true)!;
    const locality = localityCells(projected.coordinates, openblas!, null, 64);
    const ordered = inLocalityOrder(images!, locality.order, false)!;
    projected.reorder(locality.order);
    const space = new EuclideanSpace(ordered, openblas, projected, locality);
    const options: KCenterOptions = { seeds: null, selectable: null, firstPick: 17, minDistance: 0, tieKey: locality.order };
    const cells = kCenterByCells(space, 300, options)!;
    expectSameSelection(cells, kCenterPlain(new EuclideanSpace(ordered), 300, options));
    expect(cells.evaluations).toBeLessThan((300 * 8000) / 4);
  }, 120_000);
});

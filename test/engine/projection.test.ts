/**
 * Projected lower bounds (src/engine/projection.ts) on real data: the raw Fashion-MNIST images
 * (Debian's dataset-fashion-mnist, `make setup-data`) and the bundled example's embeddings.
 * The bounds must never exceed a distance, and k-center with them must pick exactly what the
 * textbook loop picks.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { fashionMnistImages, FASHION_MNIST_DIR } from "../../bench/workloads.ts";
import { EuclideanSpace, normaliseRows, squaredDistance } from "../../src/engine/euclidean.ts";
import { allocVectors } from "../../src/engine/kernels/kernels.ts";
import { kCenterGreedy, kCenterPlain } from "../../src/engine/kcenter.ts";
import { ProjectedBounds } from "../../src/engine/projection.ts";
import { setMainTakesChunks, setMinValuesPerPart, startThreads, stopThreads, threadsRunProducts, threadStats } from "../../src/engine/kernels/threads.ts";
import type { Matrix } from "../../src/matrix.ts";
import { Rng } from "../../src/rng.ts";
import { backendsUnderTest } from "../ffi/backends.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!.blas;
const blas = openblas ?? typescriptBlas;
/** OpenBLAS's thread count as loaded (a test that caps it puts it back). */
const poolThreadsAtLoad = (openblas as { threads?: number } | null)?.threads ?? 1;
const images = fashionMnistImages(6000);

/** The bundled example's 32-dimensional embeddings (3,000 real rows). */
/**
 * A build's figures as bits, to compare builds exactly: its coordinates, then for `trials`
 * seeded centers every row's lower bounds and the rows screen() keeps under random limits.
 */
function boundsBits(bounds: ProjectedBounds, rows: number, trials: number) {
  const rng = new Rng(9), all = Uint32Array.from({ length: rows }, (_, i) => i);
  const lower: number[][] = [], kept: number[][] = [];
  for (let t = 0; t < trials; t++) {
    const c = rng.nextInt(rows);
    const bits = bounds.lowerBoundsMany(c, all, rows);
    lower.push(Array.from(new Uint32Array(bits.buffer, bits.byteOffset, 2 * rows)));
    const screened = all.slice(), limits = Float64Array.from({ length: rows }, () => 8 * rng.nextFloat());
    kept.push(Array.from(screened.subarray(0, bounds.screen(c, screened, limits, rows))));
  }
  const { coordinates } = bounds;
  return { coordinates: Array.from(new Uint32Array(coordinates.data.buffer, coordinates.data.byteOffset, coordinates.data.length)), lower, kept, stages: bounds.stageNames };
}

function exampleEmbeddings(): Matrix<Float32Array> {
  const text = gunzipSync(readFileSync(join(import.meta.dir, "../../examples/fashion_mnist/pool/pool.csv.gz"))).toString("utf8");
  const lines = text.trim().split("\n");
  const header = lines[0]!.split(",");
  const columns = header.flatMap((name, c) => (name.startsWith("emb_") ? [c] : []));
  const data = allocVectors(false, (lines.length - 1) * columns.length) as Float32Array;
  lines.slice(1).forEach((line, r) => {
    const cells = line.split(",");
    columns.forEach((c, j) => { data[r * columns.length + j] = Number(cells[c]); });
  });
  return { data, rows: lines.length - 1, cols: columns.length };
}

/** Bounds from `rows` centers against every row, each checked against the exact distance; returns the mean bound / distance. */
function checkBounds(points: Matrix, bounds: ProjectedBounds, centers: number): number {
  const rng = new Rng(3);
  const all = Uint32Array.from({ length: points.rows }, (_, i) => i);
  let ratio = 0, pairs = 0;
  for (let t = 0; t < centers; t++) {
    const c = rng.nextInt(points.rows);
    const out = bounds.lowerBoundsMany(c, all, points.rows);
    for (let i = 0; i < points.rows; i++) {
      const exact = Math.sqrt(squaredDistance(points.data, c * points.cols, points.data, i * points.cols, points.cols));
      if (!(out[i]! <= exact)) throw new Error(`bound ${out[i]} > distance ${exact} for rows ${c}, ${i}`);
      if (exact > 0) { ratio += out[i]! / exact; pairs++; }
    }
  }
  return ratio / pairs;
}

describe("projected lower bounds", () => {
  test("every bound is at most the exact distance, with data far from the origin and in float64 too", () => {
    const embeddings = exampleEmbeddings();
    expect(checkBounds(embeddings, ProjectedBounds.build(embeddings, blas, [8])!, 20)).toBeGreaterThan(0.5);
    // A large common offset: the centring and the float32 coordinates must carry their rounding.
    const rng = new Rng(5);
    const far = allocVectors(true, 2000 * 40) as Float64Array;
    for (let i = 0; i < far.length; i++) far[i] = 1e6 + rng.nextGaussian() * (i % 40 < 4 ? 1 : 1e-3);
    const farMatrix = { data: far, rows: 2000, cols: 40 };
    expect(checkBounds(farMatrix, ProjectedBounds.build(farMatrix, blas, [6])!, 20)).toBeGreaterThan(0.9);
  });

  test("on rows spanning fewer directions than the levels hold, the bound is the distance up to rounding, never above it", () => {
    // 1,500 rows in 300 columns that span 5 directions, far from the origin: the deepest level
    // leaves only rounding in the residual norms, the first leaves 3 directions to them.
    const rng = new Rng(8);
    const data = allocVectors(false, 1500 * 300) as Float32Array;
    const basis = Array.from({ length: 5 }, () => Float64Array.from({ length: 300 }, () => rng.nextGaussian()));
    for (let r = 0; r < 1500; r++) {
      const weights = basis.map((_, b) => rng.nextGaussian() * 2 ** -b);
      for (let j = 0; j < 300; j++) data[r * 300 + j] = 50 + weights.reduce((sum, w, b) => sum + w * basis[b]![j]!, 0);
    }
    const points = { data, rows: 1500, cols: 300 };
    const bounds = ProjectedBounds.build(points, blas, [2, 8])!;
    expect(bounds.levels).toEqual([2, 5]);
    expect(checkBounds(points, bounds, 10)).toBeGreaterThan(0.999);
  });

  /** screen() against exact distances: every row closer than its limit kept, in order, limits in step; returns the rows dropped. */
  function checkScreen(points: Matrix, bounds: ProjectedBounds, centers: number): number {
    const rng = new Rng(9);
    let dropped = 0;
    for (let t = 0; t < centers; t++) {
      const c = rng.nextInt(points.rows);
      const exact = Array.from({ length: points.rows }, (_, i) => Math.sqrt(squaredDistance(points.data, c * points.cols, points.data, i * points.cols, points.cols)));
      const rows = Uint32Array.from({ length: points.rows }, (_, i) => i);
      // Limits from well inside the distances to just outside them.
      const limits = Float64Array.from(exact, (d) => d * (0.3 + 0.8 * rng.nextFloat()));
      const wanted = limits.slice();
      const kept = bounds.screen(c, rows, limits, points.rows);
      const keptRows = new Set(rows.subarray(0, kept));
      for (let i = 0; i < points.rows; i++) {
        if (exact[i]! < wanted[i]!) expect(keptRows.has(i)).toBe(true);
        if (!keptRows.has(i)) dropped++;
      }
      for (let m = 1; m < kept; m++) expect(rows[m]!).toBeGreaterThan(rows[m - 1]!);
      for (let m = 0; m < kept; m++) expect(limits[m]).toBe(wanted[rows[m]!]!);
      // Limits a hair above the distances: no bound may reach them, so every row stays.
      const all = Uint32Array.from({ length: points.rows }, (_, i) => i).filter((i) => exact[i]! > 0);
      const tight = Float64Array.from(all, (i) => exact[i]! * (1 + 1e-12));
      expect(bounds.screen(c, all, tight, all.length)).toBe(all.length);
    }
    return dropped;
  }

  test("screen() keeps every row closer than its limit, drops only rows at least that far, and counts each stage", () => {
    const points = exampleEmbeddings();
    const bounds = ProjectedBounds.build(points, blas, [2, 6, 16])!;
    expect(checkScreen(points, bounds, 20)).toBeGreaterThan(0);
    const [first, second, third] = bounds.rowsPerStage;
    expect(first).toBe(20 * points.rows + 20 * (points.rows - 1)); // each center's two passes (the tight one without the center)
    expect(second!).toBeLessThan(first!);
    expect(third!).toBeLessThan(second!);
  });

  test("screen() with the int8 prefilter keeps every row closer than its limit, and the prefilter rules rows out", () => {
    const points = exampleEmbeddings();
    const bounds = ProjectedBounds.build(points, blas, [16, 24], true)!;
    expect(bounds.stageNames).toEqual(["16 int8", "16 float32", "24 float32", "32 int8 (whole rows)"]);
    expect(checkScreen(points, bounds, 20)).toBeGreaterThan(0);
    const [prefilter, first, second, wholeRows] = bounds.rowsPerStage;
    expect(prefilter).toBe(20 * points.rows + 20 * (points.rows - 1));
    expect(first!).toBeLessThan(prefilter!);
    // The whole rows' codes screen what the projected stages keep, and rule some of it out.
    expect(wholeRows!).toBeGreaterThan(0);
    expect(wholeRows!).toBeLessThanOrEqual(second!);
    // Limits just inside every distance: the rows the last stage lets through are fewer than entered it.
    const c = 3, rows = Uint32Array.from({ length: points.rows }, (_, i) => i);
    const limits = Float64Array.from(rows, (i) => 0.97 * Math.sqrt(squaredDistance(points.data, c * points.cols, points.data, i * points.cols, points.cols)));
    const enteredBefore = bounds.rowsPerStage[3]!, kept = bounds.screen(c, rows, limits, points.rows);
    expect(kept).toBeLessThan(bounds.rowsPerStage[3]! - enteredBefore);
    // A first level that is not a multiple of 16 coordinates has no int8 copy of it.
    expect(ProjectedBounds.build(points, blas, [8], true)!.stageNames).toEqual(["8 float32", "32 int8 (whole rows)"]);
  });

  test("after reorder(), screen() bounds the rows in their new places (int8 records, coordinates and residuals moved together)", () => {
    const points = exampleEmbeddings();
    const bounds = ProjectedBounds.build(points, blas, [16, 24], true)!;
    const rng = new Rng(12);
    const order = Uint32Array.from({ length: points.rows }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
    const moved = allocVectors(false, points.data.length) as Float32Array;
    for (let r = 0; r < points.rows; r++) moved.set(points.data.subarray(order[r]! * points.cols, (order[r]! + 1) * points.cols), r * points.cols);
    bounds.reorder(order);
    expect(checkScreen({ data: moved, rows: points.rows, cols: points.cols }, bounds, 10)).toBeGreaterThan(0);
  });

  test("screen() keeps the same rows on 1, 2 and 3 threads, the workers running every chunk", async () => {
    const points = exampleEmbeddings();
    const bounds = ProjectedBounds.build(points, blas, [16, 24], true)!;
    const run = () => {
      const rng = new Rng(4), kept: number[][] = [];
      for (let t = 0; t < 10; t++) {
        const c = rng.nextInt(points.rows);
        const rows = Uint32Array.from({ length: points.rows }, (_, i) => i);
        const limits = Float64Array.from({ length: points.rows }, () => 4 * rng.nextFloat());
        kept.push(Array.from(rows.subarray(0, bounds.screen(c, rows, limits, points.rows))));
      }
      return kept;
    };
    const threshold = setMinValuesPerPart(0);
    try {
      await startThreads(1);
      const reference = run();
      expect(reference.some((k) => k.length > 0 && k.length < points.rows)).toBe(true);
      for (const threads of [2, 3]) {
        expect(await startThreads(threads)).toBeNull();
        setMainTakesChunks(false);
        const before = threadStats().workerChunks;
        try { expect(run()).toEqual(reference); } finally { setMainTakesChunks(true); }
        expect(threadStats().workerChunks).toBeGreaterThan(before);
      }
    } finally {
      setMinValuesPerPart(threshold);
      stopThreads();
    }
  });

  test("build() gives the same coordinates, bounds and int8 screen on 1, 2 and 3 threads (centring, head norms and int8 codes run on the workers; with OpenBLAS opened by the workers, each thread projects its own rows)", async () => {
    const points = images ?? exampleEmbeddings();
    const levels = points.cols >= 128 ? [48, 128] : [16, 24];
    const built = () => boundsBits(ProjectedBounds.build(points, blas, levels, true)!, points.rows, 5);
    const threshold = setMinValuesPerPart(0);
    // OpenBLAS's results depend on its own thread count: its products run on the calling thread
    // here, as on every thread of the runs whose workers opened it.
    blas.setThreads?.(1);
    try {
      await startThreads(1);
      const reference = built();
      expect(reference.stages[0]).toContain("int8");
      expect(reference.kept.some((k) => k.length > 0 && k.length < points.rows)).toBe(true);
      const withProducts = openblas?.productsOnCallingThread ? openblas : null;
      const runs = [[2, true, null], [3, true, null], [2, false, null], [3, false, null], [2, true, withProducts], [3, false, withProducts]] as const;
      for (const [threads, mainWorks, workersBlas] of runs) {
        expect(await startThreads(threads, workersBlas)).toBeNull();
        expect(threadsRunProducts(blas)).toBe(workersBlas !== null);
        setMainTakesChunks(mainWorks);
        const before = threadStats();
        try { expect(built()).toEqual(reference); } finally { setMainTakesChunks(true); }
        const after = threadStats();
        // Split scans ran; with the main thread out of it, the workers ran every chunk (with it, a
        // slow-waking worker may leave all of them to the main thread on a busy machine).
        expect(after.splitScans).toBeGreaterThan(before.splitScans);
        if (!mainWorks) expect(after.workerChunks - before.workerChunks).toBe(after.chunks - before.chunks);
      }
    } finally {
      setMinValuesPerPart(threshold);
      blas.setThreads?.(poolThreadsAtLoad);
      stopThreads();
    }
  }, 120_000);

  test("build() with rowOf gives, bit for bit, the bounds of the rows copied into that order, on one thread and on two that project their own rows", async () => {
    const stored = images ?? exampleEmbeddings();
    const levels = stored.cols >= 128 ? [48, 128] : [16, 24];
    const rng = new Rng(21), rowOf = Uint32Array.from({ length: stored.rows }, (_, i) => i);
    for (let i = rowOf.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [rowOf[i], rowOf[j]] = [rowOf[j]!, rowOf[i]!]; }
    const copied = allocVectors(false, stored.data.length) as Float32Array;
    rowOf.forEach((from, r) => copied.set(stored.data.subarray(from * stored.cols, (from + 1) * stored.cols), r * stored.cols));
    const inOrder: Matrix = { data: copied, rows: stored.rows, cols: stored.cols };
    const built = (points: Matrix, order: Uint32Array | null) => boundsBits(ProjectedBounds.build(points, blas, levels, true, order)!, points.rows, 3);
    const threshold = setMinValuesPerPart(0);
    blas.setThreads?.(1);
    try {
      const withProducts = openblas?.productsOnCallingThread ? openblas : null;
      for (const [threads, workersBlas] of [[1, null], [2, withProducts]] as const) {
        expect(await startThreads(threads, workersBlas)).toBeNull();
        const reference = built(inOrder, null);
        expect(reference.stages.join()).toContain("whole rows");
        expect(built(stored, rowOf)).toEqual(reference);
      }
    } finally {
      setMinValuesPerPart(threshold);
      blas.setThreads?.(poolThreadsAtLoad);
      stopThreads();
    }
  }, 120_000);

  test("screen() holds where the coordinates are too small for float32 arithmetic (the float64-summing kernel)", () => {
    const points = exampleEmbeddings();
    const tiny = allocVectors(false, points.data.length) as Float32Array;
    for (let i = 0; i < tiny.length; i++) tiny[i] = points.data[i]! * 1e-14;
    const tinyPoints = { data: tiny, rows: points.rows, cols: points.cols };
    expect(checkScreen(tinyPoints, ProjectedBounds.build(tinyPoints, blas, [4, 12])!, 5)).toBeGreaterThan(0);
    expect(checkScreen(tinyPoints, ProjectedBounds.build(tinyPoints, blas, [16], true)!, 5)).toBeGreaterThan(0);
  });

  test("kCenterGreedy() with projected bounds equals the textbook loop on the example's real embeddings", () => {
    const points = exampleEmbeddings();
    const space = new EuclideanSpace(points, blas, ProjectedBounds.build(points, blas, [4, 8]));
    const fast = kCenterGreedy(space, 300, { seeds: null, selectable: null, firstPick: 7, minDistance: 0 });
    const plain = kCenterPlain(new EuclideanSpace(points), 300, { seeds: null, selectable: null, firstPick: 7, minDistance: 0 });
    expect(Array.from(fast.picks)).toEqual(Array.from(plain.picks));
    expect(Array.from(fast.distances)).toEqual(Array.from(plain.distances));
    expect(fast.screened).toBeGreaterThan(0);
  });

  describe.skipIf(images === null)(`on the raw Fashion-MNIST images (${FASHION_MNIST_DIR}; make setup-data)`, () => {
    test("bounds from 32 principal coordinates never exceed a distance and keep most of it", () => {
      const bounds = ProjectedBounds.build(images!, blas, [32])!;
      expect(bounds.dims).toBe(32);
      expect(checkBounds(images!, bounds, 10)).toBeGreaterThan(0.8);
    });

    test("bounds staged over 8, 32 and 128 principal coordinates never exceed a distance and keep more of it", () => {
      const bounds = ProjectedBounds.build(images!, blas, [8, 32, 128])!;
      expect(bounds.levels).toEqual([8, 32, 128]);
      expect(checkBounds(images!, bounds, 10)).toBeGreaterThan(0.9);
    });

    for (const metric of ["euclidean", "cosine"]) {
      test(`kCenterGreedy() on 6,000 raw images (${metric}) picks exactly what the textbook loop picks, measuring a fraction of the rows`, () => {
        const points = metric === "cosine" ? normaliseRows(images!, (r) => `row ${r}`) : images!;
        const space = new EuclideanSpace(points, blas);
        expect(space.projected!.stageNames[0]).toContain("int8");
        const fast = kCenterGreedy(space, 200, { seeds: null, selectable: null, firstPick: 11, minDistance: 0 });
        const plain = kCenterPlain(new EuclideanSpace(points), 200, { seeds: null, selectable: null, firstPick: 11, minDistance: 0 });
        expect(Array.from(fast.picks)).toEqual(Array.from(plain.picks));
        expect(Array.from(fast.distances)).toEqual(Array.from(plain.distances));
        expect(fast.evaluations).toBeLessThan(plain.evaluations / 2);
      }, 60_000);
    }

    // Without OpenBLAS this would compare the TypeScript backend with itself: a skip, which CI refuses.
    test.skipIf(openblas === null)("the TypeScript backend's projection prunes differently but selects the same rows", () => {
      const withTs = kCenterGreedy(new EuclideanSpace(images!, typescriptBlas), 100, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 });
      const withDefault = kCenterGreedy(new EuclideanSpace(images!, blas), 100, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 });
      expect(Array.from(withTs.picks)).toEqual(Array.from(withDefault.picks));
    }, 60_000);
  });
});

/**
 * row-mean.ts: where a seedless k-center starts. Its column sums and distances run on the
 * worker threads; the promise is the same bits on any thread count, and the same bits from the
 * TypeScript twin that serves rows outside kernel memory.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { allocFloat32, allocFloat64 } from "../../src/engine/kernels/kernels.ts";
import { setMainTakesChunks, setMinValuesPerPart, startThreads, stopThreads, threadStats } from "../../src/engine/kernels/threads.ts";
import { nearestToMean, selectableMean, squaredDistancesTo, SUM_BLOCK_ROWS } from "../../src/engine/row-mean.ts";
import type { Matrix } from "../../src/matrix.ts";
import { Rng } from "../../src/rng.ts";

let savedThreshold = 0;
beforeAll(() => { savedThreshold = setMinValuesPerPart(0); });
afterAll(() => { setMinValuesPerPart(savedThreshold); stopThreads(); });

/** Same bits, not just close: compare as integers. */
const bits = (values: Float64Array) => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length * 2));

describe("nearestToMean", () => {
  // More rows than one kernel call's blocks (256 × 256), a last block part full, an odd width (the kernels' tails).
  const rows = 66_000, cols = 23;
  const rng = new Rng(3);
  const values = Float64Array.from({ length: rows * cols }, () => rng.nextGaussian() * 5 + 100);
  const single = allocFloat32(rows * cols), double = allocFloat64(rows * cols);
  single.set(values);
  double.set(values);
  const inKernel32: Matrix = { data: single, rows, cols }, inKernel64: Matrix = { data: double, rows, cols };
  const outside32: Matrix = { data: Float32Array.from(single), rows, cols }, outside64: Matrix = { data: Float64Array.from(double), rows, cols };
  const selectable = Uint8Array.from({ length: rows }, (_, r) => (r % 7 === 3 ? 0 : 1));
  const candidates = Uint8Array.from(selectable, (s, r) => (s && r % 5 !== 0 ? 1 : 0));
  const list = Uint32Array.from({ length: rows }, (_, r) => r).filter((r) => candidates[r]);

  test("the kernels (float32 and float64 rows) give the twin's bits on 1, 2 and 3 threads, whichever thread runs a part", async () => {
    const twin32 = selectableMean(outside32, selectable), twin64 = selectableMean(outside64, selectable);
    const twinDistances32 = squaredDistancesTo(outside32, list, twin32), twinDistances64 = squaredDistancesTo(outside64, list, twin64);
    const twinStart = nearestToMean(outside32, candidates, selectable);
    for (const [threads, mainWorks] of [[1, true], [2, true], [3, true], [2, false], [3, false]] as const) {
      expect(await startThreads(threads)).toBeNull();
      setMainTakesChunks(mainWorks);
      const before = threadStats();
      try {
        const mean32 = selectableMean(inKernel32, selectable), mean64 = selectableMean(inKernel64, selectable);
        expect(bits(mean32)).toEqual(bits(twin32));
        expect(bits(mean64)).toEqual(bits(twin64));
        expect(bits(squaredDistancesTo(inKernel32, list, mean32))).toEqual(bits(twinDistances32));
        expect(bits(squaredDistancesTo(inKernel64, list, mean64))).toEqual(bits(twinDistances64));
        expect(nearestToMean(inKernel32, candidates, selectable)).toBe(twinStart);
      } finally {
        setMainTakesChunks(true);
      }
      const after = threadStats();
      // Two sum calls (66,000 rows: 258 blocks) and three distance scans went to the threads.
      if (threads > 1) expect(after.splitScans - before.splitScans).toBe(2 + 2 + 1 + 2);
      if (!mainWorks) expect(after.workerChunks - before.workerChunks).toBe(after.chunks - before.chunks);
    }
    expect(Math.ceil(rows / SUM_BLOCK_ROWS)).toBeGreaterThan(256);
  }, 60_000);

  test("the mean is the selectable rows' mean, and the start the candidate nearest it", () => {
    const mean = selectableMean(inKernel32, selectable);
    let n = 0;
    const exact = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      if (!selectable[r]) continue;
      n++;
      for (let j = 0; j < cols; j++) exact[j]! += single[r * cols + j]!;
    }
    for (let j = 0; j < cols; j++) expect(mean[j]!).toBeCloseTo(exact[j]! / n, 9);
    // Rows left out pull the mean when counted: make them far away, and the mean must not move.
    const shifted = allocFloat32(rows * cols);
    shifted.set(single);
    for (let r = 0; r < rows; r++) if (!selectable[r]) shifted.fill(1e6, r * cols, (r + 1) * cols);
    expect(bits(selectableMean({ data: shifted, rows, cols }, selectable))).toEqual(bits(mean));
    // The start is the candidate whose exact distance is least (not a row left out of the candidates).
    const start = nearestToMean(inKernel32, candidates, selectable);
    expect(candidates[start]).toBe(1);
    const distance = (r: number) => {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += (single[r * cols + j]! - mean[j]!) ** 2;
      return sum;
    };
    let least = Infinity;
    for (const r of list) least = Math.min(least, distance(r));
    expect(distance(start)).toBeCloseTo(least, 6);
  });

  test("rows read through an order (rowOf) give the bits of the same rows copied into that order, on 1, 2 and 3 threads", async () => {
    // A shuffle, so that every block of the sums takes rows from all over the matrix.
    const rowOf = Uint32Array.from({ length: rows }, (_, r) => r);
    const shuffle = new Rng(11);
    for (let r = rows - 1; r > 0; r--) { const s = shuffle.nextInt(r + 1); [rowOf[r], rowOf[s]] = [rowOf[s]!, rowOf[r]!]; }
    const copied = allocFloat32(rows * cols);
    rowOf.forEach((from, r) => copied.set(single.subarray(from * cols, (from + 1) * cols), r * cols));
    const inOrder: Matrix = { data: copied, rows, cols };
    const expectedMean = bits(selectableMean(inOrder, selectable)), expectedStart = nearestToMean(inOrder, candidates, selectable);
    // The order changes the sums' rounding: were it ignored, the bits would differ.
    expect(bits(selectableMean(inKernel32, selectable))).not.toEqual(expectedMean);
    expect(bits(selectableMean(outside32, selectable, rowOf))).toEqual(expectedMean);
    expect(nearestToMean(outside32, candidates, selectable, rowOf)).toBe(expectedStart);
    for (const threads of [1, 2, 3]) {
      expect(await startThreads(threads)).toBeNull();
      expect(bits(selectableMean(inKernel32, selectable, rowOf))).toEqual(expectedMean);
      expect(nearestToMean(inKernel32, candidates, selectable, rowOf)).toBe(expectedStart);
    }
    // The answer is a row of the order, not of the matrix: here the matrix row found without the order, the masks moved with the rows.
    const byMatrixRow = (mask: Uint8Array) => { const out = new Uint8Array(rows); rowOf.forEach((from, r) => { out[from] = mask[r]!; }); return out; };
    expect(rowOf[expectedStart]).toBe(nearestToMean(inKernel32, byMatrixRow(candidates), byMatrixRow(selectable)));
    expect(expectedStart).not.toBe(rowOf[expectedStart]);
  }, 60_000);

  test("a row placed at the mean is the start; ties go to the lowest row; no candidate gives -1", () => {
    const n = 9, dim = 5;
    const data = allocFloat32(n * dim);
    const signs = [-1, 1, -1, 1, 0, -1, 0, 1, 5]; // the first eight sum to zero; row 8 is left out of the mean
    for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) data[r * dim + j] = signs[r]! * (j + 1);
    const points = { data, rows: n, cols: dim }, all = new Uint8Array(n).fill(1), selectable = Uint8Array.from(signs, (_, r) => (r < 8 ? 1 : 0));
    expect(Array.from(selectableMean(points, selectable))).toEqual([0, 0, 0, 0, 0]);
    expect(nearestToMean(points, all, selectable)).toBe(4);
    expect(nearestToMean(points, Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 0, 1]), selectable)).toBe(6);
    // Row 8 counted: the mean moves to (5/9)·(j+1), nearest the rows at +(j+1).
    expect(nearestToMean(points, all, all)).toBe(1);
    expect(nearestToMean(points, new Uint8Array(n), all)).toBe(-1);
  });
});

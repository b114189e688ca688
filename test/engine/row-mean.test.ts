/**
 * row-mean.ts: where a seedless k-center starts. Its column sums and distances run on the
 * worker threads; the promise is the same bits on any thread count and in any row order, and
 * the same bits from the TypeScript twin that serves rows outside kernel memory.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { allocFloat32, allocFloat64 } from "../../src/engine/kernels/kernels.ts";
import { setMainTakesChunks, setMinValuesPerPart, startThreads, stopThreads, threadStats } from "../../src/engine/kernels/threads.ts";
import { nearestToMean, roundingConstant, selectableMean, squaredDistancesTo, SUM_BLOCK_ROWS } from "../../src/engine/row-mean.ts";
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

  test("the mean is the selectable rows' mean, within the rounding step the largest magnitude sets, and the start the candidate nearest it", () => {
    const mean = selectableMean(inKernel32, selectable);
    let n = 0;
    const exact = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      if (!selectable[r]) continue;
      n++;
      for (let j = 0; j < cols; j++) exact[j]! += single[r * cols + j]!;
    }
    // Each value moves by at most half a step, 2^q = R / 1.5 / 2^52; so does their mean.
    const halfStep = (largest: number) => roundingConstant(rows, largest) / 1.5 / 2 ** 53;
    let largest = 0;
    for (const v of single) largest = Math.max(largest, Math.abs(v));
    expect(halfStep(largest)).toBeLessThan(1e-8);
    for (let j = 0; j < cols; j++) expect(Math.abs(mean[j]! - exact[j]! / n)).toBeLessThanOrEqual(halfStep(largest) + 1e-12);
    // Rows left out only coarsen the step (they set the largest magnitude), never enter the sums.
    const shifted = allocFloat32(rows * cols);
    shifted.set(single);
    for (let r = 0; r < rows; r++) if (!selectable[r]) shifted.fill(1e6, r * cols, (r + 1) * cols);
    const shiftedMean = selectableMean({ data: shifted, rows, cols }, selectable);
    for (let j = 0; j < cols; j++) expect(Math.abs(shiftedMean[j]! - exact[j]! / n)).toBeLessThanOrEqual(halfStep(1e6) + 1e-12);
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

  test("the same rows in any order give the same mean, bit for bit, and the same start (rowOf or copied), on 1, 2 and 3 threads", async () => {
    // A shuffle, so that every block of the sums takes rows from all over the matrix.
    const rowOf = Uint32Array.from({ length: rows }, (_, r) => r);
    const shuffle = new Rng(11);
    for (let r = rows - 1; r > 0; r--) { const s = shuffle.nextInt(r + 1); [rowOf[r], rowOf[s]] = [rowOf[s]!, rowOf[r]!]; }
    const copied = allocFloat32(rows * cols);
    rowOf.forEach((from, r) => copied.set(single.subarray(from * cols, (from + 1) * cols), r * cols));
    const inOrder: Matrix = { data: copied, rows, cols };
    // The masks moved with the rows: row r of the order is matrix row rowOf[r].
    const byMatrixRow = (mask: Uint8Array) => { const out = new Uint8Array(rows); rowOf.forEach((from, r) => { out[from] = mask[r]!; }); return out; };
    const expectedMean = bits(selectableMean(inOrder, selectable)), expectedStart = nearestToMean(inOrder, candidates, selectable);
    // The same rows in the matrix's own order, summed in that order: the same bits.
    expect(bits(selectableMean(inKernel32, byMatrixRow(selectable)))).toEqual(expectedMean);
    expect(bits(selectableMean(outside32, selectable, rowOf))).toEqual(expectedMean);
    expect(nearestToMean(outside32, candidates, selectable, rowOf)).toBe(expectedStart);
    for (const threads of [1, 2, 3]) {
      expect(await startThreads(threads)).toBeNull();
      expect(bits(selectableMean(inKernel32, selectable, rowOf))).toEqual(expectedMean);
      expect(nearestToMean(inKernel32, candidates, selectable, rowOf)).toBe(expectedStart);
    }
    // The answer is a row of the order, not of the matrix: here the matrix row found without the order, the masks moved with the rows.
    expect(rowOf[expectedStart]).toBe(nearestToMean(inKernel32, byMatrixRow(candidates), byMatrixRow(selectable)));
    expect(expectedStart).not.toBe(rowOf[expectedStart]);
  }, 60_000);

  test("values whose float sums depend on their order (magnitudes over eight decades) still give one mean in any order, on 1, 2 and 3 threads", async () => {
    const wideRng = new Rng(7);
    const wide = allocFloat32(rows * cols);
    for (let i = 0; i < wide.length; i++) wide[i] = wideRng.nextGaussian() * 10 ** (wideRng.nextFloat() * 8 - 4);
    const reversed = allocFloat32(rows * cols);
    for (let r = 0; r < rows; r++) reversed.set(wide.subarray(r * cols, (r + 1) * cols), (rows - 1 - r) * cols);
    const all = new Uint8Array(rows).fill(1);
    // Plain float64 sums in the two orders differ: the test would catch sums that follow the order.
    const plainSums = (data: Float32Array) => {
      const sums = new Float64Array(cols);
      for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) sums[j]! += data[r * cols + j]!;
      return bits(sums);
    };
    expect(plainSums(reversed)).not.toEqual(plainSums(wide));
    const expected = bits(selectableMean({ data: Float32Array.from(wide), rows, cols }, all));
    for (const threads of [1, 2, 3]) {
      expect(await startThreads(threads)).toBeNull();
      expect(bits(selectableMean({ data: wide, rows, cols }, all))).toEqual(expected);
      expect(bits(selectableMean({ data: reversed, rows, cols }, all))).toEqual(expected);
    }
  }, 60_000);

  test("roundingConstant: the least power of two at or above rows × largest sets the step; 0 where it cannot", () => {
    // 2^e ≥ 1000 × 3 → e = 12, R = 1.5 × 2^14; exactly a power of two keeps its own e.
    expect(roundingConstant(1000, 3)).toBe(1.5 * 2 ** 14);
    expect(roundingConstant(1024, 4)).toBe(1.5 * 2 ** 14);
    expect(roundingConstant(1024, 4 + 2 ** -40)).toBe(1.5 * 2 ** 15);
    expect(roundingConstant(10, 0)).toBe(0);
    expect(roundingConstant(10, 2 ** 1021)).toBe(0);
    // With R, x rounds to a multiple of 2^(e−50), and a sum of up to `rows` such values stays exact.
    const R = roundingConstant(1000, 3), step = 2 ** (12 - 50);
    const x = 2.0000000001234567;
    const rounded = (x + R) - R;
    expect(rounded / step).toBe(Math.round(x / step));
  });

  test("a row placed at the mean is the start; ties go to the lowest row; no candidate gives -1", () => {
    const n = 9, dim = 5;
    const data = allocFloat32(n * dim);
    const signs = [-1, 1, -1, 1, 0, -1, 0, 1, 5]; // the first eight sum to zero; row 8 is left out of the mean
    for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) data[r * dim + j] = signs[r]! * (j + 1);
    const points = { data, rows: n, cols: dim }, all = new Uint8Array(n).fill(1), selectable = Uint8Array.from(signs, (_, r) => (r < 8 ? 1 : 0));
    expect(Array.from(selectableMean(points, selectable))).toEqual([0, 0, 0, 0, 0]);
    expect(nearestToMean(points, all, selectable)).toBe(4);
    expect(nearestToMean(points, Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 0, 1]), selectable)).toBe(6);
    // The same rows stored backwards, read through rowOf: the tie still goes to the lowest row of
    // the order (4), not of the matrix (row 2 of the matrix is row 6 of the order).
    const backwards = allocFloat32(n * dim);
    for (let r = 0; r < n; r++) backwards.set(data.subarray(r * dim, (r + 1) * dim), (n - 1 - r) * dim);
    const rowOf = Uint32Array.from({ length: n }, (_, r) => n - 1 - r);
    expect(nearestToMean({ data: backwards, rows: n, cols: dim }, all, selectable, rowOf)).toBe(4);
    // Row 8 counted: the mean moves to (5/9)·(j+1), nearest the rows at +(j+1).
    expect(nearestToMean(points, all, all)).toBe(1);
    expect(nearestToMean(points, new Uint8Array(n), all)).toBe(-1);
  });
});

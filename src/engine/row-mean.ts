/**
 * Where a seedless k-center starts: the candidate nearest the mean of the selectable rows.
 *
 * Both passes read the whole matrix, so both run on the worker threads, and neither result
 * depends on the thread count: the mean's float64 column sums run over fixed blocks of rows,
 * each block's sums added in row order and the blocks' sums combined in block order; each
 * distance is one kernel call on one row. Rows outside kernel memory (and float64 rows, for
 * the sums) take a TypeScript twin of the kernels' arithmetic, which gives the same bits
 * (tested), so the start never depends on where the rows live either.
 */
import type { Matrix } from "../matrix.ts";
import { allocFloat32, allocFloat64, allocInt32, inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { matrixRows } from "./gather-rows.ts";
import { runMany } from "./kernels/threads.ts";

/** Rows per block of the column sums: a fixed size, never the thread count. */
export const SUM_BLOCK_ROWS = 256;
/** Blocks summed per kernel call (their sums are combined before the next call). */
const BLOCKS_PER_CALL = 256;

/**
 * The candidate nearest the mean of the `selectable` rows (ties: the lowest row); -1 when
 * there is none. With `rowOf`, row r is points' row rowOf[r] (the rows in another order, not
 * copied): the masks, the sums' order and the answer are by r.
 */
export function nearestToMean(points: Matrix, candidates: Uint8Array, selectable: Uint8Array, rowOf: Uint32Array | null = null): number {
  const mean = selectableMean(points, selectable, rowOf);
  let count = 0;
  for (let r = 0; r < points.rows; r++) if (candidates[r]) count++;
  const rows = new Uint32Array(count);
  for (let r = 0, i = 0; r < points.rows; r++) if (candidates[r]) rows[i++] = r;
  const distances = distancesInScratch(points, rowOf ? matrixRows(rowOf, rows) : rows, mean);
  let best = -1, bestDistance = Infinity;
  for (let i = 0; i < rows.length; i++) {
    if (distances[i]! < bestDistance) { bestDistance = distances[i]!; best = rows[i]!; }
  }
  return best;
}

/** The mean of the rows `selectable` marks, in float64 (NaN everywhere when it marks none); `rowOf` as nearestToMean's. */
export function selectableMean(points: Matrix, selectable: Uint8Array, rowOf: Uint32Array | null = null): Float64Array {
  const { rows, cols } = points;
  const mean = new Float64Array(cols);
  const blocks = Math.ceil(rows / SUM_BLOCK_ROWS);
  const inKernel = points.data instanceof Float32Array && inKernelMemory(points.data) ? sumMemory(rows, cols, selectable, rowOf) : null;
  const sums = inKernel?.sums ?? new Float64Array(Math.min(blocks, BLOCKS_PER_CALL) * cols);
  let n = 0;
  for (let first = 0; first < blocks; first += BLOCKS_PER_CALL) {
    const count = Math.min(BLOCKS_PER_CALL, blocks - first);
    let added: Float64Array;
    if (inKernel) {
      const { idx, out } = manyScratch(count);
      for (let b = 0; b < count; b++) idx[b] = b;
      inKernel.params[4] = first;
      runMany("column_sums_f32_many", inKernel.params.byteOffset, points.data.byteOffset, 4 * cols, idx.byteOffset, count, cols, out.byteOffset,
        Math.min(rows - first * SUM_BLOCK_ROWS, count * SUM_BLOCK_ROWS) * cols);
      added = out;
    } else {
      added = columnSumsTwin(points, selectable, rowOf, first, count, sums);
    }
    for (let b = 0; b < count; b++) {
      n += added[b]!;
      for (let j = 0; j < cols; j++) mean[j]! += sums[b * cols + j]!;
    }
  }
  for (let j = 0; j < cols; j++) mean[j]! /= n;
  return mean;
}

/**
 * Squared distances from rows `rows` to `vector` (float64), with the lanes of the
 * sqdist_f32_f64 / sqdist_f64 kernels.
 */
export function squaredDistancesTo(points: Matrix, rows: Uint32Array, vector: Float64Array): Float64Array {
  return distancesInScratch(points, rows, vector).slice();
}

/** squaredDistancesTo's values, in the kernels' scratch (valid until the next scan) when the rows are in kernel memory. */
function distancesInScratch(points: Matrix, rows: Uint32Array, vector: Float64Array): Float64Array {
  const { cols, data } = points;
  const target = inKernelMemory(data) ? vectorMemory(cols) : null;
  if (!target) return Float64Array.from(rows, (r) => squaredDistanceInLanes(data, r * cols, vector, cols));
  target.set(vector);
  const { idx, out } = manyScratch(rows.length);
  idx.set(rows);
  runMany(data instanceof Float32Array ? "sqdist_f32_f64_many" : "sqdist_f64_many", target.byteOffset, data.byteOffset,
    data.BYTES_PER_ELEMENT * cols, idx.byteOffset, rows.length, cols, out.byteOffset);
  return out.subarray(0, rows.length);
}

/** The kernels' lanes: j mod 4 in four sums, then (s₀ + s₂) + (s₁ + s₃), then the tail in order. */
function squaredDistanceInLanes(x: Float32Array | Float64Array, at: number, y: Float64Array, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 4 <= n; j += 4) {
    const d0 = x[at + j]! - y[j]!, d1 = x[at + j + 1]! - y[j + 1]!, d2 = x[at + j + 2]! - y[j + 2]!, d3 = x[at + j + 3]! - y[j + 3]!;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  let sum = (s0 + s2) + (s1 + s3);
  for (; j < n; j++) { const t = x[at + j]! - y[j]!; sum += t * t; }
  return sum;
}

/** column_sums_f32_many's arithmetic: blocks first .. first+count−1 into sums; returns each block's row count. */
function columnSumsTwin(points: Matrix, selectable: Uint8Array, rowOf: Uint32Array | null, first: number, count: number,
  sums: Float64Array): Float64Array {
  const { rows, cols, data } = points;
  const added = new Float64Array(count);
  sums.fill(0, 0, count * cols);
  for (let b = 0; b < count; b++) {
    const start = (first + b) * SUM_BLOCK_ROWS, end = Math.min(start + SUM_BLOCK_ROWS, rows);
    for (let r = start; r < end; r++) {
      if (!selectable[r]) continue;
      added[b]!++;
      const at = (rowOf ? rowOf[r]! : r) * cols;
      for (let j = 0; j < cols; j++) sums[b * cols + j]! += data[at + j]!;
    }
  }
  return added;
}

/** Kernel-memory buffers, kept between calls and grown as needed (kernel memory is never freed). */
const memory: {
  mask: Uint8Array<ArrayBufferLike>; rowOf: Int32Array<ArrayBufferLike>; sums: Float64Array<ArrayBufferLike>;
  vector: Float64Array<ArrayBufferLike>; params: Int32Array<ArrayBufferLike>;
} = { mask: new Uint8Array(0), rowOf: new Int32Array(0), sums: new Float64Array(0), vector: new Float64Array(0), params: new Int32Array(0) };

/** column_sums_f32_many's mask (a copy of selectable), row order, sums and constants in kernel memory; null when it has no room. */
function sumMemory(rows: number, cols: number, selectable: Uint8Array, rowOf: Uint32Array | null): { sums: Float64Array; params: Int32Array } | null {
  try {
    if (memory.mask.length < rows) {
      const words = allocFloat32(Math.ceil(rows / 4));
      memory.mask = new Uint8Array(words.buffer, words.byteOffset, rows);
    }
    if (rowOf && memory.rowOf.length < rows) memory.rowOf = allocInt32(rows);
    if (memory.sums.length < BLOCKS_PER_CALL * cols) memory.sums = allocFloat64(BLOCKS_PER_CALL * cols);
    if (memory.params.length === 0) memory.params = allocInt32(6);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  memory.mask.set(selectable.subarray(0, rows));
  if (rowOf) memory.rowOf.set(rowOf.subarray(0, rows));
  memory.params.set([memory.mask.byteOffset, memory.sums.byteOffset, rows, SUM_BLOCK_ROWS, 0, rowOf ? memory.rowOf.byteOffset : 0]);
  return { sums: memory.sums, params: memory.params };
}

/** A float64 vector of `cols` in kernel memory for the distance kernels; null when it has no room. */
function vectorMemory(cols: number): Float64Array | null {
  try {
    if (memory.vector.length < cols) memory.vector = allocFloat64(cols);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return memory.vector.subarray(0, cols);
}

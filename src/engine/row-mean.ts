/**
 * Where a seedless k-center starts: the candidate nearest the mean of the selectable rows.
 *
 * Both passes read the whole matrix in its own row order (memory order), on the worker threads,
 * and neither result depends on that order or on the thread count. The mean's sums are exact:
 * each value is first rounded to a multiple of a power of two, small enough to keep about 50
 * bits of the largest magnitude and large enough that no sum of the rows' values can need more
 * than float64's 53 (roundingConstant), so the sums have the same bits whatever order adds them.
 * Each distance is one kernel call on one row. Rows outside kernel memory (and float64 rows, for
 * the sums) take a TypeScript twin of the kernels' arithmetic, which gives the same bits
 * (tested), so the start never depends on where the rows live either.
 *
 * The sums once went in id order, for the same bits in any file order: on rows not in id order
 * (ids that are UUIDs) that read one row at a time from all over memory. On 1M×128 rows read in
 * a scattered order (every 7,919th row) the sums took 240 ms, in memory order 23-27 ms.
 */
import type { Matrix } from "../matrix.ts";
import { allocFloat32, allocFloat64, inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { largestMagnitude } from "./largest-magnitude.ts";
import { runMany } from "./kernels/threads.ts";

/** Rows per block of the column sums: a fixed size, never the thread count. */
export const SUM_BLOCK_ROWS = 256;
/** Blocks summed per kernel call (their sums are combined before the next call). */
const BLOCKS_PER_CALL = 256;

/**
 * The candidate nearest the mean of the `selectable` rows (ties: the lowest row); -1 when
 * there is none. With `rowOf`, row r is points' row rowOf[r] (the rows in another order, not
 * copied): the masks and the answer (ties too) are by r.
 */
export function nearestToMean(points: Matrix, candidates: Uint8Array, selectable: Uint8Array, rowOf: Uint32Array | null = null): number {
  const mean = selectableMean(points, selectable, rowOf);
  // Measured in points' own row order, a pass in memory order (through rowOf, each row was a
  // cache miss and two threads ran it no faster than one); each distance is one kernel call on
  // one row, so the order changes no value.
  const n = points.rows, candidateRows = rowOf ? byMatrixRow(candidates, rowOf) : candidates;
  let count = 0;
  for (let m = 0; m < n; m++) count += candidateRows[m]!;
  if (count === 0) return -1;
  const list = new Uint32Array(count);
  for (let m = 0, i = 0; m < n; m++) if (candidateRows[m]) list[i++] = m;
  const distances = distancesInScratch(points, list, mean);
  let least = Infinity;
  for (let i = 0; i < count; i++) if (distances[i]! < least) least = distances[i]!;
  // The lowest row at the least distance: the first such row in r's order (ties are rare).
  const atLeast = new Uint8Array(n);
  for (let i = 0; i < count; i++) if (distances[i] === least) atLeast[list[i]!] = 1;
  for (let r = 0; r < n; r++) if (atLeast[rowOf ? rowOf[r]! : r]) return r;
  return -1;
}

/** mask[r] at row rowOf[r]. */
function byMatrixRow(mask: Uint8Array, rowOf: Uint32Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let r = 0; r < rowOf.length; r++) out[rowOf[r]!] = mask[r]!;
  return out;
}

/** The mean of the rows `selectable` marks, in float64 (NaN everywhere when it marks none); `rowOf` as nearestToMean's. */
export function selectableMean(points: Matrix, selectable: Uint8Array, rowOf: Uint32Array | null = null): Float64Array {
  const { rows, cols } = points;
  // Which of points' rows to add, by points' row: the sums run in memory order.
  const added = rowOf ? byMatrixRow(selectable, rowOf) : selectable;
  const round = roundingConstant(rows, largestMagnitude(points.data));
  const mean = new Float64Array(cols);
  const blocks = Math.ceil(rows / SUM_BLOCK_ROWS);
  const inKernel = points.data instanceof Float32Array && inKernelMemory(points.data) ? sumMemory(rows, cols, added, round) : null;
  const sums = inKernel?.sums ?? new Float64Array(Math.min(blocks, BLOCKS_PER_CALL) * cols);
  let n = 0;
  for (let first = 0; first < blocks; first += BLOCKS_PER_CALL) {
    const count = Math.min(BLOCKS_PER_CALL, blocks - first);
    let counts: Float64Array;
    if (inKernel) {
      const { idx, out } = manyScratch(count);
      for (let b = 0; b < count; b++) idx[b] = b;
      inKernel.params[4] = first;
      runMany("column_sums_f32_many", inKernel.params.byteOffset, points.data.byteOffset, 4 * cols, idx.byteOffset, count, cols, out.byteOffset,
        Math.min(rows - first * SUM_BLOCK_ROWS, count * SUM_BLOCK_ROWS) * cols);
      counts = out;
    } else {
      counts = columnSumsTwin(points, added, round, first, count, sums);
    }
    for (let b = 0; b < count; b++) {
      n += counts[b]!;
      for (let j = 0; j < cols; j++) mean[j]! += sums[b * cols + j]!;
    }
  }
  for (let j = 0; j < cols; j++) mean[j]! /= n;
  return mean;
}

/**
 * The constant R whose (x + R) − R rounds x to a multiple of 2^q: with 2^e the least power of two
 * at or above rows × largest, q = e − 50. Every rounded value and every sum of them is then a
 * multiple of 2^q below 2^(q+51) in magnitude, which float64 holds exactly. 0 (no rounding) when
 * the values are all 0 or the bound leaves float64's range.
 */
export function roundingConstant(rows: number, largest: number): number {
  const bound = rows * largest;
  if (!(bound > 0) || !Number.isFinite(bound)) return 0;
  // Math.log2 may be off by one ulp in some runtime; powers of two compare exactly.
  let e = Math.ceil(Math.log2(bound));
  while (2 ** e < bound) e++;
  while (2 ** (e - 1) >= bound) e--;
  const round = 1.5 * 2 ** (e + 2);
  return Number.isFinite(round) && round > 0 ? round : 0;
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
function columnSumsTwin(points: Matrix, added: Uint8Array, round: number, first: number, count: number, sums: Float64Array): Float64Array {
  const { rows, cols, data } = points;
  const counts = new Float64Array(count);
  sums.fill(0, 0, count * cols);
  for (let b = 0; b < count; b++) {
    const start = (first + b) * SUM_BLOCK_ROWS, end = Math.min(start + SUM_BLOCK_ROWS, rows);
    for (let r = start; r < end; r++) {
      if (!added[r]) continue;
      counts[b]!++;
      for (let j = 0; j < cols; j++) sums[b * cols + j]! += (data[r * cols + j]! + round) - round;
    }
  }
  return counts;
}

/** Kernel-memory buffers, kept between calls and grown as needed (kernel memory is never freed). */
const memory: {
  mask: Uint8Array<ArrayBufferLike>; sums: Float64Array<ArrayBufferLike>; vector: Float64Array<ArrayBufferLike>; params: Float64Array<ArrayBufferLike>;
} = { mask: new Uint8Array(0), sums: new Float64Array(0), vector: new Float64Array(0), params: new Float64Array(0) };

/**
 * column_sums_f32_many's mask (a copy of `added`), sums and constants in kernel memory (the
 * constants as int32 fields, the rounding constant a float64 at byte 24); null when it has no room.
 */
function sumMemory(rows: number, cols: number, added: Uint8Array, round: number): { sums: Float64Array; params: Int32Array } | null {
  try {
    if (memory.mask.length < rows) {
      const words = allocFloat32(Math.ceil(rows / 4));
      memory.mask = new Uint8Array(words.buffer, words.byteOffset, rows);
    }
    if (memory.sums.length < BLOCKS_PER_CALL * cols) memory.sums = allocFloat64(BLOCKS_PER_CALL * cols);
    if (memory.params.length === 0) memory.params = allocFloat64(4);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  memory.mask.set(added.subarray(0, rows));
  const params = new Int32Array(memory.params.buffer, memory.params.byteOffset, 6);
  params.set([memory.mask.byteOffset, memory.sums.byteOffset, rows, SUM_BLOCK_ROWS, 0, 0]);
  memory.params[3] = round;
  return { sums: memory.sums, params };
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

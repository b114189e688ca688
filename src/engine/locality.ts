/**
 * Memory locality for the greedy loops. k-center and k-means++ measure, for each new center,
 * the members of a few nearby groups; with rows in file order those members are scattered over
 * the whole matrix and every measurement is a cache miss. Ordering rows by their nearest of a
 * few hundred pivots puts each neighbourhood in one stretch of memory.
 *
 * The pool's own matrix is never rearranged (the report and later steps read it in file order):
 * the engines work on a private copy in this order (inLocalityOrder).
 *
 * The order changes where rows sit, never what is selected: distances do not depend on a row's
 * place, pruning is exact, and ties are broken by the original row index. So the order may
 * come from a fast approximate GEMM, and may differ between BLAS backends.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import { dotsWithRows, rowSquaredNorms } from "./euclidean.ts";
import { gatherRows, matrixRows } from "./gather-rows.ts";
import { allocFloat32, allocFloat64, allocInt32, inKernelMemory, kernels, manyScratch, memory } from "./kernels/kernels.ts";
import { PIVOT_PRODUCT_CONSTANTS, PIVOT_PRODUCT_SLOTS, pivotProductsKernel } from "./kernels/thread-products.ts";
import { productsOnEveryThread, runJsKernel, runMany, threadCount } from "./kernels/threads.ts";

const BLOCK = 4096;
/** Values past a block's rows in each row of its dot products: 64 bytes, so the rows are not 2^k bytes apart. */
const PAD = 16;

/**
 * order[r] = the original row to place at position r: rows grouped by `classes` first when
 * given (BADGE: rows of one predicted class share a gradient subspace), then by nearest pivot.
 * With `rowOf`, original row i is points' row rowOf[i] (rows taken in another order, not
 * copied): classes, the pivots' sample and the ties go by i, so the order is the one the rows
 * copied into that order would get.
 */
export function localityOrder(points: Matrix, blas: Blas, classes: { of: Int32Array; count: number } | null = null,
  pivotCount = 256, rowOf: Uint32Array | null = null): Uint32Array {
  return localityCells(points, blas, classes, pivotCount, rowOf).order;
}

/**
 * The locality order and its neighbourhoods: positions starts[b] .. starts[b+1]-1 hold the
 * rows nearest pivot pivots[b] (a position; with classes, of one class), one run per bucket
 * that holds rows. The greedy loops use them as cells at large k (center-cells.ts).
 */
export interface LocalityCells {
  order: Uint32Array;
  starts: Uint32Array;
  pivots: Uint32Array;
}

/** `rowOf` as localityOrder's. */
export function localityCells(points: Matrix, blas: Blas, classes: { of: Int32Array; count: number } | null = null,
  pivotCount = 256, rowOf: Uint32Array | null = null): LocalityCells {
  const n = points.rows, dim = points.cols;
  const p = Math.min(pivotCount, n);
  const single = points.data instanceof Float32Array;
  const rowAt = (i: number) => (rowOf ? rowOf[i]! : i);
  const pivotRows = spreadPivots(points, blas, p, rowAt);
  const pivots = single ? new Float32Array(p * dim) : new Float64Array(p * dim);
  for (let k = 0; k < p; k++) {
    const row = rowAt(pivotRows[k]!);
    pivots.set(points.data.subarray(row * dim, (row + 1) * dim), k * dim);
  }
  // By points' own rows: one pass in memory order, whatever rowOf says.
  const nearest = nearestPivots(points, blas, pivots, p);
  // Counting sort by (class, pivot), stable in row order.
  const buckets = (classes?.count ?? 1) * p;
  const bucketOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) bucketOf[i] = (classes ? classes.of[i]! * p : 0) + nearest[rowOf ? rowOf[i]! : i]!;
  const starts = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i++) starts[bucketOf[i]! + 1]!++;
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[starts[bucketOf[i]!]!++] = i;
  // starts[b] is now bucket b's end; its pivot is the row it was built around, wherever it sits.
  const positionOf = positionsOf(order, pivotRows);
  const runStarts: number[] = [0], runPivots: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const begin = runStarts[runStarts.length - 1]!;
    if (starts[b]! === begin) continue;
    runStarts.push(starts[b]!);
    runPivots.push(positionOf.get(pivotRows[b % p]!)!);
  }
  return { order, starts: Uint32Array.from(runStarts), pivots: Uint32Array.from(runPivots) };
}

/**
 * nearest[r] = the pivot nearest row r (the first on ties): argmin ‖x − p‖² = argmin ‖p‖² − 2x·p,
 * the dot products by one GEMM per block of rows. The GEMM puts pivots down and rows across
 * (P·Xᵀ): OpenBLAS splits that shape well on two threads (4096-row blocks of 1M×128 rows, 256
 * pivots: 294-304 ms against 389-447 ms for X·Pᵀ, 536-561 ms on one thread), and its rows are
 * padded so that a column's values do not all fall in one cache set. For float32 rows the argmin
 * is a kernel split by rows across the worker threads; the same float64 arithmetic either way.
 */
function nearestPivots(points: Matrix, blas: Blas, pivots: Float32Array | Float64Array, p: number): Uint32Array {
  const n = points.rows, dim = points.cols;
  const pivotNorms = rowSquaredNorms({ data: pivots, rows: p, cols: dim });
  const onEveryThread = nearestPivotsOnEveryThread(points, blas, pivots, pivotNorms, p);
  if (onEveryThread) return onEveryThread;
  const nearest = new Uint32Array(n);
  const blockRows = Math.min(BLOCK, n), stride = blockRows + PAD;
  const scratch = points.data instanceof Float32Array ? argminScratch(blockRows, p) : null;
  const block = scratch?.block ?? (points.data instanceof Float32Array ? new Float32Array(p * stride) : new Float64Array(p * stride));
  if (scratch) {
    scratch.norms.set(pivotNorms);
    for (let r = 0; r < blockRows; r++) scratch.idx[r] = r;
  }
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const rows = Math.min(BLOCK, n - r0);
    const view = points.data.subarray(r0 * dim, (r0 + rows) * dim);
    dotsWithRows(blas, pivots, p, view, rows, dim, block, stride);
    if (scratch) {
      runMany("nearest_pivot_f32_many", scratch.norms.byteOffset, block.byteOffset, 4 * stride, scratch.idx.byteOffset, rows, p, scratch.out.byteOffset);
      for (let r = 0; r < rows; r++) nearest[r0 + r] = scratch.out[r]!;
      continue;
    }
    for (let r = 0; r < rows; r++) {
      let best = 0, bestValue = Infinity;
      for (let k = 0; k < p; k++) {
        const value = pivotNorms[k]! - 2 * block[k * stride + r]!;
        if (value < bestValue) { bestValue = value; best = k; }
      }
      nearest[r0 + r] = best;
    }
  }
  return nearest;
}

/**
 * nearestPivots with every thread running its own products (thread-products.ts): for float32
 * rows in kernel memory when the workers opened OpenBLAS and there is more than one
 * thread; null otherwise (nearestPivots then runs the products on OpenBLAS's pool). Each block
 * of rows is the same P·Xᵀ product and argmin either way, so the same pivots.
 */
function nearestPivotsOnEveryThread(points: Matrix, blas: Blas, pivots: Float32Array | Float64Array, pivotNorms: Float64Array,
  p: number): Uint32Array | null {
  const { data, rows: n, cols: dim } = points;
  const product = data instanceof Float32Array && inKernelMemory(data) ? productsOnEveryThread(blas) : null;
  const buffers = product && productBuffers(threadCount(), p, dim);
  if (!buffers) return null;
  const { constants, pivotCopy, norms } = buffers;
  pivotCopy.set(pivots);
  norms.set(pivotNorms);
  const { idx: counting, out: nearest } = manyScratch(n);
  for (let r = 0; r < n; r++) counting[r] = r;
  constants[PIVOT_PRODUCT_SLOTS.counting] = counting.byteOffset;
  constants[PIVOT_PRODUCT_SLOTS.rows] = n;
  constants[PIVOT_PRODUCT_SLOTS.nearest] = nearest.byteOffset;
  const main = pivotProductsKernel(kernels, product!, memory, 0, PIVOT_PRODUCT_SLOTS);
  // Blocks by number (counting doubles as their list): each the 4096-row block the pool's path multiplies.
  const blocks = Math.ceil(n / BLOCK);
  runJsKernel("nearest_pivot_products", main, constants.byteOffset, data.byteOffset, 4 * dim, counting.byteOffset, blocks, p, 0, n * p * dim, blocks);
  return Uint32Array.from(nearest.subarray(0, n));
}

interface ProductBuffers {
  constants: Int32Array;
  pivotCopy: Float32Array;
  norms: Float64Array;
}

/** nearestPivotsOnEveryThread's buffers in kernel memory, kept while large enough (kernel memory is never freed); null when full. */
let productBuffersKept: ProductBuffers & { threads: number; p: number } | null = null;

function productBuffers(threads: number, p: number, dim: number): ProductBuffers | null {
  const stride = BLOCK + PAD, scratchBytes = 4 * p * stride;
  const kept = productBuffersKept;
  if (!kept || kept.threads < threads || kept.p < p || kept.pivotCopy.length < p * dim) {
    try {
      const scratch = allocFloat32(threads * p * stride, "scratch");
      const constants = allocInt32(PIVOT_PRODUCT_CONSTANTS, "scratch");
      constants[PIVOT_PRODUCT_SLOTS.scratch] = scratch.byteOffset;
      productBuffersKept = { threads, p, constants, pivotCopy: allocFloat32(p * dim, "scratch"), norms: allocFloat64(p, "scratch") };
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
  }
  const { constants, pivotCopy, norms } = productBuffersKept!;
  constants[PIVOT_PRODUCT_SLOTS.pivots] = pivotCopy.byteOffset;
  constants[PIVOT_PRODUCT_SLOTS.norms] = norms.byteOffset;
  constants[PIVOT_PRODUCT_SLOTS.dim] = dim;
  constants[PIVOT_PRODUCT_SLOTS.scratchBytes] = scratchBytes;
  constants[PIVOT_PRODUCT_SLOTS.stride] = stride;
  constants[PIVOT_PRODUCT_SLOTS.blockRows] = BLOCK;
  return { constants, pivotCopy: pivotCopy.subarray(0, p * dim), norms: norms.subarray(0, p) };
}

/** Kernel-memory buffers for nearestPivots' kernel, kept between calls (kernel memory is never freed); null when full. */
let argminBuffers: { block: Float32Array; norms: Float64Array } | null = null;

function argminScratch(rows: number, p: number): { block: Float32Array; norms: Float64Array; idx: Uint32Array; out: Float64Array } | null {
  const values = Math.max(p, 256) * (BLOCK + PAD);
  try {
    if (!argminBuffers || argminBuffers.block.length < values || argminBuffers.norms.length < p) {
      argminBuffers = { block: allocFloat32(values), norms: allocFloat64(Math.max(p, 256)) };
    }
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return { ...argminBuffers, ...manyScratch(rows) };
}

/**
 * p pivots picked farthest-first (Gonzalez) among evenly spaced sample rows: every cluster
 * of the data (that the sample holds) gets one before any gets a second, so a neighbourhood
 * rarely spans two clusters. Evenly spaced rows as pivots leave some clusters without one,
 * and their rows then sit in several other clusters' neighbourhoods, where the cells'
 * bounds (center-cells.ts) cannot rule them out.
 */
function spreadPivots(points: Matrix, blas: Blas, p: number, rowAt: (row: number) => number): Uint32Array {
  const n = points.rows, dim = points.cols;
  const size = Math.min(n, 16 * p);
  const sampleRows = Uint32Array.from({ length: size }, (_, s) => Math.floor((s * n) / size));
  const single = points.data instanceof Float32Array;
  const sample = single ? new Float32Array(size * dim) : new Float64Array(size * dim);
  sampleRows.forEach((row, s) => sample.set(points.data.subarray(rowAt(row) * dim, (rowAt(row) + 1) * dim), s * dim));
  const norms = rowSquaredNorms({ data: sample, rows: size, cols: dim });
  const dots = single ? new Float32Array(size) : new Float64Array(size);
  // Squared distances by ‖s‖² + ‖p‖² - 2s·p (one GEMV per pivot): approximate, which only
  // moves pivots, never a selection.
  const nearest = new Float64Array(size).fill(Infinity);
  const rows = new Uint32Array(p);
  let next = 0;
  for (let k = 0; k < p; k++) {
    rows[k] = sampleRows[next]!;
    const pivot = sample.subarray(next * dim, (next + 1) * dim);
    if (single) blas.sgemv(false, size, dim, 1, sample as Float32Array, dim, pivot as Float32Array, 0, dots as Float32Array);
    else blas.dgemv(false, size, dim, 1, sample as Float64Array, dim, pivot as Float64Array, 0, dots as Float64Array);
    const pivotNorm = norms[next]!;
    let far = -1;
    for (let s = 0; s < size; s++) {
      const d = norms[s]! + pivotNorm - 2 * dots[s]!;
      if (d < nearest[s]!) nearest[s] = d;
      if (nearest[s]! > far) { far = nearest[s]!; next = s; }
    }
  }
  return rows;
}

/** Largest copy made for a locality order: past it, memory matters more than the order's speed. */
const MAX_COPY_BYTES = 2 ** 30;

/** Whether inLocalityOrder would copy m's rows (not owned) rather than refuse for size. */
export function fitsLocalityCopy(m: Matrix): boolean {
  return m.data.byteLength <= MAX_COPY_BYTES;
}

/**
 * m's rows in `order` (new row r is old row order[r]) as a matrix the caller may own: m itself
 * rearranged when `owned` (a private copy such as cosine's normalised rows), else a copy in
 * kernel memory. Null when the copy would pass 1 GiB or kernel memory has no room for it: run
 * in file order then. With `rowOf` (localityOrder's), old row i is m's row rowOf[i].
 */
export function inLocalityOrder(m: Matrix, order: Uint32Array, owned: boolean, rowOf: Uint32Array | null = null): Matrix | null {
  if (rowOf) order = matrixRows(rowOf, order);
  if (owned) {
    permuteRows(m, order);
    return m;
  }
  if (!fitsLocalityCopy(m)) return null;
  const { cols } = m;
  let data: Float32Array | Float64Array;
  try {
    data = m.data instanceof Float64Array ? allocFloat64(m.data.length) : allocFloat32(m.data.length);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  gatherRows(m, order, data);
  return { data, rows: m.rows, cols };
}

/**
 * Rearranges m's rows in place so that new row r is old row order[r]: one cycle of the
 * permutation at a time, each row copied once. In kernel memory by permute_rows (a memory.copy
 * a row: the projection's blocks and whole-row codes, cosine's rows), else in TypeScript.
 */
function permuteRows(m: Matrix, order: Uint32Array): void {
  const { data, cols } = m;
  const width = cols * data.BYTES_PER_ELEMENT;
  const saved = inKernelMemory(data) ? savedRow(width) : null;
  if (saved) {
    const { idx, out } = manyScratch(m.rows);
    idx.set(order);
    kernels.permute_rows(data.byteOffset, width, idx.byteOffset, m.rows, out.byteOffset, saved.byteOffset);
    return;
  }
  const done = new Uint8Array(m.rows);
  const held = data.slice(0, cols);
  for (let start = 0; start < m.rows; start++) {
    if (done[start] || order[start] === start) { done[start] = 1; continue; }
    held.set(data.subarray(start * cols, (start + 1) * cols));
    let r = start;
    while (true) {
      done[r] = 1;
      const from = order[r]!;
      if (from === start) { data.set(held, r * cols); break; }
      data.copyWithin(r * cols, from * cols, (from + 1) * cols);
      r = from;
    }
  }
}

/** permute_rows' saved row in kernel memory (kept between calls: kernel memory is never freed); null when it is full. */
let savedRowBuffer: Float64Array<ArrayBufferLike> = new Float64Array(0);

function savedRow(bytes: number): Float64Array | null {
  try {
    if (savedRowBuffer.length * 8 < bytes) savedRowBuffer = allocFloat64(Math.ceil(bytes / 8));
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  return savedRowBuffer;
}

/** The position in `order` of each of `rows` (a few): one pass over order, not a whole inverse. */
function positionsOf(order: Uint32Array, rows: Uint32Array): Map<number, number> {
  const wanted = new Uint8Array(order.length);
  for (const row of rows) wanted[row] = 1;
  const positions = new Map<number, number>();
  for (let r = 0; r < order.length; r++) if (wanted[order[r]!]) positions.set(order[r]!, r);
  return positions;
}

/** inverse[order[r]] = r. */
export function inverse(order: Uint32Array): Uint32Array {
  const out = new Uint32Array(order.length);
  for (let r = 0; r < order.length; r++) out[order[r]!] = r;
  return out;
}

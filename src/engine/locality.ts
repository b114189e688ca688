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
import { allocFloat32, allocFloat64 } from "./kernels/kernels.ts";

const BLOCK = 4096;

/**
 * order[r] = the original row to place at position r: rows grouped by `classes` first when
 * given (BADGE: rows of one predicted class share a gradient subspace), then by nearest pivot.
 */
export function localityOrder(points: Matrix, blas: Blas, classes: { of: Int32Array; count: number } | null = null,
  pivotCount = 256): Uint32Array {
  const n = points.rows, dim = points.cols;
  const p = Math.min(pivotCount, n);
  const single = points.data instanceof Float32Array;
  // Evenly spaced rows as pivots: deterministic, and spread like the data.
  const pivots = single ? new Float32Array(p * dim) : new Float64Array(p * dim);
  for (let k = 0; k < p; k++) {
    const row = Math.floor((k * n) / p);
    pivots.set(points.data.subarray(row * dim, (row + 1) * dim), k * dim);
  }
  const pivotNorms = rowSquaredNorms({ data: pivots, rows: p, cols: dim });
  const nearest = new Uint32Array(n);
  const block = single ? new Float32Array(BLOCK * p) : new Float64Array(BLOCK * p);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const rows = Math.min(BLOCK, n - r0);
    const view = points.data.subarray(r0 * dim, (r0 + rows) * dim);
    dotsWithRows(blas, view, rows, pivots, p, dim, block);
    for (let r = 0; r < rows; r++) {
      // argmin ‖x - p‖² = argmin ‖p‖² - 2x·p
      let best = 0, bestValue = Infinity;
      for (let k = 0; k < p; k++) {
        const value = pivotNorms[k]! - 2 * block[r * p + k]!;
        if (value < bestValue) { bestValue = value; best = k; }
      }
      nearest[r0 + r] = best;
    }
  }
  // Counting sort by (class, pivot), stable in row order.
  const buckets = (classes?.count ?? 1) * p;
  const bucketOf = (i: number) => (classes ? classes.of[i]! * p : 0) + nearest[i]!;
  const starts = new Uint32Array(buckets + 1);
  for (let i = 0; i < n; i++) starts[bucketOf(i) + 1]!++;
  for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[starts[bucketOf(i)]!++] = i;
  return order;
}

/** Largest copy made for a locality order: past it, memory matters more than the order's speed. */
const MAX_COPY_BYTES = 2 ** 30;

/**
 * m's rows in `order` (new row r is old row order[r]) as a matrix the caller may own: m itself
 * rearranged when `owned` (a private copy such as cosine's normalised rows), else a copy in
 * kernel memory. Null when the copy would pass 1 GiB or kernel memory has no room for it: run
 * in file order then.
 */
export function inLocalityOrder(m: Matrix, order: Uint32Array, owned: boolean): Matrix | null {
  if (owned) {
    permuteRows(m, order);
    return m;
  }
  if (m.data.byteLength > MAX_COPY_BYTES) return null;
  const { cols } = m;
  let data: Float32Array | Float64Array;
  try {
    data = m.data instanceof Float64Array ? allocFloat64(m.data.length) : allocFloat32(m.data.length);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(order[r]! * cols, (order[r]! + 1) * cols), r * cols);
  return { data, rows: m.rows, cols };
}

/** Rearranges m's rows in place so that new row r is old row order[r]. */
function permuteRows(m: Matrix, order: Uint32Array): void {
  const { data, cols } = m;
  const done = new Uint8Array(m.rows);
  const saved = data.slice(0, cols);
  for (let start = 0; start < m.rows; start++) {
    if (done[start] || order[start] === start) { done[start] = 1; continue; }
    saved.set(data.subarray(start * cols, (start + 1) * cols));
    let r = start;
    while (true) {
      done[r] = 1;
      const from = order[r]!;
      if (from === start) { data.set(saved, r * cols); break; }
      data.copyWithin(r * cols, from * cols, (from + 1) * cols);
      r = from;
    }
  }
}

/** inverse[order[r]] = r. */
export function inverse(order: Uint32Array): Uint32Array {
  const out = new Uint32Array(order.length);
  for (let r = 0; r < order.length; r++) out[order[r]!] = r;
  return out;
}

/**
 * Typicality within a set of rows (Hacohen et al., "Active Learning on a Budget", ICML 2022):
 *
 *   typicality(x) = 1 / (mean euclidean distance from x to its K nearest neighbours in the set)
 *
 * measured only among the set's members (a k-means cluster), so the work is Σ m² over the
 * clusters and nothing N×N is ever held: one block of BLOCK_ROWS × m approximate distances at
 * a time.
 *
 * Same result on every BLAS backend: the K nearest distances are always exact kernel
 * distances. With OpenBLAS a GEMM block screens (‖x‖² + ‖y‖² − 2x·y): if T is the K-th
 * smallest screened value and e bounds the screen's rounding, every true K-nearest member has a
 * screened value ≤ T + 2e, and only those are measured exactly. The TypeScript backend's GEMM
 * is slower than the exact kernel, so there every pair is measured exactly.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { kMeansCells } from "./ball-graph.ts";
import { dotsWithRows, manySquaredDistances, rowSquaredDistance } from "./euclidean.ts";

const BLOCK_ROWS = 256;
/** Sets smaller than this are measured pair by pair even with OpenBLAS (GEMM set-up costs more). */
const GEMM_MIN_MEMBERS = 128;

/**
 * Per member (same order as `members`, rows of `points`): 1 / mean distance to its
 * min(K, m − 1) nearest other members. A lone member gets 0 (no neighbours to be typical among).
 */
export function typicality(points: Matrix, members: Uint32Array, K: number, blas: Blas): Float64Array {
  const m = members.length;
  const out = new Float64Array(m);
  const k = Math.min(K, m - 1);
  if (k <= 0) return out;
  const nearest = blas.name !== "typescript" && m >= GEMM_MIN_MEMBERS
    ? screenedNearest(points, members, k, blas)
    : exactNearest(points, members, k);
  for (let i = 0; i < m; i++) {
    // Summed in ascending order: the same bits whichever path found them.
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.sqrt(nearest[i * k + j]!);
    out[i] = sum > 0 ? k / sum : Infinity;
  }
  return out;
}

/**
 * Typicality of every row over the whole pool, for hybrid's typicality objective: neighbours
 * are sought within ⌈√N⌉ k-means cells (a row near a cell's border misses neighbours across
 * it, so this is an approximation of the pool-wide K-nearest-neighbour typicality; it keeps
 * the work at about N^1.5 distances instead of N²).
 */
export function poolTypicality(points: Matrix, K: number, blas: Blas, rng: Rng): Float64Array {
  const cells = kMeansCells(points, Math.ceil(Math.sqrt(points.rows)), blas, rng);
  const out = new Float64Array(points.rows);
  for (const members of cells.members) {
    if (members.length === 0) continue;
    // A member's k smallest distances are exact and sorted: the order of the members does not matter.
    const values = typicality(points, members, Math.min(K, Math.floor(members.length / 2)), blas);
    members.forEach((row, i) => (out[row] = values[i]!));
  }
  return out;
}

/** Every pair measured exactly; per member its k smallest squared distances, ascending. */
function exactNearest(points: Matrix, members: Uint32Array, k: number): Float64Array {
  const m = members.length;
  const result = new Float64Array(m * k);
  const many = manySquaredDistances(points);
  const row = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const self = members[i]!;
    row.set(many(self, members, m).subarray(0, m));
    row[i] = Infinity; // not its own neighbour
    smallest(row, m, k, result.subarray(i * k, (i + 1) * k));
  }
  return result;
}

/** GEMM screens a block of members against all of them; the exact kernel measures what can be among the k nearest. */
function screenedNearest(points: Matrix, members: Uint32Array, k: number, blas: Blas): Float64Array {
  const m = members.length, dim = points.cols;
  const single = points.data instanceof Float32Array;
  // GEMM reads ordinary memory: no need for kernel memory, which is never given back.
  const gathered = single ? new Float32Array(m * dim) : new Float64Array(m * dim);
  for (let i = 0; i < m; i++) gathered.set(points.data.subarray(members[i]! * dim, (members[i]! + 1) * dim), i * dim);
  const norms = new Float64Array(m);
  let largestNorm = 0;
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += gathered[i * dim + j]! ** 2;
    norms[i] = s;
    if (s > largestNorm) largestNorm = s;
  }
  const unit = single ? 2 ** -24 : 2 ** -53;
  const slack = 4 * (dim + 4) * unit;
  const floor = 2 * (dim + 1) * (single ? 2 ** -149 : 2 ** -1074);
  const block = single ? new Float32Array(BLOCK_ROWS * m) : new Float64Array(BLOCK_ROWS * m);
  const exact = rowSquaredDistance(points, points);
  const result = new Float64Array(m * k);
  const approx = new Float64Array(m);
  const heap = new Float64Array(k);
  const candidates = new Float64Array(m);
  for (let r0 = 0; r0 < m; r0 += BLOCK_ROWS) {
    const rb = Math.min(BLOCK_ROWS, m - r0);
    dotsWithRows(blas, gathered.subarray(r0 * dim, (r0 + rb) * dim), rb, gathered, m, dim, block);
    for (let r = 0; r < rb; r++) {
      const i = r0 + r, ni = norms[i]!;
      const out = result.subarray(i * k, (i + 1) * k);
      const self = members[i]!;
      // One pass: the screened values, and the k smallest of them in a max-heap (most values
      // lose to the heap's top at one comparison, so this costs little more than the pass).
      let size = 0, overflow = false;
      for (let j = 0; j < m; j++) {
        const a = j === i ? Infinity : ni + norms[j]! - 2 * block[r * m + j]!;
        approx[j] = a;
        if (j === i) continue;
        if (!Number.isFinite(a)) { overflow = true; continue; }
        if (size < k) heapPush(heap, size++, a);
        else if (a < heap[0]!) heapReplaceTop(heap, k, a);
      }
      if (overflow || size < k) {
        // The expansion says nothing here: measure the whole row.
        for (let j = 0; j < m; j++) candidates[j] = j === i ? Infinity : exact(self, members[j]!);
        smallest(candidates, m, k, out);
        continue;
      }
      const threshold = heap[0]! + 2 * (slack * (ni + largestNorm) + floor);
      let count = 0;
      for (let j = 0; j < m; j++) if (approx[j]! <= threshold) candidates[count++] = exact(self, members[j]!);
      smallest(candidates, count, k, out);
    }
  }
  return result;
}

/** Adds value to the max-heap heap[0..size). */
function heapPush(heap: Float64Array, size: number, value: number): void {
  let at = size;
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if (heap[parent]! >= value) break;
    heap[at] = heap[parent]!;
    at = parent;
  }
  heap[at] = value;
}

/** Replaces the largest value of the full max-heap heap[0..size) with a smaller one. */
function heapReplaceTop(heap: Float64Array, size: number, value: number): void {
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) break;
    const right = left + 1;
    const child = right < size && heap[right]! > heap[left]! ? right : left;
    if (heap[child]! <= value) break;
    heap[at] = heap[child]!;
    at = child;
  }
  heap[at] = value;
}

/** The k smallest of values[0..n) into out, ascending (values is reordered). */
function smallest(values: Float64Array, n: number, k: number, out: Float64Array): void {
  kthSmallest(values, n, k);
  const head = values.subarray(0, k).sort();
  out.set(head);
}

/** Quickselect: values[0..k) become the k smallest of values[0..n); returns the k-th smallest. */
function kthSmallest(values: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo, j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) { const t = values[i]!; values[i] = values[j]!; values[j] = t; i++; j--; }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  let kth = -Infinity;
  for (let i = 0; i < k; i++) if (values[i]! > kth) kth = values[i]!;
  return kth;
}

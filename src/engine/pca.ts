/**
 * Two-component PCA for the report's scatter plot: centre the pool vectors, form the D×D
 * covariance with the backend's GEMM, take its top two eigenvectors by power iteration with
 * deflation, and project every row onto them.
 *
 * Everything past the input runs in float64: rows are copied into a float64 block, centred
 * there, and the block goes through `dgemm`. Rows are processed in blocks of about 2^20 values,
 * so a 1M × 512 float32 pool never needs a float64 copy of itself; the covariance is still one
 * GEMM, split along its inner dimension and accumulated with beta = 1.
 *
 * Departures from textbook PCA, on purpose:
 * - The covariance is fitted on at most `maxRows` rows (a seeded sample, in row order) and
 *   then every row is projected. Two display axes do not need more.
 * - Each axis is given a fixed sign (its largest-magnitude loading is positive), so the same
 *   data draw the same picture whichever backend ran.
 * - A second component whose eigenvalue is at round-off level (rank-1 data, D = 1) is reported
 *   as exactly zero rather than as a direction made of noise.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import { Rng } from "../rng.ts";
import { matrixRows } from "./gather-rows.ts";

export interface Pca2Options {
  /** Most rows used to fit the covariance; larger pools are sampled with `seed`. Default 20,000. */
  maxRows?: number;
  /** Seed for the row sample and the power-iteration start vectors. Default 0. */
  seed?: number;
  /** Other rows (same columns, e.g. the labelled rows) to project onto the pool's components; not fitted on. */
  alsoProject?: Matrix | null;
}

export interface Pca2Result {
  /** Row-major rows × 2: each row's coordinates on the first and second component. */
  coords: Float64Array;
  /** Share of the total variance along each component, in [0, 1]. */
  explained: [number, number];
  /** options.alsoProject's rows × 2, on the same components; null without. */
  alsoCoords: Float64Array | null;
}

const DEFAULT_MAX_ROWS = 20_000;
const BLOCK_VALUES = 1 << 20;
const MAX_ITERATIONS = 1000;
/** Power iteration stops when the unit vector moves less than this (Euclidean) in one step. */
const TOLERANCE = 1e-12;
/** Eigenvalues below this share of the total variance are treated as zero. */
const NEGLIGIBLE_SHARE = 1e-12;

export function pca2(vectors: Matrix, blas: Blas, options: Pca2Options = {}): Pca2Result {
  const { rows, cols, data } = vectors;
  if (data.length !== rows * cols) {
    throw new RangeError(`pca2: matrix is ${rows}×${cols} but holds ${data.length} values`);
  }
  const { fitRows, rng } = pca2Sample(rows, options);
  const axes = axesOf(vectors, fitRows, rng, blas);
  const also = options.alsoProject ?? null;
  return { coords: pca2Project(vectors, axes, blas), explained: axes.explained, alsoCoords: also ? pca2Project(also, axes, blas) : null };
}

/** pca2's two axes: the mean they are centred on and the loadings (2×D, null when there is no variance to show). */
export interface Pca2Axes {
  mean: Float64Array;
  loadings: Float64Array | null;
  explained: [number, number];
}

/**
 * The rows pca2 fits its axes on in a pool of `rows` rows, and its generator as that draw
 * leaves it (the start vectors come next): a reader that streams the pool keeps only these rows.
 */
export function pca2Sample(rows: number, options: Pick<Pca2Options, "maxRows" | "seed"> = {}): { fitRows: Uint32Array; rng: Rng } {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new RangeError(`pca2: maxRows must be a positive integer, got ${maxRows}`);
  }
  const rng = new Rng(options.seed ?? 0);
  return { fitRows: sampleRows(rows, Math.min(rows, maxRows), rng), rng };
}

/** pca2's axes from its fit rows alone (`sample` holds exactly pca2Sample's rows, in order; `rng` as pca2Sample left it). */
export function pca2Axes(sample: Matrix, rng: Rng, blas: Blas): Pca2Axes {
  return axesOf(sample, Uint32Array.from({ length: sample.rows }, (_, i) => i), rng, blas);
}

/** Each row's coordinates on the axes (rows × 2, row-major); zeros when the axes show no variance. */
export function pca2Project(m: Matrix, axes: Pca2Axes, blas: Blas): Float64Array {
  const coords = new Float64Array(m.rows * 2);
  if (axes.loadings && m.cols > 0) project(m, axes.mean, axes.loadings, blas, coords);
  return coords;
}

function axesOf(vectors: Matrix, fitRows: Uint32Array, rng: Rng, blas: Blas): Pca2Axes {
  const { rows, cols } = vectors;
  const none = (): Pca2Axes => ({ mean: new Float64Array(cols), loadings: null, explained: [0, 0] });
  if (rows === 0 || cols === 0) return none();
  const mean = columnMeans(vectors, fitRows);
  const cov = covariance(vectors, fitRows, mean, blas);

  let trace = 0;
  for (let j = 0; j < cols; j++) trace += cov[j * cols + j]!;
  if (!Number.isFinite(trace)) {
    throw new RangeError("pca2: the vectors hold a non-finite value (NaN or ±Infinity)");
  }
  if (trace <= 0) return none();

  const floor = NEGLIGIBLE_SHARE * trace;
  const first = dominantEigenvector(cov, cols, blas, startVector(cols, rng), null, floor);
  if (first.value <= floor) return none();
  // Deflate: C − λ₁·v₁v₁ᵀ, and keep the iterate orthogonal to v₁ so round-off cannot pull it back.
  const deflated = cov.slice();
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) deflated[i * cols + j]! -= first.value * first.vector[i]! * first.vector[j]!;
  }
  const second = dominantEigenvector(deflated, cols, blas, startVector(cols, rng), first.vector,
    floor);
  fixSign(first.vector);
  fixSign(second.vector);

  // Loadings as a 2×D row-major matrix (one component per row), used transposed by the GEMM.
  const loadings = new Float64Array(cols * 2);
  loadings.set(first.vector, 0);
  loadings.set(second.vector, cols);
  return { mean, loadings, explained: [clampShare(first.value / trace), clampShare(second.value / trace)] };
}

/** `count` distinct rows of `total`, in increasing order (Knuth's selection sampling, Algorithm S). */
function sampleRows(total: number, count: number, rng: Rng): Uint32Array {
  const out = new Uint32Array(count);
  if (count === total) {
    for (let i = 0; i < total; i++) out[i] = i;
    return out;
  }
  let chosen = 0;
  for (let i = 0; i < total && chosen < count; i++) {
    if ((total - i) * rng.nextFloat() < count - chosen) out[chosen++] = i;
  }
  return out;
}

function columnMeans(m: Matrix, rowList: Uint32Array): Float64Array {
  const { cols, data } = m;
  const sum = new Float64Array(cols);
  for (const r of rowList) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) sum[j]! += data[base + j]!;
  }
  for (let j = 0; j < cols; j++) sum[j]! /= rowList.length;
  return sum;
}

function blockRows(cols: number): number {
  return Math.max(1, Math.floor(BLOCK_VALUES / cols));
}

/** (1/n)·XcᵀXc over the listed rows, Xc the centred rows, accumulated block by block. */
function covariance(m: Matrix, rowList: Uint32Array, mean: Float64Array, blas: Blas): Float64Array {
  const { cols, data } = m;
  const cov = new Float64Array(cols * cols);
  const step = blockRows(cols);
  const block = new Float64Array(Math.min(step, rowList.length) * cols);
  for (let start = 0; start < rowList.length; start += step) {
    const count = Math.min(step, rowList.length - start);
    for (let i = 0; i < count; i++) {
      const src = rowList[start + i]! * cols;
      const dst = i * cols;
      for (let j = 0; j < cols; j++) block[dst + j] = data[src + j]! - mean[j]!;
    }
    blas.dgemm(true, false, cols, cols, count, 1 / rowList.length, block, cols, block, cols,
      start === 0 ? 0 : 1, cov, cols);
  }
  return cov;
}

/** out(rows×2) = (X − mean)·loadingsᵀ, one GEMM per block of centred rows. */
function project(m: Matrix, mean: Float64Array, loadings: Float64Array, blas: Blas,
  out: Float64Array): void {
  const { rows, cols, data } = m;
  const step = blockRows(cols);
  const block = new Float64Array(Math.min(step, rows) * cols);
  for (let start = 0; start < rows; start += step) {
    const count = Math.min(step, rows - start);
    for (let i = 0; i < count; i++) {
      const src = (start + i) * cols;
      const dst = i * cols;
      for (let j = 0; j < cols; j++) block[dst + j] = data[src + j]! - mean[j]!;
    }
    blas.dgemm(false, true, count, 2, cols, 1, block, cols, loadings, cols, 0,
      out.subarray(start * 2, (start + count) * 2), 2);
  }
}

/** A seeded start vector: almost surely not orthogonal to the eigenvector sought. */
function startVector(n: number, rng: Rng): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.nextFloat() - 0.5;
  return v;
}

interface Eigenpair {
  vector: Float64Array;
  value: number;
}

/**
 * Power iteration on the symmetric positive semi-definite n×n matrix `a`. With `against`, the
 * iterate is kept orthogonal to that unit vector. Returns a zero vector and value 0 when `a`
 * maps the unit iterate to a vector no longer than `floor` (no direction left but round-off).
 */
function dominantEigenvector(a: Float64Array, n: number, blas: Blas, start: Float64Array,
  against: Float64Array | null, floor: number): Eigenpair {
  const none = (): Eigenpair => ({ vector: new Float64Array(n), value: 0 });
  let v: Float64Array = start;
  if (against) removeComponent(v, against);
  if (normalize(v) === 0) return none();
  let w: Float64Array = new Float64Array(n);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    blas.dgemv(false, n, n, 1, a, n, v, 0, w);
    if (against) removeComponent(w, against);
    if (normalize(w) <= floor) return none();
    let moved = 0;
    for (let i = 0; i < n; i++) moved += (w[i]! - v[i]!) ** 2;
    [v, w] = [w, v];
    if (Math.sqrt(moved) < TOLERANCE) break;
  }
  // Rayleigh quotient: accurate to the square of the vector's error.
  blas.dgemv(false, n, n, 1, a, n, v, 0, w);
  let value = 0;
  for (let i = 0; i < n; i++) value += v[i]! * w[i]!;
  if (value <= floor) return none();
  return { vector: v, value };
}

function removeComponent(v: Float64Array, unit: Float64Array): void {
  let dot = 0;
  for (let i = 0; i < v.length; i++) dot += v[i]! * unit[i]!;
  for (let i = 0; i < v.length; i++) v[i]! -= dot * unit[i]!;
}

/** Scales v to unit length and returns its former length; leaves v alone and returns 0 when that is zero or not finite. */
function normalize(v: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const norm = Math.sqrt(sum);
  if (!(norm > 0) || !Number.isFinite(norm)) return 0;
  for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return norm;
}

/** Makes the largest-magnitude entry positive (the first one on ties). */
function fixSign(v: Float64Array): void {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]!) > Math.abs(v[best]!)) best = i;
  if (v[best]! < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i]!;
}

function clampShare(x: number): number {
  return Math.min(1, Math.max(0, x));
}

export interface PrincipalAxes {
  /** The mean row the axes are centred on (length cols). */
  mean: Float64Array;
  /** count × cols, row-major: one unit axis a row, orthonormal up to rounding. */
  axes: Float64Array;
  count: number;
}

/**
 * The top `count` principal axes of a seeded sample of rows, by orthogonal (subspace)
 * iteration with Gram–Schmidt on the sample's covariance. For screening bounds
 * (engine/projection.ts): any nearly orthonormal axes give correct bounds, better ones prune
 * more, so a small sample and a few iterations are enough. Fewer axes come back when the
 * sample spans fewer directions.
 */
export function principalAxes(vectors: Matrix, blas: Blas, count: number,
  options: { maxRows?: number; seed?: number; iterations?: number; rowOf?: Uint32Array | null } = {}): PrincipalAxes {
  const { rows, cols } = vectors;
  const rng = new Rng(options.seed ?? 0);
  // With rowOf, row r is vectors' row rowOf[r] (rows taken in another order, not copied): the sample is drawn by r.
  const sample = sampleRows(rows, Math.min(rows, options.maxRows ?? 2048), rng);
  const fitRows = options.rowOf ? matrixRows(options.rowOf, sample) : sample;
  const mean = columnMeans(vectors, fitRows);
  const cov = covariance(vectors, fitRows, mean, blas);
  let axes = new Float64Array(count * cols);
  for (let i = 0; i < axes.length; i++) axes[i] = rng.nextFloat() - 0.5;
  let kept = orthonormaliseRows(axes, count, cols, blas);
  let next = new Float64Array(count * cols);
  for (let iteration = 0; iteration < (options.iterations ?? 10) && kept > 0; iteration++) {
    blas.dgemm(false, false, kept, cols, cols, 1, axes, cols, cov, cols, 0, next, cols);
    [axes, next] = [next, axes];
    kept = orthonormaliseRows(axes, kept, cols, blas);
  }
  return { mean, axes: axes.slice(0, kept * cols), count: kept };
}

/**
 * Gram–Schmidt over the first `count` rows, each row's projection on the rows kept taken out
 * by two GEMVs, twice (classical Gram–Schmidt repeated, as accurate as the modified form, and
 * in the backend's GEMV rather than a TypeScript double loop); a row with nothing left is
 * dropped. Returns the rows kept (packed first).
 */
function orthonormaliseRows(m: Float64Array, count: number, cols: number, blas: Blas): number {
  const components = new Float64Array(count);
  let kept = 0;
  for (let r = 0; r < count; r++) {
    const row = m.subarray(r * cols, (r + 1) * cols);
    if (normalize(row) === 0) continue;
    if (kept > 0) {
      const basis = m.subarray(0, kept * cols), along = components.subarray(0, kept);
      for (let pass = 0; pass < 2; pass++) {
        blas.dgemv(false, kept, cols, 1, basis, cols, row, 0, along);
        blas.dgemv(true, kept, cols, -1, basis, cols, along, 1, row);
      }
    }
    // Nothing but round-off left once the earlier axes are taken out: no new direction.
    if (normalize(row) <= 1e-6) continue;
    m.copyWithin(kept * cols, r * cols, (r + 1) * cols);
    kept++;
  }
  return kept;
}

/**
 * k-means (Lloyd, 1982) fitted on a uniform sample of the rows and seeded by k-means++
 * (Arthur & Vassilvitskii, SODA 2007), then used to assign any rows to their nearest centroid.
 *
 * Why a sample: one Lloyd pass over all N rows costs N·k·dim multiply-adds (1M × 1,000 × 128
 * is ~4 s of sgemm here, plus the screening loop), and k-means needs several passes. A few
 * dozen rows per centroid place the centroids nearly as well (subsampled k-means is the usual
 * practice: FAISS, for one, trains on 39 to 256 rows per centroid), so a pass costs S·k·dim
 * with S a small multiple of k, whatever N is. k-means++ seeding, whose pruned loop can cost
 * up to (seeding rows)·k distances, runs on a smaller prefix of the sample (default 4·k).
 *
 * Same result on every BLAS backend: every assignment is decided by the fixed exact kernel,
 * ties going to the lower centroid (nearestCentroids: with OpenBLAS through `nearestSeeds`,
 * where GEMM only screens; with the TypeScript backend by measuring every distance), and
 * centroids are summed in float64 in sample-row order and rounded once to the points'
 * precision. So each Lloyd pass, the stopping test and every later assignment see the same
 * numbers whichever backend ran; GEMM's last bits only change how fast.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { EuclideanSpace, manySquaredDistances, nearestSeeds } from "./euclidean.ts";
import { allocVectors } from "./kernels/kernels.ts";
import { kMeansPlusPlus } from "./kmeanspp.ts";

export interface KMeansOptions {
  blas: Blas;
  rng: Rng;
  /** Rows the centroids are fitted on, drawn uniformly without replacement; at least k, at most all rows. */
  sampleSize: number;
  /** Rows k-means++ seeding runs on, a subset of the sample; default 4·k. */
  seedingSize?: number;
  /** Lloyd updates at most (default 5); fewer when a pass moves no sample row. */
  maxIterations?: number;
}

export interface KMeansFit {
  /** k × dim, the points' precision, in kernel memory when it has room. */
  centroids: Matrix;
  sampleRows: number;
  /** Lloyd updates made. */
  iterations: number;
  /** True when the last assignment pass moved no sample row. */
  converged: boolean;
  /** Wall-clock seconds per phase (figures for the metadata, never part of a decision). */
  seconds: { sample: number; seeding: number; lloyd: number };
}

const DEFAULT_MAX_ITERATIONS = 5;
const DEFAULT_SEEDING_PER_CLUSTER = 4;
/** Rows gathered per assignment block (the buffer lives in kernel memory, which is never freed). */
const ASSIGN_BLOCK = 65_536;

/** Fits k centroids (1 ≤ k ≤ points.rows) to a sample of the rows of `points`. */
export function fitKMeans(points: Matrix, k: number, options: KMeansOptions): KMeansFit {
  const n = points.rows, dim = points.cols;
  if (!(k >= 1 && k <= n)) throw new RangeError(`fitKMeans: k is ${k}; it must lie from 1 to the ${n} rows.`);
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const float64 = points.data instanceof Float64Array;

  let since = performance.now();
  const sampleSize = Math.min(n, Math.max(k, options.sampleSize));
  const seedRows = Math.min(sampleSize, Math.max(k, options.seedingSize ?? DEFAULT_SEEDING_PER_CLUSTER * k));
  // Rows in draw order, so any prefix is a uniform sample too. A sample of every row is the
  // pool itself (no copy); then only the seeding rows are drawn, and copied.
  const whole = sampleSize === n;
  const drawn = drawSample(n, whole ? seedRows : sampleSize, options.rng);
  const sample = whole ? points : gather(points, drawn, 0, sampleSize, allocVectors(float64, sampleSize * dim));
  const seedSet = whole ? gather(points, drawn, 0, seedRows, allocVectors(float64, seedRows * dim)) : rowsOf(sample, seedRows);
  const s = sample.rows;
  const sampleSeconds = (performance.now() - since) / 1000;

  since = performance.now();
  const seeding = kMeansPlusPlus(new EuclideanSpace(seedSet), k, {
    firstPick: options.rng.nextInt(seedRows), rng: options.rng, selectable: null, tolerance: 0,
  });
  const centroids = allocVectors(float64, k * dim);
  seeding.picks.forEach((p, c) => centroids.set(seedSet.data.subarray(p * dim, (p + 1) * dim), c * dim));
  const seedingSeconds = (performance.now() - since) / 1000;

  since = performance.now();
  let assignment: Int32Array = new Int32Array(s).fill(-1);
  let iterations = 0, converged = false;
  const sums = new Float64Array(k * dim);
  const counts = new Uint32Array(k);
  while (iterations < maxIterations) {
    const next = nearestCentroids(sample, freshView(centroids, k, dim), options.blas);
    let moved = 0;
    for (let i = 0; i < s; i++) if (next[i] !== assignment[i]) moved++;
    assignment = next;
    if (moved === 0) { converged = true; break; }
    // Means in float64, summed in sample-row order: the same bits on every backend.
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < s; i++) {
      const c = assignment[i]!, o = c * dim, r = i * dim;
      counts[c]!++;
      for (let j = 0; j < dim; j++) sums[o + j]! += sample.data[r + j]!;
    }
    // An empty cluster keeps its centroid (it can win rows back in a later pass).
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) continue;
      for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j]! / counts[c]!;
    }
    iterations++;
  }
  return {
    centroids: { data: centroids, rows: k, cols: dim },
    sampleRows: s,
    iterations,
    converged,
    seconds: { sample: sampleSeconds, seeding: seedingSeconds, lloyd: (performance.now() - since) / 1000 },
  };
}

/** Nearest centroid of each of `rows` (rows of `points`), ties to the lower centroid. */
export function assignRows(points: Matrix, rows: Uint32Array, centroids: Matrix, blas: Blas): Int32Array {
  const out = new Int32Array(rows.length);
  const view = freshView(centroids.data, centroids.rows, centroids.cols);
  // One buffer for every block: kernel memory is never given back.
  const buffer = allocVectors(points.data instanceof Float64Array, Math.min(rows.length, ASSIGN_BLOCK) * points.cols);
  for (let start = 0; start < rows.length; start += ASSIGN_BLOCK) {
    const end = Math.min(rows.length, start + ASSIGN_BLOCK);
    out.set(nearestCentroids(gather(points, rows, start, end, buffer), view, blas), start);
  }
  return out;
}

/**
 * The nearest centroid of every row: the lowest-numbered centroid at the smallest exact
 * distance. With OpenBLAS, nearestSeeds screens with GEMM and measures exactly only the
 * centroids that could win, which gives that same answer. The TypeScript backend's GEMM is
 * slower than the exact kernel itself (~1 GFLOP/s, i.e. ~250 ns per 128-dim product, against
 * ~35 ns per exact distance), so there every distance is measured exactly. A row whose every
 * distance overflows to ∞ goes to centroid 0 on both paths.
 */
export function nearestCentroids(points: Matrix, centroids: Matrix, blas: Blas): Int32Array {
  const n = points.rows, k = centroids.rows;
  if (blas.name !== "typescript") {
    const nearest = nearestSeeds(points, centroids, blas).nearestSeed;
    for (let i = 0; i < n; i++) if (nearest[i]! < 0) nearest[i] = 0;
    return nearest;
  }
  const nearest = new Int32Array(n);
  // A row against every centroid in one kernel call (split across threads when k·dim is large);
  // the same kernel as the scalar call, so the same bits.
  const many = manySquaredDistances(points, centroids);
  const all = Uint32Array.from({ length: k }, (_, c) => c);
  for (let i = 0; i < n; i++) {
    const distances = many(i, all, k);
    let best = distances[0]!, bestCentroid = 0;
    for (let c = 1; c < k; c++) {
      const d = distances[c]!;
      if (d < best) { best = d; bestCentroid = c; }
    }
    nearest[i] = bestCentroid;
  }
  return nearest;
}

/** The first `rows` rows of m, as a view. */
function rowsOf(m: Matrix, rows: number): Matrix {
  return { data: m.data.subarray(0, rows * m.cols), rows, cols: m.cols };
}

/**
 * A new view object on the same numbers. euclidean.ts caches each array's largest magnitude
 * (it picks the float32 kernel by range) keyed by the view, so an array whose values change
 * must be handed over as a new view, or the cache would answer for the old values.
 */
function freshView(data: Float32Array | Float64Array, rows: number, cols: number): Matrix {
  return { data: data.subarray(0, rows * cols), rows, cols };
}

/** `count` distinct rows of 0..n-1 drawn uniformly without replacement, in draw order (partial Fisher–Yates). */
export function drawSample(n: number, count: number, rng: Rng): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  for (let i = 0; i < count && i < n - 1; i++) {
    const j = i + rng.nextInt(n - i);
    const t = rows[i]!; rows[i] = rows[j]!; rows[j] = t;
  }
  return rows.slice(0, count);
}

/**
 * rows[start..end) of points copied to the front of `buffer` (kernel memory, where the exact
 * kernel reads fastest), as a fresh view (see freshView: the buffer's values change per block).
 */
function gather(points: Matrix, rows: Uint32Array, start: number, end: number, buffer: Float32Array | Float64Array): Matrix {
  const dim = points.cols;
  const data = buffer.subarray(0, (end - start) * dim);
  for (let i = start; i < end; i++) data.set(points.data.subarray(rows[i]! * dim, (rows[i]! + 1) * dim), (i - start) * dim);
  return { data, rows: end - start, cols: dim };
}

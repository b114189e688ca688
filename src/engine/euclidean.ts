/**
 * Euclidean space over a row-major matrix (cosine runs here too, on L2-normalised rows, where
 * euclidean distance is a monotone function of cosine distance: ‖a-b‖² = 2(1 - cos)).
 *
 * Distances that decide anything are summed directly as Σ(a-b)² by one fixed kernel (no
 * ‖a‖²+‖b‖²-2a·b cancellation). GEMM only screens: it finds, for every pool row, the few
 * seeds that can be nearest, and the exact kernel picks among those.
 */
import type { Blas } from "../../ffi/blas.ts";
import { DataError } from "../errors.ts";
import type { Matrix } from "../matrix.ts";
import { allocVectors, inKernelMemory, kernels, manyScratch, toKernelMemory } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";
import type { CenterIndex, KernelRows, KernelScreen, MetricSpace, RowCells, SeedState } from "./metric-space.ts";
import { largestMagnitude } from "./largest-magnitude.ts";
import { ProjectedBounds } from "./projection.ts";

/**
 * Rows this wide (and pools this large) are screened by projected lower bounds before their
 * distances are measured: in fewer dimensions the triangle inequality prunes well enough alone.
 */
const PROJECT_MIN_DIMS = 256;
const PROJECT_MIN_ROWS = 5_000;
/**
 * Coordinates per screening stage (projection.ts): an int8 copy of the first level's screens
 * every row, its float32 original the rows that copy keeps, then on rows of 512 columns and
 * more a longer level. Chosen on raw Fashion-MNIST (784 pixels: 48 coordinates fill one cache
 * line as int8 codes with the row's error and residual norms) and on the 384-column embeddings
 * bench, where the longer level's GEMM cost more than it saved. The TypeScript backend's slow
 * GEMM makes only a short first level.
 */
const PROJECTED_LEVELS = { wide: [48, 128], narrower: [32], withoutBlas: [32] };
const DEEP_LEVEL_MIN_DIMS = 512;

/**
 * The TypeScript backend's GEMM runs at ~1 GFLOP/s: past this many values the projection's
 * GEMMs (rows × cols × 32, and cols² per sample row) would cost more than they save.
 */
const PROJECT_MAX_VALUES_WITHOUT_BLAS = 1e8;
/** The principal axes come from a cols × cols covariance: past this width it costs too much memory and time. */
const PROJECT_MAX_DIMS = { openblas: 4096, other: 1024 };

/** Whether rows are wide enough for projected bounds, and the backend's GEMM fast enough to make them. */
export function wideRows(points: Matrix, blas: Blas): boolean {
  const native = blas.name === "openblas";
  return points.cols >= PROJECT_MIN_DIMS && points.rows >= PROJECT_MIN_ROWS &&
    points.cols <= (native ? PROJECT_MAX_DIMS.openblas : PROJECT_MAX_DIMS.other) &&
    (native || points.rows * points.cols <= PROJECT_MAX_VALUES_WITHOUT_BLAS);
}

/** Projected bounds for these rows (null when they span no direction or kernel memory is full); `rowOf` as ProjectedBounds.build's. */
export function projectRows(points: Matrix, blas: Blas, rowOf: Uint32Array | null = null): ProjectedBounds | null {
  const levels = blas.name !== "openblas" ? PROJECTED_LEVELS.withoutBlas
    : points.cols >= DEEP_LEVEL_MIN_DIMS ? PROJECTED_LEVELS.wide : PROJECTED_LEVELS.narrower;
  return ProjectedBounds.build(points, blas, levels, true, rowOf);
}

/** Squared distance between row a of x and row b of y (both with `dim` columns). */
export type RowDistance = (a: number, b: number) => number;

/**
 * float32 arithmetic runs while the largest magnitude lies in [2^-40, 2^50]: no square
 * overflows, and the rows' scale lies far above float32's subnormal squares (a difference below
 * 2^-63 loses its square's relative precision; kernelAbsoluteError bounds what it loses).
 * Beyond that the float64-arithmetic kernel runs.
 */
const NARROW_RANGE = [2 ** -40, 2 ** 50] as const;
/** Relative error of the squared distances `rowSquaredDistance(x, y)` returns, as a bound. */
export function kernelRelativeError(x: Matrix, y: Matrix): number {
  return usesNarrowKernel(x, y) ? (x.cols / 8 + 4) * 2 ** -23 : (x.cols + 4) * 2 ** -52;
}

/**
 * Absolute error of the distances rowSquaredDistance(x, x) gives, beside kernelRelativeError's:
 * a difference too small for its square to be a normal number (in float32 for the narrow kernel,
 * whatever the largest value; in float64 for float64 rows) loses it, up to the smallest normal
 * a column (√ of that for the distance). 0 for float32 rows summed in float64: their squares
 * are at least 2^-298.
 */
export function kernelAbsoluteError(x: Matrix): number {
  if (x.data instanceof Float64Array) return Math.sqrt(x.cols * 2 ** -1022);
  return usesNarrowKernel(x, x) ? Math.sqrt(x.cols * 2 ** -126) : 0;
}

/** Whether rowSquaredDistance(x, y) sums in float32 (the narrow kernel), as kernelRelativeError assumes. */
export function usesNarrowKernel(x: Matrix, y: Matrix): boolean {
  if (!(x.data instanceof Float32Array) || !(y.data instanceof Float32Array)) return false;
  const m = Math.max(largestMagnitude(x.data), largestMagnitude(y.data));
  return m >= NARROW_RANGE[0] && m <= NARROW_RANGE[1];
}

/** Squared distances from row c of x to rows[0..count) of y; the array is reused by the next call. */
export type ManySquaredDistances = (c: number, rows: Uint32Array, count: number) => Float64Array;

/**
 * Squared distances from row c of x to rows[0..count) of y (default x) in one kernel call, split
 * across the worker threads when large (threads.ts); when the vectors are not in kernel memory,
 * rowSquaredDistance's TypeScript loop one row at a time. Either way each value has the bits of
 * rowSquaredDistance(x, y).
 */
export function manySquaredDistances(x: Matrix, y: Matrix = x): ManySquaredDistances {
  const kx = toKernelMemory(x.data), ky = y.data === x.data ? kx : toKernelMemory(y.data);
  if (!kx || !ky || kx.constructor !== ky.constructor) return oneAtATime(rowSquaredDistance(x, y));
  const dim = x.cols, width = kx.BYTES_PER_ELEMENT * dim, bx = kx.byteOffset, by = ky.byteOffset;
  // The kernel rowSquaredDistance(x, y) picks, so each value has the same bits as its scalar call.
  const kernel = kx instanceof Float64Array ? "sqdist_f64_many"
    : usesNarrowKernel(x, y) ? "sqdist_f32_narrow_many" : "sqdist_f32_many";
  return (c, rows, count) => {
    const { idx, out } = manyScratch(count);
    for (let i = 0; i < count; i++) idx[i] = rows[i]!; // no subarray: a view per call is garbage the GC is slow to see
    runMany(kernel, bx + c * width, by, width, idx.byteOffset, count, dim, out.byteOffset);
    return out;
  };
}

/** manySquaredDistances outside kernel memory: the scalar loop, into an ordinary array. */
function oneAtATime(squared: RowDistance): ManySquaredDistances {
  let out = new Float64Array(1024);
  return (c, rows, count) => {
    if (out.length < count) out = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) out[i] = squared(c, rows[i]!);
    return out;
  };
}

/**
 * The one squared-distance kernel for rows of x against rows of y: WebAssembly SIMD when both
 * sit in kernel memory (or can be copied there), the TypeScript loop otherwise. Which one runs
 * depends only on the data (its size and range), never on the BLAS backend.
 */
export function rowSquaredDistance(x: Matrix, y: Matrix): RowDistance {
  const dim = x.cols;
  const kx = toKernelMemory(x.data), ky = x.data === y.data ? kx : toKernelMemory(y.data);
  if (kx && ky && kx.constructor === ky.constructor) {
    const width = kx.BYTES_PER_ELEMENT * dim;
    const bx = kx.byteOffset, by = ky.byteOffset;
    const kernel = kx instanceof Float64Array ? kernels.sqdist_f64
      : usesNarrowKernel(x, y) ? kernels.sqdist_f32_narrow : kernels.sqdist_f32;
    return (a, b) => kernel(bx + a * width, by + b * width, dim);
  }
  const dx = x.data, dy = y.data;
  return (a, b) => squaredDistance(dx, a * dim, dy, b * dim, dim);
}

export class EuclideanSpace implements MetricSpace {
  readonly size: number;
  readonly relativeError: number;
  readonly absoluteError: number;
  readonly centerIndex?: CenterIndex;
  readonly #squared: RowDistance;
  readonly #many: ManySquaredDistances;
  readonly screenMany?: (c: number, rows: Uint32Array, limits: Float64Array, count: number) => number;
  /** The projected bounds that screen rows (wide rows only), for their counters. */
  readonly projected: ProjectedBounds | null;
  readonly kernelScreen: KernelScreen | null;
  #kernelRows: KernelRows | null | undefined;

  /**
   * With OpenBLAS, centers are indexed for batched lower bounds (GEMV beats per-center kernels).
   * With any backend, wide rows get projected lower bounds (projection.ts), built here unless
   * the caller brings them (built before a locality order, which they make cheap).
   */
  constructor(readonly points: Matrix, blas: Blas | null = null, projected: ProjectedBounds | null = blas && wideRows(points, blas) ? projectRows(points, blas) : null,
    readonly cells?: RowCells) {
    this.size = points.rows;
    this.#squared = rowSquaredDistance(points, points);
    this.#many = manySquaredDistances(points);
    this.relativeError = kernelRelativeError(points, points) / 2; // halved by the square root
    this.absoluteError = kernelAbsoluteError(points);
    this.projected = projected;
    this.kernelScreen = projected?.kernelScreen() ?? null;
    if (projected) {
      this.screenMany = (c, rows, limits, count) => projected.screen(c, rows, limits, count);
      this.centerIndex = projected.centerIndex();
    } else if (blas?.name === "openblas") this.centerIndex = new GemvCenterIndex(points, blas);
  }

  distance(a: number, b: number): number {
    return Math.sqrt(this.#squared(a, b));
  }

  /** The vectors for kernels that measure as `distance` does (computed once: usesNarrowKernel reads every value). */
  get kernelRows(): KernelRows | null {
    const { points } = this;
    this.#kernelRows ??= inKernelMemory(points.data) ? {
      base: points.data.byteOffset, width: points.data.BYTES_PER_ELEMENT * points.cols, dim: points.cols,
      kind: points.data instanceof Float64Array ? 2 : usesNarrowKernel(points, points) ? 1 : 0,
    } : null;
    return this.#kernelRows;
  }

  /** distance(c, rows[i]) for i < count, in one kernel call when the vectors allow. */
  distanceMany(c: number, rows: Uint32Array, count: number): Float64Array {
    const out = this.#many(c, rows, count);
    for (let i = 0; i < count; i++) out[i] = Math.sqrt(out[i]!);
    return out;
  }
}

/**
 * Centers copied into one contiguous matrix; a new center's squared distances to all of them
 * come from one GEMV as ‖x‖² + ‖c‖² - 2x·c, less the bound on that expansion's rounding (as in
 * nearestSeeds), so each is a true lower bound whichever BLAS computed it.
 */
class GemvCenterIndex implements CenterIndex {
  #centers: Float32Array | Float64Array;
  #norms = new Float64Array(64);
  #dots: Float32Array | Float64Array;
  #bounds = new Float64Array(64);
  #count = 0;
  readonly #slack: number;
  readonly #floor: number;

  constructor(private readonly points: Matrix, private readonly blas: Blas) {
    const single = points.data instanceof Float32Array;
    this.#centers = single ? new Float32Array(64 * points.cols) : new Float64Array(64 * points.cols);
    this.#dots = single ? new Float32Array(64) : new Float64Array(64);
    const unit = single ? 2 ** -24 : 2 ** -53;
    this.#slack = 4 * (points.cols + 4) * unit;
    this.#floor = 2 * (points.cols + 1) * (single ? 2 ** -149 : 2 ** -1074);
  }

  add(row: number): number {
    const dim = this.points.cols;
    if (this.#count === this.#norms.length) {
      const grow = <T extends Float32Array | Float64Array>(a: T, size: number): T => {
        const b = new (a.constructor as { new (n: number): T })(size);
        b.set(a);
        return b;
      };
      this.#centers = grow(this.#centers, this.#centers.length * 2);
      this.#norms = grow(this.#norms, this.#norms.length * 2);
      this.#dots = grow(this.#dots, this.#dots.length * 2);
      this.#bounds = grow(this.#bounds, this.#bounds.length * 2);
    }
    const vector = this.points.data.subarray(row * dim, (row + 1) * dim);
    this.#centers.set(vector, this.#count * dim);
    this.#norms[this.#count] = dot(vector, 0, vector, 0, dim);
    return this.#count++;
  }

  lowerBounds(row: number): Float64Array {
    const dim = this.points.cols, count = this.#count;
    if (count === 0) return this.#bounds;
    const x = this.points.data.subarray(row * dim, (row + 1) * dim);
    if (x instanceof Float32Array) this.blas.sgemv(false, count, dim, 1, this.#centers as Float32Array, dim, x, 0, this.#dots as Float32Array);
    else this.blas.dgemv(false, count, dim, 1, this.#centers as Float64Array, dim, x, 0, this.#dots as Float64Array);
    const nx = dot(x, 0, x, 0, dim);
    for (let j = 0; j < count; j++) {
      const nj = this.#norms[j]!;
      const squared = nx + nj - 2 * this.#dots[j]! - this.#slack * (nx + nj) - this.#floor;
      // An overflowing expansion bounds nothing: 0.
      this.#bounds[j] = squared > 0 && Number.isFinite(squared) ? Math.sqrt(squared) : 0;
    }
    return this.#bounds;
  }
}

/** Σ (x[xo+j] - y[yo+j])² for j < dim, in float64, four lanes summed in a fixed order. */
export function squaredDistance(x: Float32Array | Float64Array, xo: number, y: Float32Array | Float64Array, yo: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 4 <= dim; j += 4) {
    const d0 = x[xo + j]! - y[yo + j]!;
    const d1 = x[xo + j + 1]! - y[yo + j + 1]!;
    const d2 = x[xo + j + 2]! - y[yo + j + 2]!;
    const d3 = x[xo + j + 3]! - y[yo + j + 3]!;
    s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
  }
  for (; j < dim; j++) {
    const d = x[xo + j]! - y[yo + j]!;
    s0 += d * d;
  }
  return (s0 + s1) + (s2 + s3);
}

/** Σ x[xo+j]·y[yo+j] in float64, the same fixed order. */
export function dot(x: Float32Array | Float64Array, xo: number, y: Float32Array | Float64Array, yo: number, dim: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let j = 0;
  for (; j + 4 <= dim; j += 4) {
    s0 += x[xo + j]! * y[yo + j]!;
    s1 += x[xo + j + 1]! * y[yo + j + 1]!;
    s2 += x[xo + j + 2]! * y[yo + j + 2]!;
    s3 += x[xo + j + 3]! * y[yo + j + 3]!;
  }
  for (; j < dim; j++) s0 += x[xo + j]! * y[yo + j]!;
  return (s0 + s1) + (s2 + s3);
}

/**
 * A copy of m with every row scaled to unit L2 norm (for the cosine metric). A zero row has no
 * direction: a DataError naming the row through `describeRow`.
 */
export function normaliseRows<T extends Float32Array | Float64Array>(m: Matrix<T>, describeRow: (row: number) => string): Matrix<T> {
  const data = allocVectors(m.data instanceof Float64Array, m.data.length) as T;
  data.set(m.data);
  for (let r = 0; r < m.rows; r++) {
    const o = r * m.cols;
    const norm = Math.sqrt(dot(data, o, data, o, m.cols));
    if (norm === 0) {
      throw new DataError(`${describeRow(r)}: its vector is all zeros, which has no direction for the cosine metric; drop the row or use METRIC=euclidean.`);
    }
    for (let j = 0; j < m.cols; j++) data[o + j] = data[o + j]! / norm;
  }
  return { data, rows: m.rows, cols: m.cols };
}

const ROW_BLOCK = 1024;
const SEED_BLOCK = 2048;

/**
 * Nearest seed of every pool row. A GEMM block gives approximate squared distances
 * ‖x‖²+‖s‖²-2x·s; a seed is measured exactly only when its approximation, less a bound on
 * the GEMM's rounding error, could beat the best exact distance found so far for that row.
 */
export function nearestSeeds(points: Matrix, seeds: Matrix, blas: Blas): SeedState {
  const n = points.rows, s = seeds.rows, dim = points.cols;
  const nearestDistance = new Float64Array(n).fill(Infinity);
  const nearestSeed = new Int32Array(n).fill(-1);
  if (s > 0 && n > 0) {
    const pointNorms = rowSquaredNorms(points);
    const seedNorms = rowSquaredNorms(seeds);
    const single = points.data instanceof Float32Array;
    // Worst-case rounding of the GEMM dot product and of the exact kernel (each about
    // dim·u·(‖x‖²+‖s‖²) in float32 or float64), with room to spare.
    const unit = single ? 2 ** -24 : 2 ** -53;
    const slack = 4 * (dim + 4) * unit;
    // Products below the smallest normal lose relative precision: bound their absolute error too.
    const floor = 2 * (dim + 1) * (single ? 2 ** -149 : 2 ** -1074);
    const exactSquared = rowSquaredDistance(points, seeds);
    const bestSquared = new Float64Array(n).fill(Infinity);
    const block = single ? new Float32Array(ROW_BLOCK * SEED_BLOCK) : new Float64Array(ROW_BLOCK * SEED_BLOCK);
    for (let s0 = 0; s0 < s; s0 += SEED_BLOCK) {
      const sb = Math.min(SEED_BLOCK, s - s0);
      const seedView = seeds.data.subarray(s0 * dim, (s0 + sb) * dim);
      for (let r0 = 0; r0 < n; r0 += ROW_BLOCK) {
        const rb = Math.min(ROW_BLOCK, n - r0);
        const rowView = points.data.subarray(r0 * dim, (r0 + rb) * dim);
        dotsWithRows(blas, rowView, rb, seedView, sb, dim, block);
        for (let r = 0; r < rb; r++) {
          const i = r0 + r;
          const ni = pointNorms[i]!;
          let best = bestSquared[i]!;
          let bestSeed = nearestSeed[i]!;
          for (let j = 0; j < sb; j++) {
            const nj = seedNorms[s0 + j]!;
            const approx = ni + nj - 2 * block[r * sb + j]!;
            // An approximation that overflowed (±inf, NaN) rules nothing out: measure.
            if (Number.isFinite(approx) && approx - slack * (ni + nj) - floor > best) continue;
            const exact = exactSquared(i, s0 + j);
            if (exact < best) { best = exact; bestSeed = s0 + j; }
          }
          bestSquared[i] = best;
          nearestSeed[i] = bestSeed;
        }
      }
    }
    for (let i = 0; i < n; i++) nearestDistance[i] = Math.sqrt(bestSquared[i]!);
  }
  const seedSquared = rowSquaredDistance(points, seeds);
  return {
    count: s,
    nearestDistance,
    nearestSeed,
    seedDistance: (point, seed) => Math.sqrt(seedSquared(point, seed)),
  };
}

/**
 * out (rows × others, row-major, rows `stride` values apart) = A·Bᵀ for row-major A (rows × dim)
 * and B (others × dim), in A's precision.
 */
export function dotsWithRows(blas: Blas, a: Float32Array | Float64Array, rows: number, b: Float32Array | Float64Array, others: number,
  dim: number, out: Float32Array | Float64Array, stride = others): void {
  if (a instanceof Float32Array) blas.sgemm(false, true, rows, others, dim, 1, a, dim, b as Float32Array, dim, 0, out as Float32Array, stride);
  else blas.dgemm(false, true, rows, others, dim, 1, a, dim, b as Float64Array, dim, 0, out as Float64Array, stride);
}

export function rowSquaredNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = dot(m.data, r * m.cols, m.data, r * m.cols, m.cols);
  return out;
}

/**
 * Lower bounds on euclidean distances from a few principal coordinates, for high-dimensional
 * rows where the triangle inequality prunes little (raw images: 784 pixels).
 *
 * For a linear map P with spectral norm σ, ‖P(x − y)‖ ≤ σ‖x − y‖. With P the top principal
 * axes of a sample (pca.ts: orthonormal up to rounding, so σ ≈ 1), the projected distance
 * keeps most of a pair's distance at a fraction of the cost: each row's m coordinates are
 * stored once (float32, in kernel memory), and a screen over m numbers rules out most rows
 * before their D-long vectors are read.
 *
 * The bound is rigorous, rounding included, so pruning with it never changes a selection:
 * - σ is bounded from above by Gershgorin's theorem on PPᵀ (no orthonormality assumed);
 * - each row's stored coordinates ẑ differ from P(x − μ) by at most err·‖x − μ‖, err covering
 *   the GEMM (any summation order: γ_D per product sum), the centring and the float32 rounding;
 * - the screening kernel's own relative error (kernelRelativeError) is taken off its result.
 * So d(x, y) ≥ (‖ẑ_x − ẑ_y‖ − err·(‖x − μ‖ + ‖y − μ‖)) / σ̂.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { CenterIndex } from "./metric-space.ts";
import { kernelRelativeError, manySquaredDistances } from "./euclidean.ts";
import { allocFloat32 } from "./kernels/kernels.ts";
import { inLocalityOrder } from "./locality.ts";
import { principalAxes } from "./pca.ts";

/** Rows centred and projected per GEMM block. */
const BLOCK_ROWS = 1024;

export class ProjectedBounds {
  /** Principal coordinates kept per row. */
  readonly dims: number;
  /** rows × dims, float32 in kernel memory: each row's principal coordinates. */
  readonly coordinates: Matrix<Float32Array>;
  readonly #squared: (c: number, rows: Uint32Array, count: number) => Float64Array;
  readonly #relative: number;
  /** Per row: the bound on how far its stored coordinates are from the exact projection. */
  #error: Float64Array;
  readonly #inverseSigma: number;

  /** Null when the rows span no direction or kernel memory has no room for the coordinates. */
  static build(points: Matrix, blas: Blas, dims: number): ProjectedBounds | null {
    const { mean, axes, count } = principalAxes(points, blas, Math.min(dims, points.cols));
    if (count === 0) return null;
    let coords: Float32Array;
    try {
      coords = allocFloat32(points.rows * count);
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
    return new ProjectedBounds(points, blas, mean, axes, count, coords);
  }

  private constructor(points: Matrix, blas: Blas, mean: Float64Array, axes: Float64Array, m: number, coords: Float32Array) {
    const { rows, cols, data } = points;
    this.dims = m;
    // σ̂ ≥ ‖P‖₂: Gershgorin on PPᵀ (computed in float64; its rounding is below the margin added).
    let sigmaSquared = 0, rowNorm = 0;
    for (let a = 0; a < m; a++) {
      let rowSum = 0;
      for (let b = 0; b < m; b++) {
        let g = 0;
        for (let j = 0; j < cols; j++) g += axes[a * cols + j]! * axes[b * cols + j]!;
        rowSum += Math.abs(g);
        if (a === b) rowNorm = Math.max(rowNorm, Math.sqrt(g));
      }
      sigmaSquared = Math.max(sigmaSquared, rowSum);
    }
    const sigma = Math.sqrt(sigmaSquared * (1 + 1e-9) + 4 * cols * 2 ** -52);
    this.#inverseSigma = 1 / sigma;
    // Per unit of ‖x − μ‖: GEMM rounding (√m components, each ≤ γ_D·ρ·‖x − μ‖), the centring
    // (one rounding per value), the float32 store; doubled for margin.
    const gammaD = (cols * 2 ** -53) / (1 - cols * 2 ** -53);
    const perUnit = 2 * (Math.sqrt(m) * gammaD * rowNorm + sigma * 2 ** -52 + 1.01 * sigma * 2 ** -24);
    this.#error = new Float64Array(rows);
    const block = new Float64Array(Math.min(BLOCK_ROWS, rows) * cols);
    const projected = new Float64Array(Math.min(BLOCK_ROWS, rows) * m);
    for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
      const rb = Math.min(BLOCK_ROWS, rows - r0);
      for (let r = 0; r < rb; r++) {
        let norm = 0;
        for (let j = 0; j < cols; j++) {
          const v = data[(r0 + r) * cols + j]! - mean[j]!;
          block[r * cols + j] = v;
          norm += v * v;
        }
        this.#error[r0 + r] = perUnit * Math.sqrt(norm) * (1 + 1e-12);
      }
      blas.dgemm(false, true, rb, m, cols, 1, block, cols, axes, cols, 0, projected, m);
      coords.set(projected.subarray(0, rb * m), r0 * m); // rounds to float32 (in the error above)
    }
    this.coordinates = { data: coords, rows, cols: m };
    this.#squared = manySquaredDistances(this.coordinates)!;
    this.#relative = kernelRelativeError(this.coordinates, this.coordinates);
  }

  /** Rearranges the rows to match points reordered by `order` (new row r is old row order[r]). */
  reorder(order: Uint32Array): void {
    inLocalityOrder(this.coordinates, order, true);
    this.#error = Float64Array.from(order, (row) => this.#error[row]!);
  }

  /** out[i] ≤ ‖x_c − x_rows[i]‖ for i < count (out is the kernels' scratch, reused by the next call). */
  lowerBoundsMany(c: number, rows: Uint32Array, count: number): Float64Array {
    const out = this.#squared(c, rows, count);
    const keep = 1 - this.#relative, errorC = this.#error[c]!, inverseSigma = this.#inverseSigma;
    // Squares below float32's normal range lose their relative precision: an absolute floor.
    const floor = this.dims * 2 ** -126;
    for (let i = 0; i < count; i++) {
      const squared = out[i]! * keep - floor;
      const bound = squared > 0 ? (Math.sqrt(squared) - errorC - this.#error[rows[i]!]!) * inverseSigma : 0;
      out[i] = bound > 0 ? bound : 0;
    }
    return out;
  }

  /** The same bounds as a CenterIndex: a new center against every earlier one in one screen. */
  centerIndex(): CenterIndex {
    let centers = new Uint32Array(64), bounds = new Float64Array(64), count = 0;
    return {
      add: (row) => {
        if (count === centers.length) {
          const grown = new Uint32Array(2 * count);
          grown.set(centers);
          centers = grown;
          bounds = new Float64Array(2 * count);
        }
        centers[count] = row;
        return count++;
      },
      lowerBounds: (row) => {
        const out = count > 0 ? this.lowerBoundsMany(row, centers, count) : bounds;
        for (let j = 0; j < count; j++) bounds[j] = out[j]!;
        return bounds;
      },
    };
  }
}

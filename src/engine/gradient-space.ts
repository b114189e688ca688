/**
 * BADGE's gradient-embedding space without the gradient embeddings.
 *
 * Ash et al. (ICLR 2020) embed row i as g_i = δ_i ⊗ x_i, δ_i = p_i - onehot(argmax p_i), the
 * gradient of the cross-entropy loss at the predicted label w.r.t. the last layer. That is
 * C·D numbers a row (scikit-activeml and the seed materialise N×C·D). Since
 *   ⟨g_i, g_j⟩ = (δ_i·δ_j)(x_i·x_j),
 *   ‖g_i - g_j‖² = ‖δ_i‖²‖x_i‖² + ‖δ_j‖²‖x_j‖² - 2(δ_i·δ_j)(x_i·x_j),
 * every distance comes from the N×D vectors and N×C deltas: O(N·(C+D)) memory.
 */
import type { Matrix } from "../matrix.ts";
import { dot } from "./euclidean.ts";
import { kernels, manyScratch, toKernelMemory } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";
import type { MetricSpace } from "./metric-space.ts";

export class GradientSpace implements MetricSpace {
  readonly size: number;
  /** ‖g_i‖², per row. */
  readonly squaredNorms: Float64Array;
  /** ‖g_i‖: distance to the origin, a free lower bound on distances (confident rows sit near 0). */
  readonly anchorDistance: Float64Array;
  /** Absolute rounding error of `distance` (the expansion cancels when rows are close). */
  readonly tolerance: number;
  readonly #deltas: Float64Array;
  readonly #classes: number;
  readonly #dim: number;
  /** ‖x_i‖, per row. */
  readonly #vectorNorms: Float64Array;
  /** x_a·x_b for rows a, b: the SIMD kernel when the vectors fit kernel memory. */
  readonly #vectorDot: (a: number, b: number) => number;
  /** x_c·x_rows[i] for many rows in one kernel call, or null when the vectors are not in kernel memory. */
  readonly #vectorDots: ((c: number, rows: Uint32Array, count: number) => Float64Array) | null = null;

  constructor(probs: Float64Array, classes: number, vectors: Matrix) {
    const n = vectors.rows;
    this.size = n;
    this.#classes = classes;
    this.#dim = vectors.cols;
    const dim = vectors.cols;
    const inKernel = toKernelMemory(vectors.data);
    if (inKernel) {
      const base = inKernel.byteOffset, width = inKernel.BYTES_PER_ELEMENT * dim;
      const kernel = inKernel instanceof Float32Array ? kernels.dot_f32 : kernels.dot_f64;
      this.#vectorDot = (a, b) => kernel(base + a * width, base + b * width, dim);
      const many = inKernel instanceof Float32Array ? "dot_f32_many" : "dot_f64_many";
      this.#vectorDots = (c, rows, count) => {
        const { idx, out } = manyScratch(count);
        for (let i = 0; i < count; i++) idx[i] = rows[i]!; // no subarray: a view per call is garbage the GC is slow to see
        runMany(many, base + c * width, base, width, idx.byteOffset, count, dim, out.byteOffset);
        return out;
      };
    } else {
      const data = vectors.data;
      this.#vectorDot = (a, b) => dot(data, a * dim, data, b * dim, dim);
    }
    this.#deltas = new Float64Array(n * classes);
    this.squaredNorms = new Float64Array(n);
    this.#vectorNorms = new Float64Array(n);
    let largest = 0;
    for (let i = 0; i < n; i++) {
      const o = i * classes;
      let top = 0;
      for (let c = 1; c < classes; c++) if (probs[o + c]! > probs[o + top]!) top = c;
      let deltaNorm = 0;
      for (let c = 0; c < classes; c++) {
        const d = probs[o + c]! - (c === top ? 1 : 0);
        this.#deltas[o + c] = d;
        deltaNorm += d * d;
      }
      const vectorSquared = this.#vectorDot(i, i);
      this.#vectorNorms[i] = Math.sqrt(vectorSquared);
      this.squaredNorms[i] = deltaNorm * vectorSquared;
      if (this.squaredNorms[i]! > largest) largest = this.squaredNorms[i]!;
    }
    // d² carries an absolute error of about (C+D)·2^-53·(‖g_i‖² + ‖g_j‖²); as a distance,
    // at worst the square root of that. Generous by three orders of magnitude.
    this.anchorDistance = this.squaredNorms.map(Math.sqrt);
    this.tolerance = Math.sqrt(1e3 * (classes + this.#dim) * 2 ** -53 * 2 * largest);
  }

  /**
   * ‖g_a - g_b‖ ≥ √(‖g_a‖² + ‖g_b‖² - 2|δ_a·δ_b|·‖x_a‖‖x_b‖) (Cauchy-Schwarz on x_a·x_b):
   * C multiplications and no read of the D-long vectors. Rows predicted as different classes
   * have small δ_a·δ_b, so this bound prunes most of them.
   */
  lowerBound(a: number, b: number): number {
    const deltaDot = this.#deltaDot(a, b);
    const squared = this.squaredNorms[a]! + this.squaredNorms[b]! - 2 * Math.abs(deltaDot) * this.#vectorNorms[a]! * this.#vectorNorms[b]!;
    return squared > 0 ? Math.sqrt(squared) : 0;
  }

  /** δ_a·δ_b: C is small (classes), so one plain loop over float64 beats any call. */
  #deltaDot(a: number, b: number): number {
    const deltas = this.#deltas, c = this.#classes;
    const oa = a * c, ob = b * c;
    let sum = 0;
    for (let k = 0; k < c; k++) sum += deltas[oa + k]! * deltas[ob + k]!;
    return sum;
  }

  /** distance(c, rows[i]) for i < count: the vector dots in one kernel call. */
  distanceMany(c: number, rows: Uint32Array, count: number): Float64Array {
    if (!this.#vectorDots) {
      const out = manyScratch(count).out;
      for (let i = 0; i < count; i++) out[i] = this.distance(c, rows[i]!);
      return out;
    }
    const out = this.#vectorDots(c, rows, count);
    const nc = this.squaredNorms[c]!;
    for (let i = 0; i < count; i++) {
      const row = rows[i]!;
      const squared = nc + this.squaredNorms[row]! - 2 * this.#deltaDot(c, row) * out[i]!;
      out[i] = squared > 0 ? Math.sqrt(squared) : 0;
    }
    return out;
  }

  distance(a: number, b: number): number {
    const deltaDot = this.#deltaDot(a, b);
    const vectorDot = this.#vectorDot(a, b);
    const squared = this.squaredNorms[a]! + this.squaredNorms[b]! - 2 * deltaDot * vectorDot;
    return squared > 0 ? Math.sqrt(squared) : 0;
  }
}

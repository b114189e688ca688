/**
 * The proxy model of `simulate`: multinomial logistic (softmax) regression on the vectors,
 * L2-regularised, fitted by accelerated gradient descent (Nesterov's constant momentum for
 * strongly convex losses). Coleman et al., "Selection via Proxy" (ICLR 2020), is why a small
 * proxy is enough to rank selection methods.
 *
 * Both products of every step, X·W and Xᵀ(P − Y), run through BLAS on fixed-point factors
 * (exact-products.ts), so OpenBLAS and the TypeScript twin give bit-identical weights; the
 * rest (softmax, the update) is TypeScript.
 */
import type { Blas } from "../../ffi/blas.ts";
import { bitsLeft, exactProduct, exactTransposedProduct, toFixedPoint, TRANSPOSED_BLOCK_BITS, type FixedPoint } from "./exact-products.ts";

/** Bits of the fixed-point design matrix: 2^-16 of the largest standardised value is far below any signal. */
export const DESIGN_BITS = 16;

export interface SoftmaxModel {
  /** (features + 1) × classes, row-major; the last row is the bias. */
  weights: Float64Array;
  features: number;
  classes: number;
}

export interface FitOptions {
  /** L2 penalty on the weights (not the bias), per row of the mean loss. Default 1e-3. */
  l2?: number;
  /** Most gradient steps. Default 300. */
  maxIterations?: number;
  /** Stop when no gradient entry exceeds this. Default 1e-5. */
  tolerance?: number;
  /** Weights to start from (a warm start from the last round), or null for zeros. */
  start?: Float64Array | null;
}

/**
 * The design matrix of `vectors` (rows × cols): each column standardised with the given
 * means and spreads, a bias column of ones appended, in fixed point.
 */
export function designMatrix(vectors: ArrayLike<number>, rows: number, cols: number,
  standardise: { mean: Float64Array; scale: Float64Array }): FixedPoint {
  const width = cols + 1;
  const values = new Float64Array(rows * width);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) values[i * width + j] = (vectors[i * cols + j]! - standardise.mean[j]!) / standardise.scale[j]!;
    values[i * width + cols] = 1;
  }
  return toFixedPoint(values, rows, width, DESIGN_BITS);
}

/** Per-column mean and standard deviation (1 where a column is constant), in row order. */
export function columnMoments(vectors: ArrayLike<number>, rows: number, cols: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(cols), scale = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += vectors[i * cols + j]!;
  for (let j = 0; j < cols; j++) mean[j]! /= rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) scale[j]! += (vectors[i * cols + j]! - mean[j]!) ** 2;
  for (let j = 0; j < cols; j++) scale[j] = scale[j]! > 0 ? Math.sqrt(scale[j]! / rows) : 1;
  return { mean, scale };
}

/** The rows `rows` of a fixed-point matrix, as a new one (integers copied, so still exact). */
export function takeRows(x: FixedPoint, rows: ArrayLike<number>): FixedPoint {
  const data = new Float64Array(rows.length * x.cols);
  for (let k = 0; k < rows.length; k++) data.set(x.data.subarray(rows[k]! * x.cols, (rows[k]! + 1) * x.cols), k * x.cols);
  return { ...x, data, rows: rows.length };
}

/** Fits the model to design rows `x` with labels in [0, classes). */
export function fitSoftmaxRegression(blas: Blas, x: FixedPoint, labels: Int32Array, classes: number, options: FitOptions = {}): SoftmaxModel {
  const l2 = options.l2 ?? 1e-3, maxIterations = options.maxIterations ?? 300, tolerance = options.tolerance ?? 1e-5;
  const m = x.rows, width = x.cols;
  if (labels.length !== m) throw new RangeError(`fitSoftmaxRegression: ${m} rows but ${labels.length} labels`);
  if (m === 0) throw new RangeError("fitSoftmaxRegression: no rows to fit");
  // Step 1/L with L = ½·λmax(XᵀX/m) + l2 bounds the loss's curvature (softmax Hessians ≤ ½).
  // Power iteration approaches λmax from below: 10% headroom keeps the step stable.
  const curvature = 0.55 * largestEigenvalue(exactTransposedProduct(blas, x, x), width) / m + l2;
  const step = 1 / curvature;
  const root = Math.sqrt(curvature / l2);
  const momentum = (root - 1) / (root + 1);

  let w = options.start ? Float64Array.from(options.start) : new Float64Array(width * classes);
  let previous = Float64Array.from(w);
  const ahead = new Float64Array(w.length);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    for (let i = 0; i < w.length; i++) ahead[i] = w[i]! + momentum * (w[i]! - previous[i]!);
    const gradient = lossGradient(blas, x, labels, classes, ahead, l2);
    previous = w;
    w = new Float64Array(w.length);
    let largest = 0;
    for (let i = 0; i < w.length; i++) {
      w[i] = ahead[i]! - step * gradient[i]!;
      largest = Math.max(largest, Math.abs(gradient[i]!));
    }
    if (largest <= tolerance) break;
  }
  return { weights: w, features: width - 1, classes };
}

/** Class probabilities (rows × classes) for design rows `x`. */
export function predictProbabilities(blas: Blas, model: SoftmaxModel, x: FixedPoint): Float64Array {
  const logits = exactProduct(blas, x, weightsFixedPoint(model.weights, x, model.classes));
  softmaxRows(logits, x.rows, model.classes);
  return logits;
}

/** Gradient of mean cross-entropy + (l2/2)·‖W without bias‖² at weights w. */
function lossGradient(blas: Blas, x: FixedPoint, labels: Int32Array, classes: number, w: Float64Array, l2: number): Float64Array {
  const m = x.rows;
  const residual = exactProduct(blas, x, weightsFixedPoint(w, x, classes));
  softmaxRows(residual, m, classes);
  for (let i = 0; i < m; i++) residual[i * classes + labels[i]!]! -= 1;
  const residualBits = bitsLeft(x.bits, 2 ** TRANSPOSED_BLOCK_BITS);
  const gradient = exactTransposedProduct(blas, x, toFixedPoint(residual, m, classes, residualBits));
  const biasStart = (x.cols - 1) * classes;
  for (let i = 0; i < gradient.length; i++) gradient[i] = gradient[i]! / m + (i < biasStart ? l2 * w[i]! : 0);
  return gradient;
}

function weightsFixedPoint(w: Float64Array, x: FixedPoint, classes: number): FixedPoint {
  return toFixedPoint(w, x.cols, classes, bitsLeft(x.bits, x.cols));
}

/** Row-wise softmax in place, shifted by each row's largest logit. */
function softmaxRows(values: Float64Array, rows: number, classes: number): void {
  for (let i = 0; i < rows; i++) {
    const base = i * classes;
    let largest = -Infinity;
    for (let c = 0; c < classes; c++) largest = Math.max(largest, values[base + c]!);
    let total = 0;
    for (let c = 0; c < classes; c++) { values[base + c] = Math.exp(values[base + c]! - largest); total += values[base + c]!; }
    for (let c = 0; c < classes; c++) values[base + c]! /= total;
  }
}

/** λmax of a symmetric n×n matrix by power iteration (60 steps from the all-ones vector; ≥ the true value's 0.9 is enough for a step size). */
function largestEigenvalue(matrix: Float64Array, n: number): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let value = 0;
  for (let iteration = 0; iteration < 60; iteration++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += matrix[i * n + j]! * v[j]!;
      next[i] = sum;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += next[i]! * next[i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) return 0;
    value = norm;
    for (let i = 0; i < n; i++) next[i]! /= norm;
    v = next;
  }
  return value;
}

/**
 * The yardstick for the BLAS suite: naive GEMM/GEMV in float64 straight from the definition,
 * with an error bound per element, and helpers that lay matrices out inside larger buffers
 * (offsets, padded rows) so the suite can check that backends touch only what they should.
 */
import { Rng } from "../../src/rng.ts";

export type Floats = Float32Array | Float64Array;
export type FloatsType = Float32ArrayConstructor | Float64ArrayConstructor;

/** Expected values of an m×n (or length-m) result, packed, and Σ|term| per element for the bound. */
export interface Expected {
  values: Float64Array;
  magnitudes: Float64Array;
}

const at = (x: Floats, rowMajorIndex: number): number => x[rowMajorIndex]!;

/** alpha·op(A)·op(B) + beta·C from the definition; C is not read when beta is 0, as in CBLAS. */
export function referenceGemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Floats, lda: number, b: Floats, ldb: number, beta: number, c: Floats,
  ldc: number): Expected {
  const values = new Float64Array(m * n);
  const magnitudes = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let magnitude = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? at(a, p * lda + i) : at(a, i * lda + p);
        const bpj = transB ? at(b, j * ldb + p) : at(b, p * ldb + j);
        sum += aip * bpj;
        magnitude += Math.abs(alpha * aip * bpj);
      }
      const cij = beta === 0 ? 0 : beta * at(c, i * ldc + j);
      values[i * n + j] = alpha * sum + cij;
      magnitudes[i * n + j] = magnitude + Math.abs(cij);
    }
  }
  return { values, magnitudes };
}

/** alpha·op(A)·x + beta·y from the definition, A m×n; y is not read when beta is 0. */
export function referenceGemv(trans: boolean, m: number, n: number, alpha: number, a: Floats,
  lda: number, x: Floats, beta: number, y: Floats): Expected {
  const outLength = trans ? n : m;
  const inLength = trans ? m : n;
  const values = new Float64Array(outLength);
  const magnitudes = new Float64Array(outLength);
  for (let i = 0; i < outLength; i++) {
    let sum = 0;
    let magnitude = 0;
    for (let j = 0; j < inLength; j++) {
      const aij = trans ? at(a, j * lda + i) : at(a, i * lda + j);
      sum += aij * at(x, j);
      magnitude += Math.abs(alpha * aij * at(x, j));
    }
    const yi = beta === 0 ? 0 : beta * at(y, i);
    values[i] = alpha * sum + yi;
    magnitudes[i] = magnitude + Math.abs(yi);
  }
  return { values, magnitudes };
}

/**
 * The largest error allowed for a sum of `terms` products: the classic bound
 * |error| ≤ γ·Σ|term| with γ ≈ terms·u, here (terms + 2)·u to cover the scaling by beta and the
 * final store, doubled for slack. u is 2⁻²⁴ for float32 and 2⁻⁵³ for float64.
 */
export function tolerance(type: FloatsType, terms: number, magnitude: number): number {
  const unitRoundoff = type === Float32Array ? 2 ** -24 : 2 ** -53;
  return 2 * (terms + 2) * unitRoundoff * magnitude;
}

/** A matrix laid out inside a larger buffer: `view` starts `offset` elements in. */
export interface Placed<T extends Floats> {
  buffer: T;
  view: T;
  offset: number;
}

/**
 * A rows×cols matrix with row stride `ld`, placed `offset` elements into a buffer with a few
 * spare elements after it. Every element, padding included, is random in [-1, 1), so a backend
 * that reads padding gets a visibly wrong answer.
 */
export function placeMatrix<T extends Floats>(type: { new (length: number): T }, rng: Rng,
  rows: number, cols: number, ld: number, offset: number): Placed<T> {
  const length = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
  const buffer = new type(offset + length + 3);
  for (let i = 0; i < buffer.length; i++) buffer[i] = rng.nextFloat() * 2 - 1;
  return { buffer, view: buffer.subarray(offset, offset + length) as T, offset };
}

/** The indices of `placed.buffer` that hold the rows×cols matrix (everything else is padding). */
export function isInside(placed: Placed<Floats>, cols: number, ld: number, index: number): boolean {
  const local = index - placed.offset;
  if (local < 0 || local >= placed.view.length) return false;
  return local % ld < cols;
}

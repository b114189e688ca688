/**
 * Matrix products that are the same on every BLAS backend, because they are exact.
 *
 * OpenBLAS and the TypeScript twin add in different orders (and OpenBLAS uses FMA), so a
 * float product differs in its last bits between them, and a model trained on those bits would
 * choose other rows. Here both factors are integers (fixed-point values times a power of two)
 * small enough that every partial sum stays below 2^53: then every order of addition, with or
 * without FMA, gives the one exact result, and GEMM may run wherever it runs fastest.
 */
import type { Blas } from "../../ffi/blas.ts";

/** Every integer up to this magnitude (and every sum of them below it) is exact in float64. */
const EXACT_BITS = 52;
/** Rows summed in one GEMM before the (exact) block results are added in TypeScript. */
const ROW_BLOCK_BITS = 12;
const ROW_BLOCK = 1 << ROW_BLOCK_BITS;

/** A row-major matrix of integers: value = data · 2^-exponent. */
export interface FixedPoint {
  data: Float64Array;
  rows: number;
  cols: number;
  /** The power of two the integers were scaled by. */
  exponent: number;
  /** Largest |integer| allowed in data, as a power of two. */
  bits: number;
}

/**
 * Rounds `values` (rows × cols) to integers of at most `bits` bits after scaling by a power
 * of two chosen from their largest magnitude: |integer| ≤ 2^(bits−1), and the rounding
 * error is at most 2^-(bits−1) of that magnitude.
 */
export function toFixedPoint(values: Float64Array, rows: number, cols: number, bits: number): FixedPoint {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]!));
  const exponent = largest === 0 ? 0 : bits - Math.ceil(Math.log2(largest)) - 1;
  const scale = 2 ** exponent;
  const data = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = Math.round(values[i]! * scale);
  return { data, rows, cols, exponent, bits };
}

/** Bits left for the second factor of a product whose sums run over `terms` products. */
export function bitsLeft(firstBits: number, terms: number): number {
  return EXACT_BITS - firstBits - Math.ceil(Math.log2(Math.max(terms, 2)));
}

/** A · B (rows × B.cols), exact: the sums run over A.cols ≤ 2^(52 − A.bits − B.bits) terms. */
export function exactProduct(blas: Blas, a: FixedPoint, b: FixedPoint): Float64Array {
  if (a.cols !== b.rows) throw new RangeError(`exactProduct: ${a.rows}×${a.cols} times ${b.rows}×${b.cols}`);
  if (a.bits + b.bits + Math.ceil(Math.log2(Math.max(a.cols, 2))) > EXACT_BITS) {
    throw new RangeError(`exactProduct: ${a.bits}+${b.bits} bits over ${a.cols} terms would not be exact`);
  }
  const out = new Float64Array(a.rows * b.cols);
  blas.dgemm(false, false, a.rows, b.cols, a.cols, 1, a.data, a.cols, b.data, b.cols, 0, out, b.cols);
  const unscale = 2 ** -(a.exponent + b.exponent);
  for (let i = 0; i < out.length; i++) out[i]! *= unscale;
  return out;
}

/**
 * Aᵀ · B (A.cols × B.cols), with the sum over rows split into blocks of 2^12 rows: each
 * block's GEMM is exact, and the blocks are added in a fixed order.
 */
export function exactTransposedProduct(blas: Blas, a: FixedPoint, b: FixedPoint): Float64Array {
  if (a.rows !== b.rows) throw new RangeError(`exactTransposedProduct: (${a.rows}×${a.cols})ᵀ times ${b.rows}×${b.cols}`);
  if (a.bits + b.bits + ROW_BLOCK_BITS > EXACT_BITS) {
    throw new RangeError(`exactTransposedProduct: ${a.bits}+${b.bits} bits over blocks of ${ROW_BLOCK} rows would not be exact`);
  }
  const total = new Float64Array(a.cols * b.cols);
  const block = new Float64Array(a.cols * b.cols);
  for (let start = 0; start < a.rows; start += ROW_BLOCK) {
    const rows = Math.min(ROW_BLOCK, a.rows - start);
    blas.dgemm(true, false, a.cols, b.cols, rows, 1,
      a.data.subarray(start * a.cols), a.cols, b.data.subarray(start * b.cols), b.cols, 0, block, b.cols);
    for (let i = 0; i < total.length; i++) total[i]! += block[i]!;
  }
  const unscale = 2 ** -(a.exponent + b.exponent);
  for (let i = 0; i < total.length; i++) total[i]! *= unscale;
  return total;
}

/** The largest row-block exactTransposedProduct sums in one GEMM (for callers sizing their bits). */
export const TRANSPOSED_BLOCK_BITS = ROW_BLOCK_BITS;

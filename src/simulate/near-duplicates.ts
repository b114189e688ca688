/**
 * Which pool rows sit within a distance of some test row: near-duplicates of a test row
 * (video frames, re-crawled pages, augmented copies) would hand its label to the model and
 * flatter every strategy that picks them. `simulate` leaves them out of the pool.
 *
 * The distances are decided exactly: vectors in fixed point, dot products by exact GEMM
 * (exact-products.ts), squared norms summed as integers; so the same rows are left out on
 * every backend, however close a distance is to the threshold.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import { exactProduct, toFixedPoint, type FixedPoint } from "./exact-products.ts";

/** Pool rows multiplied against the test rows in one GEMM (bounds the product's memory). */
const BLOCK_ROWS = 2048;

/** Per row of `pool`, 1 when some row of `test` is closer than `distance` (euclidean). */
export function nearRows(blas: Blas, pool: Matrix, test: Matrix, distance: number): Uint8Array {
  const near = new Uint8Array(pool.rows);
  if (distance <= 0 || test.rows === 0 || pool.rows === 0) return near;
  const dim = pool.cols;
  // Both factors share one scale, so integer distances compare with one integer threshold.
  const bits = Math.floor((52 - Math.ceil(Math.log2(Math.max(dim, 2)))) / 2) - 1;
  const both = new Float64Array((pool.rows + test.rows) * dim);
  both.set(pool.data);
  both.set(test.data, pool.rows * dim);
  const fixed = toFixedPoint(both, pool.rows + test.rows, dim, bits);
  const squaredNorm = (row: number) => {
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += fixed.data[row * dim + j]! ** 2;
    return sum;
  };
  const testNorms = Float64Array.from({ length: test.rows }, (_, t) => squaredNorm(pool.rows + t));
  const transposed = new Float64Array(dim * test.rows);
  for (let t = 0; t < test.rows; t++) for (let j = 0; j < dim; j++) transposed[j * test.rows + t] = fixed.data[(pool.rows + t) * dim + j]!;
  const testT: FixedPoint = { data: transposed, rows: dim, cols: test.rows, exponent: 0, bits };
  const limit = (distance * 2 ** fixed.exponent) ** 2;
  for (let start = 0; start < pool.rows; start += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, pool.rows - start);
    const block: FixedPoint = { data: fixed.data.subarray(start * dim, (start + rows) * dim), rows, cols: dim, exponent: 0, bits };
    const dots = exactProduct(blas, block, testT);
    for (let r = 0; r < rows; r++) {
      const norm = squaredNorm(start + r);
      for (let t = 0; t < test.rows; t++) {
        if (norm + testNorms[t]! - 2 * dots[r * test.rows + t]! < limit) { near[start + r] = 1; break; }
      }
    }
  }
  return near;
}

/**
 * Rows centred on a mean, a block at a time, for projection.ts's GEMM: x − μ in float64, rounded
 * to float32, and each row's norm ‖x − μ‖ (its squares summed in float64, in some order: the
 * projection's error terms hold for any). float32 rows in kernel memory are centred by the
 * centre_rows_f32_many kernel, split by rows across the worker threads; other rows by a
 * TypeScript loop. Each row's values and norm are computed by one thread, so they do not
 * depend on the thread count.
 */
import type { Matrix } from "../matrix.ts";
import { allocFloat32, allocFloat64, allocInt32, inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";

export interface CentredBlock {
  /** count × cols float32, row-major. */
  block: Float32Array;
  /** Per row: ‖x − μ‖ computed from the float64 differences (before their rounding to float32). */
  norms: Float64Array;
}

export class CentredBlocks {
  readonly #points: Matrix;
  readonly #rowOf: Uint32Array | null;
  readonly #mean: Float64Array;
  readonly #kernel: { params: Int32Array; block: Float32Array; norms: Float64Array; mean: Float64Array } | null;
  readonly #block: Float32Array;
  readonly #norms: Float64Array;

  /** Blocks of up to `blockRows` rows of `points`, centred on `mean`; with `rowOf`, row r is points' row rowOf[r]. */
  constructor(points: Matrix, mean: Float64Array, blockRows: number, rowOf: Uint32Array | null = null) {
    this.#points = points;
    this.#rowOf = rowOf;
    this.#mean = mean;
    const rows = Math.min(blockRows, points.rows), { cols } = points;
    this.#kernel = points.data instanceof Float32Array && inKernelMemory(points.data) ? kernelScratch(rows, cols) : null;
    if (this.#kernel) {
      this.#kernel.mean.set(mean);
      this.#kernel.params.set([this.#kernel.mean.byteOffset, this.#kernel.block.byteOffset, this.#kernel.norms.byteOffset]);
    }
    this.#block = this.#kernel?.block.subarray(0, rows * cols) ?? new Float32Array(rows * cols);
    this.#norms = this.#kernel?.norms.subarray(0, rows) ?? new Float64Array(rows);
  }

  /** Rows first .. first+count−1 centred (count ≤ blockRows); valid until the next call. */
  centre(first: number, count: number): CentredBlock {
    const { cols, data } = this.#points, block = this.#block, norms = this.#norms;
    const rowOf = this.#rowOf, rowAt = (r: number) => (rowOf ? rowOf[r]! : r);
    if (this.#kernel) {
      const { idx } = manyScratch(count);
      for (let i = 0; i < count; i++) idx[i] = rowAt(first + i);
      runMany("centre_rows_f32_many", this.#kernel.params.byteOffset, data.byteOffset, 4 * cols, idx.byteOffset, count, cols, norms.byteOffset);
    } else {
      const mean = this.#mean;
      for (let r = 0; r < count; r++) {
        let norm = 0;
        const at = rowAt(first + r) * cols;
        for (let j = 0; j < cols; j++) {
          const v = data[at + j]! - mean[j]!;
          block[r * cols + j] = v; // rounds to float32
          norm += v * v;
        }
        norms[r] = Math.sqrt(norm);
      }
    }
    return { block: block.subarray(0, count * cols), norms: norms.subarray(0, count) };
  }
}

/** The kernel's buffers, kept between calls and grown as needed (kernel memory is never freed). */
let scratch: { params: Int32Array; block: Float32Array; norms: Float64Array; mean: Float64Array } | null = null;

/** Buffers for `rows` rows of `cols` in kernel memory; null when it has no room (the TypeScript loop centres then). */
function kernelScratch(rows: number, cols: number): typeof scratch {
  try {
    const current = scratch;
    scratch = {
      params: current?.params ?? allocInt32(3),
      block: current && current.block.length >= rows * cols ? current.block : allocFloat32(rows * cols),
      norms: current && current.norms.length >= rows ? current.norms : allocFloat64(rows),
      mean: current && current.mean.length >= cols ? current.mean : allocFloat64(cols),
    };
    return scratch;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

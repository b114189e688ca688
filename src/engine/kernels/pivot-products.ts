/**
 * locality.ts's nearest-pivot search with its products on every thread: each thread takes rows,
 * multiplies a block of them by the pivots itself (OpenBLAS on the calling thread, into the
 * thread's own scratch) and runs nearest_pivot_f32_many over the block's dot products.
 *
 * Why: with OpenBLAS's pool running the products and the engine's workers the argmin, the two
 * took turns on the cores once per 4096-row block, each turn a thread to wake; on 1M×128 rows
 * two threads then did the step in 430-580 ms against 650-720 on one. The same products split
 * by rows between threads that each call sgemm took 285-312 ms, as fast as the pool alone.
 *
 * `pivotProductsKernel` is copied into the workers as source text (worker-source.ts), so it
 * names nothing outside itself: the slot table comes as `slots`.
 */
import type { ProductNT } from "../../../ffi/blas.ts";
import type { ManyKernel } from "./kernels.ts";

/** Int32 slots of the job's constants, at the kernel's c (byte offsets into kernel memory, counts). */
export const PIVOT_PRODUCT_SLOTS = {
  /** The pivots, float32, p × dim. */
  pivots: 0,
  /** Their squared norms, float64. */
  norms: 1,
  dim: 2,
  /** Thread t's scratch starts at scratch + t·scratchBytes: p rows of `stride` float32s. */
  scratch: 3,
  scratchBytes: 4,
  stride: 5,
  /** A uint32 0: the argmin kernel's first column within the scratch. */
  zero: 6,
  /** Rows a product takes at most (the scratch's columns). */
  blockRows: 7,
} as const;
export const PIVOT_PRODUCT_CONSTANTS = 8;

/**
 * The kernel for one thread (`slot`: 0 the main thread, worker w at w + 1), in the `_many`
 * calling convention: rows idx[0] .. idx[0]+count−1 of the float32 matrix at base (rows `width`
 * bytes apart; idx counts up), their nearest of the n pivots into out[0..count) as float64.
 */
export function pivotProductsKernel(argmin: ManyKernel, product: ProductNT, memory: WebAssembly.Memory, slot: number,
  slots: typeof PIVOT_PRODUCT_SLOTS): ManyKernel {
  return (c, base, width, idx, count, n, out) => {
    const buffer = memory.buffer; // read each time: a grown memory hands out a larger buffer
    const at = new Int32Array(buffer, c, 8);
    const dim = at[slots.dim]!, stride = at[slots.stride]!, blockRows = at[slots.blockRows]!;
    const scratch = at[slots.scratch]! + slot * at[slots.scratchBytes]!;
    const pivots = new Float32Array(buffer, at[slots.pivots]!, n * dim), block = new Float32Array(buffer, scratch, n * stride);
    const first = new Uint32Array(buffer, idx, 1)[0]!;
    for (let done = 0; done < count; done += blockRows) {
      const rows = Math.min(blockRows, count - done);
      product(n, rows, dim, pivots, new Float32Array(buffer, base + (first + done) * width, rows * dim), block, stride);
      argmin(at[slots.norms]!, scratch, 4 * stride, at[slots.zero]!, rows, n, out + 8 * done);
    }
  };
}

/**
 * Kernels whose threads each run their own OpenBLAS products: every thread takes blocks of rows,
 * multiplies them itself (sgemm on the calling thread, into its own scratch) and runs the
 * WebAssembly kernels over the result.
 *
 * Why: with OpenBLAS's pool running the products and the engine's workers the kernels around
 * them, the two took turns on the cores once per block, each turn a sleeping thread to wake. On
 * 1M×128 rows locality.ts's pivot step then took 430-580 ms on two threads against 650-720 ms
 * on one; the same products split by rows between two threads that each call sgemm took
 * 285-312 ms, as fast as the pool alone. projection.ts's centring and projection took longer on
 * two threads than on one (192-275 ms against 142-150 ms on the raw Fashion-MNIST images).
 *
 * The kernels take the `_many` calling convention over blocks of rows; the threads run them
 * through threads.ts's runJsKernel. Each is built per thread from the WebAssembly exports, that
 * thread's product and its slot (0 the main thread, worker w at w + 1: which scratch it uses).
 * The factories are copied into the workers as source text (worker-source.ts), so each names
 * nothing outside itself: its slot table comes as `slots`.
 */
import type { ProductNT } from "../../../ffi/blas.ts";
import type { ManyKernel } from "./kernels.ts";

/** The WebAssembly kernels the factories call, on the thread's own instance. */
export interface ProductExports {
  nearest_pivot_f32_many: ManyKernel;
  centre_rows_f32_many: ManyKernel;
  sqdist_f32_many: ManyKernel;
}

/**
 * Both kernels take blocks of rows by number (idx[0], idx[0]+1, …: idx counts up, so a chunk's
 * first entry is its first block): block b is rows b·blockRows .. (b+1)·blockRows − 1 (the last
 * cut short). Every product then has the rows it has on one thread, since OpenBLAS's results
 * depend on a product's shape (and on its own thread count: these run on one each). Their
 * per-row results go to arrays named in their constants; `base` and `width` are the rows'.
 */

/** Int32 slots of nearest_pivot_products' constants, at the kernel's c (byte offsets into kernel memory, counts). */
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
  /** uint32 0, 1, 2, …, one per row (the argmin kernel's first column within the scratch: 0). */
  counting: 6,
  blockRows: 7,
  rows: 8,
  /** Out: each row's nearest pivot, float64. */
  nearest: 9,
} as const;
export const PIVOT_PRODUCT_CONSTANTS = Object.keys(PIVOT_PRODUCT_SLOTS).length;

/** locality.ts's nearest-pivot search over blocks of rows: P·Xᵀ for a block, then nearest_pivot_f32_many over it; n pivots. */
export function pivotProductsKernel(exports: ProductExports, product: ProductNT, memory: WebAssembly.Memory, slot: number,
  slots: typeof PIVOT_PRODUCT_SLOTS): ManyKernel {
  return (c, base, width, idx, count, n) => {
    const buffer = memory.buffer; // read each time: a grown memory hands out a larger buffer
    const at = new Int32Array(buffer, c, Object.keys(slots).length);
    const dim = at[slots.dim]!, stride = at[slots.stride]!, blockRows = at[slots.blockRows]!, rowsInAll = at[slots.rows]!;
    const scratch = at[slots.scratch]! + slot * at[slots.scratchBytes]!;
    const pivots = new Float32Array(buffer, at[slots.pivots]!, n * dim), block = new Float32Array(buffer, scratch, n * stride);
    const first = new Uint32Array(buffer, idx, 1)[0]!;
    for (let b = first; b < first + count; b++) {
      const r0 = b * blockRows, rows = Math.min(blockRows, rowsInAll - r0);
      product(n, rows, dim, pivots, new Float32Array(buffer, base + r0 * width, rows * dim), block, stride);
      exports.nearest_pivot_f32_many(at[slots.norms]!, scratch, 4 * stride, at[slots.counting]!, rows, n, at[slots.nearest]! + 8 * r0);
    }
  };
}

/** Int32 slots of project_rows' constants (byte offsets into kernel memory, counts); per stage, three slots from `stage`. */
export const PROJECT_ROW_SLOTS = {
  /** μ, float64, one per column. */
  mean: 0,
  /** Stages (levels). */
  stages: 1,
  /** Thread t's scratch starts at scratch + t·scratchBytes: the centring kernel's three pointers (16 bytes), blockRows float64 norms, blockRows centred rows. */
  scratch: 2,
  scratchBytes: 3,
  blockRows: 4,
  /** A row of float32 zeros as wide as the widest stage (Σ p² as the squared distance to it). */
  zero: 5,
  /** uint32 0, 1, 2, …, one per row (the row lists the kernels read). */
  counting: 6,
  rows: 7,
  /** Out: ‖x − μ‖ per row, float64. */
  norms: 8,
  /** Out: Σ p² per row and stage, float64: stage l's row r at heads + 8·(l·rows + r). */
  heads: 9,
  /** uint32 per row: the row of the matrix it is read from (counting for rows in place; projection.ts's rowOf). */
  rowOf: 10,
  /** Stage l: its block (rows × n float32), n, and its axes (n × cols float32), at stage + 3l, + 1, + 2. */
  stage: 11,
} as const;
/** Stages project_rows takes at most. */
export const PROJECT_ROW_MAX_STAGES = 8;
export const PROJECT_ROW_CONSTANTS = PROJECT_ROW_SLOTS.stage + 3 * PROJECT_ROW_MAX_STAGES;

/**
 * projection.ts's projection over blocks of rows (`cols` values each): a block centred by
 * centre_rows_f32_many (‖x − μ‖ into norms), then for each stage its coordinates A_l·(x − μ) by
 * one product into the stage's block, and Σ p² of them by sqdist_f32_many against zeros. Row r
 * of a block is the matrix row rowOf[r]; its results land at r.
 */
export function projectRowsKernel(exports: ProductExports, product: ProductNT, memory: WebAssembly.Memory, slot: number,
  slots: typeof PROJECT_ROW_SLOTS): ManyKernel {
  return (c, base, width, idx, count, cols) => {
    const buffer = memory.buffer;
    const stages = new Int32Array(buffer, c, slots.stage)[slots.stages]!;
    const at = new Int32Array(buffer, c, slots.stage + 3 * stages);
    const blockRows = at[slots.blockRows]!, rowsInAll = at[slots.rows]!, counting = at[slots.counting]!;
    const scratch = at[slots.scratch]! + slot * at[slots.scratchBytes]!, norms = scratch + 16, centredAt = norms + 8 * blockRows;
    new Int32Array(buffer, scratch, 3).set([at[slots.mean]!, centredAt, norms]);
    const first = new Uint32Array(buffer, idx, 1)[0]!;
    for (let b = first; b < first + count; b++) {
      const r0 = b * blockRows, rows = Math.min(blockRows, rowsInAll - r0);
      exports.centre_rows_f32_many(scratch, base, width, at[slots.rowOf]! + 4 * r0, rows, cols, norms);
      new Float64Array(buffer, at[slots.norms]! + 8 * r0, rows).set(new Float64Array(buffer, norms, rows));
      const centred = new Float32Array(buffer, centredAt, rows * cols);
      for (let l = 0; l < stages; l++) {
        const block = at[slots.stage + 3 * l]!, n = at[slots.stage + 3 * l + 1]!, axes = at[slots.stage + 3 * l + 2]!;
        product(rows, n, cols, centred, new Float32Array(buffer, axes, n * cols), new Float32Array(buffer, block + 4 * r0 * n, rows * n), n);
        exports.sqdist_f32_many(at[slots.zero]!, block, 4 * n, counting + 4 * r0, rows, n, at[slots.heads]! + 8 * (l * rowsInAll + r0));
      }
    }
  };
}

/** Every kernel here by its job name (threads.ts numbers them after the WebAssembly ones), with its slot table (the workers build theirs from these). */
export const THREAD_PRODUCT_KERNELS = {
  nearest_pivot_products: { factory: pivotProductsKernel, slots: PIVOT_PRODUCT_SLOTS },
  project_rows: { factory: projectRowsKernel, slots: PROJECT_ROW_SLOTS },
} as const;

/**
 * The WebAssembly distance kernels and the memory they read.
 *
 * Hot loops (k-center, k-means++) measure one row against another millions of times; a plain
 * TypeScript loop manages ~190 ns for 128 floats, the SIMD kernel a fraction of that. Vectors
 * the kernels read must live in the kernels' memory, so the pool allocates them here.
 *
 * The memory is shared (SharedArrayBuffer-backed): growing it does not detach the typed arrays
 * already handed out. It is never freed: the binary runs one job per process. wasm32 caps it
 * at 4 GiB; past that, allocation fails and callers fall back to TypeScript loops.
 */
import { DISTANCE_WASM } from "./wasm.ts";

/** One row against rows idx[0..count) of a matrix: (c, base, rowBytes, idx, count, n, out) → out[i]. */
export type ManyKernel = (c: number, base: number, width: number, idx: number, count: number, n: number, out: number) => void;

interface DistanceExports {
  sqdist_f32_many: ManyKernel;
  sqdist_f32_narrow_many: ManyKernel;
  dot_f32_many: ManyKernel;
  sqdist_f64_many: ManyKernel;
  dot_f64_many: ManyKernel;
  sqdist_f32(a: number, b: number, n: number): number;
  sqdist_f32_narrow(a: number, b: number, n: number): number;
  dot_f32(a: number, b: number, n: number): number;
  sqdist_f64(a: number, b: number, n: number): number;
  dot_f64(a: number, b: number, n: number): number;
  /** One stage of projection.ts's screen (c a row index, base its constants; see distance.wat). */
  screen_f32_many: ManyKernel;
  /** projection.ts's int8 prefilter (c a row index, base its constants; see distance.wat). */
  screen_i8_many: ManyKernel;
  /** locality.ts's row gather (c the destination, out 8 × its first position; see distance.wat). */
  gather_rows_many: ManyKernel;
  touch_pages_many: ManyKernel;
  /** locality.ts's nearest-pivot search over a block of dot products (c the pivots' squared norms; see distance.wat). */
  nearest_pivot_f32_many: ManyKernel;
  /** row-mean.ts's column sums by blocks of rows (c its constants, idx block numbers; see distance.wat). */
  column_sums_f32_many: ManyKernel;
  /** Squared distances of float32 rows to a float64 vector at c (row-mean.ts; see distance.wat). */
  sqdist_f32_f64_many: ManyKernel;
  /** One pick of kcenter-cells.ts's greedy loop over cells (c the new center, base its layout; see distance.wat). */
  kcenter_cells_many: ManyKernel;
  /** kcenter-cells.ts's setup by blocks: each row's distance to its cell's pivot, each block's reach and farthest row (base the layout). */
  kcenter_cells_setup_many: ManyKernel;
  /** projection.ts's centring: float32 rows minus a float64 mean, into a block, and their norms (c its constants; see distance.wat). */
  centre_rows_f32_many: ManyKernel;
  /** Each row's largest magnitude (projection.ts's int8 scale; c unused). */
  max_abs_f32_many: ManyKernel;
  /** projection.ts's int8 codes and their rounding (c its constants; see distance.wat). */
  quantise_i8_many: ManyKernel;
  /** locality.ts's in-place reordering, on the calling thread (base, rowBytes, order, count, marks, saved; see distance.wat). */
  permute_rows(base: number, width: number, order: number, count: number, marks: number, saved: number): void;
}

/** The `_many` kernels by number: worker threads (threads.ts) are told which to run by its index here. */
export const MANY_KERNELS = ["sqdist_f32_many", "sqdist_f32_narrow_many", "dot_f32_many", "sqdist_f64_many", "dot_f64_many"] as const;
/**
 * Every kernel the worker threads run, by number: the distance kernels, projection.ts's screens
 * (their constants in kernel memory), locality.ts's gather and nearest-pivot search, row-mean.ts's
 * column sums and distances to the mean, kcenter-cells.ts's pick and setup, projection.ts's centring and int8 codes.
 */
export const THREADED_KERNELS = [...MANY_KERNELS, "screen_f32_many", "screen_i8_many", "gather_rows_many", "touch_pages_many", "nearest_pivot_f32_many",
  "column_sums_f32_many", "sqdist_f32_f64_many", "kcenter_cells_many", "kcenter_cells_setup_many", "centre_rows_f32_many", "max_abs_f32_many",
  "quantise_i8_many"] as const;
export type ManyKernelName = (typeof THREADED_KERNELS)[number];

const PAGE = 65536;
/** wasm32's 4 GiB. */
const MAX_PAGES = 65536;
/** Worker threads instantiate the same module over this same memory (threads.ts). */
export const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
/**
 * The compiled module: worker threads instantiate this same one (threads.ts posts it), so the
 * runtime compiles it once and its hot functions' optimised code serves every thread, instead
 * of each worker compiling and tiering up its own copy on the cores the scans need.
 */
export const distanceModule = new WebAssembly.Module(Uint8Array.from(atob(DISTANCE_WASM), (c) => c.charCodeAt(0)));
const instance = new WebAssembly.Instance(distanceModule, { env: { memory } });
export const kernels = instance.exports as unknown as DistanceExports;

/** Every buffer object the memory has had (each grow hands out a new one). */
const buffers = new WeakSet<ArrayBufferLike>([memory.buffer]);
let top = 64; // byte 0 stays unused so no array starts at pointer 0

/** The next 16-byte boundary at or after `offset`, for v128 loads (arithmetic, not bitwise: offsets pass 2^31 past 2 GiB). */
export function alignUp(offset: number): number {
  return Math.ceil(offset / 16) * 16;
}

/**
 * What an allocation is for. "data" (vectors, copies, coordinates, codes: each has a way on
 * without kernel memory) may fill it up to DATA_CEILING; "scratch" (the buffers the loops grow
 * as they go, where running out has no way back) may use the whole 4 GiB.
 */
export type Room = "data" | "scratch";

/**
 * The last 256 MiB of kernel memory are kept for scratch: the `_many` kernels' row lists (12
 * bytes a row) and the projection's screen grow inside the greedy loops. With data leaving 1
 * MiB free, core-set on 200,000 rows ended in a RangeError there.
 */
const DATA_CEILING = 2 ** 32 - 2 ** 28;

function reserve(byteLength: number, room: Room = "data"): number {
  const start = alignUp(top);
  const end = start + byteLength;
  if (room === "data" && end > DATA_CEILING) throw new RangeError(`kernel memory: no room for ${byteLength} more bytes of data`);
  if (end > memory.buffer.byteLength) grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
  top = end;
  return start;
}

/**
 * Grows the memory by at least `needed` pages, and by half its size when there is room. Each
 * grow hands out a new buffer object as large as the whole memory, which the runtime's
 * collector counts as that much fresh allocation: grown page by page as arrays came, a 1M×128
 * core-set grew it 17 times, and the collections that set off (57–157 ms each) landed in the
 * threaded scans. Pages never written take no physical memory.
 */
function grow(needed: number): void {
  const pages = memory.buffer.byteLength / PAGE;
  const ahead = Math.min(Math.max(needed, Math.ceil(pages / 2)), MAX_PAGES - pages);
  try {
    memory.grow(ahead); // throws RangeError past 4 GiB
  } catch (error) {
    if (!(error instanceof RangeError) || ahead <= needed) throw error;
    memory.grow(needed);
  }
  buffers.add(memory.buffer);
}

/** A zeroed Float32Array in kernel memory; throws RangeError when its room (Room) is full. */
export function allocFloat32(length: number, room: Room = "data"): Float32Array {
  const offset = reserve(length * 4, room); // before reading memory.buffer: reserve may grow it
  return new Float32Array(memory.buffer, offset, length);
}

/** A zeroed Int32Array in kernel memory (the worker threads' control block). */
export function allocInt32(length: number, room: Room = "data"): Int32Array {
  const offset = reserve(length * 4, room);
  return new Int32Array(memory.buffer, offset, length);
}

export function allocFloat64(length: number, room: Room = "data"): Float64Array {
  const offset = reserve(length * 8, room);
  return new Float64Array(memory.buffer, offset, length);
}

export function inKernelMemory(array: ArrayBufferView): boolean {
  return buffers.has(array.buffer);
}

/** The array itself when the kernels can read it, else a copy in kernel memory, else null (memory full). */
export function toKernelMemory<T extends Float32Array | Float64Array>(array: T): T | null {
  if (inKernelMemory(array)) return array;
  try {
    const copy = (array instanceof Float32Array ? allocFloat32(array.length) : allocFloat64(array.length)) as T;
    copy.set(array);
    return copy;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * A zeroed array for vectors the kernels will read: in kernel memory while it has room, an
 * ordinary array past 4 GiB (then the TypeScript loops measure it).
 */
export function allocVectors(float64: boolean, length: number): Float32Array | Float64Array {
  try {
    return float64 ? allocFloat64(length) : allocFloat32(length);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return float64 ? new Float64Array(length) : new Float32Array(length);
  }
}

/**
 * Reusable buffers in kernel memory for the `_many` kernels: row indices in, results out.
 * Grown by doubling; the old ones are left behind (kernel memory is never freed).
 */
let scratchIdx = new Uint32Array(0);
let scratchOut = new Float64Array(0);

export function manyScratch(count: number): { idx: Uint32Array; out: Float64Array } {
  if (scratchIdx.length < count) {
    const size = Math.max(1024, 2 ** Math.ceil(Math.log2(count)));
    const offset = reserve(size * 12, "scratch");
    scratchOut = new Float64Array(memory.buffer, offset, size);
    scratchIdx = new Uint32Array(memory.buffer, offset + size * 8, size);
    buffers.add(memory.buffer);
  }
  return { idx: scratchIdx, out: scratchOut };
}

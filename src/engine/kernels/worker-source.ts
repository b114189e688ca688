/**
 * The worker thread's whole program, as source text: started from a Blob URL, it needs no file
 * beside a `bun build --compile` binary and runs the same under Bun and Deno.
 *
 * A worker gets the kernels' shared memory and compiled module once, then serves jobs from a
 * control block in that memory (threads.ts): it waits for the job number to change, then takes
 * chunks of the job's rows (takeChunks) until none is left. The program is plain JavaScript (the
 * functions it shares with the main thread, takeChunks and thread-products.ts's kernels, are
 * copied in as source). Given the OpenBLAS library, it opens sgemm for those kernels (Bun's or
 * Deno's FFI; Deno needs --allow-ffi, as the main thread does).
 */

import { THREAD_PRODUCT_KERNELS } from "./thread-products.ts";

/** Int32 fields of the control block: one job at a time, shared by every thread. */
export const CONTROL_FIELDS = 48;
/** Field offsets; the two counters every thread updates sit on cache lines of their own. */
export const FIELD = {
  /** Bumped by the main thread for each job: workers wait for it to change. */
  job: 0,
  /** 1: workers leave. */
  stop: 1,
  /** Index into THREADED_KERNELS. */
  kernel: 2,
  /** The kernel's seven arguments for the whole row list: c, base, width, idx, count, n, out. */
  args: 3,
  /** Rows per chunk. */
  chunkRows: 10,
  /** Set to 1 when a kernel threw (a trap): the main thread raises it. */
  failed: 12,
  /** Workers that take part (slots 0..active−1): fewer THREADS idle the rest instead of ending them. */
  active: 13,
  /** 1: workers sleep now instead of polling (OpenBLAS's pool is about to take the cores); the next job clears it. */
  park: 14,
  /**
   * The claim word: the job's chunk count << 16 | the next chunk to take, taken by
   * compare-and-swap; LOCKED while the main thread writes a job.
   */
  claim: 16,
  /** Chunks finished. */
  completed: 32,
  /** Workers asleep on the job field: the main thread wakes them only when there are any. */
  sleepers: 33,
} as const;
/** The claim word while a job is written: its next chunk (0xffff) is never below its count. */
export const LOCKED = -1;
/** Chunks a job may have: the count must fit the claim word's 15 bits beside the next chunk's 16. */
export const MAX_CHUNKS = 0x7fff;
/**
 * How long a worker polls for the next job before it sleeps: the greedy loops split one or two
 * scans per pick, a few hundred microseconds apart, and waking a sleeping thread costs more
 * than that on a busy machine (a system call, and often a wait for a core).
 */
export const WORKER_SPIN_MS = 0.25;

/**
 * Takes chunks of the current job until none is left; returns how many it took.
 *
 * The claim word holds both the job's chunk count and the next chunk, so a thread sees whether
 * a chunk is left and takes it in one compare-and-swap on one word: a worker that wakes late
 * either finds the last job used up (or LOCKED) and takes nothing, or takes chunks of the job
 * now running. It reads the job's arguments only after taking them, and the main thread
 * cannot start the next job while a taken chunk is unfinished, so they are that job's.
 *
 * Each claim takes a share of the chunks left, 1/(2 × threads) of them and at least one (guided
 * scheduling): a job of hundreds of chunks (kcenter-cells.ts's blocks) costs a dozen claims,
 * each a cache line passed between cores (~160 ns one way here), and its last claims are
 * still single chunks that even out the threads' finish.
 * Shared by the main thread (threads.ts) and, as source text, the workers: it names nothing
 * outside itself (the field table comes as `F`), so a minifier's renaming cannot break the copy.
 */
export function takeChunks(ctrl: Int32Array, kernels: readonly ((...args: number[]) => void)[], F: typeof FIELD): number {
  let taken = 0;
  for (;;) {
    const word = Atomics.load(ctrl, F.claim);
    const chunk = word & 0xffff, chunks = word >>> 16;
    if (chunk >= chunks) return taken;
    const take = Math.max(1, Math.floor((chunks - chunk) / (2 * (ctrl[F.active]! + 1))));
    if (Atomics.compareExchange(ctrl, F.claim, word, word + take) !== word) continue;
    taken += take;
    const a = F.args, rows = ctrl[F.chunkRows]!, start = chunk * rows;
    const count = Math.min(rows * take, ctrl[a + 4]! - start);
    try {
      kernels[ctrl[F.kernel]!]!(ctrl[a]!, ctrl[a + 1]!, ctrl[a + 2]!, ctrl[a + 3]! + 4 * start, count, ctrl[a + 5]!, ctrl[a + 6]! + 8 * start);
    } catch {
      ctrl[F.failed] = 1;
    }
    if (Atomics.add(ctrl, F.completed, take) + take === chunks) Atomics.notify(ctrl, F.completed);
  }
}

export const WORKER_SOURCE = `
const FIELD = ${JSON.stringify(FIELD)};
const takeChunks = ${takeChunks.toString()};
const productKernels = {${Object.entries(THREAD_PRODUCT_KERNELS).map(([name, { factory, slots }]) =>
  `\n  ${name}: { factory: ${factory.toString()}, slots: ${JSON.stringify(slots)} },`).join("")}
};
// The JavaScript kernels' products: OpenBLAS's sgemm on this thread (Bun's or Deno's FFI), or null.
async function openProduct(blas) {
  if (!blas) return null;
  try {
    const sgemm = typeof Bun !== "undefined"
      ? (await import("bun:ffi")).dlopen(blas.library, { cblas_sgemm: blas.bun }).symbols.cblas_sgemm
      : Deno.dlopen(blas.library, { cblas_sgemm: blas.deno }).symbols.cblas_sgemm;
    const [rowMajor, noTrans, trans] = blas.codes;
    return (m, n, k, a, b, c, ldc) => sgemm(rowMajor, noTrans, trans, m, n, k, 1, a, k, b, k, 0, c, ldc);
  } catch {
    return null;
  }
}
self.onmessage = async (event) => {
  self.onmessage = null;
  const { memory, module, kernelNames, control, slot, blas } = event.data;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const product = await openProduct(blas);
  const kernels = kernelNames.map((name) => exports[name] ?? (product && productKernels[name]?.factory(exports, product, memory, slot + 1, productKernels[name].slots))
    ?? (() => { throw new Error(name + " is not available on this thread"); }));
  const ctrl = new Int32Array(memory.buffer, control, ${CONTROL_FIELDS});
  let seen = Atomics.load(ctrl, FIELD.job);
  postMessage({ products: product !== null });
  for (;;) {
    let spins = 0, since = performance.now();
    while (Atomics.load(ctrl, FIELD.job) === seen) {
      if ((++spins & 1023) !== 0 || (performance.now() - since < ${WORKER_SPIN_MS} && Atomics.load(ctrl, FIELD.park) === 0)) continue;
      // Counted before the wait, which returns at once if the job changed meanwhile.
      Atomics.add(ctrl, FIELD.sleepers, 1);
      Atomics.wait(ctrl, FIELD.job, seen);
      Atomics.sub(ctrl, FIELD.sleepers, 1);
      since = performance.now();
    }
    seen = Atomics.load(ctrl, FIELD.job);
    if (Atomics.load(ctrl, FIELD.stop)) break;
    if (slot < Atomics.load(ctrl, FIELD.active)) takeChunks(ctrl, kernels, FIELD);
  }
  self.close();
};
`;

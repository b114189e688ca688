/**
 * Worker threads for the `_many` distance kernels (THREADS).
 *
 * Every hot scan (greedy k-center, hybrid, BADGE's k-means++, k-means seeding, projected
 * screening, typicality) measures one row against a list of rows with a `_many` kernel over
 * the shared kernel memory. `runMany` cuts such a list into chunks of consecutive rows, which
 * the main thread and the workers (the same WebAssembly module instantiated over the same
 * memory) take as they come free. Each row's result is computed by the same kernel on the same
 * bytes whichever thread runs it, so results do not depend on the thread count; the callers
 * reduce them on the main thread in their usual order.
 *
 * Dispatch is synchronous (the greedy loops are): the main thread writes the job into a control
 * block in kernel memory, wakes the workers with Atomics.notify, and every thread takes chunks
 * of the rows until none is left (worker-source.ts). The main thread takes chunks too, so a
 * worker that is slow to wake (a busy machine) costs the main thread nothing but the chunk it
 * holds; the main thread then waits for chunks in flight (briefly spinning first).
 */
import type { Blas, ProductNT } from "../../../ffi/blas.ts";
import { bunDefinition, denoDefinition } from "../../../ffi/dlopen.ts";
import { CBLAS_NO_TRANS, CBLAS_ROW_MAJOR, CBLAS_TRANS, openBlasSymbols } from "../../../ffi/symbols.ts";
import { allocInt32, distanceModule, kernels, memory, THREADED_KERNELS, type ManyKernel, type ManyKernelName } from "./kernels.ts";
import { THREAD_PRODUCT_KERNELS } from "./thread-products.ts";
import { CONTROL_FIELDS, FIELD, LOCKED, MAX_CHUNKS, takeChunks, WORKER_SOURCE } from "./worker-source.ts";

/**
 * Values (rows × columns) a part must hold for a split to pay: below it the wake-up and wait
 * (a few microseconds each way) cost more than the part's kernel time. bench/threads.ts measured
 * two threads against one (workers polling): 0.9× at 8K values, 1.2–1.3× at 16K–33K, 1.5–1.6×
 * at 65K, ~2× from 260K; a sleeping worker adds its wake-up, so scans split from 48K values.
 */
export const MIN_VALUES_PER_PART = 24_000;
let minValuesPerPart = MIN_VALUES_PER_PART;

/**
 * Changes the split threshold: 0 splits every scan (tests, so that small pools take the
 * threaded path too; bench/threads.ts, to time small scans split). Returns the previous value.
 */
export function setMinValuesPerPart(values: number): number {
  const previous = minValuesPerPart;
  minValuesPerPart = values;
  return previous;
}
/** Chunks per thread: enough that a late or descheduled thread leaves little for the others to wait on. */
const CHUNKS_PER_THREAD = 4;
/** Polls of the completed field before the main thread sleeps on it. */
const MAIN_SPINS = 200_000;
/** How long a worker may take to start before the run goes on with one thread. */
const START_TIMEOUT_MS = 10_000;

/**
 * Kernels written in JavaScript that the threads run as they run the `_many` kernels, numbered
 * after THREADED_KERNELS: each thread builds its own instance (thread-products.ts: each calls
 * OpenBLAS itself).
 */
export type JsKernelName = keyof typeof THREAD_PRODUCT_KERNELS;
export type JobKernelName = ManyKernelName | JsKernelName;
const JOB_KERNELS: readonly JobKernelName[] = [...THREADED_KERNELS, ...(Object.keys(THREAD_PRODUCT_KERNELS) as JsKernelName[])];

interface Pool {
  workers: Worker[];
  /** The control block, in kernel memory. */
  control: Int32Array;
  /** The OpenBLAS library the workers were given for the JavaScript kernels' products, or null. */
  blasLibrary: string | null;
  /** Whether every worker opened it. */
  blasOpened: boolean;
}

let pool: Pool | null = null;
/** Threads the scans use, the main thread included (≤ pool workers + 1). */
let threads = 1;

/** Whether the main thread takes chunks too (always, but in tests of the workers' results). */
let mainTakesChunks = true;

/**
 * false: the main thread only waits and the workers run every chunk of a split scan, so a test
 * checks the workers' results whatever the timing (a worker slow to wake could otherwise leave
 * every chunk to the main thread). Returns the previous setting.
 */
export function setMainTakesChunks(takes: boolean): boolean {
  const previous = mainTakesChunks;
  mainTakesChunks = takes;
  return previous;
}

/** Threads the scans use now, the main thread included. */
export function threadCount(): number {
  return threads;
}

/** Scans split across threads so far, their chunks, and the chunks workers took (the rest the main thread ran). */
const stats = { splitScans: 0, chunks: 0, workerChunks: 0 };

export function threadStats(): Readonly<typeof stats> {
  return { ...stats };
}

/**
 * Makes `count` threads (the main one included) serve the scans. Workers are started only when
 * there are fewer than count − 1 or they were not given `blas`'s library (the OpenBLAS they
 * open for their own products, thread-products.ts, where the backend has products on the
 * calling thread), and never terminated: a smaller count idles the
 * extra ones, and stopThreads asks them to close themselves (Bun has crashed on terminating workers, and on
 * starting and ending many). When workers cannot start, the scans stay on the main thread and
 * the reason is returned as a warning (null when all went well).
 */
export async function startThreads(count: number, blas: Blas | null = null): Promise<string | null> {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`startThreads: ${count} is not a whole number ≥ 1`);
  const blasLibrary = blas?.productsOnCallingThread ? blas.libraryPath : null;
  if (count === 1 || (pool && pool.workers.length >= count - 1 && (blasLibrary === null || pool.blasLibrary === blasLibrary))) {
    threads = count;
    if (pool) Atomics.store(pool.control, FIELD.active, count - 1);
    return null;
  }
  stopThreads();
  // A fresh block for every pool (192 bytes, never freed): workers of a stopped pool keep
  // reading their own block, where stop stays set.
  const control = allocInt32(CONTROL_FIELDS, "scratch");
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
  const workers: Worker[] = [];
  try {
    for (let slot = 0; slot < count - 1; slot++) workers.push(new Worker(url, { type: "module" }));
    const opened = await Promise.all(workers.map((worker, slot) => ready(worker, control.byteOffset, slot, blasLibrary)));
    pool = { workers, control, blasLibrary, blasOpened: opened.every((products) => products) };
  } catch (error) {
    leave(control); // any that start later close themselves
    return `worker threads could not start (${error instanceof Error ? error.message : String(error)}); running on one thread`;
  } finally {
    URL.revokeObjectURL(url);
  }
  Atomics.store(control, FIELD.active, count - 1);
  threads = count;
  return null;
}

/** The worker's start; resolves with whether it opened `blasLibrary` for the JavaScript kernels. */
function ready(worker: Worker, control: number, slot: number, blasLibrary: string | null): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`a worker did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.onmessage = (event) => { clearTimeout(timer); worker.onmessage = null; resolve((event.data as { products: boolean }).products); };
    worker.onerror = (event) => { clearTimeout(timer); event.preventDefault?.(); reject(new Error(event.message || "worker error")); };
    worker.postMessage({
      memory, module: distanceModule, kernelNames: JOB_KERNELS, control, slot,
      blas: blasLibrary && {
        library: blasLibrary, bun: bunDefinition(openBlasSymbols.cblas_sgemm), deno: denoDefinition(openBlasSymbols.cblas_sgemm),
        codes: [CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS],
      },
    });
    // A worker must never keep the process alive (Bun; Deno's end when stopThreads asks them to).
    (worker as unknown as { unref?: () => void }).unref?.();
  });
}

/**
 * Whether the threads can run the JavaScript kernels with `blas`'s products now: more than one
 * thread, no more than the library takes at once, and every worker opened the library.
 */
export function threadsRunProducts(blas: Blas): boolean {
  return pool !== null && threads > 1 && blas.productsOnCallingThread !== undefined && threads <= (blas.concurrentProducts ?? 1)
    && pool.blasOpened && pool.blasLibrary === blas.libraryPath;
}

/** The main thread's product for a JavaScript kernel's job when threadsRunProducts says the threads can run one, else null. */
export function productsOnEveryThread(blas: Blas): ProductNT | null {
  return threadsRunProducts(blas) ? blas.productsOnCallingThread!() : null;
}

/** Asks every worker to close itself; the scans run on the main thread until the next startThreads. */
export function stopThreads(): void {
  threads = 1;
  if (!pool) return;
  leave(pool.control);
  pool = null;
}

/**
 * Sends polling workers to sleep at once rather than after WORKER_SPIN_MS: called before a
 * product runs on OpenBLAS's pool, whose threads need the cores the polling would take (on
 * 1M×128 rows, the locality order's GEMMs took 429-444 ms on two threads with the workers
 * polling between them, 324-359 ms with them asleep; 533-557 ms on one thread). The next job
 * wakes them.
 */
export function parkWorkers(): void {
  if (pool) Atomics.store(pool.control, FIELD.park, 1);
}

function leave(control: Int32Array): void {
  Atomics.store(control, FIELD.stop, 1);
  Atomics.add(control, FIELD.job, 1);
  Atomics.notify(control, FIELD.job);
}

/**
 * kernel(c, base, width, idx, count, n, out) over rows idx[0..count), split across the
 * threads when the work pays for it. Pointers are byte offsets into kernel memory. `values`:
 * the work in values read, when an entry of idx stands for more than one row of n values
 * (row-mean.ts's blocks of rows, kcenter-cells.ts's cells). `parts`: how many chunks to cut,
 * for items whose work varies too much for a few chunks a thread to balance (kcenter-cells.ts's
 * cells); by default a few per thread.
 */
export function runMany(name: ManyKernelName, c: number, base: number, width: number, idx: number, count: number, n: number, out: number,
  values = count * n, parts = 0): void {
  runJob(name, kernels[name], c, base, width, idx, count, n, out, values, parts);
}

/**
 * A JavaScript kernel (thread-products.ts) run as runMany runs the `_many` ones, `main` being the main
 * thread's instance; the workers' instances exist only when threadsRunProducts says so.
 */
export function runJsKernel(name: JsKernelName, main: ManyKernel, c: number, base: number, width: number, idx: number,
  count: number, n: number, out: number, values = count * n, parts = 0): void {
  runJob(name, main, c, base, width, idx, count, n, out, values, parts);
}

function runJob(name: JobKernelName, main: ManyKernel, c: number, base: number, width: number, idx: number, count: number, n: number, out: number,
  values: number, parts: number): void {
  if (!pool || threads === 1 || count < 2 || (minValuesPerPart > 0 && values < 2 * minValuesPerPart)) {
    main(c, base, width, idx, count, n, out);
    return;
  }
  const { control } = pool;
  const most = Math.min(count, MAX_CHUNKS, parts > 0 ? parts
    : Math.min(threads * CHUNKS_PER_THREAD, minValuesPerPart > 0 ? Math.floor(values / minValuesPerPart) : Infinity));
  const chunkRows = Math.ceil(count / most), chunks = Math.ceil(count / chunkRows);
  // Nobody can take a chunk while the job is written; then the claim word publishes it.
  Atomics.store(control, FIELD.claim, LOCKED);
  const a = FIELD.args;
  const kernel = JOB_KERNELS.indexOf(name);
  control[FIELD.kernel] = kernel;
  control[a] = c; control[a + 1] = base; control[a + 2] = width; control[a + 3] = idx;
  control[a + 4] = count; control[a + 5] = n; control[a + 6] = out;
  control[FIELD.chunkRows] = chunkRows;
  Atomics.store(control, FIELD.completed, 0);
  Atomics.store(control, FIELD.park, 0);
  Atomics.store(control, FIELD.claim, chunks << 16);
  Atomics.add(control, FIELD.job, 1);
  // A worker counts itself before it sleeps, and its wait returns at once if the job changed
  // first: so no sleeper is missed, and busy-polling workers cost no system call.
  if (Atomics.load(control, FIELD.sleepers) > 0) Atomics.notify(control, FIELD.job);
  mainKernels[kernel] = main;
  const mine = mainTakesChunks ? takeChunks(control, mainKernels, FIELD) : 0;
  stats.splitScans++;
  stats.chunks += chunks;
  stats.workerChunks += chunks - mine;
  for (let spins = 0; ; spins++) {
    const completed = Atomics.load(control, FIELD.completed);
    if (completed === chunks) break;
    if (spins > MAIN_SPINS) Atomics.wait(control, FIELD.completed, completed);
  }
  if (control[FIELD.failed]) {
    control[FIELD.failed] = 0;
    throw new Error(`a worker thread's ${name} kernel failed (a pointer outside kernel memory?)`);
  }
}

/** The main thread's kernels by job number (a JavaScript kernel's entry is the instance of the job running). */
const mainKernels: ManyKernel[] = JOB_KERNELS.map((name) => (name in kernels ? kernels[name as ManyKernelName] : () => {}));

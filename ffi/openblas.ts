/**
 * The OpenBLAS backend: `Blas` through FFI to cblas_sgemm/dgemm/sgemv/dgemv, under Bun or Deno.
 *
 * Each call checks its shapes first (`ffi/shape_checks.ts`), since C would read past a short
 * array where TypeScript reads NaN. Calls with nothing to multiply (a zero dimension, or
 * alpha = 0) go to the TypeScript twin, which only applies C = beta·C:
 * - CBLAS rejects the zero leading dimensions that empty shapes often come with (it prints to
 *   stderr and computes nothing);
 * - with alpha = 0, OpenBLAS 0.3.21's small-matrix GEMM kernels still multiply A and B, so a
 *   NaN there turns C into NaN, where reference BLAS leaves A and B unread.
 */
import type { Blas } from "./blas.ts";
import { openLibrary } from "./dlopen.ts";
import { shortenPoolSpin } from "./pool-spin.ts";
import { checkGemm, checkGemv } from "./shape_checks.ts";
import { CBLAS_NO_TRANS, CBLAS_ROW_MAJOR, CBLAS_TRANS, openBlasSymbols } from "./symbols.ts";
import { typescriptBlas } from "./typescript.ts";

export interface OpenBlas extends Blas {
  readonly name: "openblas";
  readonly libraryPath: string;
  /** openblas_get_config(): version, build options and the CPU kernel chosen at load. */
  readonly config: string;
  /** openblas_get_num_threads() when the library was opened. */
  readonly threads: number;
  /** OPENBLAS_THREAD_TIMEOUT as the library read it at load (ffi/pool-spin.ts); null when it could not be set. */
  readonly threadTimeout: string | null;
  /** Threads OpenBLAS's pool runs now: 1 after a small product, setThreads' count after a large one. */
  poolThreads(): number;
}

const transposeCode = (trans: boolean): number => (trans ? CBLAS_TRANS : CBLAS_NO_TRANS);

/**
 * Multiply-adds a call must hold to run on OpenBLAS's pool (about 0.25 ms on one core). On the
 * 2-core machine OpenBLAS 0.3.21 ran products from 2^20 multiply-adds in 0.53-0.67 of the time
 * on two threads, but each one on the pool wakes its sleeping threads (ffi/pool-spin.ts) and
 * sends the engine's polling workers to sleep, so the smallest stay on the calling thread.
 */
const POOL_MIN_WORK = 2 ** 24;

/**
 * Opens OpenBLAS at `libraryPath` (a path, or a bare name for the dynamic linker to find).
 * Rejects with the runtime's dlopen error if the file is missing, is not a shared library,
 * or lacks one of the symbols in `ffi/symbols.ts`.
 */
export async function openOpenBlas(libraryPath: string): Promise<OpenBlas> {
  const threadTimeout = await shortenPoolSpin();
  const lib = await openLibrary(libraryPath, openBlasSymbols);
  const threads = lib.openblas_get_num_threads();
  const config = lib.openblas_get_config();
  // A product of at least POOL_MIN_WORK multiply-adds runs on the pool (up to setThreads'
  // count), after `beforePool` frees the cores; smaller ones on the calling thread.
  let cap = threads;
  let beforePool = () => {};
  const poolFor = (work: number) => {
    const wanted = work >= POOL_MIN_WORK ? cap : 1;
    if (wanted !== lib.openblas_get_num_threads()) lib.openblas_set_num_threads(wanted);
    if (wanted > 1) beforePool();
  };
  return {
    name: "openblas",
    libraryPath,
    config,
    // "MAX_THREADS=64" in the build's configuration; without it, one caller at a time.
    concurrentProducts: Number(/MAX_THREADS=(\d+)/.exec(config)?.[1] ?? 1),
    threads,
    threadTimeout,
    setThreads: (count, before) => { cap = count; beforePool = before ?? (() => {}); },
    productsOnCallingThread: () => {
      if (lib.openblas_get_num_threads() !== 1) lib.openblas_set_num_threads(1);
      return (m, n, k, a, b, c, ldc) => {
        checkGemm("sgemm", Float32Array, false, true, m, n, k, a, k, b, k, c, ldc);
        lib.cblas_sgemm(CBLAS_ROW_MAJOR, CBLAS_NO_TRANS, CBLAS_TRANS, m, n, k, 1, a, k, b, k, 0, c, ldc);
      };
    },
    poolThreads: () => lib.openblas_get_num_threads(),

    sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      checkGemm("sgemm", Float32Array, transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
      if (m === 0 || n === 0 || k === 0 || alpha === 0) {
        typescriptBlas.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
      }
      poolFor(m * n * k);
      lib.cblas_sgemm(CBLAS_ROW_MAJOR, transposeCode(transA), transposeCode(transB), m, n, k,
        alpha, a, lda, b, ldb, beta, c, ldc);
    },

    dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
      checkGemm("dgemm", Float64Array, transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
      if (m === 0 || n === 0 || k === 0 || alpha === 0) {
        typescriptBlas.dgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
      }
      poolFor(m * n * k);
      lib.cblas_dgemm(CBLAS_ROW_MAJOR, transposeCode(transA), transposeCode(transB), m, n, k,
        alpha, a, lda, b, ldb, beta, c, ldc);
    },

    sgemv(trans, m, n, alpha, a, lda, x, beta, y) {
      checkGemv("sgemv", Float32Array, trans, m, n, a, lda, x, y);
      if (m === 0 || n === 0 || alpha === 0) {
        typescriptBlas.sgemv(trans, m, n, alpha, a, lda, x, beta, y);
        return;
      }
      poolFor(m * n);
      lib.cblas_sgemv(CBLAS_ROW_MAJOR, transposeCode(trans), m, n, alpha, a, lda, x, 1, beta, y, 1);
    },

    dgemv(trans, m, n, alpha, a, lda, x, beta, y) {
      checkGemv("dgemv", Float64Array, trans, m, n, a, lda, x, y);
      if (m === 0 || n === 0 || alpha === 0) {
        typescriptBlas.dgemv(trans, m, n, alpha, a, lda, x, beta, y);
        return;
      }
      poolFor(m * n);
      lib.cblas_dgemv(CBLAS_ROW_MAJOR, transposeCode(trans), m, n, alpha, a, lda, x, 1, beta, y, 1);
    },
  };
}

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
  /** Threads OpenBLAS's pool runs now: 1 after a small product, setThreads' count after a large one. */
  poolThreads(): number;
}

const transposeCode = (trans: boolean): number => (trans ? CBLAS_TRANS : CBLAS_NO_TRANS);

/**
 * Multiply-adds a call must hold to run on OpenBLAS's pool (about 10-20 ms on one core). On
 * the 2-core machine, with the engine's two threads, every strategy measured ran as fast or
 * faster with OpenBLAS on one thread than on two (raw Fashion-MNIST core-set 1.96-2.02 s
 * against 2.27-2.65 s; its projection's 69 block GEMMs of 10⁸ multiply-adds alternate with the
 * workers' scans); larger products, such as k-means' on large pools, still get the pool.
 */
const POOL_MIN_WORK = 2 ** 30;

/**
 * Opens OpenBLAS at `libraryPath` (a path, or a bare name for the dynamic linker to find).
 * Rejects with the runtime's dlopen error if the file is missing, is not a shared library,
 * or lacks one of the symbols in `ffi/symbols.ts`.
 */
export async function openOpenBlas(libraryPath: string): Promise<OpenBlas> {
  const lib = await openLibrary(libraryPath, openBlasSymbols);
  const threads = lib.openblas_get_num_threads();
  // OpenBLAS's pool spins between calls (2^28 cycles by default) on the cores the engine's worker
  // threads need for the scans that follow, and small products gain little from it: only a
  // product of at least POOL_MIN_WORK multiply-adds runs on the pool (up to setThreads' count).
  let cap = threads;
  const poolFor = (work: number) => {
    const wanted = work >= POOL_MIN_WORK ? cap : 1;
    if (wanted !== lib.openblas_get_num_threads()) lib.openblas_set_num_threads(wanted);
  };
  return {
    name: "openblas",
    libraryPath,
    config: lib.openblas_get_config(),
    threads,
    setThreads: (count) => { cap = count; },
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

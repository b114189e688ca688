/**
 * The numeric backend interface: the few BLAS routines the engine calls, row-major, with
 * explicit leading dimensions as in CBLAS. Two implementations share it: OpenBLAS through FFI
 * (`ffi/openblas.ts`) and a pure-TypeScript twin (`ffi/typescript.ts`).
 *
 * Selections never depend on which backend ran: GEMM/GEMV results screen candidates and fill
 * bulk arrays, and every value a decision rests on is recomputed by one TypeScript kernel
 * (see src/engine/distance.ts).
 */
export type BackendName = "openblas" | "typescript";

export interface Blas {
  readonly name: BackendName;
  /** The shared library that was loaded, or null for the TypeScript backend. */
  readonly libraryPath: string | null;
  /**
   * Caps the backend's own threads (OpenBLAS's pool); absent where the backend has none.
   * `beforePool` runs before each product that uses the pool, to free the cores other threads
   * hold (the engine's polling workers).
   */
  setThreads?(count: number, beforePool?: () => void): void;
  /**
   * For jobs whose threads each run their own products at the same time (the locality order's
   * and the projection's, split across the engine's worker threads: thread-products.ts): sets the backend's pool to one thread
   * (the next large sgemm sets it back) and returns the product on the calling thread. Absent
   * where the backend has no pool.
   */
  productsOnCallingThread?(): ProductNT;
  /**
   * How many threads may run productsOnCallingThread's products at once: OpenBLAS takes a
   * buffer a call from a table sized by the MAX_THREADS it was built with.
   */
  readonly concurrentProducts?: number;
  /** C(m×n) = alpha·op(A)·op(B) + beta·C, row-major; op(X) = Xᵀ when trans is true. */
  sgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number,
    c: Float32Array, ldc: number): void;
  dgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: Float64Array, lda: number, b: Float64Array, ldb: number, beta: number,
    c: Float64Array, ldc: number): void;
  /** y = alpha·op(A)·x + beta·y, A is m×n row-major. */
  sgemv(trans: boolean, m: number, n: number, alpha: number, a: Float32Array, lda: number,
    x: Float32Array, beta: number, y: Float32Array): void;
  dgemv(trans: boolean, m: number, n: number, alpha: number, a: Float64Array, lda: number,
    x: Float64Array, beta: number, y: Float64Array): void;
}

/** C (m×n, rows ldc values apart) = A·Bᵀ for row-major float32 A (m×k) and B (n×k). */
export type ProductNT = (m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array, ldc: number) => void;

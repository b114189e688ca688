/**
 * The OpenBLAS entry points this project calls, as plain data: each symbol's C argument and
 * return types in a small neutral vocabulary that `ffi/dlopen.ts` maps to the FFI type names of
 * Bun and of Deno. Nothing here opens a library.
 *
 * Integers are C `int`, 32-bit: the LP64 OpenBLAS build that distributions ship as
 * libopenblas.so.0. The ILP64 build (libopenblas64) names its symbols `cblas_sgemm64_` and so
 * on, so it fails to load here rather than being called with the wrong integer width.
 */

/**
 * A C type at the FFI boundary.
 * - `int`: C int (32-bit), also the CBLAS enums
 * - `float`, `double`: scalars passed by value
 * - `array`: a pointer to a typed array's first element (byteOffset included)
 * - `string`: a returned `const char *` owned by the library
 * - `bytes`: a `const char *` argument, a Uint8Array holding a NUL-terminated string
 * - `void`: no return value
 */
export type CType = "int" | "float" | "double" | "array" | "string" | "bytes" | "void";

export interface SymbolSpec {
  readonly args: readonly CType[];
  readonly returns: CType;
}

/** CBLAS_ORDER / CBLAS_TRANSPOSE values from cblas.h. */
export const CBLAS_ROW_MAJOR = 101;
export const CBLAS_NO_TRANS = 111;
export const CBLAS_TRANS = 112;

// The argument lists follow cblas.h in order, so a reader can check them line by line.
const gemm = (scalar: "float" | "double") => ({
  args: [
    "int", "int", "int", // order, transA, transB
    "int", "int", "int", // m, n, k
    scalar, // alpha
    "array", "int", // a, lda
    "array", "int", // b, ldb
    scalar, // beta
    "array", "int", // c, ldc
  ],
  returns: "void",
}) as const;

const gemv = (scalar: "float" | "double") => ({
  args: [
    "int", "int", // order, trans
    "int", "int", // m, n
    scalar, // alpha
    "array", "int", // a, lda
    "array", "int", // x, incx
    scalar, // beta
    "array", "int", // y, incy
  ],
  returns: "void",
}) as const;

/** Every symbol is required: a library missing one is not the OpenBLAS this code expects. */
export const openBlasSymbols = {
  cblas_sgemm: gemm("float"),
  cblas_dgemm: gemm("double"),
  cblas_sgemv: gemv("float"),
  cblas_dgemv: gemv("double"),
  /** Build options and the CPU kernel chosen at load, e.g. "OpenBLAS 0.3.21 ... SkylakeX". */
  openblas_get_config: { args: [], returns: "string" },
  /** Threads OpenBLAS will use (OPENBLAS_NUM_THREADS or the core count). */
  openblas_get_num_threads: { args: [], returns: "int" },
  /** Caps the threads OpenBLAS's own pool uses (THREADS: the engine's workers and OpenBLAS take turns, never oversubscribe). */
  openblas_set_num_threads: { args: ["int"], returns: "void" },
} as const satisfies Record<string, SymbolSpec>;

export type OpenBlasSymbols = typeof openBlasSymbols;

/** The C library's environment functions: OpenBLAS reads its settings from the C environment when it loads (ffi/pool-spin.ts). */
export const libcSymbols = {
  getenv: { args: ["bytes"], returns: "string" },
  setenv: { args: ["bytes", "bytes", "int"], returns: "int" },
} as const satisfies Record<string, SymbolSpec>;

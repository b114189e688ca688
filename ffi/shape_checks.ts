/**
 * Argument checks for the BLAS routines: every dimension a non-negative 32-bit integer, every
 * leading dimension at least its row length, every array of the right element type and long
 * enough for the shape it is said to hold. In TypeScript a bad shape reads `undefined` and
 * yields NaN; through FFI it reads or writes past the array, so the OpenBLAS backend checks
 * before each call. The checks are O(1) and cost nothing next to a GEMM.
 */

type FloatArrayType = Float32ArrayConstructor | Float64ArrayConstructor;

const INT32_MAX = 2 ** 31 - 1;

/** Throws a RangeError unless `value` fits a C int and is not negative. */
function checkCount(routine: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > INT32_MAX) {
    throw new RangeError(`${routine}: ${name} must be an integer from 0 to 2^31-1, got ${value}`);
  }
}

function checkType(routine: string, name: string, array: unknown, type: FloatArrayType): void {
  if (!(array instanceof type)) {
    throw new TypeError(`${routine}: ${name} must be a ${type.name}, got ${describe(array)}`);
  }
}

function describe(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  return value.constructor?.name ?? "object";
}

/**
 * Throws unless `array` holds a rows×cols row-major matrix whose rows start `ld` apart. A
 * matrix with no rows has no row stride, so any ld passes there (CBLAS would still want
 * ld ≥ 1, but zero-size calls never reach it).
 */
function checkMatrix(routine: string, name: string, array: Float32Array | Float64Array,
  rows: number, cols: number, ld: number): void {
  checkCount(routine, `ld${name}`, ld);
  if (rows > 0 && ld < cols) {
    throw new RangeError(`${routine}: ld${name} = ${ld} is less than the ${cols} columns of ${name}`);
  }
  const needed = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
  if (array.length < needed) {
    throw new RangeError(`${routine}: ${name} has ${array.length} elements, but a ${rows}×${cols} ` +
      `matrix with ld${name} = ${ld} needs ${needed}`);
  }
}

function checkVector(routine: string, name: string, array: Float32Array | Float64Array,
  length: number): void {
  if (array.length < length) {
    throw new RangeError(`${routine}: ${name} has ${array.length} elements, needs ${length}`);
  }
}

/** Checks the arguments of C(m×n) = alpha·op(A)·op(B) + beta·C as `Blas.sgemm`/`dgemm` take them. */
export function checkGemm(routine: string, type: FloatArrayType, transA: boolean, transB: boolean,
  m: number, n: number, k: number, a: Float32Array | Float64Array, lda: number,
  b: Float32Array | Float64Array, ldb: number, c: Float32Array | Float64Array, ldc: number): void {
  checkCount(routine, "m", m);
  checkCount(routine, "n", n);
  checkCount(routine, "k", k);
  checkType(routine, "a", a, type);
  checkType(routine, "b", b, type);
  checkType(routine, "c", c, type);
  // op(A) is m×k, so A is stored k×m when transposed; likewise B.
  if (transA) checkMatrix(routine, "a", a, k, m, lda);
  else checkMatrix(routine, "a", a, m, k, lda);
  if (transB) checkMatrix(routine, "b", b, n, k, ldb);
  else checkMatrix(routine, "b", b, k, n, ldb);
  checkMatrix(routine, "c", c, m, n, ldc);
}

/** Checks the arguments of y = alpha·op(A)·x + beta·y as `Blas.sgemv`/`dgemv` take them. */
export function checkGemv(routine: string, type: FloatArrayType, trans: boolean, m: number,
  n: number, a: Float32Array | Float64Array, lda: number, x: Float32Array | Float64Array,
  y: Float32Array | Float64Array): void {
  checkCount(routine, "m", m);
  checkCount(routine, "n", n);
  checkType(routine, "a", a, type);
  checkType(routine, "x", x, type);
  checkType(routine, "y", y, type);
  checkMatrix(routine, "a", a, m, n, lda);
  checkVector(routine, "x", x, trans ? m : n);
  checkVector(routine, "y", y, trans ? n : m);
}

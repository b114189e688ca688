/**
 * The pure-TypeScript backend: the same routines as OpenBLAS, for machines without the
 * library or when `--blas off` is given. Loops are ordered i-k-j so the inner loop runs along
 * contiguous rows of B and C; four accumulators would not help a loop that streams C.
 */
import type { Blas } from "./blas.ts";

type Floats = Float32Array | Float64Array;

function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Floats, lda: number, b: Floats, ldb: number, beta: number, c: Floats, ldc: number): void {
  for (let i = 0; i < m; i++) {
    const ci = i * ldc;
    if (beta === 0) c.fill(0, ci, ci + n);
    else if (beta !== 1) for (let j = 0; j < n; j++) c[ci + j]! *= beta;
  }
  if (alpha === 0 || k === 0) return;
  if (!transB) {
    // B row p is contiguous: C[i,:] += alpha·A[i,p]·B[p,:]
    for (let i = 0; i < m; i++) {
      const ci = i * ldc;
      for (let p = 0; p < k; p++) {
        const aip = alpha * (transA ? a[p * lda + i]! : a[i * lda + p]!);
        if (aip === 0) continue;
        const bp = p * ldb;
        for (let j = 0; j < n; j++) c[ci + j]! += aip * b[bp + j]!;
      }
    }
    return;
  }
  // B is used transposed: C[i,j] = alpha·dot(A row i, B row j).
  if (transA) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[p * lda + i]! * b[j * ldb + p]!;
        c[i * ldc + j]! += alpha * sum;
      }
    }
    return;
  }
  // Both rows contiguous: two rows of A against one row of B share each load of B, and four
  // accumulators per row keep the adds independent (2-3x over a plain dot loop in JSC and V8).
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = i * lda, a1 = a0 + lda;
    for (let j = 0; j < n; j++) {
      const bj = j * ldb;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const b0 = b[bj + p]!, b1 = b[bj + p + 1]!, b2 = b[bj + p + 2]!, b3 = b[bj + p + 3]!;
        s00 += a[a0 + p]! * b0; s01 += a[a0 + p + 1]! * b1; s02 += a[a0 + p + 2]! * b2; s03 += a[a0 + p + 3]! * b3;
        s10 += a[a1 + p]! * b0; s11 += a[a1 + p + 1]! * b1; s12 += a[a1 + p + 2]! * b2; s13 += a[a1 + p + 3]! * b3;
      }
      for (; p < k; p++) { s00 += a[a0 + p]! * b[bj + p]!; s10 += a[a1 + p]! * b[bj + p]!; }
      c[i * ldc + j]! += alpha * ((s00 + s01) + (s02 + s03));
      c[(i + 1) * ldc + j]! += alpha * ((s10 + s11) + (s12 + s13));
    }
  }
  for (; i < m; i++) {
    const ai = i * lda;
    for (let j = 0; j < n; j++) {
      const bj = j * ldb;
      let sum = 0;
      for (let p = 0; p < k; p++) sum += a[ai + p]! * b[bj + p]!;
      c[i * ldc + j]! += alpha * sum;
    }
  }
}

function gemv(trans: boolean, m: number, n: number, alpha: number, a: Floats, lda: number,
  x: Floats, beta: number, y: Floats): void {
  const outLength = trans ? n : m;
  if (beta === 0) y.fill(0, 0, outLength);
  else if (beta !== 1) for (let i = 0; i < outLength; i++) y[i]! *= beta;
  if (alpha === 0) return;
  if (!trans) {
    for (let i = 0; i < m; i++) {
      const ai = i * lda;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += a[ai + j]! * x[j]!;
      y[i]! += alpha * sum;
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ai = i * lda;
      const xi = alpha * x[i]!;
      if (xi === 0) continue;
      for (let j = 0; j < n; j++) y[j]! += xi * a[ai + j]!;
    }
  }
}

/**
 * The loops above see as few kinds of typed array as possible: the JIT compiles a loop for the
 * element types and kinds of array it meets (a Float32Array and a Float64Array; on the JS heap,
 * small or large, or viewing kernel memory, a growable SharedArrayBuffer), and once a loop had
 * met several, every later call ran a slower generic form. A core-set on 6,000 raw images went
 * from 0.83-0.92 s to 4.3-4.8 s after a few hundred small float32 products in the same process,
 * and one test of the full suite took 10-20 s against 1 s alone. So GEMM always runs on float64
 * scratch copies of its operands, views of plain ArrayBuffers (O(mk + kn + mn) copying beside
 * its O(mnk) work), and GEMV copies only float32 and kernel-memory operands (a copy is as large
 * as its work: BADGE 50K on this backend took 20% longer when GEMV copied everything). A result
 * is copied back, rounded to float32 for sgemm and sgemv: once from the float64 sum, where the
 * loop over B's rows (no transpose) rounded at every step before; closer to exact, within the
 * error bounds the callers assume, and no selection depends on it.
 */
class Operands {
  #buffers: Float64Array[] = [new Float64Array(new ArrayBuffer(0)), new Float64Array(new ArrayBuffer(0)), new Float64Array(new ArrayBuffer(0))];

  /** Operand `slot`'s scratch holding values[0..length); `values` itself where `asIs` allows and it is plain float64. */
  of(slot: number, values: Floats, length: number, asIs = false): Float64Array {
    if (asIs && values instanceof Float64Array && !(values.buffer instanceof SharedArrayBuffer)) return values;
    let buffer = this.#buffers[slot]!;
    if (buffer.length < length) {
      buffer = new Float64Array(new ArrayBuffer(8 * Math.max(length, 2 * buffer.length)));
      this.#buffers[slot] = buffer;
    }
    const view = buffer.subarray(0, length);
    view.set(values.subarray(0, length));
    return view;
  }
}

const operands = new Operands();

/** The values of a row-major `rows` × `cols` operand with rows `ld` apart (0 when empty). */
const extent = (rows: number, cols: number, ld: number): number => (rows > 0 && cols > 0 ? (rows - 1) * ld + cols : 0);

function gemmOnCopies(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Floats, lda: number, b: Floats, ldb: number, beta: number, c: Floats, ldc: number): void {
  const out = operands.of(2, c, extent(m, n, ldc));
  gemm(transA, transB, m, n, k, alpha, operands.of(0, a, transA ? extent(k, m, lda) : extent(m, k, lda)), lda,
    operands.of(1, b, transB ? extent(n, k, ldb) : extent(k, n, ldb)), ldb, beta, out, ldc);
  c.set(out);
}

function gemvOnCopies(trans: boolean, m: number, n: number, alpha: number, a: Floats, lda: number, x: Floats, beta: number, y: Floats): void {
  const out = operands.of(2, y, trans ? n : m, true);
  gemv(trans, m, n, alpha, operands.of(0, a, extent(m, n, lda), true), lda, operands.of(1, x, trans ? m : n, true), beta, out);
  if (out !== y) y.set(out);
}

export const typescriptBlas: Blas = {
  name: "typescript",
  libraryPath: null,
  sgemm: gemmOnCopies,
  dgemm: gemmOnCopies,
  sgemv: gemvOnCopies,
  dgemv: gemvOnCopies,
};

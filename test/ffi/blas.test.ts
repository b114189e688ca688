/**
 * The BLAS suite, written once and run on every backend (ffi/typescript.ts always; OpenBLAS
 * when it loads, else its block is skipped with the loader's warning printed). Each result is
 * compared with a float64 reference within a rounding-error bound, and every element outside
 * the result window (offsets, row padding, the tail) must be left exactly as it was.
 */
import { describe, expect, test } from "bun:test";
import type { Blas } from "../../ffi/blas.ts";
import { Rng } from "../../src/rng.ts";
import { backendsUnderTest } from "./backends.ts";
import {
  type Expected, type Floats, type FloatsType, isInside, placeMatrix, type Placed,
  referenceGemm, referenceGemv, tolerance,
} from "./reference.ts";

type Gemm = (transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Floats, lda: number, b: Floats, ldb: number, beta: number, c: Floats, ldc: number) => void;
type Gemv = (trans: boolean, m: number, n: number, alpha: number, a: Floats, lda: number,
  x: Floats, beta: number, y: Floats) => void;

const gemmRoutines = [
  { name: "sgemm", type: Float32Array, of: (blas: Blas) => blas.sgemm.bind(blas) as Gemm },
  { name: "dgemm", type: Float64Array, of: (blas: Blas) => blas.dgemm.bind(blas) as Gemm },
] as const;
const gemvRoutines = [
  { name: "sgemv", type: Float32Array, of: (blas: Blas) => blas.sgemv.bind(blas) as Gemv },
  { name: "dgemv", type: Float64Array, of: (blas: Blas) => blas.dgemv.bind(blas) as Gemv },
] as const;

const transposes = [[false, false], [false, true], [true, false], [true, true]] as const;
const betas = [0, 1, -0.75];
/** Non-square on purpose; the last shapes are big enough for OpenBLAS to split across threads. */
const gemmShapes = [[5, 7, 3], [7, 5, 11], [1, 9, 4], [33, 17, 65], [70, 90, 130]] as const;
const gemvShapes = [[6, 4], [4, 6], [1, 5], [5, 1], [37, 70], [300, 200]] as const;

/** "tight": ld = row length at offset 0; "padded": longer rows inside a buffer, at an offset. */
const layouts = ["tight", "padded"] as const;
type Layout = typeof layouts[number];
const padding = (layout: Layout, extra: number): number => (layout === "padded" ? extra : 0);

/** First element of `view` (rows×cols, stride ld) off from `expected` by more than the bound, or null. */
function firstMismatch(type: FloatsType, view: Floats, rows: number, cols: number, ld: number,
  expected: Expected, terms: number): string | null {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const got = view[i * ld + j]!;
      const want = expected.values[i * cols + j]!;
      const allowed = tolerance(type, terms, expected.magnitudes[i * cols + j]!);
      if (!(Math.abs(got - want) <= allowed)) {
        return `element (${i}, ${j}) is ${got}, expected ${want} ± ${allowed}`;
      }
    }
  }
  return null;
}

/** First element outside the rows×cols window that differs from `before`, or null. */
function firstStrayWrite(placed: Placed<Floats>, before: Floats, cols: number, ld: number): string | null {
  for (let i = 0; i < placed.buffer.length; i++) {
    if (isInside(placed, cols, ld, i)) continue;
    if (!Object.is(placed.buffer[i], before[i])) {
      return `buffer[${i}] outside the result changed from ${before[i]} to ${placed.buffer[i]}`;
    }
  }
  return null;
}

/** When beta is 0 CBLAS does not read C, so NaN there must not leak into the result. */
function poisonIfBetaZero(placed: Placed<Floats>, beta: number, cols: number, ld: number): void {
  if (beta !== 0) return;
  for (let i = 0; i < placed.buffer.length; i++) {
    if (isInside(placed, cols, ld, i)) placed.buffer[i] = NaN;
  }
}

function checkGemm(blas: Blas, routine: typeof gemmRoutines[number], transA: boolean,
  transB: boolean, m: number, n: number, k: number, layout: Layout, seed: number): void {
  const { type } = routine;
  const rng = new Rng(seed);
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = aCols + padding(layout, 3);
  const ldb = bCols + padding(layout, 2);
  const ldc = n + padding(layout, 5);
  const alpha = 1.5;
  for (const beta of betas) {
    const a = placeMatrix<Floats>(type, rng, aRows, aCols, lda, padding(layout, 7));
    const b = placeMatrix<Floats>(type, rng, bRows, bCols, ldb, padding(layout, 5));
    const c = placeMatrix<Floats>(type, rng, m, n, ldc, padding(layout, 9));
    poisonIfBetaZero(c, beta, n, ldc);
    const before = c.buffer.slice();
    const expected = referenceGemm(transA, transB, m, n, k, alpha, a.view, lda, b.view, ldb, beta, c.view, ldc);
    routine.of(blas)(transA, transB, m, n, k, alpha, a.view, lda, b.view, ldb, beta, c.view, ldc);
    expect({ beta, mismatch: firstMismatch(type, c.view, m, n, ldc, expected, k) })
      .toEqual({ beta, mismatch: null });
    expect({ beta, strayWrite: firstStrayWrite(c, before, n, ldc) }).toEqual({ beta, strayWrite: null });
  }
}

function checkGemv(blas: Blas, routine: typeof gemvRoutines[number], trans: boolean, m: number,
  n: number, layout: Layout, seed: number): void {
  const { type } = routine;
  const rng = new Rng(seed);
  const lda = n + padding(layout, 3);
  const [xLength, yLength] = trans ? [m, n] : [n, m];
  const alpha = -1.25;
  for (const beta of betas) {
    const a = placeMatrix<Floats>(type, rng, m, n, lda, padding(layout, 7));
    // Vectors as 1×length matrices, so they get offsets and a checked tail like the matrices.
    const x = placeMatrix<Floats>(type, rng, 1, xLength, xLength, padding(layout, 2));
    const y = placeMatrix<Floats>(type, rng, 1, yLength, yLength, padding(layout, 4));
    poisonIfBetaZero(y, beta, yLength, yLength);
    const before = y.buffer.slice();
    const expected = referenceGemv(trans, m, n, alpha, a.view, lda, x.view, beta, y.view);
    routine.of(blas)(trans, m, n, alpha, a.view, lda, x.view, beta, y.view);
    expect({ beta, mismatch: firstMismatch(type, y.view, 1, yLength, yLength, expected, xLength) })
      .toEqual({ beta, mismatch: null });
    expect({ beta, strayWrite: firstStrayWrite(y, before, yLength, yLength) })
      .toEqual({ beta, strayWrite: null });
  }
}

const backends = await backendsUnderTest();

for (const backend of backends) {
  if (backend.blas === null) console.warn(`skipping the ${backend.name} backend: ${backend.skipReason}`);
  const describeIfLoaded = backend.blas === null ? describe.skip : describe;

  describeIfLoaded(backend.name, () => {
    const blas = backend.blas!;
    let seed = 1;

    for (const routine of gemmRoutines) {
      for (const [transA, transB] of transposes) {
        for (const [m, n, k] of gemmShapes) {
          for (const layout of layouts) {
            const caseSeed = seed++;
            test(`${routine.name}(transA=${transA}, transB=${transB}) matches the reference for ` +
              `m×n×k = ${m}×${n}×${k}, ${layout} layout, beta 0 / 1 / -0.75`, () => {
              checkGemm(blas, routine, transA, transB, m, n, k, layout, caseSeed);
            });
          }
        }
      }

      test(`${routine.name} with a zero m, n or k leaves C = beta·C and does not crash`, () => {
        for (const [m, n, k] of [[0, 3, 2], [3, 0, 2], [3, 2, 0], [0, 0, 0]] as const) {
          for (const [transA, transB] of transposes) {
            checkGemm(blas, routine, transA, transB, m, n, k, "tight", seed++);
            checkGemm(blas, routine, transA, transB, m, n, k, "padded", seed++);
          }
        }
      });

      test(`${routine.name} with alpha = 0 scales C by beta without reading A or B`, () => {
        const { type } = routine;
        const a = new type(6).fill(NaN);
        const b = new type(6).fill(NaN);
        const c = new type([1, 2, 3, 4]);
        routine.of(blas)(false, false, 2, 2, 3, 0, a, 3, b, 2, 0.5, c, 2);
        expect(Array.from(c)).toEqual([0.5, 1, 1.5, 2]);
      });

      test(`${routine.name} with alpha = 0 on a larger shape still leaves A and B unread`, () => {
        const { type } = routine;
        const [m, n, k] = [40, 30, 20];
        const c = new type(m * n).fill(2);
        routine.of(blas)(true, true, m, n, k, 0, new type(k * m).fill(NaN), m,
          new type(n * k).fill(NaN), k, -1, c, n);
        expect(c.every((value) => value === -2)).toBe(true);
      });
    }

    for (const routine of gemvRoutines) {
      for (const trans of [false, true]) {
        for (const [m, n] of gemvShapes) {
          for (const layout of layouts) {
            const caseSeed = seed++;
            test(`${routine.name}(trans=${trans}) matches the reference for m×n = ${m}×${n}, ` +
              `${layout} layout, beta 0 / 1 / -0.75`, () => {
              checkGemv(blas, routine, trans, m, n, layout, caseSeed);
            });
          }
        }
      }

      test(`${routine.name} with alpha = 0 scales y by beta without reading A or x`, () => {
        const { type } = routine;
        for (const trans of [false, true]) {
          const y = new type([1, 2, 3]);
          routine.of(blas)(trans, 3, 3, 0, new type(9).fill(NaN), 3, new type(3).fill(NaN), 2, y);
          expect(Array.from(y)).toEqual([2, 4, 6]);
        }
      });

      test(`${routine.name} with a zero m or n leaves y = beta·y and does not crash`, () => {
        for (const [m, n] of [[0, 3], [3, 0], [0, 0]] as const) {
          for (const trans of [false, true]) {
            checkGemv(blas, routine, trans, m, n, "tight", seed++);
            checkGemv(blas, routine, trans, m, n, "padded", seed++);
          }
        }
      });
    }
  });
}

// The TypeScript backend multiplies float32 operands in float64 and rounds each result once
// (ffi/typescript.ts: its loops run on float64 copies, so the JIT sees one kind of array).
test("the TypeScript sgemm and sgemv round the float64 results once, for every transpose", async () => {
  const { typescriptBlas } = await import("../../ffi/typescript.ts");
  const rng = new Rng(17);
  const m = 7, n = 5, k = 300; // long sums: rounding at every step would differ from rounding once
  const a32 = Float32Array.from({ length: m * k }, () => rng.nextGaussian()), b32 = Float32Array.from({ length: k * n }, () => rng.nextGaussian());
  for (const [transA, transB] of transposes) {
    const c32 = new Float32Array(m * n), c64 = new Float64Array(m * n);
    typescriptBlas.sgemm(transA, transB, m, n, k, 1, a32, transA ? m : k, b32, transB ? k : n, 0, c32, n);
    typescriptBlas.dgemm(transA, transB, m, n, k, 1, Float64Array.from(a32), transA ? m : k, Float64Array.from(b32), transB ? k : n, 0, c64, n);
    expect(Array.from(c32)).toEqual(Array.from(c64, Math.fround));
  }
  for (const trans of [false, true]) {
    const y32 = new Float32Array(trans ? k : m), y64 = new Float64Array(trans ? k : m);
    typescriptBlas.sgemv(trans, m, k, 1, a32, k, b32.subarray(0, trans ? m : k), 0, y32);
    typescriptBlas.dgemv(trans, m, k, 1, Float64Array.from(a32), k, Float64Array.from(b32.subarray(0, trans ? m : k)), 0, y64);
    expect(Array.from(y32)).toEqual(Array.from(y64, Math.fround));
  }
});

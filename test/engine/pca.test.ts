import { describe, expect, test } from "bun:test";
import type { Blas } from "../../ffi/blas.ts";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { pca2, principalAxes } from "../../src/engine/pca.ts";
import { Rng } from "../../src/rng.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import type { Matrix } from "../../src/matrix.ts";

// The OpenBLAS backend lives on another branch; add it here when it lands.
const backends: Blas[] = [typescriptBlas];

/**
 * Points c + a·u + b·w with u, w orthonormal, a ∈ {−3..3} and b ∈ {−1, 1} over the full grid:
 * a and b are centred and uncorrelated, so the covariance is exactly var(a)·uuᵀ + var(b)·wwᵀ
 * with var(a) = 4 and var(b) = 1. PC1 is ±u with share 0.8, PC2 is ±w with share 0.2, and
 * each row's coordinates are ±(a, b).
 */
function gridAlong(u: number[], w: number[], centre: number[], extraConstant?: number) {
  const d = u.length + (extraConstant === undefined ? 0 : 1);
  const as: number[] = [];
  const bs: number[] = [];
  for (let a = -3; a <= 3; a++) for (const b of [-1, 1]) { as.push(a); bs.push(b); }
  const data = new Float64Array(as.length * d);
  as.forEach((a, r) => {
    for (let j = 0; j < u.length; j++) data[r * d + j] = centre[j]! + a * u[j]! + bs[r]! * w[j]!;
    if (extraConstant !== undefined) data[r * d + d - 1] = extraConstant;
  });
  return { matrix: { data, rows: as.length, cols: d } as Matrix, as, bs };
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** Whether coordinate column `c` equals `expected` up to one overall sign. */
function expectColumnUpToSign(coords: Float64Array, c: number, expected: number[], digits = 9) {
  const column = expected.map((_, r) => coords[r * 2 + c]!);
  const sign = Math.sign(column.reduce((s, x, r) => s + x * expected[r]!, 0)) || 1;
  column.forEach((x, r) => expect(sign * x).toBeCloseTo(expected[r]!, digits));
}

for (const blas of backends) {
  describe(`pca2() on the ${blas.name} backend`, () => {
    const u = unit([3, 4, 0, 12]);
    const w = unit([4, -3, 0, 0]);

    test("recovers a known direction up to sign, with the right variance shares", () => {
      const { matrix, as, bs } = gridAlong(u, w, [10, -5, 7, 1000]);
      const { coords, explained } = pca2(matrix, blas);
      expect(explained[0]).toBeCloseTo(0.8, 12);
      expect(explained[1]).toBeCloseTo(0.2, 12);
      expectColumnUpToSign(coords, 0, as);
      expectColumnUpToSign(coords, 1, bs);
    });

    test("gives the same answer for float32 input, to float32 precision", () => {
      const { matrix, as, bs } = gridAlong(u, w, [1, 2, 3, 4]);
      const f32: Matrix = { data: Float32Array.from(matrix.data), rows: matrix.rows, cols: matrix.cols };
      const { coords, explained } = pca2(f32, blas);
      expect(explained[0]).toBeCloseTo(0.8, 5);
      expect(explained[1]).toBeCloseTo(0.2, 5);
      expectColumnUpToSign(coords, 0, as, 5);
      expectColumnUpToSign(coords, 1, bs, 5);
    });

    test("ignores a constant column", () => {
      const { matrix, as, bs } = gridAlong(u, w, [0, 0, 0, 0], 42);
      const { coords, explained } = pca2(matrix, blas);
      expect(explained[0]).toBeCloseTo(0.8, 12);
      expect(explained[1]).toBeCloseTo(0.2, 12);
      expectColumnUpToSign(coords, 0, as);
      expectColumnUpToSign(coords, 1, bs);
    });

    test("handles D = 1: the second component is zero", () => {
      const values = [3, 5, 9, 11];
      const { coords, explained } = pca2({ data: Float64Array.from(values), rows: 4, cols: 1 }, blas);
      expect(explained).toEqual([1, 0]);
      expect(Array.from(coords)).toEqual([-4, 0, -2, 0, 2, 0, 4, 0]);
    });

    test("reports a zero second component for rank-1 data", () => {
      const rows = 50;
      const data = new Float64Array(rows * 3);
      for (let r = 0; r < rows; r++) {
        const t = r - 24.5;
        data.set([1 + 2 * t, -1 - t, 5 + 2 * t], r * 3);
      }
      const { coords, explained } = pca2({ data, rows, cols: 3 }, blas);
      expect(explained[0]).toBeCloseTo(1, 12);
      expect(explained[1]).toBe(0);
      for (let r = 0; r < rows; r++) {
        expect(Math.abs(coords[r * 2]!)).toBeCloseTo(3 * Math.abs(r - 24.5), 9);
        expect(coords[r * 2 + 1]).toBe(0);
      }
    });

    test("maps identical rows, one row and no rows to zeros", () => {
      const same = pca2({ data: new Float64Array(12).fill(7), rows: 4, cols: 3 }, blas);
      expect(same.explained).toEqual([0, 0]);
      expect(Array.from(same.coords)).toEqual(new Array(8).fill(0));
      expect(pca2({ data: Float64Array.of(1, 2), rows: 1, cols: 2 }, blas).explained).toEqual([0, 0]);
      const empty = pca2({ data: new Float64Array(0), rows: 0, cols: 5 }, blas);
      expect(empty.coords.length).toBe(0);
    });

    test("fits on a seeded sample of maxRows rows and still projects every row", () => {
      // 20,000 noisy points along u: a sample of 500 finds u to within the noise.
      const rows = 20_000;
      const data = new Float64Array(rows * 4);
      let state = 12345;
      const noise = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.02;
      for (let r = 0; r < rows; r++) {
        const t = (r % 200) - 99.5;
        for (let j = 0; j < 4; j++) data[r * 4 + j] = t * u[j]! + noise();
      }
      const matrix: Matrix = { data, rows, cols: 4 };
      const a = pca2(matrix, blas, { maxRows: 500, seed: 7 });
      const b = pca2(matrix, blas, { maxRows: 500, seed: 7 });
      expect(a.coords).toEqual(b.coords);
      expect(a.coords.length).toBe(rows * 2);
      expect(a.explained[0]).toBeGreaterThan(0.9999);
      // The sample's mean shifts every coordinate alike; distances along PC1 are what must hold.
      expect(Math.abs(Math.abs(a.coords[199 * 2]! - a.coords[0]!) - 199)).toBeLessThan(0.05);
    });

    test("gives every axis a fixed sign: the largest loading is positive", () => {
      // Data along (−1, −2): PC1 must point along (1, 2), so a row at +t·(1, 2) maps to +t·√5.
      const data = Float64Array.of(-1, -2, 0, 0, 1, 2, 2, 4);
      const { coords } = pca2({ data, rows: 4, cols: 2 }, blas);
      expect(coords[6]! > 0).toBe(true);
      expect(coords[6]).toBeCloseTo(1.5 * Math.sqrt(5), 12);
    });

    test("rejects a bad maxRows and a matrix whose shape does not match its data", () => {
      const m: Matrix = { data: new Float64Array(4), rows: 2, cols: 2 };
      expect(() => pca2(m, blas, { maxRows: 0 })).toThrow(RangeError);
      expect(() => pca2({ data: new Float64Array(3), rows: 2, cols: 2 }, blas)).toThrow(RangeError);
    });

    test("rejects non-finite values with a message that says so", () => {
      const m: Matrix = { data: Float64Array.of(1, NaN, 2, 3), rows: 2, cols: 2 };
      expect(() => pca2(m, blas)).toThrow(/non-finite/);
    });
  });
}

describe("principalAxes (the projection's screening axes)", () => {
  /** rows = Σ_d coefficient·std[d]·direction[d] (orthonormal directions, seeded), plus noise of `noise`. */
  function spanned(rows: number, cols: number, stds: number[], noise: number) {
    const rng = new Rng(4);
    const directions = Array.from({ length: stds.length }, () => Float64Array.from({ length: cols }, () => rng.nextGaussian()));
    directions.forEach((d, i) => {
      for (let q = 0; q < i; q++) {
        const along = d.reduce((s, x, j) => s + x * directions[q]![j]!, 0);
        d.forEach((_, j) => { d[j]! -= along * directions[q]![j]!; });
      }
      const norm = Math.hypot(...d);
      d.forEach((_, j) => { d[j]! /= norm; });
    });
    const data = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) data[r * cols + j] = 5 + noise * rng.nextGaussian();
      stds.forEach((std, i) => {
        const a = std * rng.nextGaussian();
        for (let j = 0; j < cols; j++) data[r * cols + j]! += a * directions[i]![j]!;
      });
    }
    return { matrix: { data, rows, cols } as Matrix, directions };
  }
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!; return s; };

  test.each(["typescript", "openblas"])("%s: orthonormal axes in the span of the leading directions; fewer when the rows span fewer", async (name) => {
    const blas = (await backendsUnderTest()).find((b) => b.name === name)!.blas;
    if (!blas) throw new Error(`${name} backend did not load`);
    const cols = 40, stds = [10, 8, 6, 4, 2, 1];
    const { matrix, directions } = spanned(3000, cols, stds, 1e-3);
    const { axes, count } = principalAxes(matrix, blas, 4);
    expect(count).toBe(4);
    const row = (a: number) => axes.subarray(a * cols, (a + 1) * cols);
    for (let a = 0; a < count; a++) {
      for (let b = 0; b < count; b++) expect(Math.abs(dot(row(a), row(b)) - (a === b ? 1 : 0))).toBeLessThan(1e-12);
      // Its length within the leading four directions' span: all of it, up to the noise.
      const inSpan = Math.hypot(...directions.slice(0, 4).map((d) => dot(row(a), d)));
      expect(inSpan).toBeGreaterThan(0.999);
    }
    // Rank six without noise: ten axes asked, six come back, still orthonormal.
    const exact = spanned(500, cols, stds, 0).matrix;
    const six = principalAxes(exact, blas, 10);
    expect(six.count).toBe(6);
    for (let a = 0; a < 6; a++) {
      for (let b = 0; b < 6; b++) {
        expect(Math.abs(dot(six.axes.subarray(a * cols, (a + 1) * cols), six.axes.subarray(b * cols, (b + 1) * cols)) - (a === b ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
  });
});

import { describe, expect, test } from "bun:test";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { Rng } from "../../src/rng.ts";
import { exactProduct, exactTransposedProduct, toFixedPoint } from "../../src/simulate/exact-products.ts";
import { columnMoments, designMatrix, fitSoftmaxRegression, predictProbabilities, takeRows } from "../../src/simulate/softmax-regression.ts";
import { backendsUnderTest } from "../ffi/backends.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!;

describe("fitSoftmaxRegression()", () => {
  test("two symmetric points: the weight solves λ·w·(1 + e^{2w}) = 1 and the biases stay equal", () => {
    // x = −1 is class 0, x = +1 class 1. By symmetry w1 = −w0 = w and b0 = b1; the loss is
    // log(1 + e^{−2w}) + λw², whose minimum solves λ·w·(1 + e^{2w}) = 1.
    const l2 = 0.1;
    let lo = 0, hi = 10;
    for (let i = 0; i < 200; i++) { const w = (lo + hi) / 2; if (l2 * w * (1 + Math.exp(2 * w)) < 1) lo = w; else hi = w; }
    const w = (lo + hi) / 2;
    const x = Float64Array.of(-1, 1);
    const design = designMatrix(x, 2, 1, columnMoments(x, 2, 1));
    const model = fitSoftmaxRegression(typescriptBlas, design, Int32Array.of(0, 1), 2, { l2, maxIterations: 5000, tolerance: 1e-12 });
    // weights: row 0 = feature (class 0, class 1), row 1 = bias.
    expect(model.weights[0]!).toBeCloseTo(-w, 6);
    expect(model.weights[1]!).toBeCloseTo(w, 6);
    expect(model.weights[2]! - model.weights[3]!).toBeCloseTo(0, 9);
    const p = predictProbabilities(typescriptBlas, model, design);
    expect(p[3]!).toBeCloseTo(1 / (1 + Math.exp(-2 * w)), 6);
  });

  test("learns separable blobs: training accuracy 1", () => {
    const rng = new Rng(3);
    const n = 300, dim = 4, classes = 3;
    const x = new Float64Array(n * dim), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % classes;
      for (let j = 0; j < dim; j++) x[i * dim + j] = (j === labels[i] ? 6 : 0) + rng.nextGaussian();
    }
    const design = designMatrix(x, n, dim, columnMoments(x, n, dim));
    const model = fitSoftmaxRegression(typescriptBlas, design, labels, classes);
    const p = predictProbabilities(typescriptBlas, model, design);
    let right = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(p.subarray(i * classes, (i + 1) * classes));
      if (row.indexOf(Math.max(...row)) === labels[i]) right++;
    }
    expect(right).toBe(n);
  });
});

describe("exact products", () => {
  test("toFixedPoint() keeps every integer within its bits and the value within 2^-(bits−1) of the largest", () => {
    const values = Float64Array.of(0.3, -1.7, 2.5, 1e-9);
    const fixed = toFixedPoint(values, 2, 2, 10);
    for (const q of fixed.data) { expect(Number.isInteger(q)).toBe(true); expect(Math.abs(q)).toBeLessThanOrEqual(2 ** 9); }
    values.forEach((v, i) => expect(Math.abs(fixed.data[i]! * 2 ** -fixed.exponent - v)).toBeLessThanOrEqual(2.5 * 2 ** -9));
  });

  test("a product whose sums would pass 2^52 is refused rather than rounded", () => {
    const a = toFixedPoint(new Float64Array(4).fill(1), 2, 2, 30);
    expect(() => exactProduct(typescriptBlas, a, toFixedPoint(new Float64Array(4).fill(1), 2, 2, 30))).toThrow(RangeError);
  });

  describe.skipIf(openblas.blas === null)(`on OpenBLAS ${openblas.skipReason ? `(skipped: ${openblas.skipReason})` : ""}`, () => {
    test("exactProduct and exactTransposedProduct give bit-identical results on OpenBLAS and TypeScript", () => {
      const rng = new Rng(9);
      const a = toFixedPoint(Float64Array.from({ length: 5000 * 33 }, () => rng.nextGaussian()), 5000, 33, 16);
      const b = toFixedPoint(Float64Array.from({ length: 33 * 10 }, () => rng.nextGaussian()), 33, 10, 28);
      expect(exactProduct(openblas.blas!, a, b)).toEqual(exactProduct(typescriptBlas, a, b));
      const r = toFixedPoint(Float64Array.from({ length: 5000 * 10 }, () => rng.nextFloat() - 0.5), 5000, 10, 24);
      expect(exactTransposedProduct(openblas.blas!, a, r)).toEqual(exactTransposedProduct(typescriptBlas, a, r));
    });

    test("a fit on real-sized data gives the same weights on both backends, bit for bit", () => {
      const rng = new Rng(4);
      const n = 1500, dim = 32, classes = 10;
      const x = Float64Array.from({ length: n * dim }, () => rng.nextGaussian());
      const labels = Int32Array.from({ length: n }, (_, i) => (x[i * dim]! > 0 ? 1 : 0) + 2 * (i % 5));
      const design = designMatrix(x, n, dim, columnMoments(x, n, dim));
      const rows = Uint32Array.from({ length: 600 }, (_, i) => i * 2);
      const fit = (blas: typeof typescriptBlas) => fitSoftmaxRegression(blas, takeRows(design, rows), Int32Array.from(rows, (r) => labels[r]!), classes).weights;
      expect(fit(openblas.blas!)).toEqual(fit(typescriptBlas));
    });
  });
});

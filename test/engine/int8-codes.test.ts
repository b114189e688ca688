/**
 * quantise_i8_many, the int8 codes of projection.ts's prefilter and row-codes.ts's whole rows:
 * four SIMD lanes and a tail. Each code must be z·(1/scale) in float32 arithmetic rounded to the
 * nearest integer (ties to even) and clamped to ±127, and the rounding it reports Σ (z − scale·q)²
 * of the codes it wrote, whatever the width: the screens' bounds rest on that sum.
 */
import { expect, test } from "bun:test";
import { allocFloat32, allocFloat64, kernels, manyScratch } from "../../src/engine/kernels/kernels.ts";
import { Rng } from "../../src/rng.ts";

/** Round half to even, as f64.nearest. */
function nearestEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

test("quantise_i8_many: codes z·(1/scale) rounded half to even and clamped to ±127, and the rounding of those codes", () => {
  const rng = new Rng(2);
  const rows = 300;
  let halves = 0, clamped = 0;
  for (const n of [1, 2, 3, 4, 5, 7, 16, 19, 48, 784]) {
    const block = allocFloat32(rows * n);
    const scale = n % 2 ? 0.5 : 0.37; // 1/0.37 is not a float32: the product rounds
    // Gaussian values, exact halves of the scale (ties), and values past ±127 scales (clamped).
    for (let i = 0; i < block.length; i++) {
      const kind = rng.nextInt(4);
      block[i] = kind === 0 ? (rng.nextInt(301) - 150 + 0.5) * scale : kind === 1 ? rng.nextGaussian() * 200 : rng.nextGaussian() * 20;
    }
    const width = Math.ceil(n / 16) * 16 + 16;
    const records = allocFloat32((rows * width) / 4), params = allocFloat64(2);
    params[0] = scale;
    new Int32Array(params.buffer, params.byteOffset + 8, 2).set([records.byteOffset, width]);
    const codes = new Int8Array(records.buffer, records.byteOffset, rows * width);
    const { idx, out } = manyScratch(rows);
    for (let r = 0; r < rows; r++) idx[r] = r;
    kernels.quantise_i8_many(params.byteOffset, block.byteOffset, 4 * n, idx.byteOffset, rows, n, out.byteOffset);
    for (let r = 0; r < rows; r++) {
      let rounding = 0;
      for (let j = 0; j < n; j++) {
        const z = block[r * n + j]!, exact = Math.fround(z * Math.fround(1 / scale));
        const q = Math.max(-127, Math.min(127, nearestEven(exact))) + 0; // + 0: an int8 has no −0
        if (Math.abs(exact) <= 127 && Math.abs(exact - Math.trunc(exact)) === 0.5) halves++;
        if (Math.abs(exact) > 127.5) clamped++;
        expect(codes[r * width + j]).toBe(q);
        rounding += (z - scale * q) ** 2;
      }
      expect(Math.abs(out[r]! - rounding)).toBeLessThanOrEqual(rounding * n * 2 ** -52);
    }
  }
  expect(halves).toBeGreaterThan(500);
  expect(clamped).toBeGreaterThan(500);
});

test("max_abs_f32_many: each row's largest magnitude (bits compared), NaN when the row holds one, 0 for zeros", () => {
  const rng = new Rng(6);
  const rows = 200;
  for (const n of [1, 3, 4, 5, 8, 19, 784]) {
    const block = allocFloat32(rows * n);
    for (let i = 0; i < block.length; i++) block[i] = rng.nextGaussian() * 10 ** rng.nextInt(6) * (rng.nextInt(2) ? -1 : 1);
    block.fill(0, 0, n); // row 0: zeros (and a −0)
    block[0] = -0;
    block[n + rng.nextInt(n)] = NaN; // row 1: a NaN
    block[2 * n + n - 1] = -Infinity; // row 2: −∞ last (in the tail when n is not a multiple of 4)
    const { idx, out } = manyScratch(rows);
    for (let r = 0; r < rows; r++) idx[r] = r;
    kernels.max_abs_f32_many(0, block.byteOffset, 4 * n, idx.byteOffset, rows, n, out.byteOffset);
    for (let r = 0; r < rows; r++) {
      let largest = 0;
      for (let j = 0; j < n; j++) largest = Math.max(largest, Math.abs(block[r * n + j]!));
      expect(out[r]).toBe(largest);
    }
    expect(out[0]).toBe(0);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBe(Infinity);
  }
});

/**
 * locality.ts's nearest-pivot kernel (nearest_pivot_f32_many): eight columns at a time in SIMD
 * lanes, then the last columns one by one, over dot products laid out pivot by pivot. It must
 * pick what one loop over the pivots picks (the first least), whatever the pivot count, the
 * column count and first column, the row stride, ties, infinities or NaN, so the locality
 * cells never depend on it.
 */
import { expect, test } from "bun:test";
import { allocFloat32, allocFloat64, kernels, manyScratch } from "../../src/engine/kernels/kernels.ts";
import { Rng } from "../../src/rng.ts";

test("nearest_pivot_f32_many picks the first least pivot, as one loop over the pivots does", () => {
  const rng = new Rng(1);
  const columns = 403, stride = columns + 16;
  let checked = 0, ties = 0;
  for (const p of [1, 2, 3, 4, 5, 7, 8, 9, 64, 255, 256, 257]) {
    const block = allocFloat32(p * stride), norms = allocFloat64(p);
    for (const mode of ["gaussian", "ties", "infinite", "nan"] as const) {
      for (let i = 0; i < block.length; i++) block[i] = mode === "ties" ? rng.nextInt(3) : rng.nextGaussian();
      for (let k = 0; k < p; k++) {
        norms[k] = mode === "ties" ? rng.nextInt(3) : mode === "infinite" ? (rng.nextInt(3) ? Infinity : 1) : mode === "nan" && rng.nextInt(2) ? NaN : rng.nextFloat() * 4;
      }
      // A chunk as runMany hands it out: its first column from idx, any count (the eight-column groups and the tail).
      const first = rng.nextInt(20), count = columns - first - rng.nextInt(20);
      const { idx, out } = manyScratch(count);
      idx[0] = first;
      kernels.nearest_pivot_f32_many(norms.byteOffset, block.byteOffset, 4 * stride, idx.byteOffset, count, p, out.byteOffset);
      for (let i = 0; i < count; i++) {
        const column = first + i;
        let best = 0, least = Infinity, equal = 0;
        for (let k = 0; k < p; k++) {
          const value = norms[k]! - 2 * block[k * stride + column]!;
          if (value < least) { least = value; best = k; equal = 0; } else if (value === least) equal++;
        }
        if (equal > 0) ties++;
        expect(out[i]).toBe(best);
        checked++;
      }
    }
  }
  expect(checked).toBeGreaterThan(12 * 4 * 360);
  expect(ties).toBeGreaterThan(1000); // the tie-breaking was exercised, not just the least value
});

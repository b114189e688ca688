/**
 * inLocalityOrder on a matrix the caller owns rearranges it in place (locality.ts's
 * permuteRows): permute_rows in kernel memory, a TypeScript loop elsewhere. Both must put every
 * row where the order says, whatever the permutation's cycles.
 */
import { expect, test } from "bun:test";
import { allocFloat32, allocFloat64 } from "../../src/engine/kernels/kernels.ts";
import { inLocalityOrder } from "../../src/engine/locality.ts";
import { Rng } from "../../src/rng.ts";

test("rows rearranged in place land where the order says, in and outside kernel memory, float32 and float64", () => {
  const rng = new Rng(12);
  const rows = 1500;
  const shuffled = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]; }
  // A shuffle (long cycles), the identity, a single swap, and fixed points between short cycles.
  const orders = [shuffled, Uint32Array.from({ length: rows }, (_, i) => i), Uint32Array.from({ length: rows }, (_, i) => (i === 3 ? 7 : i === 7 ? 3 : i)),
    Uint32Array.from({ length: rows }, (_, i) => (i % 3 === 2 ? i : i % 3 === 0 ? i + 1 : i - 1))];
  let checked = 0;
  for (const cols of [1, 5, 13]) {
    for (const order of orders) {
      for (const make of [(n: number) => allocFloat32(n), (n: number) => allocFloat64(n), (n: number) => new Float32Array(n), (n: number) => new Float64Array(n)]) {
        const data = make(rows * cols);
        for (let i = 0; i < data.length; i++) data[i] = rng.nextGaussian();
        const original = data.slice();
        const result = inLocalityOrder({ data, rows, cols }, order, true)!;
        expect(result.data).toBe(data);
        for (let r = 0; r < rows; r++) {
          expect(data.subarray(r * cols, (r + 1) * cols)).toEqual(original.subarray(order[r]! * cols, (order[r]! + 1) * cols));
        }
        checked++;
      }
    }
  }
  expect(checked).toBe(3 * 4 * 4);
});

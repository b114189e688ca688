import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { FixedPointSum } from "../../src/pseudo-labels/fixed-point-sum.ts";
import { roundToUnit } from "../../src/round-to-unit.ts";

describe("roundToUnit rounds as Math.round does, to the bit", () => {
  test("at the edges: halves, just below 0.5 (where x + 0.5 rounds up to 1), 2^52 and beyond, signs, infinities, NaN", () => {
    const edges = [
      0, -0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, 0.5 - 2 ** -53, 0.5 + 2 ** -53, 1 - 2 ** -53, 5e-324, -5e-324,
      2 ** 52 - 0.5, 2 ** 52 - 1.5, 2 ** 52, 2 ** 52 + 1, 2 ** 52 + 3, 2 ** 53, 2 ** 53 + 2, 4294967295.5, 2 ** 32,
      Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, NaN,
    ];
    for (const x of edges) expect(Object.is(roundToUnit(x), Math.round(x))).toBe(true);
  });

  test("on any double, and on any probability scaled to units of 2^-32", () => {
    fc.assert(fc.property(fc.double(), (x) => Object.is(roundToUnit(x), Math.round(x))), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (p) => Object.is(roundToUnit(p * 2 ** 32), Math.round(p * 2 ** 32))), { numRuns: 20_000 });
    // Exact halves of every size, where the two roundings could part.
    fc.assert(fc.property(fc.integer({ min: -(2 ** 53), max: 2 ** 53 }), (n) => Object.is(roundToUnit(n + 0.5), Math.round(n + 0.5))), { numRuns: 20_000 });
  });
});

describe("FixedPointSum", () => {
  test("adds each value rounded to units of 2^-32, in any order, past the flush to a bigint", () => {
    const values = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 10007) / 10007);
    const expected = values.reduce((n, v) => n + BigInt(Math.round(v * 2 ** 32)), 0n);
    const forward = new FixedPointSum(), backward = new FixedPointSum();
    values.forEach((v) => forward.add(v));
    [...values].reverse().forEach((v) => backward.add(v));
    expect(forward.units()).toBe(expected);
    expect(backward.units()).toBe(expected);
    // 2^21 ones pass 2^52 units, where the pending double is flushed.
    const many = new FixedPointSum();
    for (let i = 0; i < 2 ** 21; i++) many.add(1);
    expect(many.units()).toBe(2n ** 53n);
  });
});

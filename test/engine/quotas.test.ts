import { describe, expect, test } from "bun:test";
import { allocateQuotas } from "../../src/engine/quotas.ts";

const q = (total: number, shares: number[], available: number[]) =>
  Array.from(allocateQuotas(total, Float64Array.from(shares), Int32Array.from(available)));

describe("allocateQuotas", () => {
  test("a uniform target splits evenly, remainders to the lower classes", () => {
    expect(q(10, [1 / 3, 1 / 3, 1 / 3], [100, 100, 100])).toEqual([4, 3, 3]);
    expect(q(9, [0.25, 0.25, 0.25, 0.25], [9, 9, 9, 9])).toEqual([3, 2, 2, 2]);
  });

  test("quota a class cannot fill goes to the others in proportion to their shares", () => {
    // Class 0 has 2 rows; its 5 go to classes 1 and 2, which split them 1:3.
    expect(q(20, [0.25, 0.25, 0.5], [2, 100, 100])).toEqual([2, 6, 12]);
  });

  test("an impossible target selects all it can and no more", () => {
    expect(q(50, [0.5, 0.5], [3, 4])).toEqual([3, 4]);
  });

  test("a class with a zero target gets nothing, even when others run out", () => {
    expect(q(10, [1, 0], [4, 100])).toEqual([4, 0]);
  });

  test("quotas sum to the total whenever the rows allow", () => {
    for (let total = 0; total < 40; total++) {
      const got = q(total, [0.1, 0.2, 0.3, 0.4], [5, 5, 50, 50]);
      expect(got.reduce((a, b) => a + b, 0)).toBe(total);
    }
  });
});

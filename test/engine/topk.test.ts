import { describe, expect, test } from "bun:test";
import { topK } from "../../src/engine/topk.ts";
import { Rng } from "../../src/rng.ts";

describe("topK", () => {
  test("topK() equals a full sort by score, ties to the lower row", () => {
    const rng = new Rng(7);
    for (const n of [0, 1, 5, 100, 1000]) {
      // Few distinct values so ties are common.
      const scores = Float64Array.from({ length: n }, () => rng.nextInt(10) / 10);
      for (const k of [0, 1, 3, 50, n, n + 5]) {
        const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
        expect(Array.from(topK(scores, k))).toEqual(expected);
      }
    }
  });

  test("topK() skips rows that are not eligible", () => {
    const scores = Float64Array.from([0.9, 0.8, 0.7, 0.6]);
    expect(Array.from(topK(scores, 2, (r) => r !== 0))).toEqual([1, 2]);
  });
});

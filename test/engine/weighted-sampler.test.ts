import { describe, expect, test } from "bun:test";
import { WeightedSampler } from "../../src/engine/weighted-sampler.ts";
import { Rng } from "../../src/rng.ts";

describe("WeightedSampler", () => {
  test("find() maps each target to the index whose weight range holds it", () => {
    const weights = [0, 3, 0, 1, 5, 0, 2];
    const sampler = new WeightedSampler(weights.length);
    weights.forEach((w, i) => sampler.set(i, w));
    expect(sampler.total).toBe(11);
    const expected: number[] = [];
    weights.forEach((w, i) => { for (let k = 0; k < w; k++) expected.push(i); });
    expect(Array.from({ length: 11 }, (_, t) => sampler.find(t))).toEqual(expected);
  });

  test("updates in any order give the same sampler", () => {
    const rng = new Rng(5);
    const weights = Array.from({ length: 1000 }, () => rng.nextInt(1 << 20));
    const a = new WeightedSampler(1000), b = new WeightedSampler(1000);
    weights.forEach((w, i) => a.set(i, w + 7));
    weights.forEach((w, i) => a.set(i, w));
    for (let i = 999; i >= 0; i--) b.set(i, weights[i]!);
    expect(a.total).toBe(b.total);
    for (let t = 0; t < 200; t++) {
      const target = rng.nextInt(a.total);
      expect(a.find(target)).toBe(b.find(target));
    }
  });
});

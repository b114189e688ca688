import { describe, expect, test } from "bun:test";
import { GradientSpace } from "../../src/engine/gradient-space.ts";
import { kMeansPlusPlus } from "../../src/engine/kmeanspp.ts";
import { Rng } from "../../src/rng.ts";
import { clusteredPoints, probabilityRows } from "../helpers.ts";

/** The gradient embedding BADGE defines, built explicitly (what this engine avoids doing). */
function materialise(probs: Float64Array, classes: number, x: Float32Array, dim: number, i: number): number[] {
  const p = Array.from(probs.subarray(i * classes, (i + 1) * classes));
  const top = p.indexOf(Math.max(...p));
  const delta = p.map((v, c) => v - (c === top ? 1 : 0));
  const g: number[] = [];
  for (const d of delta) for (let j = 0; j < dim; j++) g.push(d * x[i * dim + j]!);
  return g;
}

describe("BADGE gradient space", () => {
  test("GradientSpace distances equal distances between the materialised gradient embeddings", () => {
    const classes = 4, n = 40;
    const probs = probabilityRows(n, classes, 1);
    const x = clusteredPoints(n, 6, 3, 2);
    const space = new GradientSpace(probs, classes, x);
    for (let a = 0; a < n; a += 3) for (let b = 0; b < n; b += 5) {
      const ga = materialise(probs, classes, x.data, 6, a), gb = materialise(probs, classes, x.data, 6, b);
      const expected = Math.sqrt(ga.reduce((s, v, k) => s + (v - gb[k]!) ** 2, 0));
      expect(space.distance(a, b)).toBeCloseTo(expected, 6);
    }
  });

  test("kMeansPlusPlus() draws the second center with probability proportional to squared distance", () => {
    // Six rows; the first center is fixed at row 0, so the second draw's law is known exactly.
    const points = { data: Float32Array.from([0, 1, 2, 3, 5, 8]), rows: 6, cols: 1 };
    const space = { size: 6, distance: (a: number, b: number) => Math.abs(points.data[a]! - points.data[b]!) };
    const weights = [0, 1, 4, 9, 25, 64];
    const total = weights.reduce((a, b) => a + b);
    const counts = new Array(6).fill(0);
    const draws = 6000;
    for (let seed = 0; seed < draws; seed++) {
      const r = kMeansPlusPlus(space, 2, { firstPick: 0, rng: new Rng(seed), selectable: null, tolerance: 0 });
      counts[r.picks[1]!]++;
    }
    expect(counts[0]).toBe(0);
    for (let i = 1; i < 6; i++) {
      const expected = (draws * weights[i]!) / total;
      // Within 5 standard deviations of a binomial count.
      expect(Math.abs(counts[i] - expected)).toBeLessThan(5 * Math.sqrt(expected) + 1);
    }
  });

  test("kMeansPlusPlus() returns distinct rows even when every row is the same", () => {
    const space = { size: 30, distance: () => 0 };
    const r = kMeansPlusPlus(space, 30, { firstPick: 4, rng: new Rng(1), selectable: null, tolerance: 0 });
    expect(new Set(r.picks).size).toBe(30);
    expect(r.picks[0]).toBe(4);
  });

  test("kMeansPlusPlus() is reproducible for a seed and prunes most measurements on clustered data", () => {
    const probs = probabilityRows(4000, 5, 3);
    const x = clusteredPoints(4000, 16, 25, 4);
    const space = new GradientSpace(probs, 5, x);
    const run = (seed: number) => kMeansPlusPlus(space, 100, { firstPick: 0, rng: new Rng(seed), selectable: null, tolerance: space.tolerance });
    const a = run(42), b = run(42), c = run(43);
    expect(Array.from(a.picks)).toEqual(Array.from(b.picks));
    expect(Array.from(a.picks)).not.toEqual(Array.from(c.picks));
    expect(new Set(a.picks).size).toBe(100);
    expect(a.evaluations).toBeLessThan(4000 * 100);
    // Pruning skipped nothing that mattered: each pick's recorded distance is its exact distance
    // to the nearest earlier pick.
    for (let k = 1; k < a.picks.length; k++) {
      let nearest = Infinity;
      for (let e = 0; e < k; e++) nearest = Math.min(nearest, space.distance(a.picks[k]!, a.picks[e]!));
      expect(a.distances[k]).toBe(nearest);
    }
  });
});

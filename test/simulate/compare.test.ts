import { describe, expect, test } from "bun:test";
import { candidates } from "../../src/simulate/candidates.ts";
import { compare, recommend, type Scored } from "../../src/simulate/compare.ts";

const all = candidates(1);
const scored = (areas: Record<string, number[]>): Scored[] =>
  Object.entries(areas).map(([name, a]) => ({ candidate: all.find((c) => c.name === name)!, areas: a }));

describe("compare()", () => {
  test("a paired difference is judged against the spread of the differences, not of the values", () => {
    // The seeds differ a lot, but b is always 0.01 below a: beyond noise.
    const a = [0.70, 0.80, 0.75, 0.78, 0.72];
    expect(compare(a, a.map((x) => x - 0.01)).significant).toBe(true);
    // Differences of +0.01 and −0.01 in turn: noise.
    expect(compare(a, a.map((x, i) => x + (i % 2 ? 0.01 : -0.01))).significant).toBe(false);
  });

  test("the mean difference and its standard error are those of the per-seed differences", () => {
    const c = compare([1, 2, 3], [0, 0, 0]);
    expect(c.meanDifference).toBe(2);
    expect(c.standardError).toBeCloseTo(1 / Math.sqrt(3), 12);
  });
});

describe("recommend()", () => {
  test("among configurations within noise of the best, the simplest is recommended, not the one noise put on top", () => {
    const r = recommend(scored({
      random: [0.70, 0.71, 0.72, 0.70, 0.71],
      margin: [0.75, 0.76, 0.77, 0.75, 0.76],
      badge: [0.752, 0.759, 0.771, 0.753, 0.761], // best mean, within noise of margin
      coreset_euclidean: [0.65, 0.66, 0.67, 0.65, 0.66],
    }));
    expect(r.best).toBe("badge");
    expect(r.kind).toBe("strategy");
    expect(r.name).toBe("margin");
    expect(r.tiedWithBest).toEqual(["badge", "margin"]);
  });

  test("a configuration beyond noise below the best is never recommended", () => {
    const r = recommend(scored({
      random: [0.70, 0.71, 0.72, 0.70, 0.71],
      margin: [0.74, 0.75, 0.76, 0.74, 0.75],
      margin_min_distance: [0.76, 0.77, 0.78, 0.76, 0.771],
    }));
    expect(r.name).toBe("margin_min_distance");
    expect(r.tiedWithBest).toEqual(["margin_min_distance"]);
  });

  test("a best whose lead over random is noisy does not hide a tied configuration that beats random beyond noise", () => {
    const r = recommend(scored({
      random: [0.70, 0.71, 0.72, 0.70, 0.71],
      margin: [0.74, 0.75, 0.76, 0.74, 0.75], // 0.04 above random every seed
      badge: [0.85, 0.66, 0.86, 0.65, 0.77], // highest mean, but its lead over random is noise
    }));
    expect(r.best).toBe("badge");
    expect(r.tiedWithBest).toContain("margin");
    expect(r.kind).toBe("strategy");
    expect(r.name).toBe("margin");
  });

  test("when nothing beats random beyond noise it says so and names no winner", () => {
    const r = recommend(scored({
      random: [0.70, 0.72, 0.71, 0.73, 0.70],
      margin: [0.72, 0.71, 0.73, 0.72, 0.71],
    }));
    expect(r.kind).toBe("none");
    expect(r.name).toBe("random");
    expect(r.text).toStartWith("No strategy beats random beyond noise");
  });
});

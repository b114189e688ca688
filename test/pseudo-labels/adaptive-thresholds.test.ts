import { describe, expect, test } from "bun:test";
import { classThresholds, confidenceStats, mergeConfidenceStats, statsFromJson, statsToJson } from "../../src/pseudo-labels/adaptive-thresholds.ts";
import { softMatchWeights } from "../../src/pseudo-labels/softmatch-weight.ts";
import { predictions } from "../../src/engine/uncertainty.ts";
import { probabilityRows } from "../helpers.ts";

function statsOf(probs: Float64Array, classes: number, tau: number, include?: Uint8Array) {
  const { predicted, confidence } = predictions(probs, classes);
  return confidenceStats(probs, classes, predicted, confidence, include ?? new Uint8Array(confidence.length).fill(1), tau);
}

describe("class-adaptive thresholds", () => {
  // Six rows over 2 classes, worked by hand: class 0 predicted at 0.95, 0.9, 0.6; class 1 at 0.97, 0.7, 0.55.
  const probs = Float64Array.of(0.95, 0.05, 0.9, 0.1, 0.6, 0.4, 0.03, 0.97, 0.3, 0.7, 0.45, 0.55);

  test("fixed: every class at τ", () => {
    expect(Array.from(classThresholds("fixed", statsOf(probs, 2, 0.8)))).toEqual([0.8, 0.8]);
  });

  test("flexmatch: σ = (2, 1) above τ = 0.8, β = (1, 0.5), T = τ·β/(2 − β) = (0.8, 0.2667)", () => {
    const t = classThresholds("flexmatch", statsOf(probs, 2, 0.8));
    expect(t[0]).toBeCloseTo(0.8, 12);
    expect(t[1]).toBeCloseTo((0.8 * 0.5) / 1.5, 12);
  });

  test("freematch: τ_g = mean top probability, T_c = τ_g · p̃_c / max p̃", () => {
    const t = classThresholds("freematch", statsOf(probs, 2, 0.8));
    const mean = (0.95 + 0.9 + 0.6 + 0.97 + 0.7 + 0.55) / 6;
    const p0 = (0.95 + 0.9 + 0.6 + 0.03 + 0.3 + 0.45) / 6, p1 = 1 - p0;
    expect(t[0]).toBeCloseTo(mean * p0 / Math.max(p0, p1), 9);
    expect(t[1]).toBeCloseTo(mean * p1 / Math.max(p0, p1), 9);
  });

  test("statistics of shards merged equal those of the whole pool, exactly, in any order", () => {
    const big = probabilityRows(5000, 7, 11);
    const whole = statsOf(big, 7, 0.9);
    const cut = (from: number, to: number) => statsOf(big.subarray(from * 7, to * 7), 7, 0.9);
    const a = cut(0, 1234), b = cut(1234, 4000), c = cut(4000, 5000);
    const merged = mergeConfidenceStats(mergeConfidenceStats(c, a), b);
    expect(merged).toEqual(whole);
    // Through the map step's JSON and back.
    expect(mergeConfidenceStats(statsFromJson(statsToJson(a)), statsFromJson(JSON.parse(JSON.stringify(statsToJson(mergeConfidenceStats(b, c))))))).toEqual(whole);
    for (const mode of ["flexmatch", "freematch"] as const) expect(classThresholds(mode, merged)).toEqual(classThresholds(mode, whole));
  });
});

describe("SoftMatch weights", () => {
  test("1 at or above the mean confidence, exp(−(p − μ)² / 2σ²) below", () => {
    const probs = Float64Array.of(0.9, 0.1, 0.8, 0.2, 0.6, 0.4, 0.5, 0.5);
    const { confidence } = predictions(probs, 2);
    const w = softMatchWeights(confidence, statsOf(probs, 2, 0.9));
    const mu = (0.9 + 0.8 + 0.6 + 0.5) / 4;
    const variance = [0.9, 0.8, 0.6, 0.5].reduce((s, p) => s + (p - mu) ** 2, 0) / 3;
    expect(w[0]).toBe(1);
    expect(w[1]).toBe(1);
    expect(w[2]).toBeCloseTo(Math.exp(-((0.6 - mu) ** 2) / (2 * variance)), 8);
    expect(w[3]).toBeCloseTo(Math.exp(-((0.5 - mu) ** 2) / (2 * variance)), 8);
  });
});

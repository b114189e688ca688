import { describe, expect, test } from "bun:test";
import { applyTemperature, fitTemperature } from "../../src/calibration/temperature.ts";
import { reliability } from "../../src/calibration/reliability.ts";
import { predictions } from "../../src/engine/uncertainty.ts";
import { Rng } from "../../src/rng.ts";

/** Rows from a model whose true class follows softmax(z) while it reports softmax(z · 3): over-confident by T = 3. */
function overconfident(n: number, classes: number, seed: number) {
  const rng = new Rng(seed);
  const reported = new Float64Array(n * classes), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: classes }, () => rng.nextGaussian() * 1.5);
    const truth = z.map(Math.exp), total = truth.reduce((a, b) => a + b, 0);
    let u = rng.nextFloat() * total, c = 0;
    while (c < classes - 1 && (u -= truth[c]!) > 0) c++;
    labels[i] = c;
    const sharp = z.map((v) => Math.exp(3 * v)), sum = sharp.reduce((a, b) => a + b, 0);
    for (let k = 0; k < classes; k++) reported[i * classes + k] = sharp[k]! / sum;
  }
  return { reported, labels };
}

describe("temperature scaling", () => {
  test("recovers a known over-confidence (T = 3) and lowers NLL and ECE", () => {
    const { reported, labels } = overconfident(20000, 5, 1);
    const fit = fitTemperature(reported, 5, labels);
    expect(fit.temperature).toBeGreaterThan(2.8);
    expect(fit.temperature).toBeLessThan(3.2);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
    const scaled = applyTemperature(reported, 5, fit.temperature);
    const before = predictions(reported, 5), after = predictions(scaled, 5);
    const correct = Uint8Array.from(before.predicted, (c, i) => (c === labels[i] ? 1 : 0));
    expect(Array.from(after.predicted)).toEqual(Array.from(before.predicted)); // argmax unchanged
    expect(reliability(after.confidence, correct).ece).toBeLessThan(reliability(before.confidence, correct).ece / 3);
  });

  test("the fit does not depend on the order of the rows", () => {
    const { reported, labels } = overconfident(3000, 4, 2);
    const order = Array.from({ length: 3000 }, (_, i) => (i * 1237) % 3000);
    const shuffled = new Float64Array(reported.length);
    order.forEach((from, to) => shuffled.set(reported.subarray(from * 4, from * 4 + 4), to * 4));
    expect(fitTemperature(shuffled, 4, Int32Array.from(order, (i) => labels[i]!)).temperature).toBe(fitTemperature(reported, 4, labels).temperature);
  });

  test("rows holding zeros stay finite; T = 1 leaves probabilities as they were", () => {
    const probs = Float64Array.of(1, 0, 0, 0.5, 0.5, 0, 0.2, 0.3, 0.5);
    const same = applyTemperature(probs, 3, 1);
    for (let i = 0; i < probs.length; i++) expect(same[i]).toBeCloseTo(probs[i]!, 15);
    const fit = fitTemperature(probs, 3, Int32Array.of(0, 1, 2));
    expect(Number.isFinite(fit.temperature)).toBe(true);
  });
});

describe("reliability()", () => {
  test("expected calibration error worked by hand over 15 bins", () => {
    // Bin 13 (0.867–0.933): confidences 0.9, 0.9, right 1 of 2 → |0.5 − 0.9| · 2/4; bin 14: 0.95, 1.0, both right → |1 − 0.975| · 2/4.
    const r = reliability(Float64Array.of(0.9, 0.9, 0.95, 1), Uint8Array.of(1, 0, 1, 1));
    expect(r.ece).toBeCloseTo(0.4 * 0.5 + 0.025 * 0.5, 12);
    expect(r.bins[13]).toMatchObject({ rows: 2, accuracy: 0.5 });
    expect(r.bins[14]!.meanConfidence).toBeCloseTo(0.975, 12);
    expect(r.bins.reduce((n, b) => n + b.rows, 0)).toBe(4);
  });
});

/**
 * uncertaintyScores() and predictions() write into arrays the caller passes (a streamed pass
 * fills the same ones part after part): the same numbers as into fresh arrays, whatever the
 * arrays held before.
 */
import { expect, test } from "bun:test";
import { newPredictions, predictions, uncertaintyScores, UNCERTAINTY_MODES } from "../../src/engine/uncertainty.ts";
import { Rng } from "../../src/rng.ts";

function rows(seed: number, n: number, classes: number): Float64Array {
  const rng = new Rng(seed);
  const probs = new Float64Array(n * classes);
  for (let r = 0; r < n; r++) {
    const w = Array.from({ length: classes }, () => 1 + rng.nextInt(5));
    const total = w.reduce((a, b) => a + b, 0);
    w.forEach((x, c) => { probs[r * classes + c] = x / total; });
  }
  return probs;
}

for (const mode of UNCERTAINTY_MODES) {
  test(`uncertaintyScores(${mode}) into a used array gives the fresh array's scores`, () => {
    const out = new Float64Array(300).fill(7);
    for (const seed of [1, 2]) {
      const probs = rows(seed, 300, 4);
      expect(uncertaintyScores(probs, 4, mode, out)).toBe(out);
      expect(Array.from(out)).toEqual(Array.from(uncertaintyScores(probs, 4, mode)));
    }
    expect(() => uncertaintyScores(rows(3, 299, 4), 4, mode, out)).toThrow(RangeError);
  });
}

test("predictions() into used arrays gives the fresh arrays' classes and confidences", () => {
  const out = newPredictions(250);
  out.predicted.fill(9);
  out.confidence.fill(2);
  for (const seed of [4, 5]) {
    const probs = rows(seed, 250, 3);
    const fresh = predictions(probs, 3);
    const into = predictions(probs, 3, out);
    expect(into).toEqual(fresh);
    // The caller's arrays themselves, filled: not fresh ones.
    expect(into.predicted).toBe(out.predicted);
    expect(into.confidence).toBe(out.confidence);
    expect(out.confidence).toEqual(fresh.confidence);
  }
  expect(() => predictions(rows(6, 251, 3), 3, out)).toThrow(RangeError);
});

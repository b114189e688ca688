/**
 * Uncertainty of a probability row, scaled to [0, 1] with higher = more uncertain, so every
 * mode ranks the same way and can be multiplied with other objectives.
 *   margin            1 - (p1 - p2), p1 ≥ p2 the two largest (Scheffer et al., 2001)
 *   entropy           -Σ p log p / log C
 *   least_confidence  (1 - p1) · C / (C - 1)
 * One column (C = 1) is the confidence of a prediction whose alternatives are not recorded (an
 * LLM's lone confidence_score): the second class is unknown, so every mode is 1 - p1.
 * Scores are rounded to 12 decimal places. Subtraction leaves noise near 1e-16 (1 − 0.4 is
 * 0.6000000000000001, and 0.7 − 0.3 and 0.5 − 0.1 differ in the last bit), which would split
 * rows the model scores alike and print noise into selection_score; differences a model
 * actually makes are far above 1e-12. Rounded, equal margins tie (and ties go by id), and the
 * shortest decimal of a score is the one a person expects (0.6).
 */
import { roundToUnit } from "../round-to-unit.ts";

export const UNCERTAINTY_MODES = ["margin", "entropy", "least_confidence"] as const;
export type UncertaintyMode = (typeof UNCERTAINTY_MODES)[number];

/** Each row's score, written into `out` (one a row) when given. */
export function uncertaintyScores(probs: Float64Array, classes: number, mode: UncertaintyMode, out: Float64Array = new Float64Array(probs.length / classes)): Float64Array {
  const n = probs.length / classes;
  if (out.length !== n) throw new RangeError(`uncertaintyScores: ${out.length} scores for ${n} rows`);
  const logC = Math.log(classes);
  if (classes === 1) {
    for (let i = 0; i < n; i++) out[i] = snap(1 - probs[i]!);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const base = i * classes;
    if (mode === "entropy") {
      let h = 0;
      for (let c = 0; c < classes; c++) {
        const p = probs[base + c]!;
        if (p > 0) h -= p * Math.log(p);
      }
      out[i] = classes > 1 ? snap(Math.min(1, h / logC)) : 0;
      continue;
    }
    let p1 = -1, p2 = -1;
    for (let c = 0; c < classes; c++) {
      const p = probs[base + c]!;
      if (p > p1) { p2 = p1; p1 = p; } else if (p > p2) p2 = p;
    }
    if (mode === "margin") out[i] = classes > 1 ? snap(1 - (p1 - p2)) : 0;
    else out[i] = classes > 1 ? snap(Math.min(1, ((1 - p1) * classes) / (classes - 1))) : 0;
  }
  return out;
}

/** x rounded to 12 decimal places (the nearest double to a 12-digit decimal; see the header). */
export function snap(x: number): number {
  return roundToUnit(x * 1e12) / 1e12;
}

/** Predicted class (argmax, lowest index on ties) and its probability, per row; written into `out` when given. */
export function predictions(probs: Float64Array, classes: number, out = newPredictions(probs.length / classes)): { predicted: Int32Array; confidence: Float64Array } {
  const n = probs.length / classes;
  const { predicted, confidence } = out;
  if (predicted.length !== n || confidence.length !== n) throw new RangeError(`predictions: room for ${predicted.length} rows, ${n} given`);
  for (let i = 0; i < n; i++) {
    let best = 0, bestP = probs[i * classes]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[i * classes + c]!;
      if (p > bestP) { bestP = p; best = c; }
    }
    predicted[i] = best;
    confidence[i] = bestP;
  }
  return { predicted, confidence };
}

/** Room for the predictions of `rows` rows. */
export function newPredictions(rows: number): { predicted: Int32Array; confidence: Float64Array } {
  return { predicted: new Int32Array(rows), confidence: new Float64Array(rows) };
}

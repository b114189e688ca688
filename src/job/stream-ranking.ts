/**
 * What each strategy that streams (the catalog's `streams`) ranks rows by, which rows it may
 * pick, and how many of each quota it can pick at most: the streamed pass (stream.ts) keeps
 * that many of the best rows per quota, which then hold every row the strategy picks on the
 * whole pool.
 *
 *   uncertainty           its score; BATCH_SIZE rows, of each class with CLASS_BALANCE.
 *   confidence_threshold  the top-class probability, rows at CONFIDENCE_THRESHOLD or above;
 *                         MAX_SAMPLES rows (of each class with CLASS_BALANCE), or with no
 *                         MAX_SAMPLES every row that passes (the selection is all of them).
 *   top_k_per_class       the top-class probability; K_PER_CLASS rows of each class.
 *   (With calibration rows the probabilities are temperature-scaled first: stream.ts.)
 *
 * A pseudo-label gate (GateRule) replaces CONFIDENCE_THRESHOLD: THRESHOLD_MODE's class
 * thresholds decide which rows pass, as the strategy would see them; TARGET_PRECISION's
 * conformal selection is decided only once the whole pool is counted, so every row it may
 * select is kept, without a cap, and the strategy decides among them.
 */
import type { Config } from "../cli/config.ts";
import { uncertaintyScores } from "../engine/uncertainty.ts";
import type { Pool } from "../pool/pool.ts";
import type { JobPlan } from "./plan.ts";

/** Which rows pseudo-labelling allows, by a row's (calibrated) confidence, predicted class and the model's own confidence. */
export type GateRule =
  | { kind: "final"; passes: (confidence: number, predicted: number) => boolean }
  | { kind: "may-pass"; passes: (modelConfidence: number, predicted: number) => boolean };

export interface StreamRanking {
  /** Each row's score in a part of the pool (higher ranks first; ties by id, then row), written into `out` (one a row) when it computes them. */
  scores(part: Pool, out?: Float64Array): Float64Array;
  /** Whether a selectable row can be picked: its (calibrated) confidence, predicted class and the model's own confidence. */
  passes(confidence: number, predicted: number, modelConfidence: number): boolean;
  /** How many quotas (heaps) there are, which one a row of predicted class `c` counts in, and the most rows one quota can take. */
  quotas: number;
  quotaOf(predicted: number): number;
  capacity: number;
  /** Whether the rows that pass are final, so their count over the pool is confidence_threshold's rowsPassing. */
  countsPassing: boolean;
}

export function streamRanking(plan: JobPlan, config: Config, classes: number, gate: GateRule | null): StreamRanking {
  const v = config.values;
  const balanced = plan.balance.spec !== "none" && plan.balance.spec !== "";
  const confidence = (part: Pool) => part.confidence;
  const perClass = (capacity: number) => ({ quotas: classes, quotaOf: (c: number) => c, capacity });
  const oneOrPerClass = (capacity: number) => (balanced ? perClass(capacity) : { quotas: 1, quotaOf: () => 0, capacity });
  const all = { quotas: 1, quotaOf: () => 0, capacity: Infinity };
  const gated = gate?.kind === "final" ? (c: number, k: number) => gate.passes(c, k)
    : gate ? (_c: number, k: number, model: number) => gate.passes(model, k) : null;
  // TARGET_PRECISION: which rows pass is known only at the end; keep every row that may.
  const undecided = gate?.kind === "may-pass";
  switch (plan.strategyName) {
    case "uncertainty":
      return { scores: (part, out) => uncertaintyScores(part.probs, part.classes, v.UNCERTAINTY_MODE, out), passes: () => true, ...oneOrPerClass(v.BATCH_SIZE), countsPassing: false };
    case "confidence_threshold": {
      const threshold = v.CONFIDENCE_THRESHOLD;
      const passes = gated ?? ((c: number) => c >= threshold);
      // Without MAX_SAMPLES every passing row is selected (per class: its share of them), so every one is a candidate.
      if (v.MAX_SAMPLES === 0 || undecided) return { scores: confidence, passes, ...all, countsPassing: !undecided };
      return { scores: confidence, passes, ...oneOrPerClass(v.MAX_SAMPLES), countsPassing: true };
    }
    case "top_k_per_class":
      return { scores: confidence, passes: gated ?? (() => true), ...(undecided ? all : perClass(v.K_PER_CLASS)), countsPassing: false };
    default:
      throw new Error(`internal check failed: ${plan.strategyName} is marked as streaming but has no streamed ranking`);
  }
}

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
 *
 * With THRESHOLD_MODE (flexmatch, freematch) the pseudo-label strategies take only the rows over
 * their class's threshold, in place of CONFIDENCE_THRESHOLD.
 */
import type { Config } from "../cli/config.ts";
import { uncertaintyScores } from "../engine/uncertainty.ts";
import type { Pool } from "../pool/pool.ts";
import type { JobPlan } from "./plan.ts";

export interface StreamRanking {
  /** Each row's score in a part of the pool (higher ranks first; ties by id, then row). */
  scores(part: Pool): Float64Array;
  /** Whether a row that may be selected (not labelled or excluded) can be picked at all. */
  passes(part: Pool, row: number): boolean;
  /** How many quotas (heaps) there are, which one a row of predicted class `c` counts in, and the most rows one quota can take. */
  quotas: number;
  quotaOf(predicted: number): number;
  capacity: number;
  /** Whether the strategy counts the rows that pass over the whole pool (confidence_threshold's rowsPassing). */
  countsPassing: boolean;
}

/** `thresholds`: THRESHOLD_MODE's per-class thresholds (from a first pass), which replace CONFIDENCE_THRESHOLD; null in fixed mode. */
export function streamRanking(plan: JobPlan, config: Config, classes: number, thresholds: Float64Array | null): StreamRanking {
  const v = config.values;
  const balanced = plan.balance.spec !== "none" && plan.balance.spec !== "";
  const confidence = (part: Pool) => part.confidence;
  const threshold = v.CONFIDENCE_THRESHOLD;
  // The rows pseudo-labelling allows: each over its class's threshold (THRESHOLD_MODE), or any (fixed mode: confidence_threshold applies its own).
  const gate = (part: Pool, row: number) => thresholds === null || part.confidence[row]! >= thresholds[part.predicted[row]!]!;
  const perClass = (capacity: number) => ({ quotas: classes, quotaOf: (c: number) => c, capacity });
  const oneOrPerClass = (capacity: number) => (balanced ? perClass(capacity) : { quotas: 1, quotaOf: () => 0, capacity });
  switch (plan.strategyName) {
    case "uncertainty":
      return { scores: (part) => uncertaintyScores(part.probs, part.classes, v.UNCERTAINTY_MODE), passes: () => true, ...oneOrPerClass(v.BATCH_SIZE), countsPassing: false };
    case "confidence_threshold": {
      const passes = thresholds ? gate : (part: Pool, row: number) => part.confidence[row]! >= threshold;
      // Without MAX_SAMPLES every passing row is selected (per class: its share of them), so every one is a candidate.
      if (v.MAX_SAMPLES === 0) return { scores: confidence, passes, quotas: 1, quotaOf: () => 0, capacity: Infinity, countsPassing: true };
      return { scores: confidence, passes, ...oneOrPerClass(v.MAX_SAMPLES), countsPassing: true };
    }
    case "top_k_per_class":
      return { scores: confidence, passes: gate, ...perClass(v.K_PER_CLASS), countsPassing: false };
    default:
      throw new Error(`internal check failed: ${plan.strategyName} is marked as streaming but has no streamed ranking`);
  }
}

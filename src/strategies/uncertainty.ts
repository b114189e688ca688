/**
 * Active learning by uncertainty sampling (Lewis & Gale 1994; margin: Scheffer et al. 2001):
 * the BATCH_SIZE rows the model is least sure of. A heap keeps the best k, no full sort.
 */
import { topK } from "../engine/topk.ts";
import { uncertaintyScores } from "../engine/uncertainty.ts";
import type { Pool } from "../pool.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

const MEANING = {
  margin: "1 - (p1 - p2): one minus the gap between the two most likely classes",
  entropy: "entropy of the class probabilities divided by log(classes)",
  least_confidence: "(1 - p1) scaled to [0,1]",
};

export function uncertainty(pool: Pool, options: StrategyOptions): Selection {
  const scores = uncertaintyScores(pool.probs, pool.classes, options.uncertaintyMode);
  const rows = topK(scores, options.batchSize, (r) => options.selectable[r] === 1);
  return {
    rows,
    scores: Float64Array.from(rows, (r) => scores[r]!),
    scoreMeaning: `${options.uncertaintyMode} uncertainty, ${MEANING[options.uncertaintyMode]}; higher is less certain`,
    details: {},
    warnings: [],
  };
}

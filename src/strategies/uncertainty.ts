/**
 * Active learning by uncertainty sampling (Lewis & Gale 1994; margin: Scheffer et al. 2001):
 * the BATCH_SIZE rows the model is least sure of. A heap keeps the best k, no full sort.
 * CLASS_BALANCE takes the least sure of each class up to its quota (modAL #162: "the top
 * 10,000 uncertain rows are 99% one class"); MIN_DISTANCE skips rows too close to one already
 * chosen (near-duplicates), which needs the vectors.
 */
import { uncertaintyScores } from "../engine/uncertainty.ts";
import type { Pool } from "../pool/pool.ts";
import { greedySelect } from "./hybrid.ts";
import { rankWithQuotas } from "./shared.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

const MEANING = {
  margin: "1 - (p1 - p2): one minus the gap between the two most likely classes",
  entropy: "entropy of the class probabilities divided by log(classes)",
  least_confidence: "(1 - p1) scaled to [0,1]",
};

export function uncertainty(pool: Pool, options: StrategyOptions): Selection {
  const scores = uncertaintyScores(pool.probs, pool.classes, options.uncertaintyMode);
  const scoreMeaning = `${options.uncertaintyMode} uncertainty, ${MEANING[options.uncertaintyMode]}; higher is less certain`;
  if (options.minDistance > 0) {
    return { ...greedySelect(pool, options, scores, 0, options.selectable), scoreMeaning };
  }
  const { rows, quotas } = rankWithQuotas(scores, options.batchSize, (r) => options.selectable[r] === 1, options);
  return { rows, scores: Float64Array.from(rows, (r) => scores[r]!), scoreMeaning, details: {}, warnings: [], quotas };
}

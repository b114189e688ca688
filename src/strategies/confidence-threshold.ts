/**
 * Semi-supervised learning: every row whose top class probability reaches the threshold, most
 * confident first (MAX_SAMPLES keeps only that many), to pseudo-label with the predicted class.
 */
import { predictions } from "../engine/uncertainty.ts";
import { topK } from "../engine/topk.ts";
import type { Pool } from "../pool.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

export function confidenceThreshold(pool: Pool, options: StrategyOptions): Selection {
  const { confidence } = predictions(pool.probs, pool.classes);
  const eligible = (row: number) => options.selectable[row] === 1 && confidence[row]! >= options.confidenceThreshold;
  let passing = 0;
  for (let i = 0; i < pool.size; i++) if (eligible(i)) passing++;
  const keep = options.maxSamples > 0 ? Math.min(options.maxSamples, passing) : passing;
  const rows = topK(confidence, keep, eligible);
  const warnings = passing === 0
    ? [`no row reaches CONFIDENCE_THRESHOLD=${options.confidenceThreshold} (the most confident row has ${Math.max(...confidence).toFixed(4)}); nothing selected.`]
    : [];
  return {
    rows,
    scores: Float64Array.from(rows, (r) => confidence[r]!),
    scoreMeaning: "probability of the predicted class",
    details: { rowsAtOrAboveThreshold: passing },
    warnings,
  };
}

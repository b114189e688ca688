/**
 * Semi-supervised learning: the K most confident rows of each predicted class, so that
 * pseudo-labels do not all come from the class the model finds easiest. Ranked by confidence.
 */
import { topK } from "../engine/topk.ts";
import type { Pool } from "../pool/pool.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

export function topKPerClass(pool: Pool, options: StrategyOptions): Selection {
  const { predicted, confidence } = pool;
  const chosen: number[] = [];
  const perClass: Record<string, number> = {};
  const warnings: string[] = [];
  for (let c = 0; c < pool.classes; c++) {
    const rows = topK(confidence, options.kPerClass, (r) => options.selectable[r] === 1 && predicted[r] === c, options.tieBreak);
    perClass[pool.plan.classNames[c]!] = rows.length;
    if (rows.length < options.kPerClass) {
      warnings.push(`class ${pool.plan.classNames[c]}: only ${rows.length} row${rows.length === 1 ? "" : "s"} ${options.thresholdRule ? `pass ${options.thresholdRule}` : "predicted"}, fewer than K_PER_CLASS=${options.kPerClass}.`);
    }
    chosen.push(...rows);
  }
  // One ranking across classes: most confident first, ties by id.
  chosen.sort((a, b) => confidence[b]! - confidence[a]! || options.tieBreak(a, b));
  const rows = Uint32Array.from(chosen);
  return {
    rows,
    scores: Float64Array.from(rows, (r) => confidence[r]!),
    scoreMeaning: "probability of the predicted class",
    details: { selectedPerClass: perClass },
    warnings,
  };
}

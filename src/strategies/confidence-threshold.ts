/**
 * Semi-supervised learning: every row whose top class probability reaches the threshold, most
 * confident first (MAX_SAMPLES keeps only that many), to pseudo-label with the predicted class.
 *
 * CLASS_BALANCE caps each class: with MAX_SAMPLES, quotas of MAX_SAMPLES rows (unused quota
 * goes to other classes); without, each class keeps at most its share of the passing rows, so
 * the easiest class cannot flood the pseudo-labels.
 */
import { topK } from "../engine/topk.ts";
import type { Pool } from "../pool/pool.ts";
import { rankWithQuotas } from "./shared.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

export function confidenceThreshold(pool: Pool, options: StrategyOptions): Selection {
  const { confidence } = pool;
  const eligible = (row: number) => options.selectable[row] === 1 && confidence[row]! >= options.confidenceThreshold;
  let passing = 0;
  for (let i = 0; i < pool.size; i++) if (eligible(i)) passing++;
  // A streamed run's pool is its candidates; it counted the whole pool's passing rows.
  passing = options.passingRows ?? passing;
  const keep = options.maxSamples > 0 ? Math.min(options.maxSamples, passing) : passing;
  let rows: Uint32Array;
  let quotas: Int32Array | null = null;
  if (options.balance && options.maxSamples === 0) {
    const balance = options.balance;
    quotas = Int32Array.from(balance.shares, (share) => Math.floor(share * passing));
    const chosen: number[] = [];
    quotas.forEach((cap, c) => chosen.push(...topK(confidence, cap, (r) => balance.classOf[r] === c && eligible(r), options.tieBreak)));
    rows = Uint32Array.from(chosen.sort((a, b) => confidence[b]! - confidence[a]! || options.tieBreak(a, b)));
  } else {
    ({ rows, quotas } = rankWithQuotas(confidence, keep, eligible, options));
  }
  const warnings = passing === 0
    ? [options.thresholdRule ? `no row passes ${options.thresholdRule}; nothing selected.` : `no row reaches CONFIDENCE_THRESHOLD=${options.confidenceThreshold} (the most confident row has ${Math.max(...confidence).toFixed(4)}); nothing selected.`]
    : [];
  return {
    rows,
    scores: Float64Array.from(rows, (r) => confidence[r]!),
    scoreMeaning: "probability of the predicted class",
    // Which threshold decided: CONFIDENCE_THRESHOLD, or the rule that replaced it (TARGET_PRECISION, THRESHOLD_MODE).
    details: { rowsPassing: passing, threshold: options.thresholdRule ?? `CONFIDENCE_THRESHOLD=${options.confidenceThreshold}` },
    warnings,
    quotas,
  };
}

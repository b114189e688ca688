/**
 * Keeping rows from a ranked list under CLASS_BALANCE and MIN_DISTANCE: walk the list best
 * first and keep each row whose class still has quota and which is at least MIN_DISTANCE from
 * every kept and labelled row, until the batch is full. One distance per kept row per check,
 * far less than re-measuring the pool after every pick (uncertainty and cluster_margin use it;
 * hybrid's diversity objective needs the greedy loop instead).
 */
import type { Pool } from "../pool/pool.ts";
import { inverse } from "../engine/locality.ts";
import { minDistanceWarning, quotaOption } from "./shared.ts";
import type { StrategyOptions } from "./strategy.ts";
import { prepareVectorSpace } from "./vector-space.ts";

export interface Kept {
  rows: Uint32Array;
  quotas: Int32Array | null;
  /** Rows passed over for being too close, and the distances measured to find them. */
  tooClose: number;
  evaluations: number;
  warnings: string[];
}

/** `ranked`: pool rows, best first; `candidates`: the rows that may be kept (quotas count among them). */
export function keepInOrder(pool: Pool, options: StrategyOptions, ranked: ArrayLike<number>, candidates: Uint8Array): Kept {
  const k = options.batchSize;
  const quotas = quotaOption(options, k, (row) => candidates[row] === 1);
  const taken = quotas ? new Int32Array(quotas.quotas.length) : null;
  const vs = options.minDistance > 0 ? prepareVectorSpace(pool, options, candidates) : null;
  const limit = vs ? vs.toSpace(options.minDistance) : 0;
  const position = vs?.order ? inverse(vs.order) : null;
  const at = (row: number) => (position ? position[row]! : row);
  const kept: number[] = [];
  let tooClose = 0, evaluations = 0;
  for (let i = 0; i < ranked.length && kept.length < k; i++) {
    const row = ranked[i]!;
    if (quotas && taken && taken[quotas.classOf[row]!]! >= quotas.quotas[quotas.classOf[row]!]!) continue;
    if (vs) {
      const p = at(row);
      let apart = !vs.seeds || vs.seeds.nearestDistance[p]! >= limit;
      for (let j = 0; apart && j < kept.length; j++) {
        evaluations++;
        if (vs.space.distance(p, at(kept[j]!)) < limit) apart = false;
      }
      if (!apart) { tooClose++; continue; }
    }
    kept.push(row);
    if (quotas && taken) taken[quotas.classOf[row]!]!++;
    options.onProgress?.(kept.length, k);
  }
  const warnings = kept.length < k && tooClose > 0 ? [minDistanceWarning(options.minDistance, kept.length)] : [];
  return { rows: Uint32Array.from(kept), quotas: quotas?.quotas ?? null, tooClose, evaluations, warnings };
}

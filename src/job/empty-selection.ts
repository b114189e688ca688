/**
 * Why a run selected nothing, in words and counts: every row excluded (labelled, in
 * EXCLUDE_IDS_FILE, or a repeated id), every row stopped by a pseudo-label gate, every row
 * removed by a hybrid filter, no row confident enough. The run still succeeds (an empty batch can be the right answer), but it says why, in
 * the log and in the metadata (`nothing_selected_because`), so an empty file is never a mystery.
 */
import type { Pool } from "../pool/pool.ts";
import type { Selection, StrategyOptions } from "../strategies/strategy.ts";

export interface PoolCounts {
  /** Rows whose id is labelled or in EXCLUDE_IDS_FILE. */
  excluded: number;
  /** Rows that may be selected. */
  selectable: number;
  /** Rows a pseudo-label gate took out (job/read.ts), or null. */
  gated: { count: number; rule: string } | null;
}

export function whyNothingSelected(pool: Pool, selection: Selection, options: StrategyOptions, counts: PoolCounts): string {
  const gated = counts.gated?.count ?? 0;
  const repeated = pool.size - counts.selectable - counts.excluded - gated;
  if (counts.selectable === 0) {
    const parts = [
      counts.excluded > 0 ? `${counts.excluded} are already labelled or listed in EXCLUDE_IDS_FILE` : "",
      repeated > 0 ? `${repeated} repeat an earlier id (DUPLICATE_IDS=keep_first)` : "",
      gated > 0 ? `${gated} do not pass ${counts.gated!.rule}` : "",
    ].filter(Boolean).join(" and ");
    // A gate is a choice the user can loosen; exclusions and repeats are facts of the data.
    if (gated > 0) return `no row passes the pseudo-label gate: of the ${pool.size} pool rows, ${parts}; lower CONFIDENCE_THRESHOLD or TARGET_PRECISION (or add calibration rows) to let some through`;
    return `every row is excluded: of the ${pool.size} pool rows, ${parts}, so none is left to select`;
  }
  const removedBy = selection.details.rowsRemovedByFilter as Record<string, number> | undefined;
  if (removedBy && selection.details.candidates === 0) {
    const each = Object.entries(removedBy).map(([filter, n]) => `${filter} removed ${n}`).join(", ");
    return `the SELECTION_CONFIG filters removed every one of the ${counts.selectable} selectable rows (${each}); loosen a filter`;
  }
  if (selection.details.rowsPassing === 0) {
    let highest = -Infinity;
    for (let i = 0; i < pool.size; i++) if (options.selectable[i]) highest = Math.max(highest, pool.confidence[i]!);
    return `no selectable row reaches CONFIDENCE_THRESHOLD=${options.confidenceThreshold} (of ${counts.selectable} selectable rows, the most confident has ${highest}); lower the threshold`;
  }
  return `${selection.warnings[0] ?? "the strategy chose no row"} (${counts.selectable} selectable of ${pool.size} pool rows)`;
}

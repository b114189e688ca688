/**
 * selection_report.html: the pool and the selection side by side, projected with PCA on the
 * vectors the strategy used (or the pool's vectors when it used none).
 */
import { writeFileSync } from "node:fs";
import type { Blas } from "../ffi/blas.ts";
import { pca2 } from "./engine/pca.ts";
import type { Pool } from "./pool.ts";
import { renderReport } from "./report/report.ts";
import type { Selection } from "./strategies/strategy.ts";

export async function writeReport(path: string, pool: Pool, selection: Selection, metadata: Record<string, unknown>,
  blas: Blas, seed: number): Promise<void> {
  const projection = pool.vectors ? pca2(pool.vectors, blas, { seed }) : null;
  const sections = [];
  const details = Object.entries(selection.details).filter(([, v]) => v !== null && typeof v !== "object");
  if (details.length > 0) sections.push({ heading: "Strategy figures", rows: details.map(([k, v]) => [k, String(v)] as [string, string]) });
  const filters = selection.details.rowsRemovedByFilter as Record<string, number> | undefined;
  if (filters && Object.keys(filters).length > 0) {
    sections.push({ heading: "Filters (rows each removed, in order)", rows: Object.entries(filters).map(([f, n]) => [f, n.toLocaleString("en-US")] as [string, string]) });
  }
  const balance = metadata.class_balance as { over: string; classes: Record<string, { target_share: number; quota: number; achieved: number }> } | null;
  if (balance) {
    sections.push({ heading: `Class balance over ${balance.over}: target share, quota, achieved`, rows: Object.entries(balance.classes)
      .map(([name, c]) => [name, `${(100 * c.target_share).toFixed(1)}% · quota ${c.quota} · achieved ${c.achieved}`] as [string, string]) });
  }
  const html = renderReport({
    title: `active-sampling: ${metadata.strategy}, ${selection.rows.length.toLocaleString("en-US")} of ${pool.size.toLocaleString("en-US")} rows`,
    metadata,
    classNames: pool.plan.classNames,
    probs: pool.classes > 0 ? pool.probs : null,
    selected: selection.rows,
    selectionScores: selection.scores,
    projection,
    sections,
  });
  writeFileSync(path, html);
}

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
import type { Labeled } from "./io/labeled.ts";
import { figureName } from "./report/figure-names.ts";
import { formatValue } from "./report/html.ts";

export async function writeReport(path: string, pool: Pool, selection: Selection, metadata: Record<string, unknown>,
  blas: Blas, seed: number, labeled: Labeled | null = null): Promise<void> {
  const labeledVectors = labeled?.vectors && pool.vectors && labeled.vectors.cols === pool.vectors.cols ? labeled.vectors : null;
  const pca = pool.vectors ? pca2(pool.vectors, blas, { seed, alsoProject: labeledVectors }) : null;
  const projection = pca ? { coords: pca.coords, explained: pca.explained } : null;
  const sections = [];
  const details = Object.entries(selection.details).filter(([, v]) => v !== null && typeof v !== "object");
  const figures = details.map(([k, v]) => [figureName(k), String(v)] as [string, string]);
  const radius = metadata.covering_radius as { radius?: number; units?: string; bound?: number } | null | undefined;
  if (radius?.radius !== undefined) figures.unshift(["covering radius: the farthest any row lies from a selected or labelled row", `${formatValue(radius.radius)} (${radius.units})`]);
  if (radius?.bound !== undefined) figures.unshift(["covering radius bound (merge: largest host radius + merge radius)", formatValue(radius.bound)]);
  if (figures.length > 0) sections.push({ heading: "Strategy figures", rows: figures });
  const filters = selection.details.rowsRemovedByFilter as Record<string, number> | undefined;
  if (filters && Object.keys(filters).length > 0) {
    sections.push({ heading: "Filters (rows each removed, in order)", rows: Object.entries(filters).map(([f, n]) => [f, n.toLocaleString("en-US")] as [string, string]) });
  }
  const balance = metadata.class_balance as { over: string; classes: Record<string, { target_share: number; quota: number; achieved: number }> } | null;
  if (balance) {
    sections.push({ heading: `Class balance over ${balance.over}: target share, quota, achieved`, rows: Object.entries(balance.classes)
      .map(([name, c]) => [name, `${(100 * c.target_share).toFixed(1)}% · quota ${c.quota} · achieved ${c.achieved}`] as [string, string]) });
  }
  // A merge's pool is the hosts' candidates; its metadata says how many rows the hosts saw.
  const candidatesOf = metadata.role === "merge" ? Number(metadata.pool_size) : null;
  const labeledInfo = metadata.labeled_data as { channel: string; rows: number } | null;
  const html = renderReport({
    title: `active-sampling: ${metadata.strategy}, ${selection.rows.length.toLocaleString("en-US")} of ${(candidatesOf ?? pool.size).toLocaleString("en-US")} rows`,
    ids: pool.ids,
    candidatesOf,
    labeled: labeledInfo ? { rows: labeledInfo.rows, source: labeledInfo.channel, coords: pca?.alsoCoords ?? null } : null,
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

/**
 * selection_report.html: the pool and the selection side by side, projected with PCA on the
 * vectors the strategy used (or the pool's vectors when it used none).
 */
import { writeFileSync } from "node:fs";
import type { Blas } from "../ffi/blas.ts";
import { pca2 } from "./engine/pca.ts";
import type { Pool } from "./pool.ts";
import { renderReport } from "./report/report.ts";
import { reliabilityFigure, type ReliabilityPoint } from "./report/reliability-chart.ts";
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
  sections.push(...pseudoLabelSections(metadata));
  const html = renderReport({
    title: `active-sampling: ${metadata.strategy}, ${selection.rows.length.toLocaleString("en-US")} of ${pool.size.toLocaleString("en-US")} rows`,
    metadata,
    classNames: pool.plan.classNames,
    probs: pool.probs,
    selected: selection.rows,
    selectionScores: selection.scores,
    projection,
    sections,
  });
  writeFileSync(path, html);
}

/** Calibration (ECE, reliability diagram) and the precision target, promised beside estimated, when the run had them. */
function pseudoLabelSections(metadata: Record<string, unknown>): { heading: string; rows: [string, string][]; figure?: string }[] {
  const p = metadata.pseudo_labels as Record<string, any> | undefined;
  if (!p) return [];
  const out: { heading: string; rows: [string, string][]; figure?: string }[] = [];
  const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(2)}%`);
  const c = p.calibration;
  if (c) {
    out.push({
      heading: "Calibration (calibration_data)",
      figure: reliabilityFigure(c.reliability_before as ReliabilityPoint[], c.reliability_after as ReliabilityPoint[] | null, c.ece_before, c.ece_after),
      rows: [
        ["calibration rows", String(c.rows)],
        ["temperature", c.temperature === null ? "not fitted (CALIBRATE=off)" : String(c.temperature)],
        ["expected calibration error", `${c.ece_before.toFixed(4)} as given${c.ece_after === null ? "" : ` → ${c.ece_after.toFixed(4)} temperature-scaled`}`],
        ["negative log-likelihood", `${c.nll_before.toFixed(4)}${c.nll_after === null ? "" : ` → ${c.nll_after.toFixed(4)}`}`],
        ["note", c.note],
      ],
    });
  }
  const q = p.precision;
  if (q) {
    out.push({
      heading: `Precision: promised ${pct(q.target)}, estimated ${pct(q.estimated_precision)}`,
      rows: [
        ["promised (TARGET_PRECISION)", `${pct(q.target)} (${q.scope} scope)`],
        ["estimated from the calibration rows", pct(q.estimated_precision)],
        ["rows passing", `${q.rows_passing} of ${q.eligible_rows} (coverage ${pct(q.coverage)})`],
        ["guarantee", q.guarantee],
        ...Object.entries(q.per_class as Record<string, any>).map(([name, k]): [string, string] => [`class ${name}`,
          `threshold ${k.threshold ?? "none"} · ${k.rows_passing} of ${k.eligible_rows} rows · estimated ${pct(k.estimated_precision)} · ${k.calibration_rows} calibration rows`]),
        ...(q.classes_below_target.length ? [["below the target (none selected)", q.classes_below_target.join(", ")] as [string, string]] : []),
        ["note", q.note],
      ],
    });
  }
  if (p.class_thresholds) {
    out.push({ heading: `Class thresholds (THRESHOLD_MODE=${p.threshold_mode})`, rows: Object.entries(p.class_thresholds as Record<string, number>).map(([n, t]) => [`class ${n}`, String(t)]) });
  }
  return out;
}

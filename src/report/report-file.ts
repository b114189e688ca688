/**
 * selection_report.html: the pool and the selection side by side, projected with PCA on the
 * vectors the strategy used (or the pool's vectors when it used none).
 */
import { writeFileSync } from "node:fs";
import type { Blas } from "../../ffi/blas.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import { pca2 } from "../engine/pca.ts";
import { DataError } from "../errors.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool/pool.ts";
import { renderReport } from "./report.ts";
import type { PoolConfidence } from "./stats.ts";
import { selectedProjection, type ProjectionRows } from "./streamed-projection.ts";
import { reliabilityFigure, type ReliabilityPoint } from "./reliability-chart.ts";
import type { Selection } from "../strategies/strategy.ts";
import type { Labeled } from "../io/labeled.ts";
import { figureName } from "./figure-names.ts";
import { formatValue } from "./html.ts";

/** A streamed run's whole pool (src/job/stream.ts), as the report charts it; `pool` is then its candidates. */
export interface StreamedPool {
  rows: number;
  confidence: PoolConfidence;
  /** The rows the scatter needs, kept while streaming, and the candidates' vectors (rows of `pool`); null when the pool has none. */
  projection: { kept: ProjectionRows; candidates: Matrix } | null;
}

export async function writeReport(path: string, pool: Pool, selection: Selection, metadata: Record<string, unknown>,
  blas: Blas, seed: number, labeled: Labeled | null = null, streamed: StreamedPool | null = null): Promise<void> {
  // A streamed run projects the rows it kept (it reads no labelled vectors: its strategies use none).
  const { vectors, note: projectionNote } = streamed ? { vectors: null, note: undefined }
    : pool.vectors ? { vectors: pool.vectors, note: undefined } : vectorsForReport(pool);
  const labeledVectors = labeled?.vectors && vectors && labeled.vectors.cols === vectors.cols ? labeled.vectors : null;
  const pca = vectors ? pca2(vectors, blas, { seed, alsoProject: labeledVectors }) : null;
  const sampled = streamed?.projection ? selectedProjection(streamed.projection.kept.finish(streamed.projection.candidates, blas), selection.rows) : null;
  const projection = pca ? { coords: pca.coords, explained: pca.explained } : sampled;
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
  sections.push(...pseudoLabelSections(metadata));
  const stability = metadata.prediction_stability as { verdict: string; kappa: number; agreement: number; rows_compared: number; f_measure_bound: number | null; threshold: number } | undefined;
  if (stability) {
    sections.push({ heading: "Stopping signal: predictions against the last round", rows: [
      ["verdict", stability.verdict], ["Cohen's kappa", stability.kappa.toFixed(4)], ["agreement", `${(100 * stability.agreement).toFixed(2)}%`],
      ["rows compared", stability.rows_compared.toLocaleString("en-US")], ["stabilised at", `kappa ≥ ${stability.threshold} (STABLE_KAPPA)`],
      ["F-measure can still move by at most", stability.f_measure_bound === null ? "– (kappa ≤ 0)" : stability.f_measure_bound.toFixed(4)],
    ] as [string, string][] });
  }
  // A merge's pool is the hosts' candidates; its metadata says how many rows the hosts saw.
  const candidatesOf = metadata.role === "merge" ? Number(metadata.pool_size) : null;
  const labeledInfo = metadata.labeled_data as { channel: string; rows: number } | null;
  const html = renderReport({
    title: `active-sampling: ${metadata.strategy}, ${selection.rows.length.toLocaleString("en-US")} of ${(candidatesOf ?? streamed?.rows ?? pool.size).toLocaleString("en-US")} rows`,
    ids: pool.ids,
    candidatesOf,
    labeled: labeledInfo ? { rows: labeledInfo.rows, source: labeledInfo.channel, coords: pca?.alsoCoords ?? null } : null,
    metadata,
    classNames: pool.plan.classNames,
    probs: pool.classes > 0 ? pool.probs : null,
    poolConfidence: streamed?.confidence ?? null,
    selected: selection.rows,
    selectionScores: selection.scores,
    projection,
    projectionNote,
    sections,
  });
  writeFileSync(path, html);
}

/**
 * The pool's vectors for the projection when the strategy read none: a run reads them only
 * when the report is written (a score-only run's read step skips them). Values the strategy
 * would have refused leave the report without a projection, saying why, and the run goes on.
 */
function vectorsForReport(pool: Pool): { vectors: Matrix | null; note?: string } {
  const columns = pool.plan.vectorColumns;
  if (columns.length === 0) return { vectors: null };
  const data = allocVectors(false, pool.size * columns.length);
  try {
    pool.tables.forEach((table, t) => {
      const numeric = [{ columns: columns.map((name) => table.columns.indexOf(name)), out: data, rowStart: pool.tableStarts[t]!, stride: columns.length, offset: 0, kind: "finite" as const }];
      table.extract({ idColumn: table.columns.indexOf(pool.plan.id), numeric });
    });
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    return { vectors: null, note: `The vector columns cannot be projected: ${error.message}` };
  }
  return { vectors: { data, rows: pool.size, cols: columns.length } };
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
        ["estimated for the rows written", `${pct(q.selection.estimated_precision)} (${q.selection.rows} rows; MAX_SAMPLES / K_PER_CLASS may keep fewer than pass)`],
        ["rows passing", `${q.rows_passing} of ${q.eligible_rows} (coverage ${pct(q.coverage)})`],
        ["guarantee", q.guarantee],
        ...Object.entries(q.per_class as Record<string, any>).map(([name, k]): [string, string] => [`class ${name}`,
          `threshold ${k.threshold ?? "none"} · ${k.rows_passing} of ${k.eligible_rows} rows · estimated ${pct(k.estimated_precision)} · ${k.calibration_rows} calibration rows`]),
        ...(q.classes_below_target.length ? [["below the target (none selected)", q.classes_below_target.join(", ")] as [string, string]] : []),
        ["note", q.note],
      ],
    });
  }
  const perClass = p.per_class as Record<string, { rows: number; confidence: Record<string, number> | null }> | undefined;
  if (perClass) {
    const f = (x: number) => x.toFixed(3);
    out.push({ heading: "Pseudo-labels per class: rows, and their confidence (min · quartiles · max)", rows: Object.entries(perClass).map(([name, k]): [string, string] =>
      [`class ${name}`, k.confidence === null ? "0 rows"
        : `${k.rows.toLocaleString("en-US")} rows · ${f(k.confidence.min!)} · ${f(k.confidence.p25!)} / ${f(k.confidence.median!)} / ${f(k.confidence.p75!)} · ${f(k.confidence.max!)}`]) });
  }
  if (p.class_thresholds) {
    out.push({ heading: `Class thresholds (THRESHOLD_MODE=${p.threshold_mode})`, rows: Object.entries(p.class_thresholds as Record<string, number>).map(([n, t]) => [`class ${n}`, String(t)]) });
  }
  return out;
}

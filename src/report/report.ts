/**
 * `selection_report.html`: one self-contained page, written beside the outputs, that shows what
 * was selected against the pool it came from. No scripts, no external files, no network: the
 * charts are inline SVG drawn here, tooltips are SVG `<title>`s, the styles sit in one `<style>`,
 * and a Content-Security-Policy forbids everything else, so a string that slipped past escaping
 * still could not load or run anything.
 *
 * Size: everything of pool size is reduced before it reaches the page (histograms, class counts,
 * a seeded sample of at most `POOL_POINTS_SHOWN` pool points in the scatter), so a 1M-row pool gives a page of a few
 * hundred kilobytes plus the metadata and the selected points.
 */
import { escapeHtml as esc, formatCount, formatFixed, formatShare, formatValue } from "./html.ts";
import { htmlPage } from "./page.ts";
import { scoreHistogram, summarizeConfidence, type ConfidenceMeasure, type ConfidenceSummary,
  type Histogram, type PoolConfidence } from "./stats.ts";
import { Rng } from "../rng.ts";
import { binLabel, classBarsSvg, histogramSvg, rankLineSvg, scatterSvg, type Series } from "./svg.ts";

export const REPORT_FILE_NAME = "selection_report.html";

export interface ReportInput {
  /** Page title, e.g. "active-sampling: badge, 200 of 59,000 rows". */
  title: string;
  /** The selection_metadata.json object; shown in full, pretty-printed. */
  metadata: Record<string, unknown>;
  /** Class labels, e.g. ["0", …, "9"]. */
  classNames: string[];
  /** Pool N×C probabilities, row-major; null when the pool has none. With `poolConfidence`, only the rows `selected` indexes. */
  probs: Float64Array | null;
  /**
   * The pool's confidence histograms and class counts, counted as a streamed run read it
   * (src/job/stream.ts); `probs` then holds its candidates, the selection among them.
   */
  poolConfidence?: PoolConfidence | null;
  /** Pool row indices of the selection, in rank order. */
  selected: Uint32Array;
  /** selection_score per selected row, same order. */
  selectionScores: Float64Array;
  /** PCA of the pool vectors (N×2, see src/engine/pca.ts), or of the rows drawn only (a streamed run); null when the pool has no vectors. */
  projection: { coords: Float64Array; explained: [number, number] } | SampledProjection | null;
  /** Why there is no projection, when the pool has vectors that could not be projected. */
  projectionNote?: string;
  /** Extra key/value tables (filters, class targets, …). */
  sections?: { heading: string; rows: [string, string][]; figure?: string }[];
  /** Each pool row's id: rows are shown by id, never by their place in memory. */
  ids?: readonly string[] | null;
  /** The labelled rows (labeled_data): how many, from where, and their projection on the same axes. */
  labeled?: { rows: number; source: string; coords: Float64Array | null } | null;
  /** A multi-host merge: the rows given are the hosts' candidates, chosen from this many pool rows. */
  candidatesOf?: number | null;
}

/**
 * A projection of the rows the scatter draws and no others (a streamed run keeps no more): the
 * pool sample `samplePoolRows(rows, POOL_POINTS_SHOWN)` picks and the selected rows.
 */
export interface SampledProjection {
  /** Rows in the pool. */
  rows: number;
  /** The sampled pool rows' coordinates (x, y pairs), in samplePoolRows' order. */
  shown: Float64Array;
  /** The selected rows' coordinates, in rank order. */
  selected: Float64Array;
  explained: [number, number];
}

/** What the charted rows are: the pool, or a merge's candidates. */
function nounOf(input: ReportInput): string {
  return input.candidatesOf != null ? "candidates" : "pool";
}

/** A selected pool row as a person finds it again: "id X" (its row number only when no ids were given). */
function rowName(input: ReportInput, row: number): string {
  return input.ids ? `id ${input.ids[row]!}` : `row ${row}`;
}

/** Most pool points drawn in the scatter; the selected points are always all drawn. */
export const POOL_POINTS_SHOWN = 5000;
/** Seed of the pool sample in the scatter; fixed, so a report is a function of its input. */
const POOL_SAMPLE_SEED = 0x5ca77e2;
/** Above this many selected points the scatter drops their tooltips to keep the file small. */
const SELECTED_TOOLTIP_LIMIT = 2000;
/** Classes shown in the bar chart (the most frequent); the table below it lists them all. */
const CLASSES_CHARTED = 30;
const SELECTED_TABLE_ROWS = 100;
/** Longer metadata JSON is cut, with a note, so an odd metadata object cannot bloat the page. */
const METADATA_MAX_CHARS = 500_000;

const MEASURES: { key: ConfidenceMeasure; title: string; axis: (classes: number) => string; note: string }[] = [
  {
    key: "maxProb", title: "Max probability", axis: () => "max probability (top-1)",
    note: "How sure the model is of its top class.",
  },
  {
    key: "margin", title: "Margin", axis: () => "margin (top-1 − top-2)",
    note: "Small margins sit near a decision boundary.",
  },
  {
    key: "entropy", title: "Entropy",
    axis: () => "entropy / ln C (0 = sure, 1 = uniform)",
    note: "High entropy spreads probability over many classes. Divided by ln C, the largest it can be, as UNCERTAINTY_MODE=entropy scores rows.",
  },
];

export function renderReport(input: ReportInput): string {
  const poolRows = checkInput(input);
  const classes = input.classNames.length;
  const n = input.selected.length;
  const summary = input.probs ? summarizeConfidence(input.probs, classes, input.selected, input.poolConfidence ?? null) : null;

  const parts: string[] = [];
  parts.push(header(input, poolRows, summary !== null));
  const noun = nounOf(input);
  parts.push(section("confidence", `Confidence: ${noun} vs selection`,
    summary ? confidenceCharts(summary, classes, noun) : noData("The pool has no probability columns, so there is no confidence to chart.")));
  parts.push(section("classes", `Predicted class: ${noun} vs selection`,
    summary ? classCharts(summary, input.classNames, noun) : noData("The pool has no probability columns, so there is no predicted class.")));
  parts.push(section("scores", "Selection scores",
    n > 0 ? scoreCharts(input.selectionScores) : noData("Nothing was selected.")));
  parts.push(section("projection", "Embedding projection (PCA)",
    input.projection ? projectionChart(input, summary) : noData(input.projectionNote ?? "The pool has no embedding or feature vectors, so there is nothing to project.")));
  for (const [i, extra] of (input.sections ?? []).entries()) {
    parts.push(section(`extra-${i + 1}`, extra.heading, (extra.figure ?? "") + keyValueTable(extra.rows)));
  }
  parts.push(section("selected", "Selected rows", selectedTable(input, summary)));
  parts.push(section("metadata", "Metadata", metadataBlock(input.metadata)));

  return htmlPage(input.title, parts.join("\n"), "Written by active-sampling.");
}

/** Checks shapes against each other; returns the pool's row count when the input tells it. */
function checkInput(input: ReportInput): number | null {
  const { probs, projection, selected, selectionScores, classNames } = input;
  if (selectionScores.length !== selected.length) {
    throw new RangeError(`renderReport: ${selected.length} selected rows but ${selectionScores.length} selection scores`);
  }
  let rows: number | null = null;
  if (probs) {
    if (classNames.length === 0) throw new RangeError("renderReport: probabilities were given but no class names");
    if (probs.length % classNames.length !== 0) {
      throw new RangeError(`renderReport: probs holds ${probs.length} values, not a multiple of the ${classNames.length} classes`);
    }
    rows = probs.length / classNames.length;
  }
  if (projection && !("coords" in projection)) {
    if (!input.poolConfidence || projection.rows !== input.poolConfidence.rows) throw new RangeError("renderReport: a sampled projection comes with the pool's counted figures, of as many rows");
    if (projection.shown.length !== 2 * Math.min(projection.rows, POOL_POINTS_SHOWN) || projection.selected.length !== 2 * selected.length) {
      throw new RangeError("renderReport: a sampled projection holds the sampled pool rows and the selected rows, x and y each");
    }
  } else if (projection) {
    if (projection.coords.length % 2 !== 0) {
      throw new RangeError(`renderReport: projection coords hold ${projection.coords.length} values, not rows × 2`);
    }
    const projected = projection.coords.length / 2;
    if (rows !== null && projected !== rows) {
      throw new RangeError(`renderReport: probs has ${rows} rows but the projection has ${projected}`);
    }
    rows = projected;
  }
  if (rows !== null) {
    for (const r of selected) {
      if (r >= rows) throw new RangeError(`renderReport: selected row ${r} is outside the pool of ${rows} rows`);
    }
  }
  if (input.poolConfidence) {
    if (projection && "coords" in projection) throw new RangeError("renderReport: a pool counted while streaming has no projection of every row");
    return input.poolConfidence.rows;
  }
  return rows;
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(heading)}</h2>\n${body}\n</section>`;
}

function noData(text: string): string {
  return `<p class="note">${esc(text)} This part of the report is skipped.</p>`;
}

function header(input: ReportInput, poolRows: number | null, hasProbs: boolean): string {
  const n = input.selected.length;
  const merged = input.candidatesOf ?? null;
  const cards: [string, string][] = [
    ...(merged !== null
      ? [["pool rows (the hosts saw)", formatCount(merged)], ["rows the hosts sent", poolRows === null ? "–" : formatCount(poolRows)]] as [string, string][]
      : [["pool rows", poolRows === null ? "–" : formatCount(poolRows)]] as [string, string][]),
    ["selected rows", formatCount(n)],
    ["share selected", (merged ?? poolRows) ? formatShare(n / (merged ?? poolRows)!) : "–"],
    ...(input.labeled ? [["labelled rows", formatCount(input.labeled.rows)]] as [string, string][] : []),
    ["classes", hasProbs ? formatCount(input.classNames.length) : "–"],
    ["projection", input.projection ? "PCA, 2 components" : "none"],
  ];
  const nav = [
    ["confidence", "Confidence"], ["classes", "Predicted class"], ["scores", "Scores"],
    ["projection", "Projection"],
    ...(input.sections ?? []).map((s, i): [string, string] => [`extra-${i + 1}`, s.heading]),
    ["selected", "Selected rows"], ["metadata", "Metadata"],
  ];
  const scalars = Object.entries(input.metadata)
    .filter(([, v]) => v === null || ["string", "number", "boolean", "bigint"].includes(typeof v))
    .slice(0, 40)
    .map(([k, v]): [string, string] => [k, String(v)]);
  if (input.labeled) scalars.push(["labelled rows", `${formatCount(input.labeled.rows)} from ${input.labeled.source} (never selected; distance-based strategies start from them)`]);
  return `<header>
<h1>${esc(input.title)}</h1>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="card-value">${esc(v)}</div><div class="card-label">${esc(k)}</div></div>`).join("")}</div>
<nav>${nav.map(([id, label]) => `<a href="#${esc(id!)}">${esc(label!)}</a>`).join("")}</nav>
${scalars.length > 0 ? `<details class="run" open><summary>Run settings (top-level metadata)</summary>${keyValueTable(scalars)}</details>` : ""}
</header>`;
}

function confidenceCharts(summary: ConfidenceSummary, classes: number, noun: string): string {
  const figures = MEASURES.map(({ key, title, axis, note }) => {
    const pool = summary.pool[key];
    const selection = summary.selection[key];
    const series = [poolSeries(pool, noun), selectionSeries(selection)];
    const svg = histogramSvg({ label: `${title}: ${noun} vs selection`, edges: pool.edges, series, scale: "share", xLabel: axis(classes) });
    const mean = (h: Histogram) => (h.total > 0 ? formatValue(h.sum / h.total, 3) : "–");
    const skipped = pool.nonFinite + selection.nonFinite > 0
      ? ` Rows with a non-finite probability, not charted: ${noun} ${formatCount(pool.nonFinite)}, selection ${formatCount(selection.nonFinite)}.`
      : "";
    return `<figure>
<figcaption><strong>${esc(title)}</strong> · mean: ${noun} ${mean(pool)}, selection ${mean(selection)}</figcaption>
${svg}
<p class="note">${esc(note + skipped)}</p>
${histogramTable(pool, selection, noun)}
</figure>`;
  });
  const what = noun === "pool" ? "Pool = all rows, the selection included."
    : "Candidates = the rows the map hosts kept for the merge, the selection included (not the whole pool).";
  return `<p class="lede">${what} Each bar is the share of its own group (${noun} or selection), so the two compare whatever their sizes; hover a bar or open a table for the counts.</p>
<div class="grid">${figures.join("\n")}</div>`;
}

function poolSeries(h: Histogram, noun: string): Series {
  return { label: `${noun} · ${formatCount(h.total)} rows`, tone: "pool", counts: h.counts, total: h.total };
}

function selectionSeries(h: Histogram): Series {
  return { label: `selection · ${formatCount(h.total)} rows`, tone: "selection", counts: h.counts, total: h.total };
}

function histogramTable(pool: Histogram, selection: Histogram, noun: string): string {
  const rows = pool.counts.map((c, i) => `<tr><td>${esc(binLabel(pool.edges, i))}</td><td>${formatCount(c)}</td><td>${formatShare(pool.total ? c / pool.total : 0)}</td><td>${formatCount(selection.counts[i]!)}</td><td>${formatShare(selection.total ? selection.counts[i]! / selection.total : 0)}</td></tr>`);
  return `<details><summary>Counts per bin</summary><table class="numbers"><thead><tr><th>bin</th><th>${esc(noun)}</th><th>share</th><th>selection</th><th>share</th></tr></thead><tbody>${rows.join("")}</tbody></table></details>`;
}

function classCharts(summary: ConfidenceSummary, classNames: string[], noun: string): string {
  const poolTotal = summary.poolClassCounts.reduce((a, b) => a + b, 0);
  const selTotal = summary.selectionClassCounts.reduce((a, b) => a + b, 0);
  let order = classNames.map((_, c) => c);
  let note = "";
  if (classNames.length > CLASSES_CHARTED) {
    const weight = (c: number) => Math.max(
      poolTotal ? summary.poolClassCounts[c]! / poolTotal : 0,
      selTotal ? summary.selectionClassCounts[c]! / selTotal : 0);
    order = [...order].sort((a, b) => weight(b) - weight(a) || a - b).slice(0, CLASSES_CHARTED).sort((a, b) => a - b);
    note = `<p class="note">The ${CLASSES_CHARTED} classes with the largest share in the pool or the selection are charted; the table lists all ${formatCount(classNames.length)}.</p>`;
  }
  const svg = classBarsSvg({
    label: `Predicted class distribution: ${noun} vs selection`,
    classNames: order.map((c) => classNames[c]!),
    series: [
      { label: `${noun} · ${formatCount(poolTotal)} rows`, tone: "pool", counts: order.map((c) => summary.poolClassCounts[c]!), total: poolTotal },
      { label: `selection · ${formatCount(selTotal)} rows`, tone: "selection", counts: order.map((c) => summary.selectionClassCounts[c]!), total: selTotal },
    ],
  });
  const rows = classNames.map((name, c) => {
    const p = summary.poolClassCounts[c]!;
    const s = summary.selectionClassCounts[c]!;
    return `<tr><td>${esc(name)}</td><td>${formatCount(p)}</td><td>${formatShare(poolTotal ? p / poolTotal : 0)}</td><td>${formatCount(s)}</td><td>${formatShare(selTotal ? s / selTotal : 0)}</td></tr>`;
  });
  return `<p class="lede">Predicted class = the argmax of each row's probabilities.</p>
<div class="grid"><figure>${svg}${note}</figure>
<div><table class="numbers"><thead><tr><th>class</th><th>${esc(noun)}</th><th>share</th><th>selection</th><th>share</th></tr></thead><tbody>${rows.join("")}</tbody></table></div></div>`;
}

function scoreCharts(scores: Float64Array): string {
  const h = scoreHistogram(scores);
  const hist = histogramSvg({
    label: "selection_score distribution",
    edges: h.edges,
    series: [{ label: `selection · ${formatCount(h.total)} rows`, tone: "selection", counts: h.counts, total: h.total }],
    scale: "count",
    xLabel: "selection_score",
  });
  const line = rankLineSvg({ label: "selection_score by rank", values: scores, yLabel: "selection_score" });
  let lo = Infinity, hi = -Infinity;
  for (const s of scores) if (Number.isFinite(s)) { lo = Math.min(lo, s); hi = Math.max(hi, s); }
  const stats = h.total > 0
    ? `min ${formatValue(lo)} · mean ${formatValue(h.sum / h.total)} · max ${formatValue(hi)}`
    : "no finite scores";
  const skipped = h.nonFinite > 0 ? ` · ${formatCount(h.nonFinite)} non-finite, not charted` : "";
  return `<p class="lede">What each strategy's selection_score means is in its documentation; the metadata names the strategy. ${esc(stats + skipped)}.</p>
<div class="grid"><figure><figcaption><strong>Distribution</strong></figcaption>${hist}</figure>
<figure><figcaption><strong>By rank</strong> (rank 1 = selected first)</figcaption>${line}</figure></div>`;
}

function projectionChart(input: ReportInput, summary: ConfidenceSummary | null): string {
  const { rows, pool, selected, explained } = drawnPoints(input);
  const shown = pool.length / 2;
  const n = input.selected.length;
  const titles = n <= SELECTED_TOOLTIP_LIMIT
    ? Array.from(input.selected, (r, i) => {
      const predicted = summary && summary.selectedRows[i]!.argmax >= 0
        ? ` · predicted ${input.classNames[summary.selectedRows[i]!.argmax]}` : "";
      return `rank ${formatCount(i + 1)} · ${rowName(input, r)} · score ${formatValue(input.selectionScores[i]!)}${predicted}`;
    })
    : null;
  const noun = nounOf(input);
  const poolLabel = shown === rows
    ? `${noun} · all ${formatCount(rows)} rows`
    : `${noun} · a sample of ${formatCount(shown)} of ${formatCount(rows)} rows`;
  const labeled = input.labeled?.coords ?? null;
  const svg = scatterSvg({
    label: "PCA projection of the pool, selection highlighted",
    pool,
    selected,
    selectedTitles: titles,
    poolLabel,
    selectedLabel: `selected · all ${formatCount(n)} rows`,
    labeled,
    labeledLabel: `labelled · ${formatCount((labeled?.length ?? 0) / 2)} rows`,
    xLabel: `PC1 · ${formatShare(explained[0])} of variance`,
    yLabel: `PC2 · ${formatShare(explained[1])} of variance`,
  });
  const labeledNote = labeled && labeled.length > 0 ? " Labelled rows are drawn on the same axes." : "";
  return `<p class="lede">The first two principal components of the ${esc(noun === "pool" ? "pool's" : "candidates'")} vectors, which together hold ${esc(formatShare(explained[0] + explained[1]))} of their variance. Points close here may be far apart in the full space.${labeledNote}${titles ? " Hover a selected point for its rank, id and score." : ""}</p>
<figure class="wide">${svg}</figure>`;
}

/** The scatter's points: the pool sample's and the selection's coordinates, from every row's projection or from a sampled one. */
function drawnPoints(input: ReportInput): { rows: number; pool: Float64Array; selected: Float64Array; explained: [number, number] } {
  const projection = input.projection!;
  if (!("coords" in projection)) return { rows: projection.rows, pool: projection.shown, selected: projection.selected, explained: projection.explained };
  const { coords, explained } = projection;
  const rows = coords.length / 2;
  const sample = samplePoolRows(rows, POOL_POINTS_SHOWN);
  const pool = new Float64Array(sample.length * 2);
  sample.forEach((r, i) => {
    pool[2 * i] = coords[2 * r]!;
    pool[2 * i + 1] = coords[2 * r + 1]!;
  });
  const selected = new Float64Array(input.selected.length * 2);
  input.selected.forEach((r, i) => {
    selected[2 * i] = coords[2 * r]!;
    selected[2 * i + 1] = coords[2 * r + 1]!;
  });
  return { rows, pool, selected, explained };
}

/**
 * Which pool rows the scatter draws: all of them up to `limit`, else `limit` rows drawn at
 * random with a fixed seed (the same page for the same input), in row order. Not a stride:
 * pools are often ordered by class or source, and every k-th row of a pool ordered
 * class-by-class in turn can be all one class.
 */
export function samplePoolRows(rows: number, limit: number): Uint32Array {
  if (rows <= limit) return Uint32Array.from({ length: rows }, (_, i) => i);
  const rng = new Rng(POOL_SAMPLE_SEED);
  const out = new Uint32Array(limit);
  let chosen = 0;
  // Knuth's selection sampling (Algorithm S): each row is kept with probability needed / left.
  for (let i = 0; i < rows && chosen < limit; i++) {
    if ((rows - i) * rng.nextFloat() < limit - chosen) out[chosen++] = i;
  }
  return out;
}

function keyValueTable(rows: [string, string][]): string {
  if (rows.length === 0) return `<p class="note">(empty)</p>`;
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</tbody></table>`;
}

function selectedTable(input: ReportInput, summary: ConfidenceSummary | null): string {
  const n = input.selected.length;
  if (n === 0) return noData("Nothing was selected.");
  const shown = Math.min(n, SELECTED_TABLE_ROWS);
  const head = ["rank", input.ids ? "id" : "row", "selection_score", ...(summary ? ["max prob", "margin", "entropy", "predicted class"] : [])];
  const body: string[] = [];
  for (let i = 0; i < shown; i++) {
    const cells = [formatCount(i + 1), input.ids ? input.ids[input.selected[i]!]! : String(input.selected[i]), formatValue(input.selectionScores[i]!, 4, true)];
    if (summary) {
      const c = summary.selectedRows[i]!;
      cells.push(formatFixed(c.maxProb, 3), formatFixed(c.margin, 3), formatFixed(c.entropy, 3));
    }
    const predicted = summary
      ? `<td class="text">${esc(summary.selectedRows[i]!.argmax >= 0 ? input.classNames[summary.selectedRows[i]!.argmax]! : "–")}</td>`
      : "";
    body.push(`<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join("")}${predicted}</tr>`);
  }
  const note = shown < n ? `<p class="note">The first ${formatCount(shown)} of ${formatCount(n)} selected rows, in rank order; the output files list them all.</p>` : "";
  return `${note}<div class="scroll"><table class="numbers"><thead><tr>${head.map((h) => `<th${h === "predicted class" ? ' class="text"' : ""}>${esc(h)}</th>`).join("")}</tr></thead><tbody>${body.join("")}</tbody></table></div>`;
}

function metadataBlock(metadata: Record<string, unknown>): string {
  let text: string;
  try {
    text = JSON.stringify(metadata, (_key, value) => (typeof value === "bigint" ? value.toString() : value), 2) ?? "null";
  } catch (error) {
    return noData(`The metadata could not be shown as JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  let cut = "";
  if (text.length > METADATA_MAX_CHARS) {
    cut = `<p class="note">The metadata is ${formatCount(text.length)} characters long; the first ${formatCount(METADATA_MAX_CHARS)} are shown. The full text is in selection_metadata.json.</p>`;
    text = `${text.slice(0, METADATA_MAX_CHARS)}\n…`;
  }
  return `<details open><summary>selection_metadata.json</summary>${cut}<pre>${esc(text)}</pre></details>`;
}


/**
 * Inline SVG charts for the report, drawn in TypeScript so the page needs no script to show
 * them. Colours and fonts come from the page's stylesheet through class names (`tone-pool`,
 * `tone-selection`, `axis`, …). Tooltips are SVG `<title>` elements, which browsers show
 * without script. Every label passes through `escapeHtml`.
 */
import { escapeHtml as esc, formatCount, formatShare, formatTick } from "./html.ts";

export type Tone = "pool" | "selection" | "labeled";

export interface Series {
  label: string;
  tone: Tone;
  counts: number[];
  /** Rows the shares are taken of. */
  total: number;
}

interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function plotWidth(b: Box): number {
  return b.width - b.left - b.right;
}

function plotHeight(b: Box): number {
  return b.height - b.top - b.bottom;
}

/** Rounds to 0.1 px: enough for a screen, and keeps big charts small. */
function px(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** About `target` evenly spaced round ticks covering [lo, hi]; whole-number steps when `integer`. */
export function niceTicks(lo: number, hi: number, target = 5, integer = false): { ticks: number[]; step: number } {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const quarter = integer && power < 10 ? 5 : 2.5; // 2.5 is not a whole step below ten
  let step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? quarter : fraction <= 5 ? 5 : 10) * power;
  if (integer) step = Math.max(1, step);
  const first = Math.floor(lo / step + 1e-9) * step;
  const end = hi + step * (1 - 1e-9);
  const ticks: number[] = [];
  // Counted, not stepped: `t += step` overflows to Infinity (never above `end`) near the largest
  // double, and stands still where step is below the doubles' spacing at t.
  for (let i = 0; i < MAX_TICKS; i++) {
    const t = first + i * step;
    if (!(t <= end) || !Number.isFinite(t)) break;
    ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  }
  return { ticks, step };
}

/** More ticks than any axis asks for (about `target`): a bound the loop above cannot pass. */
const MAX_TICKS = 1000;

function svgOpen(b: Box, label: string): string {
  return `<svg class="chart" viewBox="0 0 ${b.width} ${b.height}" width="${b.width}" height="${b.height}" role="img" aria-label="${esc(label)}">`;
}

function legend(b: Box, items: { label: string; tone: Tone; dot?: boolean }[]): string {
  let x = b.left;
  let out = "";
  for (const item of items) {
    const swatch = item.dot
      ? `<circle class="swatch-${item.tone}" cx="${px(x + 5)}" cy="12" r="4.5"/>`
      : `<rect class="tone-${item.tone}" x="${px(x)}" y="7" width="10" height="10" rx="2"/>`;
    out += `${swatch}<text class="legend" x="${px(x + 15)}" y="16">${esc(item.label)}</text>`;
    x += 15 + item.label.length * 6.4 + 18;
  }
  return out;
}

function yAxis(b: Box, ticks: number[], top: number, step: number, asShare: boolean, label: string): string {
  const h = plotHeight(b);
  let out = "";
  for (const t of ticks) {
    const y = b.top + h - (t / top) * h;
    out += `<line class="grid" x1="${b.left}" x2="${b.width - b.right}" y1="${px(y)}" y2="${px(y)}"/>`;
    const text = asShare ? `${formatTick(t * 100, step * 100)}%` : formatTick(t, step);
    out += `<text class="tick" x="${b.left - 6}" y="${px(y + 3.5)}" text-anchor="end">${text}</text>`;
  }
  const cy = b.top + h / 2;
  out += `<text class="axis-label" transform="translate(13 ${px(cy)}) rotate(-90)" text-anchor="middle">${esc(label)}</text>`;
  return out;
}

function xAxisLabel(b: Box, label: string): string {
  return `<text class="axis-label" x="${px(b.left + plotWidth(b) / 2)}" y="${b.height - 6}" text-anchor="middle">${esc(label)}</text>`;
}

/** "[0.90, 0.95)" for bin i of the edges; the last bin is closed. */
export function binLabel(edges: number[], i: number): string {
  const step = edges.length > 1 ? (edges[edges.length - 1]! - edges[0]!) / (edges.length - 1) : 1;
  const lo = formatTick(edges[i]!, step / 10);
  const hi = formatTick(edges[i + 1]!, step / 10);
  return `${lo} – ${hi}`;
}

export interface HistogramChart {
  label: string;
  edges: number[];
  series: Series[];
  /** "share": bar height is the series' share of its rows, so a small selection and a big pool compare. */
  scale: "share" | "count";
  xLabel: string;
}

/** Vertical bars, one group per bin, one bar per series. */
export function histogramSvg(chart: HistogramChart): string {
  const b: Box = { width: 460, height: 270, left: 52, right: 22, top: 30, bottom: 42 };
  const bins = chart.edges.length - 1;
  const value = (s: Series, i: number) =>
    chart.scale === "share" ? (s.total > 0 ? s.counts[i]! / s.total : 0) : s.counts[i]!;
  let max = 0;
  for (const s of chart.series) for (let i = 0; i < bins; i++) max = Math.max(max, value(s, i));
  const { ticks, step } = niceTicks(0, max > 0 ? max : 1, 4, chart.scale === "count");
  const top = ticks[ticks.length - 1]!;
  const w = plotWidth(b);
  const h = plotHeight(b);
  const group = w / bins;
  const pad = Math.min(group * 0.12, 4);
  const bar = (group - 2 * pad) / chart.series.length;

  let out = svgOpen(b, chart.label);
  out += legend(b, chart.series.map((s) => ({ label: s.label, tone: s.tone })));
  out += yAxis(b, ticks, top, step, chart.scale === "share", chart.scale === "share" ? "share of rows" : "rows");
  for (let i = 0; i < bins; i++) {
    const range = binLabel(chart.edges, i);
    chart.series.forEach((s, k) => {
      const v = value(s, i);
      if (s.counts[i] === 0) return;
      const barH = Math.max(1, (v / top) * h);
      const x = b.left + i * group + pad + k * bar;
      const share = s.total > 0 ? ` (${formatShare(s.counts[i]! / s.total)})` : "";
      out += `<rect class="tone-${s.tone}" x="${px(x)}" y="${px(b.top + h - barH)}" width="${px(Math.max(bar - 0.5, 0.5))}" height="${px(barH)}"><title>${esc(`${range}: ${s.label.split(" ·")[0]} ${formatCount(s.counts[i]!)} rows${share}`)}</title></rect>`;
    });
  }
  // x axis: linear in the value, round ticks (bin edges need not be round numbers)
  const baseY = b.top + h;
  out += `<line class="axis" x1="${b.left}" x2="${b.width - b.right}" y1="${baseY}" y2="${baseY}"/>`;
  const lo = chart.edges[0]!, hi = chart.edges[bins]!;
  const xt = niceTicks(lo, hi, 6);
  const slack = (hi - lo) * 1e-9;
  for (const t of xt.ticks) {
    if (t < lo - slack || t > hi + slack) continue;
    const x = b.left + ((t - lo) / (hi - lo)) * w;
    out += `<line class="axis" x1="${px(x)}" x2="${px(x)}" y1="${baseY}" y2="${baseY + 4}"/>`;
    out += `<text class="tick" x="${px(x)}" y="${baseY + 15}" text-anchor="middle">${esc(formatTick(t, xt.step))}</text>`;
  }
  out += xAxisLabel(b, chart.xLabel);
  return out + "</svg>";
}

export interface ClassBarsChart {
  label: string;
  classNames: string[];
  series: Series[];
}

const LABEL_CHARS = 16;

/** Horizontal grouped bars, one group per class, bar length = the series' share of its rows. */
export function classBarsSvg(chart: ClassBarsChart): string {
  const perSeries = 12;
  const rowHeight = perSeries * chart.series.length + 10;
  const rows = chart.classNames.length;
  const b: Box = { width: 460, height: 30 + rows * rowHeight + 40, left: 118, right: 52, top: 30, bottom: 40 };
  let max = 0;
  for (const s of chart.series) for (const c of s.counts) if (s.total > 0) max = Math.max(max, c / s.total);
  const { ticks, step } = niceTicks(0, max > 0 ? max : 1, 4);
  const top = ticks[ticks.length - 1]!;
  const w = plotWidth(b);
  const baseY = b.top + rows * rowHeight;

  let out = svgOpen(b, chart.label);
  out += legend(b, chart.series.map((s) => ({ label: s.label, tone: s.tone })));
  for (const t of ticks) {
    const x = b.left + (t / top) * w;
    out += `<line class="grid" x1="${px(x)}" x2="${px(x)}" y1="${b.top}" y2="${baseY}"/>`;
    out += `<text class="tick" x="${px(x)}" y="${baseY + 15}" text-anchor="middle">${formatTick(t * 100, step * 100)}%</text>`;
  }
  chart.classNames.forEach((name, c) => {
    const y0 = b.top + c * rowHeight + 4;
    const short = name.length > LABEL_CHARS ? `${name.slice(0, LABEL_CHARS - 1)}…` : name;
    out += `<text class="tick class-name" x="${b.left - 8}" y="${px(y0 + rowHeight / 2)}" text-anchor="end">${esc(short)}<title>${esc(name)}</title></text>`;
    chart.series.forEach((s, k) => {
      const share = s.total > 0 ? s.counts[c]! / s.total : 0;
      const y = y0 + k * perSeries;
      const len = s.counts[c]! > 0 ? Math.max(1, (share / top) * w) : 0;
      const tip = `${name}: ${s.label.split(" ·")[0]} ${formatCount(s.counts[c]!)} rows (${formatShare(share)})`;
      if (len > 0) out += `<rect class="tone-${s.tone}" x="${b.left}" y="${px(y)}" width="${px(len)}" height="${perSeries - 2}"><title>${esc(tip)}</title></rect>`;
      out += `<text class="value" x="${px(b.left + len + 4)}" y="${px(y + perSeries - 3.5)}">${formatShare(share)}</text>`;
    });
  });
  out += `<line class="axis" x1="${b.left}" x2="${b.left}" y1="${b.top}" y2="${baseY}"/>`;
  out += xAxisLabel(b, "share of rows predicted as this class");
  return out + "</svg>";
}

export interface ScatterChart {
  label: string;
  /** x, y pairs of the background points. */
  pool: Float64Array;
  /** x, y pairs of the highlighted points, drawn after (over) the pool; the first is drawn last. */
  selected: Float64Array;
  /** One tooltip per highlighted point, or null to draw them without tooltips (smaller file). */
  selectedTitles: string[] | null;
  poolLabel: string;
  selectedLabel: string;
  /** x, y pairs of the labelled rows (drawn over the pool, under the selection), and their legend. */
  labeled?: Float64Array | null;
  labeledLabel?: string;
  xLabel: string;
  yLabel: string;
}

/**
 * Points as zero-length path segments with round caps (`M x y h0`): a dot each, about 14 bytes
 * per point instead of about 40 for a `<circle>`.
 */
export function scatterSvg(chart: ScatterChart): string {
  const b: Box = { width: 760, height: 540, left: 62, right: 16, top: 32, bottom: 46 };
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const pts of [chart.pool, chart.selected, chart.labeled ?? new Float64Array(0)]) {
    for (let i = 0; i < pts.length; i += 2) {
      const x = pts[i]!, y = pts[i + 1]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
  }
  if (!(xMax >= xMin)) { xMin = -1; xMax = 1; yMin = -1; yMax = 1; }
  // The data's range plus 3% each side (a zero range gets ±1), ticks only inside it.
  const padX = xMax > xMin ? (xMax - xMin) * 0.03 : 1;
  const padY = yMax > yMin ? (yMax - yMin) * 0.03 : 1;
  const x0 = xMin - padX, x1 = xMax + padX, y0 = yMin - padY, y1 = yMax + padY;
  const xt = niceTicks(x0, x1, 6);
  const yt = niceTicks(y0, y1, 5);
  const w = plotWidth(b), h = plotHeight(b);
  const sx = (x: number) => b.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y: number) => b.top + h - ((y - y0) / (y1 - y0)) * h;

  let out = svgOpen(b, chart.label);
  out += legend(b, [
    { label: chart.poolLabel, tone: "pool", dot: true },
    { label: chart.selectedLabel, tone: "selection", dot: true },
    ...(chart.labeled && chart.labeled.length > 0 ? [{ label: chart.labeledLabel ?? "labelled", tone: "labeled" as Tone, dot: true }] : []),
  ]);
  for (const t of xt.ticks) {
    if (t < x0 || t > x1) continue;
    const x = sx(t);
    out += `<line class="grid" x1="${px(x)}" x2="${px(x)}" y1="${b.top}" y2="${b.top + h}"/>`;
    out += `<text class="tick" x="${px(x)}" y="${b.top + h + 15}" text-anchor="middle">${formatTick(t, xt.step)}</text>`;
  }
  for (const t of yt.ticks) {
    if (t < y0 || t > y1) continue;
    const y = sy(t);
    out += `<line class="grid" x1="${b.left}" x2="${b.width - b.right}" y1="${px(y)}" y2="${px(y)}"/>`;
    out += `<text class="tick" x="${b.left - 6}" y="${px(y + 3.5)}" text-anchor="end">${formatTick(t, yt.step)}</text>`;
  }
  out += `<rect class="frame" x="${b.left}" y="${b.top}" width="${px(w)}" height="${px(h)}"/>`;

  const dots = (pts: Float64Array, from: number, to: number, stepSign: 1 | -1) => {
    let d = "";
    for (let i = from; stepSign > 0 ? i < to : i > to; i += stepSign) {
      const x = pts[2 * i]!, y = pts[2 * i + 1]!;
      if (Number.isFinite(x) && Number.isFinite(y)) d += `M${px(sx(x))} ${px(sy(y))}h0`;
    }
    return d;
  };
  const poolCount = chart.pool.length / 2;
  if (poolCount > 0) out += `<path class="dots-pool" d="${dots(chart.pool, 0, poolCount, 1)}"/>`;
  const labeledCount = (chart.labeled?.length ?? 0) / 2;
  if (labeledCount > 0) out += `<path class="dots-labeled" d="${dots(chart.labeled!, 0, labeledCount, 1)}"/>`;
  const selCount = chart.selected.length / 2;
  if (chart.selectedTitles) {
    const radius = selCount <= 300 ? 3.6 : 2.8; // many big markers would bury the pool
    // Last rank first, so the best-ranked points end up on top.
    for (let i = selCount - 1; i >= 0; i--) {
      const x = chart.selected[2 * i]!, y = chart.selected[2 * i + 1]!;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      out += `<circle class="dot-selection" cx="${px(sx(x))}" cy="${px(sy(y))}" r="${radius}"><title>${esc(chart.selectedTitles[i]!)}</title></circle>`;
    }
  } else if (selCount > 0) {
    out += `<path class="dots-selection" d="${dots(chart.selected, selCount - 1, -1, -1)}"/>`;
  }
  out += xAxisLabel(b, chart.xLabel);
  out += `<text class="axis-label" transform="translate(14 ${px(b.top + h / 2)}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`;
  return out + "</svg>";
}

export interface RankChart {
  label: string;
  /** Values in rank order: the first is rank 1. */
  values: Float64Array;
  yLabel: string;
}

/** A line of value against rank (1 … n); at most about 1,000 vertices, always keeping the ends. */
export function rankLineSvg(chart: RankChart): string {
  const b: Box = { width: 460, height: 270, left: 58, right: 24, top: 30, bottom: 42 };
  const n = chart.values.length;
  let lo = Infinity, hi = -Infinity;
  for (const v of chart.values) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!(hi >= lo)) { lo = 0; hi = 1; }
  const yt = niceTicks(lo, hi, 4);
  const y0 = Math.min(yt.ticks[0]!, lo), y1 = Math.max(yt.ticks[yt.ticks.length - 1]!, hi);
  const xt = niceTicks(1, Math.max(n, 2), 5);
  const w = plotWidth(b), h = plotHeight(b);
  const sx = (rank: number) => b.left + (n > 1 ? ((rank - 1) / (n - 1)) * w : w / 2);
  const sy = (v: number) => b.top + h - ((v - y0) / (y1 - y0)) * h;

  let out = svgOpen(b, chart.label);
  out += legend(b, [{ label: `selection_score by rank (${formatCount(n)} rows)`, tone: "selection" }]);
  for (const t of yt.ticks) {
    if (t < y0 || t > y1) continue;
    const y = sy(t);
    out += `<line class="grid" x1="${b.left}" x2="${b.width - b.right}" y1="${px(y)}" y2="${px(y)}"/>`;
    out += `<text class="tick" x="${b.left - 6}" y="${px(y + 3.5)}" text-anchor="end">${formatTick(t, yt.step)}</text>`;
  }
  for (const t of xt.ticks) {
    if (t < 1 || t > n || !Number.isInteger(t)) continue;
    const x = sx(t);
    out += `<line class="axis" x1="${px(x)}" x2="${px(x)}" y1="${b.top + h}" y2="${b.top + h + 4}"/>`;
    out += `<text class="tick" x="${px(x)}" y="${b.top + h + 15}" text-anchor="middle">${formatCount(t)}</text>`;
  }
  out += `<line class="axis" x1="${b.left}" x2="${b.width - b.right}" y1="${b.top + h}" y2="${b.top + h}"/>`;
  const stride = Math.max(1, Math.ceil(n / 1000));
  let d = "";
  let pen = false;
  for (let i = 0; i < n; i = i < n - 1 ? Math.min(i + stride, n - 1) : n) {
    const v = chart.values[i]!;
    if (!Number.isFinite(v)) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${px(sx(i + 1))} ${px(sy(v))}`;
    pen = true;
  }
  if (n === 1 && Number.isFinite(chart.values[0]!)) d += "h0";
  if (d) out += `<path class="line-selection" d="${d}"/>`;
  out += xAxisLabel(b, "rank");
  out += `<text class="axis-label" transform="translate(13 ${px(b.top + h / 2)}) rotate(-90)" text-anchor="middle">${esc(chart.yLabel)}</text>`;
  return out + "</svg>";
}

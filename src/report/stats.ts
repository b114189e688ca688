/**
 * The numbers behind the report's charts: per-row confidence measures from a probability
 * matrix, and fixed-edge histograms of them for the pool and for the selection. One pass over
 * the pool; nothing of pool size is kept.
 */

export type ConfidenceMeasure = "maxProb" | "margin" | "entropy";

/** Confidence of one row of probabilities. */
export interface RowConfidence {
  /** Index of the largest probability (the first one on ties); −1 when the row is not finite. */
  argmax: number;
  /** The largest probability. */
  maxProb: number;
  /** Largest minus second largest (the largest alone when there is one class). */
  margin: number;
  /**
   * Shannon entropy over its largest value, −Σ p·ln p / ln C (0 with one class): in [0, 1], the
   * units of UNCERTAINTY_MODE=entropy's selection_score, so the chart and the score compare.
   */
  entropy: number;
}

const NOT_FINITE: RowConfidence = { argmax: -1, maxProb: NaN, margin: NaN, entropy: NaN };

/** Row `row` of the row-major N×C matrix `probs`; all NaN when a value in it is NaN or ±∞. */
export function rowConfidence(probs: Float64Array, classes: number, row: number): RowConfidence {
  const base = row * classes;
  let argmax = 0;
  let top = -Infinity;
  let second = -Infinity;
  let entropy = 0;
  for (let c = 0; c < classes; c++) {
    const p = probs[base + c]!;
    if (!Number.isFinite(p)) return NOT_FINITE;
    if (p > top) {
      second = top;
      top = p;
      argmax = c;
    } else if (p > second) second = p;
    if (p > 0) entropy -= p * Math.log(p);
  }
  const margin = classes === 1 ? top : top - second;
  return { argmax, maxProb: top, margin, entropy: classes > 1 ? entropy / Math.log(classes) : 0 };
}

/** Counts over fixed edges; values outside [edges[0], edges[last]] go to the end bins. */
export interface Histogram {
  /** bins + 1 increasing edges; bin i covers [edges[i], edges[i+1]) and the last bin is closed. */
  edges: number[];
  counts: number[];
  /** Values counted (finite ones). */
  total: number;
  /** NaN or ±∞ values, not counted in any bin. */
  nonFinite: number;
  /** Sum of the finite values, for the mean. */
  sum: number;
}

export function emptyHistogram(edges: number[]): Histogram {
  return { edges, counts: new Array(edges.length - 1).fill(0), total: 0, nonFinite: 0, sum: 0 };
}

export function addToHistogram(h: Histogram, value: number): void {
  if (!Number.isFinite(value)) {
    h.nonFinite++;
    return;
  }
  const bins = h.counts.length;
  const lo = h.edges[0]!;
  const hi = h.edges[bins]!;
  let bin = hi > lo ? Math.floor(((value - lo) / (hi - lo)) * bins) : 0;
  if (bin < 0) bin = 0;
  if (bin >= bins) bin = bins - 1;
  h.counts[bin]!++;
  h.total++;
  h.sum += value;
}

/** `bins` equal-width edges from lo to hi. */
export function evenEdges(lo: number, hi: number, bins: number): number[] {
  const edges: number[] = [];
  for (let i = 0; i <= bins; i++) edges.push(i === bins ? hi : lo + ((hi - lo) * i) / bins);
  return edges;
}

/**
 * Edges for each confidence measure given C classes: max probability on [1/C rounded down to
 * 0.05, 1] in steps of 0.05, margin and entropy (over ln C) on [0, 1] in twenty bins each.
 */
export function confidenceEdges(classes: number): Record<ConfidenceMeasure, number[]> {
  const maxProbLo = classes > 1 ? Math.floor(20 / classes) / 20 : 0;
  const maxProbBins = Math.max(1, Math.round((1 - maxProbLo) * 20));
  return {
    maxProb: evenEdges(maxProbLo, 1, maxProbBins),
    margin: evenEdges(0, 1, 20),
    entropy: evenEdges(0, 1, 20),
  };
}

export interface ConfidenceSummary {
  pool: Record<ConfidenceMeasure, Histogram>;
  selection: Record<ConfidenceMeasure, Histogram>;
  /** Rows per predicted class (argmax), pool and selection; rows that are not finite count in none. */
  poolClassCounts: number[];
  selectionClassCounts: number[];
  /** Each selected row's confidence, in selection order. */
  selectedRows: RowConfidence[];
}

/**
 * The pool's side of the confidence charts: histograms of each measure and rows per predicted
 * class, counted one row at a time, so a streamed run can count them while it reads.
 */
export interface PoolConfidence {
  rows: number;
  histograms: Record<ConfidenceMeasure, Histogram>;
  /** Rows per predicted class (argmax); rows that are not finite count in none. */
  classCounts: number[];
}

function emptyMeasures(classes: number): Record<ConfidenceMeasure, Histogram> {
  const edges = confidenceEdges(classes);
  return { maxProb: emptyHistogram(edges.maxProb), margin: emptyHistogram(edges.margin), entropy: emptyHistogram(edges.entropy) };
}

export function emptyPoolConfidence(classes: number): PoolConfidence {
  return { rows: 0, histograms: emptyMeasures(classes), classCounts: new Array<number>(classes).fill(0) };
}

/**
 * Counts every row of the row-major probabilities into `into`, in row order: for each row what
 * rowConfidence measures, added as addToHistogram adds it (the same operations in the same
 * order, so the same bits; test/report/stats.test.ts checks it). It names nothing outside itself
 * and allocates nothing per row, because a streamed run counts on a helper thread that runs a
 * copy of its source text (src/job/stream-helper.ts), and 10M rows of one object each cost a
 * second of collection.
 */
export function countPoolRows(into: PoolConfidence, probs: Float64Array, classes: number): void {
  const rows = probs.length / classes;
  const h = into.histograms;
  const measures = [h.maxProb, h.margin, h.entropy];
  const logClasses = Math.log(classes);
  const values = [0, 0, 0];
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let argmax = 0, top = -Infinity, second = -Infinity, entropy = 0, finite = true;
    for (let c = 0; c < classes; c++) {
      const p = probs[base + c]!;
      if (!Number.isFinite(p)) { finite = false; break; }
      if (p > top) {
        second = top;
        top = p;
        argmax = c;
      } else if (p > second) second = p;
      if (p > 0) entropy -= p * Math.log(p);
    }
    values[0] = finite ? top : NaN;
    values[1] = finite ? (classes === 1 ? top : top - second) : NaN;
    values[2] = finite ? (classes > 1 ? entropy / logClasses : 0) : NaN;
    for (let m = 0; m < 3; m++) {
      const histogram = measures[m]!, value = values[m]!;
      if (!Number.isFinite(value)) {
        histogram.nonFinite++;
        continue;
      }
      const bins = histogram.counts.length, lo = histogram.edges[0]!, hi = histogram.edges[bins]!;
      let bin = hi > lo ? Math.floor(((value - lo) / (hi - lo)) * bins) : 0;
      if (bin < 0) bin = 0;
      if (bin >= bins) bin = bins - 1;
      histogram.counts[bin]!++;
      histogram.total++;
      histogram.sum += value;
    }
    if (finite) into.classCounts[argmax]!++;
  }
  into.rows += rows;
}

/**
 * The pool's histograms and class counts (one pass over `probs`, or `pool` when they were
 * counted already, `probs` then holding only rows the selection indexes), plus the selected rows.
 */
export function summarizeConfidence(probs: Float64Array, classes: number,
  selected: Uint32Array, pool: PoolConfidence | null = null): ConfidenceSummary {
  if (!pool) {
    pool = emptyPoolConfidence(classes);
    countPoolRows(pool, probs, classes);
  }
  const selection = emptyMeasures(classes);
  const selectionClassCounts = new Array<number>(classes).fill(0);
  const selectedRows: RowConfidence[] = [];
  for (const r of selected) {
    const conf = rowConfidence(probs, classes, r);
    selectedRows.push(conf);
    addToHistogram(selection.maxProb, conf.maxProb);
    addToHistogram(selection.margin, conf.margin);
    addToHistogram(selection.entropy, conf.entropy);
    if (conf.argmax >= 0) selectionClassCounts[conf.argmax]!++;
  }
  return { pool: pool.histograms, selection, poolClassCounts: pool.classCounts, selectionClassCounts, selectedRows };
}

/**
 * A histogram of arbitrary scores: up to 20 equal bins over their finite range (fewer for a
 * handful of values), one bin when they are all equal.
 */
export function scoreHistogram(scores: Float64Array): Histogram {
  let lo = Infinity;
  let hi = -Infinity;
  let finite = 0;
  for (const s of scores) {
    if (!Number.isFinite(s)) continue;
    finite++;
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  let edges: number[];
  if (finite === 0) edges = [0, 1];
  else if (hi === lo) {
    const half = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 0.5;
    edges = [lo - half, lo + half];
  } else edges = evenEdges(lo, hi, Math.max(5, Math.min(20, Math.ceil(Math.sqrt(finite)))));
  const h = emptyHistogram(edges);
  for (const s of scores) addToHistogram(h, s);
  return h;
}

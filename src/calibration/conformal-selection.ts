/**
 * Conformal selection of pseudo-labels with a precision guarantee (Jin & Candès, "Selection by
 * prediction with conformal p-values", JMLR 24, 2023).
 *
 * Each pool row j asks "is the predicted class right?". Calibration rows, scored by the same
 * model and labelled by a person, tell how often rows at a given confidence are wrong. With the
 * clipped score of the paper (a right calibration row never counts; a wrong one counts when its
 * confidence is at least the pool row's) the conformal p-value of row j is
 *
 *     p_j = (1 + #{wrong calibration rows with confidence ≥ s_j}) / (n + 1),
 *
 * and Benjamini–Hochberg at level α = 1 − target over the m pool rows selects the largest k
 * with p_(k) ≤ α·k/m. Under exchangeability of calibration and pool rows the expected share of
 * wrong pseudo-labels among those selected is at most α (their Theorem 2.3; this is the
 * deterministic p-value, which the theorem covers and which can only select less), so the
 * expected precision is at least the target. Because p_j falls as the confidence rises, the
 * selection is every row at or above one confidence threshold: BH picks the threshold.
 *
 * Scopes:
 *   overall  one procedure over the whole pool, as in the paper: one threshold, the guarantee
 *            for the selection as a whole, none per class.
 *   class    (Mondrian) one procedure per predicted class: calibration and pool rows of class
 *            c only, BH over that class's pool rows. Each class's pseudo-labels carry the
 *            guarantee on their own, so an over-confident class gets a higher threshold and a
 *            class that cannot reach the target gets none. The theorem is per class: the
 *            pooled share is a mix of classes that each meet the target in expectation, and
 *            it can fall a little under the target, because a class's larger selections tend
 *            to carry more errors and weigh more in the mix (test/calibration/conformal-selection.test.ts
 *            measures both).
 * The confidence used must not depend on the calibration labels (a score fitted on them voids
 * the exchangeability the guarantee rests on), which is why run-time callers pass the model's
 * own confidence rather than a temperature fitted on the same rows.
 */

export const PRECISION_SCOPES = ["overall", "class"] as const;
export type PrecisionScope = (typeof PRECISION_SCOPES)[number];

export interface ConformalRows {
  /** Confidence of the predicted class, per row. */
  confidence: Float64Array;
  /** Predicted class, per row. */
  predicted: Int32Array;
}

export interface CalibrationRows extends ConformalRows {
  /** 1 when the predicted class is the true class. */
  correct: Uint8Array;
}

export interface ClassOutcome {
  /** Lowest confidence selected in this class; null when none was. */
  threshold: number | null;
  selected: number;
  /** Pool rows predicted as this class that could be selected. */
  eligible: number;
  calibrationRows: number;
  /** Wrong calibration rows of this class at or above the threshold. */
  calibrationWrongAbove: number;
  /** 1 − (wrong calibration rows above the threshold, scaled to the pool) / selected; null when nothing was selected. */
  estimatedPrecision: number | null;
}

export interface ConformalSelection {
  scope: PrecisionScope;
  target: number;
  /** Per pool row, 1 when selected. */
  selected: Uint8Array;
  selectedCount: number;
  eligibleCount: number;
  /** Share of the eligible pool rows selected. */
  coverage: number;
  /** The plug-in estimate over the whole selection; null when nothing was selected. */
  estimatedPrecision: number | null;
  perClass: ClassOutcome[];
  /** Classes with eligible pool rows of which none could be selected at the target. */
  unreached: number[];
}

/**
 * Selects pool rows whose pseudo-labels meet `target` precision in expectation. `eligible`
 * marks the pool rows that may be selected (labelled or excluded ids are not). `poolCounts`
 * (per class, the eligible rows of the whole pool) is given when the rows here are a
 * multi-host merge's candidates: every row with p ≤ α of every host (conformalCandidates).
 * BH never selects a row with p > α (k ≤ m), and the rows with p ≤ α are the most confident
 * of their unit, so BH over them with the whole pool's m selects exactly what it would on the
 * whole pool.
 */
export function conformalSelect(calibration: CalibrationRows, pool: ConformalRows, eligible: Uint8Array,
  classes: number, target: number, scope: PrecisionScope, poolCounts: Float64Array | null = null): ConformalSelection {
  if (!(target > 0 && target < 1)) throw new RangeError(`conformalSelect: target ${target} must lie strictly between 0 and 1`);
  const alpha = 1 - target;
  const selected = new Uint8Array(pool.confidence.length);
  const units: Int32Array[] = scope === "class"
    ? Array.from({ length: classes }, (_, c) => Int32Array.of(c))
    : [Int32Array.from({ length: classes }, (_, c) => c)];
  const thresholdOf = new Float64Array(classes).fill(Infinity);
  for (const unit of units) {
    const inUnit = new Uint8Array(classes);
    for (const c of unit) inUnit[c] = 1;
    const threshold = unitThreshold(calibration, pool, eligible, inUnit, alpha, poolCounts ? unit.reduce((m, c) => m + poolCounts[c]!, 0) : null);
    for (const c of unit) thresholdOf[c] = threshold;
  }
  let selectedCount = 0, eligibleCount = 0;
  for (let j = 0; j < selected.length; j++) {
    if (!eligible[j]) continue;
    eligibleCount++;
    if (pool.confidence[j]! >= thresholdOf[pool.predicted[j]!]!) { selected[j] = 1; selectedCount++; }
  }
  if (poolCounts) eligibleCount = poolCounts.reduce((a, b) => a + b, 0);
  const perClass = describeClasses(calibration, pool, eligible, selected, thresholdOf, classes, scope, poolCounts);
  const estimatedWrong = scope === "overall"
    ? estimateWrong(calibration, Uint8Array.from({ length: classes }, () => 1), thresholdOf[0]!, eligibleCount)
    : perClass.reduce((sum, c) => sum + (c.selected > 0 ? (1 - c.estimatedPrecision!) * c.selected : 0), 0);
  return {
    scope, target, selected, selectedCount, eligibleCount,
    coverage: eligibleCount > 0 ? selectedCount / eligibleCount : 0,
    estimatedPrecision: selectedCount > 0 ? 1 - estimatedWrong / selectedCount : null,
    perClass,
    unreached: perClass.flatMap((c, i) => (c.eligible > 0 && c.selected === 0 ? [i] : [])),
  };
}

/**
 * BH over the pool rows of the classes in `inUnit`: the confidence threshold of the selection,
 * or Infinity when nothing can be selected.
 */
function unitThreshold(calibration: CalibrationRows, pool: ConformalRows, eligible: Uint8Array, inUnit: Uint8Array, alpha: number,
  poolRows: number | null): number {
  const wrongList: number[] = [];
  let n = 0;
  for (let i = 0; i < calibration.confidence.length; i++) {
    if (!inUnit[calibration.predicted[i]!]) continue;
    n++;
    if (!calibration.correct[i]) wrongList.push(calibration.confidence[i]!);
  }
  let here = 0;
  for (let j = 0; j < pool.confidence.length; j++) if (eligible[j] && inUnit[pool.predicted[j]!]) here++;
  const m = poolRows ?? here;
  if (here === 0 || m === 0) return Infinity;
  const scores = new Float64Array(here);
  for (let j = 0, at = 0; j < pool.confidence.length; j++) if (eligible[j] && inUnit[pool.predicted[j]!]) scores[at++] = pool.confidence[j]!;
  // Typed-array sorts (ascending, numeric), reversed: most confident first.
  const wrong = Float64Array.from(wrongList).sort().reverse();
  scores.sort().reverse();
  // Walk the pool rows from the most confident down; p rises as the confidence falls, so the
  // k-th row holds the k-th smallest p-value. Rows of equal confidence share one p-value and
  // are decided together, at the last of them.
  let best = Infinity, wrongAbove = 0;
  for (let k = 1; k <= here; k++) {
    const s = scores[k - 1]!;
    if (k < here && scores[k] === s) continue;
    while (wrongAbove < wrong.length && wrong[wrongAbove]! >= s) wrongAbove++;
    const p = (1 + wrongAbove) / (n + 1);
    if (p <= (alpha * k) / m) best = s;
  }
  return best;
}

/** Plug-in count of wrong pool rows at or above `threshold` among `eligibleRows`, from the calibration rows of the classes in `inUnit`. */
function estimateWrong(calibration: CalibrationRows, inUnit: Uint8Array, threshold: number, eligibleRows: number): number {
  let n = 0, wrongAbove = 0;
  for (let i = 0; i < calibration.confidence.length; i++) {
    if (!inUnit[calibration.predicted[i]!]) continue;
    n++;
    if (!calibration.correct[i] && calibration.confidence[i]! >= threshold) wrongAbove++;
  }
  return n > 0 ? (wrongAbove / n) * eligibleRows : 0;
}

function describeClasses(calibration: CalibrationRows, pool: ConformalRows, eligible: Uint8Array, selected: Uint8Array,
  thresholdOf: Float64Array, classes: number, scope: PrecisionScope, poolCounts: Float64Array | null): ClassOutcome[] {
  const out: ClassOutcome[] = Array.from({ length: classes }, () => ({
    threshold: null, selected: 0, eligible: 0, calibrationRows: 0, calibrationWrongAbove: 0, estimatedPrecision: null,
  }));
  const lowestSelected = new Float64Array(classes).fill(Infinity);
  for (let j = 0; j < pool.confidence.length; j++) {
    if (!eligible[j]) continue;
    const c = pool.predicted[j]!;
    out[c]!.eligible++;
    if (selected[j]) { out[c]!.selected++; lowestSelected[c] = Math.min(lowestSelected[c]!, pool.confidence[j]!); }
  }
  for (let i = 0; i < calibration.confidence.length; i++) {
    const c = calibration.predicted[i]!;
    out[c]!.calibrationRows++;
    if (calibration.confidence[i]! >= thresholdOf[c]! && !calibration.correct[i]) out[c]!.calibrationWrongAbove++;
  }
  if (poolCounts) out.forEach((o, c) => { o.eligible = poolCounts[c]!; });
  const totalCalibration = calibration.confidence.length;
  let totalEligible = 0;
  for (const c of out) totalEligible += c.eligible;
  for (let c = 0; c < classes; c++) {
    const o = out[c]!;
    if (o.selected === 0) continue;
    o.threshold = lowestSelected[c]!;
    // Per class, wrong calibration rows scale to the pool by the class's own ratio (class
    // scope) or by the whole calibration set's (overall scope, where classes share one fit).
    const ratio = scope === "class" ? (o.calibrationRows > 0 ? o.eligible / o.calibrationRows : 0) : totalEligible / totalCalibration;
    o.estimatedPrecision = Math.max(0, 1 - (o.calibrationWrongAbove * ratio) / o.selected);
  }
  return out;
}

/**
 * The plug-in precision of any set of selected pool rows (after MAX_SAMPLES or K_PER_CLASS
 * kept part of the rows that passed): per class, the wrong calibration rows at or above the
 * lowest selected confidence, scaled to the pool rows at or above it, and shared out over the
 * selected ones among them. Exact plug-in when a class's selection is every row above a
 * threshold; an estimate, not a guarantee, otherwise.
 */
export function estimateSelectionPrecision(calibration: CalibrationRows, pool: ConformalRows, eligible: Uint8Array, rows: ArrayLike<number>,
  classes: number, scope: PrecisionScope, poolCounts: Float64Array | null = null): { overall: number | null; perClass: (number | null)[] } {
  const lowest = new Float64Array(classes).fill(Infinity), chosen = new Float64Array(classes);
  for (let k = 0; k < rows.length; k++) {
    const j = rows[k]!, c = pool.predicted[j]!;
    chosen[c]!++;
    lowest[c] = Math.min(lowest[c]!, pool.confidence[j]!);
  }
  const above = new Float64Array(classes), eligibleOf = new Float64Array(classes);
  for (let j = 0; j < pool.confidence.length; j++) {
    if (!eligible[j]) continue;
    const c = pool.predicted[j]!;
    eligibleOf[c]!++;
    if (pool.confidence[j]! >= lowest[c]!) above[c]!++;
  }
  if (poolCounts) eligibleOf.set(poolCounts);
  const calibrationOf = new Float64Array(classes), wrongAbove = new Float64Array(classes);
  for (let i = 0; i < calibration.confidence.length; i++) {
    const c = calibration.predicted[i]!;
    calibrationOf[c]!++;
    if (!calibration.correct[i] && calibration.confidence[i]! >= lowest[c]!) wrongAbove[c]!++;
  }
  const totalEligible = eligibleOf.reduce((a, b) => a + b, 0), totalCalibration = calibration.confidence.length;
  let wrong = 0, selected = 0;
  const perClass = Array.from(chosen, (n, c): number | null => {
    if (n === 0) return null;
    const ratio = scope === "class" ? (calibrationOf[c]! > 0 ? eligibleOf[c]! / calibrationOf[c]! : 0) : totalEligible / totalCalibration;
    const wrongHere = (wrongAbove[c]! * ratio * n) / above[c]!;
    wrong += wrongHere;
    selected += n;
    return Math.max(0, 1 - wrongHere / n);
  });
  return { overall: selected > 0 ? Math.max(0, 1 - wrong / selected) : null, perClass };
}

/**
 * What a multi-host map step keeps so the merge can select exactly: every eligible row whose
 * conformal p-value is at most α = 1 − target (BH selects no other), and, per class, how many
 * eligible rows the host has (the merge adds them up for BH's m).
 */
export function conformalCandidates(calibration: CalibrationRows, pool: ConformalRows, eligible: Uint8Array,
  classes: number, target: number, scope: PrecisionScope): { keep: Uint8Array; eligiblePerClass: Float64Array } {
  const mayPass = mayBeSelected(calibration, classes, target, scope);
  const keep = new Uint8Array(pool.confidence.length), eligiblePerClass = new Float64Array(classes);
  for (let j = 0; j < keep.length; j++) {
    if (!eligible[j]) continue;
    eligiblePerClass[pool.predicted[j]!]!++;
    if (mayPass(pool.confidence[j]!, pool.predicted[j]!)) keep[j] = 1;
  }
  return { keep, eligiblePerClass };
}

/**
 * Whether a pool row of this confidence and predicted class has a conformal p-value of at most
 * α = 1 − target, the rows BH may select whatever the rest of the pool holds: what a map step
 * keeps, and what a streamed run keeps as candidates (src/job/stream.ts).
 */
export function mayBeSelected(calibration: CalibrationRows, classes: number, target: number, scope: PrecisionScope):
  (confidence: number, predicted: number) => boolean {
  const alpha = 1 - target;
  const unitOf = (c: number) => (scope === "class" ? c : 0);
  const units = scope === "class" ? classes : 1;
  const wrong: number[][] = Array.from({ length: units }, () => []);
  const n = new Float64Array(units);
  for (let i = 0; i < calibration.confidence.length; i++) {
    const u = unitOf(calibration.predicted[i]!);
    n[u]!++;
    if (!calibration.correct[i]) wrong[u]!.push(calibration.confidence[i]!);
  }
  const sorted = wrong.map((w) => Float64Array.from(w).sort());
  return (s, c) => {
    const u = unitOf(c);
    // Wrong calibration rows at or above s: those after the first one ≥ s in ascending order.
    const w = sorted[u]!;
    let lo = 0, hi = w.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (w[mid]! < s) lo = mid + 1; else hi = mid; }
    return (1 + w.length - lo) / (n[u]! + 1) <= alpha;
  };
}

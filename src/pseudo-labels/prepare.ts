/**
 * What an SSL selection pseudo-labels, decided before the strategy runs:
 *   1. with calibration_data and CALIBRATE=auto, temperature-scaled probabilities replace the
 *      pool's for the strategy (argmax unchanged, confidences calibrated);
 *   2. which rows may be pseudo-labelled: with TARGET_PRECISION, the conformal selection
 *      (calibration/conformal-selection.ts); with THRESHOLD_MODE flexmatch or freematch, the
 *      class-adaptive thresholds; otherwise CONFIDENCE_THRESHOLD as the strategy applies it;
 *   3. SoftMatch's weight for every row, for the pseudo_label_weight column.
 * The strategy then runs unchanged on the rows left selectable.
 */
import { conformalCandidates, conformalSelect, estimateSelectionPrecision, type CalibrationRows, type ConformalSelection,
  type PrecisionScope } from "../calibration/conformal-selection.ts";
import type { CalibrationData } from "../calibration/calibration-data.ts";
import { reliability, type Reliability } from "../calibration/reliability.ts";
import { applyTemperature, fitTemperature, meanNll } from "../calibration/temperature.ts";
import type { Pool } from "../pool/pool.ts";
import { classThresholds, confidenceStats, passesClassThreshold, type ConfidenceStats, type ThresholdMode } from "./adaptive-thresholds.ts";
import { softMatchWeights } from "./softmatch-weight.ts";

export interface PseudoLabelSettings {
  targetPrecision: number;
  scope: PrecisionScope;
  calibrate: "auto" | "off";
  thresholdMode: ThresholdMode;
  confidenceThreshold: number;
}

export interface CalibrationSummary {
  rows: number;
  temperature: number | null;
  nllBefore: number;
  nllAfter: number | null;
  before: Reliability;
  after: Reliability | null;
}

export interface PseudoLabelling {
  /** The pool the strategy sees: calibrated probabilities when a temperature was fitted. */
  pool: Pool;
  /** Rows that may be pseudo-labelled. */
  selectable: Uint8Array;
  /** What decided which rows may be selected, when it replaces CONFIDENCE_THRESHOLD; else null. */
  rule: string | null;
  /** SoftMatch weight per pool row. */
  weights: Float64Array;
  /** The confidence statistics of the selectable rows (what a map step hands the merge). */
  stats: ConfidenceStats;
  /** A map step with TARGET_PRECISION: its eligible rows per class, for the merge's BH. */
  eligiblePerClass: Float64Array | null;
  calibration: CalibrationSummary | null;
  precision: ConformalSelection | null;
  /** The plug-in precision of the rows finally selected (TARGET_PRECISION only), else null. */
  estimate: ((rows: Uint32Array) => { overall: number | null; perClass: (number | null)[] }) | null;
  /** Per-class thresholds of THRESHOLD_MODE (flexmatch, freematch), else null. */
  thresholds: Float64Array | null;
  warnings: string[];
}

/** What a multi-host run changes: a map step keeps candidates; a merge has the whole pool's sums and counts. */
export interface HostPart {
  /** A map step: keep every row the merge might select (conformalCandidates), decide nothing. */
  mapStep?: boolean;
  /** The whole pool's confidence statistics, when the pool given holds only some of its rows: a merge's (every host's added up) or a streamed run's (job/stream.ts). */
  poolStats?: ConfidenceStats | null;
  /** A merge: the whole pool's eligible rows per class (TARGET_PRECISION). */
  poolCounts?: Float64Array | null;
}

export function preparePseudoLabels(pool: Pool, selectable: Uint8Array, calibration: CalibrationData | null,
  settings: PseudoLabelSettings, hosts: HostPart = {}): PseudoLabelling {
  const { used, summary, rows } = calibrate(pool, calibration, settings.calibrate);
  // One pass over the rows that may be selected: the adaptive thresholds and SoftMatch's weights read it.
  const stats = confidenceStats(used.probs, used.classes, used.predicted, used.confidence, selectable, settings.confidenceThreshold);
  const gate = rows && settings.targetPrecision > 0 ? precisionGate(pool, selectable, rows, settings, hosts)
    : settings.thresholdMode !== "fixed" ? thresholdGate(used, selectable, hosts.poolStats ?? stats, settings.thresholdMode)
    : { keep: null, rule: null, precision: null, estimate: null, thresholds: null, eligiblePerClass: null, warnings: [] };
  return {
    pool: used,
    selectable: gate.keep ? Uint8Array.from(selectable, (s, i) => s & gate.keep![i]!) : selectable,
    rule: gate.rule, weights: softMatchWeights(used.confidence, hosts.poolStats ?? stats), stats,
    eligiblePerClass: gate.eligiblePerClass, calibration: summary, precision: gate.precision, estimate: gate.estimate,
    thresholds: gate.thresholds, warnings: gate.warnings,
  };
}

type Gate = Pick<PseudoLabelling, "rule" | "precision" | "estimate" | "thresholds" | "eligiblePerClass" | "warnings"> & { keep: Uint8Array | null };

/**
 * With calibration rows: the model's own predictions on them, whether each is right, their
 * reliability, and (CALIBRATE=auto) the pool with temperature-scaled probabilities.
 */
function calibrate(pool: Pool, calibration: CalibrationData | null, mode: "auto" | "off"):
  { used: Pool; summary: CalibrationSummary | null; rows: CalibrationRows | null } {
  if (!calibration) return { used: pool, summary: null, rows: null };
  const rows = calibrationRows(calibration);
  const correct = rows.correct;
  const before = reliability(calibration.confidence, correct);
  if (mode === "off") {
    return { used: pool, rows, summary: { rows: calibration.rows, temperature: null, nllBefore: meanNll(calibration.probs, pool.classes, calibration.labels), nllAfter: null, before, after: null } };
  }
  const fit = fitTemperature(calibration.probs, pool.classes, calibration.labels);
  const scaled = confidenceOf(applyTemperature(calibration.probs, pool.classes, fit.temperature), pool.classes, calibration.predicted);
  const used = withTemperature(pool, fit.temperature);
  return { used, rows, summary: { rows: calibration.rows, temperature: fit.temperature, nllBefore: fit.nllBefore, nllAfter: fit.nllAfter, before, after: reliability(scaled, correct) } };
}

/** The model's own prediction on each calibration row, and whether it is right. */
export function calibrationRows(calibration: CalibrationData): CalibrationRows {
  const correct = Uint8Array.from(calibration.predicted, (c, i) => (c === calibration.labels[i] ? 1 : 0));
  return { predicted: calibration.predicted, confidence: calibration.confidence, correct };
}

/** The pool with temperature-scaled probabilities (row by row, so a part of a pool scales as the whole does). */
export function withTemperature(pool: Pool, temperature: number): Pool {
  const probs = applyTemperature(pool.probs, pool.classes, temperature);
  // The predicted class stays the pool's (a label column's label, else the argmax, which T keeps).
  return { ...pool, probs, confidence: confidenceOf(probs, pool.classes, pool.predicted) };
}

/**
 * TARGET_PRECISION: the conformal selection, or on a map step the rows the merge may select.
 * The model's own confidence, not the calibrated one: a score fitted on the calibration labels
 * would void the exchangeability the guarantee rests on.
 */
function precisionGate(pool: Pool, selectable: Uint8Array, rows: CalibrationRows, settings: PseudoLabelSettings, hosts: HostPart): Gate {
  const none = { precision: null, estimate: null, thresholds: null, warnings: [] };
  if (hosts.mapStep) {
    const candidates = conformalCandidates(rows, pool, selectable, pool.classes, settings.targetPrecision, settings.scope);
    return { ...none, keep: candidates.keep, eligiblePerClass: candidates.eligiblePerClass, rule: `TARGET_PRECISION=${settings.targetPrecision} (map step: the rows the merge may select)` };
  }
  const counts = hosts.poolCounts ?? null;
  const precision = conformalSelect(rows, pool, selectable, pool.classes, settings.targetPrecision, settings.scope, counts);
  const missed = precision.unreached.map((c) => pool.plan.classNames[c]!);
  const several = missed.length > 1;
  return {
    ...none, keep: precision.selected, precision, eligiblePerClass: null,
    estimate: (chosen) => estimateSelectionPrecision(rows, pool, selectable, chosen, pool.classes, settings.scope, counts),
    rule: `TARGET_PRECISION=${settings.targetPrecision} (conformal selection, ${settings.scope} scope)`,
    warnings: missed.length === 0 ? [] : [`TARGET_PRECISION=${settings.targetPrecision}: class${several ? "es" : ""} ${missed.join(", ")} cannot reach the target on the ${rows.confidence.length} calibration rows and get${several ? "" : "s"} no pseudo-labels (more calibration rows of ${several ? "these classes" : "this class"}, or a lower target, may change that).`],
  };
}

/** THRESHOLD_MODE flexmatch or freematch: each row against its predicted class's threshold. */
function thresholdGate(used: Pool, selectable: Uint8Array, stats: ConfidenceStats, mode: ThresholdMode): Gate {
  const thresholds = classThresholds(mode, stats);
  return {
    keep: Uint8Array.from(selectable, (s, i) => (s && passesClassThreshold(thresholds, used.confidence[i]!, used.predicted[i]!) ? 1 : 0)),
    rule: `THRESHOLD_MODE=${mode} class thresholds`, thresholds, precision: null, estimate: null, eligiblePerClass: null, warnings: [],
  };
}

/** Each row's probability of its predicted class. */
function confidenceOf(probs: Float64Array, classes: number, predicted: Int32Array): Float64Array {
  return Float64Array.from(predicted, (c, i) => probs[i * classes + c]!);
}

/** The pseudo-labelling figures for selection_metadata.json. */
export function pseudoLabelMetadata(p: PseudoLabelling, settings: PseudoLabelSettings, calibration: CalibrationData | null,
  names: readonly string[], selected: Uint32Array): Record<string, unknown> {
  const byClass = <T>(values: ArrayLike<T>) => Object.fromEntries(names.map((n, c) => [n, values[c]]));
  const bins = (r: Reliability) => r.bins.filter((b) => b.rows > 0).map((b) => ({ lower: b.lower, upper: b.upper, rows: b.rows, mean_confidence: b.meanConfidence, accuracy: b.accuracy }));
  const c = p.calibration;
  return {
    probabilities: c?.temperature ? `temperature-scaled: softmax(log p / ${c.temperature.toPrecision(6)})` : "as given",
    calibration: c && calibration ? {
      channel: calibration.channel, files: calibration.files, rows: c.rows, temperature: c.temperature,
      nll_before: c.nllBefore, nll_after: c.nllAfter, ece_before: c.before.ece, ece_after: c.after?.ece ?? null,
      reliability_before: bins(c.before), reliability_after: c.after ? bins(c.after) : null,
      note: "ECE and NLL measured on the calibration rows the temperature was fitted on (15 equal-width confidence bins)",
    } : null,
    threshold_mode: settings.targetPrecision > 0 ? "target_precision" : settings.thresholdMode,
    class_thresholds: p.thresholds ? byClass(Array.from(p.thresholds)) : null,
    precision: p.precision ? { ...precisionMetadata(p.precision, names), selection: selectionEstimate(p, names, selected) } : null,
    weight: { method: "SoftMatch truncated Gaussian over the top-class probability (Chen et al., ICLR 2023)" },
    per_class: perClassSummary(p.pool, names, selected),
  };
}

/** Per pseudo-label class: how many rows got it, and the spread of their confidence (pseudo_label_confidence). */
function perClassSummary(pool: Pool, names: readonly string[], selected: Uint32Array): Record<string, unknown> {
  const confidences: number[][] = names.map(() => []);
  for (const row of selected) confidences[pool.predicted[row]!]!.push(pool.confidence[row]!);
  return Object.fromEntries(names.map((name, c) => {
    const values = confidences[c]!.sort((a, b) => a - b);
    const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
    return [name, values.length === 0 ? { rows: 0, confidence: null } : {
      rows: values.length,
      confidence: { min: values[0]!, p25: at(0.25), median: at(0.5), p75: at(0.75), max: values.at(-1)!, mean: values.reduce((a, b) => a + b, 0) / values.length },
    }];
  }));
}

function precisionMetadata(s: ConformalSelection, names: readonly string[]): Record<string, unknown> {
  return {
    target: s.target,
    scope: s.scope,
    guarantee: s.scope === "overall"
      ? "expected share of right pseudo-labels ≥ target over the whole selection (conformal p-values + Benjamini–Hochberg, Jin & Candès 2023), assuming calibration and pool rows are exchangeable"
      : "expected share of right pseudo-labels ≥ target within each predicted class (per-class conformal selection), assuming calibration and pool rows are exchangeable",
    rows_passing: s.selectedCount,
    eligible_rows: s.eligibleCount,
    coverage: s.coverage,
    estimated_precision: s.estimatedPrecision,
    per_class: Object.fromEntries(s.perClass.map((c, i) => [names[i], {
      threshold: c.threshold, rows_passing: c.selected, eligible_rows: c.eligible, coverage: c.eligible > 0 ? c.selected / c.eligible : 0,
      estimated_precision: c.estimatedPrecision, calibration_rows: c.calibrationRows,
    }])),
    classes_below_target: s.unreached.map((c) => names[c]),
    note: "thresholds are on the model's own confidence (before temperature scaling); estimated precision is the plug-in estimate from the calibration rows, for the rows passing before MAX_SAMPLES / K_PER_CLASS caps",
  };
}


/** The estimate for the rows finally selected, which MAX_SAMPLES or K_PER_CLASS may have cut. */
function selectionEstimate(p: PseudoLabelling, names: readonly string[], selected: Uint32Array): Record<string, unknown> {
  const e = p.estimate!(selected);
  return {
    rows: selected.length,
    estimated_precision: e.overall,
    per_class: Object.fromEntries(names.map((n, c) => [n, e.perClass[c]])),
    note: "plug-in estimate for the rows written to selected_samples; the guarantee is for the rows passing",
  };
}

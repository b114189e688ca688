/**
 * The job's pseudo-label step, between reading and selecting (run.ts): checks the settings,
 * reads the calibration_data channel for SSL selections, prepares the probabilities and the
 * rows that may be pseudo-labelled (prepare.ts), and yields the label columns and metadata
 * the write step adds.
 */
import type { Config } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import { readCalibration, type CalibrationData, type CalibrationOptions } from "../calibration/calibration-data.ts";
import { DataError, UsageError } from "../errors.ts";
import { confidenceThreshold } from "../strategies/confidence-threshold.ts";
import { STRATEGIES, STRATEGY_NAMES } from "../strategies/catalog.ts";
import type { ExtraColumn } from "../io/output.ts";
import type { JobPlan } from "../job/plan.ts";
import type { JobInputs } from "../job/read.ts";
import type { Timings } from "../job/timings.ts";
import type { Selection, StrategyOptions } from "../strategies/strategy.ts";
import type { HostCandidates } from "../cluster/candidates.ts";
import { mergeConfidenceStats, statsFromJson, statsToJson, type ConfidenceStats } from "./adaptive-thresholds.ts";
import { checkLabelColumnNames, labelColumnNames, labelColumns, type LabelColumnNames } from "./label-columns.ts";
import { preparePseudoLabels, pseudoLabelMetadata, type PseudoLabelling, type PseudoLabelSettings } from "./prepare.ts";


export interface PseudoLabelStep {
  /** The inputs the strategy sees: calibrated probabilities and the rows that may be pseudo-labelled. */
  inputs: JobInputs;
  /** The plan the strategy runs with (a map step under TARGET_PRECISION keeps candidates by its own rule). */
  plan: JobPlan;
  /** Sets what the strategy needs to know (a rule that replaces CONFIDENCE_THRESHOLD). */
  adjust(options: StrategyOptions): void;
  /** The label columns of the selected rows (none for a map step: the merge writes them). */
  columns(selection: Selection): ExtraColumn[];
  /** Entries for selection_metadata.json, given the selection. */
  metadata(selection: Selection): Record<string, unknown>;
}

export function pseudoLabelSettings(config: Config): PseudoLabelSettings {
  const v = config.values;
  return {
    targetPrecision: v.TARGET_PRECISION, scope: v.PRECISION_SCOPE, calibrate: v.CALIBRATE,
    thresholdMode: v.THRESHOLD_MODE, confidenceThreshold: v.CONFIDENCE_THRESHOLD,
  };
}

/** How the calibration_data channel is read: the pool's score columns and rules, and the true-label column. */
export function calibrationOptions(config: Config): CalibrationOptions {
  const v = config.values;
  return {
    trueLabelField: v.TRUE_LABEL_FIELD, scoreField: v.SCORE_FIELD, scoreFieldPrefix: v.SCORE_FIELD_PREFIX, labelField: v.LABEL_FIELD,
    renormalise: v.RENORMALIZE_PROBS, sumTolerance: v.PROB_SUM_TOLERANCE,
  };
}

/** Refuses settings that cannot apply, before any data is read. */
export function checkPseudoLabelSettings(plan: JobPlan, settings: PseudoLabelSettings, calibrationPath: string | null): void {
  const adaptive = settings.thresholdMode !== "fixed";
  const target = settings.targetPrecision > 0;
  if ((target || adaptive) && !plan.entry.thresholded) {
    const thresholded = STRATEGY_NAMES.filter((name) => STRATEGIES[name]!.thresholded);
    throw new UsageError(`${target ? `TARGET_PRECISION=${settings.targetPrecision}` : `THRESHOLD_MODE=${settings.thresholdMode}`} applies to ${thresholded.join(" and ")}, not ${plan.strategyName}; unset it or pick one of those strategies.`);
  }
  if (target && adaptive) {
    throw new UsageError(`TARGET_PRECISION and THRESHOLD_MODE=${settings.thresholdMode} both decide which rows pass; give one (TARGET_PRECISION with calibration data, THRESHOLD_MODE without).`);
  }
  if (target && !calibrationPath) {
    throw new UsageError(`TARGET_PRECISION=${settings.targetPrecision} needs rows a person labelled to measure precision on: pass --calibration DIR (in the container: the calibration_data channel) with the pool's score columns and a true-label column (TRUE_LABEL_FIELD).`);
  }
  if (adaptive && plan.role === "map") {
    throw new UsageError(`THRESHOLD_MODE=${settings.thresholdMode} sets class thresholds from the whole pool, and a multi-host map step sees one shard: it cannot know which of its rows the merge would keep. Run it on one instance.`);
  }
}

/** A streamed run's figures of the whole pool, whose inputs hold only its candidates (job/stream.ts). */
export interface StreamedCounts {
  /** The confidence sums over every selectable row (SoftMatch's weights, THRESHOLD_MODE). */
  stats: ConfidenceStats | null;
  /** TARGET_PRECISION: the selectable rows per predicted class (BH's m). */
  eligiblePerClass: Float64Array | null;
  /** The calibration rows the pass read (it fits the temperature before the first row), so the channel is read once. */
  calibration: CalibrationData | null;
}

export async function pseudoLabelStep(plan: JobPlan, config: Config, calibrationPath: string | null, inputs: JobInputs,
  mergeFrom: HostCandidates[] | null, log: Logger, timings: Timings, streamed: StreamedCounts | null = null): Promise<PseudoLabelStep> {
  const v = config.values;
  const settings = pseudoLabelSettings(config);
  checkPseudoLabelSettings(plan, settings, calibrationPath);
  const names: LabelColumnNames = { pseudoLabel: v.PSEUDO_LABEL_COLUMN, predictedLabel: v.PREDICTED_LABEL_COLUMN };
  const writesLabels = plan.role !== "map";
  if (writesLabels) checkLabelColumnNames(inputs.pool, plan.useCase, names);
  const labelMetadata = { label_columns: writesLabels ? labelColumnNames(plan.useCase, names, inputs.pool.plan, inputs.pool.tables[0]!.columns) : [] };
  if (plan.useCase !== "ssl") {
    if (calibrationPath) log.warn(`the calibration_data channel (${calibrationPath}) serves SSL selections; ${plan.strategyName} selects for labelling and does not read it.`);
    return {
      inputs, plan, adjust() {}, metadata: () => labelMetadata,
      columns: (selection) => (writesLabels ? labelColumns(inputs.pool, selection.rows, plan.useCase, names, null) : []),
    };
  }
  // A streamed run read the rows already (its timings count that read).
  let calibration: CalibrationData | null = streamed?.calibration ?? null;
  if (calibrationPath && !calibration) {
    const since = performance.now();
    log.info(`reading calibration rows from ${calibrationPath}`);
    calibration = await readCalibration(calibrationPath, inputs.pool, calibrationOptions(config));
    timings.end("calibrationMs", since);
  }
  const since = performance.now();
  const prepared: PseudoLabelling = preparePseudoLabels(inputs.pool, inputs.selectable, calibration, settings, {
    mapStep: plan.role === "map",
    poolStats: mergeFrom ? hostStats(mergeFrom, log) : streamed?.stats ?? null,
    poolCounts: mergeFrom && settings.targetPrecision > 0 ? hostCounts(mergeFrom, inputs.pool.classes) : streamed?.eligiblePerClass ?? null,
  });
  timings.end("pseudoLabelMs", since);
  for (const warning of prepared.warnings) log.warn(warning);
  if (prepared.calibration) {
    const c = prepared.calibration;
    log.info(`calibration: ${c.rows} rows, ECE ${c.before.ece.toFixed(4)}${c.after ? ` → ${c.after.ece.toFixed(4)} at temperature ${c.temperature!.toFixed(4)}` : " (CALIBRATE=off)"}`);
  }
  const selectableCount = prepared.selectable.reduce((n, s) => n + s, 0);
  const gated = prepared.rule ? { count: inputs.selectableCount - selectableCount, rule: prepared.rule } : null;
  const stepInputs: JobInputs = { ...inputs, pool: prepared.pool, selectable: prepared.selectable, selectableCount, gated };
  return {
    inputs: stepInputs,
    adjust(options) {
      if (prepared.rule) { options.confidenceThreshold = 0; options.thresholdRule = prepared.rule; }
      // A map step under TARGET_PRECISION keeps every row the merge may select, uncut.
      if (plan.role === "map" && prepared.eligiblePerClass) { options.maxSamples = 0; options.balance = null; }
    },
    // ...with confidence_threshold's rule (all rows that pass), whatever the strategy.
    plan: plan.role === "map" && prepared.eligiblePerClass ? { ...plan, entry: { ...plan.entry, merge: { ...plan.entry.merge, map: confidenceThreshold } } } : plan,
    columns: (selection) => (writesLabels ? labelColumns(prepared.pool, selection.rows, "ssl", names, prepared.weights) : []),
    metadata: (selection) => ({
      ...labelMetadata, pseudo_labels: pseudoLabelMetadata(prepared, settings, calibration, prepared.pool.plan.classNames, selection.rows),
      // A map step hands the merge its shard's sums, so the merge weighs rows as one process would.
      ...(plan.role === "map" ? { confidence_stats: statsToJson(prepared.stats) } : {}),
      ...(prepared.eligiblePerClass ? { conformal_eligible: Array.from(prepared.eligiblePerClass) } : {}),
    }),
  };
}

/** Every host's confidence statistics added up; null (with a warning) when a host wrote none. */
function hostStats(hosts: HostCandidates[], log: Logger): ConfidenceStats | null {
  const withRows = hosts.filter((h) => Number(h.metadata.rows_seen ?? 0) > 0);
  const missing = withRows.filter((h) => !h.metadata.confidence_stats).map((h) => h.host);
  if (missing.length > 0) {
    log.warn(`host${missing.length > 1 ? "s" : ""} ${missing.join(", ")} wrote no confidence statistics; pseudo-label weights use the candidates' own.`);
    return null;
  }
  return withRows.map((h) => statsFromJson(h.metadata.confidence_stats as Record<string, unknown>)).reduce(mergeConfidenceStats);
}

/** The whole pool's eligible rows per class under TARGET_PRECISION: every host's counts added up. */
function hostCounts(hosts: HostCandidates[], classes: number): Float64Array {
  const total = new Float64Array(classes);
  for (const h of hosts) {
    if (Number(h.metadata.rows_seen ?? 0) === 0) continue;
    const counts = h.metadata.conformal_eligible as number[] | undefined;
    if (!counts || counts.length !== classes) {
      throw new DataError(`host ${h.host}: its map step wrote no eligible-row counts for TARGET_PRECISION (conformal_eligible); rerun the map steps with TARGET_PRECISION set as for the merge.`);
    }
    counts.forEach((n, c) => { total[c]! += n; });
  }
  return total;
}

/**
 * A stopping signal for active learning: "stabilizing predictions" (Bloodgood &
 * Vijay-Shanker, CoNLL 2009). When the model of this round and the model of the last round
 * predict the same classes on the same rows, more labels are unlikely to change it much.
 * Agreement is Cohen's κ between the two rounds' predicted classes on the rows both scored;
 * with κ > T, the F-measure of the two models differs by at most 4(1 − T)/T (their Theorem 1,
 * stated for a binary task), so the bound is reported at the observed κ. At κ ≥ STABLE_KAPPA
 * (0.99, the paper's suggestion, by default) the run says "predictions have stabilised".
 */
import type { ParsedConfig } from "../cli/config.ts";
import { columnOptions, planColumns } from "../pool/columns.ts";
import { DataError } from "../errors.ts";
import { readChannel } from "../io/channel.ts";
import { buildPool, duplicateIds, type Pool } from "../pool/pool.ts";

export interface Predicted {
  ids: readonly string[];
  /** Index into classNames per row. */
  predicted: Int32Array;
  classNames: readonly string[];
}

export interface PredictionStability {
  /** Rows in both rounds (by id), on which κ is measured. */
  rows_compared: number;
  rows_only_now: number;
  rows_only_before: number;
  /** Share of compared rows with the same predicted class. */
  agreement: number;
  kappa: number;
  /** 4(1 − κ)/κ: how far the F-measure can still move (binary F-measure; null when κ ≤ 0). */
  f_measure_bound: number | null;
  threshold: number;
  stabilised: boolean;
  /** The sentence the log and the report show. */
  verdict: string;
  previous_predictions: string;
}

/** Cohen's κ of two label sequences over `classes` classes; 1 when both always give the same single class. */
export function cohensKappa(a: Int32Array, b: Int32Array, classes: number): number {
  if (a.length !== b.length) throw new RangeError(`cohensKappa: ${a.length} against ${b.length} labels`);
  const n = a.length;
  if (n === 0) throw new RangeError("cohensKappa: no rows");
  const countA = new Float64Array(classes), countB = new Float64Array(classes);
  let same = 0;
  for (let i = 0; i < n; i++) {
    countA[a[i]!]!++;
    countB[b[i]!]!++;
    if (a[i] === b[i]) same++;
  }
  const observed = same / n;
  let chance = 0;
  for (let c = 0; c < classes; c++) chance += (countA[c]! / n) * (countB[c]! / n);
  if (chance === 1) return observed === 1 ? 1 : 0;
  return (observed - chance) / (1 - chance);
}

/** The F-measure bound of Bloodgood & Vijay-Shanker at agreement κ; null where it says nothing (κ ≤ 0). */
export function fMeasureBound(kappa: number): number | null {
  return kappa > 0 ? (4 * (1 - kappa)) / kappa : null;
}

/** Compares this round's predictions with the last round's on the ids both hold (classes matched by name). */
export function predictionStability(now: Predicted, before: Predicted, threshold: number, source: string): PredictionStability {
  const names = [...new Set([...now.classNames, ...before.classNames])];
  const indexOf = new Map(names.map((name, c) => [name, c]));
  const beforeRow = new Map(before.ids.map((id, row) => [id, row]));
  const a: number[] = [], b: number[] = [];
  const seen = new Set<string>();
  now.ids.forEach((id, row) => {
    const other = beforeRow.get(id);
    // A repeated id (DUPLICATE_IDS=keep_first) counts once, by its first row.
    if (other === undefined || seen.has(id)) return;
    seen.add(id);
    a.push(indexOf.get(now.classNames[now.predicted[row]!]!)!);
    b.push(indexOf.get(before.classNames[before.predicted[other]!]!)!);
  });
  if (a.length === 0) {
    throw new DataError(`${source}: none of its ${before.ids.length} ids is in this round's input; previous_predictions must be the last round's inference output over the same rows (same id column).`);
  }
  const kappa = cohensKappa(Int32Array.from(a), Int32Array.from(b), names.length);
  const agreement = a.reduce((n, x, i) => n + (x === b[i] ? 1 : 0), 0) / a.length;
  const bound = fMeasureBound(kappa);
  const stabilised = kappa >= threshold;
  const verdict = stabilised
    ? `predictions have stabilised: Cohen's kappa ${kappa.toFixed(4)} ≥ ${threshold} between this and the last round on ${a.length} rows; the F-measure can move by at most ${bound!.toFixed(4)} (Bloodgood & Vijay-Shanker 2009). Consider stopping labelling.`
    : `predictions are still changing: Cohen's kappa ${kappa.toFixed(4)} < ${threshold} between this and the last round on ${a.length} rows${bound === null ? "" : `; the F-measure may still move by up to ${bound.toFixed(4)}`}.`;
  return {
    rows_compared: a.length, rows_only_now: now.ids.length - a.length, rows_only_before: before.ids.length - a.length,
    agreement, kappa, f_measure_bound: bound, threshold, stabilised, verdict, previous_predictions: source,
  };
}

/** Reads the previous_predictions channel with this run's column settings; ids must be unique. */
export async function readPrevious(path: string, config: ParsedConfig): Promise<Predicted> {
  const v = config.values;
  const tables = await readChannel(path, "previous_predictions");
  const columns = planColumns(tables, columnOptions(v));
  const pool: Pool = buildPool(tables, columns, {
    needVectors: false, needLeaves: false, float64: false, renormalise: v.RENORMALIZE_PROBS,
    sumTolerance: v.PROB_SUM_TOLERANCE,
  });
  if (!pool.plan.classesRecorded) {
    throw new DataError(`${path}: previous_predictions holds a confidence but no predicted class (name it with LABEL_FIELD); the stopping signal compares predicted classes.`);
  }
  const dupes = duplicateIds(pool.ids);
  if (dupes.length > 0) throw new DataError(`${path}: id "${dupes[0]![0]}" appears twice in previous_predictions; each row must appear once to compare its prediction.`);
  return { ids: pool.ids, predicted: pool.predicted, classNames: pool.plan.classNames };
}

/**
 * The calibration_data channel: rows the model scored that a person labelled. They are read
 * with the pool's readers and rules (every data file of the directory, one schema, the same
 * probability checks) and must carry the pool's score columns, so the model's confidence means
 * the same on both, plus the true class in TRUE_LABEL_FIELD, written as the pool's class names.
 * No id column is needed.
 */
import { planColumns, type ColumnPlan } from "../pool/columns.ts";
import { DataError } from "../errors.ts";
import { listNames } from "../list-names.ts";
import { readChannel } from "../io/channel.ts";
import { buildPool, describeRow, type Pool } from "../pool/pool.ts";
import type { Table } from "../io/table.ts";

export interface CalibrationData {
  channel: string;
  files: string[];
  rows: number;
  /** rows × classes probabilities, normalised as the pool's are. */
  probs: Float64Array;
  /** True class per row, as an index into the pool's class names. */
  labels: Int32Array;
  /** The model's predicted class per row and its probability, as the pool reads them. */
  predicted: Int32Array;
  confidence: Float64Array;
}

export interface CalibrationOptions {
  trueLabelField: string;
  scoreField: string;
  scoreFieldPrefix: string;
  labelField: string;
  renormalise: boolean;
  sumTolerance: number;
}

export async function readCalibration(channel: string, pool: Pool, options: CalibrationOptions): Promise<CalibrationData> {
  const tables = await readChannel(channel, "calibration_data");
  const first = tables[0]!;
  const label = options.trueLabelField;
  if (!first.columns.includes(label)) {
    throw new DataError(`${first.path}: the calibration_data channel has no true-label column "${label}" (columns: ${listNames(first.columns)}); every calibration row needs the class a person gave it. Set TRUE_LABEL_FIELD (--true-label-field) to the column that holds it.`);
  }
  if (!pool.plan.classesRecorded) {
    throw new DataError(`${first.path}: calibration needs the class the model predicted for each row, and the pool holds only a confidence (${pool.plan.scoreColumns.join(", ")}); add the predicted label (LABEL_FIELD) to the pool and the calibration rows.`);
  }
  const own = planColumns(tables, { idField: label, idSetting: "TRUE_LABEL_FIELD", scoreField: options.scoreField, scoreFieldPrefix: options.scoreFieldPrefix, labelField: options.labelField });
  const columnsOf = (p: ColumnPlan) => [...p.scoreColumns, ...(p.labelColumn ? [p.labelColumn] : [])];
  const same = own.scoreKind === pool.plan.scoreKind && columnsOf(own).join("\n") === columnsOf(pool.plan).join("\n");
  if (!same) {
    throw new DataError(`${first.path}: the calibration_data channel's score columns (${columnsOf(own).join(", ")}) differ from the pool's (${columnsOf(pool.plan).join(", ")}); calibration rows must be scored by the same model and written with the same columns.`);
  }
  // The pool's plan, so classes are numbered alike; the true-label column stands in for the id:
  // the readers hand it back as text, exactly as written.
  const plan: ColumnPlan = { ...pool.plan, id: label, vectorColumns: [], leafColumns: [] };
  const rows = readRows(tables, plan, options);
  const classOf = new Map(pool.plan.classNames.map((name, c) => [name, c]));
  const labels = new Int32Array(rows.size);
  for (let i = 0; i < rows.size; i++) {
    const text = rows.ids[i]!;
    const c = classOf.get(text);
    if (c === undefined) {
      // An empty label never gets here: the readers refuse it as an empty id cell (readRows).
      throw new DataError(`${describeRow(rows, i)}: true label "${text}" in column "${label}" is not one of the pool's classes (${listNames(pool.plan.classNames)}); write labels as the pool's class names.`);
    }
    labels[i] = c;
  }
  return { channel, files: tables.map((t) => t.path), rows: rows.size, probs: rows.probs, labels, predicted: rows.predicted, confidence: rows.confidence };
}

/** The rows through the pool's reader; a missing label is named as such, not as a missing id. */
function readRows(tables: Table[], plan: ColumnPlan, options: CalibrationOptions): Pool {
  try {
    return buildPool(tables, plan, {
      needVectors: false, needLeaves: false, float64: false, renormalise: options.renormalise,
      sumTolerance: options.sumTolerance,
    });
  } catch (error) {
    // The readers word an empty or null id cell (here: the label) as "an empty id" or "no id (null)".
    const match = error instanceof DataError && /^(.*?): (row \d+.*?) has (?:an empty id|no id \(null\)) in column/.exec(error.message);
    if (!match) throw error;
    throw new DataError(`${match[1]}: ${match[2]}: no true label in column "${plan.id}"; every calibration row needs one (drop unlabelled rows from the channel).`);
  }
}

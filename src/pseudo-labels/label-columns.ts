/**
 * The label columns of selected_samples: what the next step reads instead of recomputing an
 * argmax. SSL selections write the pseudo-label (the predicted class as the input names it:
 * prob_class_7 → "7"), its probability and its SoftMatch weight; active-learning selections
 * write the model's predicted class, for the labelling UI. Names come from
 * PSEUDO_LABEL_COLUMN (with _confidence and _weight appended) and PREDICTED_LABEL_COLUMN.
 */
import { DataError } from "../errors.ts";
import type { ExtraColumn } from "../io/output.ts";
import type { ColumnPlan } from "../pool/columns.ts";
import type { Pool } from "../pool/pool.ts";
import type { UseCase } from "../strategies/catalog.ts";

export interface LabelColumnNames {
  pseudoLabel: string;
  predictedLabel: string;
}

/**
 * The column names a selection of this use case adds, in order. No label column where the
 * input records no class (a lone confidence), nor where the input's own predicted-label column
 * (LABEL_FIELD) already has that name: it holds the label as written, so it is not repeated.
 * Model outputs often carry a predicted_label of their own beside prob_class_*: an
 * active-learning selection keeps that column as written and adds none.
 */
export function labelColumnNames(useCase: UseCase, names: LabelColumnNames, plan: Pick<ColumnPlan, "classesRecorded" | "labelColumn">,
  inputColumns: readonly string[]): string[] {
  if (useCase !== "ssl") return plan.classesRecorded && !inputColumns.includes(names.predictedLabel) ? [names.predictedLabel] : [];
  const withLabel = plan.classesRecorded && names.pseudoLabel !== plan.labelColumn ? [names.pseudoLabel] : [];
  return [...withLabel, `${names.pseudoLabel}_confidence`, `${names.pseudoLabel}_weight`];
}

/**
 * Refuses an input that already has a pseudo-label column the output adds (an earlier
 * selection's output, or a column of the same name): two columns of one name would leave the
 * reader guessing which label to train on.
 */
export function checkLabelColumnNames(pool: Pool, useCase: UseCase, names: LabelColumnNames): void {
  const columns = pool.tables[0]!.columns;
  for (const name of labelColumnNames(useCase, names, pool.plan, columns)) {
    if (columns.includes(name)) {
      throw new DataError(`${pool.tables[0]!.path}: the input already has a "${name}" column, which the selection adds; set PSEUDO_LABEL_COLUMN (--pseudo-label-column) to another name, or rename or drop the input's column.`);
    }
  }
}

/** The columns' values for the selected rows, in rank order. */
export function labelColumns(pool: Pool, rows: Uint32Array, useCase: UseCase, names: LabelColumnNames, weights: Float64Array | null): ExtraColumn[] {
  const classNames = pool.plan.classNames;
  return labelColumnNames(useCase, names, pool.plan, pool.tables[0]!.columns).map((name): ExtraColumn => {
    if (name === `${names.pseudoLabel}_confidence` && useCase === "ssl") return { name, values: Float64Array.from(rows, (r) => pool.confidence[r]!) };
    if (name === `${names.pseudoLabel}_weight` && useCase === "ssl") return { name, values: Float64Array.from(rows, (r) => (weights ? weights[r]! : 1)) };
    return { name, text: Array.from(rows, (r) => classNames[pool.predicted[r]!]!) };
  });
}

/**
 * Which input columns play which part: the id, the scores, the vectors and the GBDT leaves,
 * and why. The same decision feeds the selection, `inspect` and the metadata.
 */
import { DataError, UsageError } from "./errors.ts";
import { isNumeric } from "./io/column-type.ts";
import type { Table } from "./io/table.ts";

/** LLM batch outputs (e.g. Bedrock) and rule sets name their score columns in these ways. */
export const LLM_SCORE_COLUMNS = ["confidence_score", "prediction_score", "score"];
export const RULE_SCORE_COLUMNS = ["rule_score", "label_confidence", "label_score"];
export const OUTPUT_COLUMNS = ["selection_score", "selection_rank"];

export interface ColumnOptions {
  idField: string;
  /** One score column chosen by the user; empty when not set. */
  scoreField: string;
  scoreFieldPrefix: string;
}

export type ScoreKind =
  /** prob_class_* columns: already probabilities, one per class. */
  | "probabilities"
  /** One column in [0,1]: a binary problem, p becomes [1-p, p]. */
  | "binary"
  /** Several LLM or rule score columns: softmax-normalised when rows do not sum to 1. */
  | "scores"
  /** No score columns (a pool of embeddings before any model): only vector strategies run. */
  | "none";

export interface ColumnPlan {
  id: string;
  scoreColumns: string[];
  scoreKind: ScoreKind;
  /** Class names: the prefix suffixes ("0", "cat"), or "0"/"1" for one binary score column. */
  classNames: string[];
  scoreReason: string;
  /** emb_* when present, else the numeric feature columns. */
  vectorColumns: string[];
  vectorReason: string;
  /** leaf_* columns (GBDT leaf indices, one per tree). */
  leafColumns: string[];
}

/** Sorts names by their numeric suffix when they have one (emb_2 before emb_10). */
function bySuffix(prefix: string) {
  return (a: string, b: string) => {
    const x = a.slice(prefix.length), y = b.slice(prefix.length);
    const nx = Number(x), ny = Number(y);
    if (x !== "" && y !== "" && Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/**
 * Resolves the column roles from a table's header. Vector columns without an emb_* prefix are
 * found by looking at the first rows' values, so this needs a table rather than names only.
 */
export function planColumns(table: Table, options: ColumnOptions): ColumnPlan {
  const columns = table.columns;
  const has = (name: string) => columns.includes(name);
  const listed = columns.slice(0, 12).join(", ") + (columns.length > 12 ? `, … (${columns.length} in all)` : "");
  for (const reserved of OUTPUT_COLUMNS) {
    if (has(reserved)) {
      throw new DataError(`${table.path}: the input already has a "${reserved}" column (is it an earlier selection's output?); rename or drop it, since the output adds its own.`);
    }
  }
  if (!has(options.idField)) {
    throw new DataError(`${table.path}: no id column "${options.idField}" (columns: ${listed}); set ID_FIELD (--id-field) to the column that identifies rows.`);
  }

  let scoreColumns: string[];
  let scoreKind: ScoreKind;
  let classNames: string[];
  let scoreReason: string;
  const prefixed = options.scoreFieldPrefix
    ? columns.filter((c) => c.startsWith(options.scoreFieldPrefix) && c.length > options.scoreFieldPrefix.length)
    : [];
  if (options.scoreField) {
    if (!has(options.scoreField)) {
      throw new UsageError(`SCORE_FIELD is "${options.scoreField}" but ${table.path} has no such column (columns: ${listed}).`);
    }
    scoreColumns = [options.scoreField];
    scoreKind = "binary";
    classNames = ["0", "1"];
    scoreReason = `SCORE_FIELD names "${options.scoreField}": one score in [0,1], read as the probability of class 1`;
  } else if (prefixed.length > 0) {
    scoreColumns = [...prefixed].sort(bySuffix(options.scoreFieldPrefix));
    if (scoreColumns.length === 1) {
      scoreKind = "binary";
      classNames = ["0", "1"];
      scoreReason = `one column with prefix "${options.scoreFieldPrefix}" (${scoreColumns[0]}): read as the probability of class 1 of a binary problem`;
    } else {
      scoreKind = "probabilities";
      classNames = scoreColumns.map((c) => c.slice(options.scoreFieldPrefix.length));
      scoreReason = `${scoreColumns.length} columns with prefix "${options.scoreFieldPrefix}": class probabilities`;
    }
  } else if (!LLM_SCORE_COLUMNS.some(has) && !RULE_SCORE_COLUMNS.some(has)) {
    scoreColumns = [];
    scoreKind = "none";
    classNames = [];
    scoreReason = `no score columns found (columns: ${listed}); expected "${options.scoreFieldPrefix}*" class probabilities, an LLM score (${LLM_SCORE_COLUMNS.join(", ")}) or a rule score (${RULE_SCORE_COLUMNS.join(", ")}), or SCORE_FIELD / SCORE_FIELD_PREFIX. Only strategies that need vectors alone can run`;
  } else {
    const llm = LLM_SCORE_COLUMNS.filter(has);
    const rule = RULE_SCORE_COLUMNS.filter(has);
    const found = llm.length > 0 ? llm : rule;
    const source = llm.length > 0 ? "LLM" : "rule set";
    scoreColumns = found;
    if (found.length === 1) {
      scoreKind = "binary";
      classNames = ["0", "1"];
      scoreReason = `no "${options.scoreFieldPrefix}*" columns; found the ${source} score column "${found[0]}": one score in [0,1], read as the probability of class 1`;
    } else {
      scoreKind = "scores";
      classNames = found;
      scoreReason = `no "${options.scoreFieldPrefix}*" columns; found ${source} score columns ${found.join(", ")}: one class each, softmax-normalised where a row does not sum to 1`;
    }
  }

  const leafColumns = columns.filter((c) => c.startsWith("leaf_")).sort(bySuffix("leaf_"));
  const embeddings = columns.filter((c) => c.startsWith("emb_")).sort(bySuffix("emb_"));
  let vectorColumns: string[];
  let vectorReason: string;
  if (embeddings.length > 0) {
    vectorColumns = embeddings;
    vectorReason = `${embeddings.length} emb_* columns`;
  } else {
    // Partition folders (year=2024/) describe where a file lies, not the row: never a feature.
    const taken = new Set([options.idField, ...scoreColumns, ...leafColumns, ...(table.partitionColumns ?? [])]);
    vectorColumns = columns.filter((c, i) => !taken.has(c) && looksNumeric(table, i));
    vectorReason = vectorColumns.length > 0
      ? `no emb_* columns; using the ${vectorColumns.length} numeric feature columns (every numeric column that is not the id, a score, a leaf index or a partition folder)`
      : "no emb_* columns and no numeric feature columns";
  }
  return { id: options.idField, scoreColumns, scoreKind, classNames, scoreReason, vectorColumns, vectorReason, leafColumns };
}

/** A column is a numeric feature when its first rows (up to 200) all hold finite numbers. */
function looksNumeric(table: Table, column: number): boolean {
  const rows = Math.min(table.rowCount, 200);
  if (rows === 0) return false;
  const type = table.columnTypes[column]!;
  if (isNumeric(type)) return true;
  if (type.kind !== "text") return false;
  for (let r = 0; r < rows; r++) {
    const text = String(table.cell(r, column)).trim();
    if (text === "" || !Number.isFinite(Number(text))) return false;
  }
  return true;
}

/**
 * Which input columns play which part: the id, the scores, the vectors and the GBDT leaves,
 * and why. The same decision feeds the selection, `inspect` and the metadata.
 */
import type { ParamValues } from "../cli/config.ts";
import { DataError, UsageError } from "../errors.ts";
import { isNumeric } from "../io/column-type.ts";
import type { Table } from "../io/table.ts";
import { delimiterHint } from "../io/delimiter-hint.ts";
import { paddedNamesHint } from "../io/padded-names-hint.ts";
import { headerlessHint } from "../io/headerless.ts";
import { distinctLabels, LABEL_COLUMNS, parseLabelClasses } from "./labels.ts";
import { listNames } from "../list-names.ts";

/** LLM batch outputs (e.g. Bedrock) and rule sets name their score columns in these ways. */
export const LLM_SCORE_COLUMNS = ["confidence_score", "prediction_score", "score"];
export const RULE_SCORE_COLUMNS = ["rule_score", "label_confidence", "label_score"];
export const OUTPUT_COLUMNS = ["selection_score", "selection_rank"];

export interface ColumnOptions {
  idField: string;
  /** The parameter that names idField, for messages. Default: ID_FIELD (the calibration channel's stand-in id is TRUE_LABEL_FIELD). */
  idSetting?: "ID_FIELD" | "TRUE_LABEL_FIELD";
  /** One score column chosen by the user; empty when not set. */
  scoreField: string;
  scoreFieldPrefix: string;
  /** The predicted-label column chosen by the user (LABEL_FIELD); empty or absent when not set. */
  labelField?: string;
  /** LABEL_CLASSES as given (every class, for hosts that may not see every label); empty: the labels read. */
  labelClasses?: string;
  /** The distinct labels of every row, when the tables given hold only the files' first rows (a streamed run reads them in a pass of its own). */
  labelsRead?: readonly string[];
  /** TRUE_LABEL_FIELD: a person's label, never a feature (a pool that carries it for evaluation must not select on it). */
  trueLabelField?: string;
}

/** The column options a run's parameters give: one place, so the pool, inspect and every side channel read columns alike. */
export function columnOptions(v: Pick<ParamValues, "ID_FIELD" | "SCORE_FIELD" | "SCORE_FIELD_PREFIX" | "LABEL_FIELD" | "LABEL_CLASSES" | "TRUE_LABEL_FIELD">): ColumnOptions {
  return {
    idField: v.ID_FIELD, scoreField: v.SCORE_FIELD, scoreFieldPrefix: v.SCORE_FIELD_PREFIX, labelField: v.LABEL_FIELD,
    labelClasses: v.LABEL_CLASSES, trueLabelField: v.TRUE_LABEL_FIELD,
  };
}

export type ScoreKind =
  /** prob_class_* columns: already probabilities, one per class. */
  | "probabilities"
  /** One column in [0,1], the probability of one class of two (classNames[scoreClass]). */
  | "binary"
  /** Several LLM or rule score columns: softmax-normalised when rows do not sum to 1. */
  | "scores"
  /**
   * A predicted label (labelColumn) and the confidence in it: the label's probability is the
   * confidence, the rest is spread evenly over the other classes.
   */
  | "label"
  /** A lone confidence of a prediction the input does not record: one column, no classes known. */
  | "confidence"
  /** No score columns (a pool of embeddings before any model): only vector strategies run. */
  | "none";

export interface ColumnPlan {
  id: string;
  scoreColumns: string[];
  scoreKind: ScoreKind;
  /**
   * Class names: the prefix suffixes ("0", "cat"), "0"/"1" for one binary score column, the
   * distinct predicted labels (sorted, as written), or one placeholder when classesRecorded is false.
   */
  classNames: string[];
  /** binary: the class whose probability the one score column holds (0 or 1). */
  scoreClass: number;
  /** The predicted-label column (scoreKind "label"), else null. */
  labelColumn: string | null;
  /** False when the input holds a confidence but not what was predicted: no class names to give. */
  classesRecorded: boolean;
  scoreReason: string;
  /** emb_* when present, else the numeric feature columns. */
  vectorColumns: string[];
  vectorReason: string;
  /** leaf_* columns (GBDT leaf indices, one per tree). */
  leafColumns: string[];
}

/**
 * Bedrock's batch inference output as it comes (recordId, modelInput, modelOutput) nests the
 * model's answer in a JSON object, whose form depends on the prompt: it must be flattened first.
 */
function bedrockRawHint(columns: readonly string[]): string {
  return columns.includes("modelOutput") && columns.includes("recordId")
    ? ` This is Bedrock's raw batch output: the answer is nested in modelOutput. Flatten it into one row per record with its label and confidence (predicted_label, confidence_score), and set ID_FIELD=recordId.`
    : "";
}

/** Columns pandas writes for its index: row numbers, never features. */
const PANDAS_INDEX = /^(__index_level_\d+__|Unnamed: \d+)$/;

/** The one class name of a pool whose predictions are not recorded, only their confidence. */
export const UNRECORDED_CLASS = "(unrecorded prediction)";

/** Sorts names by their numeric suffix when they have one (emb_2 before emb_10). */
export function bySuffix(prefix: string) {
  return (a: string, b: string) => {
    const x = a.slice(prefix.length), y = b.slice(prefix.length);
    const nx = Number(x), ny = Number(y);
    if (x !== "" && y !== "" && Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny;
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

interface ScorePlan {
  scoreColumns: string[];
  scoreKind: ScoreKind;
  classNames: string[];
  scoreClass: number;
  labelColumn: string | null;
  scoreReason: string;
}

/**
 * Resolves the column roles from the header. Vector columns without an emb_* prefix are found
 * by looking at the first rows' values, and predicted labels by reading every table's label
 * column, so this needs the tables rather than names only (one table: its labels alone).
 */
export function planColumns(input: Table | readonly Table[], options: ColumnOptions): ColumnPlan {
  const tables: readonly Table[] = Array.isArray(input) ? input : [input as Table];
  const table = tables[0]!;
  const columns = table.columns;
  const has = (name: string) => columns.includes(name);
  const listed = listNames(columns);
  for (const reserved of OUTPUT_COLUMNS) {
    if (has(reserved)) {
      throw new DataError(`${table.path}: the input already has a "${reserved}" column (is it an earlier selection's output?); rename or drop it, since the output adds its own.`);
    }
  }
  if (!has(options.idField)) {
    throw new DataError(`${table.path}: no id column "${options.idField}" (columns: ${listed}); set ID_FIELD (--id-field) to the column that identifies rows.${headerlessHint(columns)}${delimiterHint(columns)}${paddedNamesHint(columns)}${bedrockRawHint(columns)}`);
  }
  const scores = planScores(tables, options, listed);
  const { scoreColumns } = scores;

  const leafColumns = columns.filter((c) => c.startsWith("leaf_")).sort(bySuffix("leaf_"));
  const embeddings = columns.filter((c) => c.startsWith("emb_")).sort(bySuffix("emb_"));
  let vectorColumns: string[];
  let vectorReason: string;
  if (embeddings.length > 0) {
    vectorColumns = embeddings;
    vectorReason = `${embeddings.length} emb_* columns`;
  } else {
    // Not features: a predicted label (used or not: it restates the scores), nor a partition folder (year=2024/), which describes where a file lies.
    // Nor is a pandas index (__index_level_0__ in Parquet, "Unnamed: 0" after a CSV round trip): row numbers.
    const labels = [...LABEL_COLUMNS, ...(options.labelField ? [options.labelField] : [])];
    const taken = new Set([options.idField, ...scoreColumns, ...labels, ...leafColumns, ...(table.partitionColumns ?? [])]);
    const indexes = columns.filter((c) => PANDAS_INDEX.test(c));
    const truth = options.trueLabelField && columns.includes(options.trueLabelField) ? options.trueLabelField : null;
    vectorColumns = columns.filter((c, i) => !taken.has(c) && c !== truth && !PANDAS_INDEX.test(c) && looksNumeric(table, i));
    const skippedIndex = (indexes.length > 0 ? `; ${indexes.join(", ")} left out as a pandas index` : "") +
      (truth ? `; ${truth} left out as the true label (TRUE_LABEL_FIELD)` : "");
    const lists = columns.filter((c, i) => !taken.has(c) && holdsNumberLists(table, i));
    const listHint = lists.length > 0
      ? `; ${listNames(lists)} ${lists.length === 1 ? "holds" : "hold"} a list of numbers a row, which is not read as a vector: write it as one column a dimension, emb_0, emb_1, … (pandas: df.join(pd.DataFrame(df.pop("${lists[0]}").tolist(), index=df.index).add_prefix("emb_")))`
      : "";
    vectorReason = vectorColumns.length > 0
      ? `no emb_* columns; using the ${vectorColumns.length} numeric feature columns (every numeric column that is not the id, a score, a predicted label, a leaf index or a partition folder)${skippedIndex}${listHint}`
      : `no emb_* columns and no numeric feature columns${skippedIndex}${listHint}`;
  }
  refuseSharedId(options.idField, options.idSetting ?? "ID_FIELD", scores, vectorColumns, leafColumns);
  return { id: options.idField, ...scores, classesRecorded: scores.scoreKind !== "confidence" && scores.scoreKind !== "none", vectorColumns, vectorReason, leafColumns };
}

/**
 * The id column with a second role (ID_FIELD set to a score, label, vector or leaf column) is
 * a mistaken ID_FIELD: its values would be read as ids and as data at once, and the run would
 * go on without a word (a calibration channel whose true label is the predicted label would
 * calibrate the model against itself).
 */
function refuseSharedId(id: string, setting: "ID_FIELD" | "TRUE_LABEL_FIELD", scores: ScorePlan, vectorColumns: readonly string[], leafColumns: readonly string[]): void {
  const role = scores.scoreColumns.includes(id) ? "a score column"
    : scores.labelColumn === id ? "the predicted-label column"
    : vectorColumns.includes(id) ? "a vector column"
    : leafColumns.includes(id) ? "a leaf column"
    : null;
  if (!role) return;
  const [flag, what] = setting === "ID_FIELD" ? ["--id-field", "the id"] : ["--true-label-field", "the true label"];
  throw new UsageError(`${setting} is "${id}", which is ${role}: ${what} must be a column of its own. Set ${setting} (${flag}) to the column that holds ${what}.`);
}

/** Which columns hold the scores, what they mean, and the class names they give. */
function planScores(tables: readonly Table[], options: ColumnOptions, listed: string): ScorePlan {
  const table = tables[0]!;
  const columns = table.columns;
  const has = (name: string) => columns.includes(name);
  const prefix = options.scoreFieldPrefix;
  const prefixed = prefix ? columns.filter((c) => c.startsWith(prefix) && c.length > prefix.length) : [];
  const labelField = options.labelField ?? "";
  if (labelField && !has(labelField)) {
    throw new UsageError(`LABEL_FIELD is "${labelField}" but ${table.path} has no such column (columns: ${listed}).`);
  }
  const label = labelField || LABEL_COLUMNS.find(has) || null;
  const withLabel = (confidence: string, why: string): ScorePlan => {
    const listed = parseLabelClasses(options.labelClasses ?? "");
    const classNames = listed.length > 0 ? listed : options.labelsRead ? [...options.labelsRead] : distinctLabels(tables, label!);
    return {
      scoreColumns: [confidence], scoreKind: "label", classNames, scoreClass: 0, labelColumn: label,
      scoreReason: `${why}: "${label}" holds the predicted label and "${confidence}" the confidence in it; the classes are the ${classNames.length} ${listed.length > 0 ? "LABEL_CLASSES lists" : "distinct labels"} (sorted, as written); a row's label gets its confidence as probability and the other classes share the rest evenly`,
    };
  };

  if (options.scoreField) {
    if (!has(options.scoreField)) {
      throw new UsageError(`SCORE_FIELD is "${options.scoreField}" but ${table.path} has no such column (columns: ${listed}).`);
    }
    if (labelField) return withLabel(options.scoreField, `LABEL_FIELD and SCORE_FIELD name them`);
    const unused = label ? `; the "${label}" column is not used: set LABEL_FIELD=${label} to read SCORE_FIELD as the confidence in that label` : "";
    return {
      scoreColumns: [options.scoreField], scoreKind: "binary", classNames: ["0", "1"], scoreClass: 1, labelColumn: null,
      scoreReason: `SCORE_FIELD names "${options.scoreField}": one score in [0,1], read as the probability of class 1${unused}`,
    };
  }
  if (prefixed.length > 0) {
    if (labelField) {
      throw new UsageError(`LABEL_FIELD is "${labelField}", but ${table.path} has per-class probabilities (${prefixed.slice(0, 4).join(", ")}): the classes are those columns. Unset LABEL_FIELD, or set SCORE_FIELD_PREFIX to something else to use the label and a confidence column.`);
    }
    const scoreColumns = [...prefixed].sort(bySuffix(prefix));
    if (scoreColumns.length > 1) {
      return {
        scoreColumns, scoreKind: "probabilities", classNames: scoreColumns.map((c) => c.slice(prefix.length)), scoreClass: 0, labelColumn: null,
        scoreReason: `${scoreColumns.length} columns with prefix "${prefix}": class probabilities`,
      };
    }
    // One column is the probability of the class its name says; the other class is the rest.
    const named = scoreColumns[0]!.slice(prefix.length);
    const classNames = named === "0" || named === "1" ? ["0", "1"] : [named, `not_${named}`];
    const scoreClass = classNames.indexOf(named);
    return {
      scoreColumns, scoreKind: "binary", classNames, scoreClass, labelColumn: null,
      scoreReason: `one column with prefix "${prefix}" (${scoreColumns[0]}): the probability of class ${named}; class ${classNames[1 - scoreClass]} has the rest`,
    };
  }
  const llm = LLM_SCORE_COLUMNS.filter(has);
  const rule = RULE_SCORE_COLUMNS.filter(has);
  const found = llm.length > 0 ? llm : rule;
  const source = llm.length > 0 ? "LLM" : "rule set";
  if (found.length === 0) {
    const labelOnly = label ? ` There is a label column "${label}" but no confidence beside it; set SCORE_FIELD (with LABEL_FIELD=${label}) to the column holding the confidence in each label.` : "";
    return {
      scoreColumns: [], scoreKind: "none", classNames: [], scoreClass: 0, labelColumn: null,
      scoreReason: `no score columns found (columns: ${listed}): a pool of ids and vectors, on which strategies that need vectors alone run. Scores would be "${prefix}*" class probabilities, an LLM score (${LLM_SCORE_COLUMNS.join(", ")}) or a rule score (${RULE_SCORE_COLUMNS.join(", ")}), or the columns SCORE_FIELD / SCORE_FIELD_PREFIX name.${labelOnly}${paddedNamesHint(columns)}${bedrockRawHint(columns)}`,
    };
  }
  if (label) {
    const others = found.length > 1 ? ` (${found.slice(1).join(", ")} not used)` : "";
    return withLabel(found[0]!, `${source} output${others}`);
  }
  if (found.length === 1) {
    return {
      scoreColumns: found, scoreKind: "confidence", classNames: [UNRECORDED_CLASS], scoreClass: 0, labelColumn: null,
      scoreReason: `no "${prefix}*" columns and no label column (${LABEL_COLUMNS.join(", ")}, or LABEL_FIELD); the ${source} score "${found[0]}" is read as the confidence of a prediction the input does not record: strategies that need only confidence or uncertainty run on it, those that need classes are refused`,
    };
  }
  return {
    scoreColumns: found, scoreKind: "scores", classNames: found, scoreClass: 0, labelColumn: null,
    scoreReason: `no "${prefix}*" columns; found ${source} score columns ${found.join(", ")}: one class each, softmax-normalised where a row does not sum to 1`,
  };
}

/**
 * A UsageError naming LABEL_FIELD when the run needs class names (top_k_per_class, class
 * quotas, BADGE, a predicted_class filter) and the input records only a confidence.
 */
export function requireClasses(plan: ColumnPlan, neededBy: string | null): void {
  // No scores at all (a cold start) is refused where scores are needed, with its own reason.
  if (plan.classesRecorded || neededBy === null || plan.scoreKind === "none") return;
  throw new UsageError(`${neededBy} needs the predicted classes, but the input holds only a confidence ("${plan.scoreColumns[0]}") and no predicted label. Add the label column and name it with LABEL_FIELD (--label-field), e.g. predicted_label; or use a strategy that needs only confidence or uncertainty (confidence_threshold, uncertainty, diversity, hybrid without class filters).`);
}

/** A column whose first value is a list of numbers (JSON lines' [0.1, 0.2], Parquet's list<float>): an embedding written whole, one list a row. */
function holdsNumberLists(table: Table, column: number): boolean {
  if (table.rowCount === 0) return false;
  let value = table.cell(0, column);
  if (typeof value === "string" && value.trim().startsWith("[")) {
    try { value = JSON.parse(value); } catch { return false; } // CSV: the list as text
  }
  return (Array.isArray(value) || ArrayBuffer.isView(value)) && (value as ArrayLike<unknown>).length > 0 &&
    Array.from(value as ArrayLike<unknown>).every((x) => typeof x === "number" || typeof x === "bigint");
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

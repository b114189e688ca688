/**
 * The in-memory pool: ids, the probability matrix, the vectors and leaf indices the strategy
 * needs, and the tables themselves so the writers can repeat every original column.
 */
import { DataError } from "../errors.ts";
import type { ColumnPlan } from "./columns.ts";
import type { NumericBlock, Table } from "../io/table.ts";
import type { Matrix } from "../matrix.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import { faultInFresh } from "../engine/touch-pages.ts";
import { predictions } from "../engine/uncertainty.ts";
import type { SortedIds } from "./id-sort.ts";
import { labelIndices } from "./labels.ts";
import { listNames } from "../list-names.ts";

export interface Pool {
  tables: Table[];
  /** Global row index of each table's first row. */
  tableStarts: number[];
  size: number;
  ids: string[];
  plan: ColumnPlan;
  classes: number;
  /**
   * size × classes, row-major; each row sums to 1, except with one class and a lone confidence
   * (plan.scoreKind "confidence", or labels of one class), where it holds that confidence.
   * Empty (classes 0) for a pool without scores (plan.scoreKind "none").
   */
  probs: Float64Array;
  /** Per row, the predicted class (argmax of probs, lowest index on ties) and its probability. */
  predicted: Int32Array;
  confidence: Float64Array;
  /** size × vectorColumns, when the strategy needs vectors. */
  vectors: Matrix | null;
  /**
   * Set on the id-order pool (strategies/id-order.ts), whose `vectors` are a copy made when
   * first read: the vectors as read, row r of `vectors` being their row rowOf[r]. An engine that
   * copies the rows into an order of its own anyway (the locality order) reads them from here,
   * and the id-order copy is never made: 512 MB on 1M×128 rows.
   */
  vectorsAsRead?: { matrix: Matrix; rowOf: Uint32Array };
  /** size × trees, when the strategy needs leaf indices. */
  leaves: { data: Int32Array; trees: number } | null;
  /** Other numeric columns a strategy asked for (hybrid filters and weights), by name. */
  extra: Map<string, Float64Array>;
  /** What was done to the scores to make probabilities, row counts for the metadata. */
  normalisation: { softmaxRows: number; renormalisedRows: number; description: string };
}

export interface PoolOptions {
  needVectors: boolean;
  needLeaves: boolean;
  float64: boolean;
  /** Rescale prob_class_* rows that do not sum to 1 instead of refusing them. */
  renormalise: boolean;
  /** How far a prob_class_* row may sum from 1 (rounded exports) before it counts as off. */
  sumTolerance: number;
  /** Other numeric columns to read (each must hold finite numbers in every row). */
  extraColumns?: readonly string[];
  /** False: no id strings, `ids` left empty (a streamed pass reads a part's ids as RowIds: row-ids.ts). Default true. */
  textIds?: boolean;
  /**
   * Where the score columns are copied (row-major) when it is exactly that long, else a new
   * array; it becomes `probs` for probability and score columns. A streamed pass fills the same
   * few from part to part.
   */
  scoreBuffer?: Float64Array;
  /** Where `predicted` and `confidence` are written when made from probabilities (one a row), else new arrays; as scoreBuffer. */
  predictionBuffers?: { predicted: Int32Array; confidence: Float64Array };
}

export function buildPool(tables: Table[], plan: ColumnPlan, options: PoolOptions): Pool {
  const size = tables.reduce((n, t) => n + t.rowCount, 0);
  const first = tables[0]!;
  if (size === 0) throw new DataError(`${listNames(tables.map((t) => t.path), 5)}: no data rows (a header or schema only); nothing to select from.`);
  const indexOf = (name: string) => first.columns.indexOf(name);
  const classes = plan.scoreKind === "binary" ? 2 : plan.scoreKind === "scores" || plan.scoreKind === "probabilities" ? plan.scoreColumns.length : plan.classNames.length;
  const rawLength = size * plan.scoreColumns.length;
  const raw = options.scoreBuffer?.length === rawLength ? options.scoreBuffer : new Float64Array(rawLength);
  const vectorCols = plan.vectorColumns.length;
  if (options.needVectors && vectorCols === 0) {
    throw new DataError(`${first.path}: this strategy needs vectors, but there are ${plan.vectorReason}; add emb_* columns (embeddings) or numeric feature columns.`);
  }
  if (options.needLeaves && plan.leafColumns.length === 0) {
    throw new DataError(`${first.path}: leaf_coreset needs GBDT leaf indices in leaf_* columns (one per tree, e.g. from XGBoost's pred_leaf=True); none found.`);
  }
  const vectorData = options.needVectors ? allocVectors(options.float64, size * vectorCols) : null;
  // Its pages faulted in on every thread, not one by one as the columns fill it.
  if (vectorData) faultInFresh(vectorData);
  const trees = plan.leafColumns.length;
  const leafData = options.needLeaves ? new Int32Array(size * trees) : null;

  // Columns read anyway (scores, vectors, leaves) are copied from there afterwards: a column
  // feeds one destination in the readers.
  const requested = [...new Set(options.extraColumns ?? [])];
  const readAnyway = new Set([...plan.scoreColumns, ...(options.needVectors ? plan.vectorColumns : []), ...(options.needLeaves ? plan.leafColumns : [])]);
  const extraNames = requested.filter((name) => !readAnyway.has(name));
  for (const name of requested) {
    if (!first.columns.includes(name)) {
      throw new DataError(`${first.path}: no column "${name}" (the selection config names it; columns: ${listNames(first.columns)}).`);
    }
  }
  const extraData = extraNames.length > 0 ? new Float64Array(size * extraNames.length) : null;
  const textIds = options.textIds ?? true;
  const ids: string[] = new Array(textIds ? size : 0);
  const tableStarts: number[] = [];
  let rowStart = 0;
  for (const table of tables) {
    tableStarts.push(rowStart);
    const numeric: NumericBlock[] = [{
      columns: plan.scoreColumns.map(indexOf), out: raw, rowStart, stride: plan.scoreColumns.length, offset: 0, kind: "finite",
    }];
    if (vectorData) numeric.push({ columns: plan.vectorColumns.map(indexOf), out: vectorData, rowStart, stride: vectorCols, offset: 0, kind: "finite" });
    if (leafData) numeric.push({ columns: plan.leafColumns.map(indexOf), out: leafData, rowStart, stride: trees, offset: 0, kind: "integer" });
    if (extraData) numeric.push({ columns: extraNames.map(indexOf), out: extraData, rowStart, stride: extraNames.length, offset: 0, kind: "finite" });
    const tableIds = table.extract({ idColumn: textIds ? indexOf(plan.id) : null, numeric });
    for (let r = 0; r < tableIds.length; r++) ids[rowStart + r] = tableIds[r]!;
    rowStart += table.rowCount;
  }

  const locate = (row: number) => describeRow({ tables, tableStarts }, row);
  const extra = new Map(extraNames.map((name, j) => [name, Float64Array.from({ length: size }, (_, i) => extraData![i * extraNames.length + j]!)]));
  for (const name of requested.filter((n) => readAnyway.has(n))) {
    const [source, stride, at] = plan.scoreColumns.includes(name) ? [raw, plan.scoreColumns.length, plan.scoreColumns.indexOf(name)] as const
      : plan.vectorColumns.includes(name) ? [vectorData!, vectorCols, plan.vectorColumns.indexOf(name)] as const
      : [leafData!, trees, plan.leafColumns.indexOf(name)] as const;
    extra.set(name, Float64Array.from({ length: size }, (_, i) => source[i * stride + at]!));
  }
  const labels = plan.labelColumn ? labelIndices(tables, plan.labelColumn, plan.classNames) : null;
  const { probs, normalisation } = labels ? labelProbabilities(raw, labels, size, plan, locate) : toProbabilities(raw, size, plan, options, locate);
  // A label is the prediction whatever its confidence: below 1/classes the even spread of the
  // rest would out-weigh it, and argmax would name another class.
  const predicted = labels ? { predicted: labels, confidence: raw.slice() }
    : classes > 0 ? predictions(probs, classes, options.predictionBuffers) : { predicted: new Int32Array(0), confidence: new Float64Array(0) };
  return {
    tables, tableStarts, size, ids, plan, classes, probs, ...predicted,
    vectors: vectorData ? { data: vectorData, rows: size, cols: vectorCols } : null,
    leaves: leafData ? { data: leafData, trees } : null,
    extra,
    normalisation,
  };
}

/** "file: row N" for a pool row, as error messages and warnings name rows. */
export function describeRow(pool: Pick<Pool, "tables" | "tableStarts">, row: number): string {
  let t = pool.tableStarts.length - 1;
  while (pool.tableStarts[t]! > row) t--;
  return `${pool.tables[t]!.path}: row ${row - pool.tableStarts[t]! + 1}`;
}

/** A single score column's value, which must be a probability. */
function checkUnit(p: number, plan: ColumnPlan, row: number, locate: (row: number) => string): number {
  if (p < 0 || p > 1) {
    throw new DataError(`${locate(row)}, column "${plan.scoreColumns[0]}" is ${p}; a single score column must hold a probability in [0,1]. Rescale it, or give one column per class.`);
  }
  return p;
}

/**
 * Label and confidence: the label's probability is the confidence and the other classes
 * share the rest evenly (one class alone keeps its confidence, like a lone confidence).
 */
function labelProbabilities(raw: Float64Array, labels: Int32Array, size: number, plan: ColumnPlan,
  locate: (row: number) => string): { probs: Float64Array; normalisation: Pool["normalisation"] } {
  const classes = plan.classNames.length;
  const probs = new Float64Array(size * classes);
  let belowEven = 0;
  for (let i = 0; i < size; i++) {
    const c = checkUnit(raw[i]!, plan, i, locate);
    if (belowEvenShare(c, classes)) belowEven++;
    if (classes > 1) probs.fill((1 - c) / (classes - 1), i * classes, (i + 1) * classes);
    probs[i * classes + labels[i]!] = c;
  }
  return { probs, normalisation: { softmaxRows: 0, renormalisedRows: 0, description: labelNote(plan, belowEven) } };
}

/** Whether a label's confidence is below the even share of the rest (labelNote counts such rows). */
export function belowEvenShare(confidence: number, classes: number): boolean {
  return classes > 1 && (1 - confidence) / (classes - 1) > confidence;
}

/** The metadata's note on probabilities made from labels; `belowEven` rows gave their label less than the others. */
export function labelNote(plan: ColumnPlan, belowEven: number): string {
  const classes = plan.classNames.length;
  const below = belowEven > 0 ? `; ${belowEven} row${belowEven === 1 ? " gives its" : "s give their"} label less than 1/${classes}, so another class holds more of the rest than the label (the label stays the predicted class)` : "";
  const others = classes === 1 ? "one class: its confidence kept" : `the other ${classes - 1} class${classes === 2 ? " gets" : "es share"} the rest${classes === 2 ? "" : " evenly"}`;
  return `from labels: P("${plan.labelColumn}") = "${plan.scoreColumns[0]}", ${others}${below}`;
}

/** Finds duplicate ids; returns the first few as [id, first row, second row]. */
export function duplicateIds(ids: readonly string[], limit = 5, candidates: readonly number[] = rowsThatMayRepeat(ids)): [string, number, number][] {
  const seen = new Map<string, number>();
  const found: [string, number, number][] = [];
  for (const i of candidates) {
    if (found.length >= limit) break;
    const before = seen.get(ids[i]!);
    if (before === undefined) seen.set(ids[i]!, i);
    else found.push([ids[i]!, before, i]);
  }
  return found;
}

/**
 * The rows, in order, whose id another row has too, from the ids sorted (`byId`,
 * strategies/id-order.ts's sortedIds; null when the rows are in id order already). Only the
 * places the sort says may repeat are compared (on 1M UUIDs, none: each compare was a cache miss).
 */
export function rowsSharingAnId(ids: readonly string[], byId: SortedIds | null): number[] {
  const rows: number[] = [];
  const order = byId?.order ?? null;
  const at = (k: number) => (order ? order[k]! : k);
  const check = (k: number) => {
    if (ids[at(k)] !== ids[at(k - 1)]) return;
    // The first of a run of equal ids is pushed with its second.
    if (k === 1 || ids[at(k - 1)] !== ids[at(k - 2)]) rows.push(at(k - 1));
    rows.push(at(k));
  };
  const places = byId?.mayRepeatAt;
  if (places) for (const k of places) check(k);
  else for (let k = 1; k < ids.length; k++) check(k);
  return rows.sort((a, b) => a - b);
}

/**
 * The rows, in order, whose id shares its 53-bit hash with another row's: a superset of the
 * rows whose id repeats, usually empty. A map of ten million id strings took seconds and a
 * gigabyte; two arrays of hashes take 160 MB and one sort.
 */
export function rowsThatMayRepeat(ids: readonly string[]): number[] {
  const hashes = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) hashes[i] = idHash(ids[i]!);
  const repeated = repeatedHashes(hashes);
  if (repeated.size === 0) return [];
  const rows: number[] = [];
  for (let i = 0; i < ids.length; i++) if (repeated.has(hashes[i]!)) rows.push(i);
  return rows;
}

/** The hashes that occur more than once (one sort of a copy). */
export function repeatedHashes(hashes: Float64Array): Set<number> {
  return repeatedInSorted(hashes.slice().sort());
}

/** The hashes that occur more than once in `sorted` (ascending). */
export function repeatedInSorted(sorted: Float64Array): Set<number> {
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
  return repeated;
}

/** Two 32-bit FNV-1a style hashes of the UTF-16 code units, joined into an exact 53-bit integer. */
export function idHash(id: string): number {
  let a = HASH_A, b = HASH_B ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const unit = id.charCodeAt(i);
    a = stepA(a, unit);
    b = stepB(b, unit);
  }
  return joined(a, b);
}

/**
 * idHash of the text of bytes [start, end) when they are ASCII (each byte is then the text's
 * UTF-16 code unit, and the text as long as the bytes); -1, which no idHash is, at the first
 * byte that is not: its text needs decoding first.
 */
export function asciiIdHash(bytes: Uint8Array, start: number, end: number): number {
  let a = HASH_A, b = HASH_B ^ (end - start);
  for (let i = start; i < end; i++) {
    const unit = bytes[i]!;
    if (unit >= 0x80) return -1;
    a = stepA(a, unit);
    b = stepB(b, unit);
  }
  return joined(a, b);
}

const HASH_A = 0x811c9dc5, HASH_B = 0x01000193;
const stepA = (a: number, unit: number) => Math.imul(a ^ unit, 0x01000193);
const stepB = (b: number, unit: number) => Math.imul(b ^ unit, 0x5bd1e995) ^ (b >>> 15);
const joined = (a: number, b: number) => (a >>> 0) * 2 ** 21 + ((b >>> 0) >>> 11);

function toProbabilities(raw: Float64Array, size: number, plan: ColumnPlan, options: PoolOptions,
  locate: (row: number) => string): { probs: Float64Array; normalisation: Pool["normalisation"] } {
  const width = plan.scoreColumns.length;
  if (plan.scoreKind === "none") return { probs: new Float64Array(0), normalisation: { softmaxRows: 0, renormalisedRows: 0, description: "none: the pool has no scores" } };
  if (plan.scoreKind === "binary") {
    const probs = new Float64Array(size * 2);
    const named = plan.scoreClass, other = 1 - named;
    for (let i = 0; i < size; i++) {
      const p = checkUnit(raw[i]!, plan, i, locate);
      probs[2 * i + named] = p;
      probs[2 * i + other] = 1 - p;
    }
    const column = plan.scoreColumns[0];
    return { probs, normalisation: { softmaxRows: 0, renormalisedRows: 0, description: `binary: [${named === 0 ? `${column}, 1 - ${column}` : `1 - ${column}, ${column}`}] for classes [${plan.classNames.join(", ")}]` } };
  }
  if (plan.scoreKind === "confidence") {
    for (let i = 0; i < size; i++) checkUnit(raw[i]!, plan, i, locate);
    return { probs: raw, normalisation: { softmaxRows: 0, renormalisedRows: 0, description: `none: "${plan.scoreColumns[0]}" is the confidence of an unrecorded prediction (one column; every uncertainty mode is 1 - confidence)` } };
  }
  if (plan.scoreKind === "scores") {
    // LLM and rule scores: kept when a row already sums to 1, softmax otherwise.
    let softmaxRows = 0;
    // Rows by offset, not subarray: a view per row cost 0.5 s on 10M rows.
    for (let i = 0, at = 0; i < size; i++, at += width) {
      let sum = 0, nonNegative = true;
      for (let c = at; c < at + width; c++) { sum += raw[c]!; if (raw[c]! < 0) nonNegative = false; }
      if (nonNegative && Math.abs(sum - 1) <= options.sumTolerance) continue;
      softmaxRows++;
      let max = -Infinity;
      for (let c = at; c < at + width; c++) max = Math.max(max, raw[c]!);
      let total = 0;
      for (let c = at; c < at + width; c++) { raw[c] = Math.exp(raw[c]! - max); total += raw[c]!; }
      for (let c = at; c < at + width; c++) raw[c]! /= total;
    }
    return { probs: raw, normalisation: { softmaxRows, renormalisedRows: 0, description: rescaledNote(plan, softmaxRows, 0) } };
  }
  let renormalisedRows = 0;
  for (let i = 0, at = 0; i < size; i++, at += width) {
    let sum = 0;
    for (let c = 0; c < width; c++) {
      const p = raw[at + c]!;
      if (p < 0 || p > 1) {
        throw new DataError(`${locate(i)}, column "${plan.scoreColumns[c]}" is ${p}; class probabilities must lie in [0,1]. Check that the model wrote probabilities (softmax outputs), not logits.`);
      }
      sum += p;
    }
    if (Math.abs(sum - 1) <= options.sumTolerance) continue;
    if (!options.renormalise || sum === 0) {
      throw new DataError(`${locate(i)}: the ${width} probability columns sum to ${sum.toPrecision(6)}, not 1 (tolerance ${options.sumTolerance}). Fix the export, or set RENORMALIZE_PROBS=true (--renormalize-probs) to rescale such rows${sum === 0 ? " (a row of zeros cannot be rescaled)" : ""}.`);
    }
    renormalisedRows++;
    for (let c = at; c < at + width; c++) raw[c]! /= sum;
  }
  return { probs: raw, normalisation: { softmaxRows: 0, renormalisedRows, description: rescaledNote(plan, 0, renormalisedRows) } };
}

/**
 * The normalisation's description for scores and probability columns, from the rows changed
 * (a streamed run adds them up over row groups).
 */
export function rescaledNote(plan: ColumnPlan, softmaxRows: number, renormalisedRows: number): string {
  if (plan.scoreKind === "scores") {
    return softmaxRows > 0 ? `softmax over ${plan.scoreColumns.join(", ")} in ${softmaxRows} rows that did not sum to 1` : "none: every row already summed to 1";
  }
  return renormalisedRows > 0 ? `${renormalisedRows} rows rescaled to sum to 1 (RENORMALIZE_PROBS)` : "none: probabilities used as given";
}

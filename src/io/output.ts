/**
 * Writes the selection: the chosen rows with every original column plus selection_score and
 * selection_rank, in rank order. Every file goes to a temporary name in the output directory
 * first and is renamed into place only when all of them are written, so an error or a kill
 * leaves no partial selected_samples.* behind. selected_samples.* is renamed last: once it
 * exists, every other file the run writes is already in place.
 *
 * A SIGKILL can leave a `.<name>.<pid>-<time>.tmp` file: nothing runs after that signal to
 * remove it. Such files are hidden, never read as input (channels skip dot-files) and never
 * mistaken for output; they are left, rather than swept by the next run, because a sweep
 * could delete the temporary file of another run writing to the same directory.
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync, openSync, closeSync, fsyncSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { UsageError } from "../errors.ts";
import type { Pool } from "../pool/pool.ts";
import { commonType, csvCellValue, csvColumnType, DOUBLE, INT32, TEXT, typeName } from "./column-type.ts";
import type { OutputColumn } from "./parquet-writer.ts";
import { ByteSink } from "./byte-sink.ts";
import { isCsvTable, type Table } from "./table.ts";
import { isTypedValue } from "./typed-values.ts";

export interface OutputFile {
  name: string;
  /** Writes the file at the given (temporary) path. */
  write(path: string): Promise<void> | void;
}

/** Writes all files under temporary names, then renames them into place, files[0] (the selection) last. */
export async function writeAtomically(directory: string, files: OutputFile[]): Promise<string[]> {
  const finals = files.map((f) => join(directory, f.name));
  // A directory in a file's place would fail its rename after the others were renamed: a partial output.
  const blocked = finals.find((path) => statSync(path, { throwIfNoEntry: false })?.isDirectory());
  if (blocked) throw new UsageError(`--output ${directory}: ${blocked} is a directory, where this run writes a file; remove or rename it.`);
  const stamp = `${process.pid}-${Date.now()}`;
  const temporary = files.map((f) => join(directory, `.${f.name}.${stamp}.tmp`));
  try {
    mkdirSync(directory, { recursive: true });
    for (let i = 0; i < files.length; i++) await files[i]!.write(temporary[i]!);
    for (let i = files.length - 1; i >= 0; i--) renameSync(temporary[i]!, finals[i]!);
    return finals;
  } catch (error) {
    for (const path of temporary) rmSync(path, { force: true });
    // The file system refused (full, read-only, no permission): the environment's doing, not a bug.
    const code = (error as NodeJS.ErrnoException).code;
    if (code && (error as NodeJS.ErrnoException).syscall) throw new UsageError(`--output ${directory} could not be written (${(error as Error).message.startsWith(code) ? "" : `${code}: `}${(error as Error).message}); check its free space and permissions.`);
    throw error;
  }
}

/** Where global row g lives: its table and the row inside it. */
function locate(pool: Pool, row: number): [Table, number] {
  let t = pool.tableStarts.length - 1;
  while (pool.tableStarts[t]! > row) t--;
  return [pool.tables[t]!, row - pool.tableStarts[t]!];
}

/** Columns appended after selection_score and selection_rank (a map step's candidate weight and radius). */
export type ExtraColumn = { name: string; values: Float64Array } | { name: string; text: readonly string[] };

/** An extra column as the Parquet writer takes it: numbers as DOUBLE, text as UTF-8. */
function typedColumn(e: ExtraColumn): OutputColumn {
  return "values" in e ? { name: e.name, type: DOUBLE, values: Array.from(e.values) } : { name: e.name, type: TEXT, values: [...e.text] };
}

/** A row of a table that is not CSV as CSV text; a JSON lines row's numbers as the file writes them (`written`). */
function formattedRow(table: Table, r: number, written: (string | null)[] | null): string {
  let line = "";
  for (let c = 0; c < table.columns.length; c++) {
    const value = table.cell(r, c);
    const text = (typeof value === "number" ? written?.[c] : null) ?? formatCell(value);
    line += (c > 0 ? "," : "") + csvQuote(floatColumn(table, c) ? withPoint(text) : text);
  }
  return line;
}

/**
 * For each selected row (k), its numbers as its JSON lines file writes them, by column (null
 * for other formats' rows): JSON.parse keeps neither `10.0` nor digits past 2^53, so the file is
 * read again, once, and only the selected lines are tokenised.
 */
function writtenNumbers(pool: Pool, rows: Uint32Array): ((string | null)[] | null)[] {
  const located = Array.from(rows, (row) => locate(pool, row));
  const rowsOf = new Map<Table, number[]>();
  for (const [table, r] of located) {
    if (table.format !== "jsonl" || !table.rowNumberTokens) continue;
    if (!rowsOf.has(table)) rowsOf.set(table, []);
    rowsOf.get(table)!.push(r);
  }
  const tokens = new Map([...rowsOf].map(([table, tableRows]) => [table, table.rowNumberTokens!(tableRows)]));
  return located.map(([table, r]) => tokens.get(table)?.get(r) ?? null);
}

/**
 * Whether column c is floating point in the file's own schema (Parquet, Arrow). JSON lines
 * numbers carry no such type: "3" there stays "3".
 */
function floatColumn(table: Table, c: number): boolean {
  const kind = table.columnTypes[c]!.kind;
  return (kind === "double" || kind === "float") && table.format !== "jsonl";
}

/** A whole number as a float writes it, 50.0 (as pandas, DuckDB and Polars do), so that a reader of the CSV infers a float column again. */
function withPoint(text: string): string {
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** A float the run adds (selection_score, a map step's candidate columns) as CSV text: JS's shortest round-trip form, whole ones with ".0". */
function floatText(value: number): string {
  return withPoint(String(value));
}

/** One extra column's cell as CSV text. */
function extraCell(e: ExtraColumn, k: number): string {
  return "values" in e ? floatText(e.values[k]!) : csvQuote(e.text[k]!);
}

/**
 * selected_samples.csv: CSV input rows repeated byte for byte; other inputs formatted.
 * `labels` (pseudo-label or predicted-label columns) go between the original columns and
 * selection_score, so selection_score and selection_rank stay the last two columns of a
 * selection and `extra` (a map step's candidate columns) the last of a map step's.
 */
export function writeSelectionCsv(path: string, pool: Pool, rows: Uint32Array, scores: Float64Array, extra: readonly ExtraColumn[] = [],
  labels: readonly ExtraColumn[] = []): void {
  const fd = openSync(path, "w");
  try {
    const out = new ByteSink(fd);
    const first = pool.tables[0]!;
    const allCsv = pool.tables.every(isCsvTable);
    const eol = allCsv && isCsvTable(first) ? first.lineEnding : "\n";
    const written = pool.tables.some((t) => t.format === "jsonl") ? writtenNumbers(pool, rows) : null;
    if (allCsv && isCsvTable(first)) {
      if (first.hadBom) out.bytes(new Uint8Array([0xef, 0xbb, 0xbf]));
      out.bytes(first.headerBytes);
    } else {
      out.text(first.columns.map(csvQuote).join(","));
    }
    out.text(labels.map((e) => `,${csvQuote(e.name)}`).join("") + ",selection_score,selection_rank" + extra.map((e) => `,${e.name}`).join("") + eol);
    for (let k = 0; k < rows.length; k++) {
      const [table, r] = locate(pool, rows[k]!);
      if (isCsvTable(table)) out.bytes(table.recordBytes(r));
      // One string a row: the formatted cells, then what the run adds.
      let line = isCsvTable(table) ? "" : formattedRow(table, r, written?.[k] ?? null);
      for (const e of labels) line += `,${extraCell(e, k)}`;
      line += `,${floatText(scores[k]!)},${k + 1}`;
      for (const e of extra) line += `,${extraCell(e, k)}`;
      out.text(line + eol);
    }
    out.flush();
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The selection's columns with the type each is written as: columnar inputs keep their
 * column types (one type for files that type a column differently: commonType); CSV columns take one type by one rule (csvColumnType) over the rows written,
 * whether the engine used them or not, except the id column and key=value folder columns,
 * which stay text as written. `labels` go before selection_score, as in writeSelectionCsv.
 */
export function selectionColumns(pool: Pool, rows: Uint32Array, scores: Float64Array, extra: readonly ExtraColumn[] = [],
  labels: readonly ExtraColumn[] = []): OutputColumn[] {
  const first = pool.tables[0]!;
  // Read back only when a column of whole numbers needs them.
  let written: ((string | null)[] | null)[] | null = null;
  const writtenOnce = pool.tables.every((t) => t.format === "jsonl") ? () => (written ??= writtenNumbers(pool, rows)) : null;
  // Row by row: a CSV table splits a record once for all of its cells.
  const cells: unknown[][] = first.columns.map(() => new Array(rows.length));
  rows.forEach((row, k) => {
    const [table, r] = locate(pool, row);
    for (let c = 0; c < cells.length; c++) cells[c]![k] = table.cell(r, c);
  });
  const columns: OutputColumn[] = first.columns.map((name, c) => {
    const values = cells[c]!;
    // Hive-style key=value folder columns are kept as written, like the id.
    if (!isCsvTable(first) || first.partitionColumns?.includes(name)) {
      const type = pool.tables.map((t) => t.columnTypes[c]!).reduce(commonType);
      if (type.kind === "double" && name !== pool.plan.id && writtenOnce) return jsonNumberColumn(name, c, values, writtenOnce);
      return { name, type, values };
    }
    const type = name === pool.plan.id ? TEXT : csvColumnType(values as string[]);
    return { name, type, values: (values as string[]).map((text) => csvCellValue(text, type)) };
  });
  for (const e of labels) columns.push(typedColumn(e));
  columns.push({ name: "selection_score", type: DOUBLE, values: Array.from(scores) });
  columns.push({ name: "selection_rank", type: INT32, values: Array.from(rows, (_, k) => k + 1) });
  for (const e of extra) columns.push(typedColumn(e));
  return columns;
}

/**
 * A JSON lines column of numbers, typed by the CSV rule (csvColumnType) over the numbers as the
 * file writes them (`written`, writtenNumbers, read when first asked): every one an integer token within 64 bits (`3`,
 * not `3.0` or `1e3`) → int64, kept exactly (JSON.parse has rounded digits past 2^53);
 * otherwise double, as read.
 */
function jsonNumberColumn(name: string, c: number, values: unknown[], written: () => ((string | null)[] | null)[]): OutputColumn {
  if (values.some((v) => v !== null && !(typeof v === "number" && Number.isInteger(v)))) return { name, type: DOUBLE, values };
  const tokens = values.map((v, k) => (v === null ? "" : written()[k]?.[c] ?? String(v)));
  const type = csvColumnType(tokens);
  return type.kind === "integer" ? { name, type, values: tokens.map((token) => csvCellValue(token, type)) } : { name, type: DOUBLE, values };
}

/** The selection file's columns and types, as the metadata lists them. */
export function selectionSchema(columns: readonly OutputColumn[]): { name: string; type: string }[] {
  return columns.map(({ name, type }) => ({ name, type: typeName(type) }));
}

/**
 * The CSV selection's columns and what each holds: a columnar input's column types (the text
 * is their value at full precision), or "string" for CSV input, repeated as written.
 */
export function csvSelectionSchema(pool: Pool, extra: readonly ExtraColumn[] = [], labels: readonly ExtraColumn[] = []): { name: string; type: string }[] {
  const first = pool.tables[0]!;
  const types = first.columns.map((_, c) => (isCsvTable(first) ? TEXT : pool.tables.map((t) => t.columnTypes[c]!).reduce(commonType)));
  return selectionSchema([
    ...first.columns.map((name, c) => ({ name, type: types[c]!, values: [] })),
    ...labels.map((e) => ({ ...typedColumn(e), values: [] })),
    { name: "selection_score", type: DOUBLE, values: [] },
    { name: "selection_rank", type: INT32, values: [] },
    ...extra.map((e) => ({ ...typedColumn(e), values: [] })),
  ]);
}

/** selected_samples.parquet, with the columns of selectionColumns. */
export async function writeSelectionParquet(path: string, columns: readonly OutputColumn[]): Promise<void> {
  const { writeParquetFile } = await import("./parquet-writer.ts");
  writeParquetFile(path, columns);
}

/** A cell as CSV text: numbers in JS's shortest round-trip form, timestamps in ISO 8601 with every digit, null as empty. */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (isTypedValue(value)) return value.toString();
  if (typeof value === "object") return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

export function csvQuote(text: string): string {
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + "\n");
}

/** Every file name a run may write; the ones a run did not write are an earlier run's. */
const OUTPUT_NAMES = ["selected_samples.csv", "selected_samples.parquet", "selection_metadata.json", "selection_report.html"];

export function removeStaleOutputs(directory: string, written: readonly string[]): void {
  for (const name of OUTPUT_NAMES) if (!written.includes(name)) rmSync(join(directory, name), { force: true });
}

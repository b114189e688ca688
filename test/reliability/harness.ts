/**
 * Shared by the reliability tests: format-neutral tables ("sheets") encoded into each input
 * format, a runner for main() on generated directories, and a look at what a run left behind.
 *
 * Every input is generated here into a temp directory; nothing binary is committed.
 * To run the format-neutral cases on a new reader, add one line to FORMATS.
 */
import { tempDir } from "../helpers.ts";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { writeParquetFile } from "../../src/io/parquet-writer.ts";
import { DOUBLE, TEXT } from "../../src/io/column-type.ts";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { main, type RunResult } from "../../src/run.ts";
import { Rng } from "../../src/rng.ts";

/** A cell as a model would have written it: null is a missing value, ±Infinity and NaN are kept as such. */
export type Cell = string | number | null;

export interface Sheet {
  columns: string[];
  rows: Cell[][];
}

/** CSV text of a sheet: numbers as JS prints them, ±Infinity as inf/-inf, null empty. */
export function toCsv(sheet: Sheet, eol = "\n"): string {
  const cell = (v: Cell) => v === null ? "" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : String(v);
  return [sheet.columns, ...sheet.rows].map((r) => r.map(cell).join(",")).join(eol) + eol;
}

/** Every input format the readers on this branch understand; format-neutral cases run on each. */
export const FORMATS: Record<string, { ext: string; encode: (sheet: Sheet) => Uint8Array }> = {
  csv: { ext: "csv", encode: (s) => new TextEncoder().encode(toCsv(s)) },
  "csv.gz": { ext: "csv.gz", encode: (s) => gzipSync(new TextEncoder().encode(toCsv(s))) },
  parquet: { ext: "parquet", encode: toParquet },
  jsonl: { ext: "jsonl", encode: toJsonl },
};

/** Parquet bytes of a sheet: all-number columns as DOUBLE (NaN and ±inf kept), others as text. */
function toParquet(sheet: Sheet): Uint8Array {
  const path = join(tempDir("as-rel-pq-"), "sheet.parquet");
  writeParquetFile(path, sheet.columns.map((name, c) => {
    const values = sheet.rows.map((r) => r[c] ?? null);
    const numeric = values.every((v) => v === null || typeof v === "number");
    return { name, type: numeric ? DOUBLE : TEXT, values: numeric ? values : values.map((v) => (v === null ? null : String(v))) };
  }));
  return readFileSync(path);
}

/** JSON lines of a sheet; JSON has no NaN or ±inf, so those become the strings "NaN", "inf", "-inf". */
function toJsonl(sheet: Sheet): Uint8Array {
  const lines = sheet.rows.map((r) => JSON.stringify(Object.fromEntries(sheet.columns.map((name, c) => {
    const v = r[c] ?? null;
    return [name, typeof v === "number" && !Number.isFinite(v) ? (Number.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf") : v];
  }))));
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

export { tempDir };

/**
 * A valid pool: ids r0.., `classes` prob_class_* columns (rows sum to 1 exactly in binary
 * floating point: multiples of 1/8 or 1/16), `dims` emb_* columns, seeded.
 */
export function basePool(rows = 6, classes = 3, dims = 2, seed = 7): Sheet {
  const rng = new Rng(seed);
  const columns = ["id", ...range(classes).map((c) => `prob_class_${c}`), ...range(dims).map((j) => `emb_${j}`)];
  const out: Cell[][] = [];
  for (let i = 0; i < rows; i++) {
    // Sixteenths that sum to 16: exact sums, no tolerance needed.
    const parts = range(classes).map(() => 0);
    for (let u = 0; u < 16; u++) parts[rng.nextInt(classes)]!++;
    const probs = parts.map((p) => p / 16);
    const vec = range(dims).map(() => Math.round((rng.nextFloat() * 10 - 5) * 100) / 100);
    out.push([`r${i}`, ...probs, ...vec]);
  }
  return { columns, rows: out };
}

/** A copy of the sheet with one cell replaced (row is 0-based among data rows). */
export function withCell(sheet: Sheet, row: number, column: string, value: Cell): Sheet {
  const c = sheet.columns.indexOf(column);
  if (c === -1) throw new Error(`withCell: no column ${column}`);
  return { columns: sheet.columns, rows: sheet.rows.map((r, i) => (i === row ? r.map((v, j) => (j === c ? value : v)) : r)) };
}

/** A copy without the named columns. */
export function without(sheet: Sheet, ...names: string[]): Sheet {
  const keep = sheet.columns.map((c, i) => (names.includes(c) ? -1 : i)).filter((i) => i >= 0);
  return { columns: keep.map((i) => sheet.columns[i]!), rows: sheet.rows.map((r) => keep.map((i) => r[i]!)) };
}

/** A copy with a column renamed. */
export function renamed(sheet: Sheet, from: string, to: string): Sheet {
  return { columns: sheet.columns.map((c) => (c === from ? to : c)), rows: sheet.rows };
}

/** A copy with a column added (value per row from fn). */
export function withColumn(sheet: Sheet, name: string, fn: (row: number) => Cell): Sheet {
  return { columns: [...sheet.columns, name], rows: sheet.rows.map((r, i) => [...r, fn(i)]) };
}

export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

export interface RunOutcome {
  result: RunResult;
  input: string;
  output: string;
  /** Everything written to stderr. */
  log: string;
  /** Names in the output directory afterwards, dot-files included ([] when it does not exist). */
  left: string[];
}

/** Writes the files into a fresh input directory and runs main() on it with --no-save-report. */
export async function runOn(files: Record<string, string | Uint8Array>, args: readonly string[],
  env: Record<string, string> = {}): Promise<RunOutcome> {
  const input = tempDir();
  writeTree(input, files);
  return runIn(input, args, env);
}

/** Writes files under a directory; a name with "/" goes into subdirectories (made as needed). */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

/** Runs main() on an existing input directory. */
export async function runIn(input: string, args: readonly string[], env: Record<string, string> = {}): Promise<RunOutcome> {
  const output = join(tempDir(), "out");
  const messages: string[] = [];
  const sink = { write: (t: string) => void messages.push(t), isTTY: false };
  const result = await main({}, {}, env, ["--input", input, "--output", output, "--no-save-report", ...args], { stdout: sink, stderr: sink });
  const left = existsSync(output) ? readdirSync(output) : [];
  return { result, input, output, log: messages.join(""), left };
}

/** Output files a failed run must not leave: any selected_samples.*, the metadata, temp files. */
export function forbiddenLeftovers(names: readonly string[]): string[] {
  return names.filter((n) => n.startsWith("selected_samples.") || n === "selection_metadata.json"
    || n.endsWith(".tmp") || n.includes("selected_samples") || n.includes("selection_metadata"));
}

/**
 * An independent RFC 4180 record splitter over a latin1 ("byte") string, for checking output
 * bytes without the reader under test: returns each record's text without its line ending.
 * A quote opens a quoted field only at the start of a field.
 */
export function splitRecords(bytes: string): string[] {
  const records: string[] = [];
  let start = 0, inQuotes = false, fieldStart = true;
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i];
    if (inQuotes) {
      if (ch === '"') {
        if (bytes[i + 1] === '"') i++;
        else inQuotes = false;
      }
      continue;
    }
    if (ch === '"' && fieldStart) { inQuotes = true; fieldStart = false; continue; }
    if (ch === ",") { fieldStart = true; continue; }
    if (ch === "\n") {
      let end = i;
      if (end > start && bytes[end - 1] === "\r") end--;
      records.push(bytes.slice(start, end));
      start = i + 1;
      fieldStart = true;
      continue;
    }
    fieldStart = false;
  }
  if (start < bytes.length) records.push(bytes.slice(start).replace(/\r$/, ""));
  return records.filter((r) => r !== "");
}

/**
 * The record without the fields the selection appends: `labelFields` label columns (plain
 * numeric class names here), then selection_score and selection_rank.
 */
export function dropAppended(record: string, labelFields = 0): { original: string; score: string; rank: string } {
  const b = record.lastIndexOf(",");
  const a = record.lastIndexOf(",", b - 1);
  let start = a;
  for (let f = 0; f < labelFields; f++) start = record.lastIndexOf(",", start - 1);
  return { original: record.slice(0, start), score: record.slice(a + 1, b), rank: record.slice(b + 1) };
}

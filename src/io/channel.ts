/**
 * An input channel: a directory whose every data file is read (sharded outputs are the norm),
 * or a single file. Files are read in name order so the pool's row order, and so the
 * selection, does not depend on the order the file system lists them in.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { DataError } from "../errors.ts";
import { readCsvTable } from "./csv.ts";
import type { Table } from "./table.ts";

/** File endings the readers understand, in the words the error messages use. */
export const DATA_FILE_PATTERNS = ["*.csv", "*.csv.gz", "*.parquet", "*.arrow", "*.feather", "*.jsonl", "*.jsonl.gz"];

type Reader = (path: string) => Promise<Table>;

function formatOf(name: string): "csv" | "csv.gz" | "parquet" | "arrow" | "jsonl" | "jsonl.gz" | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".csv.gz")) return "csv.gz";
  if (lower.endsWith(".parquet")) return "parquet";
  if (lower.endsWith(".arrow") || lower.endsWith(".feather")) return "arrow";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".jsonl.gz") || lower.endsWith(".ndjson.gz")) return "jsonl.gz";
  return null;
}

/** Whether a channel directory holds at least one data file. */
export function hasDataFiles(channel: string): boolean {
  try {
    if (statSync(channel).isFile()) return formatOf(basename(channel)) !== null;
    return readdirSync(channel).some((name) => !name.startsWith(".") && formatOf(name) !== null && statSync(join(channel, name)).isFile());
  } catch {
    return false;
  }
}

/** The data files of a channel, sorted by name; a DataError when there are none. */
export function listDataFiles(channel: string, role = "input"): string[] {
  let stat;
  try {
    stat = statSync(channel);
  } catch {
    throw new DataError(`${role} ${channel} does not exist; pass a directory of inference outputs (${DATA_FILE_PATTERNS.join(", ")}).`);
  }
  if (stat.isFile()) {
    if (formatOf(basename(channel)) === null) {
      throw new DataError(`${channel}: not a data file this tool reads; expected one of ${DATA_FILE_PATTERNS.join(", ")}.`);
    }
    return [channel];
  }
  const entries = readdirSync(channel).filter((name) => !name.startsWith(".")).sort();
  const files = entries.filter((name) => formatOf(name) !== null && statSync(join(channel, name)).isFile());
  if (files.length === 0) {
    const seen = entries.length === 0 ? "it is empty" : `it holds ${entries.slice(0, 5).join(", ")}${entries.length > 5 ? ", …" : ""}`;
    throw new DataError(`${role} directory ${channel} has no data file (${seen}); expected ${DATA_FILE_PATTERNS.join(", ")}.`);
  }
  return files.map((name) => join(channel, name));
}

/** Reads one data file into a Table. */
export async function readTable(path: string): Promise<Table> {
  const format = formatOf(basename(path));
  switch (format) {
    case "csv":
      return readCsvTable(path, readBytes(path));
    case "csv.gz":
      return readCsvTable(path, gunzip(path, readBytes(path)));
    case "parquet": {
      const { readParquetTable } = await import("./parquet.ts");
      return readParquetTable(path);
    }
    case "arrow": {
      const { readArrowTable } = await import("./arrow.ts");
      return readArrowTable(path);
    }
    case "jsonl":
    case "jsonl.gz": {
      const { readJsonlTable } = await import("./jsonl.ts");
      const bytes = readBytes(path);
      return readJsonlTable(path, format === "jsonl.gz" ? gunzip(path, bytes) : bytes);
    }
    default:
      throw new DataError(`${path}: not a data file this tool reads; expected one of ${DATA_FILE_PATTERNS.join(", ")}.`);
  }
}

/** Reads every file of a channel and checks that they share one schema. */
export async function readChannel(channel: string, role = "input",
  onProgress?: (filesRead: number, files: number) => void): Promise<Table[]> {
  const tables: Table[] = [];
  const paths = listDataFiles(channel, role);
  for (const path of paths) {
    tables.push(await readTable(path));
    onProgress?.(tables.length, paths.length);
  }
  const first = tables[0]!;
  for (const table of tables.slice(1)) {
    const same = table.columns.length === first.columns.length && table.columns.every((c, i) => c === first.columns[i]);
    if (!same) {
      const missing = first.columns.filter((c) => !table.columns.includes(c));
      const extra = table.columns.filter((c) => !first.columns.includes(c));
      const detail = missing.length || extra.length
        ? `${missing.length ? `missing ${missing.slice(0, 5).join(", ")}` : ""}${missing.length && extra.length ? "; " : ""}${extra.length ? `extra ${extra.slice(0, 5).join(", ")}` : ""}`
        : "the same columns in another order";
      throw new DataError(`${table.path}: its columns differ from ${first.path} (${detail}); every file of a channel must share one schema.`);
    }
  }
  return tables;
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DataError(`${path}: cannot be read (${(error as Error).message}).`);
  }
}

function gunzip(path: string, bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DataError(`${path}: not a valid gzip file (${(error as Error).message}); the file may be truncated, so copy it again.`);
  }
}

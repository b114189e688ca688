/**
 * An input channel: a directory whose every data file is read (sharded outputs are the norm),
 * or a single file.
 *
 * A channel fed from S3 keeps the key structure below the prefix, and Spark, Glue and Athena
 * write `part-*` files under Hive-style `key=value/` folders beside their bookkeeping files.
 * So subdirectories are read too, in path order (folder and file names compared as strings,
 * never the order the file system lists them in, so the pool's row order and the selection do
 * not depend on it); `key=value` folders become columns (src/io/partitions.ts); names starting
 * with "." or "_" (`_SUCCESS`, `_committed_*`, `_started_*`, `_metadata`, `_temporary/`,
 * hidden files) and `*.crc` checksums are bookkeeping and skipped. `*.json` files are JSON
 * lines (Spark's and DuckDB's JSON output) in a channel of only JSON; beside other data files
 * they are manifests or schemas and left out. Parquet, Arrow and JSON lines files whose
 * columns are the first file's in another order are read in its order (matched by name). Every file left out is counted in the log:
 * nothing is skipped without a word.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DataError } from "../errors.ts";
import { inColumnOrder } from "./column-order.ts";
import { readCsvTable } from "./csv.ts";
import { partitionsOf, withPartitionColumns } from "./partitions.ts";
import { DATA_FILE_PATTERNS, hasNoExtension, kindByName, readHead, signatureOf, textFormatOf, type FileKind } from "./sniff.ts";
import type { Table } from "./table.ts";

export { DATA_FILE_PATTERNS } from "./sniff.ts";

/** Where the channel says what it left out and what it read differently from a file's name. */
export interface Notices {
  info(message: string): void;
  warn(message: string): void;
}

const quiet: Notices = { info() {}, warn() {} };

export interface DataFile {
  path: string;
  /** Folders between the channel and the file, outermost first. */
  folders: string[];
}

export interface ChannelListing {
  files: DataFile[];
  /** Paths (below the channel) of Spark/Hadoop bookkeeping and hidden entries. */
  bookkeeping: string[];
  /** Paths of other files that are not data files this tool reads. */
  ignored: string[];
  /** Data files of 0 bytes (Spark writes them for empty partitions). */
  empty: string[];
}

/** Bookkeeping that Spark, Hadoop, Glue and Databricks leave beside the data, and hidden files. */
export function isBookkeeping(name: string): boolean {
  return name.startsWith(".") || name.startsWith("_") || name.toLowerCase().endsWith(".crc");
}

/** Whether a channel holds at least one data file. */
export function hasDataFiles(channel: string): boolean {
  try {
    return listChannel(channel).files.length > 0;
  } catch {
    return false;
  }
}

/** The channel's files, in path order; a DataError when the channel does not exist. */
export function listChannel(channel: string, role = "input"): ChannelListing {
  let stat;
  try {
    stat = statSync(channel);
  } catch {
    throw new DataError(`${role} ${channel} does not exist; pass a directory of inference outputs (${DATA_FILE_PATTERNS.join(", ")}).`);
  }
  const listing: ChannelListing = { files: [], bookkeeping: [], ignored: [], empty: [] };
  if (stat.isFile()) {
    if (!isDataFile(channel, basename(channel))) {
      throw new DataError(`${channel}: not a data file this tool reads; expected one of ${DATA_FILE_PATTERNS.join(", ")}.`);
    }
    listing.files.push({ path: channel, folders: [] });
    return listing;
  }
  walk(channel, [], listing, new Set([realpathSync(channel)]));
  // A .json beside other data is a manifest or schema, not a shard; alone, it is Spark's or DuckDB's JSON lines.
  const isJson = (f: DataFile) => /\.json(\.gz)?$/i.test(f.path);
  if (listing.files.some((f) => !isJson(f))) {
    listing.ignored.push(...listing.files.filter(isJson).map(relative));
    listing.ignored.sort();
    listing.files = listing.files.filter((f) => !isJson(f));
  }
  // 0-byte files are left out only beside real data; alone, their reader says what is wrong.
  if (listing.files.some((f) => statSync(f.path).size > 0)) {
    listing.empty = listing.files.filter((f) => statSync(f.path).size === 0).map((f) => relative(f));
    listing.files = listing.files.filter((f) => statSync(f.path).size > 0);
  }
  return listing;
}

function walk(dir: string, folders: string[], listing: ChannelListing, visited: Set<string>): void {
  const names = readdirSync(dir).sort();
  for (const name of names) {
    const path = join(dir, name);
    const shown = [...folders, name].join("/");
    if (isBookkeeping(name)) { listing.bookkeeping.push(shown); continue; }
    let stat;
    try {
      stat = statSync(path);
    } catch {
      listing.ignored.push(shown); // a dangling link
      continue;
    }
    if (stat.isDirectory()) {
      const real = realpathSync(path);
      if (visited.has(real)) { listing.ignored.push(shown); continue; } // a link back up the tree
      visited.add(real);
      walk(path, [...folders, name], listing, visited);
    } else if (stat.isFile() && isDataFile(path, name)) {
      listing.files.push({ path, folders });
    } else {
      listing.ignored.push(shown);
    }
  }
}

function relative(file: DataFile): string {
  return [...file.folders, basename(file.path)].join("/");
}

/** A data file by its name, or a file without extension whose bytes say Parquet, Arrow or gzip. */
function isDataFile(path: string, name: string): boolean {
  if (kindByName(name) !== null) return true;
  if (!hasNoExtension(name)) return false;
  try {
    return signatureOf(readHead(path)) !== null;
  } catch {
    return false;
  }
}

/** The data files of a listing; a DataError when there are none. */
function requireFiles(channel: string, role: string, listing: ChannelListing): DataFile[] {
  if (listing.files.length > 0) return listing.files;
  const entries = [...listing.ignored, ...listing.bookkeeping].sort();
  const seen = entries.length === 0 ? "it is empty" : `it holds ${entries.slice(0, 5).join(", ")}${entries.length > 5 ? ", …" : ""}`;
  throw new DataError(`${role} directory ${channel} has no data file (${seen}); expected ${DATA_FILE_PATTERNS.join(", ")}.`);
}

/** Reads one data file into a Table, by what its bytes are when they contradict its name. */
export async function readTable(path: string, notices: Notices = quiet): Promise<Table> {
  const kind = resolveKind(path, notices);
  switch (kind.format) {
    case "parquet": {
      const { readParquetTable } = await import("./parquet.ts");
      return readParquetTable(path);
    }
    case "arrow": {
      const { readArrowTable } = await import("./arrow.ts");
      return readArrowTable(path);
    }
    case "csv": {
      const bytes = readBytes(path);
      return readCsvTable(path, kind.gzip ? gunzip(path, bytes) : bytes);
    }
    case "jsonl": {
      const { readJsonlTable } = await import("./jsonl.ts");
      const load = () => (kind.gzip ? gunzip(path, readBytes(path)) : readBytes(path));
      return readJsonlTable(path, load(), load);
    }
  }
}

/**
 * The kind to read a file as. The name decides unless the bytes carry another format's
 * signature: a gzip stream named .csv is read as .csv.gz, Parquet named .csv as Parquet, each
 * with a warning. A file without a name to go by is read by its bytes alone.
 */
export function resolveKind(path: string, notices: Notices): FileKind {
  const named = kindByName(basename(path));
  let signature;
  try {
    signature = signatureOf(readHead(path));
  } catch (error) {
    throw new DataError(`${path}: cannot be read (${(error as Error).message}).`);
  }
  if (named === null) {
    if (signature === "parquet" || signature === "arrow") return { format: signature, gzip: false };
    if (signature === "gzip") return { format: textFormatOf(gunzip(path, readBytes(path))), gzip: true };
    throw new DataError(`${path}: not a data file this tool reads; expected one of ${DATA_FILE_PATTERNS.join(", ")}.`);
  }
  const misnamed = (what: string, kind: FileKind) => {
    notices.warn(`${path}: the name says ${named.format}${named.gzip ? ".gz" : ""} but the bytes are ${what}; read as ${what}. Rename the file to say what it holds.`);
    return kind;
  };
  if ((signature === "parquet" || signature === "arrow") && named.format !== signature) return misnamed(signature === "parquet" ? "Parquet" : "Arrow IPC", { format: signature, gzip: false });
  if (named.gzip && signature !== "gzip") {
    // S3 serves an object stored with Content-Encoding: gzip decompressed, under its .gz name.
    return misnamed(`plain ${named.format === "csv" ? "CSV" : "JSON lines"}, not gzip (a copy that was decompressed on the way?)`, { format: named.format, gzip: false });
  }
  if (signature === "gzip" && !named.gzip) {
    if (named.format === "parquet" || named.format === "arrow") {
      throw new DataError(`${path}: this is gzip, not ${named.format === "parquet" ? "Parquet" : "Arrow"}; gunzip it, or name it .csv.gz or .jsonl.gz if it holds CSV or JSON lines.`);
    }
    return misnamed(`gzip-compressed ${named.format === "csv" ? "CSV" : "JSON lines"}`, { format: named.format, gzip: true });
  }
  return named;
}

/** Reads every file of a channel and checks that they share one schema. */
export async function readChannel(channel: string, role = "input",
  onProgress?: (filesRead: number, files: number) => void, notices: Notices = quiet): Promise<Table[]> {
  const listing = listChannel(channel, role);
  const files = requireFiles(channel, role, listing);
  reportLeftOut(channel, listing, notices);
  const tables: Table[] = [];
  for (const file of files) {
    const table = await readTable(file.path, notices);
    tables.push(withPartitionColumns(table, partitionsOf(file.folders), (m) => notices.info(m)));
    onProgress?.(tables.length, files.length);
  }
  const partitions = new Set(tables.flatMap((t) => t.partitionColumns ?? []));
  if (partitions.size > 0) notices.info(`partition folders give the column${partitions.size > 1 ? "s" : ""} ${[...partitions].join(", ")} (values as the folder names write them)`);
  const first = tables[0]!;
  for (const [t, table] of tables.entries()) {
    if (t === 0) continue;
    const same = table.columns.length === first.columns.length && table.columns.every((c, i) => c === first.columns[i]);
    const reorderable = table.format !== "csv" && table.columns.length === first.columns.length && first.columns.every((c) => table.columns.includes(c));
    if (!same && reorderable) {
      tables[t] = inColumnOrder(table, first.columns);
    } else if (!same) {
      const missing = first.columns.filter((c) => !table.columns.includes(c));
      const extra = table.columns.filter((c) => !first.columns.includes(c));
      const detail = missing.length || extra.length
        ? `${missing.length ? `missing ${missing.slice(0, 5).join(", ")}` : ""}${missing.length && extra.length ? "; " : ""}${extra.length ? `extra ${extra.slice(0, 5).join(", ")}` : ""}`
        : "the same columns in another order; CSV files must agree on it, since their records are repeated byte for byte";
      const folders = [...missing, ...extra].some((c) => partitions.has(c))
        ? " (a partition column comes from key=value folders: put every file at the same folder depth)"
        : table.format === "jsonl" && first.format === "jsonl" && (missing.length > 0 || extra.length > 0)
        ? " (JSON writers such as Spark leave out null fields, so a column null in every row of a file is missing from it: write the nulls, e.g. Spark's ignoreNullFields=false)"
        : "";
      throw new DataError(`${table.path}: its columns differ from ${first.path} (${detail})${folders}; every file of a channel must share one schema.`);
    }
  }
  return tables;
}

/** One log line for each kind of entry left out, with the first few names. */
export function reportLeftOut(channel: string, listing: ChannelListing, notices: Notices): void {
  const names = (paths: string[]) => `${paths.slice(0, 5).join(", ")}${paths.length > 5 ? `, … (${paths.length} in all)` : ""}`;
  if (listing.bookkeeping.length > 0) {
    notices.info(`${channel}: skipped ${listing.bookkeeping.length} bookkeeping or hidden entr${listing.bookkeeping.length === 1 ? "y" : "ies"} (names starting with "." or "_", *.crc): ${names(listing.bookkeeping)}`);
  }
  if (listing.ignored.length > 0) {
    notices.warn(`${channel}: ignored ${listing.ignored.length} file${listing.ignored.length === 1 ? "" : "s"} that ${listing.ignored.length === 1 ? "is not a data file" : "are not data files"} (${DATA_FILE_PATTERNS.join(", ")}): ${names(listing.ignored)}`);
  }
  if (listing.empty.length > 0) {
    notices.info(`${channel}: skipped ${listing.empty.length} empty (0-byte) data file${listing.empty.length === 1 ? "" : "s"}: ${names(listing.empty)}`);
  }
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

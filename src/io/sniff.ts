/**
 * What a data file is, from its name and from its first bytes. Spark and S3 copies get names
 * wrong in practice (a gzip stream saved as `part-0.csv`, Athena's Parquet results with no
 * extension at all), so the bytes decide when they disagree with the name.
 */
import { closeSync, openSync, readSync } from "node:fs";

export type DataFormat = "csv" | "parquet" | "arrow" | "jsonl";

export interface FileKind {
  format: DataFormat;
  /** The file is a gzip stream of that format. */
  gzip: boolean;
}

const ENDINGS: [string, FileKind][] = [
  [".csv", { format: "csv", gzip: false }],
  [".csv.gz", { format: "csv", gzip: true }],
  [".parquet", { format: "parquet", gzip: false }],
  [".arrow", { format: "arrow", gzip: false }],
  [".feather", { format: "arrow", gzip: false }],
  // Spark's and DuckDB's JSON writers write one object a line under a .json name.
  [".jsonl", { format: "jsonl", gzip: false }],
  [".ndjson", { format: "jsonl", gzip: false }],
  [".json", { format: "jsonl", gzip: false }],
  [".jsonl.gz", { format: "jsonl", gzip: true }],
  [".ndjson.gz", { format: "jsonl", gzip: true }],
  [".json.gz", { format: "jsonl", gzip: true }],
  // Bedrock batch inference names its output <input>.jsonl.out.
  [".jsonl.out", { format: "jsonl", gzip: false }],
];

/** File endings the readers understand, in the words the error messages and --help use. */
export const DATA_FILE_PATTERNS = ENDINGS.map(([ending]) => `*${ending}`);

/** The kind a file's name promises, or null for a name this tool does not read. */
export function kindByName(name: string): FileKind | null {
  const lower = name.toLowerCase();
  for (const [ending, kind] of ENDINGS) if (lower.endsWith(ending)) return kind;
  return null;
}

/** Whether a name has no extension at all (Athena and some S3 sinks write such data files). */
export function hasNoExtension(name: string): boolean {
  return !name.includes(".");
}

/** An Arrow IPC file starts with these bytes (then two of padding) and ends with them. */
export const ARROW_FILE_MAGIC = "ARROW1";

/** What the leading bytes are, when they carry a signature: gzip, Parquet or Arrow IPC. */
export type Signature = "gzip" | "parquet" | "arrow" | null;

export function signatureOf(head: Uint8Array): Signature {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return "parquet"; // PAR1
  if (String.fromCharCode(...head.subarray(0, 6)) === ARROW_FILE_MAGIC) return "arrow";
  return null;
}

/** The first bytes of a file (fewer when it is shorter). */
export function readHead(path: string, length = 8): Uint8Array {
  const fd = openSync(path, "r");
  try {
    const head = new Uint8Array(length);
    const read = readSync(fd, head, 0, length, 0);
    return head.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Decompressed text with no name to go by: JSON Lines when it opens with "{", else CSV. */
export function textFormatOf(bytes: Uint8Array): DataFormat {
  for (let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; i < Math.min(bytes.length, 4096); i++) {
    const b = bytes[i]!;
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b ? "jsonl" : "csv";
  }
  return "csv";
}

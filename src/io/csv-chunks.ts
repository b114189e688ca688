/**
 * A CSV file (plain or gzip) read a piece at a time, for a run that streams the pool
 * (src/job/stream.ts): each piece is a CsvTable of whole records under the file's header, so
 * its records' bytes are the file's, and only about CHUNK_BYTES of the file is held at once.
 * Pieces are cut after the last whole record (csv.ts wholeRecordsEnd), never inside a quoted
 * field. Row numbers in a piece's errors count from the piece, so a caller that meets a bad
 * value reads the file whole to report it.
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { DataError } from "../errors.ts";
import { readCsvTable, wholeRecordsEnd } from "./csv.ts";
import type { CsvTable } from "./table.ts";

const CHUNK_BYTES = 32 * 2 ** 20;

/** The file's pieces in order; a piece may be as small as one record, or larger than CHUNK_BYTES when one record is. */
export async function* csvChunks(path: string, gzip: boolean, chunkBytes = CHUNK_BYTES): AsyncGenerator<CsvTable> {
  let pending: Uint8Array = new Uint8Array(0);
  /** The BOM, header line and its line ending, which every later piece is parsed under. */
  let prefix: Uint8Array | null = null;
  const piece = (records: Uint8Array): CsvTable => {
    if (prefix === null) {
      const table = readCsvTable(path, records);
      prefix = records.subarray(0, headerEnd(table));
      return table;
    }
    return readCsvTable(path, concat(prefix, records));
  };
  // Reads are gathered until a piece's worth, then joined once.
  let parts: Uint8Array[] = [];
  let gathered = 0;
  for await (const data of source(path, gzip, chunkBytes)) {
    parts.push(data);
    gathered += data.length;
    if (pending.length + gathered < chunkBytes) continue;
    pending = concat(pending, ...parts);
    parts = [];
    gathered = 0;
    // The first piece starts at the file's start, so its first whole record is the header.
    const end = wholeRecordsEnd(pending, 0);
    if (end === 0) continue;
    yield piece(pending.subarray(0, end));
    pending = pending.slice(end);
  }
  pending = concat(pending, ...parts);
  if (pending.length > 0 || prefix === null) yield piece(pending);
}

/** The file's bytes, gunzipped, in reads of about `chunkBytes`; a gzip error names the file. */
async function* source(path: string, gzip: boolean, chunkBytes: number): AsyncGenerator<Uint8Array> {
  const file = createReadStream(path, { highWaterMark: Math.min(chunkBytes, 8 * 2 ** 20) });
  const stream = gzip ? file.pipe(createGunzip({ chunkSize: 1 << 20 })) : file;
  try {
    for await (const data of stream) yield data as Uint8Array;
  } catch (error) {
    throw new DataError(`${path}: cannot be read${gzip ? " as gzip" : ""} (${(error as Error).message}); the file may be truncated, so copy it again.`);
  } finally {
    file.destroy();
    if (stream !== file) stream.destroy();
  }
}

/** Where the header's record ends in the first piece's bytes (BOM, header and line ending). */
function headerEnd(table: CsvTable): number {
  const bom = table.hadBom ? 3 : 0;
  return bom + table.headerBytes.length + table.lineEnding.length;
}

function concat(...arrays: Uint8Array[]): Uint8Array {
  const filled = arrays.filter((a) => a.length > 0);
  if (filled.length === 1) return filled[0]!;
  const out = new Uint8Array(filled.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of filled) { out.set(a, at); at += a.length; }
  return out;
}

/**
 * A CSV file (plain or gzip) read a piece at a time, for a run that streams the pool
 * (src/job/stream.ts): each piece is a CsvTable of whole records under the file's header, so
 * its records' bytes are the file's, and only about CHUNK_BYTES of the file is held at once.
 * Pieces are cut after the last whole record (csv.ts wholeRecordsEnd), never inside a quoted
 * field. Row numbers in a piece's errors count from the piece, so a caller that meets a bad
 * value reads the file whole to report it.
 */
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createGunzip } from "node:zlib";
import { DataError } from "../errors.ts";
import { readCsvTable, wholeRecordsEnd } from "./csv.ts";
import type { CsvTable } from "./table.ts";

const CHUNK_BYTES = 32 * 2 ** 20;

/** The file's pieces in order; a piece may be as small as one record, or larger than CHUNK_BYTES when one record is. */
export async function* csvChunks(path: string, gzip: boolean, chunkBytes = CHUNK_BYTES): AsyncGenerator<CsvTable> {
  /** The BOM, header line and its line ending, which every later piece is parsed under (empty before the first piece). */
  let prefix: Uint8Array = new Uint8Array(0);
  let first = true;
  /** Bytes after the last cut (part of a record), and the reads since. */
  let tail: Uint8Array = new Uint8Array(0);
  let parts: Uint8Array[] = [];
  let gathered = 0;
  // Each byte is copied once, into a piece laid out as prefix, tail, reads: readCsvTable parses it in place.
  const join = () => {
    const piece = new Uint8Array(prefix.length + tail.length + gathered);
    let at = 0;
    for (const part of [prefix, tail, ...parts]) { piece.set(part, at); at += part.length; }
    parts = [];
    gathered = 0;
    return piece;
  };
  const parse = (bytes: Uint8Array): CsvTable => {
    const table = readCsvTable(path, bytes);
    if (first) {
      prefix = bytes.slice(0, headerEnd(table));
      first = false;
    }
    return table;
  };
  if (!gzip) {
    // A plain file is read straight into the piece after the prefix and tail: no copy of its bytes.
    const fd = openFile(path);
    try {
      while (true) {
        const piece = new Uint8Array(prefix.length + tail.length + chunkBytes);
        piece.set(prefix, 0);
        piece.set(tail, prefix.length);
        const start = prefix.length + tail.length;
        const read = readInto(path, fd, piece, start);
        const bytes = piece.subarray(0, start + read);
        if (read < chunkBytes) { // the end of the file
          if (bytes.length > prefix.length || first) yield parse(bytes);
          return;
        }
        const end = wholeRecordsEnd(bytes, prefix.length);
        tail = bytes.slice(end);
        if (end > prefix.length) yield parse(bytes.subarray(0, end));
      }
    } finally {
      closeSync(fd);
    }
  }
  for await (const data of source(path, chunkBytes)) {
    parts.push(data);
    gathered += data.length;
    if (tail.length + gathered < chunkBytes) continue;
    const piece = join();
    // The first piece starts at the file's start, so its first whole record is the header.
    const end = wholeRecordsEnd(piece, prefix.length);
    tail = piece.slice(end);
    if (end === prefix.length) continue; // no whole record yet (or, first, not even the header)
    yield parse(piece.subarray(0, end));
  }
  const last = join();
  if (last.length > prefix.length || first) yield parse(last);
}

/** A gzip file's bytes, gunzipped, a read at a time; a gzip error names the file. */
async function* source(path: string, chunkBytes: number): AsyncGenerator<Uint8Array> {
  const file = createReadStream(path, { highWaterMark: Math.min(chunkBytes, 8 * 2 ** 20) });
  const stream = file.pipe(createGunzip({ chunkSize: 1 << 20 }));
  try {
    for await (const data of stream) yield data as Uint8Array;
  } catch (error) {
    throw new DataError(`${path}: cannot be read as gzip (${(error as Error).message}); the file may be truncated, so copy it again.`);
  } finally {
    file.destroy();
    stream.destroy();
  }
}

function openFile(path: string): number {
  try {
    return openSync(path, "r");
  } catch (error) {
    throw new DataError(`${path}: cannot be read (${(error as Error).message}).`);
  }
}

/** Fills `into` from `at` to its end, or to the end of the file; returns the bytes read. */
function readInto(path: string, fd: number, into: Uint8Array, at: number): number {
  let read = 0;
  try {
    while (at + read < into.length) {
      const n = readSync(fd, into, at + read, into.length - at - read, null);
      if (n === 0) break;
      read += n;
    }
  } catch (error) {
    throw new DataError(`${path}: cannot be read (${(error as Error).message}).`);
  }
  return read;
}

/** Where the header's record ends in the first piece's bytes (BOM, header and line ending). */
function headerEnd(table: CsvTable): number {
  const bom = table.hadBom ? 3 : 0;
  return bom + table.headerBytes.length + table.lineEnding.length;
}

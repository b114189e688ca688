/**
 * A part of the pool's ids as a streamed pass reads them (job/stream.ts): every row's idHash,
 * for the duplicate check, and the text of the few rows it keeps or must compare. Parquet text
 * stored PLAIN is hashed from its UTF-8 bytes, without a string per row (ten million strings
 * were a tenth of a 10M-row run, and more in garbage collection); other ids are the strings
 * the table gives.
 */
import { DataError } from "../errors.ts";
import type { Table } from "../io/table.ts";
import type { Utf8Column } from "../io/utf8-column.ts";
import { asciiIdHash, idHash } from "./pool.ts";

export interface RowIds {
  readonly length: number;
  /** Writes each row's idHash (pool.ts) to out[at + r]: the same number as idHash(text(r)). */
  hashInto(out: Float64Array, at: number): void;
  text(row: number): string;
}

/** Ids already made strings (CSV pieces, and any id column not held as bytes). */
export function textIds(ids: readonly string[]): RowIds {
  return {
    length: ids.length,
    hashInto(out, at) {
      for (let r = 0; r < ids.length; r++) out[at + r] = idHash(ids[r]!);
    },
    text: (row) => ids[row]!,
  };
}

/**
 * The table's id column when it holds it as UTF-8 bytes, else null. An empty id is a
 * DataError as extract() gives it (the streamed pass leaves such a pool to the whole read,
 * which reports it).
 */
export function utf8Ids(table: Table, idColumn: number): RowIds | null {
  const column = table.utf8Values?.(idColumn);
  if (!column) return null;
  const { starts, ends } = column;
  for (let r = 0; r < column.length; r++) {
    if (starts[r] === ends[r]) throw new DataError(`${table.path}: row ${r + 1} has an empty id in column "${table.columns[idColumn]}"; every row needs an id.`);
  }
  return {
    length: column.length,
    hashInto: (out, at) => hashUtf8(column, out, at),
    text: (row) => column.text(row),
  };
}

function hashUtf8(column: Utf8Column, out: Float64Array, at: number): void {
  const { bytes, starts, ends } = column;
  for (let r = 0; r < column.length; r++) {
    const hash = asciiIdHash(bytes, starts[r]!, ends[r]!);
    // Not ASCII: the text's UTF-16 code units are hashed, as idHash hashes every id.
    out[at + r] = hash >= 0 ? hash : idHash(column.text(r));
  }
}

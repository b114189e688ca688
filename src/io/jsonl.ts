/**
 * Reads JSON Lines (one JSON object per line, blank lines ignored) into a ColumnarTable.
 *
 * The columns are the keys in the order they first appear (the first object's, then any key
 * a later line adds). A line without a key holds null there: Spark's JSON writer leaves null
 * fields out (ignoreNullFields), so a missing key is a null, not damage. A needed column left
 * null is refused where it is read, naming the row. Values stay as JSON.parse gives them. A column's type is "text"
 * when its values are strings, "double" when numbers, "boolean" when booleans, "text" when all
 * null, and "other" for objects, arrays or a mix.
 *
 * An id column of numbers keeps each id as the file writes it (`7.0`, `1e3`, digits beyond
 * 2^53): JSON.parse has rounded them, so extract() goes back to the bytes for the tokens
 * (src/io/json-tokens.ts). A reviver on every value of every line would keep them too, but made
 * parsing several times slower; the bytes are read again only for such a column, and for the
 * output, which writes the selected rows' numbers as the file writes them (rowNumberTokens).
 */
import { readFileSync } from "node:fs";
import { DataError } from "../errors.ts";
import { ColumnarTable, type HeldColumn } from "./columnar-table.ts";
import { numberTokens, rowNumberTokens } from "./json-tokens.ts";
import { BOOLEAN, DOUBLE, OTHER, TEXT, type ColumnType } from "./column-type.ts";
import type { Table } from "./table.ts";

const NEWLINE = 0x0a;
/** Lines are decoded in slabs of about this many bytes: one TextDecoder call per line is slow. */
const SLAB_BYTES = 1 << 23;

/**
 * `reload` gives the same bytes again when the tokens are needed (an id column of numbers, the
 * selected rows' numbers; default: the file read again, or the bytes given, kept).
 */
export async function readJsonlTable(path: string, bytes?: Uint8Array, reload?: () => Uint8Array): Promise<Table> {
  const again = reload ?? (bytes === undefined ? () => readFileSync(path) : ((kept) => () => kept)(bytes));
  if (bytes === undefined) {
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new DataError(`${path}: cannot be read (${(error as Error).message}).`);
    }
  }
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // UTF-8 BOM

  let names: string[] | undefined;
  let indexOf = new Map<string, number>();
  let values: unknown[][] = [];
  const lineOfRow: number[] = [];
  let line = 0;

  while (start < bytes.length) {
    // A slab ends just after a newline (or at the end), so it holds whole lines.
    let end = Math.min(bytes.length, start + SLAB_BYTES);
    if (end < bytes.length) {
      const newline = bytes.lastIndexOf(NEWLINE, end - 1);
      end = newline >= start ? newline + 1 : (bytes.indexOf(NEWLINE, end) + 1 || bytes.length);
    }
    const lines = decodeLines(path, bytes, start, end, line);
    start = end;
    for (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        const opening = text.trim();
        if (line === 1 && (opening.startsWith("[") || opening === "{")) {
          throw new DataError(`${path}: line 1 opens one JSON document spread over several lines (${opening.startsWith("[") ? "an array" : "a pretty-printed object"}), not JSON lines; write one JSON object per line (e.g. DuckDB's FORMAT JSON without ARRAY true, pandas to_json(orient="records", lines=True)).`);
        }
        throw new DataError(`${path}: line ${line} is not valid JSON (${(error as Error).message}); each line must hold one JSON object.`);
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new DataError(`${path}: line ${line} holds ${Array.isArray(parsed) ? "a JSON array" : `the JSON value ${text.trim().slice(0, 40)}`}, not an object; write one JSON object per line, such as {"id": "a", "prob_class_0": 0.9}.`);
      }
      const record = parsed as Record<string, unknown>;
      if (names === undefined) {
        names = Object.keys(record);
        if (names.length === 0) throw new DataError(`${path}: line ${line} is an empty object; the first object names the columns.`);
        indexOf = new Map(names.map((name, c) => [name, c]));
        values = names.map(() => []);
      } else {
        for (const key of newKeys(record, names, indexOf)) {
          indexOf.set(key, names.length);
          names.push(key);
          values.push(new Array(lineOfRow.length).fill(null));
        }
      }
      for (let c = 0; c < names.length; c++) values[c]!.push(record[names[c]!] ?? null);
      lineOfRow.push(line);
    }
  }

  if (names === undefined) throw new DataError(`${path}: the file holds no JSON objects, so there is nothing to select from; expected one object per line.`);
  const held: HeldColumn[] = names.map((name, c) => ({ name, type: typeOf(values[c]!), pieces: [{ kind: "boxed", values: values[c]! }] }));
  return new ColumnarTable(path, "jsonl", held, lineOfRow.length, {
    numberText: (key) => numberTokens(again(), key),
    rowNumberTokens: (rows, columns) => rowNumberTokens(again(), rows, columns),
    lineOfRow: (row) => lineOfRow[row]!,
  });
}

/** The lines of bytes[start, end) as text; a DataError naming the line if one is not UTF-8. */
function decodeLines(path: string, bytes: Uint8Array, start: number, end: number, linesBefore: number): string[] {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let text: string;
  try {
    text = decoder.decode(bytes.subarray(start, end));
  } catch {
    // Find the offending line, for the message.
    let line = linesBefore;
    for (let pos = start; pos < end;) {
      const next = bytes.indexOf(NEWLINE, pos);
      const lineEnd = next < 0 || next >= end ? end : next + 1;
      line++;
      try {
        decoder.decode(bytes.subarray(pos, lineEnd));
      } catch {
        throw new DataError(`${path}: line ${line} is not valid UTF-8; save the file as UTF-8.`);
      }
      pos = lineEnd;
    }
    throw new DataError(`${path}: not valid UTF-8; save the file as UTF-8.`);
  }
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the newline that ends the slab's last line
  return lines;
}

/** Keys of this line that no earlier line had, in the line's order (usually none: checked fast). */
function newKeys(record: Record<string, unknown>, names: readonly string[], indexOf: Map<string, number>): string[] {
  const keys = Object.keys(record);
  if (keys.length <= names.length && keys.every((key) => indexOf.has(key))) return [];
  return keys.filter((key) => !indexOf.has(key));
}

function typeOf(values: readonly unknown[]): ColumnType {
  let seen: ColumnType | undefined;
  for (const value of values) {
    if (value === null) continue;
    const type: ColumnType = typeof value === "string" ? TEXT : typeof value === "number" ? DOUBLE : typeof value === "boolean" ? BOOLEAN : OTHER;
    if (type === OTHER || (seen !== undefined && seen !== type)) return OTHER;
    seen = type;
  }
  return seen ?? TEXT;
}

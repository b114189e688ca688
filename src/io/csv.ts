/**
 * CSV reader (RFC 4180: quoted fields with "" escapes, commas and newlines inside quotes,
 * LF or CRLF line ends, an optional UTF-8 BOM). A quote inside an unquoted field is text
 * (`12" pizza`), as Python's csv module and spreadsheets read it.
 *
 * Written by hand rather than taken from a CSV library because two things the product
 * promises need byte positions, which parsers that hand back strings do not keep:
 *  - output repeats each selected record byte for byte (`0.1000` stays `0.1000`), so we keep
 *    only where each record starts and ends in the file's bytes;
 *  - a million rows × 140 numeric columns must not become 140 million strings: numbers are
 *    parsed straight from the bytes (Clinger's fast path, exact; parseFloat otherwise).
 * Because most cells are copied rather than decoded, the whole file is checked to be UTF-8
 * once, up front: a Latin-1 export is refused, not copied through half-readable.
 */
import { isUtf8 } from "node:buffer";
import { DataError } from "../errors.ts";
import { headerlessHint } from "./headerless.ts";
import { TEXT } from "./column-type.ts";
import { storableRange, type CsvTable, type ExtractRequest, type NumericBlock } from "./table.ts";

const COMMA = 0x2c, QUOTE = 0x22, LF = 0x0a, CR = 0x0d;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses CSV bytes (already gunzipped). `path` names the file in errors. */
export function readCsvTable(path: string, bytes: Uint8Array): CsvTable {
  const hadBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const start = hadBom ? 3 : 0;
  if (start >= bytes.length || onlyWhitespace(bytes, start)) {
    throw new DataError(`${path}: the file is empty; expected a header line such as "id,prob_class_0,prob_class_1".`);
  }
  if (!isUtf8(bytes)) throw new DataError(`${path}: line ${firstNonUtf8Line(bytes)} is not valid UTF-8; save the file as UTF-8.`);
  const headerEnd = scanRecordEnd(bytes, start, path, 1);
  const headerContentEnd = contentEnd(bytes, start, headerEnd);
  const lineEnding = headerContentEnd < headerEnd && bytes[headerContentEnd] === CR ? "\r\n" : "\n";
  const headerBytes = bytes.subarray(start, headerContentEnd);
  const columns = splitFields(bytes, start, headerContentEnd, path, 1).map((f) => decodeField(bytes, f, path, 1));
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name === "") throw new DataError(`${path}: column ${i + 1} of the header has no name; give every column a name${i === 0 ? " (pandas writes its index as an unnamed first column: to_csv(index=False) leaves it out)" : ""}.${headerlessHint(columns)}`);
    if (seen.has(name)) throw new DataError(`${path}: the header names column "${name}" twice (columns ${seen.get(name)! + 1} and ${i + 1}); column names must be unique.${headerlessHint(columns)}`);
    seen.set(name, i);
  });

  // Record boundaries: [starts[r], ends[r]) is record r's content without its line ending.
  let starts: Float64Array = new Float64Array(1024), ends: Float64Array = new Float64Array(1024);
  let count = 0;
  let pos = headerEnd;
  let line = 2;
  // Without a quote anywhere, a record ends at the next LF: a native search finds it.
  const quoteFree = bytes.indexOf(QUOTE, start) === -1;
  while (pos < bytes.length) {
    const lf = quoteFree ? bytes.indexOf(LF, pos) : -1;
    const end = quoteFree ? (lf < 0 ? bytes.length : lf + 1) : scanRecordEnd(bytes, pos, path, line);
    const cEnd = contentEnd(bytes, pos, end);
    if (cEnd > pos) { // blank lines carry no record
      if (count === starts.length) {
        starts = grow(starts); ends = grow(ends);
      }
      starts[count] = pos; ends[count] = cEnd; count++;
    }
    line += quoteFree ? 1 : countNewlines(bytes, pos, end);
    pos = end;
  }
  return new CsvTableImpl(path, bytes, columns, headerBytes, hadBom, lineEnding,
    starts.subarray(0, count), ends.subarray(0, count), quoteFree);
}

class CsvTableImpl implements CsvTable {
  readonly format = "csv" as const;
  readonly columnTypes;
  readonly rowCount: number;

  constructor(
    readonly path: string,
    private readonly bytes: Uint8Array,
    readonly columns: readonly string[],
    readonly headerBytes: Uint8Array,
    readonly hadBom: boolean,
    readonly lineEnding: string,
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    /** No quote in the file: fields end at the next comma, always. */
    private readonly quoteFree: boolean,
  ) {
    this.rowCount = starts.length;
    this.columnTypes = columns.map(() => TEXT);
  }

  recordBytes(row: number): Uint8Array {
    return this.bytes.subarray(this.starts[row]!, this.ends[row]!);
  }

  cell(row: number, column: number): string {
    // Writers read a row's cells one after another: its fields are split once, not once per cell.
    if (row !== this.splitRow) {
      const fields = splitFields(this.bytes, this.starts[row]!, this.ends[row]!, this.path, row + 2);
      // The column probe (columns.ts) reads cells before extract() has checked the row's width.
      if (fields.length !== this.columns.length) throw raggedError(this.path, row, fields.length, this.columns.length);
      this.rowFields = fields;
      this.splitRow = row;
    }
    return decodeField(this.bytes, this.rowFields[column]!, this.path, row + 2);
  }

  /** The last row cell() split, and its fields. */
  private splitRow = -1;
  private rowFields: ReturnType<typeof splitFields> = [];

  extract(request: ExtractRequest): string[] {
    const { path, columns } = this;
    const width = columns.length;
    // For each column: which block it feeds and where in the destination row.
    const blockOf: (NumericBlock | null)[] = new Array(width).fill(null);
    const slotOf = new Int32Array(width);
    const lowOf = new Float64Array(width), highOf = new Float64Array(width);
    // No id column: -1 matches no column.
    const idColumn = request.idColumn ?? -1;
    let lastUsed = idColumn;
    for (const block of request.numeric) {
      const { min, max } = storableRange(block.out);
      block.columns.forEach((c, j) => { blockOf[c] = block; slotOf[c] = block.offset + j; lowOf[c] = min; highOf[c] = max; lastUsed = Math.max(lastUsed, c); });
    }
    const ids: string[] = new Array(this.rowCount);
    for (let r = 0; r < this.rowCount; r++) {
      // One record as its own view: positions inside it stay small integers, which the JIT
      // keeps in registers (positions into a file past 2 GiB would be doubles).
      const bytes = this.bytes.subarray(this.starts[r]!, this.ends[r]!);
      const end = bytes.length;
      let pos = 0;
      let col = 0;
      while (true) {
        // One field: [fieldStart, fieldEnd) holds its raw bytes, quotes included.
        const fieldStart = pos;
        if (bytes[pos] === QUOTE) {
          pos++;
          while (true) {
            if (bytes[pos] === QUOTE) {
              if (bytes[pos + 1] === QUOTE) pos += 2;
              else { pos++; break; }
            } else pos++;
          }
        } else {
          while (pos < end && bytes[pos] !== COMMA) pos++;
        }
        const fieldEnd = pos;
        if (col >= width) throw raggedError(path, r, this.recordFieldCount(r), width);
        if (col === idColumn) {
          const id = decodeField(bytes, [fieldStart, fieldEnd], path, r + 2);
          if (id === "") throw new DataError(`${path}: row ${r + 1} (line ${this.lineOf(r)}) has an empty id in column "${columns[col]}"; every row needs an id.`);
          ids[r] = id;
        }
        const block = blockOf[col];
        if (block !== null) {
          const value = parseNumber(bytes, fieldStart, fieldEnd);
          if (!Number.isFinite(value) || (block.kind === "integer" && !Number.isInteger(value))) {
            throw numberError(path, r, this.lineOf(r), columns[col]!, decodeField(bytes, [fieldStart, fieldEnd], path, r + 2), block.kind);
          }
          if (value < lowOf[col]! || value > highOf[col]!) {
            throw rangeError(path, r, this.lineOf(r), columns[col]!, decodeField(bytes, [fieldStart, fieldEnd], path, r + 2), storableRange(block.out).hint);
          }
          block.out[(block.rowStart + r) * block.stride + slotOf[col]!] = value;
        }
        col++;
        if (pos >= end) break;
        if (bytes[pos] !== COMMA) {
          throw new DataError(`${path}: row ${r + 1} (line ${this.lineOf(r)}), column "${columns[col - 1]}": text after a closing quote; a quote inside a quoted field is written "".`);
        }
        pos++; // past the comma; a comma at the very end leaves one more, empty field
        if (col > lastUsed && this.quoteFree) {
          // The rest of the record holds no column this request reads: only count its fields.
          col += 1 + countCommas(bytes, pos, end);
          break;
        }
      }
      if (col !== width) throw raggedError(path, r, col, width);
    }
    return ids;
  }

  private recordFieldCount(r: number): number {
    return splitFields(this.bytes, this.starts[r]!, this.ends[r]!, this.path, r + 2).length;
  }

  /** The 1-based line a record starts on (header is line 1); only computed for error messages. */
  private lineOf(r: number): number {
    return 1 + countNewlines(this.bytes, 0, this.starts[r]!);
  }
}

function raggedError(path: string, r: number, got: number, want: number): DataError {
  return new DataError(`${path}: row ${r + 1} has ${got} fields but the header has ${want}; every row needs one value per column (quote values that contain commas).`);
}

function numberError(path: string, r: number, line: number, column: string, text: string, kind: string): DataError {
  const shown = text.length > 40 ? text.slice(0, 40) + "…" : text;
  const what = text === "" ? "is empty" : `holds "${shown}"`;
  const want = kind === "integer" ? "a whole number (a leaf index)" : "a finite number (no NaN, inf or text)";
  return new DataError(`${path}: row ${r + 1} (line ${line}), column "${column}" ${what}; expected ${want}. Fix or drop that row.`);
}

function rangeError(path: string, r: number, line: number, column: string, text: string, hint: string): DataError {
  const shown = text.length > 40 ? text.slice(0, 40) + "…" : text;
  return new DataError(`${path}: row ${r + 1} (line ${line}), column "${column}" holds ${shown}, ${hint}.`);
}

/** End of the record that starts at pos: just past its line ending, or the end of the bytes. */
function scanRecordEnd(bytes: Uint8Array, pos: number, path: string, line: number): number {
  const end = recordEnd(bytes, pos);
  if (end === UNCLOSED) {
    throw new DataError(`${path}: a quoted field opened on line ${line} or later is never closed; the file may be truncated.`);
  }
  return end === NO_LINE_END ? bytes.length : end;
}

const NO_LINE_END = -1, UNCLOSED = -2;

/** Just past the line ending of the record that starts at pos; NO_LINE_END when the bytes end first, UNCLOSED inside a quoted field. */
function recordEnd(bytes: Uint8Array, pos: number): number {
  const n = bytes.length;
  let inQuotes = false;
  for (let i = pos; i < n; i++) {
    const b = bytes[i];
    if (inQuotes) {
      if (b === QUOTE) {
        if (bytes[i + 1] === QUOTE) i++;
        else inQuotes = false;
      }
    } else if (b === QUOTE && (i === pos || bytes[i - 1] === COMMA)) {
      // Only a quote that starts a field opens one; `12" pizza` is text, as extract() reads it.
      inQuotes = true;
    } else if (b === LF) {
      return i + 1;
    }
  }
  return inQuotes ? UNCLOSED : NO_LINE_END;
}

/**
 * Where the last whole record of `bytes[start..]` ends (just past its line ending; `start` when
 * none ends there): a reader that takes a file a piece at a time cuts it there, so a quoted
 * field with line breaks in it is never split (src/io/csv-chunks.ts).
 */
export function wholeRecordsEnd(bytes: Uint8Array, start: number): number {
  // A quote only ever falls inside a record (a line ending in quotes ends no record), so
  // without one from `start` on, every line ending ends a record.
  if (bytes.indexOf(QUOTE, start) === -1) return Math.max(start, bytes.lastIndexOf(LF) + 1);
  let pos = start;
  while (pos < bytes.length) {
    const end = recordEnd(bytes, pos);
    if (end < 0) break;
    pos = end;
  }
  return pos;
}

function contentEnd(bytes: Uint8Array, start: number, end: number): number {
  let e = end;
  if (e > start && bytes[e - 1] === LF) e--;
  if (e > start && bytes[e - 1] === CR) e--;
  return e;
}

/** Field boundaries [start, end) of one record, quotes included. Slow path for headers and errors. */
function splitFields(bytes: Uint8Array, start: number, end: number, path: string, line: number): [number, number][] {
  const fields: [number, number][] = [];
  let pos = start;
  while (true) {
    const fieldStart = pos;
    if (bytes[pos] === QUOTE) {
      pos++;
      while (pos < end) {
        if (bytes[pos] === QUOTE) {
          if (bytes[pos + 1] === QUOTE) pos += 2;
          else { pos++; break; }
        } else pos++;
      }
    }
    while (pos < end && bytes[pos] !== COMMA) pos++;
    fields.push([fieldStart, pos]);
    if (pos >= end) break;
    pos++;
    if (pos === end) { fields.push([pos, pos]); break; }
  }
  void path; void line;
  return fields;
}

/** A field's text: quotes removed and "" unescaped; invalid UTF-8 names the line. */
function decodeField(bytes: Uint8Array, [start, end]: readonly [number, number], path: string, line: number): string {
  let text: string;
  try {
    text = utf8.decode(bytes.subarray(start, end));
  } catch {
    throw new DataError(`${path}: line ${line} is not valid UTF-8; save the file as UTF-8.`);
  }
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).replaceAll('""', '"');
  return text;
}

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
/** A mantissa below this takes one more digit and stays below 2^53, where doubles hold every integer. */
const MANTISSA_ROOM = 900719925474099;
/** Latin-1 text straight from bytes (numbers are ASCII); Buffer's native slice is 10× faster than fromCharCode. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * A number from the bytes [start, end), NaN when the field is not a plain decimal number.
 * Fast path (Clinger 1990): a mantissa up to 2^53 scaled by 10^k with |k| ≤ 22 is one exactly
 * rounded IEEE operation, so the result equals parseFloat's. That takes up to 16 significant
 * digits (the shortest form of most doubles); anything else goes to parseFloat.
 */
export function parseNumber(bytes: Uint8Array, start: number, end: number): number {
  if (bytes[start] === QUOTE && end - start >= 2 && bytes[end - 1] === QUOTE) { start++; end--; }
  while (start < end && bytes[start] === 0x20) start++;
  while (end > start && bytes[end - 1] === 0x20) end--;
  if (start === end) return NaN;
  let pos = start;
  let negative = false;
  if (bytes[pos] === 0x2d) { negative = true; pos++; } else if (bytes[pos] === 0x2b) pos++;
  let mantissa = 0, scale = 0, sawDigit = false, exact = true;
  while (pos < end) {
    const d = bytes[pos]! - 0x30;
    if (d < 0 || d > 9) break;
    sawDigit = true;
    if (mantissa < MANTISSA_ROOM) mantissa = mantissa * 10 + d; else { exact = false; scale++; }
    pos++;
  }
  if (pos < end && bytes[pos] === 0x2e) {
    pos++;
    while (pos < end) {
      const d = bytes[pos]! - 0x30;
      if (d < 0 || d > 9) break;
      sawDigit = true;
      if (mantissa < MANTISSA_ROOM) { mantissa = mantissa * 10 + d; scale--; } else exact = false;
      pos++;
    }
  }
  if (!sawDigit) return NaN;
  if (pos < end && (bytes[pos] === 0x65 || bytes[pos] === 0x45)) {
    pos++;
    let expNegative = false;
    if (bytes[pos] === 0x2d) { expNegative = true; pos++; } else if (bytes[pos] === 0x2b) pos++;
    let exponent = 0, expDigits = 0;
    while (pos < end) {
      const d = bytes[pos]! - 0x30;
      if (d < 0 || d > 9) break;
      if (exponent < 1e6) exponent = exponent * 10 + d;
      expDigits++;
      pos++;
    }
    if (expDigits === 0) return NaN;
    scale += expNegative ? -exponent : exponent;
  }
  if (pos !== end) return NaN;
  if (!exact || scale < -22 || scale > 22) {
    // Too many digits or too large a scale for the exact path.
    return parseFloat(latin1Slice.call(bytes, start, end));
  }
  const value = scale >= 0 ? mantissa * POW10[scale]! : mantissa / POW10[-scale]!;
  return negative ? -value : value;
}

function onlyWhitespace(bytes: Uint8Array, start: number): boolean {
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== LF && b !== CR && b !== 0x09) return false;
  }
  return true;
}

/** The 1-based line holding the first invalid UTF-8 sequence (LF never occurs inside a multi-byte one). */
function firstNonUtf8Line(bytes: Uint8Array): number {
  let line = 1, start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== LF) continue;
    try {
      utf8.decode(bytes.subarray(start, i));
    } catch {
      return line;
    }
    line++;
    start = i + 1;
  }
  return line;
}

function countCommas(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (bytes[i] === COMMA) n++;
  return n;
}

function countNewlines(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (bytes[i] === LF) n++;
  return n;
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * A Table over columns already decoded into memory: what the Parquet, Arrow and JSONL readers
 * build, each in its own way, and then share for `extract()` and `cell()`.
 *
 * A column is a list of pieces (Arrow record batches stay as they came; Parquet and JSONL give
 * one piece per column). Numbers stay in the typed array they were decoded into, with a byte per
 * row marking missing values, so `extract()` runs one tight loop per column and piece instead
 * of asking every cell what it is.
 */
import { DataError } from "../errors.ts";
import { FLOAT32_MAX, FLOAT64_LIMIT, storableRange, type ColumnType, type ExtractRequest, type Format, type NumericArray, type NumericBlock, type Table } from "./table.ts";
import { CalendarDate, Decimal, isTypedValue, TimeOfDay, Timestamp } from "./typed-values.ts";
import { TEXT } from "./column-type.ts";
import type { Utf8Column } from "./utf8-column.ts";

export type NumberArray =
  | Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * One run of a column's rows. `missing[r]` is 1 where row r is null (typed pieces only).
 * Timestamps, dates and decimals are held as the file's integers (units since the epoch, days,
 * unscaled values); `cell()` wraps them by the column's type.
 */
export type ColumnPiece =
  | { kind: "number"; values: NumberArray; missing?: Uint8Array }
  | { kind: "bigint"; values: BigInt64Array | BigUint64Array; missing?: Uint8Array }
  /** Anything else, as JS values, with null where the file has none. */
  | { kind: "boxed"; values: readonly unknown[] }
  /** Text without nulls as its UTF-8 bytes (Parquet's PLAIN pages), a string made per cell asked for. */
  | { kind: "utf8"; values: Utf8Column };

export interface HeldColumn {
  name: string;
  /** For timestamp, date and decimal columns, how to read the integers the pieces hold. */
  type: ColumnType;
  /** Consecutive runs of rows; their lengths add up to the table's row count. */
  pieces: ColumnPiece[];
}

/**
 * A column decoded on first use (by extract() or cell()): a run that reads a few columns of a
 * wide file decodes only those, and the output decodes the rest when it repeats them.
 */
export interface LazyColumn {
  name: string;
  type: ColumnType;
  load(): ColumnPiece[];
}

export interface ColumnarTableOptions {
  /**
   * JSON lines: each row's value of a top-level key as the file writes it, for ids that are
   * numbers. JSON.parse has turned `7.0` into 7 and 12345678901234567890 into
   * 12345678901234567000; an id is kept as the token's text instead.
   */
  numberText?: (key: string) => (string | null)[];
  /** JSON lines: Table.rowNumberTokens. */
  rowNumberTokens?: (rows: readonly number[], columns: readonly string[]) => Map<number, (string | null)[]>;
  /** The 1-based line of the file a row was read from, for messages (JSONL skips blank lines). */
  lineOfRow?: (row: number) => number;
}

export class ColumnarTable implements Table {
  readonly columns: readonly string[];
  private readonly types: ColumnType[];
  /** Each column's pieces, null until a lazy column is first used. */
  private readonly held: { name: string; type: ColumnType; pieces: ColumnPiece[] | null; load?: () => ColumnPiece[] }[];
  /** starts[c][k] is the table row where piece k of column c begins (set when the pieces are). */
  private readonly starts: number[][] = [];

  constructor(
    readonly path: string,
    readonly format: Format,
    columns: readonly (HeldColumn | LazyColumn)[],
    readonly rowCount: number,
    private readonly options: ColumnarTableOptions = {},
  ) {
    this.columns = columns.map((c) => c.name);
    this.types = columns.map((c) => c.type);
    this.held = columns.map((c) => ("pieces" in c
      ? { name: c.name, type: c.type, pieces: null }
      : { name: c.name, type: c.type, pieces: null, load: () => c.load() }));
    columns.forEach((c, i) => { if ("pieces" in c) this.place(i, c.pieces); });
  }

  get columnTypes(): readonly ColumnType[] {
    return this.types;
  }

  /** Column c's pieces, decoding a lazy column on first use. */
  private piecesOf(c: number): ColumnPiece[] {
    return this.held[c]!.pieces ?? this.place(c, this.held[c]!.load!());
  }

  private place(c: number, pieces: ColumnPiece[]): ColumnPiece[] {
    const starts: number[] = [];
    let row = 0;
    for (const piece of pieces) {
      starts.push(row);
      row += piece.values.length;
    }
    if (row !== this.rowCount) throw new Error(`column ${this.held[c]!.name} holds ${row} rows, table has ${this.rowCount}`);
    this.starts[c] = starts;
    this.held[c]!.pieces = pieces;
    return pieces;
  }

  rowNumberTokens(rows: readonly number[]): Map<number, (string | null)[]> {
    if (!this.options.rowNumberTokens) throw new Error(`${this.path}: not a JSON lines table, so it has no number tokens`);
    return this.options.rowNumberTokens(rows, this.columns);
  }

  cell(row: number, column: number): unknown {
    if (!(row >= 0 && row < this.rowCount)) throw new RangeError(`row ${row} is outside ${this.path}'s ${this.rowCount} rows`);
    const pieces = this.piecesOf(column);
    // Writers call this once per output cell: no allocation, and no search for one-piece columns.
    const k = pieces.length === 1 ? 0 : this.pieceOf(row, column);
    const piece = pieces[k]!;
    const index = k === 0 ? row : row - this.starts[column]![k]!;
    let value: unknown;
    if (piece.kind === "boxed") value = piece.values[index] ?? null;
    else if (piece.kind === "utf8") value = piece.values.text(index);
    else value = piece.missing?.[index] ? null : piece.values[index]!;
    return value === null ? null : typedValue(value, this.held[column]!.type);
  }

  /** Column c's values as UTF-8 bytes when it holds them so (one Utf8Column piece), else null. */
  utf8Values(c: number): Utf8Column | null {
    this.checkColumnIndex(c);
    const pieces = this.piecesOf(c);
    return pieces.length === 1 && pieces[0]!.kind === "utf8" ? pieces[0]!.values : null;
  }

  extract(request: ExtractRequest): string[] {
    for (const block of request.numeric) {
      for (const c of block.columns) this.checkColumnIndex(c);
      checkBlockShape(block, this.rowCount);
    }
    if (request.idColumn !== null) this.checkColumnIndex(request.idColumn);
    const ids = request.idColumn === null ? [] : this.extractIds(request.idColumn);
    const fills = request.numeric.flatMap((block) => block.columns.map((c, j) => this.planFill(block, c, block.offset + j)));
    const steps = this.inQuads(fills);
    // Row tiles keep the destination rows being written in cache while every column passes
    // over them; filling one whole column at a time strides across the entire output each time.
    for (let from = 0; from < this.rowCount; from += TILE_ROWS) {
      const to = Math.min(this.rowCount, from + TILE_ROWS);
      for (const step of steps) {
        if ("quad" in step) this.fillQuad(step, from, to);
        else this.fillTile(step, from, to);
      }
    }
    return ids;
  }

  /**
   * The fills in order, each four in a row that go to consecutive slots of one block from
   * columns of one typed piece without missing values (the float32 and float64 pairings)
   * joined into one quad: a loop that writes a row's four values together ran the transpose of
   * 1M×128 float32 columns in 77-81 ms against 186-192 ms column by column.
   */
  private inQuads(fills: ColumnFill[]): (ColumnFill | FillQuad)[] {
    const steps: (ColumnFill | FillQuad)[] = [];
    for (let k = 0; k < fills.length; k++) {
      const four = fills.slice(k, k + 4), quad = four.length === 4 ? this.quadOf(four) : null;
      if (quad) {
        steps.push(quad);
        k += 3;
      } else {
        steps.push(fills[k]!);
      }
    }
    return steps;
  }

  private quadOf(fills: ColumnFill[]): FillQuad | null {
    // The four columns' own loops must be one fast pairing (planFill chose it: a number piece without missing values).
    const loop = QUAD_LOOPS.get(fills[0]!.loops[0]!);
    const values: NumberArray[] = [];
    for (const [i, fill] of fills.entries()) {
      const pieces = this.piecesOf(fill.column);
      if (fill.block !== fills[0]!.block || fill.slot !== fills[0]!.slot + i || fill.loops.length !== 1 || fill.loops[0] !== fills[0]!.loops[0]) return null;
      values.push(pieces[0]!.values as NumberArray);
    }
    return loop ? { quad: true, fills: fills as FillQuad["fills"], values: values as FillQuad["values"], loop } : null;
  }

  /** A quad's rows [from, to); at a value a column may not hold, its fills run one by one to report the first as they would. */
  private fillQuad(quad: FillQuad, from: number, to: number): void {
    const [first] = quad.fills, { block } = first, [a, b, c, d] = quad.values;
    const bad = quad.loop(a, b, c, d, block.out, block.rowStart * block.stride + first.slot, block.stride, from, to);
    if (bad < 0) return;
    for (const fill of quad.fills) this.fillTile(fill, from, to);
    throw new Error(`internal: a quad of columns found row ${bad} unfit, but none of its columns did`);
  }

  private checkColumnIndex(c: number): void {
    if (!Number.isInteger(c) || c < 0 || c >= this.held.length) {
      throw new RangeError(`column index ${c} is outside ${this.path}'s ${this.held.length} columns`);
    }
  }

  /** The piece of `column` that holds `row`: the last one starting at or before it. */
  private pieceOf(row: number, column: number): number {
    const starts = this.starts[column]!;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private extractIds(column: number): string[] {
    const ids: string[] = new Array(this.rowCount);
    const name = this.held[column]!.name;
    const pieces = this.piecesOf(column);
    const starts = this.starts[column]!;
    if (isWrapped(this.held[column]!.type)) {
      for (let r = 0; r < this.rowCount; r++) ids[r] = this.idText(this.cell(r, column), r, name);
      return ids;
    }
    if (this.options.numberText && pieces.some((p) => p.kind === "boxed" && p.values.some((v) => typeof v === "number"))) {
      return this.numberIdsAsWritten(column);
    }
    pieces.forEach((piece, k) => {
      const start = starts[k]!;
      const n = piece.values.length;
      if (piece.kind === "boxed") {
        const values = piece.values;
        for (let r = 0; r < n; r++) ids[start + r] = this.idText(values[r], start + r, name);
      } else if (piece.kind === "utf8") {
        for (let r = 0; r < n; r++) ids[start + r] = this.idText(piece.values.text(r), start + r, name);
      } else {
        const { values, missing } = piece;
        for (let r = 0; r < n; r++) {
          if (missing !== undefined && missing[r] !== 0) throw this.nullIdError(start + r, name);
          ids[start + r] = String(values[r]);
        }
      }
    });
    return ids;
  }

  /**
   * Ids of a JSON lines column holding numbers, as the file writes them. Where a number's text
   * is not the one JavaScript prints for it (`7.0`, `1e3`, `0.10`, digits beyond 2^53), the
   * column becomes text from then on, so the output repeats the id as written too.
   */
  private numberIdsAsWritten(column: number): string[] {
    const { name } = this.held[column]!;
    const texts = this.options.numberText!(name);
    const ids: string[] = new Array(this.rowCount);
    const cells: unknown[] = new Array(this.rowCount);
    let changed = false;
    for (let r = 0; r < this.rowCount; r++) {
      const value = this.cell(r, column);
      if (typeof value === "number") {
        const text = texts[r];
        if (typeof text !== "string") throw new Error(`${this.path}: row ${r + 1}, column "${name}": no number token found`);
        if (text !== String(value)) changed = true;
        ids[r] = cells[r] = text;
      } else {
        ids[r] = this.idText(value, r, name);
        cells[r] = value;
      }
    }
    if (changed) {
      this.held[column]!.type = TEXT;
      this.types[column] = TEXT;
      this.place(column, [{ kind: "boxed", values: cells }]);
    }
    return ids;
  }

  private idText(value: unknown, row: number, name: string): string {
    if (typeof value === "string") {
      if (value === "") throw new DataError(`${this.path}: ${this.rowLabel(row)} has an empty id in column "${name}"; every row needs an id.`);
      return value;
    }
    if (value === null || value === undefined) throw this.nullIdError(row, name);
    if (typeof value === "number") return String(value);
    if (typeof value === "bigint" || typeof value === "boolean") return String(value);
    if (value instanceof Date) return value.toISOString();
    if (isTypedValue(value)) return value.toString();
    throw new DataError(`${this.path}: ${this.rowLabel(row)}, column "${name}" holds ${describe(value)}, which cannot be an id; choose an id column of text or whole numbers.`);
  }

  /** "row 12", or "row 12 (line 14)" where rows and lines differ. */
  private rowLabel(row: number): string {
    const line = this.options.lineOfRow?.(row);
    return line === undefined || line === row + 1 ? `row ${row + 1}` : `row ${row + 1} (line ${line})`;
  }

  private nullIdError(row: number, name: string): DataError {
    return new DataError(`${this.path}: ${this.rowLabel(row)} has no id (null) in column "${name}"; every row needs an id.`);
  }

  /** How one column goes into one destination slot: chosen once, then run per tile. */
  private planFill(block: NumericBlock, column: number, slot: number): ColumnFill {
    const { out } = block;
    const wholeOnly = block.kind === "integer" || out instanceof Int32Array;
    const int32Only = out instanceof Int32Array;
    const type = this.held[column]!.type;
    const loops = this.piecesOf(column).map((piece): FillLoop => {
      if (type.kind === "timestamp" || type.kind === "date" || type.kind === "time") {
        return (_values, _missing, _o, _base, _stride, from, to) => (from < to ? from : -1); // a time is not a number
      }
      if (type.kind === "decimal") {
        return (values, missing, o, base, stride, from, to) => fillDecimals(values as ArrayLike<unknown>, missing, type.scale, o, base, stride, from, to, wholeOnly, int32Only);
      }
      if (piece.kind === "number") {
        if (piece.missing === undefined) {
          const fast = fastLoop(piece.values, out, wholeOnly);
          if (fast) return fast;
        }
        return wholeOnly
          ? (values, missing, o, base, stride, from, to) => fillWholeNumbers(values as NumberArray, missing, o, base, stride, from, to, int32Only)
          : (values, missing, o, base, stride, from, to) => fillFiniteNumbers(values as NumberArray, missing, o, base, stride, from, to);
      }
      if (piece.kind === "bigint") {
        return (values, missing, o, base, stride, from, to) => fillBigInts(values as BigInt64Array, missing, o, base, stride, from, to, int32Only);
      }
      // Numbers written as text: the strings made once, for every tile.
      const texts = piece.kind === "utf8" ? piece.values.texts() : null;
      return (values, _missing, o, base, stride, from, to) => fillBoxed(texts ?? values as unknown[], o, base, stride, from, to, wholeOnly, int32Only);
    });
    return { block, column, slot, loops, piece: 0 };
  }

  /** Fills rows [from, to) of one slot, across whichever pieces hold them. */
  private fillTile(fill: ColumnFill, from: number, to: number): void {
    const { block, column, slot, loops } = fill;
    const pieces = this.piecesOf(column);
    const starts = this.starts[column]!;
    let row = from;
    while (row < to) {
      // Tiles arrive in row order, so the piece holding `row` is this one or a later one.
      while (starts[fill.piece]! + pieces[fill.piece]!.values.length <= row) fill.piece++;
      const k = fill.piece;
      const piece = pieces[k]!;
      const start = starts[k]!;
      const end = Math.min(to, start + piece.values.length);
      const base = (block.rowStart + start) * block.stride + slot;
      const missing = piece.kind === "boxed" || piece.kind === "utf8" ? undefined : piece.missing;
      const bad = loops[k]!(piece.values, missing, block.out, base, block.stride, row - start, end - start);
      if (bad >= 0) {
        throw this.numberError(start + bad, this.held[column]!.name, this.cell(start + bad, column), block, block.out instanceof Int32Array);
      }
      row = end;
    }
  }

  private numberError(row: number, name: string, value: unknown, block: NumericBlock, int32Only: boolean): DataError {
    const what = value === null ? "is empty (null)" : `holds ${describe(value)}`;
    const number = typeof value === "number" ? value : typeof value === "string" && NUMERIC_TEXT.test(value) ? Number(value)
      : typeof value === "bigint" ? Number(value) : value instanceof Decimal ? value.toNumber() : NaN;
    const range = storableRange(block.out);
    if (Number.isFinite(number) && (number > range.max || number < range.min) && (block.kind !== "integer" || Number.isInteger(number))) {
      return new DataError(`${this.path}: ${this.rowLabel(row)}, column "${name}" ${what}: ${range.hint}.`);
    }
    let want = block.kind === "integer" ? "a whole number (a leaf index)" : "a finite number (no NaN, inf or text)";
    if (int32Only && typeof value !== "string" && value !== null) want = "a whole number between -2147483648 and 2147483647";
    return new DataError(`${this.path}: ${this.rowLabel(row)}, column "${name}" ${what}; expected ${want}. Fix or drop that row.`);
  }
}

/** Typed arrays drop writes past their end silently, so a block too small for its rows is refused first. */
function checkBlockShape({ columns, out, rowStart, stride, offset }: NumericBlock, rowCount: number): void {
  if (!(Number.isInteger(rowStart) && rowStart >= 0 && Number.isInteger(offset) && offset >= 0 && offset + columns.length <= stride)) {
    throw new RangeError(`a numeric block of ${columns.length} columns at offset ${offset} does not fit rows of stride ${stride} (rowStart ${rowStart})`);
  }
  if (rowCount > 0 && columns.length > 0 && (rowStart + rowCount) * stride > out.length) {
    throw new RangeError(`a numeric block needs ${(rowStart + rowCount) * stride} values for rows up to ${rowStart + rowCount}, but its array holds ${out.length}`);
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") {
    const shown = value.length > 40 ? value.slice(0, 40) + "…" : value;
    return `the text "${shown}"`;
  }
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return `the boolean ${value}`;
  if (value instanceof Date) return `the timestamp ${Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()}`;
  if (value instanceof Timestamp) return `the timestamp ${value}`;
  if (value instanceof CalendarDate) return `the date ${value}`;
  if (value instanceof TimeOfDay) return `the time ${value}`;
  if (value instanceof Decimal) return `the decimal ${value}`;
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} raw bytes`;
  return "a nested record";
}

/** Rows per tile in extract(): 512 rows of 128 float32 columns is 256 KiB of output. */
const TILE_ROWS = 512;

interface ColumnFill {
  block: NumericBlock;
  column: number;
  slot: number;
  /** One loop per piece of the column. */
  loops: FillLoop[];
  /** The piece the last tile ended in. */
  piece: number;
}

/** Four one-piece columns into consecutive slots of one block (extract()'s inQuads). */
interface FillQuad {
  quad: true;
  fills: [ColumnFill, ColumnFill, ColumnFill, ColumnFill];
  values: [NumberArray, NumberArray, NumberArray, NumberArray];
  loop: QuadLoop;
}

/** A fast loop over four columns at once: rows [from, to) to out[base + r·stride + 0..3]; returns the first row where a value may not go there, or -1. */
type QuadLoop = (a: NumberArray, b: NumberArray, c: NumberArray, d: NumberArray, out: NumericArray, base: number, stride: number, from: number, to: number) => number;

/**
 * Copies piece rows [from, to) to out[base + r * stride]; returns the first row (piece-local)
 * that cannot go there, or -1. The message is built by the caller, out of the hot loop.
 */
type FillLoop = (
  values: ColumnPiece["values"], missing: Uint8Array | undefined, out: NumericArray, base: number, stride: number, from: number, to: number,
) => number;

/**
 * A loop written for one source and one destination array type, for the common pairings.
 * The JIT compiles each function for the types it sees; one loop fed every pairing ran at a
 * third of the speed of these.
 */
function fastLoop(values: NumberArray, out: NumericArray, wholeOnly: boolean): FillLoop | undefined {
  if (wholeOnly) {
    return values instanceof Int32Array && out instanceof Int32Array ? fillInt32ToInt32 as FillLoop : undefined;
  }
  if (values instanceof Float32Array) {
    if (out instanceof Float32Array) return fillFloat32ToFloat32 as FillLoop;
    if (out instanceof Float64Array) return fillFloat32ToFloat64 as FillLoop;
  } else if (values instanceof Float64Array) {
    if (out instanceof Float64Array) return fillFloat64ToFloat64 as FillLoop;
    if (out instanceof Float32Array) return fillFloat64ToFloat32 as FillLoop;
  }
  return undefined;
}

// `v - v !== 0` is true exactly for NaN and ±inf.

function fillFloat32ToFloat32(values: Float32Array, _m: undefined, out: Float32Array, base: number, stride: number, from: number, to: number): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v = values[r]!;
    if (v - v !== 0) return r;
    out[o] = v;
  }
  return -1;
}

function fillFloat32ToFloat64(values: Float32Array, _m: undefined, out: Float64Array, base: number, stride: number, from: number, to: number): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v = values[r]!;
    if (v - v !== 0) return r;
    out[o] = v;
  }
  return -1;
}

function fillFloat64ToFloat64(values: Float64Array, _m: undefined, out: Float64Array, base: number, stride: number, from: number, to: number): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v = values[r]!;
    if (v - v !== 0 || v > FLOAT64_LIMIT || v < -FLOAT64_LIMIT) return r;
    out[o] = v;
  }
  return -1;
}

function fillFloat64ToFloat32(values: Float64Array, _m: undefined, out: Float32Array, base: number, stride: number, from: number, to: number): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v = values[r]!;
    if (v - v !== 0 || v > FLOAT32_MAX || v < -FLOAT32_MAX) return r; // NaN, ±inf, or inf once stored
    out[o] = v;
  }
  return -1;
}

// The same checks four columns at a time: a sum of the four v - v is 0 only when each is.

function quadFloat32ToFloat32(a: Float32Array, b: Float32Array, c: Float32Array, d: Float32Array, out: Float32Array, base: number, stride: number,
  from: number, to: number): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v0 = a[r]!, v1 = b[r]!, v2 = c[r]!, v3 = d[r]!;
    if (v0 - v0 + (v1 - v1) + (v2 - v2) + (v3 - v3) !== 0) return r;
    out[o] = v0; out[o + 1] = v1; out[o + 2] = v2; out[o + 3] = v3;
  }
  return -1;
}

function quadFloat64ToFloat64(a: Float64Array, b: Float64Array, c: Float64Array, d: Float64Array, out: Float64Array, base: number, stride: number,
  from: number, to: number): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v0 = a[r]!, v1 = b[r]!, v2 = c[r]!, v3 = d[r]!;
    if (v0 - v0 + (v1 - v1) + (v2 - v2) + (v3 - v3) !== 0) return r;
    if (Math.max(Math.abs(v0), Math.abs(v1), Math.abs(v2), Math.abs(v3)) > FLOAT64_LIMIT) return r;
    out[o] = v0; out[o + 1] = v1; out[o + 2] = v2; out[o + 3] = v3;
  }
  return -1;
}

/** The quad loop for columns whose own loop is the key. */
const QUAD_LOOPS = new Map<FillLoop, QuadLoop>([
  [fillFloat32ToFloat32 as FillLoop, quadFloat32ToFloat32 as QuadLoop],
  [fillFloat64ToFloat64 as FillLoop, quadFloat64ToFloat64 as QuadLoop],
]);

function fillInt32ToInt32(values: Int32Array, _m: undefined, out: Int32Array, base: number, stride: number, from: number, to: number): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) out[o] = values[r]!;
  return -1;
}

// The general loops: any typed source and destination, with a missing mask and range checks.

function fillFiniteNumbers(
  values: NumberArray, missing: Uint8Array | undefined, out: NumericArray, base: number, stride: number, from: number, to: number,
): number {
  const { max } = storableRange(out);
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v = values[r]!;
    if ((missing !== undefined && missing[r] !== 0) || v - v !== 0 || v > max || v < -max) return r;
    out[o] = v;
  }
  return -1;
}

function fillWholeNumbers(
  values: NumberArray, missing: Uint8Array | undefined, out: NumericArray, base: number, stride: number, from: number, to: number, int32Only: boolean,
): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const v = values[r]!;
    if ((missing !== undefined && missing[r] !== 0) || !isWhole(v, int32Only)) return r;
    out[o] = v;
  }
  return -1;
}

function fillBigInts(
  values: BigInt64Array | BigUint64Array, missing: Uint8Array | undefined, out: NumericArray, base: number, stride: number, from: number, to: number, int32Only: boolean,
): number {
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    if (missing !== undefined && missing[r] !== 0) return r;
    const v = Number(values[r]!);
    if (int32Only && (v < -2147483648 || v > 2147483647)) return r;
    out[o] = v;
  }
  return -1;
}

/** A plain decimal number written as text ("0.375", "-1e3"), as the CSV reader accepts. */
const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function fillBoxed(
  values: readonly unknown[], out: NumericArray, base: number, stride: number, from: number, to: number, wholeOnly: boolean, int32Only: boolean,
): number {
  const { max } = storableRange(out);
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const value = values[r];
    let v: number;
    if (typeof value === "number") v = value;
    else if (typeof value === "bigint") v = Number(value);
    else if (typeof value === "string" && NUMERIC_TEXT.test(value)) v = Number(value); // numbers kept as text columns
    else return r;
    if (wholeOnly ? !isWhole(v, int32Only) : v - v !== 0 || v > max || v < -max) return r;
    out[o] = v;
  }
  return -1;
}

/** Decimal pieces hold unscaled integers: numbers (INT32), bigints (INT64) or boxed bigints (wider). */
function fillDecimals(
  values: ArrayLike<unknown>, missing: Uint8Array | undefined, scale: number, out: NumericArray, base: number, stride: number, from: number, to: number,
  wholeOnly: boolean, int32Only: boolean,
): number {
  const { max } = storableRange(out);
  for (let r = from, o = base + from * stride; r < to; r++, o += stride) {
    const unscaled = values[r];
    if ((missing !== undefined && missing[r] !== 0) || unscaled === null || unscaled === undefined) return r;
    const v = new Decimal(BigInt(unscaled as number | bigint), scale).toNumber();
    if (wholeOnly ? !isWhole(v, int32Only) : v - v !== 0 || v > max || v < -max) return r;
    out[o] = v;
  }
  return -1;
}

/** Columns whose held integers `cell()` wraps in a value class. */
function isWrapped(type: ColumnType): boolean {
  return type.kind === "timestamp" || type.kind === "date" || type.kind === "time" || type.kind === "decimal";
}

/** A held value as the column's type presents it. */
function typedValue(value: unknown, type: ColumnType): unknown {
  switch (type.kind) {
    case "timestamp": return new Timestamp(BigInt(value as bigint), type.unit, type.timeZone);
    case "date": return new CalendarDate(Number(value));
    case "time": return new TimeOfDay(BigInt(value as number | bigint), type.unit);
    case "decimal": return new Decimal(BigInt(value as number | bigint), type.scale);
    default: return value;
  }
}

function isWhole(v: number, int32Only: boolean): boolean {
  if (!Number.isInteger(v)) return false;
  return !int32Only || (v >= -2147483648 && v <= 2147483647);
}

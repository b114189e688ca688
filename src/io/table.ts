/**
 * One input file as read, whatever its format: its columns in order, its row count, a way to
 * pull the columns the engine needs into typed arrays, and the original cells for the writers.
 */
import type { ColumnType } from "./column-type.ts";
import type { Utf8Column } from "./utf8-column.ts";

export type { ColumnType } from "./column-type.ts";
export type Format = "csv" | "parquet" | "arrow" | "jsonl";

/** A row-major numeric destination: column j of row r lands at out[(rowStart + r) * stride + offset + j]. */
export type NumericArray = Float64Array | Float32Array | Int32Array;

export interface NumericBlock {
  /** Column positions in the table, in the order they fill the row. */
  columns: readonly number[];
  out: NumericArray;
  /** Global row of this table's first row (tables of one channel fill one array). */
  rowStart: number;
  /** Values per destination row. */
  stride: number;
  /** Position of the first of these columns inside a destination row. */
  offset: number;
  /**
   * "finite": any finite number. "integer": a finite whole number (GBDT leaf ids).
   * Anything else (text, empty, NaN, ±inf), or a value outside `storableRange(out)`, is a
   * DataError naming file, row and column.
   */
  kind: "finite" | "integer";
}

/** Largest |value| held in float64: squared distances summed over millions of dimensions stay finite. */
export const FLOAT64_LIMIT = 1e150;
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The values `out` holds without changing their meaning (an Int32Array wraps 2^32 to 0, a
 * Float32Array turns 1e39 into inf), and what to tell the user about one outside. Every
 * reader's extract() checks each numeric cell against the range of its destination.
 */
export function storableRange(out: NumericArray): { min: number; max: number; hint: string } {
  if (out instanceof Int32Array) return { min: -(2 ** 31), max: 2 ** 31 - 1, hint: "a leaf index beyond 32 bits; renumber the leaves from 0" };
  if (out instanceof Float32Array) {
    return { min: -FLOAT32_MAX, max: FLOAT32_MAX, hint: "beyond float32's range (±3.4e38); set VECTOR_PRECISION=float64 (--vector-precision float64) or rescale the column" };
  }
  return { min: -FLOAT64_LIMIT, max: FLOAT64_LIMIT, hint: `beyond ±${FLOAT64_LIMIT}, where squared distances overflow; rescale the column` };
}

export interface ExtractRequest {
  /**
   * Column whose values become ids, kept exactly as written (text for CSV, String(value)
   * otherwise); null for none (extract() then returns no ids: the caller reads them otherwise).
   */
  idColumn: number | null;
  numeric: readonly NumericBlock[];
}


export interface Table {
  readonly path: string;
  readonly format: Format;
  readonly columns: readonly string[];
  readonly rowCount: number;
  /** What each column holds, for writers that keep types. CSV columns are all text. */
  readonly columnTypes: readonly ColumnType[];
  /** Fills the ids and numeric blocks in one pass; returns the ids of this table's rows. */
  extract(request: ExtractRequest): string[];
  /** Columns made from Hive-style key=value folders (src/io/partitions.ts), not from the file. */
  readonly partitionColumns?: readonly string[];
  /**
   * One cell as the file holds it: text for CSV; otherwise a typed value: number, bigint
   * (64-bit integers), string, boolean, Timestamp, CalendarDate, Decimal (typed-values.ts),
   * a plain array or object for nested values, or null.
   */
  cell(row: number, column: number): unknown;
  /**
   * A column's values as UTF-8 bytes, when the reader holds them so (Parquet text stored
   * PLAIN, read by row group), else null or absent: ids hashed without a string each.
   */
  utf8Values?(column: number): Utf8Column | null;
  /**
   * JSON lines only: the numbers of the given rows as the file writes them (`3`, `3.0`, `1e3`,
   * every digit; JSON.parse keeps none of that), by row, then by column (null: not a number).
   */
  rowNumberTokens?(rows: readonly number[]): Map<number, (string | null)[]>;
}

/** CSV tables also hand back each record's bytes, so CSV output repeats them byte for byte. */
export interface CsvTable extends Table {
  readonly format: "csv";
  /** The header line as written, without BOM or line ending. */
  readonly headerBytes: Uint8Array;
  readonly hadBom: boolean;
  /** "\r\n" or "\n", as the header line ended. */
  readonly lineEnding: string;
  /** Record bytes without the line ending. */
  recordBytes(row: number): Uint8Array;
}

export function isCsvTable(table: Table): table is CsvTable {
  return table.format === "csv";
}

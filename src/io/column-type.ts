/**
 * What a column holds, as precisely as a typed writer (Parquet) needs to write it back
 * unchanged: the integer width and sign, the timestamp unit and time zone, the decimal
 * precision and scale. Readers of typed formats (Parquet, Arrow, JSONL) fill it from the
 * file's schema; CSV columns are "text" until the output infers a type (see csvColumnType).
 */

/** Timestamp resolution, as Arrow and Parquet name it. */
export type TimeUnit = "ms" | "us" | "ns";

export type IntegerBits = 8 | 16 | 32 | 64;

export type ColumnType =
  /** UTF-8 text; `dictionary` where the file stored it as a dictionary (categorical) column. */
  | { kind: "text"; dictionary?: boolean }
  | { kind: "double" }
  | { kind: "float" }
  | { kind: "integer"; bits: IntegerBits; signed: boolean }
  | { kind: "boolean" }
  /**
   * An instant or a wall-clock time. `timeZone` null: local (naive) time, no zone; "UTC" or an
   * IANA name: an instant counted from the Unix epoch in UTC, shown in that zone.
   */
  | { kind: "timestamp"; unit: TimeUnit; timeZone: string | null }
  /** Days since 1970-01-01 (Arrow date32, Parquet DATE). */
  | { kind: "date" }
  /** A time of day, `unit`s since midnight; `utc` where the file says it is adjusted to UTC. */
  | { kind: "time"; unit: TimeUnit; utc: boolean }
  | { kind: "decimal"; precision: number; scale: number }
  /** Lists, records, raw bytes and anything else: written as JSON text. */
  | { kind: "other" };

export const TEXT: ColumnType = { kind: "text" };
export const DOUBLE: ColumnType = { kind: "double" };
export const FLOAT: ColumnType = { kind: "float" };
export const BOOLEAN: ColumnType = { kind: "boolean" };
export const DATE: ColumnType = { kind: "date" };
export const OTHER: ColumnType = { kind: "other" };
export const INT32: ColumnType = integer(32, true);
export const INT64: ColumnType = integer(64, true);

export function integer(bits: IntegerBits, signed: boolean): ColumnType {
  return { kind: "integer", bits, signed };
}

export function timestamp(unit: TimeUnit, timeZone: string | null): ColumnType {
  return { kind: "timestamp", unit, timeZone };
}

/** A column whose values are numbers the engine can read as scores or features. */
export function isNumeric(type: ColumnType): boolean {
  return type.kind === "double" || type.kind === "float" || type.kind === "integer" || type.kind === "decimal";
}

/**
 * The type's name as the metadata lists it, in Arrow's spelling: "string", "dictionary<string>",
 * "int8" … "uint64", "float", "double", "bool", "date32", "timestamp[us]" (no zone),
 * "timestamp[ns, tz=UTC]", "time64[us]", "decimal(10, 2)", "json".
 */
export function typeName(type: ColumnType): string {
  switch (type.kind) {
    case "text": return type.dictionary ? "dictionary<string>" : "string";
    case "double": return "double";
    case "float": return "float";
    case "integer": return `${type.signed ? "int" : "uint"}${type.bits}`;
    case "boolean": return "bool";
    case "timestamp": return type.timeZone === null ? `timestamp[${type.unit}]` : `timestamp[${type.unit}, tz=${type.timeZone}]`;
    case "date": return "date32";
    case "time": return `${type.unit === "ms" ? "time32" : "time64"}[${type.unit}]${type.utc ? " (UTC)" : ""}`;
    case "decimal": return `decimal(${type.precision}, ${type.scale})`;
    case "other": return "json";
  }
}

const UNIT_ORDER: Record<TimeUnit, number> = { ms: 0, us: 1, ns: 2 };

/**
 * One type for a column that files of one pool type differently: the narrower widened where one
 * type holds every value of both (integers, timestamp units of one zone, float into double,
 * decimals of one scale, dictionary into plain strings); otherwise text, which holds any value
 * written out (a timestamp as ISO 8601 text, a number as its shortest form).
 */
export function commonType(a: ColumnType, b: ColumnType): ColumnType {
  if (typeName(a) === typeName(b)) return a;
  if (a.kind === "integer" && b.kind === "integer") return commonInteger(a, b) ?? TEXT;
  if (a.kind === "timestamp" && b.kind === "timestamp" && a.timeZone === b.timeZone) {
    return UNIT_ORDER[a.unit] >= UNIT_ORDER[b.unit] ? a : b;
  }
  if ((a.kind === "float" || a.kind === "double") && (b.kind === "float" || b.kind === "double")) return DOUBLE;
  if (a.kind === "decimal" && b.kind === "decimal" && a.scale === b.scale) return a.precision >= b.precision ? a : b;
  return TEXT;
}

function commonInteger(a: { bits: IntegerBits; signed: boolean }, b: { bits: IntegerBits; signed: boolean }): ColumnType | undefined {
  if (a.signed === b.signed) return integer(Math.max(a.bits, b.bits) as IntegerBits, a.signed);
  const [signed, unsigned] = a.signed ? [a, b] : [b, a];
  if (signed.bits > unsigned.bits) return integer(signed.bits, true);
  return unsigned.bits < 64 ? integer((unsigned.bits * 2) as IntegerBits, true) : undefined;
}

/** Integral text as the CSV output rule reads it: no leading zeros (they would be lost), no point or exponent. */
const INTEGRAL_TEXT = /^[+-]?(0|[1-9][0-9]*)$/;
/** Any decimal number, or NaN and ±infinity as pandas and numpy write them. */
const NUMBER_TEXT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$|^[+-]?(nan|NaN|inf|Inf|infinity|Infinity)$/;
/** "007", "02139": codes, not numbers; as numbers their leading zeros would be lost. */
const LEADING_ZERO = /^[+-]?0[0-9]/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The one rule for a CSV column written to a typed file: every non-empty cell integral (within
 * 64 bits) → int64; every non-empty cell a number → double; anything else (including numbers
 * written with leading zeros, such as "02139"), or no value at all, → string. Empty cells are nulls and do not vote. The id column is always text (the caller's rule).
 */
export function csvColumnType(cells: Iterable<string>): ColumnType {
  let integral = true;
  let seen = false;
  for (const raw of cells) {
    const text = raw.trim();
    if (text === "") continue;
    seen = true;
    if (integral && INTEGRAL_TEXT.test(text)) {
      const value = BigInt(text);
      if (value >= INT64_MIN && value <= INT64_MAX) continue;
    }
    integral = false;
    if (!NUMBER_TEXT.test(text) || LEADING_ZERO.test(text)) return TEXT;
  }
  if (!seen) return TEXT;
  return integral ? INT64 : DOUBLE;
}

/**
 * A CSV cell as the value a column of `type` (from csvColumnType) holds: null for empty, in
 * text columns too (as pandas, DuckDB and Polars read an empty CSV field); other text unchanged.
 */
export function csvCellValue(text: string, type: ColumnType): string | number | bigint | null {
  const trimmed = text.trim();
  if (type.kind === "text") return text === "" ? null : text;
  if (trimmed === "") return null;
  if (type.kind === "integer") return BigInt(trimmed);
  const lower = trimmed.toLowerCase().replace(/^\+/, "");
  if (lower === "nan" || lower === "-nan") return NaN;
  if (lower === "inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  return Number(trimmed);
}

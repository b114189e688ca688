/**
 * Writes columns to a Parquet file with hyparquet-writer, keeping each column's type as the
 * Parquet schema (and pyarrow's) spells it:
 *
 *   double → DOUBLE, float → FLOAT, boolean → BOOLEAN, text → STRING,
 *   int8/int16/uint8/uint16/uint32 → INT32 with INT(bits, signed), int32 → INT32,
 *   int64 → INT64, uint64 → INT64 with INT(64, false),
 *   timestamp[unit] → INT64 TIMESTAMP(unit, isAdjustedToUTC = has a zone),
 *   date32 → INT32 DATE, time32[ms] → INT32 TIME(ms), time64[us|ns] → INT64 TIME(unit), decimal(p, s) → DECIMAL(p, s) in INT32 (p ≤ 9), INT64 (p ≤ 18) or
 *   FIXED_LEN_BYTE_ARRAY, dictionary text → STRING, dictionary-encoded,
 *   other (lists, records, raw bytes) → STRING holding JSON text.
 *
 * Parquet cannot name a time zone or mark a categorical column, so the file also carries the
 * Arrow schema under ARROW:schema (as pyarrow and Polars write it), from which they read both.
 *
 * Every column is OPTIONAL (nullable), as pandas and pyarrow write them, so a column keeps one
 * schema whether or not this particular output has a null in it. Column statistics (min/max)
 * are left out: computing them was the writer's largest cost, and a selection is read whole. The file is written beside
 * its final name and renamed into place, so a failed write never leaves half a file there.
 */
import { Buffer } from "node:buffer";
import { renameSync, rmSync } from "node:fs";
import { parquetWriteFile } from "hyparquet-writer";
import type { ColumnSource } from "hyparquet-writer";
import { ARROW_SCHEMA_KEY, arrowSchemaValue } from "./arrow-schema.ts";
import { typeName, type ColumnType, type TimeUnit } from "./column-type.ts";
import { CalendarDate, Decimal, isTypedValue, TimeOfDay, Timestamp } from "./typed-values.ts";

export interface OutputColumn {
  name: string;
  type: ColumnType;
  /** One value per row; null (or undefined) for a missing value. */
  values: readonly unknown[];
}

/** A Parquet schema element as hyparquet-writer's own copy of hyparquet declares it. */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteFile>[0]["schema"]>[number];

/** Rows per row group: large enough for fast scans, small enough to stream back in pieces. */
const ROW_GROUP_ROWS = 100_000;

export function writeParquetFile(path: string, columns: readonly OutputColumn[]): void {
  const rows = columns[0]?.values.length ?? 0;
  for (const column of columns) {
    if (column.values.length !== rows) {
      throw new RangeError(`column "${column.name}" has ${column.values.length} values, but "${columns[0]!.name}" has ${rows}`);
    }
  }
  const written = columns.map((column) => toColumnSource(column));
  const schema: SchemaElement[] = [{ name: "root", num_children: columns.length }, ...written.map((w) => w.element)];
  const kvMetadata = [{ key: ARROW_SCHEMA_KEY, value: arrowSchemaValue(columns) }];
  const partial = `${path}.partial`;
  try {
    parquetWriteFile({
      filename: partial, columnData: written.map((w) => w.source), schema, kvMetadata, rowGroupSize: ROW_GROUP_ROWS, codec: "SNAPPY", statistics: false,
    });
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

const PARQUET_UNIT = { ms: "MILLIS", us: "MICROS", ns: "NANOS" } as const;
const UNITS_PER_MS: Record<TimeUnit, bigint> = { ms: 1n, us: 1000n, ns: 1_000_000n };

/** The column's schema element and its values in the physical form hyparquet-writer takes. */
function toColumnSource({ name, type, values }: OutputColumn): { source: ColumnSource; element: SchemaElement } {
  const hasNull = values.some((v) => v === null || v === undefined);
  const convert = <T>(map: (value: unknown, row: number) => T): (T | null)[] =>
    values.map((v, row) => (v === null || v === undefined ? null : map(v, row)));
  const fail = (row: number, value: unknown, want: string): never => {
    throw new TypeError(`column "${name}" (${typeName(type)}), row ${row + 1}: ${describeValue(value)} is not ${want}`);
  };
  const element: SchemaElement = { name, repetition_type: "OPTIONAL" };
  const column = (data: ColumnSource["data"], parquet: Omit<SchemaElement, "name" | "repetition_type">, encoding?: ColumnSource["encoding"]) => ({
    source: { name, data, ...(encoding ? { encoding } : {}) },
    element: { ...element, ...parquet },
  });

  switch (type.kind) {
    case "double": {
      const data = convert((v, row) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : v instanceof Decimal ? v.toNumber() : fail(row, v, "a number")));
      // Typed arrays skip hyparquet-writer's per-value checks; nulls need the plain array.
      // PLAIN: scores and embeddings rarely repeat, and trying a dictionary cost a fifth of the write.
      return column(hasNull ? data : typed(new Float64Array(data.length), data as number[]), { type: "DOUBLE" }, "PLAIN");
    }
    case "float": {
      const data = convert((v, row) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : fail(row, v, "a number")));
      return column(hasNull ? data : typed(new Float32Array(data.length), data as number[]), { type: "FLOAT" }, "PLAIN");
    }
    case "integer": {
      const { bits, signed } = type;
      const min = signed ? -(2n ** BigInt(bits - 1)) : 0n;
      const max = signed ? 2n ** BigInt(bits - 1) - 1n : 2n ** BigInt(bits) - 1n;
      const want = `a${signed ? "" : "n unsigned"} ${bits}-bit integer`;
      // The converted type alone (INT_8 … UINT_64), which every reader maps to the same integer
      // type: hyparquet-writer 0.17 writes the INTEGER logical type's bit width as an i32 where
      // Thrift wants a byte, and DuckDB then refuses the whole footer.
      const annotation = bits === 32 && signed ? {} : { converted_type: `${signed ? "" : "U"}INT_${bits}` as SchemaElement["converted_type"] };
      if (bits === 64) {
        const data = convert((v, row) => {
          const n = typeof v === "bigint" ? v : typeof v === "number" && Number.isInteger(v) ? BigInt(v) : fail(row, v, want);
          return n >= min && n <= max ? n : fail(row, v, want);
        });
        const typedArray = signed ? new BigInt64Array(data.length) : new BigUint64Array(data.length);
        return column(hasNull ? data : typed(typedArray, data as bigint[]), { type: "INT64", ...annotation });
      }
      const data = convert((v, row) => {
        const n = typeof v === "bigint" ? Number(v) : v;
        if (typeof n !== "number" || !Number.isInteger(n) || n < Number(min) || n > Number(max)) return fail(row, v, want);
        return n;
      });
      // uint32 stays a plain array: hyparquet-writer 0.17 turns values above 2^31 into their
      // two's-complement bits only there, and passes a Uint32Array on to a check that refuses them.
      const plain = hasNull || (bits === 32 && !signed);
      return column(plain ? data : typed(new Int32Array(data.length), data as number[]), { type: "INT32", ...annotation });
    }
    case "boolean":
      return column(convert((v, row) => (typeof v === "boolean" ? v : fail(row, v, "a boolean"))), { type: "BOOLEAN" });
    case "timestamp": {
      const perMs = UNITS_PER_MS[type.unit];
      const data = convert((v, row) => {
        if (v instanceof Timestamp) return inUnit(v, type.unit);
        const date = v instanceof Date ? v : fail(row, v, "a timestamp");
        return Number.isNaN(date.getTime()) ? fail(row, v, "a valid timestamp") : BigInt(date.getTime()) * perMs;
      });
      const utc = type.timeZone !== null;
      // The converted type, for readers older than logical types, exists only for UTC ms and µs.
      const converted = utc && type.unit !== "ns" ? { converted_type: type.unit === "ms" ? "TIMESTAMP_MILLIS" as const : "TIMESTAMP_MICROS" as const } : {};
      return column(data, { type: "INT64", ...converted, logical_type: { type: "TIMESTAMP", isAdjustedToUTC: utc, unit: PARQUET_UNIT[type.unit] } });
    }
    case "date": {
      const data = convert((v, row) => (v instanceof CalendarDate ? v.days : fail(row, v, "a date")));
      return column(data, { type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } });
    }
    case "time": {
      const { unit, utc } = type;
      const want = `a time of day in ${unit}`;
      const logical = { logical_type: { type: "TIME" as const, isAdjustedToUTC: utc, unit: PARQUET_UNIT[unit] } };
      // The converted type exists for ms and µs only; DuckDB writes it beside the logical type, as here.
      if (unit === "ms") {
        return column(convert((v, row) => (v instanceof TimeOfDay && v.unit === unit ? Number(v.value) : fail(row, v, want))),
          { type: "INT32", converted_type: "TIME_MILLIS", ...logical });
      }
      const data = convert((v, row) => (v instanceof TimeOfDay && v.unit === unit ? v.value : fail(row, v, want)));
      return column(data, { type: "INT64", ...(unit === "us" ? { converted_type: "TIME_MICROS" as const } : {}), ...logical });
    }
    case "decimal": {
      const { precision, scale } = type;
      const data = convert((v, row) => (v instanceof Decimal && v.scale === scale ? v.unscaled : fail(row, v, `a decimal with scale ${scale}`)));
      const physical: Omit<SchemaElement, "name" | "repetition_type"> = precision <= 9 ? { type: "INT32" } : precision <= 18 ? { type: "INT64" }
        : { type: "FIXED_LEN_BYTE_ARRAY", type_length: decimalBytes(precision) };
      return column(data, { ...physical, converted_type: "DECIMAL", scale, precision, logical_type: { type: "DECIMAL", scale, precision } });
    }
    case "text": {
      const data = convert((v) => (typeof v === "string" ? v : textOf(v)));
      return column(data, { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } }, type.dictionary ? "RLE_DICTIONARY" : undefined);
    }
    case "other":
      return column(convert((v) => jsonText(v)), { type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } });
  }
}

/** A timestamp's count in `unit` (finer units multiply; a coarser one would drop digits). */
function inUnit(value: Timestamp, unit: TimeUnit): bigint {
  const from = UNITS_PER_MS[value.unit];
  const to = UNITS_PER_MS[unit];
  if (from === to) return value.value;
  if (to > from) return value.value * (to / from);
  throw new TypeError(`a timestamp in ${value.unit} cannot be written to a ${unit} column without losing digits`);
}

/** Bytes of the smallest two's-complement integer that holds every `precision`-digit number. */
function decimalBytes(precision: number): number {
  const largest = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (largest >= 1n << BigInt(8 * bytes - 1)) bytes++;
  return bytes;
}

/** Copies into a typed array with a plain loop: TypedArray.from goes through the iterator protocol, 10x slower. */
function typed<T extends { [i: number]: V; length: number }, V>(out: T, values: readonly V[]): T {
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

/** Text for a value in a text column that is not a string (a CSV cell always is). */
function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (isTypedValue(value)) return value.toString();
  if (typeof value === "object") return jsonText(value);
  return String(value);
}

/**
 * JSON text for lists, records and other values without a Parquet type of their own. Unlike
 * JSON.stringify, bigints keep every digit (as JSON numbers), Dates become ISO strings and raw
 * bytes become base64 strings.
 */
export function jsonText(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
  if (typeof value === "string" || typeof value === "boolean" || value === null || value === undefined) return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(Number.isNaN(value.getTime()) ? null : value.toISOString());
  if (isTypedValue(value)) return JSON.stringify(value.toString());
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString("base64"));
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    return `[${Array.from(value as ArrayLike<unknown>, (item) => jsonText(item)).join(",")}]`;
  }
  if (typeof value === "object") {
    const fields = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`);
    return `{${fields.join(",")}}`;
  }
  return JSON.stringify(String(value));
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  if (value instanceof Date) return "a Date";
  if (typeof value === "object") return Array.isArray(value) ? "a list" : "an object";
  return `${typeof value} ${String(value)}`;
}

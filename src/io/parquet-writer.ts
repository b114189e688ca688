/**
 * Writes columns to a Parquet file with hyparquet-writer, keeping each column's type:
 *
 *   double → DOUBLE, float → FLOAT, int32 → INT32, int64 → INT64, boolean → BOOLEAN,
 *   text → STRING (UTF-8), timestamp → INT64 TIMESTAMP_MILLIS,
 *   other (lists, records, raw bytes, UINT_64) → STRING holding JSON text.
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
import type { ColumnType } from "./table.ts";

export interface OutputColumn {
  name: string;
  type: ColumnType;
  /** One value per row; null (or undefined) for a missing value. */
  values: readonly unknown[];
}

/** Rows per row group: large enough for fast scans, small enough to stream back in pieces. */
const ROW_GROUP_ROWS = 100_000;

export function writeParquetFile(path: string, columns: readonly OutputColumn[]): void {
  const rows = columns[0]?.values.length ?? 0;
  for (const column of columns) {
    if (column.values.length !== rows) {
      throw new RangeError(`column "${column.name}" has ${column.values.length} values, but "${columns[0]!.name}" has ${rows}`);
    }
  }
  const columnData: ColumnSource[] = columns.map((column) => toColumnSource(column));
  const partial = `${path}.partial`;
  try {
    parquetWriteFile({ filename: partial, columnData, rowGroupSize: ROW_GROUP_ROWS, codec: "SNAPPY", statistics: false });
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

function toColumnSource({ name, type, values }: OutputColumn): ColumnSource {
  const hasNull = values.some((v) => v === null || v === undefined);
  const convert = <T>(map: (value: unknown, row: number) => T): (T | null)[] =>
    values.map((v, row) => (v === null || v === undefined ? null : map(v, row)));
  const fail = (row: number, value: unknown, want: string): never => {
    throw new TypeError(`column "${name}" (${type}), row ${row + 1}: ${describeValue(value)} is not ${want}`);
  };

  switch (type) {
    case "double": {
      const data = convert((v, row) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : fail(row, v, "a number")));
      // Typed arrays skip hyparquet-writer's per-value checks; nulls need the plain array.
      // PLAIN: scores and embeddings rarely repeat, and trying a dictionary cost a fifth of the write.
      return { name, type: "DOUBLE", nullable: true, encoding: "PLAIN", data: hasNull ? data : typed(new Float64Array(data.length), data as number[]) };
    }
    case "float": {
      const data = convert((v, row) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : fail(row, v, "a number")));
      return { name, type: "FLOAT", nullable: true, encoding: "PLAIN", data: hasNull ? data : typed(new Float32Array(data.length), data as number[]) };
    }
    case "int32": {
      const data = convert((v, row) => {
        const n = typeof v === "bigint" ? Number(v) : v;
        return typeof n === "number" && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : fail(row, v, "a 32-bit integer");
      });
      return { name, type: "INT32", nullable: true, data: hasNull ? data : typed(new Int32Array(data.length), data as number[]) };
    }
    case "int64": {
      const data = convert((v, row) => {
        if (typeof v === "bigint" && v >= -(2n ** 63n) && v < 2n ** 63n) return v;
        if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) < 2 ** 63) return BigInt(v);
        return fail(row, v, "a 64-bit integer");
      });
      return { name, type: "INT64", nullable: true, data: hasNull ? data : typed(new BigInt64Array(data.length), data as bigint[]) };
    }
    case "boolean":
      return { name, type: "BOOLEAN", nullable: true, data: convert((v, row) => (typeof v === "boolean" ? v : fail(row, v, "a boolean"))) };
    case "timestamp":
      return {
        name, type: "TIMESTAMP", nullable: true,
        data: convert((v, row) => {
          const date = v instanceof Date ? v : typeof v === "number" ? new Date(v) : fail(row, v, "a timestamp");
          return Number.isNaN(date.getTime()) ? fail(row, v, "a valid timestamp") : date;
        }),
      };
    case "text":
      return { name, type: "STRING", nullable: true, data: convert((v) => (typeof v === "string" ? v : textOf(v))) };
    case "other":
      return { name, type: "STRING", nullable: true, data: convert((v) => jsonText(v)) };
  }
}

/** Copies into a typed array with a plain loop: TypedArray.from goes through the iterator protocol, 10x slower. */
function typed<T extends { [i: number]: V; length: number }, V>(out: T, values: readonly V[]): T {
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

/** Text for a value in a text column that is not a string (a CSV cell always is). */
function textOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
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

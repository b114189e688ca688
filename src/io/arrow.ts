/**
 * Reads an Arrow IPC file or stream (`*.arrow`, Feather v2 `*.feather`) into a ColumnarTable
 * with apache-arrow's tableFromIPC.
 *
 * Numeric columns stay zero-copy: each record batch's value buffer becomes one piece of the
 * column. Text, booleans and dictionary columns become JS values; timestamps and dates become
 * epoch milliseconds; nested and other types become plain JS values (arrays, objects) typed
 * "other". LZ4- and ZSTD-compressed bodies (pyarrow's write_feather compresses with LZ4 by
 * default) are decompressed by codecs registered here, as apache-arrow ships none.
 */
import { readFileSync } from "node:fs";
import * as zlib from "node:zlib";
import { compressionRegistry, CompressionType, DataType, Precision, tableFromIPC, Type, Vector } from "apache-arrow";
import type { Data, Field, Table as ArrowTable } from "apache-arrow";
import { DataError } from "../errors.ts";
import { ColumnarTable, type ColumnPiece, type HeldColumn, type NumberArray } from "./columnar-table.ts";
import { lz4FrameUncompress } from "./lz4.ts";
import type { ColumnType, Table } from "./table.ts";

compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: lz4FrameUncompress, encode: null as never });
if ("zstdDecompressSync" in zlib) {
  const zstd = (zlib as unknown as { zstdDecompressSync(b: Uint8Array): Uint8Array }).zstdDecompressSync;
  compressionRegistry.set(CompressionType.ZSTD, { decode: (bytes: Uint8Array) => zstd(bytes), encode: null as never });
}

const FEATHER_V1_MAGIC = "FEA1";

export async function readArrowTable(path: string): Promise<Table> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DataError(`${path}: cannot be read (${(error as Error).message}).`);
  }
  if (bytes.length >= 4 && String.fromCharCode(...bytes.subarray(0, 4)) === FEATHER_V1_MAGIC) {
    throw new DataError(`${path}: a Feather version 1 file, which this tool cannot read; re-save it as Feather v2 (pyarrow.feather.write_feather(table, path), the default since pyarrow 0.17) or as Parquet.`);
  }
  let table: ArrowTable;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new DataError(`${path}: not a readable Arrow IPC file or stream (${(error as Error).message}); the file may be truncated, corrupt or in another format, so copy it again or re-export it.`);
  }
  if (table.schema.fields.length === 0) {
    throw new DataError(`${path}: not a readable Arrow IPC file or stream (no columns found); the file may be truncated or in another format, so copy it again or re-export it.`);
  }

  const seen = new Set<string>();
  const held: HeldColumn[] = table.schema.fields.map((field, c) => {
    if (seen.has(field.name)) throw new DataError(`${path}: the schema names column "${field.name}" twice; column names must be unique.`);
    seen.add(field.name);
    const vector = table.getChildAt(c)!;
    try {
      return { name: field.name, type: columnTypeOf(field.type), pieces: vector.data.map((data) => pieceOf(data, field)) };
    } catch (error) {
      throw new DataError(`${path}: column "${field.name}" cannot be read (${(error as Error).message}); the file may be corrupt, so copy it again or re-export it.`);
    }
  });
  return new ColumnarTable(path, "arrow", held, table.numRows);
}

/** The ColumnType a writer should keep for an Arrow type. */
function columnTypeOf(type: DataType): ColumnType {
  if (DataType.isFloat(type)) return type.precision === Precision.DOUBLE ? "double" : "float";
  if (DataType.isInt(type)) {
    // Uint32 reaches 2^32-1 and is written back as int64; Uint64 reaches 2^64-1, past int64.
    if (type.bitWidth === 64) return type.isSigned ? "int64" : "other";
    return type.bitWidth === 32 && !type.isSigned ? "int64" : "int32";
  }
  if (DataType.isDictionary(type)) return columnTypeOf(type.dictionary);
  switch (type.typeId) {
    case Type.Decimal:
      return "double";
    case Type.Bool:
      return "boolean";
    case Type.Utf8: case Type.LargeUtf8: case Type.Utf8View: case Type.Null:
      return "text";
    case Type.Timestamp: case Type.Date:
      return "timestamp";
    default:
      return "other";
  }
}

/** One record batch's worth of a column. */
function pieceOf(data: Data, field: Field): ColumnPiece {
  const { type, length } = data;
  if (DataType.isFloat(type) && type.precision !== Precision.HALF) return numberPiece(data);
  if (DataType.isInt(type)) {
    return type.bitWidth === 64
      ? { kind: "bigint", values: (data.values as BigInt64Array).subarray(0, length), missing: missingOf(data) }
      : numberPiece(data);
  }
  if (DataType.isTimestamp(type) || DataType.isDate(type)) {
    // Vector.get already turns every unit into epoch milliseconds.
    const vector = new Vector([data]);
    const values = new Float64Array(length);
    for (let r = 0; r < length; r++) values[r] = (vector.get(r) as number | null) ?? 0;
    return { kind: "epoch-ms", values, missing: missingOf(data) };
  }
  if (DataType.isDecimal(type)) {
    const vector = new Vector([data]);
    const values: (number | null)[] = new Array(length);
    for (let r = 0; r < length; r++) values[r] = decimalNumber(vector.get(r), type.scale);
    return { kind: "boxed", values };
  }
  const vector = new Vector([data]);
  const plain = columnTypeOf(field.type) === "other";
  const values: unknown[] = new Array(length);
  for (let r = 0; r < length; r++) {
    const value = vector.get(r) ?? null;
    values[r] = plain ? plainValue(value) : value;
  }
  return { kind: "boxed", values };
}

function numberPiece(data: Data): ColumnPiece {
  // IPC buffers are padded to 8 bytes, so the typed array may run past the last row.
  return { kind: "number", values: (data.values as NumberArray).subarray(0, data.length), missing: missingOf(data) };
}

/** A byte per row, 1 where the validity bitmap says null; undefined when nothing is null. */
function missingOf(data: Data): Uint8Array | undefined {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return undefined;
  const { nullBitmap: bitmap, offset, length } = data;
  const missing = new Uint8Array(length);
  for (let r = 0; r < length; r++) {
    const bit = offset + r;
    if ((bitmap[bit >> 3]! & (1 << (bit & 7))) === 0) missing[r] = 1;
  }
  return missing;
}

/** Arrow decimals come back as 128-bit (or wider) integers; scaled here to a double. */
function decimalNumber(value: unknown, scale: number): number | null {
  if (value === null || value === undefined) return null;
  const digits = String(value); // the unscaled integer
  return Number(digits) / 10 ** scale;
}

/** Nested Arrow values (vectors, struct rows) as plain arrays and objects. */
function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Vector) return Array.from(value, plainValue);
  if (typeof value === "object" && !(value instanceof Uint8Array) && !(value instanceof Date) && "toJSON" in value) {
    const json = (value as { toJSON(): unknown }).toJSON();
    if (json !== null && typeof json === "object" && !Array.isArray(json)) {
      return Object.fromEntries(Object.entries(json).map(([key, item]) => [key, plainValue(item)]));
    }
    return Array.isArray(json) ? json.map(plainValue) : json;
  }
  return value;
}

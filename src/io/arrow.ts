/**
 * Reads an Arrow IPC file or stream (`*.arrow`, Feather v2 `*.feather`) into a ColumnarTable
 * with apache-arrow's tableFromIPC.
 *
 * Numeric columns stay zero-copy: each record batch's value buffer becomes one piece of the
 * column. Every column keeps its Arrow type (integer width and sign, timestamp unit and zone,
 * date32, decimal precision and scale, dictionary strings): timestamps stay the file's 64-bit
 * counts in their unit, dates day counts, decimals their unscaled integers. Text, booleans and
 * dictionary columns become JS values; nested and other types become plain JS values (arrays,
 * objects) typed "other". LZ4- and ZSTD-compressed bodies (pyarrow's write_feather compresses with LZ4 by
 * default) are decompressed by codecs registered here, as apache-arrow ships none.
 */
import { readFileSync } from "node:fs";
import * as zlib from "node:zlib";
import { compressionRegistry, CompressionType, DataType, DateUnit, Precision, tableFromIPC, TimeUnit, Type, Vector } from "apache-arrow";
import type { Data, Field, Table as ArrowTable } from "apache-arrow";
import { DataError } from "../errors.ts";
import { ColumnarTable, type ColumnPiece, type HeldColumn, type NumberArray } from "./columnar-table.ts";
import { lz4FrameUncompress } from "./lz4.ts";
import { ARROW_FILE_MAGIC } from "./sniff.ts";
import { BOOLEAN, DATE, DOUBLE, FLOAT, integer, OTHER, TEXT, timestamp, type ColumnType, type IntegerBits, type TimeUnit as Unit } from "./column-type.ts";
import type { Table } from "./table.ts";

compressionRegistry.set(CompressionType.LZ4_FRAME, { decode: lz4FrameUncompress, encode: null as never });
if ("zstdDecompressSync" in zlib) {
  const zstd = (zlib as unknown as { zstdDecompressSync(b: Uint8Array): Uint8Array }).zstdDecompressSync;
  compressionRegistry.set(CompressionType.ZSTD, { decode: (bytes: Uint8Array) => zstd(bytes), encode: null as never });
}

const FEATHER_V1_MAGIC = "FEA1";

/**
 * Why apache-arrow could not read `bytes`, in the file's terms: what its first and last bytes
 * show, with the decoder's own message when it wrote one (an Error). Its TypeErrors and
 * RangeErrors come from reading past the data (in the binary, as minified names: "null is not
 * an object (evaluating 'e.fieldsLength')"), which says nothing to the user.
 */
function whatTheBytesShow(bytes: Uint8Array, error: unknown): string {
  const said = error instanceof Error && error.constructor === Error ? `: ${error.message.replace(/\.$/, "")}` : "";
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(Math.max(0, from), Math.max(0, to)));
  if (text(0, 6) === ARROW_FILE_MAGIC) {
    return text(bytes.length - 6, bytes.length) === ARROW_FILE_MAGIC
      ? `an Arrow IPC file of ${bytes.length} bytes whose schema or record batches cannot be decoded${said}`
      : `an Arrow IPC file without its footer: it ends after ${bytes.length} bytes, as a copy cut short does${said}`;
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xff && bytes[2] === 0xff && bytes[3] === 0xff) {
    return `an Arrow IPC stream of ${bytes.length} bytes whose messages cannot be decoded${said}`;
  }
  return "no Arrow IPC file or stream marker at its start";
}

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
    throw new DataError(`${path}: not a readable Arrow IPC file or stream (${whatTheBytesShow(bytes, error)}); the file may be truncated, corrupt or in another format, so copy it again or re-export it.`);
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
  if (DataType.isFloat(type)) return type.precision === Precision.DOUBLE ? DOUBLE : FLOAT;
  if (DataType.isInt(type)) return integer(type.bitWidth as IntegerBits, type.isSigned);
  if (DataType.isDictionary(type)) {
    const values = columnTypeOf(type.dictionary);
    return values.kind === "text" ? { kind: "text", dictionary: true } : values;
  }
  if (DataType.isTimestamp(type)) return timestamp(UNITS[type.unit] ?? "ms", type.timezone ?? null);
  if (DataType.isTime(type)) return { kind: "time", unit: UNITS[type.unit] ?? "ms", utc: false };
  switch (type.typeId) {
    case Type.Decimal:
      return { kind: "decimal", precision: (type as unknown as { precision: number }).precision, scale: (type as unknown as { scale: number }).scale };
    case Type.Bool:
      return BOOLEAN;
    case Type.Utf8: case Type.LargeUtf8: case Type.Utf8View: case Type.Null:
      return TEXT;
    case Type.Date:
      return DATE;
    default:
      return OTHER;
  }
}

/** Arrow's second-resolution timestamps are written as milliseconds (Parquet has no seconds). */
const UNITS: Record<number, Unit> = { [TimeUnit.SECOND]: "ms", [TimeUnit.MILLISECOND]: "ms", [TimeUnit.MICROSECOND]: "us", [TimeUnit.NANOSECOND]: "ns" };

/** One record batch's worth of a column. */
function pieceOf(data: Data, field: Field): ColumnPiece {
  const { type, length } = data;
  if (DataType.isFloat(type) && type.precision !== Precision.HALF) return numberPiece(data);
  if (DataType.isInt(type)) {
    return type.bitWidth === 64
      ? { kind: "bigint", values: (data.values as BigInt64Array).subarray(0, length), missing: missingOf(data) }
      : numberPiece(data);
  }
  if (DataType.isTimestamp(type)) {
    const values = (data.values as BigInt64Array).subarray(0, length);
    // Seconds become milliseconds, the coarsest unit Parquet writes.
    return { kind: "bigint", values: type.unit === TimeUnit.SECOND ? values.map((v) => v * 1000n) : values, missing: missingOf(data) };
  }
  if (DataType.isTime(type)) {
    // time32 holds seconds or milliseconds (Int32), time64 micro- or nanoseconds (BigInt64).
    if (type.bitWidth === 64) return { kind: "bigint", values: (data.values as BigInt64Array).subarray(0, length), missing: missingOf(data) };
    const values = (data.values as Int32Array).subarray(0, length);
    return { kind: "number", values: type.unit === TimeUnit.SECOND ? values.map((s) => s * 1000) : values, missing: missingOf(data) };
  }
  if (DataType.isDate(type)) {
    if (type.unit === DateUnit.DAY) return numberPiece(data);
    // date64 counts milliseconds; as a date it is the day they fall on.
    const millis = (data.values as BigInt64Array).subarray(0, length);
    return { kind: "number", values: Int32Array.from(millis, (ms) => Number(ms / 86_400_000n) - (ms % 86_400_000n < 0n ? 1 : 0)), missing: missingOf(data) };
  }
  if (DataType.isDecimal(type)) {
    const words = type.bitWidth / 32;
    const all = data.values as Uint32Array;
    const missing = missingOf(data);
    const values: (bigint | null)[] = new Array(length);
    for (let r = 0; r < length; r++) values[r] = missing?.[r] ? null : littleEndianSigned(all.subarray(r * words, (r + 1) * words));
    return { kind: "boxed", values };
  }
  const vector = new Vector([data]);
  const plain = columnTypeOf(field.type).kind === "other";
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

/** An Arrow decimal's two's-complement integer, stored as little-endian 32-bit words. */
function littleEndianSigned(words: Uint32Array): bigint {
  let value = 0n;
  for (let i = words.length - 1; i >= 0; i--) value = (value << 32n) | BigInt(words[i]!);
  const bits = BigInt(words.length * 32);
  return words[words.length - 1]! & 0x80000000 ? value - (1n << bits) : value;
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

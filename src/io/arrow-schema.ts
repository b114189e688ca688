/**
 * The `ARROW:schema` key of a Parquet file's metadata: the Arrow schema that pyarrow and Polars
 * store beside the Parquet one (an IPC schema message, base64), because Parquet itself cannot
 * say which time zone a timestamp is shown in or that a string column is a dictionary
 * (categorical) column. Read here for those two facts, and written by our Parquet writer so
 * that they survive a round trip.
 */
import { Buffer } from "node:buffer";
import {
  Bool, DataType, DateDay, TimeMicrosecond, TimeMillisecond, TimeNanosecond, Decimal as ArrowDecimal, Dictionary, Field, Float32, Float64, Int8, Int16, Int32, Int64, Schema, Table,
  tableFromIPC, tableToIPC, TimeUnit as ArrowTimeUnit, Timestamp, Uint8, Uint16, Uint32, Uint64, Utf8,
} from "apache-arrow";
import type { ColumnType } from "./column-type.ts";

export const ARROW_SCHEMA_KEY = "ARROW:schema";

/** What the Arrow schema adds to a Parquet column's own type. */
export interface ArrowSchemaHint {
  /** The time zone of a zoned timestamp column ("Europe/Paris"); undefined when none is named. */
  timeZone?: string;
  /** A dictionary (categorical) column. */
  dictionary: boolean;
}

/** IPC end-of-stream marker: a schema message followed by it reads as an empty table. */
const END_OF_STREAM = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

/**
 * Hints by top-level column name, from the file's key-value metadata. A missing or unreadable
 * schema gives no hints: the Parquet schema alone is still a complete description.
 */
export function arrowSchemaHints(metadata: readonly { key: string; value?: string }[] | undefined): Map<string, ArrowSchemaHint> {
  const hints = new Map<string, ArrowSchemaHint>();
  const encoded = metadata?.find((entry) => entry.key === ARROW_SCHEMA_KEY)?.value;
  if (!encoded) return hints;
  let fields: Field[];
  try {
    const message = Buffer.from(encoded, "base64");
    fields = tableFromIPC(Buffer.concat([message, END_OF_STREAM])).schema.fields;
  } catch {
    return hints;
  }
  for (const field of fields) {
    const type = field.type as DataType;
    const hint: ArrowSchemaHint = { dictionary: DataType.isDictionary(type) };
    if (DataType.isTimestamp(type) && type.timezone) hint.timeZone = type.timezone;
    hints.set(field.name, hint);
  }
  return hints;
}

/** The ARROW:schema value for columns of these types, as pyarrow writes it. */
export function arrowSchemaValue(columns: readonly { name: string; type: ColumnType }[]): string {
  const schema = new Schema(columns.map(({ name, type }) => new Field(name, arrowType(type), true)));
  const stream = tableToIPC(new Table(schema), "stream");
  // The stream is the schema message and the end-of-stream marker; the key holds the message.
  return Buffer.from(stream.subarray(0, stream.length - END_OF_STREAM.length)).toString("base64");
}

function arrowType(type: ColumnType): DataType {
  switch (type.kind) {
    case "text": return type.dictionary ? new Dictionary(new Utf8(), new Int32()) : new Utf8();
    case "double": return new Float64();
    case "float": return new Float32();
    case "boolean": return new Bool();
    case "date": return new DateDay();
    case "time": return type.unit === "ms" ? new TimeMillisecond() : type.unit === "us" ? new TimeMicrosecond() : new TimeNanosecond();
    case "decimal": return new ArrowDecimal(type.scale, type.precision, type.precision > 38 ? 256 : 128);
    case "timestamp": {
      const unit = { ms: ArrowTimeUnit.MILLISECOND, us: ArrowTimeUnit.MICROSECOND, ns: ArrowTimeUnit.NANOSECOND }[type.unit];
      return new Timestamp(unit, type.timeZone);
    }
    case "integer": {
      const types = type.signed ? { 8: Int8, 16: Int16, 32: Int32, 64: Int64 } : { 8: Uint8, 16: Uint16, 32: Uint32, 64: Uint64 };
      return new types[type.bits]();
    }
    case "other": return new Utf8();
  }
}

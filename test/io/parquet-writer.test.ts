import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeParquetFile, type OutputColumn } from "../../src/io/parquet-writer.ts";
import { readParquetTable } from "../../src/io/parquet.ts";
import { BOOLEAN, DATE, DOUBLE, FLOAT, INT32, INT64, integer, OTHER, TEXT, timestamp, typeName } from "../../src/io/column-type.ts";
import { CalendarDate, Decimal, Timestamp } from "../../src/io/typed-values.ts";
import type { Table } from "../../src/io/table.ts";
import { tempDir } from "./helpers.ts";

const dir = tempDir();

function columnValues(table: Table, c: number): unknown[] {
  return Array.from({ length: table.rowCount }, (_, r) => table.cell(r, c));
}

/** Every ColumnType, with the values that most easily go wrong in a round trip. */
const columns: OutputColumn[] = [
  { name: "id", type: INT64, values: [9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n, 0n] },
  {
    name: "text", type: TEXT,
    values: ['comma, "quote" and\nnewline', "UTF-8: naïve café 東京 🚀", null, ""],
  },
  // float32 values with no short decimal form: a writer going through text would change them.
  { name: "emb_0", type: FLOAT, values: [Math.fround(0.1), Math.fround(1 / 3), Math.fround(-1e-40), null] },
  { name: "prob_class_0", type: DOUBLE, values: [0.1 + 0.2, Number.MIN_VALUE, -0, null] },
  { name: "leaf_0", type: INT32, values: [-2147483648, 2147483647, 0, null] },
  { name: "flag", type: BOOLEAN, values: [true, false, null, true] },
  { name: "seen_at", type: timestamp("ms", "UTC"), values: [0n, 1700000000123n, null, -86400000n].map((v) => v === null ? null : new Timestamp(v, "ms", "UTC")) },
  { name: "local_ns", type: timestamp("ns", null), values: [1700000000123456789n, -1n, 0n, null].map((v) => v === null ? null : new Timestamp(v, "ns", null)) },
  { name: "paris_us", type: timestamp("us", "Europe/Paris"), values: [1700000000123456n, null, 0n, 1n].map((v) => v === null ? null : new Timestamp(v, "us", "Europe/Paris")) },
  { name: "day", type: DATE, values: [new CalendarDate(19782), new CalendarDate(-1), null, new CalendarDate(0)] },
  { name: "i8", type: integer(8, true), values: [-128, 127, null, 0] },
  { name: "u8", type: integer(8, false), values: [255, 0, null, 1] },
  { name: "i16", type: integer(16, true), values: [-32768, 32767, 0, null] },
  { name: "u16", type: integer(16, false), values: [65535, 0, 1, 2] },
  { name: "u32", type: integer(32, false), values: [4294967295, 2147483648, 0, null] },
  { name: "u64", type: integer(64, false), values: [18446744073709551615n, 9223372036854775808n, 0n, null] },
  { name: "d9", type: { kind: "decimal", precision: 9, scale: 2 }, values: [12345n, -1n, null, 999999999n].map((v) => v === null ? null : new Decimal(v, 2)) },
  { name: "d18", type: { kind: "decimal", precision: 18, scale: 3 }, values: [-999999999999999999n, 1n, 0n, null].map((v) => v === null ? null : new Decimal(v, 3)) },
  { name: "d38", type: { kind: "decimal", precision: 38, scale: 2 }, values: [1234567890123456789012n, -(10n ** 38n - 1n), null, 0n].map((v) => v === null ? null : new Decimal(v, 2)) },
  { name: "category", type: { kind: "text", dictionary: true }, values: ["cat", "dog", "cat", null] },
  { name: "selection_score", type: DOUBLE, values: [0.5, 0.25, 0.125, 0.0625] },
  { name: "selection_rank", type: INT32, values: [1, 2, 3, 4] },
];

describe("writeParquetFile()", () => {
  test("round-trips every column type: readParquetTable() gives back the same types and values", async () => {
    const path = join(dir, "round-trip.parquet");
    writeParquetFile(path, columns);
    const table = await readParquetTable(path);
    expect(table.columns).toEqual(columns.map((c) => c.name));
    expect(table.columnTypes.map(typeName)).toEqual(columns.map((c) => typeName(c.type)));
    columns.forEach((column, c) => {
      const back = columnValues(table, c);
      column.values.forEach((value, r) => expect(Object.is(back[r], value) || Bun.deepEquals(back[r], value)).toBe(true));
    });
  });

  test("keeps the ids of a read table exactly, including int64 beyond 2^53", async () => {
    const path = join(dir, "ids.parquet");
    writeParquetFile(path, [columns[0]!]);
    const table = await readParquetTable(path);
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(["9007199254740993", "-9223372036854775808", "9223372036854775807", "0"]);
  });

  test("writes what a reader gave it back unchanged (read, write, read)", async () => {
    const first = join(dir, "first.parquet");
    const second = join(dir, "second.parquet");
    writeParquetFile(first, columns);
    const table = await readParquetTable(first);
    writeParquetFile(second, table.columns.map((name, c) => ({ name, type: table.columnTypes[c]!, values: columnValues(table, c) })));
    const again = await readParquetTable(second);
    expect(again.columnTypes).toEqual(table.columnTypes);
    table.columns.forEach((_, c) => expect(columnValues(again, c)).toEqual(columnValues(table, c)));
  });

  test("writes \"other\" columns (lists, records, bigints, bytes) as JSON text", async () => {
    const path = join(dir, "other.parquet");
    writeParquetFile(path, [{
      name: "meta", type: OTHER,
      values: [[1, 2.5, "x"], { a: 18446744073709551615n, when: new Date(0) }, new Uint8Array([1, 2, 3]), null],
    }]);
    const table = await readParquetTable(path);
    expect(table.columnTypes.map(typeName)).toEqual(["string"]);
    expect(columnValues(table, 0)).toEqual([
      '[1,2.5,"x"]', '{"a":18446744073709551615,"when":"1970-01-01T00:00:00.000Z"}', '"AQID"', null,
    ]);
  });

  test("accepts numbers for int64 columns, and Dates and coarser timestamps for a finer timestamp column", async () => {
    const path = join(dir, "lenient.parquet");
    writeParquetFile(path, [
      { name: "n", type: INT64, values: [4294967295, null] },
      { name: "t", type: timestamp("us", "UTC"), values: [new Date(1700000000123), null, new Timestamp(5n, "ms", "UTC")] .slice(0, 2) },
    ]);
    const table = await readParquetTable(path);
    expect(columnValues(table, 0)).toEqual([4294967295n, null]);
    expect(columnValues(table, 1).map((v) => v && String(v))).toEqual(["2023-11-14T22:13:20.123000Z", null]);
  });

  test("refuses a timestamp that a coarser column would cut", () => {
    expect(() => writeParquetFile(join(dir, "cut.parquet"), [
      { name: "t", type: timestamp("ms", null), values: [new Timestamp(1n, "ns", null)] },
    ])).toThrow("cannot be written to a ms column without losing digits");
  });

  test("writes many rows across row groups", async () => {
    const path = join(dir, "many.parquet");
    const n = 250_000;
    writeParquetFile(path, [
      { name: "id", type: TEXT, values: Array.from({ length: n }, (_, i) => `row-${i}`) },
      { name: "p", type: DOUBLE, values: Array.from({ length: n }, (_, i) => i / n) },
    ]);
    const table = await readParquetTable(path);
    expect(table.rowCount).toBe(n);
    expect(table.cell(n - 1, 0)).toBe(`row-${n - 1}`);
    expect(table.cell(123_456, 1)).toBe(123_456 / n);
  });

  test("refuses a value that does not fit its column type, naming column and row", () => {
    const path = join(dir, "bad.parquet");
    expect(() => writeParquetFile(path, [{ name: "leaf_0", type: INT32, values: [1, 2.5] }]))
      .toThrow('column "leaf_0" (int32), row 2: number 2.5 is not a 32-bit integer');
    expect(() => writeParquetFile(path, [{ name: "p", type: DOUBLE, values: ["0.5"] }]))
      .toThrow('column "p" (double), row 1: the text "0.5" is not a number');
  });

  test("leaves no file, and no partial file, behind when a write fails", () => {
    const path = join(dir, "failed.parquet");
    expect(() => writeParquetFile(path, [{ name: "b", type: BOOLEAN, values: ["yes"] }])).toThrow();
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes("partial"))).toEqual([]);
  });

  test("refuses columns of different lengths", () => {
    expect(() => writeParquetFile(join(dir, "ragged.parquet"), [
      { name: "a", type: DOUBLE, values: [1, 2] },
      { name: "b", type: DOUBLE, values: [1] },
    ])).toThrow('column "b" has 1 values, but "a" has 2');
  });
});

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { zstdCompressSync } from "node:zlib";
import * as arrow from "apache-arrow";
import { readArrowTable } from "../../src/io/arrow.ts";
import type { NumericBlock, Table } from "../../src/io/table.ts";
import { dataErrorOf, seededBytes, storedLz4Frame, tempDir, writeBytes } from "./helpers.ts";
import { typeName } from "../../src/io/column-type.ts";
import { CalendarDate, Timestamp } from "../../src/io/typed-values.ts";

const dir = tempDir();
let fileCount = 0;

function writeArrow(table: arrow.Table, format: "file" | "stream" = "file", compression?: arrow.CompressionType): string {
  return writeBytes(join(dir, `t${fileCount++}.${format === "file" ? "arrow" : "stream"}`), arrow.tableToIPC(table, format, compression ?? null));
}

function block(columns: number[], out: NumericBlock["out"], rest: Partial<NumericBlock> = {}): NumericBlock {
  return { columns, out, rowStart: 0, stride: columns.length, offset: 0, kind: "finite", ...rest };
}

function allCells(table: Table): unknown[][] {
  return Array.from({ length: table.rowCount }, (_, r) => table.columns.map((_, c) => table.cell(r, c)));
}

function inferenceTable(): arrow.Table {
  return new arrow.Table({
    id: arrow.vectorFromArray(["a", "b", "c"], new arrow.Utf8()),
    prob_class_0: arrow.vectorFromArray([0.25, 0.5, 0.125], new arrow.Float64()),
    emb_0: arrow.vectorFromArray([1.5, -2.25, 3], new arrow.Float32()),
    leaf_0: arrow.vectorFromArray([3, 0, 12], new arrow.Int32()),
    big: arrow.vectorFromArray([9007199254740993n, -5n, null], new arrow.Int64()),
    u32: arrow.vectorFromArray([4294967295, 0, 1], new arrow.Uint32()),
    flag: arrow.vectorFromArray([true, null, false], new arrow.Bool()),
    seen_at: arrow.vectorFromArray([new Date(1700000000123), null, new Date(0)], new arrow.TimestampMillisecond()),
    day: arrow.vectorFromArray([new Date(86400000), new Date(0), null], new arrow.DateDay()),
    category: arrow.vectorFromArray(["cat", "dog", "cat"], new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
    tags: arrow.vectorFromArray([[1, 2], null, []], new arrow.List(new arrow.Field("item", new arrow.Int32(), true))),
    note: arrow.vectorFromArray(["x", null, "ü, \"quoted\"\nnewline"], new arrow.Utf8()),
  });
}

const EXPECTED_CELLS = [
  ["a", 0.25, 1.5, 3, 9007199254740993n, 4294967295, true, new Timestamp(1700000000123n, "ms", null), new CalendarDate(1), "cat", [1, 2], "x"],
  ["b", 0.5, -2.25, 0, -5n, 0, null, null, new CalendarDate(0), "dog", null, null],
  ["c", 0.125, 3, 12, null, 1, false, new Timestamp(0n, "ms", null), null, "cat", [], "ü, \"quoted\"\nnewline"],
];

describe("readArrowTable()", () => {
  for (const format of ["file", "stream"] as const) {
    test(`reads an Arrow IPC ${format}: columns, row count, types and cells`, async () => {
      const table = await readArrowTable(writeArrow(inferenceTable(), format));
      expect(table.format).toBe("arrow");
      expect(table.rowCount).toBe(3);
      expect(table.columns).toEqual(["id", "prob_class_0", "emb_0", "leaf_0", "big", "u32", "flag", "seen_at", "day", "category", "tags", "note"]);
      expect(table.columnTypes.map(typeName)).toEqual(["string", "double", "float", "int32", "int64", "uint32", "bool", "timestamp[ms]", "date32", "dictionary<string>", "json", "string"]);
      expect(allCells(table)).toEqual(EXPECTED_CELLS);
    });
  }

  test("extract() fills ids and blocks across several record batches", async () => {
    const batches = [0, 1, 2].map((b) => new arrow.Table({
      id: arrow.vectorFromArray([`r${2 * b}`, `r${2 * b + 1}`], new arrow.Utf8()),
      p: arrow.vectorFromArray([b, b + 0.5], new arrow.Float64()),
      e: arrow.vectorFromArray([-b, -b - 0.5], new arrow.Float32()),
    }).batches[0]!);
    const path = writeArrow(new arrow.Table(batches));
    const table = await readArrowTable(path);
    const out = new Float32Array(1 + 6 * 3);
    const ids = table.extract({ idColumn: 0, numeric: [block([1, 2], out, { rowStart: 0, stride: 3, offset: 1 })] });
    expect(ids).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]);
    expect(Array.from(out.subarray(0, 18))).toEqual([0, 0, -0, 0, 0.5, -0.5, 0, 1, -1, 0, 1.5, -1.5, 0, 2, -2, 0, 2.5, -2.5]);
    expect(table.cell(3, 1)).toBe(1.5);
  });

  test("extract() turns Int64 ids into decimal strings", async () => {
    const table = await readArrowTable(writeArrow(inferenceTable()));
    expect(() => table.extract({ idColumn: 4, numeric: [] })).toThrow('row 3 has no id (null) in column "big"');
    const ids = await readArrowTable(writeArrow(new arrow.Table({ id: arrow.vectorFromArray([9007199254740993n], new arrow.Int64()) })));
    expect(ids.extract({ idColumn: 0, numeric: [] })).toEqual(["9007199254740993"]);
  });

  test("refuses a null in a numeric block, naming file, row and column", async () => {
    const path = writeArrow(new arrow.Table({
      id: arrow.vectorFromArray(["a", "b"], new arrow.Utf8()),
      p: arrow.vectorFromArray([0.5, null], new arrow.Float64()),
    }));
    const table = await readArrowTable(path);
    const error = await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([1], new Float64Array(2))] }));
    expect(error.message).toBe(`${path}: row 2, column "p" is empty (null); expected a finite number (no NaN, inf or text). Fix or drop that row.`);
  });

  test("refuses NaN and text in a numeric block", async () => {
    const path = writeArrow(new arrow.Table({
      id: arrow.vectorFromArray(["a", "b"], new arrow.Utf8()),
      p: arrow.vectorFromArray([NaN, 1], new arrow.Float32()),
      t: arrow.vectorFromArray(["0.5", "x"], new arrow.Utf8()),
    }));
    const table = await readArrowTable(path);
    expect((await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([1], new Float32Array(2))] }))).message)
      .toContain('row 1, column "p" holds NaN');
    expect((await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([2], new Float32Array(2))] }))).message)
      .toContain('row 2, column "t" holds the text "x"'); // "0.5" as text is read as the number it writes
  });

  test("reads LZ4-compressed record batches (pyarrow's Feather v2 default)", async () => {
    // apache-arrow has no LZ4 encoder; stored (uncompressed) blocks make a valid frame to write.
    const registered = arrow.compressionRegistry.get(arrow.CompressionType.LZ4_FRAME)!;
    arrow.compressionRegistry.set(arrow.CompressionType.LZ4_FRAME, { ...registered, encode: storedLz4Frame });
    const path = writeArrow(inferenceTable(), "file", arrow.CompressionType.LZ4_FRAME);
    expect(allCells(await readArrowTable(path))).toEqual(EXPECTED_CELLS);
  });

  test("reads ZSTD-compressed record batches", async () => {
    const registered = arrow.compressionRegistry.get(arrow.CompressionType.ZSTD)!;
    arrow.compressionRegistry.set(arrow.CompressionType.ZSTD, { ...registered, encode: (bytes: Uint8Array) => zstdCompressSync(bytes) });
    const path = writeArrow(inferenceTable(), "stream", arrow.CompressionType.ZSTD);
    expect(allCells(await readArrowTable(path))).toEqual(EXPECTED_CELLS);
  });
});

describe("readArrowTable() turns broken files into a DataError naming the file", () => {
  test("a missing file", async () => {
    const path = join(dir, "missing.arrow");
    expect((await dataErrorOf(() => readArrowTable(path))).message).toStartWith(`${path}: cannot be read`);
  });

  test("a Feather version 1 file", async () => {
    const path = writeBytes(join(dir, "v1.feather"), new TextEncoder().encode("FEA1\0\0\0\0rest of an old feather file"));
    expect((await dataErrorOf(() => readArrowTable(path))).message).toContain("Feather version 1");
  });

  for (const format of ["file", "stream"] as const) {
    test(`an Arrow ${format} cut in half`, async () => {
      const bytes = arrow.tableToIPC(inferenceTable(), format);
      const path = writeBytes(join(dir, `half-${format}.arrow`), bytes.subarray(0, bytes.length >> 1));
      const error = await dataErrorOf(() => readArrowTable(path));
      expect(error.message).toStartWith(`${path}: `);
      expect(error.message).toContain("copy it again");
      // What the bytes show, not the decoder's internals (a TypeError's "evaluating …").
      expect(error.message).toContain(format === "file" ? "without its footer" : "an Arrow IPC stream of");
      expect(error.message).not.toContain("evaluating");
      expect(error.message).not.toContain("is not an object");
    });
  }

  test("random bytes", async () => {
    const path = writeBytes(join(dir, "random.arrow"), seededBytes(4000, 5));
    const { message } = await dataErrorOf(() => readArrowTable(path));
    expect(message).toStartWith(`${path}: `);
    expect(message).toContain("no Arrow IPC file or stream marker at its start");
  });

  test("an empty file", async () => {
    const path = writeBytes(join(dir, "empty.arrow"), new Uint8Array(0));
    expect((await dataErrorOf(() => readArrowTable(path))).message).toStartWith(`${path}: not a readable Arrow IPC file`);
  });
});

describe("readArrowTable() keeps types Parquet lacks as the nearest it has", () => {
  test("timestamp[s] becomes milliseconds, date64 a date, decimals keep every digit", async () => {
    const table = await readArrowTable(writeArrow(new arrow.Table({
      s: arrow.vectorFromArray([new Date(-1000), new Date(1700000000000)], new arrow.TimestampSecond("Asia/Tokyo")),
      d64: arrow.vectorFromArray([new Date(-86400000), new Date(19782 * 86400000)], new arrow.DateMillisecond()),
      // Two 128-bit little-endian words: -1, and 2^64 + 1234567.
      dec: arrow.makeVector({ type: new arrow.Decimal(3, 38, 128), data: new Uint32Array([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 1234567, 0, 1, 0]), length: 2 }),
    })));
    expect(table.columnTypes.map(typeName)).toEqual(["timestamp[ms, tz=Asia/Tokyo]", "date32", "decimal(38, 3)"]);
    expect(allCells(table).map((row) => row.map(String))).toEqual([
      ["1970-01-01T08:59:59.000+09:00", "1969-12-31", "-0.001"],
      ["2023-11-15T07:13:20.000+09:00", "2024-02-29", "18446744073710786.183"],
    ]);
  });
});

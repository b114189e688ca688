import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, gzipSync, zstdCompressSync } from "node:zlib";
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer, type ColumnSource } from "hyparquet-writer";
import { DataError } from "../../src/errors.ts";
import { readParquetTable } from "../../src/io/parquet.ts";
import type { NumericBlock, Table } from "../../src/io/table.ts";
import { dataErrorOf, literalOnlyLz4Block, seededBytes, tempDir, writeBytes } from "./helpers.ts";
import { parquetWithV1Pages } from "./parquet-v1.ts";
import { typeName } from "../../src/io/column-type.ts";
import { Timestamp } from "../../src/io/typed-values.ts";

const dir = tempDir();
let fileCount = 0;

function writeParquet(columnData: ColumnSource[], options: Record<string, unknown> = {}): string {
  return writeBytes(join(dir, `t${fileCount++}.parquet`), parquetWriteBuffer({ columnData, ...options }));
}

function block(columns: number[], out: NumericBlock["out"], rest: Partial<NumericBlock> = {}): NumericBlock {
  return { columns, out, rowStart: 0, stride: columns.length, offset: 0, kind: "finite", ...rest };
}

/** A Timestamp as the Date hyparquet's own reader gives (milliseconds), to compare with it. */
function asDate(value: unknown): unknown {
  return value instanceof Timestamp ? new Date(value.epochMilliseconds) : value;
}

function allCells(table: Table): unknown[][] {
  return Array.from({ length: table.rowCount }, (_, r) => table.columns.map((_, c) => table.cell(r, c)));
}

/** A file with one column of each kind an inference output holds. */
function inferenceFile(): string {
  return writeParquet([
    { name: "id", data: ["a", "b", "c"], type: "STRING", nullable: false },
    { name: "prob_class_0", data: new Float64Array([0.25, 0.5, 0.125]), type: "DOUBLE" },
    { name: "prob_class_1", data: [0.75, 0.5, 0.875], type: "DOUBLE" },
    { name: "emb_0", data: new Float32Array([1.5, -2.25, 3]), type: "FLOAT" },
    { name: "emb_1", data: [Math.fround(0.1), Math.fround(1 / 3), 7], type: "FLOAT", nullable: false },
    { name: "leaf_0", data: [3, 0, 12], type: "INT32" },
    { name: "big", data: [9007199254740993n, -5n, null], type: "INT64" },
    { name: "flag", data: [true, null, false], type: "BOOLEAN" },
    { name: "seen_at", data: [new Date(1700000000123), null, new Date(0)], type: "TIMESTAMP" },
    { name: "meta", data: [{ k: 1 }, null, [1, 2]], type: "JSON" },
    { name: "note", data: ["x", null, "ü, \"quoted\"\nnewline"], type: "STRING" },
  ]);
}


/** Rows a, b, c with a list column `tags` (hyparquet-writer takes a list column through an explicit schema). */
function listFile(tags: (number[] | null)[]): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [{ name: "id", data: ["a", "b", "c"] }, { name: "tags", data: tags }],
    schema: [
      { name: "root", num_children: 2 },
      { name: "id", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
      { name: "tags", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", type: "INT32", repetition_type: "OPTIONAL" },
    ],
  });
}

describe("readParquetTable()", () => {
  test("reads the column names, row count and a ColumnType per column", async () => {
    const table = await readParquetTable(inferenceFile());
    expect(table.format).toBe("parquet");
    expect(table.rowCount).toBe(3);
    expect(table.columns).toEqual(["id", "prob_class_0", "prob_class_1", "emb_0", "emb_1", "leaf_0", "big", "flag", "seen_at", "meta", "note"]);
    expect(table.columnTypes.map(typeName)).toEqual(["string", "double", "double", "float", "float", "int32", "int64", "bool", "timestamp[ms, tz=UTC]", "json", "string"]);
  });

  test("cell() returns each value typed as the file holds it, and null where it has none", async () => {
    const table = await readParquetTable(inferenceFile());
    expect(allCells(table)).toEqual([
      ["a", 0.25, 0.75, 1.5, Math.fround(0.1), 3, 9007199254740993n, true, new Timestamp(1700000000123n, "ms", "UTC"), { k: 1 }, "x"],
      ["b", 0.5, 0.5, -2.25, Math.fround(1 / 3), 0, -5n, null, null, null, null],
      ["c", 0.125, 0.875, 3, 7, 12, null, false, new Timestamp(0n, "ms", "UTC"), [1, 2], "ü, \"quoted\"\nnewline"],
    ]);
  });

  test("extract() fills ids and row-major blocks at rowStart, stride and offset", async () => {
    const table = await readParquetTable(inferenceFile());
    const probs = new Float64Array(2 + 3 * 2); // two rows of another table come first
    const emb = new Float32Array(3 * 4).fill(-1); // stride 4: slots 1 and 2 filled, 0 and 3 untouched
    const ids = table.extract({
      idColumn: 0,
      numeric: [block([1, 2], probs, { rowStart: 1 }), block([3, 4], emb, { stride: 4, offset: 1 })],
    });
    expect(ids).toEqual(["a", "b", "c"]);
    expect(Array.from(probs)).toEqual([0, 0, 0.25, 0.75, 0.5, 0.5, 0.125, 0.875]);
    expect(Array.from(emb)).toEqual([-1, 1.5, Math.fround(0.1), -1, -1, -2.25, Math.fround(1 / 3), -1, -1, 3, 7, -1]);
  });

  test("extract() converts float32 columns into a Float64Array and doubles into a Float32Array", async () => {
    const table = await readParquetTable(inferenceFile());
    const wide = new Float64Array(3);
    const narrow = new Float32Array(3);
    table.extract({ idColumn: 0, numeric: [block([4], wide), block([1], narrow)] });
    expect(Array.from(wide)).toEqual([Math.fround(0.1), Math.fround(1 / 3), 7]);
    expect(Array.from(narrow)).toEqual([0.25, 0.5, 0.125]);
  });

  test("extract() fills an Int32Array of leaf indices from INT32 and INT64 columns", async () => {
    const path = writeParquet([
      { name: "id", data: ["a", "b"], type: "STRING" },
      { name: "leaf_0", data: new Int32Array([4, 7]), type: "INT32" },
      { name: "leaf_1", data: [1n, 2n], type: "INT64" },
      { name: "leaf_2", data: [5, 6], type: "DOUBLE" },
    ]);
    const table = await readParquetTable(path);
    const leaves = new Int32Array(6);
    table.extract({ idColumn: 0, numeric: [block([1, 2, 3], leaves, { kind: "integer" })] });
    expect(Array.from(leaves)).toEqual([4, 1, 5, 7, 2, 6]);
  });

  test("extract() gives ids as decimal strings for bigint and number columns", async () => {
    const path = writeParquet([
      { name: "id", data: [9007199254740993n, -1n], type: "INT64", nullable: false },
      { name: "n", data: [12, 0.5], type: "DOUBLE" },
    ]);
    const table = await readParquetTable(path);
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(["9007199254740993", "-1"]);
    expect(table.extract({ idColumn: 1, numeric: [] })).toEqual(["12", "0.5"]);
  });

  test("reads many row groups and pages, with nulls and dictionaries, as hyparquet's own reader does", async () => {
    const n = 5000;
    const path = writeParquet([
      { name: "id", data: Array.from({ length: n }, (_, i) => `row-${i}`), type: "STRING" },
      { name: "sparse", data: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : i / 3)), type: "DOUBLE" },
      { name: "category", data: Array.from({ length: n }, (_, i) => ["cat", "dog", null][i % 3]), type: "STRING" },
      { name: "few", data: Array.from({ length: n }, (_, i) => i % 4), type: "INT32" }, // dictionary-encoded
      { name: "dense", data: Float32Array.from({ length: n }, (_, i) => i * 0.25), type: "FLOAT" },
      { name: "stamp", data: Array.from({ length: n }, (_, i) => (i % 5 ? new Date(i * 1000) : null)), type: "TIMESTAMP" },
    ], { rowGroupSize: 1200, pageSize: 2000 });
    const table = await readParquetTable(path);
    const expected = await parquetReadObjects({ file: readFileSync(path).buffer as ArrayBuffer });
    expect(table.rowCount).toBe(n);
    for (let r = 0; r < n; r += 1) {
      const row = expected[r]!;
      table.columns.forEach((name, c) => {
        expect(asDate(table.cell(r, c))).toEqual(row[name] ?? null);
      });
    }
  });

  for (const snappy of [false, true]) {
    test(`reads version 1 data pages (pyarrow's default)${snappy ? ", snappy-compressed" : ""}`, async () => {
      const n = 300;
      const values = {
        id: Array.from({ length: n }, (_, i) => `id-${i}`),
        p: Array.from({ length: n }, (_, i) => i / n),
        e: Array.from({ length: n }, (_, i) => (i % 11 === 5 ? null : Math.fround(i / 9))),
        k: Array.from({ length: n }, (_, i) => BigInt(i) * 3n),
      };
      const bytes = parquetWithV1Pages([
        { name: "id", type: "BYTE_ARRAY", converted_type: "UTF8", optional: true, values: values.id },
        { name: "p", type: "DOUBLE", optional: true, values: values.p },
        { name: "e", type: "FLOAT", optional: true, values: values.e },
        { name: "k", type: "INT64", optional: false, values: values.k },
      ], { rowsPerPage: 64, snappy });
      const table = await readParquetTable(writeBytes(join(dir, `v1-${snappy}.parquet`), bytes));
      expect(table.columnTypes.map(typeName)).toEqual(["string", "double", "float", "int64"]);
      const probs = new Float64Array(n);
      expect(table.extract({ idColumn: 0, numeric: [block([1], probs)] })).toEqual(values.id);
      expect(Array.from(probs)).toEqual(values.p);
      for (let r = 0; r < n; r++) {
        expect(table.cell(r, 2)).toBe(values.e[r]!);
        expect(table.cell(r, 3)).toBe(values.k[r]!);
      }
    });
  }

  const codecs: Record<string, (input: Uint8Array) => Uint8Array> = {
    UNCOMPRESSED: (input) => input,
    SNAPPY: (input) => input, // replaced by hyparquet-writer's built-in snappy
    GZIP: (input) => gzipSync(input),
    BROTLI: (input) => brotliCompressSync(input),
    ZSTD: (input) => zstdCompressSync(input),
    LZ4_RAW: literalOnlyLz4Block,
  };
  for (const [codec, compress] of Object.entries(codecs)) {
    test(`reads ${codec} column chunks`, async () => {
      const path = writeParquet([
        { name: "id", data: ["a", "b", "c"], type: "STRING" },
        { name: "p", data: [0.1, null, 0.3], type: "DOUBLE" },
      ], { codec, compressors: codec === "SNAPPY" || codec === "UNCOMPRESSED" ? undefined : { [codec]: compress } });
      const table = await readParquetTable(path);
      expect(allCells(table)).toEqual([["a", 0.1], ["b", null], ["c", 0.3]]);
    });
  }

  test("reads a list column as an \"other\" column of arrays", async () => {
    const withList = writeBytes(join(dir, "list.parquet"), listFile([[1, 2], null, []]));
    const table = await readParquetTable(withList);
    expect(table.columnTypes.map(typeName)).toEqual(["string", "json"]);
    expect(allCells(table)).toEqual([["a", [1, 2]], ["b", null], ["c", []]]);
    const error = await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([1], new Float64Array(3))] }));
    expect(error.message).toContain('row 1, column "tags" holds a list of 2');
  });

  test("extract() refuses a destination array too small for its rows", async () => {
    const table = await readParquetTable(inferenceFile());
    expect(() => table.extract({ idColumn: 0, numeric: [block([1, 2], new Float64Array(5))] }))
      .toThrow("a numeric block needs 6 values for rows up to 3, but its array holds 5");
    expect(() => table.extract({ idColumn: 0, numeric: [block([1, 2], new Float64Array(9), { stride: 2, offset: 1 })] }))
      .toThrow(RangeError);
  });

  test("reads a file with no rows", async () => {
    const table = await readParquetTable(writeParquet([{ name: "id", data: [], type: "STRING" }]));
    expect(table.rowCount).toBe(0);
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual([]);
  });
});

describe("readParquetTable() refuses bad values with the file, row and column", () => {
  const cases: [string, ColumnSource, RegExp][] = [
    ["a null in a numeric column", { name: "p", data: [0.5, null], type: "DOUBLE" }, /row 2, column "p" is empty \(null\); expected a finite number/],
    ["NaN", { name: "p", data: [0.5, NaN], type: "DOUBLE" }, /row 2, column "p" holds NaN; expected a finite number/],
    ["infinity in a float column", { name: "p", data: new Float32Array([Infinity, 1]), type: "FLOAT" }, /row 1, column "p" holds Infinity/],
    ["text", { name: "p", data: ["0.5", "high"], type: "STRING" }, /row 2, column "p" holds the text "high"; expected a finite number/],
    ["a boolean", { name: "p", data: [true, false], type: "BOOLEAN" }, /row 1, column "p" holds the boolean true/],
    ["a timestamp", { name: "p", data: [new Date(0), new Date(1)], type: "TIMESTAMP" }, /row 1, column "p" holds the timestamp 1970-01-01T00:00:00.000Z/],
  ];
  for (const [what, column, message] of cases) {
    test(`refuses ${what} in a numeric block`, async () => {
      const path = writeParquet([{ name: "id", data: ["a", "b"], type: "STRING" }, column]);
      const table = await readParquetTable(path);
      const error = await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([1], new Float64Array(2))] }));
      expect(error.message).toStartWith(`${path}: `);
      expect(error.message).toMatch(message);
      expect(error.message).toContain("Fix or drop that row");
    });
  }

  test("refuses a fraction where leaf indices (kind integer) are expected", async () => {
    const path = writeParquet([{ name: "id", data: ["a", "b"], type: "STRING" }, { name: "leaf_0", data: [1, 2.5], type: "DOUBLE" }]);
    const table = await readParquetTable(path);
    const error = await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([1], new Float64Array(2), { kind: "integer" })] }));
    expect(error.message).toContain('row 2, column "leaf_0" holds 2.5; expected a whole number (a leaf index)');
  });

  test("refuses a whole number too large for an Int32Array", async () => {
    const path = writeParquet([{ name: "id", data: ["a"], type: "STRING" }, { name: "leaf_0", data: [2n ** 40n], type: "INT64" }]);
    const table = await readParquetTable(path);
    const error = await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([1], new Int32Array(1), { kind: "integer" })] }));
    expect(error.message).toContain('row 1, column "leaf_0" holds 1099511627776: a leaf index beyond 32 bits; renumber the leaves from 0.');
  });

  test("refuses a null id, naming the row", async () => {
    const path = writeParquet([{ name: "id", data: ["a", null, "c"], type: "STRING" }]);
    const error = await dataErrorOf(async () => (await readParquetTable(path)).extract({ idColumn: 0, numeric: [] }));
    expect(error.message).toBe(`${path}: row 2 has no id (null) in column "id"; every row needs an id.`);
  });

  test("refuses a null in an INT64 id column", async () => {
    const path = writeParquet([{ name: "id", data: [1n, null], type: "INT64" }]);
    const error = await dataErrorOf(async () => (await readParquetTable(path)).extract({ idColumn: 0, numeric: [] }));
    expect(error.message).toContain("row 2 has no id (null)");
  });

  test("refuses an empty id, as the CSV reader does", async () => {
    const path = writeParquet([{ name: "id", data: ["a", ""], type: "STRING" }]);
    const error = await dataErrorOf(async () => (await readParquetTable(path)).extract({ idColumn: 0, numeric: [] }));
    expect(error.message).toContain("row 2 has an empty id");
  });
});

describe("readParquetTable() turns broken files into a DataError naming the file", () => {
  const good = () => readFileSync(inferenceFile());

  test("a missing file", async () => {
    const error = await dataErrorOf(() => readParquetTable(join(dir, "nope.parquet")));
    expect(error.message).toStartWith(`${join(dir, "nope.parquet")}: cannot be read`);
  });

  test("an empty file", async () => {
    const path = writeBytes(join(dir, "empty.parquet"), new Uint8Array(0));
    expect((await dataErrorOf(() => readParquetTable(path))).message).toContain("not a Parquet file");
  });

  test("a file cut in half", async () => {
    const bytes = good();
    const path = writeBytes(join(dir, "half.parquet"), bytes.subarray(0, bytes.length >> 1));
    const error = await dataErrorOf(() => readParquetTable(path));
    expect(error.message).toStartWith(`${path}: not a Parquet file`);
    expect(error.message).toContain("may be truncated");
  });

  test("random bytes between the PAR1 markers", async () => {
    const bytes = seededBytes(5000, 9);
    bytes.set([0x50, 0x41, 0x52, 0x31], 0);
    bytes.set([0x50, 0x41, 0x52, 0x31], bytes.length - 4);
    const path = writeBytes(join(dir, "random.parquet"), bytes);
    expect((await dataErrorOf(() => readParquetTable(path))).message).toStartWith(`${path}: `);
  });

  test("a CSV file named .parquet", async () => {
    const path = writeBytes(join(dir, "csv.parquet"), new TextEncoder().encode("id,p\na,0.5\n"));
    expect((await dataErrorOf(() => readParquetTable(path))).message).toContain("not a Parquet file");
  });

  for (const [kind, make] of [["flat", good], ["nested", () => listFile([[1, 2], null, [3]])]] as const) test(`corrupted bytes anywhere in a file of ${kind} columns: a DataError or a correct read, never a crash or a hang`, async () => {
    const bytes = new Uint8Array(make());
    const path = join(dir, `flipped-${kind}.parquet`);
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const broken = new Uint8Array(bytes);
      const noise = seededBytes(3, trial);
      const at = (noise[0]! * 256 + noise[1]!) % broken.length;
      broken[at] = broken[at]! ^ (noise[2]! | 1);
      writeBytes(path, broken);
      try {
        const table = await readParquetTable(path);
        allCells(table);
        table.extract({ idColumn: 0, numeric: [] });
      } catch (error) {
        if (!(error instanceof DataError)) throw new Error(`flipping byte ${at} gave ${String(error)}`);
        expect((error as DataError).message).toStartWith(`${path}: `);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  test("a codec this tool cannot decompress", async () => {
    const path = writeParquet([{ name: "p", data: [1, 2], type: "DOUBLE" }], { codec: "LZO", compressors: { LZO: (b: Uint8Array) => b } });
    const error = await dataErrorOf(() => readParquetTable(path));
    expect(error.message).toBe(`${path}: column "p" is compressed with LZO, which this tool cannot read; re-write the file with SNAPPY, ZSTD, GZIP or no compression (pyarrow: compression="snappy").`);
  });
});

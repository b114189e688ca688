/** The types of selected_samples.parquet when the pool's files type a column differently. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DOUBLE, integer, TEXT, timestamp, typeName } from "../../src/io/column-type.ts";
import { readParquetTable } from "../../src/io/parquet.ts";
import { writeParquetFile } from "../../src/io/parquet-writer.ts";
import { Timestamp } from "../../src/io/typed-values.ts";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

describe("a pool whose files type a column differently", () => {
  test("is written with the type that holds both: integers widened, timestamps in the finer unit, other mixes as text", async () => {
    const input = tempDir();
    writeParquetFile(join(input, "part-0.parquet"), [
      { name: "id", type: TEXT, values: ["a", "b"] },
      { name: "prob_class_0", type: DOUBLE, values: [0.5, 0.9] },
      { name: "prob_class_1", type: DOUBLE, values: [0.5, 0.1] },
      { name: "count", type: integer(32, false), values: [4294967295, 1] },
      { name: "seen", type: timestamp("ms", "UTC"), values: [new Timestamp(1700000000123n, "ms", "UTC"), null] },
      { name: "mixed", type: DOUBLE, values: [1.5, 2] },
    ]);
    writeParquetFile(join(input, "part-1.parquet"), [
      { name: "id", type: TEXT, values: ["c", "d"] },
      { name: "prob_class_0", type: DOUBLE, values: [0.6, 0.99] },
      { name: "prob_class_1", type: DOUBLE, values: [0.4, 0.01] },
      { name: "count", type: integer(8, true), values: [-128, 0] },
      { name: "seen", type: timestamp("ns", "UTC"), values: [new Timestamp(1700000000123456789n, "ns", "UTC"), null] },
      { name: "mixed", type: TEXT, values: ["x", null] },
    ]);
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["--input", input, "--output", output, "--strategy", "uncertainty", "--batch-size", "2", "--output-format", "parquet", "--no-save-report"]);
    expect(result.error?.message ?? null).toBeNull();
    const table = await readParquetTable(join(output, "selected_samples.parquet"));
    expect(table.columnTypes.slice(3, 6).map(typeName)).toEqual(["int64", "timestamp[ns, tz=UTC]", "string"]);
    // Margin picks a ([0.5, 0.5]) then c ([0.6, 0.4]).
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(["a", "c"]);
    expect([table.cell(0, 3), table.cell(1, 3)]).toEqual([4294967295n, -128n]);
    expect([String(table.cell(0, 4)), String(table.cell(1, 4))]).toEqual(["2023-11-14T22:13:20.123000000Z", "2023-11-14T22:13:20.123456789Z"]);
    expect([table.cell(0, 5), table.cell(1, 5)]).toEqual(["1.5", "x"]);
  });
});

describe("a JSON lines pool written to Parquet", () => {
  test("a column of integer tokens is int64, every digit kept; whole numbers written with a point or past 64 bits, and mixes, stay double", async () => {
    const input = tempDir();
    // big: past 2^53, where JSON.parse rounds (1234567890123456789 → …800); huge: past 64 bits.
    const lines = [
      `{"id": "a", "prob_class_0": 0.5, "prob_class_1": 0.5, "count": 3, "price": 10.0, "big": 1234567890123456789, "huge": 12345678901234567891, "some": 7}`,
      `{"id": "b", "prob_class_0": 0.9, "prob_class_1": 0.1, "count": -4, "price": 20.0, "big": 1, "huge": 1, "some": 2.5}`,
      `{"id": "c", "prob_class_0": 0.6, "prob_class_1": 0.4, "count": 0, "price": 30.0, "big": -9223372036854775808, "huge": 2, "some": null}`,
      `{"id": "d", "prob_class_0": 0.7, "prob_class_1": 0.3, "count": null, "price": 1e3, "big": 2, "huge": 3, "some": 8}`,
    ];
    writeFileSync(join(input, "pool.jsonl"), lines.join("\n") + "\n");
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["--input", input, "--output", output, "--strategy", "uncertainty", "--batch-size", "4", "--output-format", "parquet", "--no-save-report"]);
    expect(result.error?.message ?? null).toBeNull();
    const table = await readParquetTable(join(output, "selected_samples.parquet"));
    const at = (name: string) => table.columns.indexOf(name);
    const cells = (name: string) => [0, 1, 2, 3].map((r) => table.cell(r, at(name)));
    expect(["count", "price", "big", "huge", "some"].map((name) => typeName(table.columnTypes[at(name)]!))).toEqual(["int64", "double", "int64", "double", "double"]);
    // Margin order: a (0), c (0.2), d (0.4), b (0.8).
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(["a", "c", "d", "b"]);
    expect(cells("count")).toEqual([3n, 0n, null, -4n]);
    expect(cells("big")).toEqual([1234567890123456789n, -9223372036854775808n, 2n, 1n]);
    expect(cells("price")).toEqual([10, 30, 1000, 20]);
    expect(cells("some")).toEqual([7, null, 8, 2.5]);
  });
});

describe("a JSON lines pool written to CSV", () => {
  test("its numbers are written as the file writes them: 10.0, 1e-05, -0, digits past 2^53, an escaped key's, a repeated key's last value", async () => {
    const input = tempDir();
    // Two files, blank lines and a byte order mark: the rows are still found by their lines.
    writeFileSync(join(input, "a.jsonl"), "\ufeff" + [
      `{"id": "a", "prob_class_0": 0.5, "prob_class_1": 0.5, "price": 10.0, "big": 1234567890123456789, "tiny": 1e-05, "z": -0, "q\\"k": 1.50, "twice": 1, "twice": "x"}`,
      ``,
      `{"id": "b", "prob_class_0": 0.9, "prob_class_1": 0.1, "price": 20, "big": 1, "tiny": 2E+3, "z": 0, "q\\"k": 2, "twice": "y", "twice": 3.0}`,
    ].join("\n") + "\n");
    writeFileSync(join(input, "b.jsonl"), `{"id": "c", "prob_class_0": 0.6, "prob_class_1": 0.4, "price": 3.25, "big": 99999999999999999999, "tiny": 0.5, "z": 1, "q\\"k": 0, "twice": 4}\n`);
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["--input", input, "--output", output, "--strategy", "uncertainty", "--batch-size", "3", "--no-save-report"]);
    expect(result.error?.message ?? null).toBeNull();
    const lines = readFileSync(join(output, "selected_samples.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toBe('id,prob_class_0,prob_class_1,price,big,tiny,z,"q""k",twice,predicted_label,selection_score,selection_rank');
    // Margin order: a (0), c (0.2), b (0.8).
    expect(lines.slice(1).map((line) => line.split(",").slice(0, 9).join(","))).toEqual([
      "a,0.5,0.5,10.0,1234567890123456789,1e-05,-0,1.50,x",
      "c,0.6,0.4,3.25,99999999999999999999,0.5,1,0,4",
      "b,0.9,0.1,20,1,2E+3,0,2,3.0",
    ]);
  });
});

describe("JSON lines files whose keys come in another order (Spark drops null fields)", () => {
  test("each file's numbers are still written as it writes them, under the channel's columns", async () => {
    const input = tempDir();
    writeFileSync(join(input, "part-0.jsonl"), `{"id": "a", "prob_class_0": 0.5, "prob_class_1": 0.5, "n": 7, "w": 1.50}\n`);
    writeFileSync(join(input, "part-1.jsonl"), `{"w": 2.0, "n": 1234567890123456789, "prob_class_1": 0.4, "prob_class_0": 0.6, "id": "b"}\n`);
    const csvOut = join(tempDir(), "out");
    const csvRun = await main({}, {}, {}, ["--input", input, "--output", csvOut, "--strategy", "uncertainty", "--batch-size", "2", "--no-save-report"]);
    expect(csvRun.error?.message ?? null).toBeNull();
    const lines = readFileSync(join(csvOut, "selected_samples.csv"), "utf8").trim().split("\n");
    expect(lines.slice(1).map((line) => line.split(",").slice(0, 5).join(","))).toEqual(["a,0.5,0.5,7,1.50", "b,0.6,0.4,1234567890123456789,2.0"]);
    const parquetOut = join(tempDir(), "out");
    const parquetRun = await main({}, {}, {}, ["--input", input, "--output", parquetOut, "--strategy", "uncertainty", "--batch-size", "2", "--output-format", "parquet", "--no-save-report"]);
    expect(parquetRun.error?.message ?? null).toBeNull();
    const table = await readParquetTable(join(parquetOut, "selected_samples.parquet"));
    expect(typeName(table.columnTypes[table.columns.indexOf("n")]!)).toBe("int64");
    expect([table.cell(0, table.columns.indexOf("n")), table.cell(1, table.columns.indexOf("n"))]).toEqual([7n, 1234567890123456789n]);
  });
});

describe("JSON lines files in key=value folders", () => {
  test("their numbers are written as the files write them, beside the folder's column", async () => {
    const input = tempDir();
    mkdirSync(join(input, "day=1"));
    writeFileSync(join(input, "day=1", "part.jsonl"), `{"id": "a", "prob_class_0": 0.5, "prob_class_1": 0.5, "w": 1.50, "n": 1234567890123456789}\n`);
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["--input", input, "--output", output, "--strategy", "uncertainty", "--batch-size", "1", "--no-save-report"]);
    expect(result.error?.message ?? null).toBeNull();
    const lines = readFileSync(join(output, "selected_samples.csv"), "utf8").trim().split("\n");
    expect(lines[0]!.split(",").slice(0, 6)).toEqual(["id", "prob_class_0", "prob_class_1", "w", "n", "day"]);
    expect(lines[1]!.split(",").slice(0, 6)).toEqual(["a", "0.5", "0.5", "1.50", "1234567890123456789", "1"]);
  });
});


/** Every input format through main(), and Parquet output keeping what the input held. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { main } from "../src/run.ts";
import { readParquetTable } from "../src/io/parquet.ts";
import { writeParquetFile } from "../src/io/parquet-writer.ts";
import { tempDir } from "./helpers.ts";
import { DOUBLE, FLOAT, INT64, TEXT, timestamp, typeName } from "../src/io/column-type.ts";
import { Timestamp } from "../src/io/typed-values.ts";

const ids = [9007199254740993n, 12n, 5n, 77n];
const probs = [[0.5, 0.5], [0.9, 0.1], [0.6, 0.4], [0.2, 0.8]];
const emb = [0.1, 0.2, 0.3000000119, 0.4];

function parquetPool(dir: string): void {
  writeParquetFile(join(dir, "pool.parquet"), [
    { name: "id", type: INT64, values: ids },
    { name: "prob_class_0", type: DOUBLE, values: probs.map((p) => p[0]) },
    { name: "prob_class_1", type: DOUBLE, values: probs.map((p) => p[1]) },
    { name: "emb_0", type: FLOAT, values: emb },
    { name: "note", type: TEXT, values: ["a,b", 'say "hi"', "x\ny", null] },
    { name: "seen", type: timestamp("ns", null), values: [1_700_000_000_123_456_789n, 1_000_000_000_000_123_456n, null, 2_000_000_000_000_000_001n].map((ns) => ns === null ? null : new Timestamp(ns, "ns", null)) },
  ]);
}

async function run(input: string, args: string[]) {
  const output = join(tempDir(), "out");
  const result = await main({}, {}, {}, ["--input", input, "--output", output, "--no-save-report", "--strategy", "uncertainty", "--batch-size", "2", ...args]);
  expect(result.error?.message ?? null).toBeNull();
  return output;
}

describe("formats end to end", () => {
  test("Parquet in, Parquet out: every column keeps its type and value, plus score and rank", async () => {
    const input = tempDir();
    parquetPool(input);
    const output = await run(input, ["--output-format", "parquet"]);
    const table = await readParquetTable(join(output, "selected_samples.parquet"));
    expect(table.columns).toEqual(["id", "prob_class_0", "prob_class_1", "emb_0", "note", "seen", "predicted_label", "selection_score", "selection_rank"]);
    expect(table.columnTypes.slice(0, 6).map(typeName)).toEqual(["int64", "double", "double", "float", "string", "timestamp[ns]"]);
    // Margin picks row 0 ([0.5, 0.5]) then row 2 ([0.6, 0.4]).
    expect(table.cell(0, 0)).toBe(9007199254740993n);
    expect(table.cell(1, 0)).toBe(5n);
    expect(table.cell(0, 4)).toBe("a,b");
    expect(table.cell(1, 4)).toBe("x\ny");
    expect(table.cell(1, 3)).toBe(Math.fround(0.3000000119));
    expect(String(table.cell(0, 5))).toBe("2023-11-14T22:13:20.123456789");
    expect(table.cell(1, 5)).toBeNull();
    expect(table.cell(0, 6)).toBe("0"); // predicted_label: [0.5, 0.5] ties go to the first class
    expect(table.cell(1, 6)).toBe("0");
    expect(table.cell(0, 8)).toBe(1);
    expect(table.cell(1, 7)).toBeCloseTo(0.8, 12);
  });

  test("Parquet in, CSV out: big ids keep every digit, text is quoted", async () => {
    const input = tempDir();
    parquetPool(input);
    const text = await Bun.file(join(await run(input, []), "selected_samples.csv")).text();
    const lines = text.split("\n");
    expect(lines[0]).toBe("id,prob_class_0,prob_class_1,emb_0,note,seen,predicted_label,selection_score,selection_rank");
    expect(lines[1]!.startsWith('9007199254740993,0.5,0.5,0.10000000149011612,"a,b",2023-11-14T22:13:20.123456789,0,1.0,1')).toBe(true);
  });

  test("CSV in, Parquet out: one rule for every column, used or not (integral → int64, numbers → double, else string; ids stay strings)", async () => {
    const input = tempDir();
    writeFileSync(join(input, "p.csv"), [
      "id,prob_class_0,prob_class_1,label,score_int,tag,zip,weight",
      "007,0.5,0.5,3,1,x,02139,",
      "008,0.9,0.1,7,0,y,10001,2.5",
      "009,0.6,0.4,-1,1,z,94105,nan",
    ].join("\n") + "\n");
    const output = await run(input, ["--output-format", "parquet"]);
    const table = await readParquetTable(join(output, "selected_samples.parquet"));
    // The input's eight columns, predicted_label (text), selection_score, selection_rank.
    const expected = ["string", "double", "double", "int64", "int64", "string", "string", "double", "string", "double", "int32"];
    expect(table.columnTypes.map(typeName)).toEqual(expected);
    expect(table.cell(0, 0)).toBe("007");
    expect(table.cell(0, 3)).toBe(3n);
    expect(table.cell(1, 3)).toBe(-1n);
    expect(table.cell(0, 6)).toBe("02139"); // a leading zero would be lost as a number
    expect(table.cell(0, 7)).toBeNull();
    expect(table.cell(1, 7)).toBeNaN();
    const metadata = JSON.parse(await Bun.file(join(output, "selection_metadata.json")).text());
    expect(metadata.output_schema.columns.map((c: { type: string }) => c.type)).toEqual(expected);
    expect(metadata.output_schema.format).toBe("parquet");
  });

  test("Arrow IPC and JSONL shards are read like any other", async () => {
    const input = tempDir();
    const t = arrow.tableFromArrays({ id: ["a", "b"], prob_class_0: Float64Array.from([0.5, 0.95]), prob_class_1: Float64Array.from([0.5, 0.05]) });
    writeFileSync(join(input, "part-0.arrow"), arrow.tableToIPC(t, "file"));
    const csv = await Bun.file(join(await run(input, []), "selected_samples.csv")).text();
    expect(csv.split("\n")[1]!.startsWith("a,0.5,0.5,0,1.0,1")).toBe(true);
    const jsonl = tempDir();
    writeFileSync(join(jsonl, "p.jsonl"), '{"id": "q", "confidence_score": 0.55}\n{"id": "r", "confidence_score": 0.99}\n');
    const text = await Bun.file(join(await run(jsonl, ["--batch-size", "1"]), "selected_samples.csv")).text();
    expect(text.split("\n")[1]!.startsWith("q,0.55,")).toBe(true);
  });
});

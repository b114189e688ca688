/** Every input format through main(), and Parquet output keeping what the input held. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as arrow from "apache-arrow";
import { main } from "../src/run.ts";
import { readParquetTable } from "../src/io/parquet.ts";
import { writeParquetFile } from "../src/io/parquet-writer.ts";
import { tempDir } from "./helpers.ts";

const ids = [9007199254740993n, 12n, 5n, 77n];
const probs = [[0.5, 0.5], [0.9, 0.1], [0.6, 0.4], [0.2, 0.8]];
const emb = [0.1, 0.2, 0.3000000119, 0.4];

function parquetPool(dir: string): void {
  writeParquetFile(join(dir, "pool.parquet"), [
    { name: "id", type: "int64", values: ids },
    { name: "prob_class_0", type: "double", values: probs.map((p) => p[0]) },
    { name: "prob_class_1", type: "double", values: probs.map((p) => p[1]) },
    { name: "emb_0", type: "float", values: emb },
    { name: "note", type: "text", values: ["a,b", 'say "hi"', "x\ny", null] },
    { name: "seen", type: "timestamp", values: [new Date(0), new Date(1e12), null, new Date(2e12)] },
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
    expect(table.columnTypes.slice(0, 6)).toEqual(["int64", "double", "double", "float", "text", "timestamp"]);
    // Margin picks row 0 ([0.5, 0.5]) then row 2 ([0.6, 0.4]).
    expect(table.cell(0, 0)).toBe(9007199254740993n);
    expect(table.cell(1, 0)).toBe(5n);
    expect(table.cell(0, 4)).toBe("a,b");
    expect(table.cell(1, 4)).toBe("x\ny");
    expect(table.cell(1, 3)).toBe(Math.fround(0.3000000119));
    expect((table.cell(0, 5) as Date).getTime()).toBe(0);
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
    expect(lines[1]!.startsWith('9007199254740993,0.5,0.5,0.10000000149011612,"a,b",1970-01-01T00:00:00.000Z,0,1,1')).toBe(true);
  });

  test("CSV in, Parquet out: the columns the engine read as numbers are DOUBLE, the rest text as written", async () => {
    const input = tempDir();
    writeFileSync(join(input, "p.csv"), "id,prob_class_0,prob_class_1,tag\n007,0.5,0.5,x\n008,0.9,0.1,y\n");
    const table = await readParquetTable(join(await run(input, ["--output-format", "parquet"]), "selected_samples.parquet"));
    expect(table.columnTypes.slice(0, 4)).toEqual(["text", "double", "double", "text"]);
    expect(table.cell(0, 0)).toBe("007");
  });

  test("Arrow IPC and JSONL shards are read like any other", async () => {
    const input = tempDir();
    const t = arrow.tableFromArrays({ id: ["a", "b"], prob_class_0: Float64Array.from([0.5, 0.95]), prob_class_1: Float64Array.from([0.5, 0.05]) });
    writeFileSync(join(input, "part-0.arrow"), arrow.tableToIPC(t, "file"));
    const csv = await Bun.file(join(await run(input, []), "selected_samples.csv")).text();
    expect(csv.split("\n")[1]!.startsWith("a,0.5,0.5,0,1,1")).toBe(true);
    const jsonl = tempDir();
    writeFileSync(join(jsonl, "p.jsonl"), '{"id": "q", "confidence_score": 0.55}\n{"id": "r", "confidence_score": 0.99}\n');
    const text = await Bun.file(join(await run(jsonl, ["--batch-size", "1"]), "selected_samples.csv")).text();
    expect(text.split("\n")[1]!.startsWith("q,0.55,")).toBe(true);
  });
});

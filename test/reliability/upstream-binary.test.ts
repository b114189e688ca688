/**
 * The upstream inputs through the compiled binary, as a pipeline runs it: Spark/Hive folder
 * layouts, misnamed files, Bedrock labels on CSV, Parquet and JSON lines, JSON ids as written,
 * rescaled class shares and an empty selection that says why. Exit codes and stderr are what
 * a user sees; no stack trace on any of them.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { runBinary } from "../binary.ts";
import { duckdb, poolTable } from "./duckdb-files.ts";
import { FORMATS, splitRecords, tempDir, toCsv, writeTree, type Sheet } from "./harness.ts";

const bedrock: Sheet = {
  columns: ["id", "predicted_label", "confidence_score"],
  rows: [["q0", "positive", 0.95], ["q1", "positive", 0.6], ["q2", "negative", 0.99], ["q3", "negative", 0.3],
    ["q4", "neutral", 0.8], ["q5", "neutral", 0.2], ["q6", "positive", 0.91], ["q7", "negative", 0.55], ["q8", "neutral", 0.85]],
};

function run(input: string, args: string[], env: Record<string, string> = {}) {
  const output = join(tempDir("as-upbin-"), "out");
  const result = runBinary(["--input", input, "--output", output, "--no-save-report", ...args], env);
  expect(result.stderr).not.toContain("This is a bug");
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const read = () => {
    const records = splitRecords(readFileSync(join(output, "selected_samples.csv"), "latin1"));
    const header = records[0]!.split(",");
    const rows = records.slice(1).map((r) => r.split(","));
    return { column: (name: string) => rows.map((r) => r[header.indexOf(name)]!), metadata: JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")) };
  };
  return { ...result, read };
}

describe("upstream inputs through the compiled binary", () => {
  test("Hive-partitioned Spark-style Parquet with _SUCCESS and .crc files", async () => {
    const input = tempDir("as-upbin-");
    await duckdb(input, [poolTable(12), `COPY pool TO '$DIR' (FORMAT PARQUET, PARTITION_BY (split), OVERWRITE_OR_IGNORE)`]);
    writeTree(input, { "_SUCCESS": "", "split=a/.data_0.parquet.crc": "x" });
    const r = run(input, ["--strategy", "uncertainty", "--batch-size", "12"]);
    expect(r.exitCode).toBe(0);
    const out = r.read();
    expect(out.column("id")).toHaveLength(12);
    out.column("id").forEach((id, k) => expect(out.column("split")[k]).toBe(["a", "b", "c"][Number(id.slice(1)) % 3]));
    expect(r.stderr).toMatch(/skipped 2 bookkeeping or hidden entries/);
  });

  for (const [format, { ext, encode }] of Object.entries(FORMATS)) {
    test(`Bedrock predicted_label + confidence_score (${format}): top_k_per_class takes each label's most confident row`, () => {
      const input = tempDir("as-upbin-");
      writeTree(input, { [`part-0.${ext}`]: encode(bedrock) });
      const r = run(input, ["--strategy", "top_k_per_class", "--k-per-class", "1"]);
      expect(r.exitCode).toBe(0);
      const out = r.read();
      expect(out.column("id")).toEqual(["q2", "q0", "q8"]);
      expect(out.metadata.class_names).toEqual(["negative", "neutral", "positive"]);
    });
  }

  test("a lone confidence with top_k_per_class exits 2 naming LABEL_FIELD", () => {
    const input = tempDir("as-upbin-");
    writeTree(input, { "p.csv": toCsv({ columns: ["id", "confidence_score"], rows: bedrock.rows.map((r) => [r[0]!, r[2]!]) }) });
    const r = run(input, ["--strategy", "top_k_per_class"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("LABEL_FIELD");
  });

  test("gzip named .csv is read with a warning; gzip named .parquet exits 3 saying so", () => {
    const csv = toCsv({ columns: ["id", "prob_class_0", "prob_class_1"], rows: [["a", 0.5, 0.5], ["b", 0.25, 0.75]] });
    const good = tempDir("as-upbin-");
    writeTree(good, { "part-0.csv": gzipSync(new TextEncoder().encode(csv)) });
    const r = run(good, ["--strategy", "uncertainty", "--batch-size", "2"]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("the bytes are gzip-compressed CSV");
    const bad = tempDir("as-upbin-");
    writeTree(bad, { "part-0.parquet": gzipSync(new TextEncoder().encode(csv)) });
    const b = run(bad, ["--strategy", "uncertainty"]);
    expect(b.exitCode).toBe(3);
    expect(b.stderr).toContain("this is gzip");
  });

  test("JSON lines number ids come out as written", () => {
    const input = tempDir("as-upbin-");
    writeTree(input, { "p.jsonl": '{"id": 7.0, "prob_class_0": 0.5, "prob_class_1": 0.5}\n{"id": 12345678901234567890, "prob_class_0": 0.25, "prob_class_1": 0.75}\n' });
    const r = run(input, ["--strategy", "uncertainty", "--batch-size", "2"]);
    expect(r.exitCode).toBe(0);
    expect(r.read().column("id")).toEqual(["7.0", "12345678901234567890"]);
  });

  test("rescaled CLASS_BALANCE shares are named in a warning; an all-removing filter says why nothing was selected", () => {
    const input = tempDir("as-upbin-");
    writeTree(input, { "p.csv": toCsv({ columns: ["id", "prob_class_0", "prob_class_1"], rows: [["a", 0.5, 0.5], ["b", 0.25, 0.75], ["c", 0.875, 0.125]] }) });
    const r = run(input, ["--strategy", "uncertainty", "--batch-size", "2"], { CLASS_BALANCE: '{"0": 1, "1": 1}' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("CLASS_BALANCE shares sum to 2, not 1; rescaled to 0: 0.5, 1: 0.5.");
    const h = run(input, ["--strategy", "hybrid", "--config", '{"filters": [{"value": "entropy", "op": "<", "threshold": 0}], "objectives": [{"type": "uncertainty"}]}']);
    expect(h.exitCode).toBe(0);
    expect(h.read().metadata.nothing_selected_because).toContain("entropy < 0 removed 3");
    expect(h.stderr).toContain("nothing selected: the SELECTION_CONFIG filters removed every one of the 3 selectable rows");
  });
});

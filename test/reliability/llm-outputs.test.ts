/**
 * What LLM batch jobs (Bedrock) and rule sets write: a predicted label and a confidence in that
 * label, or a confidence alone; and a lone probability column named for its class. Each case
 * runs on every input format of the harness (CSV, CSV.gz, Parquet, JSONL) where it is
 * format-neutral, plus DuckDB-written Parquet with integer labels.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { duckdb } from "./duckdb-files.ts";
import { FORMATS, tempDir, writeTree, type Sheet } from "./harness.ts";
import { column, runCase, type UpstreamCase } from "./upstream-case.ts";

/** Bedrock-style output: three labels, one confidence each; q5 and q3 give their label less than 1/3. */
const bedrock: Sheet = {
  columns: ["id", "predicted_label", "confidence_score", "emb_0", "emb_1"],
  rows: [
    ["q0", "positive", 0.95, 1, 0], ["q1", "positive", 0.6, 2, 1], ["q2", "negative", 0.99, 0, 3],
    ["q3", "negative", 0.3, 4, 4], ["q4", "neutral", 0.8, 1, 5], ["q5", "neutral", 0.2, 0, 0],
    ["q6", "positive", 0.91, 3, 3], ["q7", "negative", 0.55, 5, 1], ["q8", "neutral", 0.85, 2, 2],
  ],
};
const rename = (sheet: Sheet, from: string, to: string): Sheet => ({ columns: sheet.columns.map((c) => (c === from ? to : c)), rows: sheet.rows });
const drop = (sheet: Sheet, name: string): Sheet => {
  const c = sheet.columns.indexOf(name);
  return { columns: sheet.columns.filter((_, i) => i !== c), rows: sheet.rows.map((r) => r.filter((_, i) => i !== c)) };
};
const set = (sheet: Sheet, row: number, name: string, value: string | number | null): Sheet => {
  const c = sheet.columns.indexOf(name);
  return { columns: sheet.columns, rows: sheet.rows.map((r, i) => (i === row ? r.map((v, j) => (j === c ? value : v)) : r)) };
};
/** Confidence alone: no label column. */
const confidenceOnly = drop(bedrock, "predicted_label");
const topK = (k: number) => ["--strategy", "top_k_per_class", "--k-per-class", String(k)];

interface SheetCase extends Omit<UpstreamCase, "build"> { sheet: Sheet }

const CASES: SheetCase[] = [
  {
    name: "Bedrock label + confidence_score: top_k_per_class takes each label's MOST confident rows",
    sheet: bedrock, args: topK(1),
    selected: (o) => {
      expect(column(o, "id")).toEqual(["q2", "q0", "q8"]);
      expect(o.metadata.class_names).toEqual(["negative", "neutral", "positive"]);
      expect(o.metadata.label_column).toBe("predicted_label");
      expect(o.metadata.score_interpretation).toContain("the other classes share the rest evenly");
      expect((o.metadata.score_normalisation as { description: string }).description).toContain("2 rows give their label less than 1/3");
    },
  },
  {
    name: "a label whose confidence is below 1/classes stays the row's predicted class",
    sheet: bedrock, args: topK(3),
    selected: (o) => {
      const ids = column(o, "id"), labels = column(o, "predicted_label");
      expect(ids.length).toBe(9);
      expect(new Set(ids.filter((_, k) => labels[k] === "neutral"))).toEqual(new Set(["q4", "q5", "q8"]));
      expect((o.metadata.class_distribution as { pool: unknown }).pool).toEqual({ negative: 3, neutral: 3, positive: 3 });
    },
  },
  {
    name: "confidence_threshold on labels keeps the rows whose label's confidence reaches it",
    sheet: bedrock, args: ["--strategy", "confidence_threshold", "--confidence-threshold", "0.9"],
    selected: (o) => expect(column(o, "id")).toEqual(["q2", "q0", "q6"]),
  },
  {
    // Measured on the spread distribution: q3 is [0.3, 0.35, 0.35], flatter than q5's [0.2, 0.4, 0.4].
    name: "uncertainty on labels: the flattest rows first",
    sheet: bedrock, args: ["--strategy", "uncertainty", "--uncertainty-mode", "least_confidence", "--batch-size", "3"],
    selected: (o) => expect(column(o, "id")).toEqual(["q3", "q5", "q7"]),
  },
  {
    name: "CLASS_BALANCE=uniform over labels",
    sheet: bedrock, args: ["--strategy", "uncertainty", "--batch-size", "3", "--class-balance", "uniform"],
    selected: (o) => expect(new Set(column(o, "predicted_label"))).toEqual(new Set(["negative", "neutral", "positive"])),
  },
  {
    name: "the label column may be called prediction",
    sheet: rename(bedrock, "predicted_label", "prediction"), args: topK(1),
    selected: (o) => expect(column(o, "id")).toEqual(["q2", "q0", "q8"]),
  },
  {
    name: "the label column may be called label_pred, beside a rule set's rule_score",
    sheet: rename(rename(bedrock, "predicted_label", "label_pred"), "confidence_score", "rule_score"), args: topK(1),
    selected: (o) => expect(column(o, "id")).toEqual(["q2", "q0", "q8"]),
  },
  {
    name: "LABEL_FIELD names another label column",
    sheet: rename(bedrock, "predicted_label", "llm_answer"), args: [...topK(1), "--label-field", "llm_answer"],
    selected: (o) => expect(o.metadata.class_names).toEqual(["negative", "neutral", "positive"]),
  },
  {
    name: "LABEL_FIELD with SCORE_FIELD: that column is the confidence in the label",
    sheet: rename(rename(bedrock, "predicted_label", "answer"), "confidence_score", "conf"), args: [...topK(1)], env: { LABEL_FIELD: "answer", SCORE_FIELD: "conf" },
    selected: (o) => expect(column(o, "id")).toEqual(["q2", "q0", "q8"]),
  },
  {
    name: "labels are kept as written: 'Positive' and 'positive' are two classes",
    sheet: set(bedrock, 6, "predicted_label", "Positive"), args: topK(1),
    selected: (o) => expect(o.metadata.class_names).toEqual(["Positive", "negative", "neutral", "positive"]),
  },
  {
    name: "numeric labels sort as numbers (2 before 10)",
    sheet: { columns: ["id", "predicted_label", "confidence_score"], rows: [["a", "10", 0.9], ["b", "2", 0.8], ["c", "0", 0.7], ["d", "2", 0.95]] }, args: topK(1),
    selected: (o) => {
      expect(o.metadata.class_names).toEqual(["0", "2", "10"]);
      expect(column(o, "id")).toEqual(["d", "a", "c"]);
    },
  },
  {
    name: "one label only: a class of one, its confidence kept",
    sheet: { columns: ["id", "predicted_label", "confidence_score"], rows: [["a", "spam", 0.9], ["b", "spam", 0.4], ["c", "spam", 0.7]] },
    args: ["--strategy", "confidence_threshold", "--confidence-threshold", "0.6"],
    selected: (o) => expect(column(o, "id")).toEqual(["a", "c"]),
  },
  {
    name: "a row without a label is refused, naming the row and the column",
    sheet: set(bedrock, 3, "predicted_label", null), args: topK(1),
    refused: { exit: 3, mentions: ["row 4", '"predicted_label"'], hint: /Fill it or drop that row/ },
  },
  {
    name: "a confidence given in percent (87) is refused, naming the row",
    sheet: set(bedrock, 1, "confidence_score", 87), args: topK(1),
    refused: { exit: 3, mentions: ["row 2", '"confidence_score"', "87"], hint: /probability in \[0,1\]/ },
  },
  {
    name: "a label but no confidence: refused, saying how to name the confidence",
    sheet: drop(bedrock, "confidence_score"), args: topK(1),
    refused: { exit: 3, mentions: ['"predicted_label"'], hint: /SCORE_FIELD \(with LABEL_FIELD=predicted_label\)/ },
  },
  {
    name: "LABEL_FIELD naming a column that is not there is a usage error",
    sheet: bedrock, args: [...topK(1), "--label-field", "answer"],
    refused: { exit: 2, mentions: ['"answer"', "columns: id"], hint: /LABEL_FIELD/ },
  },
  {
    name: "LABEL_FIELD beside per-class probabilities is a usage error",
    sheet: { columns: ["id", "prob_class_0", "prob_class_1", "predicted_label"], rows: [["a", 0.5, 0.5, "x"]] }, args: [...topK(1), "--label-field", "predicted_label"],
    refused: { exit: 2, mentions: ["prob_class_0"], hint: /Unset LABEL_FIELD/ },
  },
  {
    name: "SCORE_FIELD alone keeps meaning P(positive), and says how to use the label column",
    sheet: bedrock, args: ["--strategy", "confidence_threshold", "--confidence-threshold", "0.9", "--score-field", "confidence_score"],
    // P(class 1) = confidence: q5 (0.2) has P(class 0) = 0.8, below the threshold.
    selected: (o) => {
      expect(column(o, "id")).toEqual(["q2", "q0", "q6"]);
      expect(o.metadata.score_interpretation).toContain("set LABEL_FIELD=predicted_label to read SCORE_FIELD as the confidence in that label");
      expect(o.metadata.class_names).toEqual(["0", "1"]);
    },
  },
  {
    name: "a lone confidence_score is the confidence of an unrecorded prediction: confidence_threshold keeps high confidence only",
    sheet: confidenceOnly, args: ["--strategy", "confidence_threshold", "--confidence-threshold", "0.9"],
    selected: (o) => {
      expect(column(o, "id")).toEqual(["q2", "q0", "q6"]);
      expect(o.metadata.classes_recorded).toBe(false);
      expect(o.metadata.score_interpretation).toContain("confidence of a prediction the input does not record");
    },
  },
  {
    name: "a lone confidence: uncertainty ranks by 1 - confidence in every mode",
    sheet: confidenceOnly, args: ["--strategy", "uncertainty", "--uncertainty-mode", "entropy", "--batch-size", "3"],
    selected: (o) => expect(column(o, "id")).toEqual(["q5", "q3", "q7"]),
  },
  {
    name: "a lone rule_score is read the same way",
    sheet: rename(confidenceOnly, "confidence_score", "rule_score"), args: ["--strategy", "uncertainty", "--batch-size", "2"],
    selected: (o) => expect(column(o, "id")).toEqual(["q5", "q3"]),
  },
  {
    name: "a lone confidence with top_k_per_class is refused, naming LABEL_FIELD",
    sheet: confidenceOnly, args: topK(1),
    refused: { exit: 2, mentions: ["top_k_per_class", '"confidence_score"'], hint: /LABEL_FIELD/ },
  },
  {
    name: "a lone confidence with CLASS_BALANCE is refused, naming LABEL_FIELD",
    sheet: confidenceOnly, args: ["--strategy", "uncertainty", "--class-balance", "uniform"],
    refused: { exit: 2, mentions: ["CLASS_BALANCE over the predicted class"], hint: /LABEL_FIELD/ },
  },
  {
    name: "a lone confidence with BADGE is refused, naming LABEL_FIELD",
    sheet: confidenceOnly, args: ["--strategy", "badge"],
    refused: { exit: 2, mentions: ["badge"], hint: /LABEL_FIELD/ },
  },
  {
    name: "a lone confidence with a predicted_class filter is refused, naming LABEL_FIELD",
    sheet: confidenceOnly, args: ["--strategy", "hybrid", "--config", '{"filters": [{"value": "predicted_class", "op": "==", "threshold": 1}], "objectives": [{"type": "uncertainty"}]}'],
    refused: { exit: 2, mentions: ["predicted_class filter"], hint: /LABEL_FIELD/ },
  },
  {
    name: "a numeric label column (prediction) beside prob_class_* columns is not taken for a feature",
    sheet: { columns: ["id", "prob_class_0", "prob_class_1", "prediction", "f"], rows: [["a", 0.5, 0.5, 0, 1], ["b", 0.25, 0.75, 1, 2], ["c", 0.75, 0.25, 0, 5]] },
    args: ["--strategy", "diversity", "--batch-size", "2"],
    selected: (o) => expect(o.metadata.vector_columns).toEqual(["f"]),
  },
  {
    name: "a lone confidence with diversity runs (vectors only)",
    sheet: confidenceOnly, args: ["--strategy", "diversity", "--batch-size", "3"],
    selected: (o) => expect(column(o, "id").length).toBe(3),
  },
  {
    name: "a lone prob_class_0 is P(class 0), not P(class 1)",
    sheet: { columns: ["id", "prob_class_0"], rows: [["a", 0.97], ["b", 0.02], ["c", 0.5], ["d", 0.91]] },
    args: ["--strategy", "confidence_threshold", "--confidence-threshold", "0.9"],
    selected: (o) => {
      expect(column(o, "id")).toEqual(["b", "a", "d"]);
      expect((o.metadata.class_distribution as { selected: unknown }).selected).toEqual({ "0": 2, "1": 1 });
    },
  },
  {
    name: "a lone prob_class_1 is P(class 1)",
    sheet: { columns: ["id", "prob_class_1"], rows: [["a", 0.97], ["b", 0.02], ["c", 0.5], ["d", 0.91]] },
    args: ["--strategy", "confidence_threshold", "--confidence-threshold", "0.9"],
    selected: (o) => expect((o.metadata.class_distribution as { selected: unknown }).selected).toEqual({ "0": 1, "1": 2 }),
  },
  {
    name: "a lone prob_class_cat is P(cat); the other class is not_cat",
    sheet: { columns: ["id", "prob_class_cat"], rows: [["a", 0.97], ["b", 0.02]] },
    args: topK(1),
    selected: (o) => expect(o.metadata.class_names).toEqual(["cat", "not_cat"]),
  },
];

for (const [format, { ext, encode }] of Object.entries(FORMATS)) {
  describe(`LLM and rule-set outputs (${format})`, () => {
    for (const c of CASES) {
      test(c.name, () => runCase({ ...c, build: (dir) => writeTree(dir, { [`part-0.${ext}`]: encode(c.sheet) }) }));
    }
  });
}

describe("LLM outputs DuckDB wrote", () => {
  test("integer labels in Parquet are classes named as written", () => runCase({
    name: "integer labels",
    build: (dir) => duckdb(dir, [
      `CREATE TABLE t AS SELECT 'd' || i AS id, (i % 3)::INTEGER AS predicted_label, 0.5 + (i % 5) / 10 AS confidence_score FROM range(15) r(i)`,
      `COPY t TO '$DIR/out.parquet' (FORMAT PARQUET)`,
    ]),
    args: topK(1),
    selected: (o) => {
      expect(o.metadata.class_names).toEqual(["0", "1", "2"]);
      expect(column(o, "id").length).toBe(3);
      expect(column(o, "confidence_score")).toEqual(["0.9", "0.9", "0.9"]);
    },
  }));
});

describe("LLM outputs sharded over several hosts", () => {
  // One "neutral" row (q8), confident: only algo-1 has it, so the other hosts see two classes
  // where the pool has three, and for uncertainty q8 is not even among algo-1's candidates.
  const shards: Record<string, number[]> = { "algo-1": [1, 3, 7, 8], "algo-2": [0, 2], "algo-3": [6] };
  const hosts = Object.keys(shards);
  const text = (rows: number[]) => new TextDecoder().decode(FORMATS.csv!.encode({ columns: bedrock.columns, rows: rows.map((i) => bedrock.rows[i]!) }));

  async function mapAndMerge(args: string[], env: Record<string, string>) {
    const prefix = join(tempDir("as-llm-"), "map");
    for (const host of hosts) {
      const shard = tempDir("as-llm-");
      writeTree(shard, { "p.csv": text(shards[host]!) });
      const r = await main({}, {}, env, ["--input", shard, "--output", prefix, "--host", host, "--hosts", hosts.join(","), "--no-save-report", ...args]);
      expect(r.error?.message ?? null).toBeNull();
    }
    const output = join(tempDir("as-llm-"), "merged");
    return { output, result: await main({}, {}, {}, ["--job_type", "merge", "--input", prefix, "--output", output, "--no-save-report"]) };
  }

  for (const args of [["--strategy", "uncertainty", "--batch-size", "2"], topK(2)]) {
    test(`with LABEL_CLASSES on every host, map and merge select what one run selects (${args[1]})`, async () => {
      const env = { LABEL_CLASSES: "positive,negative,neutral" };
      const whole = tempDir("as-llm-");
      writeTree(whole, { "p.csv": text(Object.values(shards).flat()) });
      const single = join(tempDir("as-llm-"), "out");
      expect((await main({}, {}, {}, ["--input", whole, "--output", single, "--no-save-report", ...args])).exitCode).toBe(0);
      const { output, result } = await mapAndMerge(args, env);
      expect(result.error?.message ?? null).toBeNull();
      expect(result.metadata!.class_names).toEqual(["negative", "neutral", "positive"]);
      expect(readFileSync(join(output, "selected_samples.csv"), "utf8")).toBe(readFileSync(join(single, "selected_samples.csv"), "utf8"));
    });

    test(`without LABEL_CLASSES, hosts that saw different labels are refused at the merge, naming LABEL_CLASSES (${args[1]})`, async () => {
      const { result } = await mapAndMerge(args, {});
      expect(result.exitCode).toBe(3);
      expect(result.error!.message).toContain("LABEL_CLASSES=");
      expect(result.outputs).toEqual([]);
    });
  }

  test("a label that LABEL_CLASSES does not list is refused, naming the row", () => runCase({
    name: "unlisted label", build: (dir) => writeTree(dir, { "p.csv": text([0, 1, 2]) }), args: topK(1), env: { LABEL_CLASSES: '["positive"]' },
    refused: { exit: 3, mentions: ["row 3", '"negative"'], hint: /add it there/ },
  }));
});

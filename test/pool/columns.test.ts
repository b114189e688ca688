import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

describe("feature columns without emb_*", () => {
  test("a true-label column (TRUE_LABEL_FIELD) is never a feature, and the metadata says it was left out", async () => {
    const input = tempDir();
    const lines = ["id,prob_class_0,prob_class_1,label,f1,f2"];
    for (let i = 0; i < 40; i++) lines.push(`r${i},${(i % 10) / 10},${1 - (i % 10) / 10},${i % 2},${i},${(i * 7) % 13}`);
    writeFileSync(join(input, "pool.csv"), lines.join("\n") + "\n");
    const run = (env: Record<string, string>) => main({}, {}, { QUIET: "true", ...env }, ["--strategy", "diversity", "--batch-size", "3", "--input", input, "--output", join(tempDir(), "o"), "--no-save-report"]);
    const result = await run({});
    expect(result.exitCode).toBe(0);
    const metadata = result.metadata as { vector_columns: string[]; vector_source: string };
    expect(metadata.vector_columns).toEqual(["f1", "f2"]);
    expect(metadata.vector_source).toContain("label left out as the true label (TRUE_LABEL_FIELD)");
    // Another TRUE_LABEL_FIELD leaves label a feature and that column out instead.
    const renamed = await run({ TRUE_LABEL_FIELD: "f2" });
    expect((renamed.metadata as { vector_columns: string[] }).vector_columns).toEqual(["label", "f1"]);
  });
});

describe("the id column is a column of its own", () => {
  const input = tempDir();
  writeFileSync(join(input, "pool.csv"), "id,prob_class_0,prob_class_1,emb_0,emb_1,leaf_0\na,0.9,0.1,1,2,3\nb,0.6,0.4,2,3,4\nc,0.5,0.5,3,1,5\n");
  const llm = tempDir();
  writeFileSync(join(llm, "pool.csv"), "id,predicted_label,confidence_score\na,cat,0.9\nb,dog,0.6\n");
  const run = (dir: string, idField: string, strategy = "uncertainty") => {
    const stderr: string[] = [];
    return main({}, {}, { ID_FIELD: idField }, ["--strategy", strategy, "--input", dir, "--output", join(tempDir(), "o"), "--no-save-report"],
      { stdout: { write() {}, isTTY: false }, stderr: { write: (t: string) => void stderr.push(t), isTTY: false } }).then((result) => ({ result, stderr: stderr.join("") }));
  };

  test("a calibration channel whose true label (TRUE_LABEL_FIELD) is the predicted-label column is refused naming TRUE_LABEL_FIELD", async () => {
    const pool = tempDir(), calibration = tempDir();
    writeFileSync(join(pool, "pool.csv"), "id,label,confidence_score\na,cat,0.9\nb,dog,0.6\n");
    writeFileSync(join(calibration, "c.csv"), "label,confidence_score\ncat,0.9\ndog,0.8\n");
    const stderr: string[] = [];
    const result = await main({}, {}, { LABEL_FIELD: "label" }, ["--strategy", "confidence_threshold", "--input", pool, "--calibration", calibration, "--output", join(tempDir(), "o")],
      { stdout: { write() {}, isTTY: false }, stderr: { write: (t: string) => void stderr.push(t), isTTY: false } });
    expect(result.exitCode).toBe(2);
    expect(stderr.join("")).toContain('usage error: TRUE_LABEL_FIELD is "label", which is the predicted-label column: the true label must be a column of its own.');
  });

  for (const [dir, idField, role, strategy] of [
    [input, "prob_class_0", "a score column", "uncertainty"],
    [input, "emb_1", "a vector column", "diversity"],
    [input, "emb_1", "a vector column", "uncertainty"],
    [input, "leaf_0", "a leaf column", "uncertainty"],
    [llm, "predicted_label", "the predicted-label column", "confidence_threshold"],
    [llm, "confidence_score", "a score column", "confidence_threshold"],
  ] as const) {
    test(`ID_FIELD=${idField} (${role}) with ${strategy} is a usage error naming both roles, and nothing is written`, async () => {
      const { result, stderr } = await run(dir, idField, strategy);
      expect(result.exitCode).toBe(2);
      expect(stderr).toContain(`usage error: ID_FIELD is "${idField}", which is ${role}`);
      expect(result.outputs).toEqual([]);
    });
  }
});

describe("LABEL_CLASSES", () => {
  const run = async (pool: string, labelClasses: string) => {
    const input = tempDir(), output = join(tempDir(), "o");
    writeFileSync(join(input, "pool.csv"), pool);
    const stderr: string[] = [];
    const result = await main({}, {}, { LABEL_CLASSES: labelClasses }, ["--strategy", "uncertainty", "--batch-size", "1", "--input", input, "--output", output, "--no-save-report"],
      { stdout: { write() {}, isTTY: false }, stderr: { write: (t: string) => void stderr.push(t), isTTY: false } });
    return { result, stderr: stderr.join("") };
  };

  test("an empty JSON list is a usage error, not the labels read", async () => {
    const { result, stderr } = await run("id,predicted_label,confidence_score\na,cat,0.9\nb,dog,0.6\n", "[]");
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain("usage error: LABEL_CLASSES is []; it lists no class.");
  });

  test("beside per-class probability columns, which name the classes, it is ignored with a warning in the log and the metadata", async () => {
    const { result, stderr } = await run("id,prob_class_0,prob_class_1\na,0.9,0.1\nb,0.6,0.4\n", "x,y");
    expect(result.exitCode).toBe(0);
    const warning = "LABEL_CLASSES is set but the pool has no predicted-label column: its classes are those of its score columns (0, 1), and LABEL_CLASSES is ignored.";
    expect(stderr).toContain(`warn  ${warning}`);
    expect((result.metadata as { warnings: string[] }).warnings).toContain(warning);
  });
});

describe("an embedding written whole, one list a row", () => {
  for (const [name, file, text] of [
    ["JSON lines", "pool.jsonl", '{"id":"a","prob_class_0":0.9,"prob_class_1":0.1,"embedding":[1,2]}\n{"id":"b","prob_class_0":0.6,"prob_class_1":0.4,"embedding":[2,2]}\n'],
    ["CSV", "pool.csv", 'id,prob_class_0,prob_class_1,embedding\na,0.9,0.1,"[1, 2]"\nb,0.6,0.4,"[2, 2]"\n'],
  ] as const) {
    test(`in ${name}: a strategy that needs vectors names the list column and how to split it into emb_* columns`, async () => {
      const input = tempDir();
      writeFileSync(join(input, file), text);
      const stderr: string[] = [];
      const result = await main({}, {}, {}, ["--strategy", "diversity", "--input", input, "--output", join(tempDir(), "o"), "--no-save-report"],
        { stdout: { write() {}, isTTY: false }, stderr: { write: (t: string) => void stderr.push(t), isTTY: false } });
      expect(result.exitCode).toBe(3);
      expect(stderr.join("")).toContain('embedding holds a list of numbers a row, which is not read as a vector: write it as one column a dimension, emb_0, emb_1, …');
    });
  }
});

describe("a header with spaces around its names", () => {
  for (const [header, strategy] of [["id, prob_class_0, prob_class_1", "uncertainty"], ["id ,prob_class_0,prob_class_1", "uncertainty"]] as const) {
    test(`"${header}": the error names the padded columns and how to write them`, async () => {
      const input = tempDir();
      writeFileSync(join(input, "pool.csv"), `${header}\na,0.9,0.1\n`);
      const stderr: string[] = [];
      const result = await main({}, {}, {}, ["--strategy", strategy, "--input", input, "--output", join(tempDir(), "o"), "--no-save-report"],
        { stdout: { write() {}, isTTY: false }, stderr: { write: (t: string) => void stderr.push(t), isTTY: false } });
      expect(result.exitCode).toBe(3);
      const padded = header.split(",").filter((n) => n !== n.trim()).map((n) => JSON.stringify(n)).join(", ");
      expect(stderr.join("")).toContain(`The header has names with spaces around them (${padded}): they match no column name written without them.`);
    });
  }
});

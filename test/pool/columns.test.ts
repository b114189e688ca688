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

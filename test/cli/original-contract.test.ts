/**
 * The original Python script's contract, kept: --job_type is a free-form label, STRATEGY and
 * the other parameters come from the environment, and booleans take values as people write them.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { runBinary } from "../binary.ts";
import { tempDir } from "../helpers.ts";

/** The original design's own end-to-end test input, as written there. */
const ORIGINAL_ROWS = "id,feature1,feature2,prob_class_0,prob_class_1\n1,1.0,5.0,0.9,0.1\n2,2.0,4.0,0.7,0.3\n3,3.0,3.0,0.5,0.5\n4,4.0,2.0,0.3,0.7\n5,5.0,1.0,0.1,0.9\n";

function originalInput(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "predictions.csv"), ORIGINAL_ROWS);
  return dir;
}

async function inProcess(args: string[], env: Record<string, string> = {}) {
  const err: string[] = [];
  const result = await main({}, {}, env, args, { stdout: { write() {}, isTTY: false }, stderr: { write: (t) => void err.push(t), isTTY: false } });
  return { result, stderr: err.join("") };
}

const selectedIds = (output: string) =>
  readFileSync(join(output, "selected_samples.csv"), "utf8").trim().split("\n").slice(1).map((line) => line.split(",")[0]);

describe("the original 5-row end-to-end test passes as written", () => {
  test("through main(): STRATEGY=uncertainty BATCH_SIZE=2 --job_type ssl_selection selects the two least certain rows", async () => {
    const output = join(tempDir(), "out");
    const { result } = await inProcess(["--job_type", "ssl_selection", "--input", originalInput(), "--output", output], { STRATEGY: "uncertainty", BATCH_SIZE: "2" });
    expect(result.exitCode).toBe(0);
    // Margins 0.8, 0.4, 0, 0.4, 0.8: row 3 first, then the 0.4 tie broken by id (2 before 4).
    expect(selectedIds(output)).toEqual(["3", "2"]);
    expect(result.metadata).toMatchObject({ strategy: "uncertainty", job_type: "ssl_selection" });
  });

  test("through the compiled binary, with only the environment the original script used", () => {
    const output = join(tempDir(), "out");
    const run = runBinary(["--job_type", "ssl_selection", "--input", originalInput(), "--output", output], { STRATEGY: "uncertainty", BATCH_SIZE: "2" });
    expect(run.stderr).not.toContain("error");
    expect(run.exitCode).toBe(0);
    expect(selectedIds(output)).toEqual(["3", "2"]);
    const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    expect(metadata.job_type).toBe("ssl_selection");
    expect(metadata.parameters.STRATEGY).toEqual({ value: "uncertainty", source: "env" });
    // Every original column, then the model's predicted class (for the labelling UI) and the two selection columns.
    expect(readFileSync(join(output, "selected_samples.csv"), "utf8").split("\n")[0]).toBe("id,feature1,feature2,prob_class_0,prob_class_1,predicted_label,selection_score,selection_rank");
  });
});

describe("--job_type is a free-form label", () => {
  for (const label of ["training", "validation", "calibration", "nightly run 7"]) {
    test(`"${label}" runs STRATEGY and is recorded in the metadata`, async () => {
      const output = join(tempDir(), "out");
      const { result } = await inProcess(["--job_type", label, "--input", originalInput(), "--output", output, "--no-save-report"], { STRATEGY: "uncertainty", BATCH_SIZE: "1" });
      expect(result.exitCode).toBe(0);
      expect(result.metadata).toMatchObject({ job_type: label, strategy: "uncertainty" });
      expect(selectedIds(output)).toEqual(["3"]);
    });
  }

  test("a strategy name as the job type selects that strategy when STRATEGY is unset", async () => {
    const { result } = await inProcess(["--job_type", "top_k_per_class", "--k-per-class", "1", "--input", originalInput(), "--output", join(tempDir(), "out"), "--no-save-report"]);
    expect(result.exitCode).toBe(0);
    expect(result.metadata).toMatchObject({ strategy: "top_k_per_class", job_type: "top_k_per_class" });
  });

  test("STRATEGY wins over a strategy-named job type, which stays the label, and the log says so", async () => {
    const { result, stderr } = await inProcess(["--job_type", "diversity", "--input", originalInput(), "--output", join(tempDir(), "out"), "--no-save-report"], { STRATEGY: "uncertainty", BATCH_SIZE: "2" });
    expect(result.exitCode).toBe(0);
    expect(result.metadata).toMatchObject({ strategy: "uncertainty", job_type: "diversity" });
    expect(stderr).toContain('job type "diversity" names a strategy, but STRATEGY=uncertainty is set');
  });

  test("with no strategy anywhere, the original default confidence_threshold runs and the log says the default was taken", async () => {
    const output = join(tempDir(), "out");
    const { result, stderr } = await inProcess(["--job_type", "ssl_selection", "--input", originalInput(), "--output", output, "--no-save-report"]);
    expect(result.exitCode).toBe(0);
    expect(result.metadata).toMatchObject({ strategy: "confidence_threshold" });
    expect((result.metadata as { parameters: Record<string, { source: string }> }).parameters.STRATEGY!.source).toBe("default");
    expect(stderr).toContain("using the default, confidence_threshold");
    // Threshold 0.9: rows 1 and 5 (0.9 each), tie by id.
    expect(selectedIds(output)).toEqual(["1", "5"]);
  });

  test("merge, inspect and simulate keep their meaning, and --help says they are reserved", async () => {
    const out: string[] = [];
    const help = await main({}, {}, {}, ["--help"], { stdout: { write: (t) => void out.push(t), isTTY: false }, stderr: { write() {}, isTTY: false } });
    expect(help.exitCode).toBe(0);
    expect(out.join("")).toMatch(/--job_type.*free-form label.*merge, inspect and simulate are reserved/s);
    const { result } = await inProcess(["--job_type", "inspect", "--input", originalInput()]);
    expect(result.exitCode).toBe(0);
  });
});

describe("boolean flags take a value as people write it", () => {
  const cases: [string[], { report: boolean; metadata: boolean }][] = [
    [["--save-report", "false"], { report: false, metadata: true }],
    [["--save-report=false", "--save-metadata=false"], { report: false, metadata: false }],
    [["--save-report", "true", "--no-save-metadata"], { report: true, metadata: false }],
    [["--save-report", "--quiet", "true"], { report: true, metadata: true }],
    [["--save-metadata", "no", "--save-report", "off"], { report: false, metadata: false }],
  ];
  for (const [flags, expected] of cases) {
    test(`${flags.join(" ")} → report ${expected.report}, metadata ${expected.metadata}`, async () => {
      const output = join(tempDir(), "out");
      const { result } = await inProcess(["--job_type", "ssl_selection", "--input", originalInput(), "--output", output, ...flags], { STRATEGY: "uncertainty", BATCH_SIZE: "2" });
      expect(result.exitCode).toBe(0);
      expect(result.metadata).toMatchObject({ job_type: "ssl_selection" });
      const names = result.outputs.map((p) => p.split("/").pop());
      expect(names.includes("selection_report.html")).toBe(expected.report);
      expect(names.includes("selection_metadata.json")).toBe(expected.metadata);
    });
  }

  test("through the binary: --save-report false keeps ssl_selection as the job type", () => {
    const output = join(tempDir(), "out");
    const run = runBinary(["--save-report", "false", "--job_type", "ssl_selection", "--input", originalInput(), "--output", output], { STRATEGY: "uncertainty", BATCH_SIZE: "2" });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")).job_type).toBe("ssl_selection");
  });
});

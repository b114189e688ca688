import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PARAMS } from "../src/cli/params.ts";
import { main } from "../src/run.ts";
import { clusteredPoints, poolCsv, probabilityRows, tempDir } from "./helpers.ts";
import { DATA_FILE_PATTERNS } from "../src/io/sniff.ts";

function poolDir(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "pool.csv"), poolCsv(probabilityRows(400, 3, 1), 3, clusteredPoints(400, 4, 3, 2)));
  return dir;
}

async function run(args: string[], isTTY = false) {
  const out: string[] = [], err: string[] = [];
  const result = await main({}, {}, {}, args, {
    stdout: { write: (t) => void out.push(t), isTTY },
    stderr: { write: (t) => void err.push(t), isTTY },
  });
  return { result, stdout: out.join(""), stderr: err.join("") };
}

describe("what users see", () => {
  test("--log-format json writes one JSON object per stderr line", async () => {
    const { stderr, result } = await run(["--strategy", "uncertainty", "--input", poolDir(), "--output", join(tempDir(), "o"), "--log-format", "json", "--no-save-report"]);
    expect(result.exitCode).toBe(0);
    const lines = stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) {
      const record = JSON.parse(line);
      expect(typeof record.time).toBe("string");
      expect(["info", "warn", "error"]).toContain(record.level);
    }
  });

  test("--quiet keeps warnings and errors only", async () => {
    const { stderr } = await run(["--strategy", "uncertainty", "--batch-size", "9999", "--input", poolDir(), "--output", join(tempDir(), "o"), "--quiet", "--no-save-report"]);
    expect(stderr).not.toContain(" info ");
    expect(stderr).toContain("larger than the 400 selectable rows");
  });

  test("a terminal gets progress bars for reading and selecting; a pipe does not", async () => {
    const args = ["--strategy", "diversity", "--batch-size", "20", "--input", poolDir(), "--no-save-report"];
    const tty = await run([...args, "--output", join(tempDir(), "o")], true);
    expect(tty.stderr).toContain("reading files [");
    expect(tty.stderr).toContain("diversity [##############################] 20/20");
    const pipe = await run([...args, "--output", join(tempDir(), "o")], false);
    expect(pipe.stderr).not.toContain("[#");
  });

  test("BALANCE_COLUMN without CLASS_BALANCE sets no quotas, and the log and metadata say it is ignored", async () => {
    const output = join(tempDir(), "o");
    const { stderr, result } = await run(["--strategy", "uncertainty", "--balance-column", "emb_0", "--input", poolDir(), "--output", output, "--no-save-report"]);
    expect(result.exitCode).toBe(0);
    const warning = "BALANCE_COLUMN is emb_0 but CLASS_BALANCE is none; it names the column class quotas are over, and without quotas it is ignored. Set CLASS_BALANCE (uniform, pool or a JSON map) to balance over it.";
    expect(stderr).toContain(`warn  ${warning}`);
    const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    expect(metadata.class_balance).toBe(null);
    expect(metadata.warnings).toContain(warning);
    const balanced = await run(["--strategy", "uncertainty", "--balance-column", "emb_0", "--class-balance", "uniform", "--input", poolDir(), "--output", join(tempDir(), "o"), "--no-save-report"]);
    expect(balanced.stderr).not.toContain("BALANCE_COLUMN is emb_0 but");
  });

  /** A run on the small pool with `args` succeeds and names `warning` in the log and the metadata's warnings. */
  async function expectWarned(args: readonly string[], warning: string): Promise<void> {
    const output = join(tempDir(), "o");
    const { stderr, result } = await run([...args, "--input", poolDir(), "--output", output, "--no-save-report"]);
    expect(result.exitCode).toBe(0);
    expect(stderr).toContain(`warn  ${warning}`);
    expect(JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")).warnings).toContain(warning);
  }

  test("a setting the strategy does not read is named in a warning: a row count, another strategy's own setting, METRIC and VECTOR_PRECISION where no vectors are read", async () => {
    const cases = [
      [["--strategy", "confidence_threshold", "--batch-size", "5"], "BATCH_SIZE is set but STRATEGY=confidence_threshold does not read it: it takes every row that reaches CONFIDENCE_THRESHOLD, capped by MAX_SAMPLES."],
      [["--strategy", "top_k_per_class", "--max-samples", "5"], "MAX_SAMPLES is set but STRATEGY=top_k_per_class does not read it: it takes K_PER_CLASS rows per predicted class."],
      [["--strategy", "uncertainty", "--k-per-class", "5"], "K_PER_CLASS is set but STRATEGY=uncertainty does not read it: it takes BATCH_SIZE rows."],
      [["--strategy", "uncertainty", "--probcover-delta", "0.5"], "PROBCOVER_DELTA is set but only STRATEGY=probcover reads it; STRATEGY=uncertainty ignores it."],
      [["--strategy", "diversity", "--batch-size", "5", "--cluster-margin-clusters", "7"], "CLUSTER_MARGIN_CLUSTERS is set but only STRATEGY=cluster_margin reads it; STRATEGY=diversity ignores it."],
      [["--strategy", "uncertainty", "--metric", "cosine"], "METRIC is set but STRATEGY=uncertainty measures no distance between vectors here, so METRIC is ignored."],
      [["--strategy", "diversity", "--batch-size", "5", "--uncertainty-mode", "entropy"], "UNCERTAINTY_MODE is set but only STRATEGY=uncertainty reads it; STRATEGY=diversity ignores it."],
      [["--strategy", "uncertainty", "--vector-precision", "float64"], "VECTOR_PRECISION is set but STRATEGY=uncertainty reads no vectors here, so VECTOR_PRECISION is ignored."],
    ] as const;
    for (const [args, warning] of cases) await expectWarned(args, warning);
    // Where they are read, no warning: MAX_SAMPLES for confidence_threshold, METRIC for diversity
    // and for uncertainty with MIN_DISTANCE (which measures vectors).
    const read = [["--strategy", "confidence_threshold", "--max-samples", "5"], ["--strategy", "diversity", "--metric", "cosine"],
      ["--strategy", "uncertainty", "--batch-size", "5", "--metric", "cosine", "--min-distance", "0.1"],
      ["--strategy", "uncertainty", "--uncertainty-mode", "entropy"], ["--strategy", "diversity", "--batch-size", "5", "--vector-precision", "float64"]];
    for (const args of read) {
      const own = await run([...args, "--input", poolDir(), "--output", join(tempDir(), "o"), "--no-save-report"]);
      expect(own.result.exitCode).toBe(0);
      expect(own.stderr).not.toMatch(/does not read it|is ignored|ignores it/);
    }
  });

  test("inspect reads the classes as the run does: LABEL_CLASSES lists every class", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "llm.csv"), "id,predicted_label,confidence_score\na,x,0.9\nb,y,0.4\n");
    const { stdout, result } = await run(["inspect", "--input", dir, "--label-classes", "x,y,z"]);
    expect(result.exitCode).toBe(0);
    expect(stdout).toMatch(/^\s+z\s+0\s/m);
  });

  test("inspect on a confidence-only pool offers class quotas only over BALANCE_COLUMN", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "llm.csv"), "id,confidence_score\na,0.9\nb,0.4\nc,0.7\n");
    const { stdout, result } = await run(["inspect", "--input", dir]);
    expect(result.exitCode).toBe(0);
    expect(stdout).toMatch(/✓ uncertainty .*\[CLASS_BALANCE with BALANCE_COLUMN, MIN_DISTANCE\]/);
    expect(stdout).not.toMatch(/\[CLASS_BALANCE[,\]]/);
  });

  test("inspect names the files, the column roles with reasons, the class mix and the possible strategies", async () => {
    const { stdout, result } = await run(["inspect", "--input", poolDir()]);
    expect(result.exitCode).toBe(0);
    expect(stdout).toContain("rows: 400");
    expect(stdout).toContain("3 columns with prefix \"prob_class_\"");
    expect(stdout).toContain("4 emb_* columns");
    expect(stdout).toMatch(/✓ badge/);
    expect(stdout).toMatch(/✗ leaf_coreset\s+active_learning\s+needs leaf_\* columns/);
  });

  test("--dry-run reads and checks everything, prints the plan and writes nothing", async () => {
    const output = join(tempDir(), "o");
    const { stdout, result } = await run(["--strategy", "badge", "--input", poolDir(), "--output", output, "--dry-run"]);
    expect(result.exitCode).toBe(0);
    expect(stdout).toContain("dry run: would run badge");
    expect(existsSync(output)).toBe(false);
  });

  test("the report is written by default and is one self-contained page", async () => {
    const output = join(tempDir(), "o");
    const { result } = await run(["--strategy", "badge", "--batch-size", "30", "--input", poolDir(), "--output", output]);
    expect(result.outputs.map((p) => p.split("/").pop())).toContain("selection_report.html");
    const html = await Bun.file(join(output, "selection_report.html")).text();
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script[^>]+src=|https?:\/\//);
  });

  test("--help names every kind of data file a channel reads, and that subdirectories are read", async () => {
    const { stdout } = await run(["--help"]);
    for (const pattern of DATA_FILE_PATTERNS) expect(stdout).toContain(pattern);
    expect(stdout).toContain("subdirectories");
  });

  test("every parameter is declared once: one environment variable, one flag, one line of help", () => {
    const twice = (names: string[]) => names.filter((name, i) => names.indexOf(name) !== i);
    expect(twice(PARAMS.map((p) => p.env))).toEqual([]);
    expect(twice(PARAMS.map((p) => p.flag))).toEqual([]);
  });

  test("--help and the README's parameter table list every parameter of the table in src/cli/params.ts", async () => {
    const { stdout } = await run(["--help"]);
    const readme = readFileSync(join(import.meta.dir, "..", "README.md"), "utf8");
    for (const p of PARAMS) {
      expect(stdout).toContain(`--${p.flag}`);
      const values = p.kind.type === "choice" ? `: ${p.kind.values.map((v) => `\`${v}\``).join(", ")}` : "";
      const shownDefault = p.default === "" ? "–" : `\`${p.default}\``;
      expect(readme).toContain(`| \`${p.env}\` | \`--${p.flag}\` | ${shownDefault} | ${p.help}${values} |`);
    }
  });
});

describe("a reused output directory", () => {
  test("a run removes an earlier run's files it did not write itself", async () => {
    const output = join(tempDir(), "o");
    const input = poolDir();
    await run(["--strategy", "uncertainty", "--input", input, "--output", output, "--output-format", "parquet"]);
    expect(existsSync(join(output, "selected_samples.parquet"))).toBe(true);
    const { result } = await run(["--strategy", "uncertainty", "--input", input, "--output", output, "--no-save-report", "--no-save-metadata"]);
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(output, "selected_samples.csv"))).toBe(true);
    for (const stale of ["selected_samples.parquet", "selection_report.html", "selection_metadata.json"]) expect(existsSync(join(output, stale))).toBe(false);
  });
});

describe("parameter values", () => {
  test("whole-number parameters take plain digits only, not hex or exponents", async () => {
    for (const bad of ["0x10", "1e3", "12abc", ""]) {
      const { result } = await run(["--strategy", "uncertainty", "--input", poolDir(), "--output", join(tempDir(), "o"), "--batch-size", bad]);
      expect(result.exitCode).toBe(2);
    }
    const { result } = await run(["--strategy", "uncertainty", "--input", poolDir(), "--output", join(tempDir(), "o"), "--batch-size", " 16 ", "--no-save-report"]);
    expect(result.exitCode).toBe(0);
    expect(result.metadata!.selected_count).toBe(16);
  });
});

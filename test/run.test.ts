import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../src/run.ts";
import { clusteredPoints, poolCsv, probabilityRows, tempDir } from "./helpers.ts";

/** Runs main() on a directory holding the given files; returns the result and output dir. */
async function runOn(files: Record<string, string>, args: string[], env: Record<string, string> = {}) {
  const input = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(input, name), text);
  const output = join(tempDir(), "out");
  const messages: string[] = [];
  const sink = { write: (t: string) => void messages.push(t), isTTY: false };
  const result = await main({}, {}, env, ["--input", input, "--output", output, "--no-save-report", ...args], { stdout: sink, stderr: sink });
  return { result, output, input, log: messages.join("") };
}

function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, "utf8").trimEnd().split("\n");
  const names = header!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i], v])));
}

const FIVE_ROWS = "id,prob_class_0,prob_class_1\na,0.5,0.5\nb,0.9,0.1\nc,0.6,0.4\nd,0.99,0.01\ne,0.2,0.8\n";

describe("main() end to end", () => {
  test("the 5-row CSV selects 2 rows with selection_score and selection_rank, margin's [0.5, 0.5] first", async () => {
    const { result, output } = await runOn({ "pool.csv": FIVE_ROWS }, ["--strategy", "uncertainty", "--batch-size", "2"]);
    expect(result.exitCode).toBe(0);
    const rows = readCsv(join(output, "selected_samples.csv"));
    expect(rows.map((r) => r.id)).toEqual(["a", "c"]);
    expect(rows.map((r) => r.selection_rank)).toEqual(["1", "2"]);
    expect(Number(rows[0]!.selection_score)).toBe(1);
    expect(Number(rows[1]!.selection_score)).toBeCloseTo(0.8, 12);
    const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    expect(metadata.strategy).toBe("uncertainty");
    expect(metadata.selected_count).toBe(2);
    expect(metadata.pool_size).toBe(5);
    // Row a ([0.5, 0.5]) ties; argmax takes the lower class.
    expect(metadata.class_distribution.pool).toEqual({ "0": 4, "1": 1 });
  });

  test("entropy and least_confidence rank by their hand-computed values", async () => {
    const csv = "id,prob_class_0,prob_class_1,prob_class_2\nx,0.5,0.5,0\ny,0.4,0.3,0.3\nz,0.8,0.1,0.1\n";
    // entropy: y (1.0889) > x (0.6931) > z (0.6390); least confidence: y (0.6) > x (0.5) > z (0.2)
    for (const [mode, order] of [["entropy", ["y", "x", "z"]], ["least_confidence", ["y", "x", "z"]], ["margin", ["x", "y", "z"]]] as const) {
      const { output } = await runOn({ "p.csv": csv }, ["--strategy", "uncertainty", "--uncertainty-mode", mode, "--batch-size", "3"]);
      const rows = readCsv(join(output, "selected_samples.csv"));
      expect(rows.map((r) => r.id)).toEqual([...order]);
      if (mode === "entropy") expect(Number(rows[0]!.selection_score)).toBeCloseTo(-(0.4 * Math.log(0.4) + 0.6 * Math.log(0.3)) / Math.log(3), 12);
    }
  });

  test("confidence_threshold keeps rows at or above the threshold, most confident first, capped by MAX_SAMPLES", async () => {
    const { output } = await runOn({ "pool.csv": FIVE_ROWS }, ["--strategy", "confidence_threshold"]);
    expect(readCsv(join(output, "selected_samples.csv")).map((r) => r.id)).toEqual(["d", "b"]);
    const capped = await runOn({ "pool.csv": FIVE_ROWS }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.6", "--max-samples", "2"]);
    expect(readCsv(join(capped.output, "selected_samples.csv")).map((r) => r.id)).toEqual(["d", "b"]);
  });

  test("top_k_per_class takes the K most confident rows of each predicted class", async () => {
    const { output } = await runOn({ "pool.csv": FIVE_ROWS }, ["--strategy", "top_k_per_class", "--k-per-class", "1"]);
    // class 0: d (0.99); class 1: e (0.8); ranked by confidence.
    expect(readCsv(join(output, "selected_samples.csv")).map((r) => r.id)).toEqual(["d", "e"]);
  });

  test("a strategy that contradicts the use case is refused with the reason, and nothing is written", async () => {
    const ssl = await runOn({ "pool.csv": FIVE_ROWS }, ["--strategy", "uncertainty", "--use-case", "ssl"]);
    expect(ssl.result.exitCode).toBe(2);
    expect(ssl.log).toContain("noisy pseudo-labels");
    expect(existsSync(ssl.output)).toBe(false);
    const al = await runOn({ "pool.csv": FIVE_ROWS }, ["--strategy", "confidence_threshold"], { USE_CASE: "active_learning" });
    expect(al.result.exitCode).toBe(2);
    expect(al.log).toContain("waste");
  });

  test("--job_type names the strategy as in the processing container, and env vars set parameters", async () => {
    const { result, output } = await runOn({ "pool.csv": FIVE_ROWS }, ["--job_type", "uncertainty"], { BATCH_SIZE: "3", UNCERTAINTY_MODE: "least_confidence" });
    expect(result.exitCode).toBe(0);
    expect(readCsv(join(output, "selected_samples.csv")).map((r) => r.id)).toEqual(["a", "c", "e"]);
    // Flags override env.
    const flagged = await runOn({ "pool.csv": FIVE_ROWS }, ["--job_type", "uncertainty", "--batch-size", "1"], { BATCH_SIZE: "3" });
    expect(readCsv(join(flagged.output, "selected_samples.csv")).length).toBe(1);
  });

  test("every shard of a directory is read, in name order, and ids stay as written", async () => {
    const header = "id,prob_class_0,prob_class_1\n";
    const { result, output } = await runOn({
      "part-002.csv": header + "007,0.5,0.5\n",
      "part-001.csv": header + "0008,0.45,0.55\n",
      "part-003.csv": header + "12345678901234567890,0.7,0.3\n",
    }, ["--strategy", "uncertainty", "--batch-size", "10"]);
    expect(result.exitCode).toBe(0);
    expect(readCsv(join(output, "selected_samples.csv")).map((r) => r.id)).toEqual(["007", "0008", "12345678901234567890"]);
    expect((result.metadata!.input as { files: unknown[] }).files.length).toBe(3);
  });

  test("a lone LLM confidence is that of an unrecorded prediction, and several LLM scores are softmax-normalised", async () => {
    // Not P(class 1): c, confident in its unrecorded answer at 0.1, is the least certain row.
    const single = await runOn({ "p.csv": "id,confidence_score\na,0.9\nb,0.55\nc,0.1\n" }, ["--strategy", "uncertainty", "--batch-size", "1"]);
    expect(readCsv(join(single.output, "selected_samples.csv"))[0]!.id).toBe("c");
    expect(single.result.metadata!.score_normalisation).toMatchObject({ softmaxRows: 0 });
    const several = await runOn({ "p.csv": "id,rule_score,label_score\na,2,1\nb,0.3,0.7\n" }, ["--strategy", "uncertainty", "--batch-size", "2"]);
    expect(several.result.exitCode).toBe(0);
    expect(several.result.metadata!.score_normalisation).toMatchObject({ softmaxRows: 1 });
  });

  test("the same seed gives the same BADGE selection, byte for byte, and BADGE returns batch-size distinct rows", async () => {
    const probs = probabilityRows(300, 4, 5);
    const csv = poolCsv(probs, 4, clusteredPoints(300, 5, 6, 6));
    const args = ["--strategy", "badge", "--batch-size", "40", "--random-seed", "7"];
    const a = await runOn({ "p.csv": csv }, args);
    const b = await runOn({ "p.csv": csv }, args);
    const textA = readFileSync(join(a.output, "selected_samples.csv"), "utf8");
    expect(textA).toBe(readFileSync(join(b.output, "selected_samples.csv"), "utf8"));
    const ids = readCsv(join(a.output, "selected_samples.csv")).map((r) => r.id);
    expect(new Set(ids).size).toBe(40);
    const other = await runOn({ "p.csv": csv }, ["--strategy", "badge", "--batch-size", "40", "--random-seed", "8"]);
    expect(readFileSync(join(other.output, "selected_samples.csv"), "utf8")).not.toBe(textA);
  });

  test("diversity starts from the labelled rows and never selects one of them", async () => {
    const probs = probabilityRows(200, 3, 1);
    const vectors = clusteredPoints(200, 4, 5, 2);
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), poolCsv(probs, 3, vectors));
    const labeledDir = tempDir();
    // Labelled: rows r0..r9 of the pool (same vectors), as a second channel.
    const lines = ["id," + Array.from({ length: 4 }, (_, j) => `emb_${j}`).join(",")];
    for (let i = 0; i < 10; i++) lines.push(`r${i},` + Array.from(vectors.data.subarray(i * 4, i * 4 + 4)).join(","));
    writeFileSync(join(labeledDir, "labeled.csv"), lines.join("\n") + "\n");
    const output = join(tempDir(), "out");
    const result = await main({ inference_data: input, labeled_data: labeledDir }, { selected_samples: output }, {}, ["--strategy", "diversity", "--batch-size", "20", "--no-save-report"]);
    expect(result.exitCode).toBe(0);
    const ids = readCsv(join(output, "selected_samples.csv")).map((r) => r.id);
    expect(ids.length).toBe(20);
    for (let i = 0; i < 10; i++) expect(ids).not.toContain(`r${i}`);
    // The first pick is the pool row farthest from every labelled row.
    const dist = (a: number, b: number) => Math.hypot(...Array.from({ length: 4 }, (_, j) => vectors.data[a * 4 + j]! - vectors.data[b * 4 + j]!));
    let far = -1, farDistance = -1;
    for (let i = 10; i < 200; i++) {
      const d = Math.min(...Array.from({ length: 10 }, (_, l) => dist(i, l)));
      if (d > farDistance) { farDistance = d; far = i; }
    }
    expect(ids[0]).toBe(`r${far}`);
    expect(result.metadata!.labeled_data).toMatchObject({ rows: 10 });
  });

  test("leaf_coreset selects rows spread over the trees' leaves", async () => {
    // Two groups of identical leaf assignments plus one odd row: the first three picks cover all three.
    const lines = ["id,prob_class_0,prob_class_1,leaf_0,leaf_1,leaf_2"];
    for (let i = 0; i < 10; i++) lines.push(`a${i},0.5,0.5,1,1,1`);
    for (let i = 0; i < 10; i++) lines.push(`b${i},0.5,0.5,2,2,2`);
    lines.push("odd,0.5,0.5,1,2,3");
    const { result, output } = await runOn({ "p.csv": lines.join("\n") + "\n" }, ["--strategy", "leaf_coreset", "--batch-size", "3"]);
    expect(result.exitCode).toBe(0);
    const rows = readCsv(join(output, "selected_samples.csv"));
    const groups = new Set(rows.map((r) => r.id!.replace(/\d+$/, "")));
    expect(groups).toEqual(new Set(["a", "b", "odd"]));
  });

  test("--help lists every strategy and parameter with its environment variable", async () => {
    const out: string[] = [];
    const sink = { write: (t: string) => void out.push(t), isTTY: false };
    const result = await main({}, {}, {}, ["--help"], { stdout: sink, stderr: sink });
    expect(result.exitCode).toBe(0);
    const text = out.join("");
    for (const word of ["badge", "leaf_coreset", "BATCH_SIZE", "--batch-size", "UNCERTAINTY_MODE", "Exit codes"]) expect(text).toContain(word);
  });
});


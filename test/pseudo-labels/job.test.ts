/**
 * Pseudo-labels through main() and the compiled binary: the label columns, the calibration
 * channel and its refusals, TARGET_PRECISION, THRESHOLD_MODE, determinism.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { Rng } from "../../src/rng.ts";
import { runBinary } from "../binary.ts";
import { tempDir } from "../helpers.ts";

const CLASSES = ["cat", "dog", "eel"];

/**
 * Rows whose pseudo-label is right with a known probability: the top probability s is drawn in
 * [0.4, 1) and the true class is the predicted one with probability s (a calibrated model),
 * else one of the others. `label` is written only when asked (calibration rows).
 */
function rows(n: number, seed: number, withLabel: boolean, idPrefix: string): string {
  const rng = new Rng(seed);
  const header = ["id", ...CLASSES.map((c) => `prob_class_${c}`), ...(withLabel ? ["label"] : [])].join(",");
  const lines = [header];
  for (let i = 0; i < n; i++) {
    const predicted = rng.nextInt(3);
    const s = 0.4 + 0.6 * rng.nextFloat();
    const p = CLASSES.map((_, c) => (c === predicted ? s : (1 - s) / 2));
    const truth = rng.nextFloat() < s ? predicted : (predicted + 1 + rng.nextInt(2)) % 3;
    lines.push([`${idPrefix}${String(i).padStart(5, "0")}`, ...p.map((x) => x.toFixed(6)), ...(withLabel ? [CLASSES[truth]] : [])].join(","));
  }
  return lines.join("\n") + "\n";
}

function channel(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function run(args: string[], env: Record<string, string> = {}) {
  const output = join(tempDir(), "out");
  const result = await main({}, {}, { QUIET: "true", ...env }, [...args, "--output", output]);
  return { result, output, csv: result.exitCode === 0 ? readFileSync(join(output, "selected_samples.csv"), "utf8") : "" };
}

function column(csv: string, name: string): string[] {
  const [header, ...lines] = csv.trimEnd().split("\n");
  const at = header!.split(",").indexOf(name);
  return lines.map((l) => l.split(",")[at]!);
}

const pool = () => channel({ "pool.csv": rows(3000, 1, false, "p") });
const calibration = () => channel({ "cal.csv": rows(1500, 2, true, "c") });

describe("the label columns", () => {
  test("confidence_threshold writes pseudo_label as the input names the class, its probability and its weight", async () => {
    const { result, csv } = await run(["--strategy", "confidence_threshold", "--confidence-threshold", "0.9", "--input", pool()]);
    expect(result.exitCode).toBe(0);
    const header = csv.split("\n")[0]!.split(",");
    expect(header.slice(-5)).toEqual(["pseudo_label", "pseudo_label_confidence", "pseudo_label_weight", "selection_score", "selection_rank"]);
    const labels = column(csv, "pseudo_label");
    expect(new Set(labels)).toEqual(new Set(CLASSES));
    const lines = csv.trimEnd().split("\n").slice(1);
    for (const line of lines) {
      const cells = line.split(",");
      const p = [1, 2, 3].map((i) => Number(cells[i]));
      expect(cells[4]).toBe(CLASSES[p.indexOf(Math.max(...p))]);
      expect(Number(cells[5])).toBe(Math.max(...p));
      // SoftMatch: rows at or above the pool's mean confidence weigh 1.
      expect(Number(cells[6])).toBe(1);
    }
    expect((result.metadata as any).label_columns).toEqual(["pseudo_label", "pseudo_label_confidence", "pseudo_label_weight"]);
  });

  test("the metadata and the report count the pseudo-labels per class and give their confidence spread, from the rows written", async () => {
    const { result, csv, output } = await run(["--strategy", "confidence_threshold", "--confidence-threshold", "0.8", "--input", pool()]);
    expect(result.exitCode).toBe(0);
    const labels = column(csv, "pseudo_label"), confidence = column(csv, "pseudo_label_confidence").map(Number);
    const perClass = (result.metadata as any).pseudo_labels.per_class;
    for (const name of CLASSES) {
      const mine = confidence.filter((_, k) => labels[k] === name).sort((a, b) => a - b);
      expect(perClass[name].rows).toBe(mine.length);
      expect(perClass[name].confidence.min).toBe(mine[0]!);
      expect(perClass[name].confidence.max).toBe(mine.at(-1)!);
      expect(perClass[name].confidence.median).toBe(mine[Math.floor(mine.length / 2)]!);
    }
    const html = readFileSync(join(output, "selection_report.html"), "utf8");
    expect(html).toContain("Pseudo-labels per class");
    expect(html).toContain(`${perClass.cat.rows.toLocaleString("en-US")} rows · ${perClass.cat.confidence.min.toFixed(3)}`);
  });

  test("SoftMatch weights fall below 1 under the pool's mean confidence and rise with confidence", async () => {
    const { csv } = await run(["--strategy", "confidence_threshold", "--confidence-threshold", "0", "--input", pool()]);
    const confidence = column(csv, "pseudo_label_confidence").map(Number), weight = column(csv, "pseudo_label_weight").map(Number);
    const mean = confidence.reduce((a, b) => a + b, 0) / confidence.length;
    for (let k = 0; k < confidence.length; k++) {
      if (confidence[k]! >= mean) expect(weight[k]).toBe(1);
      else expect(weight[k]).toBeLessThan(1);
      if (k > 0) expect(weight[k]!).toBeLessThanOrEqual(weight[k - 1]!); // ranked by confidence
    }
    expect(Math.min(...weight)).toBeGreaterThan(0);
  });

  test("active-learning strategies write predicted_label; both names are configurable", async () => {
    const { csv } = await run(["--strategy", "uncertainty", "--batch-size", "5", "--input", pool(), "--predicted-label-column", "model_guess"]);
    expect(csv.split("\n")[0]!.split(",").slice(-3)).toEqual(["model_guess", "selection_score", "selection_rank"]);
    const ssl = await run(["--strategy", "top_k_per_class", "--k-per-class", "2", "--input", pool()], { PSEUDO_LABEL_COLUMN: "y_hat" });
    expect(ssl.csv.split("\n")[0]!.split(",").slice(-5, -2)).toEqual(["y_hat", "y_hat_confidence", "y_hat_weight"]);
  });

  test("a model output's own predicted_label beside prob_class_* is kept as written, and active learning adds no second one", async () => {
    const text = rows(50, 3, false, "p").replace("prob_class_eel\n", "prob_class_eel,predicted_label\n").replace(/\n(p\d+,[^\n]+)/g, "\n$1,x");
    const { result, csv } = await run(["--strategy", "uncertainty", "--batch-size", "5", "--input", channel({ "p.csv": text })]);
    expect(result.exitCode).toBe(0);
    expect(csv.split("\n")[0]).toBe("id,prob_class_cat,prob_class_dog,prob_class_eel,predicted_label,selection_score,selection_rank");
    expect(new Set(column(csv, "predicted_label"))).toEqual(new Set(["x"]));
    expect((result.metadata as any).label_columns).toEqual([]);
  });

  test("an input that already has the pseudo_label column is refused, naming the column and the parameter", async () => {
    const text = rows(50, 3, false, "p").replace("prob_class_eel\n", "prob_class_eel,pseudo_label\n").replace(/\n(p\d+,[^\n]+)/g, "\n$1,x");
    const { result } = await run(["--strategy", "confidence_threshold", "--input", channel({ "p.csv": text })]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toContain('"pseudo_label"');
    expect(result.error!.message).toContain("PSEUDO_LABEL_COLUMN");
  });

  test("Parquet output writes the pseudo-label as text and its probability as a double", async () => {
    const output = join(tempDir(), "out");
    const result = await main({}, {}, { QUIET: "true" }, ["--strategy", "confidence_threshold", "--input", pool(), "--output", output, "--output-format", "parquet"]);
    expect(result.exitCode).toBe(0);
    const { readParquetTable } = await import("../../src/io/parquet.ts");
    const table = await readParquetTable(join(output, "selected_samples.parquet"));
    const at = table.columns.indexOf("pseudo_label");
    const { typeName } = await import("../../src/io/column-type.ts");
    expect(typeName(table.columnTypes[at]!)).toBe("string");
    expect(typeName(table.columnTypes[at + 1]!)).toBe("double");
    expect(CLASSES).toContain(table.cell(0, at) as string);
  });
});

describe("the calibration channel", () => {
  test("temperature scaling: the metadata shows ECE before and after and a reliability diagram", async () => {
    // Over-confident scores: every probability row sharpened (p^2, renormalised), labels as drawn.
    const sharpened = rows(2000, 4, true, "c").split("\n").map((line, i) => {
      if (i === 0 || line === "") return line;
      const cells = line.split(",");
      const p = [1, 2, 3].map((k) => Number(cells[k]) ** 2);
      const total = p[0]! + p[1]! + p[2]!;
      return [cells[0], ...p.map((x) => (x / total).toFixed(6)), cells[4]].join(",");
    }).join("\n");
    const { result } = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.csv": sharpened })]);
    expect(result.exitCode).toBe(0);
    const c = (result.metadata as any).pseudo_labels.calibration;
    expect(c.rows).toBe(2000);
    // Squaring the probabilities is a temperature of 1/2; scaling undoes it: T ≈ 2.
    expect(c.temperature).toBeGreaterThan(1.7);
    expect(c.temperature).toBeLessThan(2.3);
    expect(c.ece_after).toBeLessThan(c.ece_before / 2);
    expect(c.reliability_before.length).toBeGreaterThan(3);
    expect(c.reliability_before[0]).toMatchObject({ rows: expect.any(Number), mean_confidence: expect.any(Number), accuracy: expect.any(Number) });
  });

  test("TARGET_PRECISION: the selection, the estimated precision, per-class thresholds and coverage", async () => {
    const { result, csv } = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", calibration(), "--target-precision", "0.9"]);
    expect(result.exitCode).toBe(0);
    const precision = (result.metadata as any).pseudo_labels.precision;
    expect(precision.target).toBe(0.9);
    expect(precision.scope).toBe("overall");
    expect(precision.estimated_precision).toBeGreaterThanOrEqual(0.85);
    expect(precision.rows_passing).toBe(csv.trimEnd().split("\n").length - 1);
    expect(precision.coverage).toBeCloseTo(precision.rows_passing / 3000, 12);
    // A calibrated model at 90%: the mean of s over [t, 1] is 0.9 at t ≈ 0.8.
    const threshold = precision.per_class.cat.threshold;
    expect(threshold).toBeGreaterThan(0.7);
    expect(threshold).toBeLessThan(0.9);
    expect(Math.min(...column(csv, "pseudo_label_confidence").map(Number))).toBeGreaterThan(0.6);
    // With no cap the rows written are the rows passing: one estimate.
    expect(precision.selection.rows).toBe(precision.rows_passing);
    expect(precision.selection.estimated_precision).toBeCloseTo(precision.estimated_precision, 12);
  });

  test("a class that cannot reach the target gets no pseudo-labels and is named in a warning", async () => {
    // Calibration rows of class eel are all wrong: eel's confidence means nothing.
    const cal = rows(1500, 2, true, "c").split("\n").map((line, i) => {
      if (i === 0 || line === "") return line;
      const cells = line.split(",");
      const p = [1, 2, 3].map((k) => Number(cells[k]));
      return p.indexOf(Math.max(...p)) === 2 ? [...cells.slice(0, 4), "cat"].join(",") : line;
    }).join("\n");
    const { result, csv } = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.csv": cal }),
      "--target-precision", "0.9", "--precision-scope", "class"]);
    expect(result.exitCode).toBe(0);
    expect(column(csv, "pseudo_label")).not.toContain("eel");
    expect(column(csv, "pseudo_label")).toContain("cat");
    const metadata = result.metadata as any;
    expect(metadata.pseudo_labels.precision.classes_below_target).toEqual(["eel"]);
    expect(metadata.warnings.join("\n")).toMatch(/class eel cannot reach the target/);
  });

  test("top_k_per_class with TARGET_PRECISION keeps at most K of the rows that pass", async () => {
    const { result, csv } = await run(["--strategy", "top_k_per_class", "--k-per-class", "50", "--input", pool(), "--calibration", calibration(), "--target-precision", "0.9"]);
    expect(result.exitCode).toBe(0);
    const labels = column(csv, "pseudo_label");
    for (const c of CLASSES) expect(labels.filter((l) => l === c).length).toBe(50);
    // The 50 most confident of each class are surer than all that passed.
    const precision = (result.metadata as any).pseudo_labels.precision;
    expect(precision.selection.rows).toBe(150);
    expect(precision.selection.estimated_precision).toBeGreaterThan(precision.estimated_precision);
    for (const c of CLASSES) expect(precision.selection.per_class[c]).toBeGreaterThan(precision.per_class[c].estimated_precision - 1e-12);
  });

  test("the same rows in other files and another order give the same selection, byte for byte", async () => {
    const one = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", calibration(), "--target-precision", "0.85", "--precision-scope", "class"]);
    const poolLines = rows(3000, 1, false, "p").trimEnd().split("\n");
    const calLines = rows(1500, 2, true, "c").trimEnd().split("\n");
    const shuffle = (lines: string[], seed: number) => {
      const rng = new Rng(seed);
      const body = lines.slice(1);
      for (let i = body.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [body[i], body[j]] = [body[j]!, body[i]!]; }
      return body;
    };
    const p = shuffle(poolLines, 7), c = shuffle(calLines, 8);
    const split = (header: string, body: string[], cut: number) => ({ "a.csv": [header, ...body.slice(0, cut)].join("\n") + "\n", "b.csv": [header, ...body.slice(cut)].join("\n") + "\n" });
    const two = await run(["--strategy", "confidence_threshold", "--input", channel(split(poolLines[0]!, p, 1234)), "--calibration", channel(split(calLines[0]!, c, 321)),
      "--target-precision", "0.85", "--precision-scope", "class"]);
    expect(two.result.exitCode).toBe(0);
    expect(two.csv).toBe(one.csv);
    expect((two.result.metadata as any).pseudo_labels.calibration.temperature).toBe((one.result.metadata as any).pseudo_labels.calibration.temperature);
  });

  test("refused: a calibration channel without the true-label column", async () => {
    const { result } = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.csv": rows(100, 2, false, "c") }), "--target-precision", "0.9"]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toContain('no true-label column "label"');
    expect(result.error!.message).toContain("TRUE_LABEL_FIELD");
    expect(result.error!.message).toContain("cal.csv");
  });

  test("refused: a calibration channel with other score columns", async () => {
    const other = rows(100, 2, true, "c").replace("prob_class_eel", "prob_class_fox");
    const { result } = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.csv": other })]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toMatch(/score columns \(prob_class_cat, prob_class_dog, prob_class_fox\) differ from the pool's \(prob_class_cat, prob_class_dog, prob_class_eel\)/);
  });

  test("refused: a true label that is not one of the pool's classes, and an empty one, naming the row", async () => {
    const wrong = rows(100, 2, true, "c").replace(/,(cat|dog|eel)\n/, ",cow\n");
    const a = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.csv": wrong })]);
    expect(a.result.exitCode).toBe(3);
    expect(a.result.error!.message).toMatch(/cal\.csv: row 1: true label "cow" in column "label" is not one of the pool's classes \(cat, dog, eel\)/);
    const empty = rows(100, 2, true, "c").replace(/,(cat|dog|eel)\n/, ",\n");
    const b = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.csv": empty })]);
    expect(b.result.exitCode).toBe(3);
    expect(b.result.error!.message).toMatch(/cal\.csv: row 1 \(line 2\): no true label in column "label"/);
    // JSON lines: a null label is a missing label too, not a missing id.
    const [header, ...lines] = rows(100, 2, true, "c").trimEnd().split("\n");
    const names = header!.split(",");
    const jsonl = lines.map((line, i) => JSON.stringify(Object.fromEntries(line.split(",").map((cell, k) =>
      [names[k], names[k] === "label" ? (i === 4 ? null : cell) : names[k] === "id" ? cell : Number(cell)])))).join("\n") + "\n";
    const c = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.jsonl": jsonl })]);
    expect(c.result.exitCode).toBe(3);
    expect(c.result.error!.message).toMatch(/cal\.jsonl: row 5.*: no true label in column "label"/);
  });

  test("refused before reading: TARGET_PRECISION without calibration rows, with another strategy, or with THRESHOLD_MODE", async () => {
    const noCalibration = await run(["--strategy", "confidence_threshold", "--input", pool(), "--target-precision", "0.9"]);
    expect(noCalibration.result.exitCode).toBe(2);
    expect(noCalibration.result.error!.message).toContain("--calibration DIR");
    const uncertainty = await run(["--strategy", "uncertainty", "--input", pool(), "--calibration", calibration(), "--target-precision", "0.9"]);
    expect(uncertainty.result.exitCode).toBe(2);
    expect(uncertainty.result.error!.message).toMatch(/applies to confidence_threshold and top_k_per_class, not uncertainty/);
    const both = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", calibration(), "--target-precision", "0.9", "--threshold-mode", "flexmatch"]);
    expect(both.result.exitCode).toBe(2);
    const missing = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", "/nonexistent/cal", "--target-precision", "0.9"]);
    expect(missing.result.exitCode).not.toBe(0);
    expect(missing.result.error!.message).toContain("/nonexistent/cal");
  });
});

describe("THRESHOLD_MODE without calibration rows", () => {
  test("flexmatch lowers the bar for a class the model rarely passes τ on; the metadata lists the thresholds", async () => {
    // Class eel is predicted with low confidence only.
    const text = rows(3000, 5, false, "p").split("\n").map((line, i) => {
      if (i === 0 || line === "") return line;
      const cells = line.split(",");
      const p = [1, 2, 3].map((k) => Number(cells[k]));
      if (p.indexOf(Math.max(...p)) !== 2 || p[2]! < 0.8) return line;
      return [cells[0], "0.1", "0.1", "0.8", ...cells.slice(4)].join(",");
    }).join("\n");
    const fixed = await run(["--strategy", "confidence_threshold", "--confidence-threshold", "0.85", "--input", channel({ "p.csv": text })]);
    const flex = await run(["--strategy", "confidence_threshold", "--confidence-threshold", "0.85", "--threshold-mode", "flexmatch", "--input", channel({ "p.csv": text })]);
    expect(flex.result.exitCode).toBe(0);
    expect(column(fixed.csv, "pseudo_label")).not.toContain("eel");
    expect(column(flex.csv, "pseudo_label")).toContain("eel");
    const thresholds = (flex.result.metadata as any).pseudo_labels.class_thresholds;
    expect(thresholds.eel).toBeLessThan(0.8);
    expect(Math.max(thresholds.cat, thresholds.dog)).toBeCloseTo(0.85, 12);
  });

  test("freematch and flexmatch through the compiled binary", () => {
    const input = pool();
    for (const mode of ["flexmatch", "freematch"]) {
      const output = join(tempDir(), "out");
      const run = runBinary(["--strategy", "confidence_threshold", "--threshold-mode", mode, "--input", input, "--output", output, "--quiet"]);
      expect(run.stderr).toBe("");
      expect(run.exitCode).toBe(0);
      const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
      expect(metadata.pseudo_labels.threshold_mode).toBe(mode);
      expect(Object.keys(metadata.pseudo_labels.class_thresholds)).toEqual(CLASSES);
    }
  });
});

describe("through the compiled binary", () => {
  test("TARGET_PRECISION with --calibration, and the container's calibration_data path only in the container", () => {
    const output = join(tempDir(), "out");
    const cal = calibration();
    const run = runBinary(["--input", pool(), "--calibration", cal, "--output", output], { STRATEGY: "confidence_threshold", TARGET_PRECISION: "0.9" });
    expect(run.exitCode).toBe(0);
    const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    expect(metadata.pseudo_labels.calibration.channel).toBe(cal);
    expect(metadata.pseudo_labels.precision.target).toBe(0.9);
    expect(readFileSync(join(output, "selection_report.html"), "utf8")).toContain("Reliability");
    const refused = runBinary(["--input", pool(), "--calibration", channel({ "cal.csv": rows(50, 2, false, "c") }), "--output", join(tempDir(), "o")],
      { STRATEGY: "confidence_threshold", TARGET_PRECISION: "0.9" });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain("TRUE_LABEL_FIELD");
    expect(refused.stderr).not.toContain("This is a bug");
  });
});

describe("LLM outputs: a predicted label and the confidence in it", () => {
  /** Bedrock-style rows: the label as the LLM wrote it, and its confidence; `label` is the truth (calibration rows). */
  function llmRows(n: number, seed: number, withTruth: boolean): string {
    const rng = new Rng(seed);
    const names = ["Billing issue", "billing", "Shipping / delay"];
    const lines = [["id", "predicted_label", "confidence_score", ...(withTruth ? ["label"] : [])].join(",")];
    for (let i = 0; i < n; i++) {
      const predicted = names[rng.nextInt(3)]!;
      const s = 0.5 + 0.5 * rng.nextFloat();
      const truth = rng.nextFloat() < s ? predicted : names.find((x) => x !== predicted)!;
      lines.push([`q${i}`, `"${predicted}"`, s.toFixed(4), ...(withTruth ? [`"${truth}"`] : [])].join(","));
    }
    return lines.join("\n") + "\n";
  }

  test("pseudo_label is the label as written; an active-learning run keeps the input's predicted_label and adds none", async () => {
    const input = channel({ "bedrock.csv": llmRows(600, 1, false) });
    const ssl = await run(["--strategy", "confidence_threshold", "--confidence-threshold", "0.9", "--input", input]);
    expect(ssl.result.exitCode).toBe(0);
    const header = ssl.csv.split("\n")[0]!;
    expect(header).toBe("id,predicted_label,confidence_score,pseudo_label,pseudo_label_confidence,pseudo_label_weight,selection_score,selection_rank");
    for (const line of ssl.csv.trimEnd().split("\n").slice(1)) {
      const label = line.match(/^q\d+,("[^"]*")/)![1]!;
      expect(line.includes(`,${label},`)).toBe(true); // the label twice: the input's and the pseudo-label, as written
    }
    const al = await run(["--strategy", "uncertainty", "--batch-size", "5", "--input", input]);
    expect(al.result.exitCode).toBe(0);
    expect(al.csv.split("\n")[0]).toBe("id,predicted_label,confidence_score,selection_score,selection_rank");
    expect((al.result.metadata as any).label_columns).toEqual([]);
  });

  test("calibration rows with the LLM's label, its confidence and the true label drive TARGET_PRECISION", async () => {
    const { result, csv } = await run(["--strategy", "confidence_threshold", "--input", channel({ "p.csv": llmRows(3000, 2, false) }),
      "--calibration", channel({ "c.csv": llmRows(1500, 3, true) }), "--target-precision", "0.9"]);
    expect(result.exitCode).toBe(0);
    const precision = (result.metadata as any).pseudo_labels.precision;
    expect(Object.keys(precision.per_class)).toEqual(["Billing issue", "Shipping / delay", "billing"]);
    expect(precision.rows_passing).toBe(csv.trimEnd().split("\n").length - 1);
    expect(precision.rows_passing).toBeGreaterThan(300);
  });
});

describe("the container's calibration_data channel and SSL hybrids", () => {
  test("in the container, /opt/ml/processing/input/calibration_data is read when present", async () => {
    const output = join(tempDir(), "out");
    const result = await main({ inference_data: pool(), calibration_data: calibration() }, { selected_samples: output },
      { QUIET: "true", STRATEGY: "confidence_threshold", TARGET_PRECISION: "0.9" }, []);
    expect(result.error?.message ?? null).toBeNull();
    expect((result.metadata as any).pseudo_labels.calibration.rows).toBe(1500);
    const absent = await main({ inference_data: pool(), calibration_data: "/nonexistent/calibration_data" }, { selected_samples: join(tempDir(), "o") },
      { QUIET: "true", STRATEGY: "confidence_threshold" }, []);
    expect(absent.exitCode).toBe(0);
    expect((absent.metadata as any).pseudo_labels.calibration).toBeNull();
  });

  test("a hybrid that rewards confidence writes pseudo-labels from the temperature-scaled probabilities", async () => {
    const config = JSON.stringify({ objectives: [{ type: "confidence", strength: 1 }] });
    const { result, csv } = await run(["--strategy", "hybrid", "--config", config, "--batch-size", "20", "--input", pool(), "--calibration", calibration()]);
    expect(result.exitCode).toBe(0);
    const metadata = result.metadata as any;
    expect(metadata.use_case).toBe("ssl");
    expect(metadata.pseudo_labels.probabilities).toMatch(/^temperature-scaled/);
    const t = metadata.pseudo_labels.calibration.temperature;
    // The confidence written is the scaled one: softmax(log p / T) of the row's probabilities.
    const line = csv.trimEnd().split("\n")[1]!.split(",");
    const p = [1, 2, 3].map((k) => Number(line[k]));
    const scaled = p.map((x) => x ** (1 / t));
    expect(Number(column(csv, "pseudo_label_confidence")[0])).toBeCloseTo(Math.max(...scaled) / scaled.reduce((a, b) => a + b, 0), 9);
  });
});

describe("TARGET_PRECISION on several hosts", () => {
  const HOSTS = ["algo-1", "algo-2", "algo-3"];

  async function mapThenMerge(args: string[], cal: string) {
    const [header, ...lines] = rows(3000, 1, false, "p").trimEnd().split("\n");
    const prefix = join(tempDir(), "map");
    for (const [h, host] of HOSTS.entries()) {
      const shard = channel({ "part.csv": [header, ...lines.filter((_, i) => i % 3 === h)].join("\n") + "\n" });
      const r = await main({}, {}, { QUIET: "true" }, ["--input", shard, "--calibration", cal, "--output", prefix, "--host", host, "--hosts", HOSTS.join(","), "--no-save-report", ...args]);
      expect(r.error?.message ?? null).toBeNull();
      expect((r.metadata as any).conformal_eligible.reduce((a: number, b: number) => a + b, 0)).toBe(1000);
      // Only the rows with a conformal p-value ≤ 1 − target: fewer than the shard, more than one process selects from it.
      expect((r.metadata as any).candidates).toBeLessThan(1000);
      expect((r.metadata as any).candidates).toBeGreaterThan(100);
    }
    const output = join(tempDir(), "merged");
    const merged = await main({}, {}, { QUIET: "true" }, ["--job_type", "merge", "--input", prefix, "--calibration", cal, "--output", output, "--no-save-report"]);
    expect(merged.error?.message ?? null).toBeNull();
    return { merged, csv: readFileSync(join(output, "selected_samples.csv"), "utf8") };
  }

  for (const [strategy, extra] of [["confidence_threshold", []], ["top_k_per_class", ["--k-per-class", "40"]]] as const) {
    for (const scope of ["overall", "class"]) {
      test(`${strategy}, ${scope} scope: map steps and a merge select exactly what one process selects`, async () => {
        const cal = calibration();
        const args = ["--strategy", strategy, ...extra, "--target-precision", "0.88", "--precision-scope", scope];
        const one = await run([...args, "--input", pool(), "--calibration", cal, "--no-save-report"]);
        expect(one.result.exitCode).toBe(0);
        const { merged, csv } = await mapThenMerge(args, cal);
        expect(csv).toBe(one.csv);
        const a = (merged.metadata as any).pseudo_labels.precision, b = (one.result.metadata as any).pseudo_labels.precision;
        expect(a.rows_passing).toBe(b.rows_passing);
        expect(a.eligible_rows).toBe(3000);
        expect(a.estimated_precision).toBeCloseTo(b.estimated_precision, 12);
        expect(a.per_class).toEqual(b.per_class);
      });
    }
  }
});

test("THRESHOLD_MODE on a map step is refused: a host cannot know which of its rows the merge would keep", async () => {
  const r = await main({}, {}, { QUIET: "true" }, ["--strategy", "confidence_threshold", "--threshold-mode", "flexmatch", "--input", channel({ "p.csv": rows(50, 1, false, "p") }),
    "--output", join(tempDir(), "o"), "--host", "algo-1", "--hosts", "algo-1,algo-2"]);
  expect(r.exitCode).toBe(2);
  expect(r.error!.message).toMatch(/THRESHOLD_MODE=flexmatch .* Run it on one instance/);
});

test("the calibration channel follows the pool's shard rules: subfolders, bookkeeping files, JSON lines", async () => {
  const [header, ...lines] = rows(1500, 2, true, "c").trimEnd().split("\n");
  const dir = tempDir();
  for (const [k, part] of [lines.slice(0, 700), lines.slice(700)].entries()) {
    mkdirSync(join(dir, "batch", `part-${k}`), { recursive: true });
    writeFileSync(join(dir, "batch", `part-${k}`, "labels.csv"), [header, ...part].join("\n") + "\n");
  }
  writeFileSync(join(dir, "batch", "_SUCCESS"), "");
  const sharded = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", dir, "--target-precision", "0.9"]);
  expect(sharded.result.error?.message ?? null).toBeNull();
  const whole = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", calibration(), "--target-precision", "0.9"]);
  expect((sharded.result.metadata as any).pseudo_labels.calibration.rows).toBe(1500);
  expect(sharded.csv).toBe(whole.csv);
  // The same rows as JSON lines.
  const names = header!.split(",");
  const jsonl = lines.map((l) => JSON.stringify(Object.fromEntries(l.split(",").map((v, i) => [names[i], i === 0 || i === 4 ? v : Number(v)])))).join("\n") + "\n";
  const asJsonl = await run(["--strategy", "confidence_threshold", "--input", pool(), "--calibration", channel({ "cal.jsonl": jsonl }), "--target-precision", "0.9"]);
  expect(asJsonl.result.error?.message ?? null).toBeNull();
  expect(asJsonl.csv).toBe(whole.csv);
});

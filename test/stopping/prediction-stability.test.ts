import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { cohensKappa, fMeasureBound, predictionStability } from "../../src/stopping/prediction-stability.ts";
import { tempDir } from "../helpers.ts";

describe("cohensKappa()", () => {
  test("a hand-computed 2×2 table: agreement 0.7, chance 0.5, kappa 0.4", () => {
    // 10 rows: both say 0 on 4, both 1 on 3, a=0/b=1 on 1, a=1/b=0 on 2.
    // a: 5 zeros, 5 ones; b: 6 zeros, 4 ones; chance = .5·.6 + .5·.4 = .5; kappa = (.7 − .5)/.5.
    const a = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 0, 1, 1);
    const b = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1, 0, 0);
    expect(cohensKappa(a, b, 2)).toBeCloseTo(0.4, 12);
  });

  test("identical labels give 1, one constant class on both sides included", () => {
    expect(cohensKappa(Int32Array.of(0, 1, 2), Int32Array.of(0, 1, 2), 3)).toBe(1);
    expect(cohensKappa(Int32Array.of(2, 2), Int32Array.of(2, 2), 3)).toBe(1);
  });

  test("the F-measure bound is 4(1 − κ)/κ, and says nothing at κ ≤ 0", () => {
    expect(fMeasureBound(0.99)).toBeCloseTo(4 * 0.01 / 0.99, 12);
    expect(fMeasureBound(0)).toBeNull();
  });
});

describe("predictionStability()", () => {
  test("compares only the ids both rounds scored, and matches classes by name", () => {
    const now = { ids: ["a", "b", "c", "d"], predicted: Int32Array.of(0, 1, 1, 0), classNames: ["cat", "dog"] };
    // The previous round listed its classes in another order and lacks "d".
    const before = { ids: ["c", "b", "a", "z"], predicted: Int32Array.of(0, 0, 1, 0), classNames: ["dog", "cat"] };
    const s = predictionStability(now, before, 0.99, "prev/");
    expect(s.rows_compared).toBe(3);
    expect(s.rows_only_now).toBe(1);
    expect(s.rows_only_before).toBe(1);
    expect(s.kappa).toBe(1);
    expect(s.stabilised).toBe(true);
    expect(s.verdict).toStartWith("predictions have stabilised");
  });

  test("below the threshold the verdict says predictions are still changing", () => {
    const now = { ids: ["a", "b", "c", "d"], predicted: Int32Array.of(0, 1, 1, 0), classNames: ["0", "1"] };
    const before = { ids: ["a", "b", "c", "d"], predicted: Int32Array.of(0, 1, 0, 0), classNames: ["0", "1"] };
    const s = predictionStability(now, before, 0.99, "prev/");
    expect(s.stabilised).toBe(false);
    expect(s.verdict).toStartWith("predictions are still changing");
  });

  test("no id in common is refused: the channel is not last round's output over these rows", () => {
    const now = { ids: ["a"], predicted: Int32Array.of(0), classNames: ["0", "1"] };
    expect(() => predictionStability(now, { ids: ["x"], predicted: Int32Array.of(0), classNames: ["0", "1"] }, 0.99, "prev/")).toThrow(/none of its 1 ids/);
  });
});

describe("the previous_predictions channel in a selection run", () => {
  function scores(rows: [string, number][]): string {
    const dir = tempDir();
    writeFileSync(join(dir, "p.csv"), ["id,prob_class_0,prob_class_1", ...rows.map(([id, p]) => `${id},${(1 - p).toFixed(2)},${p.toFixed(2)}`)].join("\n") + "\n");
    return dir;
  }
  const ids = Array.from({ length: 100 }, (_, i) => `r${i}`);
  const now = scores(ids.map((id, i) => [id, i < 50 ? 0.2 : 0.8]));

  test("metadata and report say predictions have stabilised when they agree", async () => {
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["--strategy", "uncertainty", "--batch-size", "5", "--input", now, "--previous", scores(ids.map((id, i) => [id, i < 50 ? 0.3 : 0.9])), "--output", output]);
    expect(result.exitCode).toBe(0);
    const meta = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    expect(meta.prediction_stability.kappa).toBe(1);
    expect(meta.prediction_stability.stabilised).toBe(true);
    expect(readFileSync(join(output, "selection_report.html"), "utf8")).toContain("predictions have stabilised");
  });

  test("LLM outputs named by LABEL_FIELD are read alike in both rounds, classes from every file", async () => {
    const llm = (label: (i: number) => string, split: boolean) => {
      const dir = tempDir();
      const lines = ids.map((id, i) => `${id},${label(i)},0.9`);
      const parts = split ? [lines.slice(0, 60), lines.slice(60)] : [lines];
      parts.forEach((part, k) => writeFileSync(join(dir, `part-${k}.csv`), ["id,my_pred,confidence_score", ...part].join("\n") + "\n"));
      return dir;
    };
    // "eel" appears only in the second file of the previous round.
    const before = llm((i) => (i < 50 ? "cat" : i < 95 ? "dog" : "eel"), true);
    const current = llm((i) => (i < 50 ? "cat" : "dog"), false);
    const output = join(tempDir(), "out");
    const result = await main({}, {}, { LABEL_FIELD: "my_pred", LABEL_CLASSES: "cat,dog,eel" }, ["--strategy", "uncertainty", "--batch-size", "5",
      "--input", current, "--previous", before, "--output", output, "--no-save-report"]);
    expect(result.error?.message ?? null).toBeNull();
    const stability = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")).prediction_stability;
    expect(stability.rows_compared).toBe(100);
    expect(stability.agreement).toBeCloseTo(0.95, 12);
  });

  test("two flipped rows of 100 give kappa 0.96: not stabilised at 0.99, stabilised at STABLE_KAPPA=0.95", async () => {
    const before = scores(ids.map((id, i) => [id, (i < 50) !== (i === 0 || i === 99) ? 0.2 : 0.8]));
    const run = async (env: Record<string, string>) => {
      const output = join(tempDir(), "out");
      const result = await main({}, {}, env, ["--strategy", "uncertainty", "--batch-size", "5", "--input", now, "--previous", before, "--output", output, "--no-save-report"]);
      expect(result.exitCode).toBe(0);
      return JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")).prediction_stability;
    };
    const strict = await run({});
    expect(strict.kappa).toBeCloseTo(0.96, 12);
    expect(strict.stabilised).toBe(false);
    expect((await run({ STABLE_KAPPA: "0.95" })).stabilised).toBe(true);
  });
});

/**
 * Degenerate but valid pools still give a sound selection: one row, one class, identical
 * rows, a batch larger than the pool, more classes than rows, classes nobody is predicted as.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { range, runOn, toCsv, type Cell, type Sheet } from "./harness.ts";

const STRATEGIES = ["confidence_threshold", "top_k_per_class", "uncertainty", "diversity", "leaf_coreset", "badge", "cluster_margin", "typiclust", "probcover"];

/** Flags that make every strategy select as much as it can. */
const GREEDY = ["--confidence-threshold", "0", "--k-per-class", "1000"];

/** A pool with `classes` prob_class_* columns, 2 emb_* and 3 leaf_* columns; cells from fn. */
function sheet(rows: number, classes: number, fn: (i: number) => { probs: number[]; emb: number[]; leaves: number[] }): Sheet {
  const columns = ["id", ...range(classes).map((c) => `prob_class_${c}`), "emb_0", "emb_1", "leaf_0", "leaf_1", "leaf_2"];
  return { columns, rows: range(rows).map((i) => { const r = fn(i); return [`id${i}`, ...r.probs, ...r.emb, ...r.leaves] as Cell[]; }) };
}

interface Written { ids: string[]; scores: number[]; ranks: number[] }

function readSelection(output: string): Written {
  const lines = readFileSync(join(output, "selected_samples.csv"), "utf8").trimEnd().split("\n").slice(1);
  const cells = lines.map((l) => l.split(","));
  return { ids: cells.map((c) => c[0]!), scores: cells.map((c) => Number(c.at(-2))), ranks: cells.map((c) => Number(c.at(-1))) };
}

function expectSound(w: Written, poolIds: string[], count?: number) {
  expect(new Set(w.ids).size).toBe(w.ids.length);
  for (const id of w.ids) expect(poolIds).toContain(id);
  expect(w.ranks).toEqual(range(w.ids.length).map((k) => k + 1));
  for (const s of w.scores) expect(Number.isFinite(s)).toBe(true);
  if (count !== undefined) expect(w.ids.length).toBe(count);
}

async function select(s: Sheet, strategy: string, args: string[] = []) {
  const run = await runOn({ "pool.csv": toCsv(s) }, ["--strategy", strategy, ...GREEDY, ...args]);
  if (run.result.error) throw run.result.error;
  expect(run.result.exitCode).toBe(0);
  return { ...run, written: readSelection(run.output), metadata: run.result.metadata as Record<string, any> };
}

describe("degenerate pools", () => {
  const one = sheet(1, 3, () => ({ probs: [0.25, 0.5, 0.25], emb: [1, 2], leaves: [0, 1, 2] }));
  for (const strategy of STRATEGIES) {
    test(`${strategy} on a one-row pool selects that row`, async () => {
      const { written } = await select(one, strategy, ["--batch-size", "5"]);
      expectSound(written, ["id0"], 1);
    });
  }

  // A single prob_class_0 column is a binary problem: p is P(class 0), the class its name says.
  const binary: Sheet = { columns: ["id", "prob_class_0", "emb_0", "leaf_0"], rows: range(7).map((i) => [`b${i}`, i / 6, i % 3, i % 2]) };
  for (const strategy of STRATEGIES) {
    test(`${strategy} with one prob_class column reads it as binary`, async () => {
      const { written, metadata } = await select(binary, strategy, ["--batch-size", "3"]);
      expectSound(written, binary.rows.map((r) => r[0] as string));
      expect(metadata.class_names).toEqual(["0", "1"]);
      expect(metadata.score_interpretation).toContain("the probability of class 0; class 1 has the rest");
    });
  }

  const identical = sheet(10, 3, () => ({ probs: [0.5, 0.25, 0.25], emb: [3, -1], leaves: [4, 4, 4] }));
  const oneHot = sheet(10, 2, () => ({ probs: [1, 0], emb: [0, 0], leaves: [1, 1, 1] }));
  for (const strategy of ["diversity", "badge", "leaf_coreset", "uncertainty", "cluster_margin", "typiclust"]) {
    test(`${strategy} on identical rows still returns BATCH_SIZE distinct rows`, async () => {
      const { written } = await select(identical, strategy, ["--batch-size", "4"]);
      expectSound(written, identical.rows.map((r) => r[0] as string), 4);
    });
    test(`${strategy} on identical one-hot rows with zero vectors (all gradients 0) returns BATCH_SIZE distinct rows`, async () => {
      const { written } = await select(oneHot, strategy, ["--batch-size", "6"]);
      expectSound(written, oneHot.rows.map((r) => r[0] as string), 6);
    });
  }

  const small = sheet(5, 3, (i) => ({ probs: [[1, 0, 0], [0.5, 0.5, 0], [0.25, 0.25, 0.5], [0, 1, 0], [0.125, 0.375, 0.5]][i]!, emb: [i, i * i], leaves: [i % 2, i % 3, 0] }));
  for (const strategy of ["uncertainty", "diversity", "leaf_coreset", "badge", "cluster_margin"]) {
    test(`${strategy} with a batch larger than the pool selects every row and says so in metadata.warnings`, async () => {
      const { written, metadata } = await select(small, strategy, ["--batch-size", "50"]);
      expectSound(written, small.rows.map((r) => r[0] as string), 5);
      expect(metadata.selected_count).toBe(5);
      expect(metadata.warnings.join("\n")).toMatch(/BATCH_SIZE=50 is larger than the 5 selectable rows; the batch holds at most 5\./);
    });
  }

  const wide = sheet(3, 8, (i) => ({ probs: range(8).map((c) => (c === i ? 0.5 : 0.5 / 7)), emb: [i, 1], leaves: [i, 0, 1] }));
  for (const strategy of STRATEGIES) {
    test(`${strategy} with more classes (8) than rows (3)`, async () => {
      const { written, metadata } = await select(wide, strategy, ["--batch-size", "2"]);
      const expected = strategy === "confidence_threshold" || strategy === "top_k_per_class" ? 3 : 2;
      expectSound(written, ["id0", "id1", "id2"], expected);
      expect(Object.keys(metadata.class_distribution.pool)).toHaveLength(8);
    });
  }

  test("top_k_per_class with classes nobody is predicted as: the others are selected and the empty ones named", async () => {
    const s = sheet(6, 4, (i) => ({ probs: i % 2 ? [0.7, 0.1, 0.1, 0.1] : [0.1, 0.1, 0.7, 0.1], emb: [i, 0], leaves: [0, 0, 0] }));
    const { written, metadata } = await select(s, "top_k_per_class", ["--k-per-class", "2"]);
    expectSound(written, s.rows.map((r) => r[0] as string), 4);
    expect(metadata.strategy_details.selectedPerClass).toEqual({ "0": 2, "1": 0, "2": 2, "3": 0 });
    const warnings = metadata.warnings.join("\n");
    expect(warnings).toContain("class 1: only 0 rows predicted");
    expect(warnings).toContain("class 3: only 0 rows predicted");
  });

  test("confidence_threshold keeps rows exactly at the threshold; one nobody reaches writes a header-only file and warns", async () => {
    const { written } = await select(small, "confidence_threshold", ["--confidence-threshold", "1"]);
    expect(written.ids).toEqual(["id0", "id3"]); // [1, 0, 0] and [0, 1, 0]
    const none = await runOn({ "pool.csv": toCsv(wide) }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.9"]);
    expect(none.result.exitCode).toBe(0);
    expect(readFileSync(join(none.output, "selected_samples.csv"), "utf8")).toBe(`${wide.columns.join(",")},pseudo_label,pseudo_label_confidence,pseudo_label_weight,selection_score,selection_rank\n`);
    expect((none.result.metadata as any).warnings.join("\n")).toMatch(/no row reaches CONFIDENCE_THRESHOLD=0.9/);
  });

  test("diversity: the seedless first pick's score is the radius it covers, so scores never rise with rank", async () => {
    const { written } = await select(small, "diversity", ["--batch-size", "4"]);
    expect(written.scores[0]).toBeGreaterThan(0);
    expect(written.scores[0]).toBe(written.scores[1]!);
    for (let k = 1; k < written.scores.length; k++) expect(written.scores[k]!).toBeLessThanOrEqual(written.scores[k - 1]!);
  });

  test("leaf_coreset: the seedless first pick's score is the share of trees it leaves uncovered", async () => {
    const { written } = await select(small, "leaf_coreset", ["--batch-size", "3"]);
    expect(written.scores[0]).toBe(written.scores[1]!);
  });

  for (const strategy of ["diversity", "leaf_coreset"]) {
    test(`${strategy} with MIN_DISTANCE and no labelled rows still picks a first row, then stops when the rest are close`, async () => {
      const { written, metadata } = await select(identical, strategy, ["--batch-size", "5", "--min-distance", "0.01"]);
      expectSound(written, identical.rows.map((r) => r[0] as string), 1);
      expect(metadata.warnings.join("\n")).toMatch(/MIN_DISTANCE=0.01: stopped after 1 row;/);
    });
  }
});

/**
 * Properties every selection keeps, on random pools: ids come from the pool, once each, in
 * ranks 1..n with finite scores; the row count is what the strategy promises; records are
 * the input's bytes; and the same seed gives the same file, byte for byte.
 *
 * The fast-check seed is fixed so a failure reproduces; set FC_SEED (and FC_RUNS) to explore.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { removeTempDirsSince, tempDirMark } from "../helpers.ts";
import { range, runIn, tempDir, toCsv, type Sheet } from "./harness.ts";

const STRATEGIES = ["confidence_threshold", "top_k_per_class", "uncertainty", "diversity", "leaf_coreset", "badge", "cluster_margin"] as const;
/** Strategies that promise exactly min(BATCH_SIZE, pool) rows. */
const BATCHED = new Set(["uncertainty", "diversity", "leaf_coreset", "badge", "cluster_margin"]);
/** Strategies whose scores never rise with rank (BADGE's D² draws carry no such order). */
const MONOTONE = new Set(["confidence_threshold", "top_k_per_class", "uncertainty", "diversity", "leaf_coreset"]);

interface Row { probs: number[]; vector: number[]; leaves: number[] }
/**
 * n rows with ids 000.., then `repeats`: later rows reusing an earlier id with other values.
 * Runs use DUPLICATE_IDS=keep_first, so repeats are never selectable, and diversity/leaf_coreset
 * take them as already-chosen centers (the seeded path of the engine).
 */
interface Pool { n: number; classes: number; probs: number[][]; vectors: number[][]; leaves: number[][]; repeats: (Row & { of: number })[] }

/** Rows: unnormalised non-negative weights (some zero, never all), vectors drawn partly from a few prototypes so duplicates occur. */
const poolArb = fc.record({
  n: fc.integer({ min: 1, max: 60 }),
  classes: fc.integer({ min: 2, max: 6 }),
  dim: fc.integer({ min: 1, max: 8 }),
  trees: fc.integer({ min: 1, max: 4 }),
}).chain(({ n, classes, dim, trees }) => {
  const weights = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1000 })), { minLength: classes, maxLength: classes })
    .map((w) => (w.every((x) => x === 0) ? w.map((_, c) => (c === 0 ? 1 : 0)) : w));
  // Never the zero vector, so METRIC=cosine is always valid; values below 1e-30 (float32
  // underflows subnormals like 5e-324 to 0, which makes a zero vector) count as 0.
  const vector = fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -50, max: 50, noNaN: true }).map((x) => (Math.abs(x) < 1e-30 ? 0 : x))), { minLength: dim, maxLength: dim })
    .map((v) => (v.every((x) => x === 0) ? v.map((_, j) => (j === 0 ? 1 : 0)) : v));
  const leafRow = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: trees, maxLength: trees });
  return fc.record({
    weights: fc.array(weights, { minLength: n, maxLength: n }),
    prototypes: fc.array(vector, { minLength: 1, maxLength: 3 }),
    rows: fc.array(fc.record({ own: vector, proto: fc.option(fc.nat(2), { nil: null }) }), { minLength: n, maxLength: n }),
    leaves: fc.array(leafRow, { minLength: n, maxLength: n }),
    repeats: fc.array(fc.record({ of: fc.nat(n - 1), weights, vector, leaves: leafRow }), { maxLength: 8 }),
  }).map(({ weights, prototypes, rows, leaves, repeats }): Pool => ({
    n, classes,
    probs: weights.map(normalise),
    vectors: rows.map((r) => (r.proto === null ? r.own : prototypes[r.proto % prototypes.length]!)),
    leaves,
    repeats: repeats.map((r) => ({ of: r.of, probs: normalise(r.weights), vector: r.vector, leaves: r.leaves })),
  }));
});

const runArb = fc.record({
  strategy: fc.constantFrom(...STRATEGIES),
  batch: fc.integer({ min: 1, max: 80 }),
  seed: fc.integer({ min: 0, max: 4294967295 }),
  metric: fc.constantFrom("euclidean", "cosine"),
  mode: fc.constantFrom("margin", "entropy", "least_confidence"),
  threshold: fc.constantFrom(0, 0.25, 0.5, 0.9, 1),
  kPerClass: fc.integer({ min: 1, max: 10 }),
});

const normalise = (w: number[]) => { const total = w.reduce((a, b) => a + b, 0); return w.map((x) => x / total); };
const idOf = (i: number) => String(i).padStart(3, "0");

function sheetOf(pool: Pool): Sheet {
  const dim = pool.vectors[0]!.length, trees = pool.leaves[0]!.length;
  return {
    columns: ["id", ...range(pool.classes).map((c) => `prob_class_${c}`), ...range(dim).map((j) => `emb_${j}`), ...range(trees).map((t) => `leaf_${t}`)],
    rows: [
      ...range(pool.n).map((i) => [idOf(i), ...pool.probs[i]!, ...pool.vectors[i]!, ...pool.leaves[i]!]),
      ...pool.repeats.map((r) => [idOf(r.of), ...r.probs, ...r.vector, ...r.leaves]),
    ],
  };
}

/** Argmax with the lowest class on ties, as the engine defines it. */
function argmax(p: number[]): number {
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  return best;
}

type RunParams = typeof runArb extends fc.Arbitrary<infer T> ? T : never;

/** The row count each strategy promises, computed from the generated numbers, not the output. */
function expectedCount(pool: Pool, r: RunParams): number {
  if (BATCHED.has(r.strategy)) return Math.min(r.batch, pool.n);
  if (r.strategy === "confidence_threshold") return pool.probs.filter((p) => Math.max(...p) >= r.threshold).length;
  const perClass = range(pool.classes).map((c) => pool.probs.filter((p) => argmax(p) === c).length);
  return perClass.reduce((n, k) => n + Math.min(k, r.kPerClass), 0);
}

describe("random pools, random strategies", () => {
  test("selection invariants and byte-identical reruns hold", async () => {
    await fc.assert(fc.asyncProperty(poolArb, runArb, async (pool, r) => {
      // Each of the 150 runs removes its own directories, so none pile up for the after-test hook.
      const mark = tempDirMark();
      try { await checkRun(pool, r); } finally { removeTempDirsSince(mark); }
    }), { numRuns: Number(process.env.FC_RUNS ?? 150), seed: Number(process.env.FC_SEED ?? 20261127) });
  }, 120_000); // 150 runs of main() twice: 4-11 s at load ~2 here; 20 s left too little margin on a busier machine
});

async function checkRun(pool: Pool, r: RunParams): Promise<void> {
  const input = tempDir();
  const csv = toCsv(sheetOf(pool));
  writeFileSync(join(input, "pool.csv"), csv);
  const args = ["--strategy", r.strategy, "--batch-size", String(r.batch), "--random-seed", String(r.seed), "--metric", r.metric,
    "--uncertainty-mode", r.mode, "--confidence-threshold", String(r.threshold), "--k-per-class", String(r.kPerClass), "--duplicate-ids", "keep_first"];
  const first = await runIn(input, args);
  if (first.result.error) throw first.result.error;
  const second = await runIn(input, args);
  const a = readFileSync(join(first.output, "selected_samples.csv"));
  const b = readFileSync(join(second.output, "selected_samples.csv"));
  expect(Buffer.compare(a, b)).toBe(0);

  // Each id's first row: the only one that may be selected.
  const inputLines = new Map(csv.trimEnd().split("\n").slice(1, 1 + pool.n).map((l) => [l.split(",")[0]!, l]));
  const lines = a.toString("utf8").trimEnd().split("\n");
  // SSL strategies add pseudo_label, its confidence and weight; the others predicted_label.
  const labels = ["confidence_threshold", "top_k_per_class"].includes(r.strategy) ? ["pseudo_label", "pseudo_label_confidence", "pseudo_label_weight"] : ["predicted_label"];
  expect(lines[0]).toBe([csv.split("\n")[0], ...labels, "selection_score", "selection_rank"].join(","));
  const records = lines.slice(1).map((l) => {
    const cells = l.split(",");
    return { id: cells[0]!, original: cells.slice(0, -2 - labels.length).join(","), score: Number(cells.at(-2)), rank: Number(cells.at(-1)) };
  });
  const ids = records.map((x) => x.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const x of records) expect(inputLines.get(x.id)).toBe(x.original);
  expect(records.map((x) => x.rank)).toEqual(range(records.length).map((k) => k + 1));
  for (const x of records) expect(Number.isFinite(x.score)).toBe(true);
  expect(records.length).toBe(expectedCount(pool, r));
  if (MONOTONE.has(r.strategy)) for (let k = 1; k < records.length; k++) expect(records[k]!.score).toBeLessThanOrEqual(records[k - 1]!.score);
  const meta = first.result.metadata as { selected_count: number; pool_size: number };
  expect(meta.selected_count).toBe(records.length);
  expect(meta.pool_size).toBe(pool.n + pool.repeats.length);
}

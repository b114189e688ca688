/**
 * One selection workload in this process, printed as one JSON line (bench/run.ts starts a
 * process per workload so that each peak RSS is its own).
 *
 *   bun bench/selection.ts <diversity|diversity-plain|badge|hybrid> <rows> <dim> <k> [--blas off]
 *
 * diversity, badge and hybrid (margin × diversity) run the strategies users run
 * (src/strategies); diversity-plain runs the textbook k-center loop (no pruning, no locality
 * order) as the baseline.
 */
import { loadBlas } from "../ffi/load.ts";
import { EuclideanSpace } from "../src/engine/euclidean.ts";
import { kCenterPlain } from "../src/engine/kcenter.ts";
import type { Pool } from "../src/pool.ts";
import { Rng } from "../src/rng.ts";
import { badge } from "../src/strategies/badge.ts";
import { diversity } from "../src/strategies/diversity.ts";
import { hybrid } from "../src/strategies/hybrid.ts";
import type { StrategyOptions } from "../src/strategies/strategy.ts";
import { mixture, peakRssMb } from "./workloads.ts";

const [kind, rowsText, dimText, kText] = process.argv.slice(2);
const rows = Number(rowsText), dim = Number(dimText), k = Number(kText);
const { blas } = await loadBlas({ mode: process.argv.includes("--blas") ? "off" : "auto" });

let started = performance.now();
const workload = mixture(rows, dim, { seed: 7 });
const generateSeconds = (performance.now() - started) / 1000;
const pool = {
  size: rows, probs: workload.probs, classes: workload.classes, vectors: workload.vectors,
  plan: { classNames: Array.from({ length: workload.classes }, (_, c) => String(c)) },
} as unknown as Pool;
const options: StrategyOptions = {
  batchSize: k, confidenceThreshold: 0.9, maxSamples: 0, kPerClass: 100, uncertaintyMode: "margin",
  metric: "euclidean", minDistance: 0, blas, rng: new Rng(42), labeled: null,
  selectable: new Uint8Array(rows).fill(1), describeRow: (r) => `row ${r + 1}`, tieBreak: (a, b) => a - b,
  balance: null, rowWeights: null,
  selectionConfig: { filters: [], objectives: [{ type: "uncertainty", mode: "margin", strength: 1 }, { type: "diversity", strength: 1 }], classBalance: null },
};

started = performance.now();
let evaluations = 0, picks = 0;
if (kind === "diversity") {
  const selection = diversity(pool, options);
  evaluations = selection.details.distanceEvaluations as number; picks = selection.rows.length;
} else if (kind === "diversity-plain") {
  const result = kCenterPlain(new EuclideanSpace(workload.vectors), k, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 });
  evaluations = result.evaluations; picks = result.picks.length;
} else if (kind === "hybrid") {
  const selection = hybrid(pool, options);
  evaluations = selection.details.distanceEvaluations as number; picks = selection.rows.length;
} else if (kind === "badge") {
  const selection = badge(pool, options);
  evaluations = selection.details.distanceEvaluations as number; picks = selection.rows.length;
} else {
  throw new Error(`unknown workload ${kind}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ kind, rows, dim, k, blas: blas.name, seconds, generateSeconds, evaluations, evaluationShare: evaluations / (rows * picks), picks, peakRssMb: peakRssMb() }));

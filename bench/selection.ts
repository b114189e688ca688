/**
 * One selection workload in this process, printed as one JSON line (bench/run.ts starts a
 * process per workload so each peak RSS is its own).
 *
 *   bun bench/selection.ts <kcenter|kcenter-plain|badge> <rows> <dim> <k> [--blas off]
 */
import { loadBlas } from "../ffi/load.ts";
import { EuclideanSpace } from "../src/engine/euclidean.ts";
import { GradientSpace } from "../src/engine/gradient-space.ts";
import { kCenterGreedy, kCenterPlain } from "../src/engine/kcenter.ts";
import { kMeansPlusPlus } from "../src/engine/kmeanspp.ts";
import { Rng } from "../src/rng.ts";
import { mixture, peakRssMb } from "./workloads.ts";

const [kind, rowsText, dimText, kText] = process.argv.slice(2);
const rows = Number(rowsText), dim = Number(dimText), k = Number(kText);
const blasMode = process.argv.includes("--blas") ? "off" : "auto";
const { blas } = await loadBlas({ mode: blasMode });

let started = performance.now();
const workload = mixture(rows, dim, { seed: 7 });
const generateSeconds = (performance.now() - started) / 1000;

started = performance.now();
let evaluations = 0, picks = 0;
if (kind === "kcenter" || kind === "kcenter-plain") {
  const space = new EuclideanSpace(workload.vectors);
  const run = kind === "kcenter" ? kCenterGreedy : kCenterPlain;
  const result = run(space, k, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 });
  evaluations = result.evaluations; picks = result.picks.length;
} else if (kind === "badge") {
  const space = new GradientSpace(workload.probs, workload.classes, workload.vectors);
  let first = 0;
  for (let i = 1; i < rows; i++) if (space.squaredNorms[i]! > space.squaredNorms[first]!) first = i;
  const result = kMeansPlusPlus(space, k, { firstPick: first, rng: new Rng(42), selectable: null, tolerance: space.tolerance });
  evaluations = result.evaluations; picks = result.picks.length;
} else {
  throw new Error(`unknown workload ${kind}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ kind, rows, dim, k, blas: blas.name, seconds, generateSeconds, evaluations, evaluationShare: evaluations / (rows * picks), picks, peakRssMb: peakRssMb() }));

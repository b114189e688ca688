/**
 * The local twin of a multi-instance SageMaker job (make scale-demo): the Fashion-MNIST pool
 * (../shared/data, or the bundled example) split into N shards, one map process per host
 * (--host/--hosts, as ShardedByS3Key would feed them), one merge, and one process on the whole
 * pool to compare with. Prints, per catalog strategy: the error-hit rate (the share of selected
 * rows the model gets wrong; the `label` column is the oracle, the engine never reads it) of
 * one process and of the merge, mean over the seeds; whether an exact merge is identical; the
 * k-center covering radius ratio; the merged pool_size. Exits 1 when an exact merge differs, an
 * approximate one is more than 3 points from one process, or pool_size is not the pool's rows.
 *
 *   bun scripts/scale-demo.ts [--hosts 4] [--batch 200] [--seeds 42,1,2] [--pool FILE.csv.gz]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { STRATEGIES, STRATEGY_NAMES } from "../src/strategies/catalog.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const hostCount = Number(option("--hosts", "4"));
const batch = option("--batch", "200");
const seeds = option("--seeds", "42").split(",");
// The shared data sits beside the checkout (../shared), or beside the worktrees' parent.
const shared = ["../../shared/data", "../../../shared/data"].map((d) => join(import.meta.dir, d, "fashion_mnist_pool.csv.gz")).find(existsSync);
const source = option("--pool", shared ?? join(import.meta.dir, "../examples/fashion_mnist/pool/pool.csv.gz"));
const work = "out/scale-demo";
rmSync(work, { recursive: true, force: true });
const binary = existsSync("dist/active-sampling") ? ["dist/active-sampling"] : [process.execPath, "src/main.ts"];

const [header, ...lines] = gunzipSync(readFileSync(source)).toString("utf8").trimEnd().split("\n");
const hosts = Array.from({ length: hostCount }, (_, h) => `algo-${h + 1}`);
const whole = join(work, "whole");
mkdirSync(whole, { recursive: true });
writeFileSync(join(whole, "pool.csv"), [header, ...lines].join("\n") + "\n");
hosts.forEach((host, h) => {
  mkdirSync(join(work, "shards", host), { recursive: true });
  writeFileSync(join(work, "shards", host, "part.csv"), [header, ...lines.filter((_, i) => i % hostCount === h)].join("\n") + "\n");
});

function run(extra: string[]): number {
  const started = performance.now();
  const r = spawnSync(binary[0]!, [...binary.slice(1), ...extra, "--quiet", "--no-save-report"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${extra.join(" ")}: ${r.stderr}`);
  return (performance.now() - started) / 1000;
}

const names = header!.split(",");
const at = (n: string) => names.indexOf(n);
const probCols = names.map((n, i) => (n.startsWith("prob_class_") ? i : -1)).filter((i) => i >= 0);
const embCols = names.map((n, i) => (n.startsWith("emb_") ? i : -1)).filter((i) => i >= 0);
const rowsById = new Map(lines.map((l) => { const c = l.split(","); return [c[at("id")]!, c] as const; }));
const selected = (dir: string) => readFileSync(join(dir, "selected_samples.csv"), "utf8").trimEnd().split("\n").slice(1).map((l) => l.split(",")[0]!);

/** Percent of the rows whose predicted class (argmax) is not the true label. */
function errorHit(ids: string[]): number {
  let wrong = 0;
  for (const id of ids) {
    const c = rowsById.get(id)!;
    const p = probCols.map((i) => Number(c[i]));
    if (p.indexOf(Math.max(...p)) !== Number(c[at("label")])) wrong++;
  }
  return (100 * wrong) / ids.length;
}

/** The pool's embeddings as numbers, parsed once. */
const embeddings = new Map([...rowsById].map(([id, c]) => [id, Float64Array.from(embCols, (i) => Number(c[i]))]));

function coveringRadius(ids: string[]): number {
  const centers = ids.map((id) => embeddings.get(id)!);
  let radius = 0;
  for (const row of embeddings.values()) {
    let nearest = Infinity;
    for (const center of centers) {
      let s = 0;
      for (let j = 0; j < row.length; j++) s += (row[j]! - center[j]!) ** 2;
      if (s < nearest) nearest = s;
    }
    radius = Math.max(radius, nearest);
  }
  return Math.sqrt(radius);
}

const hybrid = JSON.stringify({ objectives: [{ type: "uncertainty", mode: "margin" }, { type: "diversity" }], class_balance: "uniform" });
/** One case per catalog strategy the pool can run (it has no leaf_* columns); a new strategy without one fails here. */
const CASES: Record<string, string[]> = {
  uncertainty: ["--batch-size", batch],
  confidence_threshold: ["--confidence-threshold", "0.99", "--max-samples", batch],
  top_k_per_class: ["--k-per-class", "20"],
  diversity: ["--batch-size", batch],
  badge: ["--batch-size", batch],
  hybrid: ["--batch-size", batch, "--config", hybrid],
  cluster_margin: ["--batch-size", batch],
};
const runnable = STRATEGY_NAMES.filter((name) => !STRATEGIES[name]!.needsLeaves);
const missing = runnable.filter((name) => !(name in CASES));
if (missing.length > 0) throw new Error(`scale-demo: no case for ${missing.join(", ")}`);

/** Mean error-hit rate (in points) over the seeds, and the seconds of the last seed's runs. */
interface Outcome { singleHit: number; mergedHit: number; identical: boolean; radiusRatio: number | null; poolSize: unknown; candidates: unknown; seconds: string }

function runCase(name: string): Outcome {
  let singleHit = 0, mergedHit = 0, identical = true, radiusRatio: number | null = null, poolSize: unknown, candidates: unknown, seconds = "";
  for (const seed of seeds) {
    const strategyArgs = ["--strategy", name, "--random-seed", seed, ...CASES[name]!];
    const single = join(work, `${name}-${seed}-single`);
    const singleSeconds = run(["--input", whole, "--output", single, ...strategyArgs]);
    const prefix = join(work, `${name}-${seed}-map`);
    const mapSeconds = hosts.map((host) => run(["--input", join(work, "shards", host), "--output", prefix, "--host", host, "--hosts", hosts.join(","), ...strategyArgs]));
    const merged = join(work, `${name}-${seed}-merged`);
    const mergeSeconds = run(["--job_type", "merge", "--input", prefix, "--output", merged]);
    const a = selected(single), b = selected(merged);
    singleHit += errorHit(a) / seeds.length;
    mergedHit += errorHit(b) / seeds.length;
    identical &&= readFileSync(join(single, "selected_samples.csv"), "utf8") === readFileSync(join(merged, "selected_samples.csv"), "utf8");
    if (name === "diversity") radiusRatio = coveringRadius(b) / coveringRadius(a);
    const metadata = JSON.parse(readFileSync(join(merged, "selection_metadata.json"), "utf8"));
    poolSize = metadata.pool_size; candidates = metadata.candidates;
    seconds = `one process ${singleSeconds.toFixed(1)} s; slowest map ${Math.max(...mapSeconds).toFixed(1)} s + merge ${mergeSeconds.toFixed(1)} s`;
  }
  return { singleHit, mergedHit, identical, radiusRatio, poolSize, candidates, seconds };
}

console.log(`${lines.length} rows from ${source}, ${hostCount} hosts, batch ${batch}, seeds ${seeds.join(" ")}; ${binary.join(" ")}`);
console.log("error-hit = share of selected rows the model predicts wrongly (the `label` column is the oracle), mean over the seeds");
console.log(`${"strategy".padEnd(21)} ${"one process".padStart(11)} ${"merged".padStart(7)} ${"gap".padStart(6)}  merge`);
let failed = false;
for (const name of runnable) {
  const o = runCase(name);
  const gap = o.mergedHit - o.singleHit;
  const verdict = STRATEGIES[name]!.merge.exact ? (o.identical ? "identical" : "DIFFERENT (promised exact)")
    : o.radiusRatio !== null ? `covering radius merged/one = ${o.radiusRatio.toFixed(3)}` : Math.abs(gap) <= 3 ? "within 3 points" : "MORE THAN 3 POINTS APART";
  if (verdict.includes("DIFFERENT") || verdict.includes("MORE")) failed = true;
  if (o.poolSize !== lines.length) { failed = true; console.log(`  merged pool_size is ${o.poolSize}, expected ${lines.length}`); }
  console.log(`${name.padEnd(21)} ${o.singleHit.toFixed(1).padStart(10)}% ${o.mergedHit.toFixed(1).padStart(6)}% ${(gap >= 0 ? "+" : "") + gap.toFixed(1).padStart(5)}  ${verdict}; ${o.candidates} candidates; ${o.seconds}`);
}
if (failed) process.exit(1);

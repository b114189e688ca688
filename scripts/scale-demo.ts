/**
 * The local twin of a multi-instance SageMaker job (make scale-demo): the Fashion-MNIST pool
 * (../shared/data, or the bundled example) split into N shards, one map process per host
 * (--host/--hosts, as ShardedByS3Key would feed them), one merge, and one process on the whole
 * pool to compare with. Prints, per strategy: whether the selections are identical, the k-center
 * covering radius ratio, and for BADGE and hybrid the share of rows the model gets wrong and
 * the classes covered (the `label` column is the oracle; the engine never reads it).
 *
 *   bun scripts/scale-demo.ts [--hosts 4] [--batch 200]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const hostCount = Number(option("--hosts", "4"));
const batch = option("--batch", "200");
const shared = join(import.meta.dir, "../../shared/data/fashion_mnist_pool.csv.gz");
const source = existsSync(shared) ? shared : join(import.meta.dir, "../examples/fashion_mnist/pool/pool.csv.gz");
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

function quality(ids: string[]): string {
  let wrong = 0;
  const classes = new Set<string>();
  for (const id of ids) {
    const c = rowsById.get(id)!;
    const p = probCols.map((i) => Number(c[i]));
    if (p.indexOf(Math.max(...p)) !== Number(c[at("label")])) wrong++;
    classes.add(c[at("label")]!);
  }
  return `${((100 * wrong) / ids.length).toFixed(1)}% wrong, ${classes.size} classes`;
}

function coveringRadius(ids: string[]): number {
  const centers = ids.map((id) => embCols.map((i) => Number(rowsById.get(id)![i])));
  let radius = 0;
  for (const c of rowsById.values()) {
    let nearest = Infinity;
    for (const center of centers) {
      let s = 0;
      for (let j = 0; j < embCols.length; j++) s += (Number(c[embCols[j]!]) - center[j]!) ** 2;
      if (s < nearest) nearest = s;
    }
    radius = Math.max(radius, nearest);
  }
  return Math.sqrt(radius);
}

const hybrid = JSON.stringify({ objectives: [{ type: "uncertainty", mode: "margin" }, { type: "diversity" }], class_balance: "uniform" });
const cases: [string, string[]][] = [
  ["uncertainty", ["--strategy", "uncertainty", "--batch-size", batch]],
  ["confidence_threshold", ["--strategy", "confidence_threshold", "--confidence-threshold", "0.99", "--max-samples", batch]],
  ["top_k_per_class", ["--strategy", "top_k_per_class", "--k-per-class", "20"]],
  ["diversity", ["--strategy", "diversity", "--batch-size", batch]],
  ["badge", ["--strategy", "badge", "--batch-size", batch]],
  ["hybrid", ["--strategy", "hybrid", "--batch-size", batch, "--config", hybrid]],
];
console.log(`${lines.length} rows from ${source}, ${hostCount} hosts, batch ${batch}; ${binary.join(" ")}`);
for (const [name, strategyArgs] of cases) {
  const single = join(work, `${name}-single`);
  const singleSeconds = run(["--input", whole, "--output", single, ...strategyArgs]);
  const prefix = join(work, `${name}-map`);
  const mapSeconds = hosts.map((host) => run(["--input", join(work, "shards", host), "--output", prefix, "--host", host, "--hosts", hosts.join(","), ...strategyArgs]));
  const merged = join(work, `${name}-merged`);
  const mergeSeconds = run(["--job_type", "merge", "--input", prefix, "--output", merged]);
  const a = selected(single), b = selected(merged);
  let verdict: string;
  if (name === "diversity") verdict = `covering radius ratio merged/single = ${(coveringRadius(b) / coveringRadius(a)).toFixed(3)}`;
  else if (name === "badge" || name === "hybrid") verdict = `single: ${quality(a)}; merged: ${quality(b)}`;
  else verdict = readFileSync(join(single, "selected_samples.csv"), "utf8") === readFileSync(join(merged, "selected_samples.csv"), "utf8") ? "identical" : "DIFFERENT";
  console.log(`${name.padEnd(21)} ${verdict.padEnd(64)} one process ${singleSeconds.toFixed(1)} s; slowest map ${Math.max(...mapSeconds).toFixed(1)} s + merge ${mergeSeconds.toFixed(1)} s`);
}

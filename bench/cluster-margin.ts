/**
 * Cluster-Margin on a 1,000,000 × 128 seeded Gaussian mixture (workloads.ts), at batch sizes
 * 1,000 and 100,000, against diversity (core-set) at 1,000 on the same pool as the baseline.
 *
 *   bun bench/cluster-margin.ts [--rows N] [--dim D] [--blas off] [--no-baseline]
 *
 * Each workload runs in its own process, so each peak RSS (VmHWM) is its own; the pool is
 * regenerated in each (same seed, same rows). Figures only: the machine is shared, so compare
 * the ratio to the baseline from the same run, not absolute seconds across runs.
 */
import { spawnSync } from "node:child_process";
import { loadBlas } from "../ffi/load.ts";
import { clusterMargin } from "../src/strategies/cluster-margin.ts";
import { diversity } from "../src/strategies/diversity.ts";
import { benchOptions, benchPool, mixture, peakRssMb } from "./workloads.ts";
import { relaunchKeepingFreedMemory } from "../ffi/keep-freed-memory.ts";

// Timed in this process: under the allocator setting the binary runs with.
await relaunchKeepingFreedMemory(import.meta.main);

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1]! : fallback; };
const rows = Number(option("--rows", "1000000")), dim = Number(option("--dim", "128"));
const blasMode = option("--blas", "auto") as "auto" | "off";

if (args[0] === "--one") {
  // Child: one workload, one JSON line.
  const kind = args[1]!, k = Number(args[2]);
  const { blas } = await loadBlas({ mode: blasMode });
  let started = performance.now();
  const workload = mixture(rows, dim, { seed: 7 });
  const generateSeconds = (performance.now() - started) / 1000;
  const pool = benchPool(workload);
  const options = benchOptions(rows, k, blas);
  const rssBefore = peakRssMb();
  started = performance.now();
  const selection = kind === "cluster_margin" ? clusterMargin(pool, options) : diversity(pool, options);
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ kind, rows, dim, k, blas: blas.name, seconds, generateSeconds, picks: selection.rows.length,
    peakRssMb: peakRssMb(), peakRssBeforeSelectMb: rssBefore, details: selection.details }));
} else {
  const workloads: [string, number][] = [["cluster_margin", 1000], ["cluster_margin", 100_000]];
  if (!args.includes("--no-baseline")) workloads.push(["diversity", 1000]);
  const results: Record<string, any>[] = [];
  for (const [kind, k] of workloads) {
    const child = spawnSync(process.execPath, [import.meta.path, "--one", kind, String(k), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (child.status !== 0) throw new Error(`${kind} k=${k} failed:\n${child.stderr}`);
    const line = child.stdout.trim().split("\n").at(-1)!;
    results.push(JSON.parse(line));
    console.log(line);
  }
  const baseline = results.find((r) => r.kind === "diversity");
  console.log(`\n${rows} × ${dim}, ${results[0]!.blas} backend (pool generation excluded)`);
  console.log("workload                  seconds  vs diversity  peak RSS MB (before select)  phases (s)");
  for (const r of results) {
    const phases = r.details.seconds ? Object.entries(r.details.seconds).map(([p, s]) => `${p} ${s}`).join(", ") : "";
    const ratio = baseline ? `${(r.seconds / baseline.seconds).toFixed(2)}×` : "–";
    console.log(`${`${r.kind} k=${r.k}`.padEnd(24)} ${r.seconds.toFixed(2).padStart(8)}  ${ratio.padStart(12)}  ${String(r.peakRssMb).padStart(11)} (${r.peakRssBeforeSelectMb})  ${phases}`);
  }
}

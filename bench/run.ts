/**
 * Speed and memory of the selection engines, against baselines measured in the same run.
 *
 *   bun bench/run.ts            the workloads (about 5 minutes on 2 cores)
 *   bun bench/run.ts --quick    the small ones only (under a minute)
 *
 * Each workload runs in its own process (bench/selection.ts) so its peak RSS is its own.
 * Baselines: the same strategy on the pure-TypeScript backend, and the textbook k-center loop
 * (no pruning, no locality order) timed on the first 50 picks and scaled per pick.
 * Figures only; nothing here passes or fails.
 */
import { spawnSync } from "node:child_process";

interface Figure { kind: string; rows: number; dim: number; k: number; blas: string; seconds: number; evaluationShare: number; picks: number; peakRssMb: number }

const quick = process.argv.includes("--quick");

function run(kind: string, rows: number, dim: number, k: number, blasOff = false): Figure {
  const args = ["bench/selection.ts", kind, String(rows), String(dim), String(k), ...(blasOff ? ["--blas", "off"] : [])];
  const result = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Figure;
}

const rows: string[][] = [["workload", "backend", "seconds", "peak RSS MB", "measured / plain", "target", "vs baseline"]];
const show = (label: string, f: Figure, target: string, baseline = "") =>
  rows.push([label, f.blas, f.seconds.toFixed(2), String(f.peakRssMb), (f.evaluationShare * 100).toFixed(1) + "%", target, baseline]);
const ratio = (slow: number, fast: number) => `${(slow / fast).toFixed(1)}× faster`;

function kCenter(n: number, target: string): void {
  const label = `diversity ${n / 1000}K×128, k=1000`;
  const fast = run("diversity", n, 128, 1000);
  const plain = run("diversity-plain", n, 128, 50);
  const plainSeconds = (plain.seconds / plain.picks) * 1000;
  show(label, fast, target, `plain greedy ≈ ${plainSeconds.toFixed(1)} s (${ratio(plainSeconds, fast.seconds)})`);
  if (n <= 100_000) {
    const ts = run("diversity", n, 128, 1000, true);
    show(label, ts, "", `OpenBLAS ${ratio(ts.seconds, fast.seconds)}`);
  }
}

function badge(n: number, dim: number, k: number, target: string): void {
  const label = `badge ${n / 1000}K×${dim}, C=10, k=${k}`;
  const fast = run("badge", n, dim, k);
  show(label, fast, target);
  if (n <= 100_000) {
    const ts = run("badge", n, dim, k, true);
    show(label, ts, "", `OpenBLAS ${ratio(ts.seconds, fast.seconds)}`);
  }
}

kCenter(100_000, "≤ 1.5 s");
badge(50_000, 128, 100, "≤ 0.5 s");
if (!quick) {
  kCenter(1_000_000, "≤ 15 s, ≤ 1.5 GB");
  const div = run("diversity", 1_000_000, 128, 1000);
  const hyb = run("hybrid", 1_000_000, 128, 1000);
  show("hybrid margin×diversity 1M×128, k=1000", hyb, "≤ 2× diversity", `${(hyb.seconds / div.seconds).toFixed(2)}× diversity (${div.seconds.toFixed(1)} s)`);
  badge(1_000_000, 512, 1000, "≤ 60 s, ≤ 4 GB");
  // A large batch: past 1,024 centers the index over centers (src/engine/center-buckets.ts) runs.
  const large = run("diversity", 200_000, 128, 20_000);
  show("diversity 200K×128, k=20,000", large, "≤ 3 s");
}

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
console.log("\n'measured / plain': distance measurements as a share of the textbook loop's (N per pick).");

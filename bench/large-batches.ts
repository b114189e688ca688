/**
 * Large batches (issue 13, item 5): diversity and hybrid (margin × diversity) on 128-column
 * Gaussian mixtures at 200K rows, k=20,000 and 1M rows, k=100,000, against two baselines in
 * the same run: the loop before cells (groups and the bucket index over centers, on the same
 * space: `diversity-groups`), and the textbook loop timed on 50 picks and scaled to k.
 * Each run is its own process (bench/selection.ts), so each peak RSS is its own.
 *
 *   bun bench/large-batches.ts            both sizes (the 1M baseline alone takes ~7 minutes)
 *   bun bench/large-batches.ts --quick    200K only
 *   bun bench/large-batches.ts --gaussian one Gaussian of 2, 8 and 32 columns instead (200K, k=10,000),
 *                                         where the cells' coarse neighbourhoods meet fine groups
 *
 * Prints wall and CPU seconds of the selection on one thread (a shared machine's wall clock
 * includes waiting for a core) and the 1-minute load average when each run started and ended.
 */
import { spawnSync } from "node:child_process";

interface Figure {
  kind: string; seconds: number; cpuSeconds: number; evaluations: number; evaluationShare: number; picks: number;
  peakRssMb: number; loadAverage: [number, number]; picksHash: string;
}

function run(kind: string, rows: number, k: number, dim = 128, clusters: number | null = null): Figure {
  const args = ["bench/selection.ts", kind, String(rows), String(dim), String(k), "--threads", "1", ...(clusters === null ? [] : ["--clusters", String(clusters)])];
  const result = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as Figure;
}

const table: string[][] = [["workload", "loop", "wall s", "CPU s", "peak RSS MB", "rows measured per pick", "load", "vs previous loop (CPU)"]];
const gaussian = process.argv.includes("--gaussian");
const sizes = process.argv.includes("--quick") ? [[200_000, 20_000]] : [[200_000, 20_000], [1_000_000, 100_000]];
for (const dim of gaussian ? [2, 8, 32] : []) {
  const label = `one Gaussian 200K×${dim}, k=10,000`;
  const cells = run("diversity", 200_000, 10_000, dim, 1), groups = run("diversity-groups", 200_000, 10_000, dim, 1);
  for (const [loop, f, versus] of [["diversity, cells", cells, `${(groups.cpuSeconds / cells.cpuSeconds).toFixed(1)}× faster`],
    ["diversity, groups + bucket index (before)", groups, groups.picksHash === cells.picksHash ? "same picks" : "PICKS DIFFER"]] as const) {
    table.push([label, loop, f.seconds.toFixed(2), f.cpuSeconds.toFixed(2), String(f.peakRssMb),
      `${Math.round(f.evaluations / f.picks)} (${(100 * f.evaluationShare).toFixed(2)}%)`, f.loadAverage.map((l) => l.toFixed(1)).join("→"), versus]);
  }
}
for (const [rows, k] of (gaussian ? [] : sizes) as [number, number][]) {
  const label = `${rows / 1000}K×128, k=${k.toLocaleString("en")}`;
  const show = (loop: string, f: Figure, versus: string) => table.push([label, loop, f.seconds.toFixed(2), f.cpuSeconds.toFixed(2), String(f.peakRssMb),
    `${Math.round(f.evaluations / f.picks)} (${(100 * f.evaluationShare).toFixed(2)}%)`, f.loadAverage.map((l) => l.toFixed(1)).join("→"), versus]);
  const cells = run("diversity", rows, k);
  const groups = run("diversity-groups", rows, k);
  const hybrid = run("hybrid", rows, k);
  const plain = run("diversity-plain", rows, 50);
  show("diversity, cells", cells, `${(groups.cpuSeconds / cells.cpuSeconds).toFixed(1)}× faster`);
  show("diversity, groups + bucket index (before)", groups, groups.picksHash === cells.picksHash ? "same picks" : "PICKS DIFFER");
  show("hybrid margin×diversity, cells", hybrid, `${(hybrid.cpuSeconds / cells.cpuSeconds).toFixed(2)}× diversity`);
  table.push([label, "textbook loop, 50 picks scaled", ((plain.seconds / plain.picks) * k).toFixed(0), ((plain.cpuSeconds / plain.picks) * k).toFixed(0), "", `${rows} (100%)`, "", ""]);
}
const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
for (const row of table) console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));

/**
 * Core-set (diversity), hybrid (margin × diversity) and BADGE on rows shaped like real
 * embeddings: 200,000 rows of 384 (or --dim 768) columns from a seeded power-law covariance
 * spectrum (bench/workloads.ts powerLawEmbeddings; synthetic, not real embeddings), k = 1,000.
 * Baseline in the same run: the textbook k-center loop on 50 picks, scaled to 1,000. Prints
 * wall and CPU seconds (a shared machine's wall clock includes waiting for a core) and the
 * rows screened and measured per pick.
 *
 *   bun bench/embeddings.ts [--rows 200000] [--dim 384] [--k 1000]
 */
import { loadavg } from "node:os";
import { loadBlas } from "../ffi/load.ts";
import { EuclideanSpace } from "../src/engine/euclidean.ts";
import { kCenterPlain } from "../src/engine/kcenter.ts";
import { badge } from "../src/strategies/badge.ts";
import { diversity } from "../src/strategies/diversity.ts";
import { hybrid } from "../src/strategies/hybrid.ts";
import type { Selection } from "../src/strategies/strategy.ts";
import { benchOptions, benchPool, peakRssMb, powerLawEmbeddings, rowsPerPick } from "./workloads.ts";
import { relaunchKeepingFreedMemory } from "../ffi/keep-freed-memory.ts";

// Timed in this process: under the allocator setting the binary runs with.
await relaunchKeepingFreedMemory(import.meta.main);

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const rows = option("--rows", 200_000), dim = option("--dim", 384), k = option("--k", 1000);
const { blas } = await loadBlas({ mode: "auto" });
const workload = powerLawEmbeddings(rows, dim);

function timed<T>(run: () => T): { value: T; wall: number; user: number } {
  const cpu = process.cpuUsage(), started = performance.now();
  const value = run();
  return { value, wall: (performance.now() - started) / 1000, user: process.cpuUsage(cpu).user / 1e6 };
}

console.log(`power-law embeddings ${rows}×${dim} (synthetic), k=${k}, ${blas.name} (wall / CPU seconds; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
const plain = timed(() => kCenterPlain(new EuclideanSpace(workload.vectors), 50, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 }));
const plainUser = (plain.user / 50) * k;
console.log(`  textbook k-center loop (50 picks scaled): ≈ ${((plain.wall / 50) * k).toFixed(1)} / ${plainUser.toFixed(1)} s`);
const hybridConfig = { filters: [], objectives: [{ type: "uncertainty" as const, mode: "margin" as const, strength: 1 }, { type: "diversity" as const, strength: 1 }], classBalance: null };
const runs: [string, () => Selection][] = [
  ["core-set", () => diversity(benchPool(workload), benchOptions(rows, k, blas))],
  ["hybrid margin×diversity", () => hybrid(benchPool(workload), benchOptions(rows, k, blas, { selectionConfig: hybridConfig }))],
  ["badge", () => badge(benchPool(workload), benchOptions(rows, k, blas))],
];
for (const [label, run] of runs) {
  const { value, wall, user } = timed(run);
  const picks = value.rows.length;
  const vs = label === "badge" ? "" : `, ${(plainUser / user).toFixed(1)}× the textbook loop (CPU)`;
  console.log(`  ${label.padEnd(24)} ${wall.toFixed(2)} / ${user.toFixed(2)} s${vs}; per pick ${rowsPerPick(value.details, rows * picks)}; peak RSS ${peakRssMb()} MB`);
}

/**
 * Two threads against one as a user meets them: each run a fresh process, so its time carries
 * the JIT's warm-up and the first touch of kernel memory, which the in-process runs of
 * `bench/fashion-mnist.ts --threads` and `bench/selection.ts --threads` pay only once. Rounds
 * alternate one thread and two on the raw Fashion-MNIST core-set (k=1000) and on diversity
 * 1M×128 (k=1000); each round prints both walls and their ratio, then the range of the ratios.
 *
 *   bun bench/threads-fresh.ts [--rounds 3]
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";

const rounds = process.argv.includes("--rounds") ? Number(process.argv[process.argv.indexOf("--rounds") + 1]) : 3;
if (!(Number.isInteger(rounds) && rounds >= 1)) throw new Error("--rounds takes a whole number ≥ 1");

/** Each workload's command for `threads`, and how to find the engine's wall seconds in its output. */
const WORKLOADS = [
  {
    name: "raw Fashion-MNIST 70K×784, core-set k=1000",
    args: (threads: number) => ["bench/fashion-mnist.ts", "--threads", String(threads), "--threads-only"],
    wall: (out: string, threads: number) => Number(new RegExp(`^ +${threads} threads? +([0-9.]+) /`, "m").exec(out)?.[1]),
  },
  {
    name: "diversity 1M×128, k=1000",
    args: (threads: number) => ["bench/selection.ts", "diversity", "1000000", "128", "1000", "--threads", String(threads)],
    wall: (out: string) => Number(/"seconds":([0-9.]+)/.exec(out.trim().split("\n").pop() ?? "")?.[1]),
  },
] as const;

function wallSeconds(workload: (typeof WORKLOADS)[number], threads: number): number {
  const run = spawnSync(process.execPath, workload.args(threads), { encoding: "utf8", maxBuffer: 1 << 24 });
  const seconds = workload.wall(run.stdout ?? "", threads);
  if (run.status !== 0 || !(seconds > 0)) throw new Error(`${workload.args(threads).join(" ")} failed (${run.status}): ${run.stderr?.slice(-500)}`);
  return seconds;
}

console.log(`two threads against one, each run a fresh process, ${rounds} round${rounds === 1 ? "" : "s"} (load average ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
const ratios = new Map<string, number[]>(WORKLOADS.map((w) => [w.name, []]));
for (let round = 1; round <= rounds; round++) {
  for (const workload of WORKLOADS) {
    const one = wallSeconds(workload, 1), two = wallSeconds(workload, 2);
    ratios.get(workload.name)!.push(one / two);
    console.log(`  round ${round}  ${workload.name.padEnd(44)} 1 thread ${one.toFixed(2)} s, 2 threads ${two.toFixed(2)} s: ${(one / two).toFixed(2)}×`);
  }
}
for (const [name, values] of ratios) {
  console.log(`${name}: 2 threads ${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}× 1 thread (target ≥ 1.7×)`);
}

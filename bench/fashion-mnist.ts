/**
 * Core-set on real data: the 70,000 Fashion-MNIST images (28×28 = 784 pixels, scaled to
 * [0, 1]) from Debian's `dataset-fashion-mnist` (`make setup-data` puts the IDX files in
 * /usr/share/datasets/fashion-mnist). Diversity, k = 1,000, euclidean and cosine, on both
 * backends, against two baselines timed in the same run on the first 50 picks and scaled to
 * 1,000: the textbook k-center loop in TypeScript (kCenterPlain) and in numpy (the original
 * script's loop: one vectorised distance pass per pick).
 *
 * Prints wall and CPU (user) seconds: on a shared machine the wall clock includes waiting for
 * a core, the CPU time does not.
 *
 * Then THREADS: the euclidean core-set on OpenBLAS once per thread count (`--threads`, default
 * 1,2,4; OpenBLAS capped alike), wall and CPU seconds (all threads), the ratio against the first
 * count, a hash of the selection (it must not change) and the load average. `--threads-only`
 * skips everything before it (the numpy baseline alone takes two minutes).
 *
 *   bun bench/fashion-mnist.ts [--threads 1,2,4] [--threads-only]
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { loadBlas } from "../ffi/load.ts";
import { typescriptBlas } from "../ffi/typescript.ts";
import { EuclideanSpace } from "../src/engine/euclidean.ts";
import { kCenterPlain } from "../src/engine/kcenter.ts";
import { diversity } from "../src/strategies/diversity.ts";
import { benchOptions, benchPool, benchThreadCounts, fashionMnistImages, FASHION_MNIST_DIR, loadAverage, peakRssMb, rowsPerPick, selectionHash, withThreads } from "./workloads.ts";
import { relaunchKeepingFreedMemory } from "../ffi/keep-freed-memory.ts";

// Timed in this process: under the allocator setting the binary runs with.
await relaunchKeepingFreedMemory(import.meta.main);

const vectors = fashionMnistImages();
if (!vectors) {
  console.log(`no ${FASHION_MNIST_DIR}: make setup-data (apt-get install dataset-fashion-mnist)`);
  process.exit(0);
}
const { rows, cols } = vectors;
const workload = { vectors, probs: new Float64Array(rows * 2).fill(0.5), classes: 2 };
const { blas } = await loadBlas({ mode: "auto" });

function timed<T>(run: () => T): { value: T; wall: number; user: number } {
  const cpu = process.cpuUsage(), started = performance.now();
  const value = run();
  return { value, wall: (performance.now() - started) / 1000, user: process.cpuUsage(cpu).user / 1e6 };
}

const threadsOnly = process.argv.includes("--threads-only");
if (!threadsOnly) {
console.log(`Fashion-MNIST ${rows}×${cols}, diversity k=1000 (wall / CPU seconds; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
const plain = timed(() => kCenterPlain(new EuclideanSpace(vectors), 50, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 }));
const plainWall = (plain.wall / 50) * 1000, plainUser = (plain.user / 50) * 1000;
console.log(`  textbook loop (TypeScript, euclidean, 50 picks scaled): ≈ ${plainWall.toFixed(1)} / ${plainUser.toFixed(1)} s`);
const numpy = numpyLoop();
if (numpy) console.log(`  textbook loop (numpy, euclidean, 50 picks scaled):      ≈ ${numpy.wall.toFixed(1)} / ${numpy.user.toFixed(1)} s`);
for (const metric of ["euclidean", "cosine"] as const) {
  for (const backend of [blas, typescriptBlas]) {
    const run = timed(() => diversity(benchPool(workload), benchOptions(rows, 1000, backend, { metric })));
    const picks = run.value.rows.length;
    const vs = metric === "euclidean"
      ? `, ${(plainUser / run.user).toFixed(1)}× the TypeScript loop${numpy ? `, ${(numpy.user / run.user).toFixed(1)}× numpy` : ""} (CPU)` : "";
    console.log(`  ${metric.padEnd(9)} ${backend.name.padEnd(10)} ${run.wall.toFixed(2)} / ${run.user.toFixed(2)} s${vs}; per pick ${rowsPerPick(run.value.details, rows * picks)}; peak RSS ${peakRssMb()} MB`);
  }
}
}

const counts = process.argv.includes("--threads") ? benchThreadCounts(process.argv) : [1, 2, 4];
console.log(`Fashion-MNIST ${rows}×${cols}, core-set k=1000, euclidean, ${blas.name}, by THREADS (wall / CPU seconds of all threads / CPU seconds of the main thread)`);
let baseline = 0;
for (const threads of counts) {
  const run = await withThreads(threads, blas, () => diversity(benchPool(workload), benchOptions(rows, 1000, blas)));
  baseline ||= run.wall;
  const share = run.workerShare === null ? "no scan split" : `workers ran ${(100 * run.workerShare).toFixed(0)}% of split-scan chunks`;
  console.log(`  ${String(threads).padStart(2)} thread${threads === 1 ? " " : "s"} ${run.wall.toFixed(2)} / ${run.cpu.toFixed(2)} / ${run.mainCpu.toFixed(2)} s, ${(baseline / run.wall).toFixed(2)}× ${counts[0]} thread${counts[0] === 1 ? "" : "s"}; ${share}; selection ${selectionHash(run.value.rows)}; load average ${loadAverage()}`);
}

/** The original script's loop in numpy on the same images, 50 picks, scaled to 1,000 (null without python3/numpy). */
function numpyLoop(): { wall: number; user: number } | null {
  const script = `
import gzip, numpy as np, resource, sys, time
def images(name):
    raw = gzip.open(f"${FASHION_MNIST_DIR}/{name}").read()
    n = int.from_bytes(raw[4:8], "big")
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, 784)
x = (np.concatenate([images("train-images-idx3-ubyte.gz"), images("t10k-images-idx3-ubyte.gz")]) / 255).astype(np.float32)
cpu, wall = time.process_time(), time.perf_counter()
dist = np.full(len(x), np.inf, np.float32)
c = 0
for _ in range(50):
    dist = np.minimum(dist, np.sqrt(((x - x[c]) ** 2).sum(axis=1)))
    c = int(np.argmax(dist))
print(time.perf_counter() - wall, time.process_time() - cpu)
`;
  const result = spawnSync("python3", ["-c", script], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" } });
  if (result.status !== 0) return null;
  const [wall, user] = result.stdout.trim().split(/\s+/).map(Number);
  return { wall: (wall! / 50) * 1000, user: (user! / 50) * 1000 };
}

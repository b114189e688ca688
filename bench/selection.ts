/**
 * One selection workload in this process, printed as one JSON line (bench/run.ts starts a
 * process per workload so that each peak RSS is its own).
 *
 *   bun bench/selection.ts <diversity|diversity-groups|diversity-plain|badge|hybrid|typiclust> <rows> <dim> <k> [--blas off] [--classes C] [--clusters G] [--threads 1,2,4]
 *
 * diversity, badge and hybrid (margin × diversity) run the strategies users run
 * (src/strategies); diversity-plain runs the textbook k-center loop (no pruning, no locality
 * order) as the baseline; diversity-groups runs diversity's loop as it was before cells
 * (center-cells.ts): groups and the bucket index over centers, on the same space.
 * cpuSeconds is the selection's CPU time (user + system, all threads), picksHash a hash of the picks.
 *
 * With --threads 1,2,4 the workload runs once per thread count (THREADS, OpenBLAS capped alike)
 * on the same data, one line each, adding the main thread's CPU seconds (the critical path on a
 * loaded machine), the ratio against the first count's wall time and the share of split-scan
 * chunks the workers ran; picksHash must not change. Default: the cores this process may use.
 */
import { loadBlas } from "../ffi/load.ts";
import { EuclideanSpace } from "../src/engine/euclidean.ts";
import { loadavg } from "node:os";
import { LARGE_BATCH_LIMITS } from "../src/engine/center-groups.ts";
import { kCenterGreedy, kCenterPlain } from "../src/engine/kcenter.ts";
import { badge } from "../src/strategies/badge.ts";
import { diversity } from "../src/strategies/diversity.ts";
import { hybrid } from "../src/strategies/hybrid.ts";
import { typiclust } from "../src/strategies/typiclust.ts";
import { prepareVectorSpace } from "../src/strategies/vector-space.ts";
import { benchOptions, benchPool, benchThreadCounts, mixture, peakRssMb, withThreads } from "./workloads.ts";
import { relaunchKeepingFreedMemory } from "../ffi/keep-freed-memory.ts";

// Timed in this process: under the allocator setting the binary runs with.
await relaunchKeepingFreedMemory(import.meta.main);

const [kind, rowsText, dimText, kText] = process.argv.slice(2);
const rows = Number(rowsText), dim = Number(dimText), k = Number(kText);
const { blas } = await loadBlas({ mode: process.argv.includes("--blas") ? "off" : "auto" });

let started = performance.now();
const classes = process.argv.includes("--classes") ? Number(process.argv[process.argv.indexOf("--classes") + 1]) : 10;
const clusters = process.argv.includes("--clusters") ? Number(process.argv[process.argv.indexOf("--clusters") + 1]) : Math.max(100, 2 * classes);
const workload = mixture(rows, dim, { seed: 7, classes, clusters });
const generateSeconds = (performance.now() - started) / 1000;
const pool = benchPool(workload);
// Fresh options per run: they hold the seeded random generator.
const options = () => benchOptions(rows, k, blas, {
  selectionConfig: { filters: [], objectives: [{ type: "uncertainty", mode: "margin", strength: 1 }, { type: "diversity", strength: 1 }], classBalance: null },
});

function run(): { evaluations: number; picks: number; picked: ArrayLike<number> } {
  if (kind === "diversity") {
    const selection = diversity(pool, options());
    return { evaluations: selection.details.distanceEvaluations as number, picks: selection.rows.length, picked: selection.rows };
  } else if (kind === "diversity-groups") {
    const vs = prepareVectorSpace(pool, options());
    const result = kCenterGreedy(vs.space, k, {
      seeds: vs.seeds, selectable: vs.candidates, firstPick: vs.nearestToMean, minDistance: 0, tieKey: vs.order,
      limits: { ...LARGE_BATCH_LIMITS, cellsFrom: Infinity },
    });
    return { evaluations: result.evaluations, picks: result.picks.length, picked: vs.rows(result.picks) };
  } else if (kind === "diversity-plain") {
    const result = kCenterPlain(new EuclideanSpace(workload.vectors), k, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 });
    return { evaluations: result.evaluations, picks: result.picks.length, picked: result.picks };
  } else if (kind === "hybrid") {
    const selection = hybrid(pool, options());
    return { evaluations: selection.details.distanceEvaluations as number, picks: selection.rows.length, picked: selection.rows };
  } else if (kind === "badge") {
    const selection = badge(pool, options());
    return { evaluations: selection.details.distanceEvaluations as number, picks: selection.rows.length, picked: selection.rows };
  } else if (kind === "typiclust") {
    // No distance count: typicality is measured by blocks within clusters (Σ m² pairs screened).
    const selection = typiclust(pool, options());
    return { evaluations: 0, picks: selection.rows.length, picked: selection.rows };
  }
  throw new Error(`unknown workload ${kind}`);
}

let baseline = 0;
for (const threads of benchThreadCounts(process.argv)) {
  const loadBefore = loadavg()[0]!;
  const { value, wall: seconds, cpu: cpuSeconds, mainCpu: mainThreadCpuSeconds, workerShare } = await withThreads(threads, blas, run);
  baseline ||= seconds;
  const { evaluations, picks, picked } = value;
  // FNV-1a over the picked rows: equal hashes, equal selections.
  let hash = 0x811c9dc5;
  for (let i = 0; i < picked.length; i++) hash = Math.imul(hash ^ picked[i]!, 0x01000193) >>> 0;
  console.log(JSON.stringify({
    kind, rows, dim, classes, k, blas: blas.name, threads, seconds, cpuSeconds, mainThreadCpuSeconds, speedup: Number((baseline / seconds).toFixed(2)), workerShare,
    generateSeconds, evaluations, evaluationShare: evaluations / (rows * picks), picks,
    peakRssMb: peakRssMb(), loadAverage: [loadBefore, loadavg()[0]!], picksHash: hash.toString(16),
  }));
}

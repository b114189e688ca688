/**
 * Seeded bench workloads: Gaussian mixtures with cluster structure, and class probabilities
 * that follow the clusters the way a real model's do (each cluster has a class; rows near a
 * cluster's edge are less sure of it).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import { allocVectors } from "../src/engine/kernels/kernels.ts";
import { usableCores } from "../src/engine/kernels/cores.ts";
import { parkWorkers, startThreads, stopThreads, threadStats } from "../src/engine/kernels/threads.ts";
import { predictions } from "../src/engine/uncertainty.ts";
import type { Matrix } from "../src/matrix.ts";
import { Rng } from "../src/rng.ts";
import type { Blas } from "../ffi/blas.ts";
import type { Pool } from "../src/pool/pool.ts";
import type { StrategyOptions } from "../src/strategies/strategy.ts";

/** Where Debian's dataset-fashion-mnist puts the IDX files (`make setup-data` installs it). */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * The raw Fashion-MNIST images (train then test, 70,000 × 784 pixels scaled to [0, 1]) as a
 * float32 matrix in kernel memory; the first `limit` rows when given. Null when the package
 * is not installed.
 */
export function fashionMnistImages(limit = Infinity): Matrix<Float32Array> | null {
  if (!existsSync(join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"))) return null;
  const parts = ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"].map((name) => {
    const raw = gunzipSync(readFileSync(join(FASHION_MNIST_DIR, name)));
    const view = new DataView(raw.buffer, raw.byteOffset);
    if (view.getUint32(0) !== 2051) throw new Error(`${name}: not an IDX image file`);
    const count = view.getUint32(4), size = view.getUint32(8) * view.getUint32(12);
    return { bytes: raw.subarray(16, 16 + count * size), count, size };
  });
  const dim = parts[0]!.size;
  const rows = Math.min(limit, parts.reduce((n, p) => n + p.count, 0));
  const data = allocVectors(false, rows * dim) as Float32Array;
  let at = 0;
  for (const p of parts) for (let i = 0; i < p.bytes.length && at < data.length; i++) data[at++] = p.bytes[i]! / 255;
  return { data, rows, cols: dim };
}

export interface Workload {
  vectors: Matrix;
  probs: Float64Array;
  classes: number;
}


export function mixture(n: number, dim: number, options: { clusters?: number; classes?: number; seed?: number; float64?: boolean } = {}): Workload {
  const clusters = options.clusters ?? 100, classes = options.classes ?? 10;
  const rng = new Rng(options.seed ?? 1);
  const centers = new Float64Array(clusters * dim);
  for (let i = 0; i < centers.length; i++) centers[i] = rng.nextGaussian() * 4;
  const spread = Float64Array.from({ length: clusters }, () => 0.5 + rng.nextFloat());
  const data = allocVectors(options.float64 ?? false, n * dim);
  const probs = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(clusters);
    const s = spread[c]!;
    let offset = 0;
    for (let j = 0; j < dim; j++) {
      const z = rng.nextGaussian() * s;
      offset += z * z;
      data[i * dim + j] = centers[c * dim + j]! + z;
    }
    // Sure near the center, unsure at the edge: the true class's logit falls with distance.
    const strength = 8 / (1 + offset / (dim * s * s));
    let total = 0;
    for (let k = 0; k < classes; k++) {
      const logit = rng.nextGaussian() + (k === c % classes ? strength : 0);
      probs[i * classes + k] = Math.exp(logit);
      total += probs[i * classes + k]!;
    }
    for (let k = 0; k < classes; k++) probs[i * classes + k]! /= total;
  }
  return { vectors: { data, rows: n, cols: dim }, probs, classes };
}

/**
 * Rows shaped like real sentence or image embeddings: a seeded Gaussian whose covariance
 * spectrum decays as a power law (variance of axis j ∝ (j+1)^-exponent; sentence encoders
 * measure near 1), on axis-aligned directions (distances and the engine's principal axes do
 * not depend on the basis), in 20 clusters whose means follow the same spectrum. Class
 * probabilities come from a seeded random linear softmax over the rows.
 */
export function powerLawEmbeddings(n: number, dim: number, options: { seed?: number; exponent?: number; classes?: number } = {}): Workload {
  const rng = new Rng(options.seed ?? 11);
  const exponent = options.exponent ?? 1, classes = options.classes ?? 10, clusters = 20;
  const scale = Float64Array.from({ length: dim }, (_, j) => (j + 1) ** (-exponent / 2));
  const means = Float64Array.from({ length: clusters * dim }, (_, i) => 2 * rng.nextGaussian() * scale[i % dim]!);
  const weights = Float64Array.from({ length: classes * dim }, () => rng.nextGaussian());
  const data = allocVectors(false, n * dim);
  const probs = new Float64Array(n * classes);
  const logits = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(clusters);
    for (let j = 0; j < dim; j++) data[i * dim + j] = means[c * dim + j]! + rng.nextGaussian() * scale[j]!;
    let top = -Infinity;
    for (let k = 0; k < classes; k++) {
      let z = 0;
      for (let j = 0; j < 16; j++) z += weights[k * dim + j]! * data[i * dim + j]!;
      logits[k] = 3 * z;
      if (logits[k]! > top) top = logits[k]!;
    }
    let total = 0;
    for (let k = 0; k < classes; k++) total += (probs[i * classes + k] = Math.exp(logits[k]! - top));
    for (let k = 0; k < classes; k++) probs[i * classes + k]! /= total;
  }
  return { vectors: { data, rows: n, cols: dim }, probs, classes };
}

/** Peak resident memory of this process so far, in MB (Linux VmHWM). */
export function peakRssMb(): number {
  try {
    const status = require("node:fs").readFileSync("/proc/self/status", "utf8") as string;
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return Math.round(process.memoryUsage().rss / 2 ** 20);
  }
}

/** A pool and strategy options around a workload, for benches that call strategies directly. */
export function benchPool(workload: Workload): Pool {
  return {
    size: workload.vectors.rows, probs: workload.probs, classes: workload.classes, vectors: workload.vectors,
    ...predictions(workload.probs, workload.classes),
    plan: { classNames: Array.from({ length: workload.classes }, (_, c) => String(c)) },
  } as unknown as Pool;
}

export function benchOptions(rows: number, k: number, blas: Blas, overrides: Partial<StrategyOptions> = {}): StrategyOptions {
  return {
    batchSize: k, confidenceThreshold: 0.9, maxSamples: 0, kPerClass: 100, uncertaintyMode: "margin",
    metric: "euclidean", minDistance: 0, blas, rng: new Rng(42), labeled: null,
    selectable: new Uint8Array(rows).fill(1), describeRow: (r) => `row ${r + 1}`, tieBreak: (a, b) => a - b,
    balance: null, selectionConfig: null, rowWeights: null, ...overrides,
  };
}

/**
 * Thread counts a bench runs at, from `--threads 1,2,4` (default: the cores this process may
 * use, as THREADS defaults to). The first is the baseline the others' ratios are taken against.
 */
export function benchThreadCounts(argv: readonly string[]): number[] {
  const at = argv.indexOf("--threads");
  if (at < 0) return [usableCores().cores];
  const counts = String(argv[at + 1] ?? "").split(",").map(Number);
  if (!counts.every((t) => Number.isInteger(t) && t >= 1)) throw new Error(`--threads ${argv[at + 1]}: expected counts ≥ 1 such as 1,2,4`);
  return counts;
}

/** Runs `work` with `threads` threads for the engine's scans and for OpenBLAS, as THREADS does; wall and CPU seconds. */
export async function withThreads<T>(threads: number, blas: Blas, work: () => T): Promise<{ value: T; wall: number; cpu: number; mainCpu: number; workerShare: number | null }> {
  const warning = await startThreads(threads, blas);
  if (warning) throw new Error(warning);
  blas.setThreads?.(threads, parkWorkers);
  const before = threadStats(), cpu = process.cpuUsage(), main = mainThreadCpu(), started = performance.now();
  const value = work();
  const wall = (performance.now() - started) / 1000, used = process.cpuUsage(cpu);
  const mainCpu = mainThreadCpu() - main;
  const after = threadStats();
  stopThreads();
  const chunks = after.chunks - before.chunks;
  return { value, wall, cpu: (used.user + used.system) / 1e6, mainCpu, workerShare: chunks > 0 ? (after.workerChunks - before.workerChunks) / chunks : null };
}

/**
 * CPU seconds of the main thread alone (Linux /proc, 10 ms ticks): on a loaded machine the
 * wall clock waits for cores, while the main thread's CPU time is the critical path the other
 * threads shorten (it includes its spinning while workers finish, not its sleeping).
 */
function mainThreadCpu(): number {
  try {
    const stat = require("node:fs").readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8") as string;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14 and 15 of stat)
  } catch {
    return NaN;
  }
}

/** A short fingerprint of a selection (its rows in order), to show that runs chose the same rows. */
export function selectionHash(rows: ArrayLike<number>): string {
  return createHash("sha256").update(Uint32Array.from(rows as ArrayLike<number>)).digest("hex").slice(0, 12);
}

/** The 1-minute load average: this machine is shared, and a loaded one slows every figure. */
export function loadAverage(): number {
  return Number(loadavg()[0]!.toFixed(2));
}

/**
 * A selection's rows per pick, as shares of the pool: bounded at each screening stage (with its
 * principal coordinates), measured in full. `pairs` = rows × picks.
 */
export function rowsPerPick(details: Record<string, unknown>, pairs: number): string {
  const share = (n: number) => `${((100 * n) / pairs).toFixed(1)}%`;
  const names = ((details.screeningStages as string | undefined) ?? "").split(", ");
  const stages = (details.rowsPerScreeningStage as number[] | undefined) ?? [];
  const screened = stages.map((n, l) => `${share(n)} on ${names[l]} coordinates`);
  return `${screened.length > 0 ? `screened ${screened.join(", ")}; ` : ""}${share(details.distanceEvaluations as number)} measured in full`;
}

/** Seeded data for tests: Gaussian clusters, probability rows, temp directories. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../src/rng.ts";
import { typescriptBlas } from "../ffi/typescript.ts";
import type { StrategyOptions } from "../src/strategies/strategy.ts";
import type { Matrix } from "../src/matrix.ts";

/** Every directory tempDir() made and has not removed yet, oldest first. */
const made: string[] = [];

/**
 * A fresh temporary directory. test/setup.ts (preloaded for every test file) removes the ones a
 * test made after that test, and those made outside a test (beforeAll, module level) after the run.
 */
export function tempDir(prefix = "as-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** How many directories tempDir() has made so far: a mark for removeTempDirsSince(). */
export function tempDirMark(): number {
  return made.length;
}

/** Removes the directories tempDir() made since `mark`. */
export function removeTempDirsSince(mark: number): void {
  for (const dir of made.splice(mark)) rmSync(dir, { recursive: true, force: true });
}


/** n points in `clusters` Gaussian blobs of spread `spread` around centers spaced ~10 apart. */
export function clusteredPoints(n: number, dim: number, clusters: number, seed: number, spread = 1): Matrix<Float32Array> {
  const rng = new Rng(seed);
  const centers = Array.from({ length: clusters }, () => Array.from({ length: dim }, () => rng.nextGaussian() * 10));
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = centers[rng.nextInt(clusters)]!;
    for (let j = 0; j < dim; j++) data[i * dim + j] = c[j]! + rng.nextGaussian() * spread;
  }
  return { data, rows: n, cols: dim };
}

/** n softmax rows over `classes` with random logits scaled by `sharpness`. */
export function probabilityRows(n: number, classes: number, seed: number, sharpness = 3): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let c = 0; c < classes; c++) { out[i * classes + c] = Math.exp(rng.nextGaussian() * sharpness); total += out[i * classes + c]!; }
    for (let c = 0; c < classes; c++) out[i * classes + c]! /= total;
  }
  return out;
}

/** A CSV text with id, prob_class_*, emb_* columns from the given arrays. */
export function poolCsv(probs: Float64Array, classes: number, vectors: Matrix | null, idPrefix = "r"): string {
  const n = probs.length / classes;
  const header = ["id", ...Array.from({ length: classes }, (_, c) => `prob_class_${c}`)];
  if (vectors) header.push(...Array.from({ length: vectors.cols }, (_, j) => `emb_${j}`));
  const lines = [header.join(",")];
  for (let i = 0; i < n; i++) {
    const cells = [`${idPrefix}${i}`, ...Array.from(probs.subarray(i * classes, (i + 1) * classes), String)];
    if (vectors) cells.push(...Array.from(vectors.data.subarray(i * vectors.cols, (i + 1) * vectors.cols), String));
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}

/** Options for calling a strategy directly on a pool of `rows`: every row selectable, ties by row, the TypeScript backend, seed 42. */
export function strategyOptionsFor(rows: number, overrides: Partial<StrategyOptions> = {}): StrategyOptions {
  return {
    batchSize: 5, confidenceThreshold: 0.9, maxSamples: 0, kPerClass: 1, uncertaintyMode: "margin",
    metric: "euclidean", minDistance: 0, blas: typescriptBlas, rng: new Rng(42), labeled: null,
    selectable: new Uint8Array(rows).fill(1), describeRow: (r) => `row ${r + 1}`, tieBreak: (a, b) => a - b,
    balance: null, selectionConfig: null, rowWeights: null,
    ...overrides,
  };
}

import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Blas } from "../../ffi/blas.ts";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { allocVectors } from "../../src/engine/kernels/kernels.ts";
import { assignRows, fitKMeans, nearestCentroids } from "../../src/engine/kmeans.ts";
import { predictions, uncertaintyScores } from "../../src/engine/uncertainty.ts";
import type { Matrix } from "../../src/matrix.ts";
import type { Pool } from "../../src/pool/pool.ts";
import { Rng } from "../../src/rng.ts";
import { main } from "../../src/run.ts";
import { clusterMargin, defaultClusters, roundRobin } from "../../src/strategies/cluster-margin.ts";
import type { StrategyOptions } from "../../src/strategies/strategy.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints, poolCsv, probabilityRows, strategyOptionsFor, tempDir } from "../helpers.ts";

const backends = await backendsUnderTest();
const openblas = backends.find((b) => b.name === "openblas")!;

function poolOf(probs: Float64Array, classes: number, vectors: Matrix): Pool {
  return { size: vectors.rows, probs, classes, vectors, ...predictions(probs, classes) } as unknown as Pool;
}

function optionsFor(pool: Pool, overrides: Partial<StrategyOptions> = {}): StrategyOptions {
  return strategyOptionsFor(pool.size, { batchSize: 5, ...overrides });
}

/**
 * 30 rows in three tight blobs 100 apart: A (rows 0-9) at (0,0), B (10-19) at (100,0), C (20-29)
 * at (0,100). Every row is sure ([0.99, 0.01]) except six: A holds one unsure row, B two, C three.
 */
function threeBlobs(): { pool: Pool; unsure: { A: number[]; B: number[]; C: number[] } } {
  const n = 30;
  const data = new Float32Array(n * 2);
  const probs = new Float64Array(n * 2);
  const corners = [[0, 0], [100, 0], [0, 100]];
  for (let i = 0; i < n; i++) {
    const [x, y] = corners[Math.floor(i / 10)]!;
    data[2 * i] = x! + (i % 3) * 0.1;
    data[2 * i + 1] = y! + (i % 5) * 0.1;
    probs[2 * i] = 0.99; probs[2 * i + 1] = 0.01;
  }
  const unsure: Record<number, number> = { 3: 0.5, 12: 0.55, 15: 0.6, 21: 0.52, 24: 0.58, 27: 0.62 };
  for (const [row, p] of Object.entries(unsure)) { probs[2 * Number(row)] = p; probs[2 * Number(row) + 1] = 1 - p; }
  return { pool: poolOf(probs, 2, { data, rows: n, cols: 2 }), unsure: { A: [3], B: [12, 15], C: [21, 24, 27] } };
}

/** A pool with cluster structure and random probabilities; every 40th row repeats the one before (exact ties). */
function mixedPool(n: number, dim: number, float64 = false, seed = 5): Pool {
  const points = clusteredPoints(n, dim, 15, seed);
  const data = allocVectors(float64, n * dim);
  data.set(points.data);
  for (let i = 40; i < n; i += 40) data.copyWithin(i * dim, (i - 1) * dim, i * dim);
  return poolOf(probabilityRows(n, 4, seed + 1), 4, { data, rows: n, cols: dim });
}

describe("cluster_margin round-robin", () => {
  test("on three far-apart blobs it takes the lone unsure row of the smallest cluster first, then alternates B, C", () => {
    const { pool, unsure } = threeBlobs();
    const selection = clusterMargin(pool, optionsFor(pool, { batchSize: 5, clusterMarginClusters: 3, clusterMarginCandidates: 6 }));
    const rows = Array.from(selection.rows);
    // Clusters by candidate count: A (1), B (2), C (3). Round 1: A, B, C; round 2: B, C.
    expect(rows[0]).toBe(3);
    expect(unsure.B).toContain(rows[1]!);
    expect(unsure.C).toContain(rows[2]!);
    expect(unsure.B).toContain(rows[3]!);
    expect(unsure.C).toContain(rows[4]!);
    expect(new Set(rows).size).toBe(5);
    expect(selection.details).toMatchObject({ clusters: 3, candidates: 6, clustersWithCandidates: 3, clustersUsed: 3, rounds: 2 });
    // Scores are the rows' margin uncertainty, 1 - (p1 - p2).
    const margin = uncertaintyScores(pool.probs, 2, "margin");
    expect(Array.from(selection.scores)).toEqual(rows.map((r) => margin[r]!));
    expect(selection.scores[0]).toBe(1);
  });

  test("within a cluster the order is a seeded random draw: over seeds, each of C's three rows comes first", () => {
    const { pool, unsure } = threeBlobs();
    const firstOfC = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      const selection = clusterMargin(pool, optionsFor(pool, { batchSize: 6, clusterMarginClusters: 3, clusterMarginCandidates: 6, rng: new Rng(seed) }));
      firstOfC.add(selection.rows[2]!);
      expect(Array.from(selection.rows).sort((a, b) => a - b)).toEqual([3, 12, 15, 21, 24, 27]);
    }
    expect([...firstOfC].sort((a, b) => a - b)).toEqual(unsure.C);
  });

  test("roundRobin() orders clusters by candidate count, ties to the lower cluster id, one row per cluster per round", () => {
    // Cluster 2 holds 1 candidate, clusters 0 and 3 two each, cluster 1 three; cluster 4 none.
    const candidates = Uint32Array.from([10, 11, 12, 13, 14, 15, 16, 17]);
    const clusterOf = Int32Array.from([1, 0, 3, 1, 2, 0, 3, 1]);
    const { rows, rounds, clustersWithCandidates } = roundRobin(candidates, clusterOf, 5, 8, new Rng(1));
    const clusterOfRow = (r: number) => clusterOf[candidates.indexOf(r)]!;
    // Round 1: 2, 0, 3, 1; round 2: 0, 3, 1; round 3: 1.
    expect(Array.from(rows, clusterOfRow)).toEqual([2, 0, 3, 1, 0, 3, 1, 1]);
    expect(rounds).toBe(3);
    expect(clustersWithCandidates).toBe(4);
    expect(Array.from(rows).sort((a, b) => a - b)).toEqual(Array.from(candidates));
    // A smaller count stops mid-round.
    expect(Array.from(roundRobin(candidates, clusterOf, 5, 3, new Rng(1)).rows, clusterOfRow)).toEqual([2, 0, 3]);
  });
});

describe("cluster_margin candidates", () => {
  test("only the CLUSTER_MARGIN_CANDIDATES least certain selectable rows can be selected", () => {
    const pool = mixedPool(600, 8);
    const margin = uncertaintyScores(pool.probs, pool.classes, "margin");
    const selectable = new Uint8Array(pool.size).fill(1);
    for (let i = 0; i < pool.size; i += 7) selectable[i] = 0;
    const ranked = Array.from({ length: pool.size }, (_, i) => i).filter((i) => selectable[i])
      .sort((a, b) => margin[b]! - margin[a]! || a - b);
    const selection = clusterMargin(pool, optionsFor(pool, { batchSize: 20, clusterMarginCandidates: 45, selectable }));
    const allowed = new Set(ranked.slice(0, 45));
    expect(selection.rows.length).toBe(20);
    for (const r of selection.rows) expect(allowed.has(r)).toBe(true);
    expect(selection.details.candidates).toBe(45);
    // With as many candidates as the batch, the batch is exactly the least certain rows.
    const exact = clusterMargin(pool, optionsFor(pool, { batchSize: 20, clusterMarginCandidates: 20, selectable }));
    expect(Array.from(exact.rows).sort((a, b) => a - b)).toEqual(ranked.slice(0, 20).sort((a, b) => a - b));
  });

  test("the default is 10 × BATCH_SIZE candidates and min(BATCH_SIZE, ⌈√N⌉) clusters", () => {
    const pool = mixedPool(900, 6);
    const selection = clusterMargin(pool, optionsFor(pool, { batchSize: 12 }));
    expect(selection.details).toMatchObject({ candidates: 120, clusters: 12 });
    expect(defaultClusters(900, 12)).toBe(12);
    expect(defaultClusters(1_000_000, 100_000)).toBe(1000);
    expect(defaultClusters(1_000_001, 5000)).toBe(1001);
    expect(defaultClusters(1, 1)).toBe(1);
  });

  test("a batch larger than the candidates selects every candidate and says why in a warning", () => {
    const pool = mixedPool(300, 4);
    const selection = clusterMargin(pool, optionsFor(pool, { batchSize: 10, clusterMarginCandidates: 4 }));
    expect(selection.rows.length).toBe(4);
    expect(new Set(selection.rows).size).toBe(4);
    expect(selection.warnings.join("\n")).toMatch(/CLUSTER_MARGIN_CANDIDATES=4 is smaller than BATCH_SIZE=10/);
  });

  test("more clusters than rows are capped at the pool size with a warning", () => {
    const { pool } = threeBlobs();
    const selection = clusterMargin(pool, optionsFor(pool, { batchSize: 4, clusterMarginClusters: 50 }));
    expect(selection.details.clusters).toBe(30);
    expect(selection.rows.length).toBe(4);
    expect(selection.warnings.join("\n")).toMatch(/CLUSTER_MARGIN_CLUSTERS=50 is more than the 30 pool rows/);
  });
});

describe("cluster_margin soundness and reproducibility", () => {
  test("returns BATCH_SIZE distinct selectable rows, also on identical rows and with excluded rows", () => {
    const pool = mixedPool(500, 6);
    const selectable = new Uint8Array(pool.size).fill(1);
    for (let i = 0; i < pool.size; i += 3) selectable[i] = 0;
    for (const batchSize of [1, 7, 50, 200]) {
      const selection = clusterMargin(pool, optionsFor(pool, { batchSize, selectable }));
      expect(selection.rows.length).toBe(batchSize);
      expect(new Set(selection.rows).size).toBe(batchSize);
      for (const r of selection.rows) expect(selectable[r]).toBe(1);
      for (const s of selection.scores) expect(Number.isFinite(s)).toBe(true);
    }
    const same = poolOf(probabilityRows(40, 3, 9), 3, { data: new Float32Array(40 * 3).fill(2), rows: 40, cols: 3 });
    const selection = clusterMargin(same, optionsFor(same, { batchSize: 25, clusterMarginClusters: 6 }));
    expect(new Set(selection.rows).size).toBe(25);
  });

  test("the same seed gives the same selection; another seed another order", () => {
    const pool = mixedPool(2000, 10);
    const run = (seed: number) => Array.from(clusterMargin(pool, optionsFor(pool, { batchSize: 40, rng: new Rng(seed) })).rows);
    expect(run(7)).toEqual(run(7));
    expect(run(8)).not.toEqual(run(7));
  });

  test("no selectable rows gives an empty selection", () => {
    const pool = mixedPool(50, 3);
    const selection = clusterMargin(pool, optionsFor(pool, { batchSize: 0, selectable: new Uint8Array(50) }));
    expect(selection.rows.length).toBe(0);
  });
});

describe.skipIf(openblas.blas === null)("cluster_margin on the OpenBLAS and TypeScript backends", () => {
  const blas = openblas.blas as Blas;
  test("nearestCentroids() agrees on every backend, ties (a repeated centroid, rows on the midpoint) to the lower centroid", () => {
    const pool = mixedPool(3000, 12, false, 13);
    const points = pool.vectors!;
    const k = 40, dim = 12;
    const data = allocVectors(false, k * dim);
    for (let c = 0; c < k; c++) data.set(points.data.subarray(c * 70 * dim, (c * 70 + 1) * dim), c * dim);
    data.copyWithin(25 * dim, 7 * dim, 8 * dim); // centroid 25 repeats centroid 7
    const centroids = { data, rows: k, cols: dim };
    const typescript = nearestCentroids(points, centroids, typescriptBlas);
    expect(Array.from(nearestCentroids(points, centroids, blas))).toEqual(Array.from(typescript));
    expect(typescript.includes(25)).toBe(false);
    expect(typescript.filter((c) => c === 7).length).toBeGreaterThan(0);
    // A row exactly between two centroids goes to the lower one.
    const between = { data: Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), rows: 1, cols: 12 };
    const pair = { data: Float32Array.from([...new Array(12).fill(0).map((_, j) => (j === 0 ? 2 : 0)), ...new Array(12).fill(0)]), rows: 2, cols: 12 };
    expect(Array.from(nearestCentroids(between, pair, blas))).toEqual([0]);
    expect(Array.from(nearestCentroids(between, pair, typescriptBlas))).toEqual([0]);
  });

  for (const float64 of [false, true]) {
    test(`selects the same rows on both backends (${float64 ? "float64" : "float32"} vectors, near-ties included)`, () => {
      const pool = mixedPool(6000, 24, float64, 11);
      for (const overrides of [{ batchSize: 60 }, { batchSize: 300, clusterMarginClusters: 150 }, { batchSize: 500, clusterMarginCandidates: 6000 }]) {
        const typescript = clusterMargin(pool, optionsFor(pool, { ...overrides, blas: typescriptBlas, rng: new Rng(3) }));
        const native = clusterMargin(pool, optionsFor(pool, { ...overrides, blas, rng: new Rng(3) }));
        expect(Array.from(native.rows)).toEqual(Array.from(typescript.rows));
        expect(native.details.lloydIterations).toBe(typescript.details.lloydIterations);
      }
    }, 60_000);
  }

  test("fitKMeans() gives bit-identical centroids and assignRows() identical clusters on both backends", () => {
    const pool = mixedPool(5000, 16, false, 12);
    const points = pool.vectors!;
    const fitTs = fitKMeans(points, 64, { blas: typescriptBlas, rng: new Rng(9), sampleSize: 2048 });
    const fitNative = fitKMeans(points, 64, { blas, rng: new Rng(9), sampleSize: 2048 });
    expect(Buffer.from(fitNative.centroids.data.buffer, fitNative.centroids.data.byteOffset, fitNative.centroids.data.byteLength)
      .equals(Buffer.from(fitTs.centroids.data.buffer, fitTs.centroids.data.byteOffset, fitTs.centroids.data.byteLength))).toBe(true);
    const all = Uint32Array.from({ length: points.rows }, (_, i) => i);
    expect(Array.from(assignRows(points, all, fitNative.centroids, blas))).toEqual(Array.from(assignRows(points, all, fitTs.centroids, typescriptBlas)));
  }, 60_000);
});
if (openblas.blas === null) console.log(`skipped cluster_margin cross-backend tests: ${openblas.skipReason}`);

describe("cluster_margin end to end", () => {
  test("main() selects the round-robin rows, writes margin scores and records the parameters and details", async () => {
    const { pool } = threeBlobs();
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), poolCsv(pool.probs, 2, pool.vectors));
    const output = join(tempDir(), "out");
    const result = await main({}, {}, { CLUSTER_MARGIN_CANDIDATES: "6" },
      ["--input", input, "--output", output, "--no-save-report", "--strategy", "cluster_margin", "--batch-size", "5", "--cluster-margin-clusters", "3"]);
    expect(result.error).toBeNull();
    expect(result.exitCode).toBe(0);
    const [header, ...lines] = readFileSync(join(output, "selected_samples.csv"), "utf8").trimEnd().split("\n");
    const names = header!.split(",");
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i], v])));
    expect(rows).toHaveLength(5);
    const ids = rows.map((r) => Number(r.id!.slice(1)));
    expect(ids[0]).toBe(3);
    expect([12, 15]).toContain(ids[1]!);
    expect([21, 24, 27]).toContain(ids[2]!);
    expect(rows.map((r) => r.selection_rank)).toEqual(["1", "2", "3", "4", "5"]);
    expect(Number(rows[0]!.selection_score)).toBe(1);
    const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    expect(metadata.strategy).toBe("cluster_margin");
    expect(metadata.use_case).toBe("active_learning");
    expect(metadata.parameters.CLUSTER_MARGIN_CANDIDATES).toEqual({ value: 6, source: "env" });
    expect(metadata.parameters.CLUSTER_MARGIN_CLUSTERS).toEqual({ value: 3, source: "flag" });
    expect(metadata.strategy_details).toMatchObject({ clusters: 3, candidates: 6, clustersUsed: 3 });
    for (const phase of ["candidates", "sample", "seeding", "lloyd", "assignCandidates", "roundRobin"]) {
      expect(typeof metadata.strategy_details.seconds[phase]).toBe("number");
    }
    expect(metadata.selection_score).toContain("margin");
  });

  test("cluster_margin needs vectors and says so", async () => {
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), "id,prob_class_0,prob_class_1\na,0.5,0.5\nb,0.9,0.1\n");
    const result = await main({}, {}, {}, ["--input", input, "--output", join(tempDir(), "out"), "--strategy", "cluster_margin"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.error?.message).toMatch(/needs vectors/);
  });
});

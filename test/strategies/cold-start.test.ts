/**
 * The first round, before any model: typicality, TypiClust, ProbCover, and pools with ids and
 * vectors only. Small cases are checked against values worked out by hand in the comments.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { allocVectors } from "../../src/engine/kernels/kernels.ts";
import { typicality } from "../../src/engine/typicality.ts";
import type { Matrix } from "../../src/matrix.ts";
import type { Pool } from "../../src/pool/pool.ts";
import { Rng } from "../../src/rng.ts";
import { main } from "../../src/run.ts";
import { probcover, purityDelta } from "../../src/strategies/probcover.ts";
import type { StrategyOptions } from "../../src/strategies/strategy.ts";
import { typiclust } from "../../src/strategies/typiclust.ts";
import { runBinary } from "../binary.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints, strategyOptionsFor, tempDir } from "../helpers.ts";

const backends = (await backendsUnderTest()).filter((b) => b.blas !== null);
const fastest = backends[backends.length - 1]!.blas!;

function matrix(rows: number[][]): Matrix {
  const data = allocVectors(false, rows.length * rows[0]!.length);
  rows.forEach((r, i) => data.set(r, i * r.length));
  return { data, rows: rows.length, cols: rows[0]!.length };
}

function vectorPool(vectors: Matrix): Pool {
  return { size: vectors.rows, probs: new Float64Array(0), classes: 0, vectors, plan: { classesRecorded: false, classNames: [] } } as unknown as Pool;
}

function optionsFor(pool: Pool, overrides: Partial<StrategyOptions> = {}): StrategyOptions {
  return strategyOptionsFor(pool.size, { batchSize: 2, ...overrides });
}

/**
 * Two groups 1,000 apart. A (rows 0-5): (0,0) (1,0) (0,2) (3,3) (-4,1) (6,-5). B (rows 6-12):
 * (1000,0) (1002,0) (1000,1) (1002,2) (1005,0) (997,-4) (1009,9). K = min(20, ⌊m/2⌋) = 3 in both.
 * A's most typical row is (1,0): nearest 1, √5, √13 → 3 / (1 + √5 + √13). B's is (1000,1):
 * nearest 1, √5, √5 → 3 / (1 + 2√5). (Every other row's mean is larger: see the list below.)
 */
const A = [[0, 0], [1, 0], [0, 2], [3, 3], [-4, 1], [6, -5]];
const B = [[1000, 0], [1002, 0], [1000, 1], [1002, 2], [1005, 0], [997, -4], [1009, 9]];
const twoGroups = () => matrix([...A, ...B]);

describe("typicality()", () => {
  test("is 1 / mean distance to the K nearest other members, worked by hand on four points of a line", () => {
    // 0: 1, 3 → 2;  1: 1, 2 → 1.5;  3: 2, 3 → 2.5;  7: 4, 6 → 5  (K = 2)
    const points = matrix([[0], [1], [3], [7]]);
    for (const { blas } of backends) {
      expect(Array.from(typicality(points, Uint32Array.of(0, 1, 2, 3), 2, blas!))).toEqual([1 / 2, 1 / 1.5, 1 / 2.5, 1 / 5]);
    }
  });

  test("measures only among the given members, and a lone member gets 0", () => {
    const points = matrix([[0], [1], [3], [7]]);
    // Among rows 2 and 3 only: each one's nearest is the other, 4 apart.
    expect(Array.from(typicality(points, Uint32Array.of(2, 3), 20, typescriptBlas))).toEqual([0.25, 0.25]);
    expect(Array.from(typicality(points, Uint32Array.of(1), 20, typescriptBlas))).toEqual([0]);
  });

  // With one backend this compares it with itself: a skip, which CI refuses.
  test.skipIf(backends.length < 2)("gives the same numbers with the GEMM screen (OpenBLAS) as with every pair measured exactly", () => {
    const points = clusteredPoints(700, 9, 3, 11);
    for (let i = 30; i < 700; i += 30) points.data.copyWithin(i * 9, (i - 1) * 9, i * 9); // exact ties
    const members = Uint32Array.from({ length: 600 }, (_, i) => i + 50);
    const exact = typicality(points, members, 20, typescriptBlas);
    expect(exact.every((t) => t > 0)).toBe(true);
    for (const { blas } of backends) expect(typicality(points, members, 20, blas!)).toEqual(exact);
  });
});

describe("typiclust", () => {
  test("takes the most typical row of the larger cluster first, then of the other", () => {
    const pool = vectorPool(twoGroups());
    for (const { blas } of backends) {
      const s = typiclust(pool, optionsFor(pool, { blas: blas! }));
      expect(Array.from(s.rows)).toEqual([8, 1]);
      expect(s.scores[0]).toBeCloseTo(3 / (1 + 2 * Math.sqrt(5)), 12);
      expect(s.scores[1]).toBeCloseTo(3 / (1 + Math.sqrt(5) + Math.sqrt(13)), 12);
      expect(s.details.clusters).toBe(2);
      expect(s.details.uncoveredClusters).toBe(2);
    }
  });

  test("skips a cluster that holds a labelled row", () => {
    const pool = vectorPool(twoGroups());
    const labeled = { ids: ["L"], vectors: matrix([[1001, 1]]), leaves: null };
    // k = 1 + 1 = 2 clusters; B holds the labelled row, so the one pick comes from A.
    const s = typiclust(pool, optionsFor(pool, { batchSize: 1, labeled }));
    expect(Array.from(s.rows)).toEqual([1]);
    expect(s.details.uncoveredClusters).toBe(1);
  });

  test("a pool row that may not be selected counts as labelled, and is never picked", () => {
    const pool = vectorPool(twoGroups());
    const selectable = new Uint8Array(pool.size).fill(1);
    selectable[8] = 0; // B's most typical row is already labelled
    const s = typiclust(pool, optionsFor(pool, { batchSize: 1, selectable }));
    expect(Array.from(s.rows)).toEqual([1]);
  });

  test("goes round the clusters again when the batch is larger than the clusters with rows left", () => {
    const pool = vectorPool(matrix([[0, 0], [1, 0], [0, 1], [50, 50]]));
    const s = typiclust(pool, optionsFor(pool, { batchSize: 4 }));
    expect([...s.rows].sort()).toEqual([0, 1, 2, 3]);
  });

  test("same input and seed, same selection; another seed may differ but stays sound", () => {
    const points = clusteredPoints(3000, 8, 12, 3);
    const pool = vectorPool(points);
    const first = typiclust(pool, optionsFor(pool, { batchSize: 40, blas: fastest, rng: new Rng(7) }));
    const again = typiclust(pool, optionsFor(pool, { batchSize: 40, blas: fastest, rng: new Rng(7) }));
    expect(again.rows).toEqual(first.rows);
    expect(new Set(first.rows).size).toBe(40);
    for (const { blas } of backends) expect(typiclust(pool, optionsFor(pool, { batchSize: 40, blas: blas!, rng: new Rng(7) })).rows).toEqual(first.rows);
  });

  test("runs on a pool whose N×N distance matrix could not fit in memory (100,000 rows: 40 GB as float32)", () => {
    const points = clusteredPoints(100_000, 4, 50, 9);
    const data = allocVectors(false, points.data.length);
    data.set(points.data);
    const pool = vectorPool({ data, rows: 100_000, cols: 4 });
    const s = typiclust(pool, optionsFor(pool, { batchSize: 200, blas: fastest }));
    expect(new Set(s.rows).size).toBe(200);
    expect(s.details.clusters).toBe(200);
  }, 120_000);
});

describe("probcover", () => {
  /**
   * A line: 0, 0.5, 1, 1.4, 5, 5.3, 10 with δ = 1. Balls: 0 → {0, .5, 1} (3), 0.5 → {0, .5, 1, 1.4} (4),
   * 1 → {0, .5, 1, 1.4} (4), 1.4 → {.5, 1, 1.4} (3), 5 → {5, 5.3}, 5.3 → {5, 5.3}, 10 → {10}.
   * Greedy: 0.5 (row 1, 4 new; ties with row 2 go to the first id), then 5 (row 4, 2 new), then
   * 10 (row 6, 1 new): every row covered after three picks.
   */
  const line = () => matrix([[0], [0.5], [1], [1.4], [5], [5.3], [10]]);

  test("greedy maximum coverage of δ-balls, worked by hand on a line", () => {
    const pool = vectorPool(line());
    for (const { blas } of backends) {
      const s = probcover(pool, optionsFor(pool, { batchSize: 3, probcoverDelta: 1, blas: blas! }));
      expect(Array.from(s.rows)).toEqual([1, 4, 6]);
      expect(Array.from(s.scores)).toEqual([4, 2, 1]);
      expect(s.details.coveredShare).toBe(1);
      expect(s.details.ballEdges).toBe(3 + 4 + 4 + 3 + 2 + 2 + 1);
    }
  });

  test("after full coverage the batch is filled at random, said in a warning and the metadata", () => {
    const pool = vectorPool(line());
    const s = probcover(pool, optionsFor(pool, { batchSize: 5, probcoverDelta: 1 }));
    expect(Array.from(s.rows.slice(0, 3))).toEqual([1, 4, 6]);
    expect(new Set(s.rows).size).toBe(5);
    expect(Array.from(s.scores.slice(3))).toEqual([0, 0]);
    expect(s.details.fullCoverageAfterPicks).toBe(3);
    expect(s.warnings[0]).toContain("after 3 picks");
  });

  test("labelled rows cover their balls before the first pick", () => {
    const pool = vectorPool(line());
    // A labelled row at 5.1 covers 5 and 5.3: the picks are 0.5 (4 new) and 10 (1 new).
    const labeled = { ids: ["L"], vectors: matrix([[5.1]]), leaves: null };
    const s = probcover(pool, optionsFor(pool, { batchSize: 2, probcoverDelta: 1, labeled }));
    expect(Array.from(s.rows)).toEqual([1, 6]);
    expect(s.details.coveredByLabelledRows).toBe(2);
  });

  test("δ by purity: the largest radius that keeps the target share of balls inside one cluster", () => {
    // 20 distances to the nearest other-cluster row, 1..20: at 0.95, one may be ≤ δ → δ = 1, purity 19/20.
    expect(purityDelta(Float64Array.from({ length: 20 }, (_, i) => 20 - i), 0.95)).toEqual({ delta: 1, purity: 0.95 });
    // At 0.9, two may be ≤ δ → δ = 2.
    expect(purityDelta(Float64Array.from({ length: 20 }, (_, i) => i + 1), 0.9)).toEqual({ delta: 2, purity: 0.9 });
    // Ties: 3, 3, 5, … at 0.95 (one allowed): no measured distance keeps the target; δ falls just below 3.
    const tied = purityDelta(Float64Array.from([3, 3, ...Array.from({ length: 18 }, (_, i) => 5 + i)]), 0.95);
    expect(tied.delta).toBeLessThan(3);
    expect(tied.delta).toBeGreaterThan(2.999999);
    expect(tied.purity).toBe(1);
  });

  test("chooses δ from purity on two far groups: below the gap between them, so no ball crosses it", () => {
    // 1-d groups 0..9 and 100..109 (purity clusters: 2). Nearest other-cluster distances are
    // 91..100 for each group; 1 of 20 may be ≤ δ, and 91 occurs twice → δ just below 91.
    const pool = vectorPool(matrix([...Array.from({ length: 10 }, (_, i) => [i]), ...Array.from({ length: 10 }, (_, i) => [100 + i])]));
    const s = probcover(pool, optionsFor(pool, { batchSize: 2, probcoverClusters: 2 }));
    expect(s.details.delta).toBeLessThan(91);
    expect(s.details.delta).toBeGreaterThan(90.99);
    expect(s.details.purityAtDelta).toBe(1);
    // Each ball spans its own group only (every row within 9 of its group): one pick per group.
    expect(Array.from(s.scores)).toEqual([10, 10]);
  });

  test("identical rows leave no purity radius: δ = 0 (balls of exact duplicates), with a warning", () => {
    const pool = vectorPool(matrix(Array.from({ length: 6 }, () => [2, 3])));
    const s = probcover(pool, optionsFor(pool, { batchSize: 2 }));
    expect(s.scores[0]).toBe(6); // one ball holds all six copies
    expect(new Set(s.rows).size).toBe(2);
    expect(s.details.delta).toBe(0);
    expect(s.warnings.join(" ")).toContain("δ = 0");
  });

  // With one backend this compares it with itself: a skip, which CI refuses.
  test.skipIf(backends.length < 2)("same rows on every backend and for the same seed; runs where N×N could not fit (100,000 rows)", () => {
    const points = clusteredPoints(100_000, 4, 40, 13);
    const data = allocVectors(false, points.data.length);
    data.set(points.data);
    const pool = vectorPool({ data, rows: 100_000, cols: 4 });
    const runs = backends.map(({ blas }) => probcover(pool, optionsFor(pool, { batchSize: 50, blas: blas!, rng: new Rng(3), probcoverDelta: 0.3 })));
    for (const r of runs) expect(r.rows).toEqual(runs[0]!.rows);
    expect(new Set(runs[0]!.rows).size).toBe(50);
    expect(runs[0]!.scores[0]).toBeGreaterThan(3);
    expect(runs[0]!.details.distanceEvaluations as number).toBeLessThan(100_000 * 100_000 / 100);
  }, 120_000);

  test("a radius so large that the balls would hold most of the pool is refused, naming PROBCOVER_DELTA", () => {
    const points = clusteredPoints(30_000, 2, 1, 13);
    const pool = vectorPool(points);
    expect(() => probcover(pool, optionsFor(pool, { probcoverDelta: 100 }))).toThrow(/PROBCOVER_DELTA lower/);
  }, 120_000);
});

describe("a pool of ids and vectors only, through main()", () => {
  function embeddingsOnly(n = 400): string {
    const points = clusteredPoints(n, 6, 5, 21);
    const dir = tempDir();
    const lines = ["id," + Array.from({ length: 6 }, (_, j) => `emb_${j}`).join(",")];
    for (let i = 0; i < n; i++) lines.push(`e${i},` + Array.from(points.data.subarray(i * 6, (i + 1) * 6)).join(","));
    writeFileSync(join(dir, "pool.csv"), lines.join("\n") + "\n");
    return dir;
  }
  const input = embeddingsOnly();

  for (const strategy of ["typiclust", "probcover", "diversity"]) {
    test(`${strategy} selects from it, with the report, and records no scores`, async () => {
      const output = tempDir();
      const result = await main({}, {}, {}, ["--input", input, "--output", output, "--strategy", strategy, "--batch-size", "12"]);
      expect(result.error?.message ?? null).toBeNull();
      const rows = readFileSync(join(output, "selected_samples.csv"), "utf8").trimEnd().split("\n");
      expect(rows).toHaveLength(13);
      const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
      expect(metadata.score_columns).toEqual([]);
      expect(metadata.class_distribution).toBeNull();
      expect(readFileSync(join(output, "selection_report.html"), "utf8")).toContain("no probability columns");
    });
  }

  test("typiclust on exact duplicates (typicality infinite, scored as the largest double) writes its selection and report", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "pool.csv"), "id,emb_0,emb_1\na,1,1\nb,1,1\nc,2,2\nd,2,2\n");
    const output = tempDir();
    const result = await main({}, {}, {}, ["--input", dir, "--output", output, "--strategy", "typiclust", "--batch-size", "3"]);
    expect(result.error?.message ?? null).toBeNull();
    const rows = readFileSync(join(output, "selected_samples.csv"), "utf8").trimEnd().split("\n").slice(1);
    expect(rows.map((r) => r.split(",").at(-2))).toEqual([String(Number.MAX_VALUE), String(Number.MAX_VALUE), "0.0"]);
    expect(readFileSync(join(output, "selection_report.html"), "utf8")).toContain("</html>");
  });

  test("hybrid with only a diversity objective selects from it", async () => {
    const result = await main({}, {}, {}, ["--input", input, "--output", tempDir(), "--strategy", "hybrid", "--batch-size", "5",
      "--config", JSON.stringify({ objectives: [{ type: "diversity" }] })]);
    expect(result.error?.message ?? null).toBeNull();
  });

  for (const [args, expected] of [
    [["--strategy", "uncertainty"], /uncertainty ranks rows by model scores.*no score columns found.*use diversity, .*typiclust, probcover/],
    [["--strategy", "hybrid", "--config", JSON.stringify({ objectives: [{ type: "uncertainty" }, { type: "diversity" }] })], /SELECTION_CONFIG filters on or rewards model scores/],
    [["--strategy", "diversity", "--class-balance", "uniform"], /class balance over the predicted class needs scores.*BALANCE_COLUMN/],
  ] as [string[], RegExp][]) {
    test(`${args.slice(0, 2).join(" ")}${args.length > 2 ? " …" : ""} is refused with the reason and exit 3, writing nothing`, async () => {
      const output = join(tempDir(), "out");
      const result = await main({}, {}, {}, ["--input", input, "--output", output, "--batch-size", "5", ...args]);
      expect(result.exitCode).toBe(3);
      expect(result.error!.message).toMatch(expected);
      expect(result.outputs).toEqual([]);
    });
  }

  for (const strategy of ["typiclust", "probcover"]) {
    test(`${strategy} on several hosts is a usage error naming why (no merge rule)`, async () => {
      const result = await main({}, {}, {}, ["--input", input, "--output", tempDir(), "--strategy", strategy, "--batch-size", "5", "--hosts", "algo-1,algo-2", "--host", "algo-1"]);
      expect(result.exitCode).toBe(2);
      expect(result.error!.message).toMatch(new RegExp(`STRATEGY=${strategy} cannot run on several hosts: none: a multi-host run is refused; ${strategy} `));
    });
  }

  test("inspect lists which strategies the channel allows", async () => {
    let out = "";
    const result = await main({}, {}, {}, ["inspect", "--input", input], { stdout: { write: (s: string) => { out += s; }, isTTY: false }, stderr: { write() {}, isTTY: false } });
    expect(result.exitCode).toBe(0);
    expect(out).toMatch(/✓ typiclust/);
    expect(out).toMatch(/✓ probcover/);
    expect(out).toMatch(/✓ diversity/);
    expect(out).toMatch(/✗ uncertainty +active_learning +needs score columns/);
    expect(out).toMatch(/score columns: none/);
  });
});

describe("the cold start through the compiled binary", () => {
  const input = (() => {
    const points = clusteredPoints(300, 5, 4, 31);
    const dir = tempDir();
    const lines = ["id," + Array.from({ length: 5 }, (_, j) => `emb_${j}`).join(",")];
    for (let i = 0; i < 300; i++) lines.push(`v${i},` + Array.from(points.data.subarray(i * 5, (i + 1) * 5)).join(","));
    writeFileSync(join(dir, "pool.csv"), lines.join("\n") + "\n");
    return dir;
  })();

  test("typiclust and probcover select from a pool of ids and vectors, as in process", async () => {
    for (const strategy of ["typiclust", "probcover"]) {
      const output = join(tempDir(), "out");
      const run = runBinary(["--input", input, "--output", output, "--batch-size", "10", "--no-save-report"], { STRATEGY: strategy });
      expect({ strategy, exit: run.exitCode, stderr: run.exitCode === 0 ? "" : run.stderr }).toEqual({ strategy, exit: 0, stderr: "" });
      const inProcess = join(tempDir(), "out");
      await main({}, {}, { STRATEGY: strategy }, ["--input", input, "--output", inProcess, "--batch-size", "10", "--no-save-report"]);
      expect(readFileSync(join(output, "selected_samples.csv"), "utf8")).toBe(readFileSync(join(inProcess, "selected_samples.csv"), "utf8"));
    }
  }, 120_000);

  test("a score strategy on that pool exits 3 naming the vector-only strategies; hybrid similarity reads --query", () => {
    const refused = runBinary(["--input", input, "--output", join(tempDir(), "o"), "--strategy", "uncertainty"]);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain("Without scores use diversity");
    const query = tempDir();
    writeFileSync(join(query, "q.csv"), "emb_0,emb_1,emb_2,emb_3,emb_4\n1,2,3,4,5\n");
    const output = join(tempDir(), "out");
    const run = runBinary(["--input", input, "--output", output, "--query", query, "--strategy", "hybrid", "--batch-size", "3",
      "--config", JSON.stringify({ objectives: [{ type: "similarity" }] }), "--no-save-report"]);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")).strategy_details.objectives).toBe("similarity^1");
  }, 120_000);
});

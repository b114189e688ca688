/**
 * Strategies read the pool and never change it: the locality order (engine/locality.ts) works
 * on a private copy, so the pool's vectors stay in file order for the report and later steps.
 */
import { describe, expect, test } from "bun:test";
import { allocVectors } from "../../src/engine/kernels/kernels.ts";
import { predictions } from "../../src/engine/uncertainty.ts";
import type { Pool } from "../../src/pool/pool.ts";
import { Rng } from "../../src/rng.ts";
import { badge } from "../../src/strategies/badge.ts";
import { diversity } from "../../src/strategies/diversity.ts";
import { hybrid } from "../../src/strategies/hybrid.ts";
import type { Selection, StrategyOptions } from "../../src/strategies/strategy.ts";
import { uncertainty } from "../../src/strategies/uncertainty.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints, probabilityRows } from "../helpers.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!.blas;

function poolOf(n: number, dim: number): Pool {
  const points = clusteredPoints(n, dim, 30, 4);
  const data = allocVectors(false, n * dim); // kernel memory, as the readers allocate
  data.set(points.data);
  const probs = probabilityRows(n, 3, 9);
  return { size: n, probs, classes: 3, ...predictions(probs, 3), vectors: { data, rows: n, cols: dim } } as unknown as Pool;
}

function optionsFor(pool: Pool, overrides: Partial<StrategyOptions>): StrategyOptions {
  return {
    batchSize: 40, confidenceThreshold: 0.9, maxSamples: 0, kPerClass: 1, uncertaintyMode: "margin",
    metric: "euclidean", minDistance: 0, blas: openblas!, rng: new Rng(42), labeled: null,
    selectable: new Uint8Array(pool.size).fill(1), describeRow: (r) => `row ${r + 1}`, tieBreak: (a, b) => a - b,
    balance: null, selectionConfig: null, rowWeights: null, ...overrides,
  };
}

const hybridConfig = { filters: [], objectives: [{ type: "uncertainty" as const, mode: "margin" as const, strength: 1 }, { type: "diversity" as const, strength: 1 }], classBalance: null };

describe.skipIf(openblas === null)("strategies leave the pool's vectors as they found them", () => {
  const cases: [string, (pool: Pool, options: StrategyOptions) => Selection, Partial<StrategyOptions>, number][] = [
    ["diversity", diversity, {}, 24_000],
    ["diversity (cosine)", diversity, { metric: "cosine" }, 24_000],
    ["hybrid", hybrid, { selectionConfig: hybridConfig }, 24_000],
    ["uncertainty with MIN_DISTANCE", uncertainty, { minDistance: 0.5 }, 24_000],
    ["badge", badge, {}, 200_000],
  ];
  for (const [name, strategy, overrides, rows] of cases) {
    test(`${name} on a pool large enough to be reordered for locality leaves pool.vectors as read, during the run and after`, () => {
      const pool = poolOf(rows, 4);
      const before = Buffer.from(pool.vectors!.data.slice().buffer);
      const unchanged = () => Buffer.from(pool.vectors!.data.buffer, pool.vectors!.data.byteOffset, pool.vectors!.data.byteLength).equals(before);
      let duringRun = null as boolean | null;
      const onProgress = (picked: number) => { if (picked === 1) duringRun = unchanged(); };
      const selection = strategy(pool, optionsFor(pool, { ...overrides, onProgress }));
      expect(selection.rows.length).toBe(40);
      if ("localityOrder" in selection.details) expect(selection.details.localityOrder).toBe(true);
      expect(duringRun).toBe(true);
      expect(unchanged()).toBe(true);
    }, 60_000);
  }
});

/**
 * The id-order pool's vectors as read (Pool.vectorsAsRead, strategies/id-order.ts): strategies
 * that copy rows into a locality order read them from the file-ordered matrix through the id
 * order, so the pool's own id-ordered copy (512 MB on 1M×128 rows) is never made. The
 * selection must be the one the same rows give when the file is already in id order.
 */
import { describe, expect, test } from "bun:test";
import { allocVectors } from "../../src/engine/kernels/kernels.ts";
import { setMinValuesPerPart, startThreads, stopThreads, threadStats } from "../../src/engine/kernels/threads.ts";
import { predictions } from "../../src/engine/uncertainty.ts";
import type { Pool } from "../../src/pool/pool.ts";
import { Rng } from "../../src/rng.ts";
import { badge } from "../../src/strategies/badge.ts";
import { diversity } from "../../src/strategies/diversity.ts";
import { hybrid } from "../../src/strategies/hybrid.ts";
import { runInIdOrder } from "../../src/strategies/id-order.ts";
import type { Selection, StrategyOptions } from "../../src/strategies/strategy.ts";
import { uncertainty } from "../../src/strategies/uncertainty.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints, probabilityRows } from "../helpers.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!.blas;

/** A pool of n rows whose row i has id number idOf[i] (ids sort as their numbers). */
function poolOf(n: number, dim: number, idOf: (row: number) => number, float64 = false): Pool {
  const points = clusteredPoints(n, dim, 30, 4), probs = probabilityRows(n, 3, 9);
  const data = allocVectors(float64, n * dim); // kernel memory, as the readers allocate
  const rowProbs = new Float64Array(n * 3);
  // Row i holds the values of generated row idOf[i]: the same rows, whatever the file order.
  for (let i = 0; i < n; i++) {
    data.set(points.data.subarray(idOf(i) * dim, (idOf(i) + 1) * dim), i * dim);
    rowProbs.set(probs.subarray(idOf(i) * 3, (idOf(i) + 1) * 3), i * 3);
  }
  const ids = Array.from({ length: n }, (_, i) => `r${String(idOf(i)).padStart(7, "0")}`);
  return { size: n, ids, probs: rowProbs, classes: 3, ...predictions(rowProbs, 3), vectors: { data, rows: n, cols: dim }, leaves: null, extra: new Map() } as unknown as Pool;
}

function optionsFor(pool: Pool, overrides: Partial<StrategyOptions>, excludedIds: (id: number) => boolean): StrategyOptions {
  return {
    batchSize: 40, confidenceThreshold: 0.9, maxSamples: 0, kPerClass: 1, uncertaintyMode: "margin",
    metric: "euclidean", minDistance: 0, blas: openblas!, rng: new Rng(42), labeled: null,
    selectable: Uint8Array.from(pool.ids, (id) => (excludedIds(Number(id.slice(1))) ? 0 : 1)), describeRow: (r) => `row ${r + 1}`,
    tieBreak: (a, b) => (pool.ids[a]! < pool.ids[b]! ? -1 : pool.ids[a]! > pool.ids[b]! ? 1 : a - b),
    balance: null, selectionConfig: null, rowWeights: null, ...overrides,
  };
}

/** Runs `strategy` as the job does, noting whether it read the id-order pool's `vectors` (which makes their copy). */
function run(strategy: (pool: Pool, options: StrategyOptions) => Selection, pool: Pool, options: StrategyOptions) {
  let copied = false;
  const watched = (p: Pool, o: StrategyOptions) => strategy(new Proxy(p, {
    get: (target, key) => { if (key === "vectors" && target.vectorsAsRead) copied = true; return Reflect.get(target, key); },
  }), o);
  const selection = runInIdOrder(watched, pool, options);
  return { ids: Array.from(selection.rows, (row) => pool.ids[row]!), scores: Array.from(selection.scores), details: selection.details, copied };
}

const hybridConfig = { filters: [], objectives: [{ type: "uncertainty" as const, mode: "margin" as const, strength: 1 }, { type: "diversity" as const, strength: 1 }], classBalance: null };

describe.skipIf(openblas === null)("a pool in another order than its ids selects as in id order, without a copy of its vectors in id order", () => {
  const none = () => false, somePerHundred = (id: number) => id % 97 === 5;
  // Wide rows (256 columns and more) are screened by projected bounds, fitted on a sample drawn in id order.
  const cases: [string, (pool: Pool, options: StrategyOptions) => Selection, Partial<StrategyOptions>, number, number, (id: number) => boolean, boolean?][] = [
    ["diversity, from the mean", diversity, {}, 24_000, 4, none],
    ["diversity on float64 rows (VECTOR_PRECISION=float64), from the mean", diversity, {}, 24_000, 4, none, true],
    ["diversity on wide float64 rows", diversity, {}, 24_000, 300, none, true],
    ["diversity, from excluded rows", diversity, {}, 24_000, 4, somePerHundred],
    ["diversity (cosine)", diversity, { metric: "cosine" }, 24_000, 4, none],
    ["diversity on wide rows", diversity, {}, 24_000, 300, none],
    ["diversity (cosine) on wide rows, from excluded rows", diversity, { metric: "cosine" }, 24_000, 300, somePerHundred],
    ["hybrid", hybrid, { selectionConfig: hybridConfig }, 24_000, 4, none],
    ["uncertainty with MIN_DISTANCE", uncertainty, { minDistance: 0.5 }, 24_000, 4, none],
    ["badge", badge, {}, 200_000, 4, none],
  ];
  for (const [name, strategy, overrides, rows, dim, excluded, float64 = false] of cases) {
    test(name, () => {
      // A shuffle: row i holds id shuffled[i].
      const rng = new Rng(7), shuffled = Uint32Array.from({ length: rows }, (_, i) => i);
      for (let i = rows - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]; }
      const inIdOrder = poolOf(rows, dim, (i) => i, float64), shuffledPool = poolOf(rows, dim, (i) => shuffled[i]!, float64);
      const asRead = Buffer.from(shuffledPool.vectors!.data.slice().buffer);
      const expected = run(strategy, inIdOrder, optionsFor(inIdOrder, overrides, excluded));
      const got = run(strategy, shuffledPool, optionsFor(shuffledPool, overrides, excluded));
      expect(got.ids).toEqual(expected.ids);
      expect(got.scores).toEqual(expected.scores);
      // The work too: the locality order is the one the rows in id order get.
      expect(got.details).toEqual(expected.details);
      expect(expected.ids.length).toBeGreaterThan(0);
      if ("localityOrder" in got.details) expect(got.details.localityOrder).toBe(true);
      if (dim > 256) expect(got.details.screeningStages).toBeDefined();
      expect(got.copied).toBe(false);
      // Read through the order, never rearranged (cosine normalises a copy of its own).
      expect(Buffer.from(shuffledPool.vectors!.data.buffer, shuffledPool.vectors!.data.byteOffset, shuffledPool.vectors!.data.byteLength).equals(asRead)).toBe(true);
    }, 120_000);
  }

  test("on two threads, the workers running their own products, narrow and wide rows select and work as in id order on one", async () => {
    const rows = 24_000, shuffled = Uint32Array.from({ length: rows }, (_, i) => (i * 7919) % rows);
    for (const dim of [4, 300]) {
      const inIdOrder = poolOf(rows, dim, (i) => i), shuffledPool = poolOf(rows, dim, (i) => shuffled[i]!);
      const expected = run(diversity, inIdOrder, optionsFor(inIdOrder, {}, none));
      const threshold = setMinValuesPerPart(0);
      try {
        expect(await startThreads(2, openblas)).toBeNull();
        const got = run(diversity, shuffledPool, optionsFor(shuffledPool, {}, none));
        expect(threadStats().splitScans).toBeGreaterThan(0);
        expect({ ids: got.ids, scores: got.scores, details: got.details, copied: got.copied }).toEqual({ ...expected, copied: false });
      } finally {
        setMinValuesPerPart(threshold);
        stopThreads();
      }
    }
  }, 120_000);

  test("cosine names a zero row by its file row, read through the id order", () => {
    const rows = 24_000, shuffled = Uint32Array.from({ length: rows }, (_, i) => (i * 7919) % rows);
    const pool = poolOf(rows, 4, (i) => shuffled[i]!);
    pool.vectors!.data.fill(0, 1234 * 4, 1235 * 4);
    const options = optionsFor(pool, { metric: "cosine", describeRow: (r) => `file row ${r + 1}` }, none);
    expect(() => run(diversity, pool, options)).toThrow("file row 1235: its vector is all zeros");
  });

  test("below the locality order's size the id-order copy is made, and the selection is the same", () => {
    const rows = 3_000, shuffled = Uint32Array.from({ length: rows }, (_, i) => (i * 7919) % rows);
    const inIdOrder = poolOf(rows, 4, (i) => i), shuffledPool = poolOf(rows, 4, (i) => shuffled[i]!);
    const expected = run(diversity, inIdOrder, optionsFor(inIdOrder, {}, none));
    const got = run(diversity, shuffledPool, optionsFor(shuffledPool, {}, none));
    expect(got.ids).toEqual(expected.ids);
    expect(got.copied).toBe(true);
  });
});

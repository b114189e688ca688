/** strategies/id-order.ts: the pool in id order for a strategy, its picks back in file rows. */
import { describe, expect, test } from "bun:test";
import type { Pool } from "../../src/pool/pool.ts";
import { idOrder, runInIdOrder } from "../../src/strategies/id-order.ts";
import type { Selection, StrategyOptions } from "../../src/strategies/strategy.ts";

/** A 4-row pool (ids c, a, d, b), one vector column equal to the file row, 2 classes. */
function pool(extra: Record<string, unknown> = {}): Pool {
  return {
    tables: [], tableStarts: [0], size: 4, ids: ["c", "a", "d", "b"], classes: 2,
    probs: Float64Array.of(0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4),
    predicted: Int32Array.of(0, 0, 0, 0), confidence: Float64Array.of(0.9, 0.8, 0.7, 0.6),
    vectors: { data: Float32Array.of(0, 1, 2, 3), rows: 4, cols: 1 }, leaves: null, extra: new Map(),
    ...extra,
  } as unknown as Pool;
}

const options = {
  selectable: Uint8Array.of(1, 0, 1, 1), balance: null, rowWeights: Float64Array.of(10, 11, 12, 13),
  tieBreak: (a: number, b: number) => a - b, describeRow: (row: number) => `file row ${row}`,
} as unknown as StrategyOptions;

describe("idOrder", () => {
  test("is null when the ids are already in order, else the rows by id (repeated ids in file order)", () => {
    expect(idOrder(["a", "b", "b", "c"])).toBeNull();
    expect(Array.from(idOrder(["c", "a", "d", "b"])!)).toEqual([1, 3, 0, 2]);
    expect(Array.from(idOrder(["b", "a", "b", "a"])!)).toEqual([1, 3, 0, 2]);
  });
});

describe("runInIdOrder", () => {
  test("the strategy sees every per-row array in id order, and its picks come back as file rows", () => {
    let seen: { ids: string[]; vectors: number[]; selectable: number[]; weights: number[]; confidence: number[]; described: string } | null = null;
    const strategy = (p: Pool, o: StrategyOptions): Selection => {
      seen = { ids: p.ids, vectors: Array.from(p.vectors!.data), selectable: Array.from(o.selectable), weights: Array.from(o.rowWeights!),
        confidence: Array.from(p.confidence), described: o.describeRow(0) };
      // Picks positions 0 and 3: ids a and d.
      return { rows: Uint32Array.of(0, 3), scores: Float64Array.of(1, 0.5), scoreMeaning: "", details: {}, warnings: [] };
    };
    const selection = runInIdOrder(strategy, pool(), options);
    expect(seen!).toEqual({ ids: ["a", "b", "c", "d"], vectors: [1, 3, 0, 2], selectable: [0, 1, 1, 1], weights: [11, 13, 10, 12],
      confidence: [0.8, 0.6, 0.9, 0.7], described: "file row 1" });
    expect(Array.from(selection.rows)).toEqual([1, 2]);
  });

  test("the per-row fields copied when first read (probs, classes, extra columns) are in id order too, read directly or spread", () => {
    let seen: unknown = null;
    const strategy = (p: Pool): Selection => {
      const spread = { ...p };
      seen = {
        probs: Array.from(p.probs), predicted: Array.from(p.predicted), weight: Array.from(p.extra.get("weight")!),
        spreadIds: spread.ids, spreadProbs: Array.from(spread.probs), again: p.ids === p.ids,
      };
      return { rows: Uint32Array.of(0), scores: Float64Array.of(1), scoreMeaning: "", details: {}, warnings: [] };
    };
    runInIdOrder(strategy, pool({ predicted: Int32Array.of(1, 0, 1, 0), extra: new Map([["weight", Float64Array.of(30, 10, 40, 20)]]) }), options);
    expect(seen).toEqual({
      probs: [0.8, 0.2, 0.6, 0.4, 0.9, 0.1, 0.7, 0.3], predicted: [0, 0, 1, 1], weight: [10, 20, 30, 40],
      spreadIds: ["a", "b", "c", "d"], spreadProbs: [0.8, 0.2, 0.6, 0.4, 0.9, 0.1, 0.7, 0.3], again: true,
    });
  });

  test("a pool read for scores alone runs as it is (ties by id need no copy)", () => {
    let same = false;
    const p = pool({ vectors: null });
    runInIdOrder((q) => { same = q === p; return { rows: new Uint32Array(0), scores: new Float64Array(0), scoreMeaning: "", details: {}, warnings: [] }; }, p, options);
    expect(same).toBe(true);
  });

  test("a per-row pool field it does not know is an internal error, not a silently misaligned column", () => {
    const strategy = () => ({ rows: new Uint32Array(0), scores: new Float64Array(0), scoreMeaning: "", details: {}, warnings: [] });
    expect(() => runInIdOrder(strategy, pool({ weightsPerRow: new Float64Array(4) }), options)).toThrow(/weightsPerRow/);
  });
});

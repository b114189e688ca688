/**
 * Rows that only shape the pool (StrategyOptions.labelledRows: neither selectable nor
 * labelled; simulate's unlabelled --input rows) do what the catalog's `poolShape` says:
 *
 *   - a strategy whose poolShape is null chooses the same rows with them as without them;
 *   - no strategy ever chooses one;
 *   - TypiClust and ProbCover move toward a dense region of them, and treat them differently
 *     from labelled rows at the same place (which cover that region instead).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join as joinPath } from "node:path";
import { withPoolShapeTable } from "../../scripts/readme-strategies.ts";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { allocVectors } from "../../src/engine/kernels/kernels.ts";
import { predictions } from "../../src/engine/uncertainty.ts";
import type { Matrix } from "../../src/matrix.ts";
import type { Pool } from "../../src/pool/pool.ts";
import { Rng } from "../../src/rng.ts";
import { STRATEGIES, STRATEGY_NAMES } from "../../src/strategies/catalog.ts";
import { parseSelectionConfig } from "../../src/strategies/selection-config.ts";
import type { StrategyOptions } from "../../src/strategies/strategy.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { probabilityRows, strategyOptionsFor } from "../helpers.ts";

const backends = (await backendsUnderTest()).filter((b) => b.blas !== null);
const CLASSES = 3, DIM = 4, TREES = 3;

interface Rows { vectors: number[][]; probs: Float64Array; leaves: number[][] }

function pool(rows: Rows): Pool {
  const n = rows.vectors.length, dim = rows.vectors[0]!.length;
  const data = allocVectors(false, n * dim);
  rows.vectors.forEach((v, i) => data.set(v, i * dim));
  const classNames = Array.from({ length: CLASSES }, (_, c) => String(c));
  return {
    tables: [], tableStarts: [0], size: n, ids: Array.from({ length: n }, (_, i) => `r${String(i).padStart(4, "0")}`),
    classes: CLASSES, probs: rows.probs, ...predictions(rows.probs, CLASSES),
    plan: { id: "id", scoreColumns: classNames.map((c) => `prob_class_${c}`), scoreKind: "probabilities", classNames, scoreClass: 1, labelColumn: null,
      classesRecorded: true, scoreReason: "", vectorColumns: [], vectorReason: "", leafColumns: [] },
    vectors: { data, rows: n, cols: dim } as Matrix,
    leaves: { data: Int32Array.from(rows.leaves.flat()), trees: TREES },
    extra: new Map(), normalisation: { softmaxRows: 0, renormalisedRows: 0, description: "" },
  } as Pool;
}

function randomRows(n: number, seed: number, offset = 0): Rows {
  const rng = new Rng(seed);
  return {
    vectors: Array.from({ length: n }, () => Array.from({ length: DIM }, () => offset + rng.nextGaussian() * 3)),
    probs: probabilityRows(n, CLASSES, seed + 1),
    leaves: Array.from({ length: n }, () => Array.from({ length: TREES }, () => rng.nextInt(5))),
  };
}

function join(a: Rows, b: Rows): Rows {
  const probs = new Float64Array(a.probs.length + b.probs.length);
  probs.set(a.probs); probs.set(b.probs, a.probs.length);
  return { vectors: [...a.vectors, ...b.vectors], probs, leaves: [...a.leaves, ...b.leaves] };
}

/** Options for a strategy on a pool of `base` rows (the first `labelled` of them labelled) followed by `shaping` rows. */
function optionsFor(strategy: string, base: number, labelled: number, shaping: number, overrides: Partial<StrategyOptions> = {}): StrategyOptions {
  const n = base + shaping;
  const selectable = Uint8Array.from({ length: n }, (_, i) => (i >= labelled && i < base ? 1 : 0));
  const labelledRows = Uint8Array.from({ length: n }, (_, i) => (i < labelled ? 1 : 0));
  return strategyOptionsFor(n, {
    batchSize: 6, selectable, labelledRows, rng: new Rng(7), kPerClass: 2, confidenceThreshold: 0.5,
    selectionConfig: strategy === "hybrid" ? parseSelectionConfig(HYBRID_CONFIGS[0]!) : null,
    ...overrides,
  });
}

const HYBRID_CONFIGS = [
  '{"objectives": [{"type": "uncertainty", "mode": "margin"}, {"type": "diversity"}]}',
  '{"objectives": [{"type": "uncertainty", "mode": "margin"}, {"type": "typicality"}]}',
];

describe("rows that only shape the pool", () => {
  const base = randomRows(60, 3);
  // Unlabelled rows over the same space and a dense clump off to one side.
  const shaping = join(randomRows(80, 5), randomRows(80, 9, 4));
  const shaped = pool(join(base, shaping));
  const plain = pool(base);

  for (const name of STRATEGY_NAMES) {
    const configs = name === "hybrid" ? HYBRID_CONFIGS : [null];
    for (const config of configs) {
      const selectionConfig = config ? parseSelectionConfig(config) : null;
      const shape = STRATEGIES[name]!.poolShape(selectionConfig);
      const label = `${name}${config ? ` ${config}` : ""}`;
      for (const { name: backend, blas } of backends) {
        test(`${label} (${backend}): ${shape === null ? "chooses the same rows with them as without them" : "never chooses one"}`, () => {
          const run = (p: Pool, shapingRows: number) => STRATEGIES[name]!.run(p, optionsFor(name, 60, 12, shapingRows, { blas: blas!, selectionConfig })).rows;
          const withShape = run(shaped, 160);
          expect(withShape.length).toBeGreaterThan(0);
          expect(Array.from(withShape).every((r) => r >= 12 && r < 60)).toBe(true);
          if (shape === null) expect(Array.from(withShape)).toEqual(Array.from(run(plain, 0)));
        });
        if (shape === null && STRATEGIES[name]!.minDistance === "vectors") {
          test(`${label} (${backend}) with MIN_DISTANCE: measured to the chosen and labelled rows only`, () => {
            const run = (p: Pool, shapingRows: number) => STRATEGIES[name]!.run(p, optionsFor(name, 60, 12, shapingRows, { blas: blas!, selectionConfig, minDistance: 4 })).rows;
            expect(Array.from(run(shaped, 160))).toEqual(Array.from(run(plain, 0)));
          });
        }
      }
    }
  }

  test("README's pool-shape table is the catalog's (else: bun scripts/readme-strategies.ts)", () => {
    const readme = readFileSync(joinPath(import.meta.dir, "../../README.md"), "utf8");
    expect(withPoolShapeTable(readme)).toBe(readme);
  });

  test("the strategies whose poolShape is not null say how (one place: the catalog)", () => {
    const shaping = STRATEGY_NAMES.filter((s) => STRATEGIES[s]!.poolShape(null) !== null).sort();
    expect(shaping).toEqual(["cluster_margin", "probcover", "typiclust"]);
    expect(STRATEGIES.hybrid!.poolShape(parseSelectionConfig(HYBRID_CONFIGS[1]!))).toContain("typicality");
  });
});

/**
 * Candidates in two groups: 30 near the origin (A) and 10 near (50, 0) (B). Alone, A is the
 * denser, larger region. 120 unlabelled rows around B make B the larger, denser one.
 */
function twoRegions(): { vectors: number[][]; a: number; b: number; shaping: number } {
  const rng = new Rng(21);
  const around = (x: number, spread: number) => [x + rng.nextGaussian() * spread, rng.nextGaussian() * spread];
  return {
    vectors: [...Array.from({ length: 30 }, () => around(0, 1)), ...Array.from({ length: 10 }, () => around(50, 1)), ...Array.from({ length: 120 }, () => around(50, 0.7))],
    a: 30, b: 10, shaping: 120,
  };
}

function regionPool(vectors: number[][]): Pool {
  const data = allocVectors(false, vectors.length * 2);
  vectors.forEach((v, i) => data.set(v, i * 2));
  return { size: vectors.length, probs: new Float64Array(0), classes: 0, vectors: { data, rows: vectors.length, cols: 2 }, plan: { classesRecorded: false, classNames: [] } } as unknown as Pool;
}

describe("TypiClust and ProbCover move toward a dense unlabelled region", () => {
  const { vectors, a, b, shaping } = twoRegions();
  const candidates = a + b;
  const inB = (row: number) => row >= a && row < candidates;
  /** kind of the 120 rows around B: absent, shaping the pool, or labelled. */
  const run = (strategy: string, kind: "absent" | "shaping" | "labelled", overrides: Partial<StrategyOptions>) => {
    const n = kind === "absent" ? candidates : candidates + shaping;
    const selectable = Uint8Array.from({ length: n }, (_, i) => (i < candidates ? 1 : 0));
    const labelledRows = Uint8Array.from({ length: n }, (_, i) => (i >= candidates && kind === "labelled" ? 1 : 0));
    return Array.from(STRATEGIES[strategy]!.run(regionPool(vectors.slice(0, n)), strategyOptionsFor(n, { selectable, labelledRows, rng: new Rng(3), ...overrides })).rows);
  };

  for (const { name: backend, blas } of backends) {
    test(`typiclust (${backend}): the first pick goes to the cluster the unlabelled rows make largest; labelled rows there send it away`, () => {
      const options = { batchSize: 2, blas: blas! };
      // Alone: two clusters, A (30 rows) first as the larger; with the rows around B, B (130) first.
      expect(inB(run("typiclust", "absent", options)[0]!)).toBe(false);
      expect(inB(run("typiclust", "shaping", options)[0]!)).toBe(true);
      // The same rows labelled cover B's cluster: the uncovered A comes first again.
      expect(inB(run("typiclust", "labelled", options)[0]!)).toBe(false);
    });

    test(`probcover (${backend}): the pick whose ball covers the unlabelled rows wins; labelled rows there have covered them already`, () => {
      const options = { batchSize: 1, blas: blas!, probcoverDelta: 4 };
      // A row of A covers the 30 A rows; one of B covers 10 alone, 10 + 120 with the unlabelled rows.
      expect(inB(run("probcover", "absent", options)[0]!)).toBe(false);
      expect(inB(run("probcover", "shaping", options)[0]!)).toBe(true);
      expect(inB(run("probcover", "labelled", options)[0]!)).toBe(false);
    });
  }
});

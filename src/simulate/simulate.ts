/**
 * `active-sampling simulate`: which strategy fits *these* data? Runs the offline loop
 * (loop.ts) for every configuration (candidates.ts) over several seeds on the rows a team
 * has already labelled, and recommends one (compare.ts) — or says that none beats random
 * beyond noise. Steps: settle the settings → run every seed × configuration → summarise.
 */
import type { Blas } from "../../ffi/blas.ts";
import { DataError, UsageError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { candidates, type Candidate } from "./candidates.ts";
import { mean, recommend, spread, type Recommendation } from "./compare.ts";
import { drawSplit, runLoop, type Curve, type LabelledRows, type LoopSettings } from "./loop.ts";
import type { FitOptions } from "./softmax-regression.ts";
import type { UnlabelledRows } from "./unlabelled-set.ts";

/** Fewer labelled rows than this cannot give a test set and a loop that mean anything. */
export const MIN_LABELLED_ROWS = 100;
/** Share of the labelled rows held out for testing. */
const TEST_SHARE = 0.2;
/** At most this many test rows: enough to resolve a fraction of a point once paired over seeds. */
const TEST_MAX = 2000;
/** Rounds when ROUNDS is 0 (as long as the pool allows). */
const DEFAULT_ROUNDS = 10;
/**
 * MIN_DISTANCE tried, when not given: this share of the median distance between two rows.
 * The same distance marks pool rows as near-duplicates of a test row.
 */
const MIN_DISTANCE_SHARE = 0.1;
export const PROXY: Required<Omit<FitOptions, "start">> = { l2: 1e-3, maxIterations: 300, tolerance: 1e-5 };

export interface SimulateRequest {
  /** BATCH_SIZE, or null to fit it to the labelled set. */
  batchSize: number | null;
  /** ROUNDS, or null to fit it. */
  rounds: number | null;
  /** MIN_DISTANCE for the margin_min_distance configuration, or null to derive it from the data. */
  minDistance: number | null;
  seeds: number;
  randomSeed: number;
  /** Only these configurations (random is always kept as the baseline); null for every one that runs by default. */
  only: string[] | null;
  blas: Blas;
  /** Unlabelled rows (--input) that join every seed's pool as its shape, never picked; null without. */
  unlabelled: UnlabelledRows | null;
  onProgress?: (message: string) => void;
}

export interface Settings {
  batchSize: number;
  rounds: number;
  seedSize: number;
  testSize: number;
  minDistance: number;
  minDistanceSource: string;
  seeds: number[];
  /** Per seed, the pool rows left out as near-duplicates of a test row (filled while running). */
  leftOut: number[];
}

export interface StrategyResult {
  candidate: Candidate;
  curves: (Curve & { seed: number; area: number })[];
}

export interface SimulationResult {
  settings: Settings;
  results: StrategyResult[];
  recommendation: Recommendation;
}

export function simulate(data: LabelledRows, request: SimulateRequest): SimulationResult {
  const settings = settle(data, request);
  const all = candidates(settings.minDistance);
  if (request.only) {
    const unknown = request.only.filter((n) => !all.some((c) => c.name === n));
    if (unknown.length > 0) throw new UsageError(`SIMULATE_STRATEGIES names ${unknown.join(", ")}; known: ${all.map((c) => c.name).join(", ")}.`);
  }
  const chosen = all.filter((c) => c.name === "random" || (request.only ? request.only.includes(c.name) : c.byDefault));
  const loop: LoopSettings = { batchSize: settings.batchSize, rounds: settings.rounds, seedSize: settings.seedSize, testSize: settings.testSize, blas: request.blas, fit: PROXY, unlabelled: request.unlabelled };
  const results: StrategyResult[] = chosen.map((candidate) => ({ candidate, curves: [] }));
  const runs = settings.seeds.length * chosen.length;
  const started = performance.now();
  let done = 0;
  for (const seed of settings.seeds) {
    const split = drawSplit(data, seed, { ...settings, blas: request.blas, unlabelled: request.unlabelled, apart: settings.minDistance });
    settings.leftOut.push(split.leftOut);
    if (split.poolRows.length < settings.seedSize + settings.rounds * settings.batchSize) {
      throw new DataError(`seed ${seed}: ${split.leftOut} pool rows lie within ${settings.minDistance.toPrecision(4)} of a test row and were left out as near-duplicates; the ${split.poolRows.length} left cannot hold the seed set and ${settings.rounds} rounds of ${settings.batchSize}. Lower BATCH_SIZE or ROUNDS, or set MIN_DISTANCE smaller.`);
    }
    for (const result of results) {
      const curve = runLoop(data, split, result.candidate, loop);
      const area = mean(curve.accuracy);
      result.curves.push({ seed, ...curve, area });
      done++;
      const seconds = (performance.now() - started) / 1000;
      request.onProgress?.(`seed ${seed} (${settings.seeds.indexOf(seed) + 1}/${settings.seeds.length}): ${result.candidate.name.padEnd(24)} area ${area.toFixed(4)}, final accuracy ${curve.accuracy.at(-1)!.toFixed(4)}  [${done}/${runs}, ${seconds.toFixed(0)} s, about ${((seconds / done) * (runs - done)).toFixed(0)} s left]`);
    }
  }
  const recommendation = recommend(results.map((r) => ({ candidate: r.candidate, areas: r.curves.map((c) => c.area) })));
  return { settings, results, recommendation };
}

/** BATCH_SIZE, ROUNDS, the seed and test sets and MIN_DISTANCE, fitted to the labelled set where not given. */
export function settle(data: LabelledRows, request: SimulateRequest): Settings {
  const n = data.ids.length, classes = data.classNames.length;
  if (n < MIN_LABELLED_ROWS) {
    throw new DataError(`simulate needs at least ${MIN_LABELLED_ROWS} labelled rows (a test set and a pool to select from); the labelled set has ${n}. Label more rows first, or choose by the README's guidance.`);
  }
  if (classes < 2) throw new DataError(`the labelled rows all have one label ("${data.classNames[0]}"); simulate needs at least two classes.`);
  if (request.seeds < 2) throw new UsageError(`SIMULATION_SEEDS is ${request.seeds}; at least 2 seeds are needed to tell a difference from noise (5 or more recommended).`);
  const testSize = Math.min(TEST_MAX, Math.round(n * TEST_SHARE));
  const poolSize = n - testSize;
  const batchSize = request.batchSize ?? Math.max(5, Math.min(1000, Math.round(poolSize / 40)));
  const seedSize = Math.max(batchSize, 2 * classes);
  if (seedSize + batchSize > poolSize) {
    throw new UsageError(`BATCH_SIZE=${batchSize} is too large for ${poolSize} pool rows (${n} labelled, ${testSize} held out for testing): the seed set and one batch need ${seedSize + batchSize}. Use a smaller BATCH_SIZE, or leave it unset to fit it.`);
  }
  // Unset: up to 10 rounds while the labelled share stays at most half the pool.
  const rounds = request.rounds ?? Math.max(1, Math.min(DEFAULT_ROUNDS, Math.floor((poolSize / 2 - seedSize) / batchSize)));
  if (seedSize + rounds * batchSize > poolSize) {
    throw new UsageError(`ROUNDS=${rounds} × BATCH_SIZE=${batchSize} after a seed set of ${seedSize} needs ${seedSize + rounds * batchSize} rows; the pool has ${poolSize}. Use fewer rounds or a smaller batch.`);
  }
  const minDistance = request.minDistance ?? MIN_DISTANCE_SHARE * medianPairDistance(data, request.randomSeed);
  return {
    batchSize, rounds, seedSize, testSize, minDistance,
    minDistanceSource: request.minDistance !== null ? "MIN_DISTANCE" : `${MIN_DISTANCE_SHARE} × the median distance between two labelled rows`,
    seeds: Array.from({ length: request.seeds }, (_, i) => request.randomSeed + i),
    leftOut: [],
  };
}

/** Median euclidean distance over 2,000 seeded random pairs of rows. */
function medianPairDistance(data: LabelledRows, seed: number): number {
  const rng = new Rng(seed);
  const { data: v, rows, cols } = data.vectors;
  const distances = Array.from({ length: 2000 }, () => {
    const a = rng.nextInt(rows), b = rng.nextInt(rows);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += (v[a * cols + j]! - v[b * cols + j]!) ** 2;
    return Math.sqrt(sum);
  }).sort((x, y) => x - y);
  return distances[1000]!;
}

/** simulation.json: settings, per configuration its curves and area summary, the ranking and the recommendation. */
export function simulationRecord(result: SimulationResult, context: Record<string, unknown>): Record<string, unknown> {
  const byMean = rankByArea(result.results);
  return {
    ...context,
    settings: {
      batch_size: result.settings.batchSize, rounds: result.settings.rounds, seed_set: result.settings.seedSize,
      test_rows: result.settings.testSize, seeds: result.settings.seeds,
      min_distance: result.settings.minDistance, min_distance_from: result.settings.minDistanceSource,
      near_test_rows_left_out: result.settings.leftOut,
      near_test_rows_rule: "pool rows closer than min_distance to a test row are left out of the pool, so near-duplicates cannot leak test labels",
      proxy_model: { kind: "multinomial logistic regression on the standardised vectors", l2: PROXY.l2, max_iterations: PROXY.maxIterations, tolerance: PROXY.tolerance },
      area: "mean test accuracy over the fits of the learning curve (seed set, then after each round)",
    },
    strategies: Object.fromEntries(result.results.map((r) => [r.candidate.name, {
      settings: r.candidate.settings,
      area: { mean: mean(areas(r)), spread: spread(areas(r)), min: Math.min(...areas(r)), max: Math.max(...areas(r)), per_seed: areas(r) },
      curves: r.curves.map((c) => ({ seed: c.seed, labelled: c.labelled, accuracy: c.accuracy, area: c.area, short_rounds: c.shortRounds })),
    }])),
    ranking: byMean.map((r) => r.candidate.name),
    recommendation: {
      kind: result.recommendation.kind, strategy: result.recommendation.name, best: result.recommendation.best,
      within_noise_of_best: result.recommendation.tiedWithBest, text: result.recommendation.text,
      test: "paired t-test over seeds, 95% two-sided",
      against_random: result.recommendation.againstRandom, against_best: result.recommendation.againstBest,
    },
  };
}

/** Area under the learning curve per seed. */
export function areas(r: StrategyResult): number[] {
  return r.curves.map((c) => c.area);
}

/** Highest mean area first; the simpler configuration first on equal means (as the recommendation ranks). */
export function rankByArea(results: readonly StrategyResult[]): StrategyResult[] {
  return [...results].sort((a, b) => mean(areas(b)) - mean(areas(a)) || a.candidate.simplicity - b.candidate.simplicity);
}

/**
 * The offline active-learning loop `simulate` runs for one strategy configuration and one
 * seed: hide the labels of the pool, reveal a random seed set, then round after round fit the
 * proxy model on what is revealed, score the pool with it, let the real strategy (from
 * src/strategies, through the catalog) choose a batch, and reveal those labels. Test accuracy
 * after each fit makes the learning curve.
 *
 * A seed fixes the split into test and pool rows and the seed set, so every configuration
 * meets the same split under the same seed: curves are paired by seed.
 */
import type { Blas } from "../../ffi/blas.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import { predictions } from "../engine/uncertainty.ts";
import { resolveBalance } from "../strategies/balance.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool/pool.ts";
import { Rng } from "../rng.ts";
import { STRATEGIES } from "../strategies/catalog.ts";
import type { StrategyOptions } from "../strategies/strategy.ts";
import type { FixedPoint } from "./exact-products.ts";
import { RANDOM, type Candidate } from "./candidates.ts";
import { nearRows } from "./near-duplicates.ts";
import type { UnlabelledRows } from "./unlabelled-set.ts";
import { fitSoftmaxRegression, predictProbabilities, takeRows, type FitOptions, type SoftmaxModel } from "./softmax-regression.ts";

/** The labelled rows, in id order (so file order and sharding never change a result). */
export interface LabelledRows {
  ids: string[];
  /** Index into classNames per row. */
  labels: Int32Array;
  classNames: string[];
  vectors: Matrix;
  vectorColumns: string[];
  /** The proxy model's design matrix of every row (standardised vectors + bias, fixed point). */
  design: FixedPoint;
  /** The columns' means and spreads the design standardises with (unlabelled rows use the same). */
  moments: { mean: Float64Array; scale: Float64Array };
}

export interface LoopSettings {
  batchSize: number;
  rounds: number;
  /** Labelled rows revealed before the first round. */
  seedSize: number;
  /** Rows held out to measure accuracy. */
  testSize: number;
  blas: Blas;
  fit: FitOptions;
  /** Unlabelled rows (--input) that shape the pool of the configurations whose poolShape is not null; never picked. */
  unlabelled: UnlabelledRows | null;
}

/** One seed's split: which rows test, which form the pool, which start revealed. */
export interface Split {
  seed: number;
  /** Rows of LabelledRows held out, ascending. */
  testRows: Uint32Array;
  /** Rows of LabelledRows in the pool, ascending (pool position → row). */
  poolRows: Uint32Array;
  /** Pool positions revealed before round 1. */
  seedPositions: Uint32Array;
  /** Rows left out of the pool as near-duplicates of a test row. */
  leftOut: number;
  /** The pool's vectors, in kernel memory, shared by every configuration of this seed. */
  poolVectors: Matrix;
  /** The pool's vectors followed by the unlabelled rows' (for configurations they shape), or null without them. */
  shapedVectors: Matrix | null;
  poolDesign: FixedPoint;
  testDesign: FixedPoint;
}

export interface Curve {
  /** Labelled rows the model was fitted on at each point (seed set first). */
  labelled: number[];
  /** Test accuracy at each point. */
  accuracy: number[];
  /** Rounds in which the strategy returned fewer rows than asked (MIN_DISTANCE stopping early, say). */
  shortRounds: number;
  /** Ids of the rows the configuration revealed, round after round (not the seed set); not written to simulation.json. */
  picked: string[];
}

/**
 * Draws the split for `seed`: a seeded shuffle of the rows, test rows first, then the pool;
 * pool rows nearer than `apart` to a test row are left out (near-duplicates would leak the
 * test labels), and the seed set is the first rows of the pool in shuffled order.
 */
export function drawSplit(data: LabelledRows, seed: number, settings: Pick<LoopSettings, "seedSize" | "testSize" | "blas" | "unlabelled"> & { apart: number }): Split {
  const n = data.ids.length;
  const shuffled = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const testRows = shuffled.slice(0, settings.testSize).sort();
  const near = nearRows(settings.blas, gather(data.vectors, shuffled.subarray(settings.testSize)), gather(data.vectors, testRows), settings.apart);
  const kept = shuffled.subarray(settings.testSize).filter((_, k) => !near[k]);
  const poolRows = kept.slice().sort();
  const positionOf = new Map(Array.from(poolRows, (row, p) => [row, p]));
  const seedPositions = Uint32Array.from(kept.subarray(0, settings.seedSize), (row) => positionOf.get(row)!);
  const dim = data.vectors.cols;
  const vectors = allocVectors(data.vectors.data instanceof Float64Array, poolRows.length * dim);
  poolRows.forEach((row, p) => vectors.set(data.vectors.data.subarray(row * dim, (row + 1) * dim), p * dim));
  return {
    seed, testRows, poolRows, seedPositions, leftOut: n - settings.testSize - kept.length,
    poolVectors: { data: vectors, rows: poolRows.length, cols: dim },
    shapedVectors: settings.unlabelled ? followedBy(vectors, settings.unlabelled.vectors, dim) : null,
    poolDesign: takeRows(data.design, poolRows),
    testDesign: takeRows(data.design, testRows),
  };
}

/** The pool's vectors, then the unlabelled rows', in kernel memory. */
function followedBy(pool: Float32Array | Float64Array, unlabelled: Matrix, dim: number): Matrix {
  const data = allocVectors(pool instanceof Float64Array, pool.length + unlabelled.data.length);
  data.set(pool);
  data.set(unlabelled.data, pool.length);
  return { data, rows: data.length / dim, cols: dim };
}

/** The given rows of m, as a new (ordinary) matrix. */
function gather(m: Matrix, rows: ArrayLike<number>): Matrix {
  const data = new Float64Array(rows.length * m.cols);
  for (let k = 0; k < rows.length; k++) data.set(m.data.subarray(rows[k]! * m.cols, (rows[k]! + 1) * m.cols), k * m.cols);
  return { data, rows: rows.length, cols: m.cols };
}

/** Runs the loop for one configuration on one split. */
export function runLoop(data: LabelledRows, split: Split, candidate: Candidate, settings: LoopSettings): Curve {
  const size = split.poolRows.length;
  const revealed = new Uint8Array(size);
  const order: number[] = [];
  for (const p of split.seedPositions) { revealed[p] = 1; order.push(p); }
  const poolLabels = Int32Array.from(split.poolRows, (row) => data.labels[row]!);
  const testLabels = Int32Array.from(split.testRows, (row) => data.labels[row]!);
  const ids = Array.from(split.poolRows, (row) => data.ids[row]!);
  const classes = data.classNames.length;
  const curve: Curve = { labelled: [], accuracy: [], shortRounds: 0, picked: [] };
  let model: SoftmaxModel | null = null;
  for (let round = 0; ; round++) {
    // Revealed rows in position order: the fit's sums then never depend on the picking order.
    const trainPositions = Uint32Array.from(order).sort();
    model = fitSoftmaxRegression(settings.blas, takeRows(split.poolDesign, trainPositions),
      Int32Array.from(trainPositions, (p) => poolLabels[p]!), classes, { ...settings.fit, start: model?.weights ?? null });
    curve.labelled.push(order.length);
    curve.accuracy.push(accuracy(predictProbabilities(settings.blas, model, split.testDesign), testLabels, classes));
    const remaining = size - order.length;
    if (round === settings.rounds || remaining === 0) break;
    const batch = Math.min(settings.batchSize, remaining);
    const picked = candidate.strategy === RANDOM
      ? randomDraw(revealed, batch, new Rng(roundSeed(split.seed, round)))
      : strategyPick(data, split, candidate, settings, model, ids, revealed, batch, round);
    if (picked.length < batch) curve.shortRounds++;
    for (const p of picked) {
      if (p >= size || revealed[p]) throw new Error(`internal check failed: ${candidate.name} picked pool position ${p}, out of range or already labelled`);
      revealed[p] = 1;
      order.push(p);
      curve.picked.push(ids[p]!);
    }
    if (picked.length === 0) break;
  }
  return curve;
}

/**
 * The strategy's batch, as pool positions, from the proxy's probabilities. A configuration the
 * unlabelled rows shape sees them after the pool's rows (scored by the same model), neither
 * selectable nor labelled; the others never see them.
 */
function strategyPick(data: LabelledRows, split: Split, candidate: Candidate, settings: LoopSettings, model: SoftmaxModel,
  poolIds: string[], revealed: Uint8Array, batch: number, round: number): Uint32Array {
  const classes = data.classNames.length;
  const unlabelled = candidate.poolShape !== null ? settings.unlabelled : null;
  const poolProbs = predictProbabilities(settings.blas, model, split.poolDesign);
  const probs = unlabelled ? concat(poolProbs, predictProbabilities(settings.blas, model, unlabelled.design)) : poolProbs;
  const ids = unlabelled ? [...poolIds, ...unlabelled.ids] : poolIds;
  // Pool positions past the labelled pool's are unlabelled rows: 0 in both masks.
  const selectable = new Uint8Array(ids.length), labelledRows = new Uint8Array(ids.length);
  revealed.forEach((r, p) => { selectable[p] = 1 - r; labelledRows[p] = r; });
  const pool: Pool = {
    tables: [], tableStarts: [0], size: ids.length, ids, classes, probs, ...predictions(probs, classes),
    plan: {
      id: "id", scoreColumns: data.classNames.map((c) => `prob_class_${c}`), scoreKind: "probabilities", classNames: data.classNames,
      scoreClass: 1, labelColumn: null, classesRecorded: true, scoreReason: "the proxy model's probabilities", vectorColumns: data.vectorColumns, vectorReason: "the labelled set's vectors", leafColumns: [],
    },
    vectors: unlabelled ? split.shapedVectors : split.poolVectors, leaves: null, extra: new Map(),
    normalisation: { softmaxRows: 0, renormalisedRows: 0, description: "none: softmax outputs of the proxy model" },
  };
  const options: StrategyOptions = {
    batchSize: batch, confidenceThreshold: 0.9, maxSamples: 0, kPerClass: 100, uncertaintyMode: "margin", metric: "euclidean", minDistance: 0,
    ...candidate.options,
    blas: settings.blas,
    rng: new Rng(roundSeed(split.seed, round)),
    // Revealed rows stay in the pool, labelled: they count as already chosen (centers,
    // covered clusters), as in a real run that excludes labelled ids.
    labeled: null,
    selectable,
    labelledRows,
    balance: candidate.classBalance === "none" ? null : resolveBalance(candidate.classBalance, "", pool),
    selectionConfig: candidate.selectionConfig,
    rowWeights: null,
    tieBreak: (a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b),
    describeRow: (row) => `labelled row "${ids[row]}"`,
  };
  return STRATEGIES[candidate.strategy]!.run(pool, options).rows;
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `count` unrevealed positions drawn uniformly (partial Fisher–Yates over them, in position order). */
function randomDraw(revealed: Uint8Array, count: number, rng: Rng): Uint32Array {
  const open: number[] = [];
  for (let p = 0; p < revealed.length; p++) if (!revealed[p]) open.push(p);
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(open.length - i);
    [open[i], open[j]] = [open[j]!, open[i]!];
  }
  return Uint32Array.from(open.slice(0, count));
}

/** Share of rows whose most probable class is their label. */
function accuracy(probs: Float64Array, labels: Int32Array, classes: number): number {
  const { predicted } = predictions(probs, classes);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}

/** A different, reproducible stream per seed and round. */
function roundSeed(seed: number, round: number): number {
  return (Math.imul(seed, 0x9e3779b1) + round) >>> 0;
}

/**
 * BADGE (Ash et al., "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower Bounds",
 * ICLR 2020): k-means++ seeding over gradient embeddings g = (p - onehot(argmax p)) ⊗ x, so
 * the batch is both uncertain (large gradients) and diverse (spread-out gradients).
 *
 * As in the authors' code, the first center is the row with the largest gradient norm (ties:
 * lowest row); the rest are drawn ∝ squared distance. Departures: the embeddings are never
 * built (gradient-space.ts), distance updates are pruned (center-groups.ts), and a row that
 * sits on a chosen center is never drawn again.
 */
import { GradientSpace } from "../engine/gradient-space.ts";
import { kMeansPlusPlus } from "../engine/kmeanspp.ts";
import { fitsLocalityCopy, inLocalityOrder, localityOrder } from "../engine/locality.ts";
import type { Pool } from "../pool/pool.ts";
import type { Matrix } from "../matrix.ts";
import { EuclideanSpace, nearestSeeds } from "../engine/euclidean.ts";
import { labelledMask, minDistanceWarning, quotaOption } from "./shared.ts";
import { inMetric, seedsOf } from "./vector-space.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

/** Pools at least this large are reordered for memory locality (see engine/locality.ts). */
const LOCALITY_MIN_ROWS = 200_000;

export function badge(pool: Pool, options: StrategyOptions): Selection {
  // Reordering never changes the draw (kmeanspp.ts draws in original row order); only speed.
  // The reordered rows are a private copy: without room for one, pool order. The id-order
  // pool's vectors are read as read (Pool.vectorsAsRead), so its own copy is never made.
  const read = pool.vectorsAsRead ?? { matrix: pool.vectors!, rowOf: null };
  let order = options.blas.name === "openblas" && pool.size >= LOCALITY_MIN_ROWS && fitsLocalityCopy(read.matrix)
    ? localityOrder(read.matrix, options.blas, { of: pool.predicted, count: pool.classes }, undefined, read.rowOf)
    : null;
  const reordered = order ? inLocalityOrder(read.matrix, order, false, read.rowOf) : null;
  if (!reordered) order = null;
  const vectors = reordered ?? pool.vectors!;
  const probs = order ? permutedProbs(pool.probs, pool.classes, order) : pool.probs;
  const selectable = order ? Uint8Array.from(order, (row) => options.selectable[row]!) : options.selectable;
  const space = new GradientSpace(probs, pool.classes, vectors);
  // The largest gradient norm starts, ties to the lowest original row.
  let first = -1;
  for (let p = 0; p < pool.size; p++) {
    if (!selectable[p]) continue;
    const norm = space.squaredNorms[p]!, best = first === -1 ? -1 : space.squaredNorms[first]!;
    if (first === -1 || norm > best || (norm === best && order !== null && order[p]! < order[first]!)) first = p;
  }
  if (first === -1) return { rows: new Uint32Array(0), scores: new Float64Array(0), scoreMeaning: "", details: {}, warnings: [] };
  const quotas = quotaOption(options, options.batchSize, (row) => options.selectable[row] === 1);
  const result = kMeansPlusPlus(space, options.batchSize, {
    firstPick: first,
    rng: options.rng,
    selectable,
    tolerance: space.tolerance,
    onProgress: options.onProgress,
    originalIndex: order,
    quotas: quotas ? { classOf: byPosition(quotas.classOf, order), quotas: quotas.quotas } : null,
    minDistance: options.minDistance > 0 ? minDistanceGuard(vectors, order, options) : null,
    weights: options.rowWeights ? Float64Array.from({ length: pool.size }, (_, p) => options.rowWeights![order ? order[p]! : p]!) : null,
  });
  const scores = Float64Array.from(result.distances);
  scores[0] = Math.sqrt(space.squaredNorms[first]!);
  return {
    rows: order ? result.picks.map((p) => order[p]!) : result.picks,
    scores,
    scoreMeaning: "gradient-embedding distance to the nearest row chosen before it (the first row: its gradient norm)",
    details: { distanceEvaluations: result.evaluations, plainEvaluations: result.picks.length * pool.size, localityOrder: order !== null },
    warnings: result.stoppedEarly ? [minDistanceWarning(options.minDistance, result.picks.length)] : [],
    quotas: quotas?.quotas ?? null,
    coverage: result.coverage,
  };
}

/**
 * MIN_DISTANCE for BADGE is measured on the vectors in the run's METRIC (the units users give
 * it in), not in gradient space: near-duplicate rows are near in the vectors.
 */
function minDistanceGuard(vectors: Matrix, order: Uint32Array | null, options: StrategyOptions) {
  const cosine = options.metric === "cosine";
  const { points, labeled } = inMetric(vectors, options);
  const labelled = labelledMask(options);
  const seedMatrix = seedsOf(points, labeled, order ? Uint8Array.from(order, (row) => labelled[row]!) : labelled);
  return {
    space: new EuclideanSpace(points, options.blas),
    seeds: seedMatrix.rows > 0 ? nearestSeeds(points, seedMatrix, options.blas) : null,
    distance: cosine ? Math.sqrt(2 * options.minDistance) : options.minDistance,
  };
}

function byPosition(perRow: Int32Array, order: Uint32Array | null): Int32Array {
  return order ? Int32Array.from(order, (row) => perRow[row]!) : perRow;
}

function permutedProbs(probs: Float64Array, classes: number, order: Uint32Array): Float64Array {
  const out = new Float64Array(probs.length);
  for (let p = 0; p < order.length; p++) out.set(probs.subarray(order[p]! * classes, (order[p]! + 1) * classes), p * classes);
  return out;
}

/**
 * Active learning by diversity: the core-set approach of Sener & Savarese (ICLR 2018), greedy
 * k-center over the vectors, with the labelled rows (labeled_data) as the starting centers.
 *
 * Without labelled rows the first center is the selectable row nearest the pool mean (ties:
 * lowest row): deterministic, and a typical row rather than an outlier. The paper starts
 * from the labelled set and does not need such a choice.
 *
 * METRIC=cosine runs on L2-normalised rows; scores are then cosine distances (1 - cos).
 */
import { EuclideanSpace, nearestSeeds, normaliseRows, squaredDistance } from "../engine/euclidean.ts";
import { kCenterGreedy } from "../engine/kcenter.ts";
import { inverse, localityOrder, permuteRows } from "../engine/locality.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

/** Pools at least this large are reordered for memory locality (see engine/locality.ts). */
const LOCALITY_MIN_ROWS = 20_000;

export function diversity(pool: Pool, options: StrategyOptions): Selection {
  const cosine = options.metric === "cosine";
  let points = pool.vectors!;
  let labeled = options.labeled?.vectors ?? null;
  if (cosine) {
    points = normaliseRows(points, options.describeRow);
    if (labeled) labeled = normaliseRows(labeled, (r) => `labeled_data row ${r + 1}`);
  }
  const seedCount = (labeled?.rows ?? 0) + options.selectable.reduce((n, s) => n + (s ? 0 : 1), 0);
  // In file order, before any reordering: the mean's float sum depends on row order.
  const start = seedCount > 0 ? -1 : nearestToMean(points, options.selectable);
  // Only where GEMM is cheap: the order never changes the picks, only how fast they come.
  const order = options.blas.name === "openblas" && points.rows >= LOCALITY_MIN_ROWS ? localityOrder(points, options.blas) : null;
  if (order) permuteRows(points, order);
  try {
    const selectable = order ? Uint8Array.from(order, (row) => options.selectable[row]!) : options.selectable;
    const seedMatrix = seedsOf(points, labeled, selectable);
    const space = new EuclideanSpace(points);
    const seeds = seedMatrix.rows > 0 ? nearestSeeds(points, seedMatrix, options.blas) : null;
    // MIN_DISTANCE is in the metric's units; cosine distance m is euclidean √(2m) on unit rows.
    const minDistance = cosine ? Math.sqrt(2 * options.minDistance) : options.minDistance;
    const result = kCenterGreedy(space, options.batchSize, {
      seeds,
      selectable,
      firstPick: order && start >= 0 ? inverse(order)[start]! : start,
      minDistance,
      onProgress: options.onProgress,
      tieKey: order,
    });
    const rows = order ? result.picks.map((p) => order[p]!) : result.picks;
    const scores = cosine ? result.distances.map((d) => (d * d) / 2) : result.distances;
    const warnings: string[] = [];
    if (result.stoppedAt !== null) {
      warnings.push(`MIN_DISTANCE=${options.minDistance}: stopped after ${result.picks.length} rows; no remaining row is that far from the chosen ones.`);
    }
    return {
      rows,
      scores,
      scoreMeaning: `${options.metric} distance to the nearest row chosen before it (labelled rows included)`,
      details: {
        seedCenters: seedMatrix.rows,
        distanceEvaluations: result.evaluations,
        plainGreedyEvaluations: result.picks.length * pool.size,
        localityOrder: order !== null,
        stoppedEarlyAt: result.stoppedAt === null ? null : (cosine ? (result.stoppedAt ** 2) / 2 : result.stoppedAt),
      },
      warnings,
    };
  } finally {
    // The pool's own vectors go back in file order (the report projects them); a normalised copy need not.
    if (order && !cosine) permuteRows(points, inverse(order));
  }
}

/** Labelled rows plus pool rows that may not be selected (already labelled or excluded). */
function seedsOf(points: Matrix, labeled: Matrix | null, selectable: Uint8Array): Matrix {
  const excluded: number[] = [];
  for (let i = 0; i < points.rows; i++) if (!selectable[i]) excluded.push(i);
  const labeledRows = labeled?.rows ?? 0;
  const dim = points.cols;
  const data = allocVectors(points.data instanceof Float64Array, (labeledRows + excluded.length) * dim);
  if (labeled) data.set(labeled.data);
  excluded.forEach((row, k) => data.set(points.data.subarray(row * dim, (row + 1) * dim), (labeledRows + k) * dim));
  return { data, rows: labeledRows + excluded.length, cols: dim };
}

/** The selectable row nearest the mean (ties: the lowest row). */
function nearestToMean(points: Matrix, selectable: Uint8Array): number {
  const { rows, cols, data } = points;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) mean[j]! += data[r * cols + j]!;
  for (let j = 0; j < cols; j++) mean[j]! /= rows;
  let best = -1, bestDistance = Infinity;
  for (let r = 0; r < rows; r++) {
    if (!selectable[r]) continue;
    const d = squaredDistance(data, r * cols, mean, 0, cols);
    if (d < bestDistance) { bestDistance = d; best = r; }
  }
  return best;
}

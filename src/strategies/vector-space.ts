/**
 * The vector space the distance-based strategies share (diversity, hybrid, MIN_DISTANCE):
 * cosine rows L2-normalised, labelled and excluded rows as seed centers found by GEMM (rows
 * that only shape the pool, options.labelledRows, are neither seeds nor candidates), and
 * large pools reordered for memory locality (engine/locality.ts) in a private copy: the pool's
 * vectors are never changed. Engines work on positions; `rows()` maps picks back to pool rows.
 */
import { EuclideanSpace, nearestSeeds, normaliseRows, projectRows, wideRows } from "../engine/euclidean.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import { fitsLocalityCopy, inLocalityOrder, localityCells } from "../engine/locality.ts";
import { nearestToMean } from "../engine/row-mean.ts";
import type { SeedState } from "../engine/metric-space.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool/pool.ts";
import { labelledMask } from "./shared.ts";
import type { StrategyOptions } from "./strategy.ts";

/** Pools at least this large are reordered for memory locality. */
const LOCALITY_MIN_ROWS = 20_000;

export interface VectorSpace {
  space: EuclideanSpace;
  seeds: SeedState | null;
  /** Labelled rows plus pool rows counted as labelled (labelledMask: already labelled or excluded). */
  seedCount: number;
  /** Position → pool row, or null when rows kept file order. */
  order: Uint32Array | null;
  /** Candidate mask by position. */
  candidates: Uint8Array;
  /** The candidate nearest the mean of the selectable rows (a position): where a seedless k-center starts. */
  nearestToMean: number;
  cosine: boolean;
  /** MIN_DISTANCE and scores in the metric's units ↔ euclidean distances in the space. */
  toSpace(metricDistance: number): number;
  fromSpace(spaceDistance: number): number;
  /** A per-row array rearranged by position. */
  byPosition<T extends Float64Array | Int32Array | Uint8Array>(perRow: T): T;
  /** Positions → pool rows. */
  rows(positions: Uint32Array): Uint32Array;
}

/**
 * The vectors and the labelled rows' vectors in the run's METRIC: as given for euclidean,
 * L2-normalised copies for cosine (a zero row is refused, naming it).
 */
export function inMetric(vectors: Matrix, options: Pick<StrategyOptions, "metric" | "labeled" | "describeRow">): { points: Matrix; labeled: Matrix | null } {
  const labeled = options.labeled?.vectors ?? null;
  if (options.metric !== "cosine") return { points: vectors, labeled };
  return {
    points: normaliseRows(vectors, options.describeRow),
    labeled: labeled ? normaliseRows(labeled, (r) => `labeled_data row ${r + 1}`) : null,
  };
}

/** candidates: pool rows that may be picked (default: options.selectable). */
export function prepareVectorSpace(pool: Pool, options: StrategyOptions, candidates: Uint8Array = options.selectable): VectorSpace {
  const cosine = options.metric === "cosine";
  // Only where GEMM is cheap: the order never changes a selection, only its speed.
  const wantsLocality = options.blas.name === "openblas" && pool.size >= LOCALITY_MIN_ROWS;
  const read = rowsToRead(pool, options, wantsLocality);
  const labeled = read.labeled;
  const labelledInPool = labelledMask(options);
  let excluded = 0;
  for (let r = 0; r < labelledInPool.length; r++) excluded += labelledInPool[r]!;
  const seedCount = (labeled?.rows ?? 0) + excluded;
  // A pool row (ties: the lowest). Called only when no row counts as labelled (no seeds), so the
  // rows left out only shape the pool.
  const start = seedCount > 0 ? -1 : nearestToMean(read.points, candidates, options.selectable, read.rowOf);
  // Wide rows: projected coordinates for the bounds (by pool row), which also make the order's GEMM cheap.
  const projected = wideRows(read.points, options.blas) ? projectRows(read.points, options.blas, read.rowOf) : null;
  const locality = !wantsLocality ? null
    : projected ? localityCells(projected.coordinates, options.blas) : localityCells(read.points, options.blas, null, undefined, read.rowOf);
  let order = locality?.order ?? null;
  let points = order ? inLocalityOrder(read.points, order, cosine, read.rowOf) : null;
  if (!points) {
    // No room for the locality copy (euclidean only: cosine's own rows are rearranged in place).
    order = null;
    points = read.rowOf ? pool.vectors! : read.points;
  }
  if (order) projected?.reorder(order);
  const byPosition = <T extends Float64Array | Int32Array | Uint8Array>(perRow: T): T => {
    if (!order) return perRow;
    const out = new (perRow.constructor as { new (n: number): T })(perRow.length);
    for (let p = 0; p < order.length; p++) out[p] = perRow[order[p]!]!;
    return out;
  };
  const seedMatrix = seedsOf(points, labeled, byPosition(labelledInPool));
  const seeds = seedMatrix.rows > 0 ? nearestSeeds(points, seedMatrix, options.blas) : null;
  return {
    space: new EuclideanSpace(points, options.blas, projected, order && locality ? locality : undefined),
    seeds,
    seedCount,
    order,
    candidates: byPosition(candidates),
    nearestToMean: order && start >= 0 ? order.indexOf(start) : start,
    cosine,
    toSpace: (m) => (cosine ? Math.sqrt(2 * m) : m),
    fromSpace: (d) => (cosine ? (d * d) / 2 : d),
    byPosition,
    rows: (positions) => (order ? positions.map((p) => order![p]!) : positions),
  };
}

/**
 * The rows in the run's METRIC as the engines first read them (inMetric's). With `rowOf`, pool
 * row r is points' row rowOf[r]: the id-order pool's vectors as read (Pool.vectorsAsRead),
 * taken when the locality order will copy them anyway, so that the pool's own copy in id order
 * is never made.
 */
function rowsToRead(pool: Pool, options: StrategyOptions, wantsLocality: boolean): { points: Matrix; rowOf: Uint32Array | null; labeled: Matrix | null } {
  const asRead = pool.vectorsAsRead;
  const cosine = options.metric === "cosine";
  if (!asRead || !wantsLocality || (!cosine && !fitsLocalityCopy(asRead.matrix))) {
    return { ...inMetric(pool.vectors!, options), rowOf: null };
  }
  const { rowOf } = asRead;
  // A zero row (refused under cosine) is named by its pool row.
  const describeRow = (row: number) => options.describeRow(rowOf.indexOf(row));
  return { ...inMetric(asRead.matrix, { ...options, describeRow }), rowOf };
}

/** Labelled rows plus the pool rows counted as labelled (`labelledInPool`, by position), as seed centers. */
export function seedsOf(points: Matrix, labeled: Matrix | null, labelledInPool: Uint8Array): Matrix {
  const excluded: number[] = [];
  for (let i = 0; i < points.rows; i++) if (labelledInPool[i]) excluded.push(i);
  const labeledRows = labeled?.rows ?? 0;
  const dim = points.cols;
  const data = allocVectors(points.data instanceof Float64Array, (labeledRows + excluded.length) * dim);
  if (labeled) data.set(labeled.data);
  excluded.forEach((row, k) => data.set(points.data.subarray(row * dim, (row + 1) * dim), (labeledRows + k) * dim));
  return { data, rows: labeledRows + excluded.length, cols: dim };
}

/**
 * A set of points with a metric, as the greedy k-center and k-means++ engines see it. Points
 * 0..size-1 are the pool; "seeds" are already-chosen points outside it (labelled rows).
 *
 * Every distance a selection decision rests on comes from `distance`/`seedDistance`, which are
 * plain TypeScript loops in a fixed order: the same on every BLAS backend, so the selection is.
 */
export interface MetricSpace {
  readonly size: number;
  /** Distance between pool points a and b. */
  distance(a: number, b: number): number;
  /**
   * Optional: each point's distance to one fixed anchor (the origin). Then
   * |anchor[c] - anchor[i]| ≤ d(c, i), a lower bound that costs no vector reads.
   */
  readonly anchorDistance?: Float64Array;
  /** Optional: a bound on the relative rounding error of `distance` (default 1e-12). */
  readonly relativeError?: number;
  /**
   * Optional: a bound on `distance`'s absolute rounding error on top of the relative one
   * (default 0): squares below the arithmetic's normal range keep no relative precision.
   */
  readonly absoluteError?: number;
  /**
   * Optional: every center added so far, for lower bounds on a new center's distances to all
   * of them in one BLAS call (with thousands of centers, those are most of a pick's work).
   */
  readonly centerIndex?: CenterIndex;
  /**
   * Optional: the rows as runs of consecutive rows around one pivot row each (a locality
   * order's neighbourhoods, locality.ts); large batches scan them (center-cells.ts).
   */
  readonly cells?: RowCells;
  /**
   * Optional: where the vectors sit in kernel memory, for kernels that measure `distance`
   * themselves with the same bits (kcenter-cells.ts); with `kernelScreen`, the screen
   * `screenMany` applies. Spaces with `anchorDistance` or `lowerBound` have neither.
   */
  readonly kernelRows?: KernelRows | null;
  readonly kernelScreen?: KernelScreen | null;
  /** Optional: distance(c, rows[i]) for i < count in one call; the array is reused by the next call. */
  distanceMany?(c: number, rows: Uint32Array, count: number): Float64Array;
  /** Optional: a lower bound on distance(a, b) that is much cheaper than the distance itself. */
  lowerBound?(a: number, b: number): number;
  /**
   * Optional: keeps at the front of rows (and of limits, in step) the rows i < count whose
   * distance to c cheap lower bounds cannot prove to be at least limits[i], and returns how
   * many are kept (projection.ts); much cheaper than measuring them.
   */
  screenMany?(c: number, rows: Uint32Array, limits: Float64Array, count: number): number;
}

let measuredEach = new Float64Array(1024);

/**
 * distance(c, rows[i]) for i < count: in one distanceMany call where the space has one, else
 * one distance call a row. The array is reused by the next call (of either kind).
 */
export function distancesFrom(space: MetricSpace, c: number, rows: Uint32Array, count: number): Float64Array {
  if (space.distanceMany) return space.distanceMany(c, rows, count);
  if (measuredEach.length < count) measuredEach = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) measuredEach[i] = space.distance(c, rows[i]!);
  return measuredEach;
}

let rangeRows = new Uint32Array(1024);

/** distance(c, x) for rows x = start .. end-1, as distancesFrom (the array is reused by the next call). */
export function distancesToRange(space: MetricSpace, c: number, start: number, end: number): Float64Array {
  const count = end - start;
  if (rangeRows.length < count) rangeRows = new Uint32Array(2 * count);
  for (let m = 0; m < count; m++) rangeRows[m] = start + m;
  return distancesFrom(space, c, rangeRows, count);
}

/**
 * The relative slack of the greedy loops' pruning tests: three distances enter each test, each
 * off by at most the kernel's relative error, so rounding can never skip a point that would move.
 */
export function relativeSlack(space: MetricSpace): number {
  return 4 * Math.max(space.relativeError ?? 1e-12, 1e-12);
}

/** The absolute slack the greedy loops' pruning tests need: the caller's tolerance or the space's own error, whichever is larger. */
export function pruningTolerance(space: MetricSpace, tolerance = 0): number {
  return Math.max(tolerance, space.absoluteError ?? 0);
}

/** The pool's distances to an already-chosen set, before the greedy loop starts. */
export interface SeedState {
  /** Number of seed centers. */
  readonly count: number;
  /** Per pool point: distance to its nearest seed. */
  readonly nearestDistance: Float64Array;
  /** Per pool point: which seed that is. */
  readonly nearestSeed: Int32Array;
  /** Distance between pool point `point` and seed `seed`. */
  seedDistance(point: number, seed: number): number;
}

/** The centers a greedy loop has chosen, in order, for batched lower bounds. */
export interface CenterIndex {
  /** Registers pool row `row` as the next center; returns its index. */
  add(row: number): number;
  /** out[j] ≤ distance(row, j-th center) for every registered center; valid until the next call. */
  lowerBounds(row: number): Float64Array;
}

/** Runs of consecutive rows: run b holds rows starts[b] .. starts[b+1]-1, near pivot row pivots[b]. */
export interface RowCells {
  readonly starts: Uint32Array;
  readonly pivots: Uint32Array;
}

/** Vectors in kernel memory: row r at base + r·width bytes, dim values measured by `kind`. */
export interface KernelRows {
  base: number;
  width: number;
  dim: number;
  /** The squared-distance kernel: 0 sqdist_f32, 1 sqdist_f32_narrow, 2 sqdist_f64 (distance.wat). */
  kind: 0 | 1 | 2;
}

/** A projected screen's stages in kernel memory (projection.ts): constants pointers, record widths in bytes, coordinate counts. */
export interface KernelScreen {
  prefilter: { params: number; width: number; dims: number } | null;
  stages: { params: number; width: number; dims: number }[];
  /** The last stage: an int8 copy of the whole rows (row-codes.ts), or null. */
  wholeRows: { params: number; width: number; dims: number } | null;
  /** Rows entering each stage (the prefilter first, the whole rows last), for the screen's counters. */
  rowsPerStage: number[];
}

/**
 * The greedy loops' scan by memory instead of by group: the rows are cut into cells of
 * consecutive rows, each with one pivot row, and a new center visits only the cells that it
 * may affect, reading their rows front to back (center-groups.ts moves the rows it finds).
 *
 * Why: with thousands of centers, a new center's neighbourhood holds hundreds of small
 * groups whose members are scattered over memory. Visiting them group by group costs a center
 * distance and bookkeeping per group (the k² term of large batches) and a cache miss per row;
 * the kernels read consecutive rows 4-8x faster than scattered ones (the hardware prefetches
 * them). Where rows are ordered for locality (locality.ts) a cell is a neighbourhood, and its
 * pivot bounds every row's distance to the new center c, with δ_x = d(x, p) fixed when the
 * cells are built:
 * - d(c, x) ≥ |d(c, p) - δ_x|, so x cannot move (d(c, x) ≥ d(x, its center)) when that bound
 *   reaches its distance to the chosen set;
 * - a cell whose rows all lie at δ ≤ reach, at distances ≤ farthest from the chosen set, is
 *   skipped whole when d(c, p) - reach ≥ farthest.
 * Both tests carry the space's rounding slack, so a skip never changes a selection; rows the
 * bounds keep are measured exactly, as the textbook loop measures them.
 */
import { distancesFrom, distancesToRange, relativeSlack, type MetricSpace, type RowCells } from "./metric-space.ts";

export class CenterCells {
  /** Cell b holds rows start[b] .. start[b+1]-1. */
  readonly #start: Uint32Array;
  readonly #pivots: Uint32Array;
  /** Per row: δ_x, its distance to its cell's pivot. */
  readonly #toPivot: Float64Array;
  /** Per cell: the largest δ among rows that may still move (rows only ever leave the groups). */
  readonly #reach: Float64Array;
  /** Per cell: the largest distance to the chosen set among its rows in groups; -1 when none. */
  readonly #farthest: Float64Array;
  readonly #slack: number;
  #toPivots: Float64Array;

  /**
   * Cells as the space lays them out (MetricSpace.cells). distance and groupOf: the groups'
   * per-row state (groupOf -1: a row that never moves again).
   */
  constructor(private readonly space: MetricSpace, layout: RowCells, distance: Float64Array, groupOf: Int32Array,
    private readonly tolerance: number) {
    const n = space.size, count = layout.pivots.length;
    this.#start = layout.starts;
    this.#pivots = layout.pivots;
    this.#toPivot = new Float64Array(n);
    this.#reach = new Float64Array(count);
    this.#farthest = new Float64Array(count);
    this.#toPivots = new Float64Array(count);
    this.#slack = relativeSlack(space);
    for (let b = 0; b < count; b++) {
      const start = this.#start[b]!, end = this.#start[b + 1]!;
      const measured = distancesToRange(space, this.#pivots[b]!, start, end);
      let reach = 0;
      for (let x = start; x < end; x++) {
        const d = measured[x - start]!;
        this.#toPivot[x] = d;
        if (groupOf[x]! >= 0 && d > reach) reach = d;
      }
      this.#reach[b] = reach;
      this.settle(b, distance, groupOf);
    }
  }

  get count(): number {
    return this.#pivots.length;
  }

  /** First row of cell b, and one past its last. */
  start(b: number): number {
    return this.#start[b]!;
  }

  end(b: number): number {
    return this.#start[b + 1]!;
  }

  /** Distances from pool row c to every pivot; the array is reused by the next call. */
  pivotDistances(c: number): Float64Array {
    const count = this.count, out = this.#toPivots;
    const measured = distancesFrom(this.space, c, this.#pivots, count);
    for (let b = 0; b < count; b++) out[b] = measured[b]!;
    return out;
  }

  /**
   * Whether a center at distance toPivot from cell b's pivot may move any of its rows.
   * Prune slack: the caller's test `bound ≥ d·pruneSlack + tolerance`.
   */
  mayAffect(b: number, toPivot: number, pruneSlack: number): boolean {
    return runMayMove(toPivot, this.#reach[b]!, this.#farthest[b]!, this.#slack, pruneSlack, this.tolerance);
  }

  /**
   * Rows of cell b in groups that a center at distance toPivot from its pivot may move, in
   * row order, written to out from index `at` on (room for the cell); returns their count.
   */
  candidates(b: number, toPivot: number, distance: Float64Array, groupOf: Int32Array, pruneSlack: number, out: Uint32Array, at = 0): number {
    const toPivotOf = this.#toPivot, slack = this.#slack, tolerance = this.tolerance;
    const end = this.#start[b + 1]!;
    let found = at;
    for (let x = this.#start[b]!; x < end; x++) {
      if (groupOf[x]! < 0) continue;
      const delta = toPivotOf[x]!;
      const bound = Math.abs(toPivot - delta) - slack * (toPivot + delta) - 2 * tolerance;
      if (bound < distance[x]! * pruneSlack + tolerance) out[found++] = x;
    }
    return found - at;
  }

  /** Recomputes cell b's farthest distance after its rows moved (distances only fall). */
  settle(b: number, distance: Float64Array, groupOf: Int32Array): void {
    const end = this.#start[b + 1]!;
    let farthest = -1;
    for (let x = this.#start[b]!; x < end; x++) if (groupOf[x]! >= 0 && distance[x]! > farthest) farthest = distance[x]!;
    this.#farthest[b] = farthest;
  }
}

/**
 * Whether a center at distance toPivot from a run's pivot may move any of its rows: those in
 * play lie within `reach` of the pivot, at most `farthest` from the chosen set (−1: none in
 * play). `slack` is the distances' relative slack (relativeSlack), `pruneSlack` and `tolerance`
 * the caller's test `bound ≥ d·pruneSlack + tolerance`. kcenter-cells.ts's blocks use it too.
 */
export function runMayMove(toPivot: number, reach: number, farthest: number, slack: number, pruneSlack: number, tolerance: number): boolean {
  if (farthest < 0) return false;
  const bound = toPivot - reach - slack * (toPivot + reach) - 2 * tolerance;
  return bound < farthest * pruneSlack + tolerance;
}

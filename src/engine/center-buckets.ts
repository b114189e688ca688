/**
 * An index over the chosen centers, so that a new center meets only the groups it can affect
 * (center-groups.ts), not all k of them: with k = 100,000 centers, visiting every group per
 * pick is the k² term that dominates large batches.
 *
 * A few early centers serve as anchors; every later group sits in the bucket of its nearest
 * anchor a, with δ_g = d(c_g, a). A group is affected by a new center c only when
 * d(c, c_g) < 2·r_g (its radius; see center-groups.ts), and d(c, c_g) ≥ |d(c, a) - δ_g|, so:
 * - a bucket whose groups all lie at δ ≤ reach, with radii ≤ widest, is skipped whole when
 *   d(c, a) - reach ≥ 2·widest;
 * - within a visited bucket a group is skipped when |d(c, a) - δ_g| ≥ 2·r_g.
 * Both tests carry the same rounding slack as the pruning they feed, so a skip never changes
 * a selection. The cost per pick is the anchors plus the groups in the buckets near c.
 */
import { distancesFrom, relativeSlack, type MetricSpace } from "./metric-space.ts";

/** Anchors: the first centers chosen (spread like the data, farthest-first for k-center). */
const ANCHORS = 256;

export class CenterBuckets {
  readonly anchors: Uint32Array;
  /** Per bucket: its groups (indices into the groups array), the largest δ and an upper bound on their radii. */
  readonly #members: Int32Array[];
  readonly #memberCount: Int32Array;
  readonly #reach: Float64Array;
  readonly #widest: Float64Array;
  /** Per group: δ_g to its bucket's anchor (NaN for groups outside the index). */
  #offset = new Float64Array(1024).fill(NaN);
  #candidates = new Int32Array(1024);
  #toAnchors: Float64Array;
  readonly #slack: number;

  /** anchorRows: pool rows of the anchors; relativeError and tolerance: the space's distance error. */
  constructor(anchorRows: Uint32Array, private readonly space: MetricSpace, private readonly tolerance: number) {
    this.anchors = anchorRows;
    const p = anchorRows.length;
    this.#members = Array.from({ length: p }, () => new Int32Array(16));
    this.#memberCount = new Int32Array(p);
    this.#reach = new Float64Array(p);
    this.#widest = new Float64Array(p);
    this.#slack = relativeSlack(space);
    this.#toAnchors = new Float64Array(p);
  }

  static anchorCount(): number {
    return ANCHORS;
  }

  /** Distances from pool row c to every anchor; the array is reused by the next call. */
  anchorDistances(c: number): Float64Array {
    const p = this.anchors.length, out = this.#toAnchors;
    const measured = distancesFrom(this.space, c, this.anchors, p);
    for (let a = 0; a < p; a++) out[a] = measured[a]!;
    return out;
  }

  /** Registers group `index` (center c, radius r) with its center's anchor distances. */
  add(index: number, toAnchors: Float64Array, radius: number): void {
    let a = 0;
    for (let j = 1; j < toAnchors.length; j++) if (toAnchors[j]! < toAnchors[a]!) a = j;
    if (index >= this.#offset.length) {
      const grown = new Float64Array(Math.max(2 * this.#offset.length, index + 1)).fill(NaN);
      grown.set(this.#offset);
      this.#offset = grown;
    }
    this.#offset[index] = toAnchors[a]!;
    let list = this.#members[a]!;
    const count = this.#memberCount[a]!;
    if (count === list.length) {
      const grown = new Int32Array(2 * count);
      grown.set(list);
      list = this.#members[a] = grown;
    }
    list[count] = index;
    // Groups of a bucket stay in index order: they are added in index order.
    this.#memberCount[a] = count + 1;
    if (toAnchors[a]! > this.#reach[a]!) this.#reach[a] = toAnchors[a]!;
    if (radius > this.#widest[a]!) this.#widest[a] = radius;
  }

  /**
   * Indexed groups that center c (at distances `toAnchors` from the anchors) may affect, in
   * ascending order; `radius(g)` is group g's current radius (-1 when empty: dropped for good).
   * Prune slack: the caller's test `gap ≥ 2·r·pruneSlack + tolerance`.
   */
  candidates(toAnchors: Float64Array, radius: (group: number) => number, pruneSlack: number): Int32Array {
    let found = 0;
    const slack = this.#slack, tolerance = this.tolerance;
    for (let a = 0; a < this.anchors.length; a++) {
      const count = this.#memberCount[a]!;
      if (count === 0) continue;
      const da = toAnchors[a]!;
      // Lower bound on d(c, c_g) for every g in the bucket, less the rounding of both distances.
      const bucketGap = da - this.#reach[a]! - slack * (da + this.#reach[a]!) - 2 * tolerance;
      if (bucketGap >= 2 * this.#widest[a]! * pruneSlack + tolerance) continue;
      const list = this.#members[a]!;
      let kept = 0, widest = 0;
      for (let m = 0; m < count; m++) {
        const g = list[m]!;
        const r = radius(g);
        if (r < 0) continue; // empty for good: members only ever leave a group
        list[kept++] = g;
        if (r > widest) widest = r;
        const offset = this.#offset[g]!;
        const gap = Math.abs(da - offset) - slack * (da + offset) - 2 * tolerance;
        if (gap >= 2 * r * pruneSlack + tolerance) continue;
        if (found === this.#candidates.length) {
          const grown = new Int32Array(2 * found);
          grown.set(this.#candidates);
          this.#candidates = grown;
        }
        this.#candidates[found++] = g;
      }
      this.#memberCount[a] = kept;
      this.#widest[a] = widest; // radii only shrink: the bound tightens to the current ones
    }
    return this.#candidates.subarray(0, found).sort();
  }
}

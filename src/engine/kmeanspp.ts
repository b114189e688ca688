/**
 * k-means++ seeding (Arthur & Vassilvitskii, SODA 2007) as BADGE uses it: the first center is
 * given, each next one is drawn with probability proportional to its squared distance to the
 * nearest center chosen so far.
 *
 * Distances are kept up to date with the grouped, triangle-inequality-pruned updates that
 * k-center uses (center-groups.ts): only rows a new center actually moved get new weights.
 * Draws go through a Fenwick tree over whole-number weights (D² scaled to integers), in
 * original row order: a draw costs O(log n), and which row it lands on does not depend on
 * where rows sit in memory (locality.ts may reorder them).
 *
 * A chosen row has weight 0, so no row is drawn twice. When every remaining row sits on a
 * center (all weights 0) the next one is drawn uniformly from the remaining rows.
 */
import { addCenter, initialGroups } from "./center-groups.ts";
import type { MetricSpace } from "./metric-space.ts";
import { WeightedSampler } from "./weighted-sampler.ts";
import type { Rng } from "../rng.ts";

export interface KMeansPPOptions {
  /** First center (a position in the space). */
  firstPick: number;
  rng: Rng;
  selectable: Uint8Array | null;
  /** Absolute rounding error of the space's distances. */
  tolerance: number;
  onProgress?: (picked: number, total: number) => void;
  /** When rows were reordered for locality: each position's original row. */
  originalIndex?: Uint32Array | null;
}

export interface KMeansPPResult {
  /** Positions in the space, in pick order. */
  picks: Uint32Array;
  /** Distance of each pick to the nearest earlier pick when it was drawn (the first: 0). */
  distances: Float64Array;
  evaluations: number;
}

export function kMeansPlusPlus(space: MetricSpace, k: number, options: KMeansPPOptions): KMeansPPResult {
  const n = space.size;
  const original = options.originalIndex ?? null;
  const key = (position: number) => (original ? original[position]! : position);
  const positionOf = original ? new Uint32Array(n) : null;
  if (original && positionOf) for (let p = 0; p < n; p++) positionOf[original[p]!] = p;
  const state = initialGroups(n, null, options.selectable, original);
  const { distance } = state;

  const weights = new WeightedSampler(n);
  const remaining = new WeightedSampler(n); // 1 per row that can still be drawn
  for (let p = 0; p < n; p++) if (!options.selectable || options.selectable[p]) remaining.set(key(p), 1);
  // Whole-number weights: ⌊D² · scale⌋, with the scale keeping every total below 2^53.
  const ceiling = Math.min(2 ** 31, 2 ** 52 / Math.max(n, 1));
  let scale = 0;
  const quantise = (d: number) => Math.floor(d * d * scale);

  const picks: number[] = [];
  const pickDistances: number[] = [];
  let c = options.firstPick;
  while (picks.length < k && c >= 0) {
    pickDistances.push(picks.length === 0 ? 0 : distance[c]!);
    picks.push(c);
    addCenter(state, c, space, null, options.tolerance);
    remaining.set(key(c), 0);
    weights.set(key(c), 0);
    const moved = state.groups[state.groups.length - 1]!;
    if (scale === 0 || weights.total < 2 ** 20) {
      // First center, or the weights have shrunk to where rounding would matter: rescale all.
      let largest = 0;
      for (let p = 0; p < n; p++) if (remaining.weight(key(p)) > 0 && distance[p]! > largest) largest = distance[p]!;
      scale = largest > 0 ? ceiling / (largest * largest) : 0;
      for (let p = 0; p < n; p++) if (remaining.weight(key(p)) > 0) weights.set(key(p), quantise(distance[p]!));
    } else {
      for (let m = 0; m < moved.size; m++) {
        const p = moved.items[m]!;
        weights.set(key(p), quantise(distance[p]!));
      }
    }
    options.onProgress?.(picks.length, k);
    if (picks.length === k || remaining.total === 0) break;
    const drawn = weights.total > 0
      ? weights.find(Math.floor(options.rng.nextFloat() * weights.total))
      : remaining.find(options.rng.nextInt(remaining.total));
    c = positionOf ? positionOf[drawn]! : drawn;
  }
  return { picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), evaluations: state.evaluations };
}

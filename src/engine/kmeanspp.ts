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
import { addCenter, initialGroups, type LargeBatchLimits } from "./center-groups.ts";
import { coverageOf } from "./kcenter.ts";
import type { MetricSpace, SeedState } from "./metric-space.ts";
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
  /** Class quotas by position: a class that reaches its quota is drawn no more. */
  quotas?: { classOf: Int32Array; quotas: Int32Array } | null;
  /**
   * Per position, how many rows a candidate stands for (the merge of a multi-host run): draws
   * are ∝ weight · D², k-means‖'s weighted seeding (Bahmani et al., PVLDB 2012). Default 1.
   */
  weights?: Float64Array | null;
  /**
   * MIN_DISTANCE in another space (the vectors, while k-means++ runs on gradients): rows that
   * close to a pick or a seed are drawn no more; the loop stops when none is left.
   */
  minDistance?: { space: MetricSpace; seeds: SeedState | null; distance: number } | null;
  /** When the large-batch indexes take over (default LARGE_BATCH_LIMITS; tests lower them). */
  limits?: LargeBatchLimits;
}

export interface KMeansPPResult {
  /** Positions in the space, in pick order. */
  picks: Uint32Array;
  /** True when MIN_DISTANCE left no row to draw before k picks. */
  stoppedEarly: boolean;
  /** Per pick, when the loop ended: the rows nearest it (itself included) and their farthest distance. */
  coverage: { sizes: Uint32Array; radii: Float64Array };
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
  const state = initialGroups(n, null, options.selectable, original, null, options.limits);
  const { distance } = state;

  const weights = new WeightedSampler(n);
  const remaining = new WeightedSampler(n); // 1 per row that can still be drawn
  for (let p = 0; p < n; p++) if (!options.selectable || options.selectable[p]) remaining.set(key(p), 1);
  // Whole-number weights: ⌊D² · scale⌋, with the scale keeping every total below 2^53.
  const ceiling = Math.min(2 ** 31, 2 ** 52 / Math.max(n, 1));
  let scale = 0;
  const rowWeights = options.weights ?? null;
  const quantise = rowWeights
    ? (d: number, p: number) => Math.floor(d * d * rowWeights[p]! * scale)
    : (d: number, _p: number) => Math.floor(d * d * scale);

  // Rows out of the draw for good: a full class, or too close to a pick (MIN_DISTANCE).
  const out = new Uint8Array(n);
  const retire = (p: number) => { out[p] = 1; remaining.set(key(p), 0); weights.set(key(p), 0); };
  let tooClose = 0;
  const quotas = options.quotas ?? null;
  const taken = quotas ? new Int32Array(quotas.quotas.length) : null;
  if (quotas) for (let p = 0; p < n; p++) if (quotas.quotas[quotas.classOf[p]!]! <= 0) retire(p);
  const guard = options.minDistance ?? null;
  const guardState = guard ? initialGroups(n, guard.seeds, options.selectable) : null;
  if (guard && guardState && guard.seeds) {
    for (let p = 0; p < n; p++) if (!out[p] && guardState.distance[p]! < guard.distance) { retire(p); tooClose++; }
  }

  const picks: number[] = [];
  const pickDistances: number[] = [];
  let stoppedEarly = false;
  let c = out[options.firstPick] ? -1 : options.firstPick;
  while (picks.length < k && c >= 0) {
    pickDistances.push(picks.length === 0 ? 0 : distance[c]!);
    picks.push(c);
    addCenter(state, c, space, null, options.tolerance);
    retire(c);
    if (guard && guardState) {
      addCenter(guardState, c, guard.space, guard.seeds);
      const moved = guardState.groups[guardState.groups.length - 1]!;
      for (let m = 0; m < moved.size; m++) {
        const p = moved.items[m]!;
        if (!out[p] && guardState.distance[p]! < guard.distance) { retire(p); tooClose++; }
      }
    }
    if (quotas && taken) {
      const cls = quotas.classOf[c]!;
      if (++taken[cls]! >= quotas.quotas[cls]!) for (let p = 0; p < n; p++) if (!out[p] && quotas.classOf[p] === cls) retire(p);
    }
    const moved = state.groups[state.groups.length - 1]!;
    if (scale === 0 || weights.total < 2 ** 20) {
      // First center, or the weights have shrunk to where rounding would matter: rescale all.
      let largest = 0;
      for (let p = 0; p < n; p++) {
        const mass = distance[p]! * distance[p]! * (rowWeights ? rowWeights[p]! : 1);
        if (remaining.weight(key(p)) > 0 && mass > largest) largest = mass;
      }
      scale = largest > 0 ? ceiling / largest : 0;
      for (let p = 0; p < n; p++) if (remaining.weight(key(p)) > 0) weights.set(key(p), quantise(distance[p]!, p));
    } else {
      for (let m = 0; m < moved.size; m++) {
        const p = moved.items[m]!;
        if (!out[p]) weights.set(key(p), quantise(distance[p]!, p));
      }
    }
    options.onProgress?.(picks.length, k);
    if (picks.length === k) break;
    if (remaining.total === 0) { stoppedEarly = tooClose > 0; break; }
    const drawn = weights.total > 0
      ? weights.find(Math.floor(options.rng.nextFloat() * weights.total))
      : remaining.find(options.rng.nextInt(remaining.total));
    c = positionOf ? positionOf[drawn]! : drawn;
  }
  return {
    picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), evaluations: state.evaluations, stoppedEarly,
    coverage: coverageOf(state, picks.length, null),
  };
}

/**
 * k-means++ seeding (Arthur & Vassilvitskii, SODA 2007) as BADGE uses it: the first center is
 * given, each next one is drawn with probability proportional to its squared distance to the
 * nearest center chosen so far. Distances are kept up to date with the same grouped,
 * triangle-inequality-pruned updates as k-center (center-groups.ts), and the draw walks the
 * groups' weight sums before a group's members, so one draw costs O(groups + group size).
 *
 * A chosen row has distance 0 and leaves every group, so no row is ever drawn twice. When
 * every remaining row sits on a center (all weights 0) the next is drawn uniformly from them.
 */
import { addCenter, initialGroups, type CenterGroups } from "./center-groups.ts";
import type { MetricSpace } from "./metric-space.ts";
import type { Rng } from "../rng.ts";

export interface KMeansPPOptions {
  firstPick: number;
  rng: Rng;
  selectable: Uint8Array | null;
  /** Absolute rounding error of the space's distances. */
  tolerance: number;
  onProgress?: (picked: number, total: number) => void;
}

export interface KMeansPPResult {
  picks: Uint32Array;
  /** Distance of each pick to the nearest earlier pick when it was drawn (the first: 0). */
  distances: Float64Array;
  evaluations: number;
}

export function kMeansPlusPlus(space: MetricSpace, k: number, options: KMeansPPOptions): KMeansPPResult {
  const state = initialGroups(space.size, null, options.selectable);
  const picks: number[] = [];
  const pickDistances: number[] = [];
  let c = options.firstPick;
  let remaining = state.groups[0]!.size;
  while (picks.length < k && remaining > 0) {
    pickDistances.push(picks.length === 0 ? 0 : state.distance[c]!);
    picks.push(c);
    addCenter(state, c, space, null, options.tolerance);
    remaining--;
    options.onProgress?.(picks.length, k);
    if (picks.length < k && remaining > 0) c = draw(state, options.rng, remaining);
  }
  return { picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), evaluations: state.evaluations };
}

/** One row drawn with probability ∝ distance², or uniformly when all distances are 0. */
function draw(state: CenterGroups, rng: Rng, remaining: number): number {
  const { groups, distance } = state;
  let total = 0;
  for (const g of groups) total += g.weight;
  if (total > 0) {
    let u = rng.nextFloat() * total;
    let last = -1;
    for (const g of groups) {
      if (g.weight <= 0) continue;
      if (u >= g.weight) { u -= g.weight; last = lastWeighted(g.items, g.size, distance); continue; }
      for (let m = 0; m < g.size; m++) {
        const i = g.items[m]!;
        const w = distance[i]! * distance[i]!;
        if (w <= 0) continue;
        if (u < w) return i;
        u -= w;
        last = i;
      }
    }
    return last; // u fell past the end by rounding: the last row with weight
  }
  let target = rng.nextInt(remaining);
  for (const g of groups) {
    if (target < g.size) return g.items[target]!;
    target -= g.size;
  }
  throw new Error("kMeansPlusPlus: no row left to draw"); // unreachable: remaining > 0
}

function lastWeighted(items: Uint32Array, size: number, distance: Float64Array): number {
  for (let m = size - 1; m >= 0; m--) if (distance[items[m]!]! > 0) return items[m]!;
  return -1;
}

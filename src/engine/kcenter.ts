/**
 * Greedy k-center (Gonzalez 1985), the core-set selection of Sener & Savarese (ICLR 2018):
 * repeatedly pick the point farthest from everything chosen so far, labelled rows included.
 *
 * Departs from the textbook loop in cost, not result: points are grouped by nearest center
 * and pruned by the triangle inequality (center-groups.ts). `kCenterPlain` keeps the textbook
 * loop as the reference the tests and benches compare against.
 */
import { addCenter, initialGroups, type Group } from "./center-groups.ts";
import type { MetricSpace, SeedState } from "./metric-space.ts";

export interface KCenterOptions {
  /** Distances to the labelled rows; without it the first pick is `firstPick`. */
  seeds: SeedState | null;
  /** Per point, 1 when it may be picked; other rows play no part. */
  selectable: Uint8Array | null;
  /** First center when there are no seeds (see strategies/diversity.ts for the choice). */
  firstPick: number;
  /** Stop once the farthest point is closer than this (0 never stops early). */
  minDistance: number;
  /** Absolute rounding error of the space's distances (0 for directly summed distances). */
  tolerance?: number;
  onProgress?: (picked: number, total: number) => void;
  /** When rows were reordered for locality (locality.ts): each row's original index, for ties. */
  tieKey?: Uint32Array | null;
}

export interface KCenterResult {
  picks: Uint32Array;
  /** Distance of each pick to the chosen set when it was picked; a seedless first pick: the radius it covers. */
  distances: Float64Array;
  /** Distance measurements made in the greedy loop (the plain loop makes one per point per pick). */
  evaluations: number;
  /** The farthest remaining distance when the loop stopped early for minDistance, else null. */
  stoppedAt: number | null;
}

export function kCenterGreedy(space: MetricSpace, k: number, options: KCenterOptions): KCenterResult {
  const tieKey = options.tieKey ?? null;
  const state = initialGroups(space.size, options.seeds, options.selectable, tieKey);
  const picks: number[] = [];
  const pickDistances: number[] = [];
  let stoppedAt: number | null = null;
  while (picks.length < k) {
    const best = farthestGroup(state.groups, tieKey);
    if (best === null) break; // every selectable point is picked
    let c = best.farthest;
    let pickDistance = best.radius;
    // Read before addCenter: it refreshes `best`, so best.radius is no longer ∞ afterwards.
    const seedlessFirst = pickDistance === Infinity;
    if (seedlessFirst) { c = options.firstPick; pickDistance = 0; }
    // The first pick has no chosen set to be far from; MIN_DISTANCE applies from the second.
    if (!seedlessFirst && options.minDistance > 0 && pickDistance < options.minDistance) { stoppedAt = pickDistance; break; }
    picks.push(c);
    pickDistances.push(pickDistance);
    addCenter(state, c, space, options.seeds, options.tolerance ?? 0);
    // A seedless first pick has no distance to a chosen set; its score is the radius it covers.
    if (seedlessFirst) {
      pickDistances[0] = Math.max(0, farthestGroup(state.groups, tieKey)?.radius ?? 0);
    }
    options.onProgress?.(picks.length, k);
  }
  return { picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), evaluations: state.evaluations, stoppedAt };
}

/** The group holding the farthest point overall (ties: the lowest row index). */
function farthestGroup(groups: readonly Group[], tieKey: Uint32Array | null): Group | null {
  let best: Group | null = null;
  for (const g of groups) {
    if (g.size === 0) continue;
    if (best === null || g.radius > best.radius ||
      (g.radius === best.radius && (tieKey ? tieKey[g.farthest]! < tieKey[best.farthest]! : g.farthest < best.farthest))) best = g;
  }
  return best;
}

/** The textbook loop: measure every point against every new center. */
export function kCenterPlain(space: MetricSpace, k: number, options: KCenterOptions): KCenterResult {
  const n = space.size;
  const { seeds, selectable } = options;
  const hasSeeds = seeds !== null && seeds.count > 0;
  const distance = hasSeeds ? Float64Array.from(seeds.nearestDistance) : new Float64Array(n).fill(Infinity);
  const picked = new Uint8Array(n);
  const picks: number[] = [];
  const pickDistances: number[] = [];
  let evaluations = 0;
  let stoppedAt: number | null = null;
  while (picks.length < k) {
    let c = -1, far = -1;
    for (let i = 0; i < n; i++) {
      if (picked[i] || (selectable && !selectable[i])) continue;
      if (distance[i]! > far) { far = distance[i]!; c = i; }
    }
    if (c === -1) break;
    const seedlessFirst = far === Infinity;
    if (seedlessFirst) { c = options.firstPick; far = 0; }
    if (!seedlessFirst && options.minDistance > 0 && far < options.minDistance) { stoppedAt = far; break; }
    picks.push(c);
    pickDistances.push(far);
    picked[c] = 1;
    distance[c] = 0;
    let covered = 0;
    for (let i = 0; i < n; i++) {
      if (picked[i] || (selectable && !selectable[i])) continue;
      const e = space.distance(c, i);
      evaluations++;
      if (e < distance[i]!) distance[i] = e;
      if (distance[i]! > covered) covered = distance[i]!;
    }
    if (!hasSeeds && picks.length === 1) pickDistances[0] = covered;
  }
  return { picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), evaluations, stoppedAt };
}

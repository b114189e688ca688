/**
 * Greedy k-center (Gonzalez 1985), the core-set selection of Sener & Savarese (ICLR 2018):
 * repeatedly pick the point farthest from everything chosen so far, labelled rows included.
 *
 * Departs from the textbook loop in cost, not result: points are grouped by nearest center
 * and pruned by the triangle inequality (center-groups.ts). `kCenterPlain` keeps the textbook
 * loop as the reference the tests and benches compare against.
 */
import { addCenter, bestGroup, dropRows, initialGroups, LARGE_BATCH_LIMITS, largestDistance, type CenterGroups, type LargeBatchLimits, type Priority } from "./center-groups.ts";
import { kCenterByCells } from "./kcenter-cells.ts";
import type { MetricSpace, SeedState } from "./metric-space.ts";

export interface KCenterOptions {
  /** Distances to the labelled rows; without it the first pick is `firstPick`. */
  seeds: SeedState | null;
  /** Per point, 1 when it may be picked; other rows play no part. */
  selectable: Uint8Array | null;
  /** First center when there are no seeds and no priority (see strategies/diversity.ts). */
  firstPick: number;
  /** No pick closer than this to the chosen set (and labelled rows); 0 = off. Stops the loop when nothing is left. */
  minDistance: number;
  /** Absolute rounding error of the space's distances (0 for directly summed distances). */
  tolerance?: number;
  onProgress?: (picked: number, total: number) => void;
  /** When rows were reordered for locality (locality.ts): each row's original index, for ties. */
  tieKey?: Uint32Array | null;
  /**
   * What to maximise instead of the distance (hybrid selection): called with the distance to
   * the chosen set, ∞ before any center exists. Must not rise as the distance falls.
   */
  priority?: Priority | null;
  /** Class quotas: classOf[row] indexes quotas; a class that reaches its quota leaves the loop. */
  quotas?: { classOf: Int32Array; quotas: Int32Array } | null;
  /** When the large-batch indexes take over (default LARGE_BATCH_LIMITS; tests lower them). */
  limits?: LargeBatchLimits;
}

export interface KCenterResult {
  picks: Uint32Array;
  /** Distance of each pick to the chosen set when it was picked; a seedless first pick: the radius it covers. */
  distances: Float64Array;
  /** The largest distance to the chosen set among candidate rows when each pick was made. */
  radii: Float64Array;
  /** Distance measurements made in the greedy loop (the plain loop makes one per point per pick). */
  evaluations: number;
  /** Rows the space's cheap batched bounds screened before measuring (projection.ts); 0 without them. */
  screened: number;
  /** When MIN_DISTANCE ended the loop early: the largest distance left among candidates; else null. */
  stoppedAt: number | null;
  /** Per pick, when the loop ended: the rows nearest it (itself included) and their farthest distance. */
  coverage: { sizes: Uint32Array; radii: Float64Array };
  /** The largest distance from a candidate left unpicked to its nearest pick or seed (the covering radius). */
  finalRadius: number;
}

export function kCenterGreedy(space: MetricSpace, k: number, options: KCenterOptions): KCenterResult {
  // Plain core-set on cells from the start: each pick one job for every thread (kcenter-cells.ts).
  const plain = !options.priority && !(options.minDistance > 0) && !options.quotas;
  const byCells = plain && (options.limits ?? LARGE_BATCH_LIMITS).cellsFrom <= 1 ? kCenterByCells(space, k, options) : null;
  if (byCells) return byCells;
  const tieKey = options.tieKey ?? null;
  const { minDistance } = options;
  const userPriority = options.priority ?? null;
  // Rows closer than MIN_DISTANCE can never be picked (distances only fall): priority -1.
  const priority: Priority | null = minDistance > 0 || userPriority
    ? (row, d) => (d < minDistance ? -1 : userPriority ? userPriority(row, d) : d)
    : null;
  const state = initialGroups(space.size, options.seeds, options.selectable, tieKey, priority, options.limits);
  const quotas = options.quotas ?? null;
  const taken = quotas ? new Int32Array(quotas.quotas.length) : null;
  if (quotas) dropRows(state, (row) => quotas.quotas[quotas.classOf[row]!]! <= 0);
  const picks: number[] = [];
  const pickDistances: number[] = [];
  const radii: number[] = [];
  let stoppedAt: number | null = null;
  while (picks.length < k) {
    const best = bestGroup(state);
    if (best === null) break; // every candidate is picked or its class is full
    let c = best.best;
    let pickDistance = state.distance[c]!;
    // Read before addCenter, which refreshes the groups. Seedless k-center starts at firstPick.
    const seedlessFirst = pickDistance === Infinity;
    if (seedlessFirst && userPriority === null && state.groupOf[options.firstPick]! >= 0) c = options.firstPick;
    if (seedlessFirst) pickDistance = 0;
    if (best.bestPriority < 0) { stoppedAt = largestDistance(state); break; } // all left are too close
    // For k-center the best row is the farthest one; only a priority needs the separate scan.
    radii.push(userPriority ? largestDistance(state) : best.radius);
    picks.push(c);
    pickDistances.push(pickDistance);
    addCenter(state, c, space, options.seeds, options.tolerance ?? 0);
    // A seedless first pick has no distance to a chosen set; its score is the radius it covers.
    if (seedlessFirst) radii[0] = pickDistances[0] = largestDistance(state);
    if (quotas && taken) {
      const cls = quotas.classOf[c]!;
      if (++taken[cls]! >= quotas.quotas[cls]!) dropRows(state, (row) => quotas.classOf[row] === cls);
    }
    options.onProgress?.(picks.length, k);
  }
  return {
    picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), radii: Float64Array.from(radii),
    evaluations: state.evaluations, screened: state.screened, stoppedAt, coverage: coverageOf(state, picks.length, options.seeds), finalRadius: largestDistance(state),
  };
}

/** Group j+first belongs to pick j: seeds' groups (or the one "no center yet" group) come first. */
export function coverageOf(state: CenterGroups, picks: number, seeds: SeedState | null): { sizes: Uint32Array; radii: Float64Array } {
  const first = seeds && seeds.count > 0 ? seeds.count : 1;
  const sizes = new Uint32Array(picks), radii = new Float64Array(picks);
  for (let j = 0; j < picks; j++) {
    const g = state.groups[first + j]!;
    sizes[j] = g.size + 1;
    radii[j] = Math.max(0, g.radius);
  }
  return { sizes, radii };
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
  return {
    picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), radii: new Float64Array(0), evaluations, screened: 0, stoppedAt,
    coverage: { sizes: new Uint32Array(0), radii: new Float64Array(0) }, finalRadius: largestUnpicked(distance, picked, selectable),
  };
}

function largestUnpicked(distance: Float64Array, picked: Uint8Array, selectable: Uint8Array | null): number {
  let largest = 0;
  for (let i = 0; i < distance.length; i++) if (!picked[i] && (!selectable || selectable[i]) && distance[i]! > largest) largest = distance[i]!;
  return largest;
}

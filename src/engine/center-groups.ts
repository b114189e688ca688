/**
 * Points grouped by their nearest chosen center, with the triangle-inequality pruning that
 * greedy k-center and k-means++ seeding share (the idea of Elkan, ICML 2003).
 *
 * When a new center c arrives, a point x of center j's group with d(c, c_j) ≥ 2·d(x, c_j)
 * cannot be closer to c (d(c,x) ≥ d(c,c_j) - d(x,c_j) ≥ d(x,c_j)), so it is not measured; a
 * group is skipped whole when d(c, c_j) ≥ 2·(its radius). A skip happens only where the
 * measurement provably could not have changed anything, so results equal the unpruned loop.
 */
import type { MetricSpace, SeedState } from "./metric-space.ts";


/**
 * How much a greedy loop wants a row, given its distance to the chosen set: the distance itself
 * for k-center, a product of objectives for hybrid selection. Negative: never pick this row.
 */
export type Priority = (row: number, distance: number) => number;

export class Group {
  items = new Uint32Array(8);
  size = 0;
  /** Distance of the farthest member; -1 when empty. */
  radius = -1;
  /** The member with the highest priority (ties: lowest tieKey); -1 when empty. */
  best = -1;
  bestPriority = -Infinity;

  /** The center's index in the space's CenterIndex, or -1 (seeds, "no center yet", no index). */
  indexed = -1;

  /** center: a pool row, or a seed index when isSeed, or -1 for "no center yet" (distance ∞). */
  constructor(readonly center: number, readonly isSeed: boolean) {}

  push(i: number): void {
    if (this.size === this.items.length) {
      const bigger = new Uint32Array(this.items.length * 2);
      bigger.set(this.items);
      this.items = bigger;
    }
    this.items[this.size++] = i;
  }

  /** Recomputes radius and the best member; priority null means the distance itself. */
  refresh(distance: Float64Array, tieKey: Uint32Array | null, priority: Priority | null): void {
    let radius = -1, best = -1, bestPriority = -Infinity;
    for (let m = 0; m < this.size; m++) {
      const i = this.items[m]!;
      const d = distance[i]!;
      if (d > radius) radius = d;
      const p = priority ? priority(i, d) : d;
      if (p > bestPriority || (p === bestPriority && (tieKey ? tieKey[i]! < tieKey[best]! : i < best))) { bestPriority = p; best = i; }
    }
    this.radius = radius;
    this.best = best;
    this.bestPriority = bestPriority;
  }
}

export interface CenterGroups {
  groups: Group[];
  /** Per point: distance to its nearest chosen center (∞ before the first one). */
  distance: Float64Array;
  /** Per point: index into groups of the group holding it (-1 once it is a center or not selectable). */
  groupOf: Int32Array;
  /** Distance measurements made so far. */
  evaluations: number;
  /** Rows screened by the space's batched lower bounds (lowerBoundMany) before measuring. */
  screened: number;
  /** When rows were reordered for locality: each row's original index, which breaks ties. */
  tieKey: Uint32Array | null;
  /** What the greedy loop maximises (null: the distance, as k-center does). */
  priority: Priority | null;
}

/** Groups for the selectable points: one per seed, or one "no center yet" group. */
export function initialGroups(n: number, seeds: SeedState | null, selectable: Uint8Array | null,
  tieKey: Uint32Array | null = null, priority: Priority | null = null): CenterGroups {
  const distance = new Float64Array(n);
  const groupOf = new Int32Array(n).fill(-1);
  const groups: Group[] = [];
  if (seeds && seeds.count > 0) {
    for (let s = 0; s < seeds.count; s++) groups.push(new Group(s, true));
    for (let i = 0; i < n; i++) {
      if (selectable && !selectable[i]) continue;
      distance[i] = seeds.nearestDistance[i]!;
      groupOf[i] = seeds.nearestSeed[i]!;
      groups[groupOf[i]!]!.push(i);
    }
  } else {
    const all = new Group(-1, false);
    for (let i = 0; i < n; i++) if (!selectable || selectable[i]) { all.push(i); distance[i] = Infinity; groupOf[i] = 0; }
    groups.push(all);
  }
  for (const g of groups) g.refresh(distance, tieKey, priority);
  return { groups, distance, groupOf, evaluations: 0, screened: 0, tieKey, priority };
}

/**
 * Makes pool row c a center: it leaves its group, and every point now closer to c than to its
 * own center moves into c's new group. `tolerance` is the metric's absolute rounding error.
 */
export function addCenter(state: CenterGroups, c: number, space: MetricSpace, seeds: SeedState | null, tolerance = 0): void {
  const { distance, groups, groupOf } = state;
  // Relative slack on pruning tests, so rounding can never skip a point that would move:
  // three distances enter each test, each off by at most the kernel's relative error.
  const PRUNE_SLACK = 1 + 4 * Math.max(space.relativeError ?? 1e-12, 1e-12);
  const anchor = space.anchorDistance;
  const hasLowerBound = space.lowerBound !== undefined;
  const anchorC = anchor ? anchor[c]! : 0;
  const fresh = new Group(c, false);
  const freshIndex = groups.length;
  // c leaves its group first: a pruned group is not scanned, and must not keep c.
  const home = groups[groupOf[c]!]!;
  let at = 0;
  while (home.items[at] !== c) at++;
  home.items.copyWithin(at, at + 1, home.size);
  home.size--;
  distance[c] = 0;
  groupOf[c] = -1;
  home.refresh(distance, state.tieKey, state.priority);
  const bounds = space.centerIndex?.lowerBounds(c) ?? null;
  for (const g of groups) {
    if (g.size === 0) continue;
    if (bounds && g.indexed >= 0 && bounds[g.indexed]! >= 2 * g.radius * PRUNE_SLACK + tolerance) continue;
    const centerGap = g.center === -1 ? Infinity
      : g.isSeed ? seeds!.seedDistance(c, g.center) : space.distance(c, g.center);
    const finiteGap = centerGap !== Infinity;
    if (finiteGap && centerGap >= 2 * g.radius * PRUNE_SLACK + tolerance) continue;
    // First the members the bounds cannot rule out, then one batched measurement of them.
    let need = 0;
    if (toMeasure.length < g.size) toMeasure = new Uint32Array(Math.max(g.size, 2 * toMeasure.length));
    for (let m = 0; m < g.size; m++) {
      const i = g.items[m]!;
      const di = distance[i]!;
      if ((!finiteGap || centerGap < 2 * di * PRUNE_SLACK + tolerance) &&
        (anchor === undefined || Math.abs(anchorC - anchor[i]!) < di * PRUNE_SLACK + tolerance) &&
        (!hasLowerBound || space.lowerBound!(c, i) < di * PRUNE_SLACK + tolerance)) toMeasure[need++] = i;
    }
    if (space.lowerBoundMany && need > 0) {
      // A cheap batched screen (projected coordinates) before the full-length measurements.
      const bounds = space.lowerBoundMany(c, toMeasure, need);
      let kept = 0;
      for (let m = 0; m < need; m++) {
        const i = toMeasure[m]!;
        if (bounds[m]! < distance[i]! * PRUNE_SLACK + tolerance) toMeasure[kept++] = i;
      }
      state.screened += need;
      need = kept;
    }
    const measured = need === 0 ? null : space.distanceMany ? space.distanceMany(c, toMeasure, need) : measureEach(space, c, toMeasure, need);
    state.evaluations += need;
    let kept = 0, next = 0;
    for (let m = 0; m < g.size; m++) {
      const i = g.items[m]!;
      if (next < need && toMeasure[next] === i) {
        const e = measured![next++]!;
        if (e < distance[i]!) { distance[i] = e; fresh.push(i); groupOf[i] = freshIndex; continue; }
      }
      g.items[kept++] = i;
    }
    g.size = kept;
    g.refresh(distance, state.tieKey, state.priority);
  }
  fresh.refresh(distance, state.tieKey, state.priority);
  if (space.centerIndex) fresh.indexed = space.centerIndex.add(c);
  groups.push(fresh);
}

/** Rows a group scan must measure (reused across scans; grown as needed). */
let toMeasure = new Uint32Array(1024);
let measuredEach = new Float64Array(1024);

function measureEach(space: MetricSpace, c: number, rows: Uint32Array, count: number): Float64Array {
  if (measuredEach.length < count) measuredEach = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) measuredEach[i] = space.distance(c, rows[i]!);
  return measuredEach;
}

/** Takes every row `drop` accepts out of the groups (a class whose quota is full): O(rows left). */
export function dropRows(state: CenterGroups, drop: (row: number) => boolean): void {
  for (const g of state.groups) {
    let kept = 0;
    for (let m = 0; m < g.size; m++) {
      const i = g.items[m]!;
      if (drop(i)) state.groupOf[i] = -1;
      else g.items[kept++] = i;
    }
    if (kept !== g.size) {
      g.size = kept;
      g.refresh(state.distance, state.tieKey, state.priority);
    }
  }
}

/** The group holding the best row overall (ties: the lowest tieKey), or null when none is left. */
export function bestGroup(state: CenterGroups): Group | null {
  const tieKey = state.tieKey;
  let best: Group | null = null;
  for (const g of state.groups) {
    if (g.size === 0) continue;
    if (best === null || g.bestPriority > best.bestPriority ||
      (g.bestPriority === best.bestPriority && (tieKey ? tieKey[g.best]! < tieKey[best.best]! : g.best < best.best))) best = g;
  }
  return best;
}

/** The largest distance to the chosen set among the rows still in groups (0 when none). */
export function largestDistance(state: CenterGroups): number {
  let largest = 0;
  for (const g of state.groups) if (g.size > 0 && g.radius > largest) largest = g.radius;
  return largest;
}

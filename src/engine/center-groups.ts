/**
 * Points grouped by their nearest chosen center, with the triangle-inequality pruning that
 * greedy k-center and k-means++ seeding share (the idea of Elkan, ICML 2003).
 *
 * When a new center c arrives, a point x of center j's group with d(c, c_j) ≥ 2·d(x, c_j)
 * cannot be closer to c (d(c,x) ≥ d(c,c_j) - d(x,c_j) ≥ d(x,c_j)), so it is not measured; a
 * group is skipped whole when d(c, c_j) ≥ 2·(its radius). A skip happens only where the
 * measurement provably could not have changed anything, so results equal the unpruned loop.
 */
import { CenterBuckets } from "./center-buckets.ts";
import { GroupHeap } from "./group-heap.ts";
import type { MetricSpace, SeedState } from "./metric-space.ts";

/** Centers from which on new centers meet only the groups the bucket index cannot rule out. */
const BUCKETS_FROM_CENTERS = 1024;


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
  /** Bumped by every refresh: heap entries (group-heap.ts) with an older version are stale. */
  version = 0;

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
    this.version++;
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
  /** Rows screened by the space's batched lower bounds (screenMany) before measuring. */
  screened: number;
  /** When rows were reordered for locality: each row's original index, which breaks ties. */
  tieKey: Uint32Array | null;
  /** What the greedy loop maximises (null: the distance, as k-center does). */
  priority: Priority | null;
  /** Groups by their best row's priority, and by radius: the best group and the largest distance without a scan. */
  byPriority: GroupHeap;
  byRadius: GroupHeap;
  /** Index of the first group whose center is a pool row (seeds' groups, or "no center yet", come before). */
  firstCenterGroup: number;
  /** The index over centers (center-buckets.ts), built once there are many. */
  buckets: CenterBuckets | null;
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
  const state: CenterGroups = {
    groups, distance, groupOf, evaluations: 0, screened: 0, tieKey, priority,
    byPriority: new GroupHeap(), byRadius: new GroupHeap(), firstCenterGroup: groups.length, buckets: null,
  };
  for (let g = 0; g < groups.length; g++) refresh(state, g);
  return state;
}

/** Recomputes group g's radius and best row, and ranks it again. */
function refresh(state: CenterGroups, index: number): void {
  const g = state.groups[index]!;
  g.refresh(state.distance, state.tieKey, state.priority);
  if (g.size === 0) return;
  state.byPriority.push(index, g.version, g.bestPriority, state.tieKey ? state.tieKey[g.best]! : g.best);
  state.byRadius.push(index, g.version, g.radius, index);
}

/** Whether a heap entry still describes its group. */
function current(state: CenterGroups): (group: number, version: number) => boolean {
  return (group, version) => { const g = state.groups[group]!; return g.version === version && g.size > 0; };
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
  const homeIndex = groupOf[c]!;
  const home = groups[homeIndex]!;
  let at = 0;
  while (home.items[at] !== c) at++;
  home.items.copyWithin(at, at + 1, home.size);
  home.size--;
  distance[c] = 0;
  groupOf[c] = -1;
  refresh(state, homeIndex);
  const buckets = state.buckets ?? (groups.length - state.firstCenterGroup >= BUCKETS_FROM_CENTERS ? buildBuckets(state, space, tolerance) : null);
  const toAnchors = buckets ? buckets.anchorDistances(c) : null;
  // With the bucket index, only the groups it cannot rule out; else every group, with the
  // center index's batched bounds (O(k) per pick, fine while k is small).
  const bounds = buckets ? null : space.centerIndex?.lowerBounds(c) ?? null;
  // Rows to measure are gathered from every group c meets, then screened and measured in one
  // batch each (one scan the worker threads can share, threads.ts), then applied group by group.
  let total = 0, segments = 0;
  const collect = (index: number, knownGap = NaN): void => {
    const g = groups[index]!;
    if (g.size === 0) return;
    if (bounds && g.indexed >= 0 && bounds[g.indexed]! >= 2 * g.radius * PRUNE_SLACK + tolerance) return;
    const centerGap = g.center === -1 ? Infinity
      : g.isSeed ? seeds!.seedDistance(c, g.center) : knownGap === knownGap ? knownGap : space.distance(c, g.center);
    const finiteGap = centerGap !== Infinity;
    if (finiteGap && centerGap >= 2 * g.radius * PRUNE_SLACK + tolerance) return;
    // The members the bounds cannot rule out, in the group's order.
    if (batchRows.length < total + g.size) { batchRows = grown(batchRows, total + g.size); batchLimits = new Float64Array(batchRows.length); }
    const start = total;
    for (let m = 0; m < g.size; m++) {
      const i = g.items[m]!;
      const di = distance[i]!;
      if ((!finiteGap || centerGap < 2 * di * PRUNE_SLACK + tolerance) &&
        (anchor === undefined || Math.abs(anchorC - anchor[i]!) < di * PRUNE_SLACK + tolerance) &&
        (!hasLowerBound || space.lowerBound!(c, i) < di * PRUNE_SLACK + tolerance)) { batchLimits[total] = di * PRUNE_SLACK + tolerance; batchRows[total++] = i; }
    }
    if (total === start) return;
    if (segmentGroup.length === segments) { segmentGroup = grown(segmentGroup, segments + 1); segmentEnd = grown(segmentEnd, segments + 1); }
    segmentGroup[segments] = index;
    segmentEnd[segments++] = total;
  };
  if (buckets && toAnchors) {
    for (let index = 0; index < state.firstCenterGroup; index++) collect(index);
    const candidates = buckets.candidates(toAnchors, (index) => (groups[index]!.size > 0 ? groups[index]!.radius : -1), PRUNE_SLACK);
    // The candidates' center gaps in one kernel call (copied out: the members' calls reuse the scratch).
    if (centerRows.length < candidates.length) { centerRows = new Uint32Array(2 * candidates.length); gaps = new Float64Array(2 * candidates.length); }
    for (let m = 0; m < candidates.length; m++) centerRows[m] = groups[candidates[m]!]!.center;
    const measured = space.distanceMany ? space.distanceMany(c, centerRows, candidates.length) : measureEach(space, c, centerRows, candidates.length);
    for (let m = 0; m < candidates.length; m++) gaps[m] = measured[m]!;
    for (let m = 0; m < candidates.length; m++) collect(candidates[m]!, gaps[m]!);
  } else {
    for (let index = 0; index < groups.length; index++) collect(index);
  }
  if (space.screenMany && total > 0) {
    // A cheap batched screen (projected coordinates) before the full-length measurements. It
    // keeps the rows' order, so each segment's survivors are the next ones in its group.
    state.screened += total;
    total = space.screenMany(c, batchRows, batchLimits, total);
    for (let s = 0, kept = 0; s < segments; s++) {
      while (kept < total && groupOf[batchRows[kept]!] === segmentGroup[s]) kept++;
      segmentEnd[s] = kept;
    }
  }
  const measured = total === 0 ? null : space.distanceMany ? space.distanceMany(c, batchRows, total) : measureEach(space, c, batchRows, total);
  state.evaluations += total;
  for (let s = 0, start = 0; measured && s < segments; start = segmentEnd[s++]!) {
    const end = segmentEnd[s]!;
    if (end === start) continue;
    const index = segmentGroup[s]!, g = groups[index]!;
    let kept = 0, next = start;
    for (let m = 0; m < g.size; m++) {
      const i = g.items[m]!;
      if (next < end && batchRows[next] === i) {
        const e = measured[next++]!;
        if (e < distance[i]!) { distance[i] = e; fresh.push(i); groupOf[i] = freshIndex; continue; }
      }
      g.items[kept++] = i;
    }
    // A group nobody left keeps its radius and best row.
    if (kept === g.size) continue;
    g.size = kept;
    refresh(state, index);
  }
  // Once the bucket index serves every pick, the center index is never read again: stop growing it.
  if (space.centerIndex && !buckets) fresh.indexed = space.centerIndex.add(c);
  groups.push(fresh);
  refresh(state, freshIndex);
  if (buckets && toAnchors && fresh.size > 0) buckets.add(freshIndex, toAnchors, fresh.radius);
  // Stale heap entries pile up with every refresh: start afresh when they outnumber the groups.
  if (state.byPriority.size > 4 * groups.length + 1024) rerank(state);
}

/** The bucket index over every center group so far, anchored at the first centers. */
function buildBuckets(state: CenterGroups, space: MetricSpace, tolerance: number): CenterBuckets {
  const { groups, firstCenterGroup } = state;
  const anchorRows = Uint32Array.from(groups.slice(firstCenterGroup, firstCenterGroup + CenterBuckets.anchorCount()), (g) => g.center);
  const buckets = new CenterBuckets(anchorRows, space, tolerance);
  for (let index = firstCenterGroup; index < groups.length; index++) {
    const g = groups[index]!;
    if (g.size > 0) buckets.add(index, buckets.anchorDistances(g.center), g.radius);
  }
  state.buckets = buckets;
  return buckets;
}

function rerank(state: CenterGroups): void {
  state.byPriority.clear();
  state.byRadius.clear();
  for (let index = 0; index < state.groups.length; index++) {
    const g = state.groups[index]!;
    if (g.size === 0) continue;
    state.byPriority.push(index, g.version, g.bestPriority, state.tieKey ? state.tieKey[g.best]! : g.best);
    state.byRadius.push(index, g.version, g.radius, index);
  }
}

/** One pick's rows to measure, group after group; segment s holds group segmentGroup[s]'s, up to segmentEnd[s]. */
let batchRows = new Uint32Array(1024);
/** Per row in batchRows: the distance below which it would move (what a screen must rule out). */
let batchLimits = new Float64Array(1024);
let segmentGroup = new Uint32Array(256);
let segmentEnd = new Uint32Array(256);

/** A copy of `array` with room for at least `size` values (doubling). */
function grown<T extends Uint32Array>(array: T, size: number): T {
  const bigger = new Uint32Array(Math.max(size, 2 * array.length)) as T;
  bigger.set(array);
  return bigger;
}
/** Candidate groups' centers and their distances to the new center. */
let centerRows = new Uint32Array(1024);
let gaps = new Float64Array(1024);
let measuredEach = new Float64Array(1024);

function measureEach(space: MetricSpace, c: number, rows: Uint32Array, count: number): Float64Array {
  if (measuredEach.length < count) measuredEach = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) measuredEach[i] = space.distance(c, rows[i]!);
  return measuredEach;
}

/** Takes every row `drop` accepts out of the groups (a class whose quota is full): O(rows left). */
export function dropRows(state: CenterGroups, drop: (row: number) => boolean): void {
  for (let index = 0; index < state.groups.length; index++) {
    const g = state.groups[index]!;
    let kept = 0;
    for (let m = 0; m < g.size; m++) {
      const i = g.items[m]!;
      if (drop(i)) state.groupOf[i] = -1;
      else g.items[kept++] = i;
    }
    if (kept !== g.size) {
      g.size = kept;
      refresh(state, index);
    }
  }
}

/** The group holding the best row overall (ties: the lowest tieKey), or null when none is left. */
export function bestGroup(state: CenterGroups): Group | null {
  const index = state.byPriority.top(current(state));
  return index < 0 ? null : state.groups[index]!;
}

/** The largest distance to the chosen set among the rows still in groups (0 when none). */
export function largestDistance(state: CenterGroups): number {
  const index = state.byRadius.top(current(state));
  return index < 0 ? 0 : Math.max(0, state.groups[index]!.radius);
}

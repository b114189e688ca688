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
import { CenterCells } from "./center-cells.ts";
import { GroupHeap } from "./group-heap.ts";
import { distancesFrom, pruningTolerance, relativeSlack, type MetricSpace, type RowCells, type SeedState } from "./metric-space.ts";

/** When the indexes over centers take over (tests lower them to reach them on small pools). */
export interface LargeBatchLimits {
  /** Centers from which on new centers meet only the groups the bucket index cannot rule out. */
  bucketsFrom: number;
  /** Centers from which on new centers scan the cells of rows they may affect (center-cells.ts), where the space has cells. */
  cellsFrom: number;
}

/**
 * Cells from the second center on: measured against groups and buckets on 128-column
 * mixtures (100K-1M rows, k=1,000-100,000), 384-column power-law embeddings and the raw
 * Fashion-MNIST images, they measured as many rows or fewer and ran 1.2-2.2x faster,
 * because they read rows front to back. Spaces without cells (no locality order) keep groups.
 */
export const LARGE_BATCH_LIMITS: Readonly<LargeBatchLimits> = Object.freeze({ bucketsFrom: 1024, cellsFrom: 1 });


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
  /** The cells of rows (center-cells.ts), built once limits.cellsFrom centers are chosen (the second pick by default); then every scan goes through them. */
  cells: CenterCells | null;
  /** With cells: each row's place in its group's items, so that a moving row leaves in O(1). */
  slot: Int32Array | null;
  limits: LargeBatchLimits;
}

/** Groups for the selectable points: one per seed, or one "no center yet" group. */
export function initialGroups(n: number, seeds: SeedState | null, selectable: Uint8Array | null,
  tieKey: Uint32Array | null = null, priority: Priority | null = null, limits: LargeBatchLimits = LARGE_BATCH_LIMITS): CenterGroups {
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
    cells: null, slot: null, limits,
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
export function addCenter(state: CenterGroups, c: number, space: MetricSpace, seeds: SeedState | null, callerTolerance = 0): void {
  const { distance, groups, groupOf } = state;
  const tolerance = pruningTolerance(space, callerTolerance);
  const PRUNE_SLACK = 1 + relativeSlack(space);
  const anchor = space.anchorDistance;
  const hasLowerBound = space.lowerBound !== undefined;
  const anchorC = anchor ? anchor[c]! : 0;
  const fresh = new Group(c, false);
  const freshIndex = groups.length;
  // c leaves its group first: a pruned group is not scanned, and must not keep c.
  const homeIndex = groupOf[c]!;
  const home = groups[homeIndex]!;
  if (state.slot) leave(state, c);
  else {
    let at = 0;
    while (home.items[at] !== c) at++;
    home.items.copyWithin(at, at + 1, home.size);
    home.size--;
  }
  distance[c] = 0;
  groupOf[c] = -1;
  refresh(state, homeIndex);
  const centers = groups.length - state.firstCenterGroup;
  const cells = state.cells ?? (space.cells && centers >= state.limits.cellsFrom ? buildCells(state, space, space.cells, tolerance) : null);
  if (cells) {
    scanCells(state, cells, c, space, fresh, PRUNE_SLACK, tolerance);
    groups.push(fresh);
    refresh(state, freshIndex);
    if (state.byPriority.size > 4 * groups.length + 1024) rerank(state);
    return;
  }
  const buckets = state.buckets ?? (centers >= state.limits.bucketsFrom ? buildBuckets(state, space, tolerance) : null);
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
    const measured = distancesFrom(space, c, centerRows, candidates.length);
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
  const measured = total === 0 ? null : distancesFrom(space, c, batchRows, total);
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

/** Takes row x out of its group in O(1) (with cells: order within a group does not matter). */
function leave(state: CenterGroups, x: number): void {
  const slot = state.slot!;
  const g = state.groups[state.groupOf[x]!]!;
  const at = slot[x]!, last = g.items[--g.size]!;
  g.items[at] = last;
  slot[last] = at;
}

/** The cells over the rows, and each row's place in its group: from now on scans go by cells. */
function buildCells(state: CenterGroups, space: MetricSpace, layout: RowCells, tolerance: number): CenterCells {
  const slot = new Int32Array(state.distance.length).fill(-1);
  for (const g of state.groups) for (let m = 0; m < g.size; m++) slot[g.items[m]!] = m;
  state.slot = slot;
  state.cells = new CenterCells(space, layout, state.distance, state.groupOf, tolerance);
  return state.cells;
}

/**
 * Center c's scan by cells: the rows the cells' bounds keep are gathered from every cell c
 * may affect, screened and measured in one batch each (one scan the worker threads can
 * share), and the rows now nearer to c move to its group `fresh`. A group is refreshed only
 * when its farthest or best row left: otherwise its radius and best row stand.
 */
function scanCells(state: CenterGroups, cells: CenterCells, c: number, space: MetricSpace, fresh: Group,
  pruneSlack: number, tolerance: number): void {
  const { distance, groupOf, groups } = state;
  const slot = state.slot!;
  const freshIndex = groups.length;
  const anchor = space.anchorDistance;
  const anchorC = anchor ? anchor[c]! : 0;
  const toPivots = cells.pivotDistances(c);
  let total = 0, segments = 0;
  for (let b = 0; b < cells.count; b++) {
    const toPivot = toPivots[b]!;
    if (!cells.mayAffect(b, toPivot, pruneSlack)) continue;
    const start = total, size = cells.end(b) - cells.start(b);
    if (batchRows.length < total + size) { batchRows = grown(batchRows, total + size); batchLimits = new Float64Array(batchRows.length); }
    let need = cells.candidates(b, toPivot, distance, groupOf, pruneSlack, batchRows, start);
    if (need > 0 && (anchor !== undefined || space.lowerBound !== undefined)) {
      let kept = start;
      for (let m = start; m < start + need; m++) {
        const i = batchRows[m]!, di = distance[i]!;
        if ((anchor === undefined || Math.abs(anchorC - anchor[i]!) < di * pruneSlack + tolerance) &&
          (space.lowerBound === undefined || space.lowerBound(c, i) < di * pruneSlack + tolerance)) batchRows[kept++] = i;
      }
      need = kept - start;
    }
    if (need > 0 && !space.screenMany) {
      // Most of a stretch kept: read all of it in order, which the prefetcher makes cheaper
      // than skipping rows; the extra measurements are exact and move no row they should not.
      const first = batchRows[start]!, span = batchRows[start + need - 1]! - first + 1;
      if (2 * need >= span) {
        for (let m = 0; m < span; m++) batchRows[start + m] = first + m;
        need = span;
      }
    }
    if (need === 0) continue;
    total = start + need;
    if (segmentGroup.length === segments) { segmentGroup = grown(segmentGroup, segments + 1); segmentEnd = grown(segmentEnd, segments + 1); }
    segmentGroup[segments] = b; // here: the cell
    segmentEnd[segments++] = total;
  }
  if (space.screenMany && total > 0) {
    // A cheap batched screen (projected coordinates) before the full-length measurements. It
    // keeps the rows' order, so each segment's survivors are the next ones in its cell.
    for (let m = 0; m < total; m++) batchLimits[m] = distance[batchRows[m]!]! * pruneSlack + tolerance;
    state.screened += total;
    total = space.screenMany(c, batchRows, batchLimits, total);
    for (let s = 0, kept = 0; s < segments; s++) {
      const end = cells.end(segmentGroup[s]!);
      while (kept < total && batchRows[kept]! < end) kept++;
      segmentEnd[s] = kept;
    }
  }
  if (total === 0) return;
  const measured = distancesFrom(space, c, batchRows, total);
  state.evaluations += total;
  const touched: number[] = [];
  for (let s = 0, start = 0; s < segments; start = segmentEnd[s++]!) {
    if (moveNearer(state, batchRows, measured, start, segmentEnd[s]!, fresh, freshIndex, touched)) cells.settle(segmentGroup[s]!, distance, groupOf);
  }
  touched.sort((a, b) => a - b);
  for (let t = 0; t < touched.length; t++) if (t === 0 || touched[t] !== touched[t - 1]) refresh(state, touched[t]!);
}

/**
 * Moves rows[from..end) whose measured distance is below their distance to the chosen set into
 * group `fresh`; groups whose farthest or best row left go on `touched`. Whether any moved.
 */
function moveNearer(state: CenterGroups, rows: Uint32Array, measured: Float64Array, from: number, end: number,
  fresh: Group, freshIndex: number, touched: number[]): boolean {
  const { distance, groupOf, groups } = state;
  const slot = state.slot!;
  let moved = false;
  for (let m = from; m < end; m++) {
    const i = rows[m]!, e = measured[m]!;
    const home = groupOf[i]!;
    if (home < 0 || !(e < distance[i]!)) continue;
    const g = groups[home]!;
    if (i === g.best || distance[i]! >= g.radius) touched.push(home);
    leave(state, i);
    distance[i] = e;
    groupOf[i] = freshIndex;
    slot[i] = fresh.size;
    fresh.push(i);
    moved = true;
  }
  return moved;
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

/**
 * One pick's rows to measure, group after group; segment s holds group segmentGroup[s]'s, up
 * to segmentEnd[s] (with cells: cell segmentGroup[s]'s).
 */
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

/** Takes every row `drop` accepts out of the groups (a class whose quota is full): O(rows left). */
export function dropRows(state: CenterGroups, drop: (row: number) => boolean): void {
  for (let index = 0; index < state.groups.length; index++) {
    const g = state.groups[index]!;
    let kept = 0;
    for (let m = 0; m < g.size; m++) {
      const i = g.items[m]!;
      if (drop(i)) state.groupOf[i] = -1;
      else {
        if (state.slot) state.slot[i] = kept;
        g.items[kept++] = i;
      }
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

/**
 * Greedy k-center by cells with each pick one job for every thread: the form kcenter.ts runs
 * for plain core-set (no priority, quotas or MIN_DISTANCE) on a space whose rows lie in a
 * locality order's cells in kernel memory.
 *
 * Why: center-groups.ts's scan by cells (scanCells) gathers the rows each pick may move on the
 * main thread, hands the threads a screen and a measurement, then moves rows and refreshes
 * groups on the main thread again; on two threads about half of a pick stayed serial. Here one
 * kernel (kcenter_cells_many in distance.wat) does a whole pick in each cell: the distance to
 * the cell's pivot, center-cells.ts's bounds, projection.ts's staged screen, the exact
 * distance, the move, and the cell's farthest row again. The threads take cells as they come
 * free; the main thread only picks the farthest of the cells' farthest rows.
 *
 * The same arithmetic as scanCells on the same bytes, so the same picks, distances and
 * coverage as the textbook loop (kCenterPlain) on any thread count. No groups are kept: a
 * row's group is the pick it is nearest to (`nearest`), which is all coverage needs.
 */
import { allocFloat64, allocInt32 } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";
import type { KCenterOptions, KCenterResult } from "./kcenter.ts";
import { distancesFrom, type KernelRows, type KernelScreen, type MetricSpace, type RowCells } from "./metric-space.ts";

/** Byte offsets of the layout the kernel reads (see kcenter_cells_many in distance.wat). */
const AT = {
  starts: 0, deltas: 4, distance: 8, nearest: 12, ties: 16, farthest: 20, best: 24, counters: 28, pivots: 32,
  base: 36, width: 40, dim: 44, kind: 48, fresh: 52, prefilter: 56, prefilterWidth: 60, prefilterDims: 64,
  stages: 68, stageParams: 72, stageWidths: 88, stageDims: 104, reach: 124, pruneSlack: 128, cellSlack: 136, tolerance: 144,
} as const;
const LAYOUT_BYTES = 152;
/** Float32 screen stages the layout has room for. */
const MAX_STAGES = 4;
/** Int32 counters per cell: rows screened, rows entering each stage (slots 1-5), rows measured (slot 7). */
const COUNTERS = 8, SCREENED = 0, MEASURED = 7;

/** The cells' loop, or null where it does not apply (kcenter.ts then runs center-groups.ts's). */
export function kCenterByCells(space: MetricSpace, k: number, options: KCenterOptions): KCenterResult | null {
  const cells = space.cells, rows = space.kernelRows ?? null, screen = space.kernelScreen ?? null;
  if (!cells || !rows || space.anchorDistance || space.lowerBound) return null;
  if (screen && screen.stages.length > MAX_STAGES) return null;
  const scan = CellScan.create(space, cells, rows, screen, options);
  return scan ? scan.run(k, options) : null;
}

class CellScan {
  readonly #n: number;
  readonly #count: number;
  readonly #layout: Int32Array;
  readonly #distance: Float64Array;
  readonly #nearest: Int32Array;
  readonly #ties: Int32Array | null;
  readonly #farthest: Float64Array;
  readonly #best: Int32Array;
  readonly #counters: Int32Array;
  /** The kernel's item list (every cell) and its per-cell output (rows moved), as byte offsets. */
  readonly #jobs: { cellList: number; moved: number };
  /** Groups before the first pick's: one per seed, or the one "no center yet" group. */
  readonly #firstGroup: number;
  /** Values a cell's scan reads, roughly: how runMany judges whether splitting pays. */
  readonly #valuesPerCell: number;

  private constructor(n: number, private readonly screen: KernelScreen | null, memory: Memory, firstGroup: number, valuesPerCell: number) {
    this.#n = n;
    this.#count = memory.farthest.length;
    ({ layout: this.#layout, distance: this.#distance, nearest: this.#nearest, ties: this.#ties, farthest: this.#farthest,
      best: this.#best, counters: this.#counters, jobs: this.#jobs } = memory);
    this.#firstGroup = firstGroup;
    this.#valuesPerCell = valuesPerCell;
  }

  /** The layout in kernel memory with every row in play at its distance to the seeds (∞ without); null when memory is full. */
  static create(space: MetricSpace, cells: RowCells, rows: KernelRows, screen: KernelScreen | null, options: KCenterOptions): CellScan | null {
    const n = space.size, count = cells.pivots.length;
    const memory = allocate(n, count, options.tieKey !== null && options.tieKey !== undefined);
    if (!memory) return null;
    const { layout, distance, nearest, ties } = memory;
    const { seeds, selectable } = options;
    const seeded = seeds !== null && seeds.count > 0;
    for (let i = 0; i < n; i++) {
      if (selectable && !selectable[i]) { nearest[i] = -1; continue; }
      distance[i] = seeded ? seeds.nearestDistance[i]! : Infinity;
      nearest[i] = seeded ? seeds.nearestSeed[i]! : 0;
    }
    if (ties) ties.set(options.tieKey!);
    memory.starts.set(cells.starts);
    memory.pivots.set(cells.pivots);
    // δ_x, each row's distance to its cell's pivot, and per cell the largest δ of a row in play.
    const { deltas, reach } = memory;
    for (let b = 0; b < count; b++) {
      const start = cells.starts[b]!, end = cells.starts[b + 1]!;
      const measured = measureRange(space, cells.pivots[b]!, start, end);
      let largest = 0;
      for (let x = start; x < end; x++) {
        deltas[x] = measured[x - start]!;
        if (nearest[x]! >= 0 && deltas[x]! > largest) largest = deltas[x]!;
      }
      reach[b] = largest;
    }
    const i32 = (at: number, value: number) => { layout[at / 4] = value; };
    const f64 = memory.constants;
    i32(AT.base, rows.base); i32(AT.width, rows.width); i32(AT.dim, rows.dim); i32(AT.kind, rows.kind);
    i32(AT.prefilter, screen?.prefilter?.params ?? 0);
    i32(AT.prefilterWidth, screen?.prefilter?.width ?? 0);
    i32(AT.prefilterDims, screen?.prefilter?.dims ?? 0);
    i32(AT.stages, screen?.stages.length ?? 0);
    screen?.stages.forEach((stage, l) => { i32(AT.stageParams + 4 * l, stage.params); i32(AT.stageWidths + 4 * l, stage.width); i32(AT.stageDims + 4 * l, stage.dims); });
    // The slack of center-groups.ts's pruning tests and of center-cells.ts's pivot bounds.
    const relative = 4 * Math.max(space.relativeError ?? 1e-12, 1e-12);
    f64[AT.pruneSlack / 8] = 1 + relative;
    f64[AT.cellSlack / 8] = relative;
    f64[AT.tolerance / 8] = options.tolerance ?? 0;
    const firstGroup = seeded ? seeds.count : 1;
    // The first screen stage's coordinates where there is a screen (most rows stop there), else whole rows.
    const perRow = screen ? (screen.prefilter?.dims ?? 0) / 4 + (screen.stages[0]?.dims ?? 0) : rows.dim;
    const scan = new CellScan(n, screen, memory, firstGroup, Math.ceil((n / count) * Math.max(1, perRow)));
    for (let b = 0; b < count; b++) scan.#settle(b, cells.starts[b]!, cells.starts[b + 1]!);
    return scan;
  }

  run(k: number, options: KCenterOptions): KCenterResult {
    const picks: number[] = [], pickDistances: number[] = [], radii: number[] = [];
    const distance = this.#distance, nearest = this.#nearest, layout = this.#layout;
    const { cellList, moved } = this.#jobs;
    while (picks.length < k) {
      const cell = this.#farthestCell();
      if (cell < 0) break; // every candidate is picked
      let c = this.#best[cell]!;
      let pickDistance = distance[c]!;
      // Seedless k-center starts at firstPick.
      const seedlessFirst = pickDistance === Infinity;
      if (seedlessFirst && nearest[options.firstPick]! >= 0) c = options.firstPick;
      if (seedlessFirst) pickDistance = 0;
      radii.push(this.#farthest[cell]!);
      picks.push(c);
      pickDistances.push(pickDistance);
      distance[c] = 0;
      nearest[c] = -1;
      layout[AT.fresh / 4] = this.#firstGroup + picks.length - 1;
      // Every cell, one or a few at a time: a pick's work sits in the few cells near it.
      runMany("kcenter_cells_many", c, layout.byteOffset, 0, cellList, this.#count, 0, moved, this.#count * this.#valuesPerCell, this.#count);
      // A seedless first pick has no distance to a chosen set; its score is the radius it covers.
      if (seedlessFirst) radii[0] = pickDistances[0] = this.#largestDistance();
      options.onProgress?.(picks.length, k);
    }
    return this.#result(picks, pickDistances, radii);
  }

  /** The cell holding the farthest row in play (ties: the lowest tie key), or -1 when none is. */
  #farthestCell(): number {
    const farthest = this.#farthest, best = this.#best;
    let cell = -1;
    for (let b = 0; b < this.#count; b++) {
      const far = farthest[b]!;
      if (far < 0) continue;
      if (cell < 0 || far > farthest[cell]! || (far === farthest[cell]! && this.#tie(best[b]!) < this.#tie(best[cell]!))) cell = b;
    }
    return cell;
  }

  #tie(row: number): number {
    return this.#ties ? this.#ties[row]! >>> 0 : row;
  }

  #largestDistance(): number {
    let largest = 0;
    for (let b = 0; b < this.#count; b++) if (this.#farthest[b]! > largest) largest = this.#farthest[b]!;
    return largest;
  }

  /** Cell b's farthest row in play, as the kernel's cell_settle finds it. */
  #settle(b: number, start: number, end: number): void {
    let far = -1, best = -1;
    for (let x = start; x < end; x++) {
      if (this.#nearest[x]! < 0) continue;
      const d = this.#distance[x]!;
      if (d > far || (d === far && this.#tie(x) < this.#tie(best))) { far = d; best = x; }
    }
    this.#farthest[b] = far;
    this.#best[b] = best;
  }

  /** Coverage from each row's nearest pick, and the counters summed over cells. */
  #result(picks: number[], pickDistances: number[], radii: number[]): KCenterResult {
    const sizes = new Uint32Array(picks.length).fill(1), coverRadii = new Float64Array(picks.length);
    for (let i = 0; i < this.#n; i++) {
      const j = this.#nearest[i]! - this.#firstGroup;
      if (j < 0) continue;
      sizes[j]!++;
      if (this.#distance[i]! > coverRadii[j]!) coverRadii[j] = this.#distance[i]!;
    }
    const totals = new Array<number>(COUNTERS).fill(0);
    for (let b = 0; b < this.#count; b++) for (let s = 0; s < COUNTERS; s++) totals[s]! += this.#counters[b * COUNTERS + s]! >>> 0;
    if (this.screen) this.screen.rowsPerStage.forEach((_, s) => { this.screen!.rowsPerStage[s]! += totals[1 + s]!; });
    return {
      picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), radii: Float64Array.from(radii),
      evaluations: totals[MEASURED]!, screened: totals[SCREENED]!, stoppedAt: null,
      coverage: { sizes, radii: coverRadii }, finalRadius: this.#largestDistance(),
    };
  }
}

interface Memory {
  layout: Int32Array;
  distance: Float64Array;
  nearest: Int32Array;
  ties: Int32Array | null;
  farthest: Float64Array;
  best: Int32Array;
  counters: Int32Array;
  jobs: { cellList: number; moved: number };
  /** The layout's float64 view; the cells' starts and pivots, the rows' δ and the cells' reach (filled by create). */
  constants: Float64Array;
  starts: Int32Array;
  pivots: Int32Array;
  deltas: Float64Array;
  reach: Float64Array;
}

/**
 * The kernel's arrays in kernel memory for n rows and `count` cells, their offsets written into
 * the layout; null when memory is full. Kept for the next run (kernel memory is never freed, and
 * simulate runs the loop many times) and reused while large enough.
 */
function allocate(n: number, count: number, withTies: boolean): Memory | null {
  if (!kept || kept.distance.length < n || kept.farthest.length < count) {
    try {
      kept = reserve(Math.max(n, 2 * (kept?.distance.length ?? 0)), Math.max(count, 256));
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
  }
  const { layout } = kept;
  const memory: Memory = {
    layout, constants: kept.constants,
    distance: kept.distance.subarray(0, n), deltas: kept.deltas.subarray(0, n), nearest: kept.nearest.subarray(0, n),
    ties: withTies ? kept.ties.subarray(0, n) : null,
    farthest: kept.farthest.subarray(0, count), reach: kept.reach.subarray(0, count), best: kept.best.subarray(0, count),
    counters: kept.counters.subarray(0, count * COUNTERS).fill(0), starts: kept.starts.subarray(0, count + 1), pivots: kept.pivots.subarray(0, count),
    jobs: { cellList: kept.cellList.byteOffset, moved: kept.moved.byteOffset },
  };
  memory.distance.fill(0);
  const at = (field: number, array: { byteOffset: number } | null) => { layout[field / 4] = array?.byteOffset ?? 0; };
  at(AT.starts, memory.starts); at(AT.deltas, memory.deltas); at(AT.distance, memory.distance); at(AT.nearest, memory.nearest);
  at(AT.ties, memory.ties); at(AT.farthest, memory.farthest); at(AT.best, memory.best); at(AT.counters, memory.counters);
  at(AT.pivots, memory.pivots); at(AT.reach, memory.reach);
  layout.fill(0, AT.base / 4, AT.reach / 4);
  return memory;
}

type Kept = Omit<Memory, "ties" | "jobs"> & { ties: Int32Array; cellList: Int32Array; moved: Float64Array };
let kept: Kept | null = null;

function reserve(n: number, count: number): Kept {
  const constants = allocFloat64(LAYOUT_BYTES / 8);
  const cellList = allocInt32(count);
  for (let b = 0; b < count; b++) cellList[b] = b;
  return {
    constants, layout: new Int32Array(constants.buffer, constants.byteOffset, LAYOUT_BYTES / 4),
    distance: allocFloat64(n), deltas: allocFloat64(n), nearest: allocInt32(n), ties: allocInt32(n),
    farthest: allocFloat64(count), reach: allocFloat64(count), best: allocInt32(count), counters: allocInt32(count * COUNTERS),
    starts: allocInt32(count + 1), pivots: allocInt32(count), cellList, moved: allocFloat64(count),
  };
}

/** Distances from row c to rows start..end-1 (split across the threads when large). */
function measureRange(space: MetricSpace, c: number, start: number, end: number): Float64Array {
  const count = end - start;
  if (rangeRows.length < count) rangeRows = new Uint32Array(2 * count);
  for (let m = 0; m < count; m++) rangeRows[m] = start + m;
  return distancesFrom(space, c, rangeRows, count);
}
let rangeRows = new Uint32Array(1024);

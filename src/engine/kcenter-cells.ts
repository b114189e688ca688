/**
 * Greedy k-center by cells with each pick one job for every thread: the form kcenter.ts runs
 * for plain core-set (no priority, quotas or MIN_DISTANCE) on a space whose rows lie in a
 * locality order's cells in kernel memory.
 *
 * Why: center-groups.ts's scan by cells (scanCells) gathers the rows each pick may move on the
 * main thread, hands the threads a screen and a measurement, then moves rows and refreshes
 * groups on the main thread again; on two threads about half of a pick stayed serial. Here one
 * kernel (kcenter_cells_many in distance.wat) does a whole pick in each block of a cell that
 * the pick may affect: center-cells.ts's bounds, projection.ts's staged screen, the exact
 * distance, the move, and the block's farthest row again. The threads take blocks as they come
 * free. The main thread measures the center against the cells' pivots, lists the blocks whose
 * bound it cannot rule out, and picks the farthest of the blocks' farthest rows.
 *
 * Cells are cut into blocks of at most BLOCK_ROWS rows, each with its own reach and farthest
 * row: on clustered data a pick may affect one or two cells, which blocks share among the
 * threads, and a block's bounds are tighter than its cell's.
 *
 * The arithmetic of scanCells on the same bytes, so the same picks, distances and coverage as
 * the textbook loop (kCenterPlain) on any thread count. No groups are kept: a row's group is the
 * pick it is nearest to (`nearest`), which is all coverage needs.
 */
import { runMayMove } from "./center-cells.ts";
import { allocFloat64, allocInt32 } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";
import type { KCenterOptions, KCenterResult } from "./kcenter.ts";
import { distancesFrom, pruningTolerance, relativeSlack, type KernelRows, type KernelScreen, type MetricSpace, type RowCells } from "./metric-space.ts";

/** Byte offsets of the layout the kernel reads (see $cell_scan in distance.wat). */
const AT = {
  starts: 0, deltas: 4, distance: 8, nearest: 12, ties: 16, farthest: 20, best: 24, counters: 28, cellOf: 32,
  base: 36, width: 40, dim: 44, kind: 48, fresh: 52, prefilter: 56, prefilterWidth: 60, prefilterDims: 64,
  stages: 68, stageParams: 72, stageWidths: 88, stageDims: 104, toPivots: 120, reach: 124, pruneSlack: 128, cellSlack: 136, tolerance: 144,
  wholeRows: 152, wholeRowsWidth: 156, wholeRowsDims: 160, pivots: 168,
} as const;
const LAYOUT_BYTES = 176;
/** Float32 screen stages the layout has room for. */
const MAX_STAGES = 4;
/**
 * Int32 counters per block: rows screened (slot 0), rows entering each stage (slots 1-6: the
 * prefilter, up to four float32 stages, the whole rows), rows measured (slot 7). 16 a block, so
 * that each block's fill a 64-byte cache line of their own: threads taking neighbouring blocks
 * update them row by row.
 */
const COUNTERS = 16, SCREENED = 0, MEASURED = 7;
/** Rows a block holds at most: small enough that one cell's work splits among threads, large enough that the main thread's list per pick stays short. */
const BLOCK_ROWS = 256;

/** The cells' loop, or null where it does not apply (kcenter.ts then runs center-groups.ts's). */
export function kCenterByCells(space: MetricSpace, k: number, options: KCenterOptions): KCenterResult | null {
  const cells = space.cells, rows = space.kernelRows ?? null, screen = space.kernelScreen ?? null;
  if (!cells || !rows || space.anchorDistance || space.lowerBound) return null;
  if (screen && screen.stages.length > MAX_STAGES) return null;
  const scan = CellScan.create(space, cells, rows, screen, options);
  return scan ? scan.run(k, options) : null;
}

class CellScan {
  readonly #blocks: number;
  readonly #memory: Memory;
  /** Groups before the first pick's: one per seed, or the one "no center yet" group. */
  readonly #firstGroup: number;
  /** Values a block's scan reads, roughly: how runMany judges whether splitting pays. */
  readonly #valuesPerBlock: number;
  readonly #pruneSlack: number;
  readonly #cellSlack: number;
  readonly #tolerance: number;

  private constructor(private readonly space: MetricSpace, private readonly cells: RowCells, private readonly screen: KernelScreen | null,
    memory: Memory, options: KCenterOptions, valuesPerBlock: number) {
    this.#blocks = memory.farthest.length;
    this.#memory = memory;
    this.#firstGroup = options.seeds && options.seeds.count > 0 ? options.seeds.count : 1;
    this.#valuesPerBlock = valuesPerBlock;
    // The slack of center-groups.ts's pruning tests and of center-cells.ts's pivot bounds.
    const relative = relativeSlack(space);
    this.#pruneSlack = 1 + relative;
    this.#cellSlack = relative;
    this.#tolerance = pruningTolerance(space, options.tolerance);
  }

  /** The layout in kernel memory with every row in play at its distance to the seeds (∞ without); null when memory is full. */
  static create(space: MetricSpace, cells: RowCells, rows: KernelRows, screen: KernelScreen | null, options: KCenterOptions): CellScan | null {
    const n = space.size, blockStarts = cutIntoBlocks(cells.starts);
    const memory = allocate(n, cells.pivots.length, blockStarts.length - 1, options.tieKey !== null && options.tieKey !== undefined);
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
    memory.starts.set(blockStarts);
    memory.pivots.set(cells.pivots);
    for (let cell = 0, block = 0; cell < cells.pivots.length; cell++) {
      for (; block < blockStarts.length - 1 && blockStarts[block]! < cells.starts[cell + 1]!; block++) memory.cellOf[block] = cell;
    }
    const i32 = (at: number, value: number) => { layout[at / 4] = value; };
    i32(AT.base, rows.base); i32(AT.width, rows.width); i32(AT.dim, rows.dim); i32(AT.kind, rows.kind);
    i32(AT.prefilter, screen?.prefilter?.params ?? 0);
    i32(AT.prefilterWidth, screen?.prefilter?.width ?? 0);
    i32(AT.prefilterDims, screen?.prefilter?.dims ?? 0);
    i32(AT.stages, screen?.stages.length ?? 0);
    i32(AT.wholeRows, screen?.wholeRows?.params ?? 0);
    i32(AT.wholeRowsWidth, screen?.wholeRows?.width ?? 0);
    i32(AT.wholeRowsDims, screen?.wholeRows?.dims ?? 0);
    screen?.stages.forEach((stage, l) => { i32(AT.stageParams + 4 * l, stage.params); i32(AT.stageWidths + 4 * l, stage.width); i32(AT.stageDims + 4 * l, stage.dims); });
    // The first screen stage's coordinates where there is a screen (most rows stop there), else whole rows.
    const perRow = screen ? (screen.prefilter?.dims ?? 0) / 4 + (screen.stages[0]?.dims ?? 0) : rows.dim;
    const scan = new CellScan(space, cells, screen, memory, options, Math.ceil((n / (blockStarts.length - 1)) * Math.max(1, perRow)));
    const constants = memory.constants;
    constants[AT.pruneSlack / 8] = scan.#pruneSlack;
    constants[AT.cellSlack / 8] = scan.#cellSlack;
    constants[AT.tolerance / 8] = scan.#tolerance;
    // δ_x, each row's distance to its cell's pivot, each block's reach (its largest δ of a row in
    // play) and farthest row: one job over every block (on the main thread alone, 30-40 ms on
    // 1M×128 rows, whatever the thread count).
    const { list, moved } = memory;
    for (let b = 0; b < scan.#blocks; b++) list[b] = b;
    runMany("kcenter_cells_setup_many", 0, layout.byteOffset, 0, list.byteOffset, scan.#blocks, 0, moved.byteOffset, n * rows.dim);
    return scan;
  }

  run(k: number, options: KCenterOptions): KCenterResult {
    const picks: number[] = [], pickDistances: number[] = [], radii: number[] = [];
    const { distance, nearest, layout, farthest, best, list, moved } = this.#memory;
    while (picks.length < k) {
      const block = this.#farthestBlock();
      if (block < 0) break; // every candidate is picked
      let c = best[block]!;
      let pickDistance = distance[c]!;
      // Seedless k-center starts at firstPick.
      const seedlessFirst = pickDistance === Infinity;
      if (seedlessFirst && nearest[options.firstPick]! >= 0) c = options.firstPick;
      if (seedlessFirst) pickDistance = 0;
      radii.push(farthest[block]!);
      picks.push(c);
      pickDistances.push(pickDistance);
      distance[c] = 0;
      nearest[c] = -1;
      layout[AT.fresh / 4] = this.#firstGroup + picks.length - 1;
      const count = this.#affectedBlocks(c);
      // One block a chunk: a pick's work may sit in a few blocks near it.
      runMany("kcenter_cells_many", c, layout.byteOffset, 0, list.byteOffset, count, 0, moved.byteOffset, count * this.#valuesPerBlock, count);
      // A seedless first pick has no distance to a chosen set; its score is the radius it covers.
      if (seedlessFirst) radii[0] = pickDistances[0] = this.#largestDistance();
      options.onProgress?.(picks.length, k);
    }
    return this.#result(picks, pickDistances, radii);
  }

  /**
   * Lists the blocks center c may affect (center-cells.ts's runMayMove with each block's reach
   * and farthest row), and the block holding c, which must find its farthest row again.
   * Measures c against every cell's pivot first (the kernel reads them). Returns the count.
   */
  #affectedBlocks(c: number): number {
    const { toPivots, farthest, reach, cellOf, list, starts } = this.#memory;
    const pivots = this.cells.pivots, measured = distancesFrom(this.space, c, pivots, pivots.length);
    for (let cell = 0; cell < pivots.length; cell++) toPivots[cell] = measured[cell]!;
    const slack = this.#cellSlack, pruneSlack = this.#pruneSlack, tolerance = this.#tolerance;
    const home = blockOf(starts, this.#blocks, c);
    let count = 0;
    for (let b = 0; b < this.#blocks; b++) {
      if (b === home || runMayMove(toPivots[cellOf[b]!]!, reach[b]!, farthest[b]!, slack, pruneSlack, tolerance)) list[count++] = b;
    }
    return count;
  }

  /** The block holding the farthest row in play (ties: the lowest tie key), or -1 when none is. */
  #farthestBlock(): number {
    const { farthest, best } = this.#memory;
    let block = -1;
    for (let b = 0; b < this.#blocks; b++) {
      const far = farthest[b]!;
      if (far < 0) continue;
      if (block < 0 || far > farthest[block]! || (far === farthest[block]! && this.#tie(best[b]!) < this.#tie(best[block]!))) block = b;
    }
    return block;
  }

  #tie(row: number): number {
    const ties = this.#memory.ties;
    return ties ? ties[row]! >>> 0 : row;
  }

  #largestDistance(): number {
    const farthest = this.#memory.farthest;
    let largest = 0;
    for (let b = 0; b < this.#blocks; b++) if (farthest[b]! > largest) largest = farthest[b]!;
    return largest;
  }

  /** Coverage from each row's nearest pick, and the counters summed over blocks. */
  #result(picks: number[], pickDistances: number[], radii: number[]): KCenterResult {
    const { nearest, distance, counters } = this.#memory;
    const sizes = new Uint32Array(picks.length).fill(1), coverRadii = new Float64Array(picks.length);
    for (let i = 0; i < this.space.size; i++) {
      const j = nearest[i]! - this.#firstGroup;
      if (j < 0) continue;
      sizes[j]!++;
      if (distance[i]! > coverRadii[j]!) coverRadii[j] = distance[i]!;
    }
    const totals = new Array<number>(COUNTERS).fill(0);
    for (let b = 0; b < this.#blocks; b++) for (let s = 0; s < COUNTERS; s++) totals[s]! += counters[b * COUNTERS + s]! >>> 0;
    const stages = this.screen?.rowsPerStage;
    stages?.forEach((_, s) => { stages[s]! += totals[1 + s]!; });
    return {
      picks: Uint32Array.from(picks), distances: Float64Array.from(pickDistances), radii: Float64Array.from(radii),
      evaluations: totals[MEASURED]!, screened: totals[SCREENED]!, stoppedAt: null,
      coverage: { sizes, radii: coverRadii }, finalRadius: this.#largestDistance(),
    };
  }
}

/** Each cell cut into equal blocks of at most BLOCK_ROWS rows: the blocks' starts, then the end. */
function cutIntoBlocks(cellStarts: Uint32Array): Uint32Array {
  const starts: number[] = [];
  for (let cell = 0; cell + 1 < cellStarts.length; cell++) {
    const start = cellStarts[cell]!, size = cellStarts[cell + 1]! - start, blocks = Math.max(1, Math.ceil(size / BLOCK_ROWS));
    for (let j = 0; j < blocks; j++) starts.push(start + Math.floor((j * size) / blocks));
  }
  starts.push(cellStarts[cellStarts.length - 1]!);
  return Uint32Array.from(starts);
}

/** The block holding row x (binary search over the blocks' starts). */
function blockOf(starts: Int32Array, blocks: number, x: number): number {
  let low = 0, high = blocks - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= x) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The kernel's arrays (views of Kept's, sized for this run). */
interface Memory {
  layout: Int32Array;
  /** The layout's float64 view. */
  constants: Float64Array;
  distance: Float64Array;
  deltas: Float64Array;
  nearest: Int32Array;
  ties: Int32Array | null;
  /** Per cell: its pivot (a row), and the center's distance to it, this pick. */
  pivots: Int32Array;
  toPivots: Float64Array;
  /** Per block: its first row (and one past the last block's end), its cell, reach, farthest row in play and its distance, counters. */
  starts: Int32Array;
  cellOf: Int32Array;
  reach: Float64Array;
  farthest: Float64Array;
  best: Int32Array;
  counters: Int32Array;
  /** The blocks of this pick's job, and the kernel's output per block (rows moved). */
  list: Int32Array;
  moved: Float64Array;
}

/**
 * The kernel's arrays for n rows, `cells` cells and `blocks` blocks, their offsets written into
 * the layout; null when kernel memory is full. Kept for the next run (kernel memory is never
 * freed, and simulate runs the loop many times) and reused while large enough.
 */
function allocate(n: number, cells: number, blocks: number, withTies: boolean): Memory | null {
  if (!kept || kept.distance.length < n || kept.toPivots.length < cells || kept.farthest.length < blocks) {
    try {
      const grow = (wanted: number, had: number) => Math.max(wanted, 2 * had);
      kept = reserve(grow(n, kept?.distance.length ?? 0), grow(cells, kept?.toPivots.length ?? 0), grow(blocks, kept?.farthest.length ?? 0));
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
  }
  const memory: Memory = {
    layout: kept.layout, constants: kept.constants,
    distance: kept.distance.subarray(0, n).fill(0), deltas: kept.deltas.subarray(0, n), nearest: kept.nearest.subarray(0, n),
    ties: withTies ? kept.ties.subarray(0, n) : null, pivots: kept.pivots.subarray(0, cells), toPivots: kept.toPivots.subarray(0, cells),
    starts: kept.starts.subarray(0, blocks + 1), cellOf: kept.cellOf.subarray(0, blocks), reach: kept.reach.subarray(0, blocks),
    farthest: kept.farthest.subarray(0, blocks), best: kept.best.subarray(0, blocks), counters: kept.counters.subarray(0, blocks * COUNTERS).fill(0),
    list: kept.list.subarray(0, blocks), moved: kept.moved.subarray(0, blocks),
  };
  const { layout } = memory;
  layout.fill(0);
  const at = (field: number, array: { byteOffset: number } | null) => { layout[field / 4] = array?.byteOffset ?? 0; };
  at(AT.starts, memory.starts); at(AT.deltas, memory.deltas); at(AT.distance, memory.distance); at(AT.nearest, memory.nearest);
  at(AT.ties, memory.ties); at(AT.farthest, memory.farthest); at(AT.best, memory.best); at(AT.counters, memory.counters);
  at(AT.cellOf, memory.cellOf); at(AT.toPivots, memory.toPivots); at(AT.reach, memory.reach); at(AT.pivots, memory.pivots);
  return memory;
}

type Kept = Omit<Memory, "ties"> & { ties: Int32Array };
let kept: Kept | null = null;

function reserve(n: number, cells: number, blocks: number): Kept {
  const constants = allocFloat64(LAYOUT_BYTES / 8);
  return {
    constants, layout: new Int32Array(constants.buffer, constants.byteOffset, LAYOUT_BYTES / 4),
    distance: allocFloat64(n), deltas: allocFloat64(n), nearest: allocInt32(n), ties: allocInt32(n), pivots: allocInt32(cells), toPivots: allocFloat64(cells),
    starts: allocInt32(blocks + 1), cellOf: allocInt32(blocks), reach: allocFloat64(blocks), farthest: allocFloat64(blocks),
    best: allocInt32(blocks), counters: cacheLines(blocks * COUNTERS), list: allocInt32(blocks), moved: allocFloat64(blocks),
  };
}

/** A zeroed Int32Array in kernel memory starting on a 64-byte boundary. */
function cacheLines(length: number): Int32Array {
  const room = allocInt32(length + 16), skip = ((64 - (room.byteOffset % 64)) % 64) / 4;
  return room.subarray(skip, skip + length);
}

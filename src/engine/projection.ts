/**
 * Lower bounds on euclidean distances from a few principal coordinates, for high-dimensional
 * rows where the triangle inequality prunes little (raw images: 784 pixels).
 *
 * Each row x is stored as its leading principal coordinates z = A(x − μ) (A: m orthonormal
 * axes from pca.ts) plus the norm of what they leave out, ρ = ‖(I − Π)(x − μ)‖ (Π projects
 * onto A's span). By Pythagoras, ‖x − y‖² = ‖Π(x − y)‖² + ‖(I − Π)(x − y)‖², and the second
 * term is at least (ρ_x − ρ_y)²: so ‖z_x − z_y‖² + (ρ_x − ρ_y)² ≤ ‖x − y‖², a bound that
 * costs m floats per row instead of D.
 *
 * The screen is staged, like ADSampling's progressive distance (Gao & Long, SIGMOD 2023): a
 * row is first bounded on the leading `levels[0]` coordinates (with that level's ρ), and only
 * rows that bound cannot rule out are extended to the next level's coordinates, adding their
 * partial sum to the one already computed, with the smaller ρ of the longer prefix. Each
 * level's coordinates are stored as their own contiguous block, so a stage reads only the
 * floats it adds.
 *
 * The bounds are rigorous, rounding included, so pruning with them never changes a selection:
 * - A's rows are orthonormal only up to rounding: Gershgorin on AAᵀ bounds its singular values
 *   within [√(1 − ε), √(1 + ε)], and the bounds take ε into account on both terms;
 * - each row's stored coordinates ẑ differ from A(x − μ) by at most err·‖x − μ‖, err covering
 *   the GEMM (any summation order: γ_D per product sum), the centring and the float32 rounding;
 * - each ρ is stored as an interval [ρ_lo, ρ_hi] that holds the exact value;
 * - the screening kernel's own relative error (kernelRelativeError) is taken off its result.
 * So d(x, y)² ≥ ((‖ẑ_x − ẑ_y‖ − err_x − err_y)₊ / √(1 + ε))² + (ρ_lo,x − ρ_hi,y)₊², and the same
 * with x and y swapped in the second term.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { CenterIndex, KernelScreen } from "./metric-space.ts";
import { kernelRelativeError, manySquaredDistances, usesNarrowKernel } from "./euclidean.ts";
import { CentredBlocks } from "./centring.ts";
import { allocFloat32, allocFloat64, allocInt32, inKernelMemory, kernels, manyScratch, memory } from "./kernels/kernels.ts";
import { PROJECT_ROW_CONSTANTS, PROJECT_ROW_MAX_STAGES, PROJECT_ROW_SLOTS, projectRowsKernel } from "./kernels/thread-products.ts";
import { productsOnEveryThread, runJsKernel, runMany, threadCount } from "./kernels/threads.ts";
import { inLocalityOrder } from "./locality.ts";
import { principalAxes } from "./pca.ts";
import { int8Records, wholeRowCodes, type Int8Records } from "./row-codes.ts";

/** Rows centred and projected per GEMM block. */
const BLOCK_ROWS = 1024;
/** float64's unit roundoff. */
const U = 2 ** -53;

type ManySquared = (c: number, rows: Uint32Array, count: number) => Float64Array;

/** One level of the screen: the coordinates it adds to the previous level's, and its residual norms. */
interface Stage {
  /** rows × (this level's coordinates − the previous level's), float32 in kernel memory. */
  block: Matrix<Float32Array>;
  squared: ManySquared;
  /** The screening kernel's constants for this stage, in kernel memory (screen_f32_many in distance.wat). */
  params: Float64Array;
  /** 1 − the kernel's relative error, and its absolute floor (squares below float32's normal range). */
  keep: number;
  floor: number;
  /** Coordinates up to and including this level. */
  dims: number;
  /** Per unit of a row's ‖x − μ‖ bound: how far its first `dims` stored coordinates may be from exact. */
  perUnit: number;
  /**
   * Per row, three float64 in kernel memory (the screening kernel reads them): how far its
   * stored coordinates may be from exact (perUnit·‖x − μ‖), and an interval [low, high]
   * holding ‖(I − Π)(x − μ)‖ for this level's Π.
   */
  stats: Float64Array;
}

interface Scratch { idx: Uint32Array<ArrayBufferLike>; partial: Float64Array<ArrayBufferLike> }

interface StageMemory { block: Float32Array; stats: Float64Array; params: Float64Array }
/** float64 slots of a stage's kernel constants: five int32 (two slots and a half), four float64. */
const PARAMS = 7;

/** Per row in Stage.stats: the coordinates' error, then the residual norm's interval. */
const ERROR = 0, LOW = 1, HIGH = 2, STATS = 3;
/** (1 − 8u): the float64 rounding of the sums and square roots of a bound. */
const SHRINK = 1 - 8 * U;

export class ProjectedBounds {
  /** The first level's coordinate count. */
  readonly dims: number;
  /** rows × dims, float32 in kernel memory: each row's leading principal coordinates. */
  readonly coordinates: Matrix<Float32Array>;
  /** Rows that entered each stage of `screen` so far. */
  readonly rowsPerStage: number[];
  readonly #stages: Stage[];
  /**
   * The int8 prefilter (row-codes.ts): each row's first-level coordinates as int8 codes, with
   * its error and residual interval, in one record (64 bytes for 48 coordinates: one cache
   * line), so the first screen of every row reads a quarter of the float32 coordinates' bytes.
   * ŷ = scale ⊙ code is within err of the exact projection (the coordinates' own error plus the
   * rounding to codes, measured per row), so the bound of the float32 stages holds with ŷ.
   */
  readonly #prefilter: Int8Records | null = null;
  /** With the prefilter: an int8 copy of the whole rows, the last stage (row-codes.ts). */
  readonly #wholeRows: Int8Records | null = null;
  /** The rows' own columns. */
  readonly #columns: number;
  /** 1 / √(1 + ε), rounded down: σ_max(A) ≤ √(1 + ε). */
  readonly #inverseSigma: number;
  /** The screen's rows and partial sums, in kernel memory (grown as needed). */
  #scratch: Scratch = { idx: new Uint32Array(0), partial: new Float64Array(0) };
  /** Per row, in kernel memory: the limit screen() was given for it (the kernel reads it by row). */
  readonly #limitOf: Float64Array;
  #bounds = new Float64Array(0);

  /**
   * Levels: increasing coordinate counts, one stage each (clipped to the columns and to the
   * directions the rows span). Null when the rows span no direction or kernel memory has no
   * room for the first level; deeper levels are dropped when it has no room for them. With
   * `prefilter`, an int8 copy of the first level's coordinates screens first (when that level
   * holds a multiple of 16 coordinates and kernel memory has room), and an int8 copy of the
   * whole rows last (float32 rows in kernel memory). With `rowOf`, row r is points' row
   * rowOf[r] (rows taken in another order, not copied): the bounds are those of the rows copied
   * into that order, bit for bit (the same sample, the same blocks), and are in that order.
   */
  static build(points: Matrix, blas: Blas, levels: readonly number[], prefilter = false, rowOf: Uint32Array | null = null): ProjectedBounds | null {
    const wanted = Math.min(levels[levels.length - 1]!, points.cols);
    const { mean, axes, count } = principalAxes(points, blas, wanted, { rowOf });
    if (count === 0) return null;
    const cuts = [...new Set(levels.map((level) => Math.min(level, count)))].sort((a, b) => a - b);
    const memory: StageMemory[] = [];
    let limitOf: Float64Array;
    try {
      if (zeroRow.length < count) zeroRow = allocFloat32(count);
      limitOf = allocFloat64(points.rows);
      for (let l = 0; l < cuts.length; l++) {
        memory.push({ block: allocFloat32(points.rows * (cuts[l]! - (cuts[l - 1] ?? 0))), stats: allocFloat64(points.rows * STATS), params: allocFloat64(PARAMS) });
      }
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      if (memory.length === 0) return null;
    }
    return new ProjectedBounds(points, blas, mean, axes, cuts.slice(0, memory.length), memory, limitOf!, prefilter, rowOf);
  }

  private constructor(points: Matrix, blas: Blas, mean: Float64Array, axesFitted: Float64Array, cuts: number[],
    memory: StageMemory[], limitOf: Float64Array, prefilter: boolean, rowOf: Uint32Array | null) {
    const { rows, cols } = points;
    this.#columns = cols;
    const m = cuts[cuts.length - 1]!;
    // The axes A are the fitted ones rounded to float32: the projection is one float32 GEMM
    // (half the time of float64), and every bound below is about these rounded axes.
    const axes = Float32Array.from(axesFitted.subarray(0, m * cols));
    // ε ≥ ‖AAᵀ − I‖₂ by Gershgorin (G = AAᵀ by one float64 GEMM: each entry within γ_D·‖a‖·‖b‖,
    // whatever the order of its sum).
    const gammaD = (cols * U) / (1 - cols * U), gammaSingle = (cols * 2 ** -24) / (1 - cols * 2 ** -24);
    const axes64 = Float64Array.from(axes), gram = new Float64Array(m * m);
    blas.dgemm(false, true, m, m, cols, 1, axes64, cols, axes64, cols, 0, gram, m);
    let offDiagonal = 0, rowNorm = 0;
    for (let a = 0; a < m; a++) {
      rowNorm = Math.max(rowNorm, Math.sqrt(gram[a * m + a]!));
      let rowSum = 0;
      for (let b = 0; b < m; b++) rowSum += Math.abs(gram[a * m + b]! - (a === b ? 1 : 0));
      offDiagonal = Math.max(offDiagonal, rowSum);
    }
    const epsilon = offDiagonal * (1 + 1e-9) + 2 * m * gammaD * rowNorm * rowNorm + 8 * m * U;
    // Axes orthonormal in float64 and rounded to float32 leave ε near 1e-6; anything close to 1 is a bug, not data.
    if (!(epsilon < 0.5)) throw new Error(`projection: principal axes are far from orthonormal (ε = ${epsilon})`);
    const sigma = Math.sqrt(1 + epsilon) * (1 + 4 * U);
    this.#inverseSigma = (1 / sigma) * (1 - 4 * U);
    this.dims = cuts[0]!;
    this.rowsPerStage = cuts.map(() => 0);
    this.#stages = cuts.map((dims, l) => {
      const block: Matrix<Float32Array> = { data: memory[l]!.block, rows, cols: dims - (cuts[l - 1] ?? 0) };
      return {
        block, dims, squared: () => new Float64Array(0), params: memory[l]!.params, keep: 0, floor: 0,
        // Per unit of ‖x − μ‖: the float32 GEMM's rounding (√dims components, each within
        // γ_D·‖a‖·‖x̂‖, ‖x̂‖ ≤ (1 + 2⁻²³)‖x − μ‖), the centring and its rounding to float32
        // (x̂ within (2u + 2⁻²⁴)‖x − μ‖ of x − μ, times σ); doubled for margin.
        perUnit: 2 * (Math.sqrt(dims) * gammaSingle * rowNorm * (1 + 2 ** -22) + 1.01 * sigma * (2 * U + 2 ** -24)),
        stats: memory[l]!.stats,
      };
    });
    // A row's norm, ‖x − μ‖ within ‖x̃‖(1 ± η): x̃ = fl(x − μ), its squared norm summed over D
    // terms (in any order). Each stage's coordinates come straight from the GEMM into its block.
    const eta = 2 * (cols + 8) * U;
    const { norms, heads } = projectInto(points, mean, axes, this.#stages, blas, rowOf);
    for (let row = 0; row < rows; row++) {
      const normHigh = norms[row]! * (1 + eta), normLow = norms[row]! * (1 - eta);
      let headSquared = 0;
      for (let l = 0; l < this.#stages.length; l++) {
        const stage = this.#stages[l]!;
        // Σ p² over the coordinates up to this level: float32 squares, exact in float64, summed in some order.
        headSquared += heads[l * rows + row]!;
        // ‖A(x − μ)‖: the computed head norm, within its summation's rounding and the
        // coordinates' error (perUnit / 2 bounds it: perUnit doubles its sum).
        const head = Math.sqrt(headSquared), gemmError = (stage.perUnit / 2) * normHigh, sumError = (stage.dims + 4) * U * head;
        const headLow = Math.max(0, head - sumError - gemmError), headHigh = head + sumError + gemmError;
        // ρ² = ‖x − μ‖² − ‖Π(x − μ)‖², and ‖A(x − μ)‖²/(1 + ε) ≤ ‖Π(x − μ)‖² ≤ ‖A(x − μ)‖²/(1 − ε).
        const slack = 8 * U * normHigh * normHigh;
        const low = normLow * normLow - (headHigh * headHigh) / (1 - epsilon) - slack;
        const high = normHigh * normHigh - (headLow * headLow) / (1 + epsilon) + slack;
        stage.stats[row * STATS + ERROR] = stage.perUnit * normHigh;
        stage.stats[row * STATS + LOW] = low > 0 ? Math.sqrt(low) * (1 - 4 * U) : 0;
        stage.stats[row * STATS + HIGH] = high > 0 ? Math.sqrt(high) * (1 + 4 * U) : 0;
      }
    }
    this.#stages.forEach((stage, l) => {
      stage.squared = manySquaredDistances(stage.block);
      stage.keep = 1 - kernelRelativeError(stage.block, stage.block);
      stage.floor = stage.block.cols * 2 ** -126;
      const pointers = new Int32Array(stage.params.buffer, stage.params.byteOffset, 6);
      pointers.set([stage.block.data.byteOffset, stage.stats.byteOffset, limitOf.byteOffset, usesNarrowKernel(stage.block, stage.block) ? 1 : 0, l === 0 ? 1 : 0]);
      stage.params.set([stage.keep, stage.floor, this.#inverseSigma, SHRINK], 3);
    });
    this.#limitOf = limitOf;
    this.coordinates = this.#stages[0]!.block;
    if (prefilter && this.dims % 16 === 0) this.#prefilter = this.#quantised();
    if (prefilter) this.#wholeRows = wholeRowCodes(points);
    // Each row's codes are its own (one scale for all rows): rearranged, they are the codes of the rows in rowOf's order.
    if (this.#wholeRows && rowOf) inLocalityOrder({ data: this.#wholeRows.records, rows: rowOf.length, cols: this.#wholeRows.width / 4 }, rowOf, true);
    this.rowsPerStage = [...(this.#prefilter ? [0] : []), ...this.rowsPerStage, ...(this.#wholeRows ? [0] : [])];
  }

  /** The int8 prefilter from the first stage's coordinates, or null when their range or kernel memory does not allow it. */
  #quantised(): Int8Records | null {
    const { block, stats } = this.#stages[0]!;
    // Each row's err adds its coordinates' own error; [low, high] holds its residual norm.
    return int8Records(block, (r) => [stats[r * STATS + ERROR]!, stats[r * STATS + LOW]!, stats[r * STATS + HIGH]!], this.#inverseSigma);
  }

  /** Coordinates per float32 level (the last is the deepest screen). */
  get levels(): number[] {
    return this.#stages.map((stage) => stage.dims);
  }

  /** The screen's stages in order, e.g. "48 int8", "48 float32", "128 float32", "784 int8 (whole rows)" (rowsPerStage counts rows entering each). */
  get stageNames(): string[] {
    const wholeRows = this.#wholeRows;
    return [...(this.#prefilter ? [`${this.dims} int8`] : []), ...this.levels.map((dims) => `${dims} float32`),
      ...(wholeRows ? [`${this.#columns} int8 (whole rows)`] : [])];
  }

  /** The screen's figures for a selection's details. */
  details(): { screeningStages: string; rowsPerScreeningStage: number[] } {
    return { screeningStages: this.stageNames.join(", "), rowsPerScreeningStage: [...this.rowsPerStage] };
  }

  /** Where a kernel finds the screen's stages in kernel memory (kcenter-cells.ts screens row by row). */
  kernelScreen(): KernelScreen {
    const prefilter = this.#prefilter, wholeRows = this.#wholeRows;
    return {
      prefilter: prefilter ? { params: prefilter.params.byteOffset, width: prefilter.width, dims: this.dims } : null,
      stages: this.#stages.map(({ params, block }) => ({ params: params.byteOffset, width: block.cols * 4, dims: block.cols })),
      wholeRows: wholeRows ? { params: wholeRows.params.byteOffset, width: wholeRows.width, dims: wholeRows.dims } : null,
      rowsPerStage: this.rowsPerStage,
    };
  }

  /** Rearranges the rows to match points reordered by `order` (new row r is old row order[r]). */
  reorder(order: Uint32Array): void {
    for (const stage of this.#stages) {
      inLocalityOrder(stage.block, order, true);
      inLocalityOrder({ data: stage.stats, rows: order.length, cols: STATS }, order, true);
    }
    const prefilter = this.#prefilter, wholeRows = this.#wholeRows;
    if (prefilter) inLocalityOrder({ data: prefilter.records, rows: order.length, cols: prefilter.width / 4 }, order, true);
    if (wholeRows) inLocalityOrder({ data: wholeRows.records, rows: order.length, cols: wholeRows.width / 4 }, order, true);
  }

  /**
   * Keeps at the front of rows (and of limits, in step) the rows whose distance to row c the
   * bounds cannot prove to be at least limits[i]; returns how many are kept. Each stage bounds
   * the rows the previous one kept, on a longer prefix of the coordinates: one kernel call
   * per stage (screen_f32_many, which the worker threads may share), the same arithmetic as
   * lowerBoundsMany.
   */
  screen(c: number, rows: Uint32Array, limits: Float64Array, count: number): number {
    const { idx, partial } = this.#scratchFor(count), limitOf = this.#limitOf, prefilter = this.#prefilter;
    let kept = count, stage = 0;
    if (prefilter) {
      // The prefilter reads each row's limit in order from `partial`; the float32 stages read
      // the limits of the few rows it keeps by row.
      for (let i = 0; i < count; i++) { idx[i] = rows[i]!; partial[i] = limits[i]!; }
      this.rowsPerStage[stage++]! += kept;
      runMany("screen_i8_many", c, prefilter.params.byteOffset, prefilter.width, idx.byteOffset, kept, this.dims, partial.byteOffset);
      let next = 0;
      for (let i = 0; i < kept; i++) {
        const limit = partial[i]!;
        if (limit !== -Infinity) { const row = idx[i]!; idx[next++] = row; limitOf[row] = limit; }
      }
      kept = next;
    } else {
      for (let i = 0; i < count; i++) { const row = rows[i]!; idx[i] = row; limitOf[row] = limits[i]!; }
    }
    for (let l = 0; l < this.#stages.length && kept > 0; l++) {
      const { block, params } = this.#stages[l]!;
      this.rowsPerStage[stage++]! += kept;
      runMany("screen_f32_many", c, params.byteOffset, block.cols * 4, idx.byteOffset, kept, block.cols, partial.byteOffset);
      // The kernel marks rows it rules out with −∞; the others go on with their partial sums.
      let next = 0;
      for (let i = 0; i < kept; i++) {
        const sum = partial[i]!;
        if (sum !== -Infinity) { idx[next] = idx[i]!; partial[next++] = sum; }
      }
      kept = next;
    }
    const wholeRows = this.#wholeRows;
    if (wholeRows && kept > 0) {
      // Like the prefilter: each row's limit in order in `partial`, −∞ for a row ruled out.
      for (let i = 0; i < kept; i++) partial[i] = limitOf[idx[i]!]!;
      this.rowsPerStage[stage++]! += kept;
      runMany("screen_i8_many", c, wholeRows.params.byteOffset, wholeRows.width, idx.byteOffset, kept, wholeRows.dims, partial.byteOffset);
      let next = 0;
      for (let i = 0; i < kept; i++) if (partial[i] !== -Infinity) idx[next++] = idx[i]!;
      kept = next;
    }
    for (let i = 0; i < kept; i++) { const row = idx[i]!; rows[i] = row; limits[i] = limitOf[row]!; }
    return kept;
  }

  /** out[i] ≤ ‖x_c − x_rows[i]‖ for i < count, from every level (out is reused by the next call). */
  lowerBoundsMany(c: number, rows: Uint32Array, count: number): Float64Array {
    if (this.#bounds.length < count) this.#bounds = new Float64Array(Math.max(count, 2 * this.#bounds.length));
    const bounds = this.#bounds.fill(0, 0, count), { partial } = this.#scratchFor(count);
    for (let l = 0; l < this.#stages.length; l++) {
      const { squared, stats, keep, floor } = this.#stages[l]!;
      const out = squared(c, rows, count);
      const errorC = stats[c * STATS + ERROR]!, lowC = stats[c * STATS + LOW]!, highC = stats[c * STATS + HIGH]!;
      for (let i = 0; i < count; i++) {
        const at = rows[i]! * STATS;
        const sum = (l === 0 ? 0 : partial[i]!) + out[i]! * keep - floor;
        partial[i] = sum;
        const head = sum > 0 ? (Math.sqrt(sum) - errorC - stats[at + ERROR]!) * this.#inverseSigma : 0;
        const tail = Math.max(lowC - stats[at + HIGH]!, stats[at + LOW]! - highC, 0);
        const bound = Math.sqrt(((head > 0 ? head * head : 0) + tail * tail) * SHRINK);
        if (bound > bounds[i]!) bounds[i] = bound;
      }
    }
    return bounds;
  }

  #scratchFor(count: number): Scratch {
    if (this.#scratch.idx.length < count) {
      const size = Math.max(1024, 2 ** Math.ceil(Math.log2(count)));
      const idx = allocFloat32(size, "scratch"); // kernel memory is never freed: the old scratch stays behind
      this.#scratch = { idx: new Uint32Array(idx.buffer, idx.byteOffset, size), partial: allocFloat64(size, "scratch") };
    }
    return this.#scratch;
  }

  /**
   * The same bounds as a CenterIndex: a new center against every earlier one in one screen.
   * lowerBoundsMany's array is valid until its next call, as CenterIndex promises: no copy.
   */
  centerIndex(): CenterIndex {
    let centers = new Uint32Array(64), count = 0;
    return {
      add: (row) => {
        if (count === centers.length) {
          const grown = new Uint32Array(2 * count);
          grown.set(centers);
          centers = grown;
        }
        centers[count] = row;
        return count++;
      },
      lowerBounds: (row) => this.lowerBoundsMany(row, centers, count),
    };
  }
}

/**
 * Every row's ‖x − μ‖ (norms, in float64) and, per stage, Σ p² of its coordinates (heads: stage
 * l's row r at l·rows + r), with each stage's coordinates A_l·(x − μ) written into its block.
 * On every thread when the workers run products (thread-products.ts's project_rows: each thread
 * centres, multiplies and sums its own blocks of rows), else block by block here (centring and
 * sums on the worker threads, products on OpenBLAS's pool). Either way the same kernels on the
 * same bytes and the same product per block of BLOCK_ROWS rows. With `rowOf` (build's), block b
 * holds rows b·BLOCK_ROWS, … of that order, whatever points' own order.
 */
function projectInto(points: Matrix, mean: Float64Array, axes: Float32Array, stages: Stage[], blas: Blas,
  rowOf: Uint32Array | null): { norms: Float64Array; heads: Float64Array } {
  return projectOnEveryThread(points, mean, axes, stages, blas, rowOf) ?? projectBlockByBlock(points, mean, axes, stages, blas, rowOf);
}

function projectBlockByBlock(points: Matrix, mean: Float64Array, axes: Float32Array, stages: Stage[], blas: Blas,
  rowOf: Uint32Array | null): { norms: Float64Array; heads: Float64Array } {
  const { rows, cols } = points;
  const norms = new Float64Array(rows), heads = new Float64Array(stages.length * rows);
  const centring = new CentredBlocks(points, mean, BLOCK_ROWS, rowOf);
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    const rb = Math.min(BLOCK_ROWS, rows - r0);
    const { block: centred, norms: blockNorms } = centring.centre(r0, rb); // rounds to float32 (in perUnit)
    norms.set(blockNorms, r0);
    let from = 0;
    stages.forEach((stage, l) => {
      const n = stage.block.cols, out = stage.block.data.subarray(r0 * n, (r0 + rb) * n);
      blas.sgemm(false, true, rb, n, cols, 1, centred, cols, axes.subarray(from * cols, stage.dims * cols), cols, 0, out, n);
      heads.set(squaredRows(stage.block, r0, rb), l * rows + r0);
      from = stage.dims;
    });
  }
  return { norms, heads };
}

/** projectInto with every thread running project_rows; null where it does not apply (see productsOnEveryThread, or kernel memory full). */
function projectOnEveryThread(points: Matrix, mean: Float64Array, axes: Float32Array, stages: Stage[], blas: Blas,
  rowOf: Uint32Array | null): { norms: Float64Array; heads: Float64Array } | null {
  const { data, rows, cols } = points;
  const product = data instanceof Float32Array && inKernelMemory(data) && stages.length <= PROJECT_ROW_MAX_STAGES ? productsOnEveryThread(blas) : null;
  const buffers = product && projectionBuffers(threadCount(), rows, cols, stages.length, axes.length, rowOf !== null);
  if (!buffers) return null;
  const { constants, meanCopy, axesCopy, heads, rowList } = buffers;
  meanCopy.set(mean);
  axesCopy.set(axes);
  constants[PROJECT_ROW_SLOTS.mean] = meanCopy.byteOffset;
  constants[PROJECT_ROW_SLOTS.stages] = stages.length;
  constants[PROJECT_ROW_SLOTS.zero] = zeroRow.byteOffset;
  constants[PROJECT_ROW_SLOTS.heads] = heads.byteOffset;
  constants[PROJECT_ROW_SLOTS.rows] = rows;
  let from = 0;
  stages.forEach((stage, l) => {
    constants.set([stage.block.data.byteOffset, stage.block.cols, axesCopy.byteOffset + 4 * from * cols], PROJECT_ROW_SLOTS.stage + 3 * l);
    from = stage.dims;
  });
  const { idx: counting, out: norms } = manyScratch(rows);
  for (let r = 0; r < rows; r++) counting[r] = r;
  constants[PROJECT_ROW_SLOTS.counting] = counting.byteOffset;
  if (rowOf) rowList.set(rowOf);
  constants[PROJECT_ROW_SLOTS.rowOf] = rowOf ? rowList.byteOffset : counting.byteOffset;
  constants[PROJECT_ROW_SLOTS.norms] = norms.byteOffset;
  const main = projectRowsKernel(kernels, product!, memory, 0, PROJECT_ROW_SLOTS);
  // Blocks by number (counting doubles as their list): each the BLOCK_ROWS rows projectBlockByBlock multiplies.
  const blocks = Math.ceil(rows / BLOCK_ROWS);
  runJsKernel("project_rows", main, constants.byteOffset, data.byteOffset, 4 * cols, counting.byteOffset, blocks, cols, 0, rows * cols * from, blocks);
  return { norms: norms.slice(0, rows), heads: heads.slice(0, stages.length * rows) };
}

interface ProjectionBuffers {
  constants: Int32Array;
  meanCopy: Float64Array;
  axesCopy: Float32Array;
  heads: Float64Array;
  /** The rows' order (rowOf) for the kernel; empty when not asked for. */
  rowList: Uint32Array;
}

/** projectOnEveryThread's buffers in kernel memory, kept while large enough (kernel memory is never freed); null when full. */
let projectionKept: ProjectionBuffers & { threads: number; cols: number; scratch: Float32Array } | null = null;

function projectionBuffers(threads: number, rows: number, cols: number, stages: number, axesValues: number, inOrder: boolean): ProjectionBuffers | null {
  // Per thread: the centring kernel's pointers (16 bytes), BLOCK_ROWS float64 norms, BLOCK_ROWS centred rows.
  const scratchBytes = 16 + 8 * BLOCK_ROWS + 4 * BLOCK_ROWS * cols;
  let kept = projectionKept;
  try {
    if (!kept || kept.threads < threads || kept.cols < cols) {
      const constants = kept?.constants ?? allocInt32(PROJECT_ROW_CONSTANTS, "scratch");
      kept = projectionKept = {
        threads, cols, constants, scratch: allocFloat32((threads * scratchBytes) / 4, "scratch"),
        meanCopy: kept && kept.meanCopy.length >= cols ? kept.meanCopy : allocFloat64(cols, "scratch"),
        axesCopy: kept?.axesCopy ?? new Float32Array(0), heads: kept?.heads ?? new Float64Array(0), rowList: kept?.rowList ?? new Uint32Array(0),
      };
    }
    if (kept.axesCopy.length < axesValues) kept.axesCopy = allocFloat32(axesValues, "scratch");
    if (kept.heads.length < stages * rows) kept.heads = allocFloat64(stages * rows, "scratch");
    if (inOrder && kept.rowList.length < rows) {
      const words = allocInt32(rows, "scratch");
      kept.rowList = new Uint32Array(words.buffer, words.byteOffset, rows);
    }
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  kept.constants[PROJECT_ROW_SLOTS.scratch] = kept.scratch.byteOffset;
  kept.constants[PROJECT_ROW_SLOTS.scratchBytes] = scratchBytes;
  kept.constants[PROJECT_ROW_SLOTS.blockRows] = BLOCK_ROWS;
  return {
    constants: kept.constants, meanCopy: kept.meanCopy.subarray(0, cols), axesCopy: kept.axesCopy.subarray(0, axesValues), heads: kept.heads,
    rowList: kept.rowList.subarray(0, inOrder ? rows : 0),
  };
}

/** Per row of rows first .. first+count−1 of a block in kernel memory: Σ p² in float64 (sqdist_f32_many against a zero row). */
function squaredRows(block: Matrix<Float32Array>, first: number, count: number): Float64Array {
  const { idx, out } = manyScratch(count);
  for (let i = 0; i < count; i++) idx[i] = first + i;
  runMany("sqdist_f32_many", zeroRow.byteOffset, block.data.byteOffset, 4 * block.cols, idx.byteOffset, count, block.cols, out.byteOffset);
  return out.slice(0, count);
}
/** Zeros in kernel memory, as long as the widest stage (build() grows it; kernel memory is never freed). */
let zeroRow: Float32Array<ArrayBufferLike> = new Float32Array(0);


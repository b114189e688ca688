/**
 * An int8 copy of every whole row (one scale for all values): the last screen before a row is
 * read in full (projection.ts), for rows wide enough to have projected screens.
 *
 * Why: on the raw Fashion-MNIST images a pick measures ~3,000 rows in full after the projected
 * stages, of which ~250 move; each costs a 3,136-byte row from memory, most of a pick's memory
 * traffic, which two threads share (the machine's memory bandwidth, not its cores, bounds a
 * second thread there). A row's record here is a quarter of that: codes q (padded to a multiple
 * of 16) and err ≥ ‖x − s·q‖. By the triangle inequality
 *   ‖x − y‖ ≥ s·‖q_x − q_y‖ − err_x − err_y,
 * the bound of projection.ts's int8 prefilter with an empty residual (screen_i8_row in
 * distance.wat, its residual interval [0, 0]): a row ruled out could not have moved, and
 * selections stay the textbook loop's.
 */
import type { Matrix } from "../matrix.ts";
import { allocFloat32, allocFloat64, inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";

export interface RowCodes {
  /** Per row, `width` bytes: `dims` int8 codes, then float32 err, 0, 0. */
  records: Float32Array;
  width: number;
  dims: number;
  /** screen_i8_row's constants (records, scale², 1/σ = 1, shrink; see distance.wat). */
  params: Float64Array;
}

/** float64's unit roundoff. */
const U = 2 ** -53;
/** Scales outside this range could overflow or underflow scale² in float64: no codes then. */
const SCALES = [2 ** -60, 2 ** 40] as const;
/** float64 slots of the constants (as projection.ts's prefilter). */
const PARAMS = 7;

/** The codes of float32 rows in kernel memory; null for other rows, a range the codes cannot hold, or a full kernel memory. */
export function wholeRowCodes(points: Matrix): RowCodes | null {
  const { rows, cols, data } = points;
  if (!(data instanceof Float32Array) || !inKernelMemory(data) || rows === 0) return null;
  const { idx, out } = manyScratch(rows);
  for (let r = 0; r < rows; r++) idx[r] = r;
  runMany("max_abs_f32_many", 0, data.byteOffset, 4 * cols, idx.byteOffset, rows, cols, out.byteOffset);
  let largest = 0;
  for (let r = 0; r < rows; r++) largest = Math.max(largest, out[r]!);
  const scale = largest / 127;
  if (!(scale >= SCALES[0] && scale <= SCALES[1])) return null;
  const dims = Math.ceil(cols / 16) * 16, width = dims + 16;
  let records: Float32Array, params: Float64Array;
  try {
    records = allocFloat32((rows * width) / 4); // zeroed: the padding codes stay 0 on both sides
    params = allocFloat64(PARAMS);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  // quantise_i8_many's constants (scale, records, width); out[r] = Σ (x − s·q)² of the codes row r got.
  params[0] = scale;
  new Int32Array(params.buffer, params.byteOffset + 8, 2).set([records.byteOffset, width]);
  runMany("quantise_i8_many", params.byteOffset, data.byteOffset, 4 * cols, idx.byteOffset, rows, cols, out.byteOffset);
  // Each term x − s·q is within U·127·s (the product's rounding) plus U·|term| of exact: the
  // relative part is in the 1e-9 margin, the absolute one over cols terms is √cols·127·s·U, doubled.
  const rounding = 2 * Math.sqrt(cols) * 127 * scale * U;
  for (let r = 0; r < rows; r++) records[(r * width + dims) / 4] = Math.fround((Math.sqrt(out[r]!) * (1 + 1e-9) + rounding) * (1 + 2 ** -22));
  // screen_i8_row's: the int32 sum is exact; scale² and the product each round once.
  params.fill(0);
  new Int32Array(params.buffer, params.byteOffset, 1).set([records.byteOffset]);
  params.set([scale * scale * (1 - 4 * U), 0, 1 - 4 * U, 1 - 8 * U], 3);
  return { records, width, dims, params };
}

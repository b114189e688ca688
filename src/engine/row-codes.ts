/**
 * int8 codes of float32 rows (one scale for all values) in the records screen_i8_row reads
 * (distance.wat): per row its codes, padded to a multiple of 16, then float32 err, low, high.
 * With q_x the codes, s the scale and err_x ≥ ‖x − s·q_x‖, the triangle inequality bounds
 *   ‖x − y‖ ≥ s·‖q_x − q_y‖ − err_x − err_y,
 * and the int32 sum of squared code differences is exact. projection.ts makes two kinds:
 * - its prefilter, the first level's principal coordinates (err adds their own error, and
 *   [low, high] holds the residual norm the coordinates leave out);
 * - `wholeRowCodes`, the rows themselves ([0, 0]: nothing is left out), the last stage before a
 *   row is read in full. On the raw Fashion-MNIST images a pick measures ~3,000 rows in full
 *   after the projected stages, of which ~250 move; each costs 3,136 bytes from memory, most of
 *   a pick's memory traffic, which two threads share. Their 800-byte codes rule most of them out.
 */
import type { Matrix } from "../matrix.ts";
import { allocFloat32, allocFloat64, inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";

export interface Int8Records {
  /** Per row, `width` bytes: `dims` int8 codes, then float32 err, low, high. */
  records: Float32Array;
  width: number;
  dims: number;
  /** screen_i8_row's constants: records, then scale², 1/σ, shrink (see distance.wat). */
  params: Float64Array;
}

/** float64's unit roundoff. */
const U = 2 ** -53;
/** Scales outside this range could overflow or underflow scale² in float64: no codes then. */
const SCALES = [2 ** -60, 2 ** 40] as const;
/** float64 slots of the constants. */
const PARAMS = 7;
/** (1 − 8u): the float64 rounding of a bound's sums and square roots (projection.ts's SHRINK). */
const SHRINK = 1 - 8 * U;

/**
 * The records of float32 rows in kernel memory; null for a range the codes cannot hold or a full
 * kernel memory. `bounds(row)`: what err adds to the codes' own rounding, and the residual
 * interval [low, high]; `inverseSigma`: 1/σ of the coordinates' axes, rounded down.
 */
export function int8Records(rows: Matrix<Float32Array>, bounds: (row: number) => [error: number, low: number, high: number],
  inverseSigma: number): Int8Records | null {
  const { rows: n, cols, data } = rows;
  const { idx, out } = manyScratch(n);
  for (let r = 0; r < n; r++) idx[r] = r;
  runMany("max_abs_f32_many", 0, data.byteOffset, 4 * cols, idx.byteOffset, n, cols, out.byteOffset);
  let largest = 0;
  for (let r = 0; r < n; r++) largest = Math.max(largest, out[r]!);
  const scale = largest / 127;
  if (!(scale >= SCALES[0] && scale <= SCALES[1])) return null;
  const dims = Math.ceil(cols / 16) * 16, width = dims + 16;
  let records: Float32Array, params: Float64Array;
  try {
    records = allocFloat32((n * width) / 4); // zeroed: padding codes stay 0 on both sides
    params = allocFloat64(PARAMS);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
  // Codes round to the nearest (ties to even); out[r] = Σ (x − s·q)² from the codes row r got,
  // on the worker threads (quantise_i8_many's constants: scale, records, width).
  params[0] = scale;
  new Int32Array(params.buffer, params.byteOffset + 8, 2).set([records.byteOffset, width]);
  runMany("quantise_i8_many", params.byteOffset, data.byteOffset, 4 * cols, idx.byteOffset, n, cols, out.byteOffset);
  // Each term x − s·q is within U·|term| (in the 1e-9 margin) plus U·127·s (the product's
  // rounding) of exact: over cols terms √cols·127·s·U, doubled (and the sum's rounding). float32
  // copies rounded outward: err and high up, low down.
  const rounding = 2 * Math.sqrt(cols) * 127 * scale * U;
  for (let r = 0; r < n; r++) {
    const [error, low, high] = bounds(r), at = (r * width + dims) / 4;
    records[at] = float32Up((error + Math.sqrt(out[r]!) * (1 + 1e-9) + rounding) * (1 + 4 * U));
    records[at + 1] = float32Down(low);
    records[at + 2] = float32Up(high);
  }
  // screen_i8_row's constants: scale² and its product with the exact int32 sum each round once.
  params.fill(0);
  new Int32Array(params.buffer, params.byteOffset, 1).set([records.byteOffset]);
  params.set([scale * scale * (1 - 4 * U), 0, inverseSigma, SHRINK], 3);
  return { records, width, dims, params };
}

/** The rows' own codes (their axes the identity: 1/σ = 1, rounded down); null for rows outside kernel memory. */
export function wholeRowCodes(points: Matrix): Int8Records | null {
  if (!(points.data instanceof Float32Array) || !inKernelMemory(points.data) || points.rows === 0) return null;
  return int8Records(points as Matrix<Float32Array>, () => [0, 0, 0], 1 - 4 * U);
}

/**
 * v in float32, rounded up or down: Math.fround rounds to the nearest, and a relative margin
 * does not cover subnormal values' step (2^-149 whatever their size).
 */
function float32Up(v: number): number {
  const f = Math.fround(v);
  return f >= v ? f : nextFloat32(f, 1);
}

function float32Down(v: number): number {
  const f = Math.fround(v);
  return f <= v ? f : nextFloat32(f, -1);
}

/** The float32 next to f (itself a float32, finite) towards +∞ (direction 1) or −∞ (−1). */
function nextFloat32(f: number, direction: 1 | -1): number {
  if (f === 0) return direction * 2 ** -149;
  stepBits[0] = f;
  stepInt[0]! += (f > 0) === (direction > 0) ? 1 : -1; // a magnitude's bits order as its values
  return stepBits[0]!;
}
const stepBits = new Float32Array(1);
const stepInt = new Int32Array(stepBits.buffer);

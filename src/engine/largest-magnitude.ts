/**
 * The largest magnitude in a matrix's values: it decides which distance kernel runs
 * (euclidean.ts) and the rounding step of the mean's exact sums (row-mean.ts).
 */
import { inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { runMany } from "./kernels/threads.ts";

const known = new WeakMap<ArrayBufferView, number>();

/** The largest |value| of data, NaN left out; computed once per array (the arrays it serves are never changed). */
export function largestMagnitude(data: Float32Array | Float64Array): number {
  let m = known.get(data);
  if (m === undefined) {
    m = (data instanceof Float32Array ? maxAbsByRows(data) : null) ?? maxAbsOneByOne(data);
    known.set(data, m);
  }
  return m;
}

/** `copy` holds `source`'s values (its rows in another order): it takes source's largest magnitude, when known, without a pass. */
export function sameMagnitude(source: Float32Array | Float64Array, copy: Float32Array | Float64Array): void {
  const m = known.get(source);
  if (m !== undefined) known.set(copy, m);
}

/** The largest |value|, NaN left out. */
function maxAbsOneByOne(data: Float32Array | Float64Array): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) { const v = Math.abs(data[i]!); if (v > m) m = v; }
  return m;
}

/** Values a row of maxAbsByRows' kernel holds. */
const MAX_ABS_ROW = 1024;

/**
 * maxAbsOneByOne for float32 data in kernel memory, by max_abs_f32_many over rows of
 * MAX_ABS_ROW values split across the worker threads (a serial pass over 1M×128 values took
 * ~60 ms of the main thread). Null where the kernel does not apply: data elsewhere, or a NaN
 * (the kernel's row maximum would hide the row's other values).
 */
function maxAbsByRows(data: Float32Array): number | null {
  const rows = Math.floor(data.length / MAX_ABS_ROW);
  if (!inKernelMemory(data) || rows < 2) return null;
  const { idx, out } = manyScratch(rows);
  for (let r = 0; r < rows; r++) idx[r] = r;
  runMany("max_abs_f32_many", 0, data.byteOffset, 4 * MAX_ABS_ROW, idx.byteOffset, rows, MAX_ABS_ROW, out.byteOffset);
  let m = 0;
  for (let r = 0; r < rows; r++) {
    const v = out[r]!;
    if (Number.isNaN(v)) return null;
    if (v > m) m = v;
  }
  return Math.max(m, maxAbsOneByOne(data.subarray(rows * MAX_ABS_ROW)));
}

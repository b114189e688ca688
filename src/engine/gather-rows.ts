/**
 * A matrix's rows copied into a new order: the locality order's copy (locality.ts), and the
 * id-order copy of a pool's vectors (strategies/id-order.ts) when a strategy reads them in id
 * order; 512 MB each on 1M×128 rows.
 */
import type { Matrix } from "../matrix.ts";
import { inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { sameMagnitude } from "./largest-magnitude.ts";
import { runMany } from "./kernels/threads.ts";

/**
 * data's row r = m's row order[r], order a permutation of m's rows. With both in kernel memory the copy is split by rows across
 * the worker threads (gather_rows_many, a memory.copy a row): on the main thread alone a 512 MB
 * copy, first touch of fresh pages included, took ~0.6 s; the id-order copy's element loop took
 * 0.26 s on 1M×128, the threaded gather 0.18 s on two threads (mostly the pages' first touch).
 */
export function gatherRows(m: Matrix, order: Uint32Array, data: Float32Array | Float64Array): void {
  const { cols } = m;
  // The same values: no second pass for the largest magnitude (the mean's rounding and the kernel's choice read it).
  sameMagnitude(m.data, data);
  if (!inKernelMemory(m.data) || !inKernelMemory(data) || data.constructor !== m.data.constructor) {
    for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(order[r]! * cols, (order[r]! + 1) * cols), r * cols);
    return;
  }
  const { idx } = manyScratch(m.rows);
  idx.set(order);
  runMany("gather_rows_many", data.byteOffset, m.data.byteOffset, cols * m.data.BYTES_PER_ELEMENT, idx.byteOffset, m.rows, cols, 0);
}

/**
 * rowOf[rows[i]] for each i: rows numbered in one order, as the matrix rows they are read from
 * (rowOf: that order's row → matrix row). A loop: a typed array's map with a closure took
 * 15-58 ms on 1M rows.
 */
export function matrixRows(rowOf: Uint32Array, rows: Uint32Array): Uint32Array {
  const out = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rowOf[rows[i]!]!;
  return out;
}

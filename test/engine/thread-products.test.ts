/**
 * The locality order's pivot products on every thread (thread-products.ts): when the workers
 * opened OpenBLAS, each thread multiplies its own blocks of rows by the pivots and takes their
 * argmin. The order must be the one the products on OpenBLAS's pool give, on 1, 2 and 3
 * threads, the workers must have run part of it, and every row must sit in the cell of a pivot
 * nearest to it; with more threads than the library takes at once, the pool's path runs.
 */
import { afterAll, expect, test } from "bun:test";
import type { Blas } from "../../ffi/blas.ts";
import { loadBlas } from "../../ffi/load.ts";
import { allocFloat32 } from "../../src/engine/kernels/kernels.ts";
import { setMinValuesPerPart, startThreads, stopThreads, threadsRunProducts, threadStats } from "../../src/engine/kernels/threads.ts";
import { localityCells, type LocalityCells } from "../../src/engine/locality.ts";
import { Rng } from "../../src/rng.ts";

const { blas, warning } = await loadBlas({ mode: "auto" });

afterAll(stopThreads);

/** 30,000 rows in 24 columns around 40 centers (claims of more rows than one product block, and a last block cut short), float32 in kernel memory. */
function clusteredRows(): { data: Float32Array; rows: number; cols: number } {
  const rng = new Rng(5), rows = 30_000, cols = 24;
  const centers = Array.from({ length: 40 }, () => Array.from({ length: cols }, () => 8 * rng.nextGaussian()));
  const data = allocFloat32(rows * cols);
  for (let r = 0; r < rows; r++) {
    const center = centers[rng.nextInt(centers.length)]!;
    for (let j = 0; j < cols; j++) data[r * cols + j] = center[j]! + rng.nextGaussian();
  }
  return { data, rows, cols };
}

test.skipIf(blas.name !== "openblas")(`the order from every thread's own products is the pool's, on 1, 2 and 3 threads ${blas.name !== "openblas" ? `(skipped: ${warning})` : ""}`, async () => {
  const points = clusteredRows();
  const previous = setMinValuesPerPart(0);
  try {
    // The products on OpenBLAS's pool: a backend without productsOnCallingThread.
    const poolOnly: Blas = { ...blas, productsOnCallingThread: undefined };
    expect(await startThreads(2, blas)).toBeNull();
    const reference = localityCells(points, poolOnly);
    for (const threads of [1, 2, 3]) {
      expect(await startThreads(threads, blas)).toBeNull();
      expect(threadsRunProducts(blas)).toBe(threads > 1);
      const before = threadStats();
      const cells = localityCells(points, blas);
      if (threads > 1) expect(threadStats().workerChunks).toBeGreaterThan(before.workerChunks);
      expectSameCells(cells, reference);
    }
    // More threads than the library takes at once (its MAX_THREADS): the pool's path.
    const twoAtOnce: Blas = { ...blas, concurrentProducts: 2 };
    expect(threadsRunProducts(twoAtOnce)).toBe(false);
    expectSameCells(localityCells(points, twoAtOnce), reference);
    expectNearestPivots(points, reference);
  } finally {
    setMinValuesPerPart(previous);
  }
});

test.skipIf(blas.name !== "openblas")(`workers that cannot open the library leave the products to OpenBLAS's pool, with the same order ${blas.name !== "openblas" ? `(skipped: ${warning})` : ""}`, async () => {
  const points = clusteredRows();
  expect(await startThreads(2, blas)).toBeNull();
  const reference = localityCells(points, blas);
  const missing: Blas = { ...blas, libraryPath: "/nonexistent/libopenblas.so.0" };
  expect(await startThreads(2, missing)).toBeNull(); // the workers start; their dlopen fails
  expect(threadsRunProducts(missing)).toBe(false);
  expectSameCells(localityCells(points, missing), reference);
});

function expectSameCells(got: LocalityCells, want: LocalityCells): void {
  expect(Array.from(got.order)).toEqual(Array.from(want.order));
  expect(Array.from(got.starts)).toEqual(Array.from(want.starts));
  expect(Array.from(got.pivots)).toEqual(Array.from(want.pivots));
}

/** Each row's cell is around a pivot at most float32 rounding farther from it than its nearest pivot. */
function expectNearestPivots(points: { data: Float32Array; rows: number; cols: number }, cells: LocalityCells): void {
  const { data, cols } = points, { order, starts, pivots } = cells;
  const pivotRows = Array.from(pivots, (position) => order[position]!);
  const squared = (a: number, b: number) => {
    let sum = 0;
    for (let j = 0; j < cols; j++) { const d = data[a * cols + j]! - data[b * cols + j]!; sum += d * d; }
    return sum;
  };
  let checked = 0;
  for (let cell = 0; cell < pivots.length; cell++) {
    for (let position = starts[cell]!; position < starts[cell + 1]!; position++) {
      const row = order[position]!, own = squared(row, pivotRows[cell]!);
      const nearest = Math.min(...pivotRows.map((pivot) => squared(row, pivot)));
      expect(own).toBeLessThanOrEqual(nearest * (1 + 1e-4) + 1e-3);
      checked++;
    }
  }
  expect(checked).toBe(points.rows);
}

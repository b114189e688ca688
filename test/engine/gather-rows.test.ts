/**
 * gatherRows puts row order[r] at r: split across the worker threads when both arrays are in
 * kernel memory, a row at a time otherwise (a destination outside it, which allocVectors hands
 * out when kernel memory is full, or rows outside it). Every way gives the same rows.
 */
import { afterAll, expect, test } from "bun:test";
import { gatherRows } from "../../src/engine/gather-rows.ts";
import { allocFloat32, allocFloat64, inKernelMemory } from "../../src/engine/kernels/kernels.ts";
import { setMinValuesPerPart, startThreads, stopThreads, threadStats } from "../../src/engine/kernels/threads.ts";
import { Rng } from "../../src/rng.ts";

afterAll(stopThreads);

const ROWS = 5000, COLS = 13;

/** A permutation of ROWS rows, seeded, and what gathering by it must give. */
function permutation(seed: number): Uint32Array {
  const rng = new Rng(seed), order = Uint32Array.from({ length: ROWS }, (_, i) => i);
  for (let i = ROWS - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
  return order;
}

function expected(data: Float32Array | Float64Array, order: Uint32Array): number[] {
  return Array.from(order, (row) => Array.from(data.subarray(row * COLS, (row + 1) * COLS))).flat();
}

for (const threads of [1, 2, 3]) {
  test(`rows in kernel memory, float32 and float64, on ${threads} thread${threads > 1 ? "s" : ""}: each row where the order puts it`, async () => {
    await startThreads(threads);
    const previous = setMinValuesPerPart(0);
    try {
      for (const alloc of [allocFloat32, allocFloat64]) {
        const data = alloc(ROWS * COLS);
        for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * 1000;
        const order = permutation(threads), out = alloc(ROWS * COLS);
        const splitBefore = threadStats().splitScans;
        gatherRows({ data, rows: ROWS, cols: COLS }, order, out);
        expect(Array.from(out)).toEqual(expected(data, order));
        if (threads > 1) expect(threadStats().splitScans).toBeGreaterThan(splitBefore);
      }
    } finally {
      setMinValuesPerPart(previous);
    }
  });
}

test("a destination or rows outside kernel memory take the row-at-a-time copy, with the same rows", async () => {
  await startThreads(2);
  const inKernel = allocFloat32(ROWS * COLS), outside = new Float32Array(ROWS * COLS);
  for (let i = 0; i < inKernel.length; i++) inKernel[i] = outside[i] = Math.cos(i);
  const order = permutation(9);
  expect(inKernelMemory(outside)).toBe(false);
  const intoPlain = new Float32Array(ROWS * COLS);
  gatherRows({ data: inKernel, rows: ROWS, cols: COLS }, order, intoPlain);
  expect(Array.from(intoPlain)).toEqual(expected(inKernel, order));
  const fromPlain = allocFloat32(ROWS * COLS);
  gatherRows({ data: outside, rows: ROWS, cols: COLS }, order, fromPlain);
  expect(Array.from(fromPlain)).toEqual(expected(outside, order));
});

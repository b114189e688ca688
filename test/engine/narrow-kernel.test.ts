/**
 * Which squared-distance kernel the rows get (usesNarrowKernel) rests on their largest
 * magnitude. For float32 rows in kernel memory it is found by a threaded kernel over rows of
 * 1024 values plus a tail; it must see what one pass over every value sees: the tail, negative
 * values, and a NaN (left out) that shares a row with the largest value.
 */
import { afterAll, expect, test } from "bun:test";
import { usesNarrowKernel } from "../../src/engine/euclidean.ts";
import { allocFloat32 } from "../../src/engine/kernels/kernels.ts";
import { setMinValuesPerPart, startThreads, stopThreads } from "../../src/engine/kernels/threads.ts";

afterAll(stopThreads);

/** 3000×17 float32 values in [-0.5, 0.5] in kernel memory (49 kernel rows of 1024 values and a tail of 824), with `place` applied. */
function rows(place: (data: Float32Array) => void): { data: Float32Array; rows: number; cols: number } {
  const data = allocFloat32(3000 * 17);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * 0.5;
  place(data);
  return { data, rows: 3000, cols: 17 };
}

for (const threads of [1, 2]) {
  test(`the largest magnitude is every value's, wherever it sits (${threads} thread${threads > 1 ? "s" : ""})`, async () => {
    await startThreads(threads);
    const previous = setMinValuesPerPart(0);
    try {
      const huge = 2 ** 51; // past the narrow kernel's range
      expect(usesNarrowKernel(...twice(rows(() => {})))).toBe(true);
      expect(usesNarrowKernel(...twice(rows((d) => { d[d.length - 1] = huge; })))).toBe(false); // in the tail
      expect(usesNarrowKernel(...twice(rows((d) => { d[1500] = -huge; })))).toBe(false); // negative, in a row
      expect(usesNarrowKernel(...twice(rows((d) => { d[2048] = NaN; d[2050] = huge; })))).toBe(false); // a NaN beside it
      expect(usesNarrowKernel(...twice(rows((d) => { d[2048] = NaN; })))).toBe(true); // a NaN alone is left out
      expect(usesNarrowKernel(...twice(rows((d) => d.fill(0))))).toBe(false); // all zero: below the range
    } finally {
      setMinValuesPerPart(previous);
    }
  });
}

function twice<T>(m: T): [T, T] {
  return [m, m];
}

/**
 * touch-pages.ts: fresh kernel memory faulted in on every thread. The pages must be resident
 * afterwards (the process's RSS grows by about their size), the values still the zeros they
 * were, and on one thread nothing happens.
 */
import { afterAll, expect, test } from "bun:test";
import { allocFloat32 } from "../../src/engine/kernels/kernels.ts";
import { startThreads, stopThreads, threadStats } from "../../src/engine/kernels/threads.ts";
import { faultInFresh } from "../../src/engine/touch-pages.ts";

afterAll(() => stopThreads());

const MB = 2 ** 20;

test("on two threads the pages become resident, split across the threads, and stay zero", async () => {
  expect(await startThreads(2)).toBeNull();
  const fresh = allocFloat32((64 * MB) / 4);
  const before = process.memoryUsage.rss(), scans = threadStats().splitScans;
  faultInFresh(fresh);
  expect(process.memoryUsage.rss() - before).toBeGreaterThan(56 * MB);
  expect(threadStats().splitScans).toBe(scans + 1);
  let nonZero = 0;
  for (let i = 0; i < fresh.length; i += 997) if (fresh[i] !== 0) nonZero++;
  expect(nonZero).toBe(0);
});

test("on one thread nothing is done (the faults come as the step writes)", async () => {
  expect(await startThreads(1)).toBeNull();
  const fresh = allocFloat32((64 * MB) / 4);
  const before = process.memoryUsage.rss();
  faultInFresh(fresh);
  expect(process.memoryUsage.rss() - before).toBeLessThan(8 * MB);
});

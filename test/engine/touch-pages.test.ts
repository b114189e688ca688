/**
 * touch-pages.ts: fresh kernel memory faulted in on every thread. Every page must have been
 * faulted in (the process's minor page faults, all threads', grow by about the page count: RSS
 * would not do, as the allocator may hand other pages back meanwhile), the values still the
 * zeros they were, and on one thread nothing happens.
 */
import { afterAll, expect, test } from "bun:test";
import { allocFloat32 } from "../../src/engine/kernels/kernels.ts";
import { startThreads, stopThreads, threadStats } from "../../src/engine/kernels/threads.ts";
import { faultInFresh } from "../../src/engine/touch-pages.ts";

afterAll(() => stopThreads());

const MB = 2 ** 20;
const PAGES = (64 * MB) / 4096;
const faults = () => process.resourceUsage().minorPageFault;

test("on two threads every page is faulted in, split across the threads, and stays zero", async () => {
  expect(await startThreads(2)).toBeNull();
  const fresh = allocFloat32((64 * MB) / 4);
  const before = faults(), scans = threadStats().splitScans;
  faultInFresh(fresh);
  expect(faults() - before).toBeGreaterThan(0.9 * PAGES);
  expect(threadStats().splitScans).toBe(scans + 1);
  let nonZero = 0;
  for (let i = 0; i < fresh.length; i += 997) if (fresh[i] !== 0) nonZero++;
  expect(nonZero).toBe(0);
});

test("on one thread nothing is done (the faults come as the step writes)", async () => {
  expect(await startThreads(1)).toBeNull();
  const fresh = allocFloat32((64 * MB) / 4);
  const before = faults();
  faultInFresh(fresh);
  expect(faults() - before).toBeLessThan(0.1 * PAGES);
});

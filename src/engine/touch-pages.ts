/**
 * Fresh kernel memory faulted in on every thread before a step that writes it on one. The first
 * write to each 4 KiB page of a fresh allocation costs a fault and a zeroed page: the pool's
 * 512 MB of vectors on 1M×128 rows took 159–167 ms of the main thread to touch, inside the
 * read's copy of the columns into them. Split across the threads like any scan
 * (touch_pages_many), the faults are taken side by side: the read step on two threads went
 * from 737–784 to 662–694 ms.
 */
import { inKernelMemory, manyScratch } from "./kernels/kernels.ts";
import { runMany, threadCount } from "./kernels/threads.ts";

const PAGE_BYTES = 4096;
/** Below this the faults cost less than the job. */
const MIN_BYTES = 16 * 2 ** 20;

/**
 * Faults in the pages of `fresh`, which must be as allocated (all zeros, written by no one: a 0
 * is stored in each page), on every thread; nothing on one thread or outside kernel memory.
 */
export function faultInFresh(fresh: Float32Array | Float64Array): void {
  if (threadCount() < 2 || fresh.byteLength < MIN_BYTES || !inKernelMemory(fresh)) return;
  const pages = Math.ceil(fresh.byteLength / PAGE_BYTES);
  const { idx, out } = manyScratch(pages);
  for (let p = 0; p < pages; p++) idx[p] = p;
  // A word at byteOffset + p·4096 lies in the array for every p, and in a page of its own.
  runMany("touch_pages_many", 0, fresh.byteOffset, PAGE_BYTES, idx.byteOffset, pages, 1, out.byteOffset, pages * (PAGE_BYTES / 4));
}

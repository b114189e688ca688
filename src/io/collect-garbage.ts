/**
 * Bun's collector lets garbage pile up in a loop that makes much of it: a streamed run's row
 * groups, decoded and garbage once scored (1.2 GB peak on 10M rows, job/stream.ts), or the
 * text of a large selection's rows as they are written (650 MB for 416,490 rows:
 * byte-sink.ts). So it is nudged after each group or MiB written, and made to
 * collect fully (tens of milliseconds) when the process passes FULL_GC_ABOVE and has grown by
 * FULL_GC_GROWTH since the last full collection: a process that stays above the line (the
 * candidates of a large selection) would otherwise collect fully after every group, which cost
 * half the wall time. Deno: left to V8.
 */
export function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (!bun) return;
  const rss = process.memoryUsage.rss();
  const full = rss > FULL_GC_ABOVE && rss > lastFullRss + FULL_GC_GROWTH;
  if (!full && rss < lastRss + NUDGE_GROWTH) return;
  bun.gc(full);
  lastRss = process.memoryUsage.rss();
  if (full) lastFullRss = lastRss;
}

/** Growth since the last collection that earns a nudge: nudging after every group cost 0.7 s of 5 on 10M rows. */
const NUDGE_GROWTH = 64 * 2 ** 20;
let lastRss = 0;

const FULL_GC_ABOVE = 512 * 2 ** 20;
const FULL_GC_GROWTH = 128 * 2 ** 20;
let lastFullRss = 0;

/**
 * THREADS for one job: how many threads the distance scans use (the engine's worker pool,
 * src/engine/kernels/threads.ts) and OpenBLAS may use, and where that number came from.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Config } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import { usableCores } from "../engine/kernels/cores.ts";
import { parkWorkers, startThreads, threadCount, threadStats } from "../engine/kernels/threads.ts";

export interface ThreadsUsed {
  /** Threads the scans run on, the main thread included (1 when workers could not start). */
  count: number;
  /** THREADS, or how the default was found (CPU affinity, a cgroup quota). */
  source: string;
  /** threadStats() when the job started, so the record counts this job's scans only. */
  before: ReturnType<typeof threadStats>;
}

/**
 * Starts the worker pool for THREADS (default: the cores this process may use) and caps
 * OpenBLAS's own pool at the same count, so the two never ask for more cores than there are (it
 * runs only large products, ffi/openblas.ts, and the workers sleep meanwhile). Warns and runs on
 * one thread when workers cannot start.
 */
export async function useThreads(config: Pick<Config, "values" | "sources">, log: Logger, blas: Blas): Promise<ThreadsUsed> {
  const given = config.sources.THREADS !== "default";
  const { cores, source } = given ? { cores: config.values.THREADS, source: `THREADS (${config.sources.THREADS})` } : usableCores();
  // The workers open OpenBLAS too, for the products each runs itself (engine/kernels/thread-products.ts).
  const warning = await startThreads(cores, blas);
  if (warning) log.warn(warning);
  blas.setThreads?.(threadCount(), parkWorkers);
  // The record says what ran: one thread, and why, when the workers did not start.
  return { count: threadCount(), source: warning ? `${source}; workers could not start` : source, before: threadStats() };
}

/** selection_metadata.json's "threads": the count, where it came from, and the scans that were split across threads. */
export function threadsRecord(threads: ThreadsUsed): { count: number; source: string; split_scans: number; worker_share: number | null } {
  const now = threadStats();
  const chunks = now.chunks - threads.before.chunks;
  return {
    count: threads.count, source: threads.source, split_scans: now.splitScans - threads.before.splitScans,
    // Share of the split scans' chunks the workers ran (the main thread ran the rest).
    worker_share: chunks > 0 ? Number(((now.workerChunks - threads.before.workerChunks) / chunks).toFixed(3)) : null,
  };
}

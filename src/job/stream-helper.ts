/**
 * A second thread for a streamed run (stream.ts): it counts the report's figures of every row
 * (countPoolRows: ten logarithms a row for the entropy chart, a second of a 10M-row run) while
 * the main thread decodes and ranks the next part.
 *
 * The worker runs a copy of countPoolRows's source text, started from a Blob URL like the
 * engine's workers (src/engine/kernels/worker-source.ts), so it needs no file beside the
 * compiled binary and runs the same under Bun and Deno. Parts are counted in the order they
 * are sent, into one PoolConfidence, by the same operations as on the main thread: the figures
 * are the same bits whichever thread counts them. With one thread (THREADS=1), or when the
 * worker cannot start, the main thread counts.
 */
import { countPoolRows, emptyPoolConfidence, type PoolConfidence } from "../report/stats.ts";
import { threadCount } from "../engine/kernels/threads.ts";

/** Parts sent but not yet counted before the main thread waits: bounds the probabilities in flight (a row group's each). */
const MAX_IN_FLIGHT = 3;
const START_TIMEOUT_MS = 10_000;

const HELPER_SOURCE = `
const countPoolRows = ${countPoolRows.toString()};
let confidence = null;
self.onmessage = (event) => {
  const message = event.data;
  if (message.kind === "count") {
    confidence ??= message.empty;
    countPoolRows(confidence, message.probs, message.classes);
    postMessage({ kind: "counted" });
  } else if (message.kind === "finish") {
    postMessage({ kind: "confidence", confidence });
    self.close();
  } else {
    postMessage({ kind: "ready" });
  }
};
`;

/** Counts the report's figures of each part, on the helper thread when there is one. */
export interface ReportCounter extends Disposable {
  /** Whether the helper thread counts (else this one). */
  onHelper: boolean;
  /** Counts a part's probabilities (row-major, `classes` a row); the array is handed over and must not be used after. */
  count(probs: Float64Array, classes: number): Promise<void>;
  /** The figures of every part counted; null when none was. */
  finish(): Promise<PoolConfidence | null>;
}

/** A counter on the helper thread when THREADS allows a second thread and it starts, else on this one. */
export async function reportCounter(): Promise<ReportCounter> {
  if (threadCount() > 1) {
    const helper = await startHelper();
    if (helper) return helper;
  }
  return mainThreadCounter();
}

export function mainThreadCounter(): ReportCounter {
  let confidence: PoolConfidence | null = null;
  return {
    onHelper: false,
    async count(probs, classes) {
      countPoolRows(confidence ??= emptyPoolConfidence(classes), probs, classes);
    },
    async finish() {
      return confidence;
    },
    [Symbol.dispose]() {},
  };
}

/** The helper thread's counter, or null when the worker does not start. */
async function startHelper(): Promise<ReportCounter | null> {
  const url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: "text/javascript" }));
  let worker: Worker;
  try {
    worker = new Worker(url, { type: "module" });
  } catch {
    URL.revokeObjectURL(url);
    return null;
  }
  // Replies come in the order the messages went: each waiter takes the next one.
  const waiting: { resolve: (data: unknown) => void; reject: (error: Error) => void }[] = [];
  let failure: Error | null = null;
  worker.onmessage = (event) => waiting.shift()?.resolve(event.data);
  worker.onerror = (event) => {
    event.preventDefault?.();
    failure = new Error(`the report's helper thread failed: ${event.message || "worker error"}`);
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  const reply = () => new Promise<unknown>((resolve, reject) => (failure ? reject(failure) : waiting.push({ resolve, reject })));
  (worker as unknown as { unref?: () => void }).unref?.();
  const started = reply();
  worker.postMessage({ kind: "hello" });
  const timer = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), START_TIMEOUT_MS).unref?.());
  try {
    if ((await Promise.race([started, timer])) === "late") throw new Error("late");
  } catch {
    worker.postMessage({ kind: "finish" });
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
  let counting: Promise<unknown>[] = [];
  let empty: PoolConfidence | null = null;
  let finished = false;
  return {
    onHelper: true,
    async count(probs, classes) {
      if (counting.length >= MAX_IN_FLIGHT) await counting.shift();
      counting.push(reply());
      // A view over part of a buffer is copied; a whole buffer is handed over.
      const sent = probs.byteOffset === 0 && probs.byteLength === probs.buffer.byteLength ? probs : probs.slice();
      worker.postMessage({ kind: "count", empty: empty ? null : (empty = emptyPoolConfidence(classes)), probs: sent, classes }, [sent.buffer as ArrayBuffer]);
    },
    async finish() {
      finished = true;
      await Promise.all(counting);
      counting = [];
      const done = reply();
      worker.postMessage({ kind: "finish" });
      return ((await done) as { confidence: PoolConfidence | null }).confidence;
    },
    /** Ends the worker if the pass gave up before finish(): it closes itself (Bun has crashed on terminating workers). */
    [Symbol.dispose]() {
      if (finished) return;
      finished = true;
      waiting.splice(0);
      worker.onmessage = null;
      worker.postMessage({ kind: "finish" });
    },
  };
}

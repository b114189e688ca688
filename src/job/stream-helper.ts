/**
 * A second thread for a streamed run (stream.ts). While the main thread decodes and ranks a
 * part, the helper decompresses the zstd pages of the next Parquet row group (io/parquet.ts's
 * read-ahead; about a second of a 10M-row run) and counts the report's figures of the part
 * before (countPoolRows: ten logarithms a row for the entropy chart, another second).
 *
 * The worker is started from a Blob URL like the engine's workers
 * (src/engine/kernels/worker-source.ts), so it needs no file beside the compiled binary and
 * runs under Bun and Deno; it runs a copy of countPoolRows's source text. Parts are counted in
 * the order they are sent, into one PoolConfidence, by the same operations as on the main
 * thread: the figures are the same bits whichever thread counts them. Pages are decompressed
 * by Bun's zstd, byte for byte what the main thread's would give (Deno: on the main thread).
 * With one thread (THREADS=1), or when the worker cannot start, the main thread does both.
 */
import { countPoolRows, emptyPoolConfidence, type PoolConfidence } from "../report/stats.ts";
import { threadCount } from "../engine/kernels/threads.ts";
import type { PageDecompressor } from "../io/parquet.ts";

/** Parts sent but not yet counted before the main thread waits: bounds the probabilities in flight (a row group's each). */
const MAX_IN_FLIGHT = 3;
const START_TIMEOUT_MS = 10_000;

const HELPER_SOURCE = `
const countPoolRows = ${countPoolRows.toString()};
const zstd = typeof Bun === "undefined" ? undefined : Bun.zstdDecompressSync;
let confidence = null;
/** A page's own buffer, which can be handed back. */
const own = (bytes) => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());
self.onmessage = (event) => {
  const message = event.data;
  if (message.kind === "count") {
    confidence ??= message.empty;
    countPoolRows(confidence, message.probs, message.classes);
    postMessage({ kind: "counted", probs: message.probs }, [message.probs.buffer]);
  } else if (message.kind === "decompress") {
    const { chunks } = message;
    const pages = message.pages.map((span) => {
      try {
        return own(zstd(chunks[span.chunk].subarray(span.start, span.start + span.length)));
      } catch {
        return null; // the main thread decompresses it and reports what is wrong
      }
    });
    postMessage({ kind: "decompressed", chunks, pages }, [...chunks, ...pages.filter((p) => p)].map((b) => b.buffer));
  } else if (message.kind === "finish") {
    postMessage({ kind: "confidence", confidence });
    self.close();
  } else {
    postMessage({ kind: "ready", zstd: zstd !== undefined });
  }
};
`;

export interface StreamHelper extends Disposable {
  /** Whether the helper thread works (else this one). */
  onHelper: boolean;
  /**
   * Counts a part's probabilities (row-major, `classes` a row) for the report; the array is
   * handed over and must not be used after, until takeCounted() gives it back.
   */
  count(probs: Float64Array, classes: number): Promise<void>;
  /** An array count() was handed and has counted, to be filled again (null when none is back yet): a fresh array per part touches fresh pages. */
  takeCounted(): Float64Array | null;
  /** The report's figures of every part counted; null when none was. */
  finish(): Promise<PoolConfidence | null>;
  /** Decompresses zstd pages on the helper thread; null when they are decompressed where they are decoded. */
  decompress: PageDecompressor | null;
}

/** The helper thread when THREADS allows a second thread and it starts, else this one. */
export async function streamHelper(): Promise<StreamHelper> {
  if (threadCount() > 1) {
    const helper = await startHelper();
    if (helper) return helper;
  }
  return mainThreadHelper();
}

export function mainThreadHelper(): StreamHelper {
  let confidence: PoolConfidence | null = null;
  const counted: Float64Array[] = [];
  return {
    onHelper: false,
    async count(probs, classes) {
      countPoolRows(confidence ??= emptyPoolConfidence(classes), probs, classes);
      counted.push(probs);
    },
    takeCounted: () => counted.shift() ?? null,
    async finish() {
      return confidence;
    },
    decompress: null,
    [Symbol.dispose]() {},
  };
}

/** The helper thread, or null when the worker does not start. */
async function startHelper(): Promise<StreamHelper | null> {
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
    failure = new Error(`the streamed run's helper thread failed: ${event.message || "worker error"}`);
    for (const w of waiting.splice(0)) w.reject(failure);
  };
  const reply = <T>() => new Promise<T>((resolve, reject) => (failure ? reject(failure) : waiting.push({ resolve: resolve as (data: unknown) => void, reject })));
  (worker as unknown as { unref?: () => void }).unref?.();
  const started = reply<{ zstd: boolean }>();
  worker.postMessage({ kind: "hello" });
  const timer = new Promise<"late">((resolve) => setTimeout(() => resolve("late"), START_TIMEOUT_MS).unref?.());
  let ready: { zstd: boolean } | "late";
  try {
    ready = await Promise.race([started, timer]);
    if (ready === "late") throw new Error("late");
  } catch {
    worker.postMessage({ kind: "finish" });
    return null;
  } finally {
    URL.revokeObjectURL(url);
  }
  let counting: Promise<unknown>[] = [];
  const counted: Float64Array[] = [];
  let empty: PoolConfidence | null = null;
  let finished = false;
  const decompress: PageDecompressor = async (chunks, pages) => {
    const done = reply<{ chunks: Uint8Array[]; pages: (Uint8Array | null)[] }>();
    worker.postMessage({ kind: "decompress", chunks, pages }, chunks.map((c) => c.buffer as ArrayBuffer));
    return done;
  };
  return {
    onHelper: true,
    async count(probs, classes) {
      if (counting.length >= MAX_IN_FLIGHT) await counting.shift();
      counting.push(reply<{ probs: Float64Array }>().then((back) => void counted.push(back.probs)));
      // A view over part of a buffer is copied; a whole buffer is handed over.
      const sent = probs.byteOffset === 0 && probs.byteLength === probs.buffer.byteLength ? probs : probs.slice();
      worker.postMessage({ kind: "count", empty: empty ? null : (empty = emptyPoolConfidence(classes)), probs: sent, classes }, [sent.buffer as ArrayBuffer]);
    },
    takeCounted: () => counted.shift() ?? null,
    async finish() {
      finished = true;
      await Promise.all(counting);
      counting = [];
      const done = reply<{ confidence: PoolConfidence | null }>();
      worker.postMessage({ kind: "finish" });
      return (await done).confidence;
    },
    decompress: ready.zstd ? decompress : null,
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

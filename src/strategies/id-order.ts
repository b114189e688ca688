/**
 * Order-free selections: a run that reads vectors or leaves (distances, k-means sums, random
 * draws over rows, ties by position in the engines) runs on a copy of the pool with its rows
 * in id order, so the same rows give the same selection however the files are ordered, split
 * or sharded. Its picks are mapped back to file rows, so everything after the strategy
 * (writers, metadata, report) sees file rows as before.
 *
 * A run on scores alone ranks by a per-row score with ties broken by id (options.tieBreak), an
 * order-free rule already, and runs on the pool as it is: no copy of a 10M-row pool.
 */
import { gatherRows } from "../engine/gather-rows.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import { sortById, type SortedIds } from "../pool/id-sort.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool/pool.ts";
import type { Selection, Strategy, StrategyOptions } from "./strategy.ts";

/** Pool rows by id (ties, which only repeated ids have: file order); null when already so. */
export function idOrder(ids: readonly string[]): Uint32Array | null {
  return sortedIds(ids)?.order ?? null;
}

/**
 * The ids sorted (pool/id-sort.ts), once per ids array and kept (a pool's ids never change once
 * read): the read sorts them to find repeated ids (job/read.ts), and the run in id order uses
 * the same order.
 */
export function sortedIds(ids: readonly string[]): SortedIds | null {
  let sorted = sortedById.get(ids);
  if (sorted === undefined) sortedById.set(ids, (sorted = sortById(ids)));
  return sorted;
}

const sortedById = new WeakMap<readonly string[], SortedIds | null>();

/** Runs `strategy` on the pool in id order and returns its selection in file rows. */
export function runInIdOrder(strategy: Strategy, pool: Pool, options: StrategyOptions): Selection {
  const order = pool.vectors || pool.leaves ? idOrder(pool.ids) : null;
  if (!order) return strategy(pool, options);
  const selection = strategy(permutePool(pool, order), permuteOptions(options, order));
  return { ...selection, rows: selection.rows.map((position) => order[position]!) };
}

/** Pool fields that hold one entry (or row) per pool row; a new one must be added to permutePool. */
const PER_ROW = new Set(["ids", "probs", "predicted", "confidence", "vectors", "leaves", "extra"]);

function permutePool(pool: Pool, order: Uint32Array): Pool {
  for (const [name, value] of Object.entries(pool)) {
    const length = ArrayBuffer.isView(value) || Array.isArray(value) ? (value as { length: number }).length : -1;
    if (!PER_ROW.has(name) && length > 0 && length % pool.size === 0 && name !== "tables" && name !== "tableStarts") {
      throw new Error(`internal: Pool.${name} looks per-row but strategies/id-order.ts does not reorder it; add it to permutePool`);
    }
  }
  const vectors = pool.vectors;
  // Per-row fields are copied when first read, as a strategy may never read them: on 1M rows the
  // ids, scores and classes cost ~90 ms on the main thread; the vectors, which an engine that
  // makes a locality order reads as read (vectorsAsRead), 512 MB and 0.1-0.2 s.
  const vectorsInIdOrder = once(() => (vectors ? { ...vectors, data: vectorsInOrder(vectors, order) } : null));
  const ids = once(() => Array.from(order, (row) => pool.ids[row]!));
  const probs = once(() => gather(pool.probs, pool.classes, order));
  const predicted = once(() => gather(pool.predicted, 1, order));
  const confidence = once(() => gather(pool.confidence, 1, order));
  const extra = once(() => new Map([...pool.extra].map(([name, values]) => [name, gather(values, 1, order)])));
  return {
    ...pool,
    get ids() { return ids(); },
    get probs() { return probs(); },
    get predicted() { return predicted(); },
    get confidence() { return confidence(); },
    get extra() { return extra(); },
    get vectors() { return vectorsInIdOrder(); },
    vectorsAsRead: vectors ? { matrix: vectors, rowOf: order } : undefined,
    leaves: pool.leaves ? { ...pool.leaves, data: gather(pool.leaves.data, pool.leaves.trees, order) } : null,
  };
}

/** `make`'s value, made on the first call and kept. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
}

function permuteOptions(options: StrategyOptions, order: Uint32Array): StrategyOptions {
  return {
    ...options,
    selectable: gather(options.selectable, 1, order),
    labelledRows: options.labelledRows ? gather(options.labelledRows, 1, order) : undefined,
    balance: options.balance ? { ...options.balance, classOf: gather(options.balance.classOf, 1, order) } : null,
    rowWeights: options.rowWeights ? gather(options.rowWeights, 1, order) : null,
    tieBreak: (a, b) => options.tieBreak(order[a]!, order[b]!),
    describeRow: (position) => options.describeRow(order[position]!),
  };
}

/** The vectors in `order`, in the kernels' own allocation (aligned, shareable with the worker threads) like the pool's. */
function vectorsInOrder(vectors: Matrix, order: Uint32Array): Float32Array | Float64Array {
  const data = allocVectors(vectors.data instanceof Float64Array, vectors.data.length);
  gatherRows(vectors, order, data);
  return data;
}

/** Rows of a row-major array (`width` values a row) in the given order, as a new array of its type. */
function gather<T extends Float64Array | Float32Array | Int32Array | Uint8Array>(data: T, width: number, order: Uint32Array): T {
  const out = new (data.constructor as { new (n: number): T })(order.length * width);
  for (let p = 0; p < order.length; p++) {
    const from = order[p]! * width;
    for (let j = 0; j < width; j++) out[p * width + j] = data[from + j]!;
  }
  return out;
}

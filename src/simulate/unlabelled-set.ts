/**
 * Reads the unlabelled rows `simulate --input DIR` adds to every seed's pool as its shape:
 * real rows no one has labelled, so the simulation can never reveal (pick) one, but the
 * strategies that measure the pool (the catalog's poolShape: clusters, densities, coverage)
 * see them as a real run would. Same channel reader as a selection (every format and layout);
 * the rows are put in id order, so file order and sharding never change a result.
 *
 * The inference output of a pool usually holds the labelled rows too: rows whose id is in the
 * labelled set are left out here (counted), since they are in the simulation already.
 */
import { allocVectors } from "../engine/kernels/kernels.ts";
import { drawSample } from "../engine/kmeans.ts";
import { DataError, UsageError } from "../errors.ts";
import { readChannel, type Notices } from "../io/channel.ts";
import { listNames } from "../list-names.ts";
import type { Matrix } from "../matrix.ts";
import { bySuffix } from "../pool/columns.ts";
import { Rng } from "../rng.ts";
import type { FixedPoint } from "./exact-products.ts";
import { readRowsInIdOrder } from "./labelled-set.ts";
import type { LabelledRows } from "./loop.ts";
import { designMatrix } from "./softmax-regression.ts";

export interface UnlabelledRows {
  /** In id order. */
  ids: string[];
  /** In kernel memory, as the labelled vectors. */
  vectors: Matrix;
  /** The proxy model's design matrix, standardised with the labelled rows' moments. */
  design: FixedPoint;
  source: {
    path: string;
    files: string[];
    /** Rows in the files. */
    rowsRead: number;
    /** Rows whose id is in the labelled set (in the simulation already). */
    labelledLeftOut: number;
    /** Unlabelled rows before subsampling, when there were more than `limit`; else null. */
    sampledFrom: number | null;
    /** SIMULATE_INPUT_ROWS: at most this many rows shape the pool (Infinity: every row). */
    limit: number;
  };
}

export interface UnlabelledSetOptions {
  idField: string;
  float64: boolean;
  /** RANDOM_SEED: draws the subsample when there are more than `limit` rows. */
  seed: number;
  /**
   * SIMULATE_INPUT_ROWS (0: no limit): more rows are subsampled uniformly. The shape is a
   * density, which a uniform sample keeps; typiclust's k-means and probcover's δ-ball graph
   * cost more with every row (the graph more than linearly).
   */
  limit: number;
  notices?: Notices;
}

export async function readUnlabelledSet(channel: string, labelled: Pick<LabelledRows, "ids" | "vectorColumns" | "moments">,
  options: UnlabelledSetOptions): Promise<UnlabelledRows> {
  const tables = await readChannel(channel, "input", undefined, options.notices);
  for (const table of tables) {
    if (!table.columns.includes(options.idField)) {
      throw new DataError(`${table.path}: no column "${options.idField}" (the row id); simulate needs it in the unlabelled rows (--input) to tell them from the labelled ones. Name the column with ID_FIELD (--id-field). Columns: ${listNames(table.columns)}.`);
    }
    sameVectorColumns(table.path, table.columns, labelled.vectorColumns);
  }
  const read = readRowsInIdOrder(tables, options.idField, labelled.vectorColumns);
  const dim = labelled.vectorColumns.length;
  const known = new Set(labelled.ids);
  const keep: number[] = [];
  for (let k = 0; k < read.ids.length; k++) {
    if (known.has(read.ids[k]!)) continue;
    if (keep.length > 0 && read.ids[keep[keep.length - 1]!] === read.ids[k]) {
      throw new DataError(`${channel}: id "${read.ids[k]}" appears twice in the unlabelled rows (--input); ids must be unique.`);
    }
    keep.push(k);
  }
  if (keep.length === 0) {
    throw new UsageError(`${channel}: every one of its ${read.ids.length} rows has an id of the labelled set, so no unlabelled row is left to shape the pool. Point --input at the unlabelled pool's rows, or drop --input.`);
  }
  const limit = options.limit > 0 ? options.limit : Infinity;
  // A uniform sample, kept in id order.
  const chosen = keep.length > limit ? Array.from(drawSample(keep.length, limit, new Rng(options.seed)).sort(), (i) => keep[i]!) : keep;
  const values = new Float64Array(chosen.length * dim);
  chosen.forEach((k, i) => values.set(read.vectors.subarray(k * dim, (k + 1) * dim), i * dim));
  const vectors = allocVectors(options.float64, values.length);
  vectors.set(values);
  return {
    ids: chosen.map((k) => read.ids[k]!),
    vectors: { data: vectors, rows: chosen.length, cols: dim },
    design: designMatrix(values, chosen.length, dim, labelled.moments),
    source: {
      path: channel, files: tables.map((t) => t.path), rowsRead: read.ids.length,
      labelledLeftOut: read.ids.length - keep.length, sampledFrom: keep.length > limit ? keep.length : null, limit,
    },
  };
}

/** Refuses a file whose emb_* columns are not the labelled rows': its vectors live in another space. */
function sameVectorColumns(path: string, columns: readonly string[], expected: readonly string[]): void {
  const found = columns.filter((c) => c.startsWith("emb_")).sort(bySuffix("emb_"));
  const missing = expected.filter((c) => !found.includes(c));
  const extra = found.filter((c) => !expected.includes(c));
  if (missing.length === 0 && extra.length === 0) return;
  throw new UsageError(`${path}: its vectors are ${found.length === 0 ? "missing (no emb_* columns)" : `${listNames(found)} (${found.length} columns)`}, the labelled rows' are ${listNames(expected)} (${expected.length}); --input must hold vectors of the same embedding as --labeled${missing.length > 0 ? `. Missing: ${listNames(missing)}` : ""}${extra.length > 0 ? `. Not in the labelled rows: ${listNames(extra)}` : ""}.`);
}

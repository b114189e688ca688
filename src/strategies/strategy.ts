/**
 * The one interface every strategy implements: a pure function of the pool and its options,
 * returning the chosen rows in rank order with a score each.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool.ts";
import type { Rng } from "../rng.ts";
import type { UncertaintyMode } from "../engine/uncertainty.ts";

export interface StrategyOptions {
  batchSize: number;
  confidenceThreshold: number;
  maxSamples: number;
  kPerClass: number;
  uncertaintyMode: UncertaintyMode;
  metric: "euclidean" | "cosine";
  minDistance: number;
  /** cluster_margin: k-means clusters; 0 or absent = min(batchSize, ⌈√pool rows⌉). */
  clusterMarginClusters?: number;
  /** cluster_margin: lowest-margin rows the batch is drawn from; 0 or absent = 10 × batchSize. */
  clusterMarginCandidates?: number;
  blas: Blas;
  rng: Rng;
  /** Labelled rows (the labeled_data channel): their vectors/leaves count as already chosen. */
  labeled: { ids: string[]; vectors: Matrix | null; leaves: Int32Array | null } | null;
  /** Per pool row, 1 when it may be selected (labelled or excluded ids are 0). */
  selectable: Uint8Array;
  /** Names a pool row in error messages ("file: row N"). */
  describeRow: (row: number) => string;
  onProgress?: (done: number, total: number) => void;
}

export interface Selection {
  /** Pool rows, best first. */
  rows: Uint32Array;
  /** The strategy's score per selected row (same order); higher = chosen earlier. */
  scores: Float64Array;
  /** What the score means, for the metadata. */
  scoreMeaning: string;
  /** Strategy-specific figures for the metadata (distance evaluations, stopping reason…). */
  details: Record<string, unknown>;
  warnings: string[];
}

export type Strategy = (pool: Pool, options: StrategyOptions) => Selection;

/**
 * The one interface every strategy implements: a pure function of the pool and its options,
 * returning the chosen rows in rank order with a score each.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool.ts";
import type { Rng } from "../rng.ts";
import type { UncertaintyMode } from "../engine/uncertainty.ts";
import type { Balance } from "../balance.ts";
import type { SelectionConfig } from "../selection-config.ts";

export interface StrategyOptions {
  batchSize: number;
  confidenceThreshold: number;
  maxSamples: number;
  kPerClass: number;
  uncertaintyMode: UncertaintyMode;
  metric: "euclidean" | "cosine";
  minDistance: number;
  blas: Blas;
  rng: Rng;
  /** Labelled rows (the labeled_data channel): their vectors/leaves count as already chosen. */
  labeled: { ids: string[]; vectors: Matrix | null; leaves: Int32Array | null } | null;
  /** Per pool row, 1 when it may be selected (labelled or excluded ids are 0). */
  selectable: Uint8Array;
  /** CLASS_BALANCE resolved against the pool, or null. */
  balance: Balance | null;
  /** SELECTION_CONFIG (hybrid), or null. */
  selectionConfig: SelectionConfig | null;
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
  /** Class quotas the selection was held to (CLASS_BALANCE), by balance class; null without. */
  quotas?: Int32Array | null;
}

export type Strategy = (pool: Pool, options: StrategyOptions) => Selection;

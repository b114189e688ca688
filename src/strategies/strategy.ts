/**
 * The one interface every strategy implements: a pure function of the pool and its options,
 * returning the chosen rows in rank order with a score each.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool/pool.ts";
import type { Rng } from "../rng.ts";
import type { UncertaintyMode } from "../engine/uncertainty.ts";
import type { Balance } from "./balance.ts";
import type { SelectionConfig } from "./selection-config.ts";

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
  /** probcover: ball radius in METRIC units; 0 or absent = chosen by purity. */
  probcoverDelta?: number;
  /** probcover: purity the chosen radius must keep (default 0.95). */
  probcoverPurity?: number;
  /** probcover: k-means clusters for purity; 0 or absent = the pool's classes, else 10. */
  probcoverClusters?: number;
  /** hybrid similarity objective: the query_data rows' vectors; null without the channel. */
  query?: Matrix | null;
  /** hybrid: BUDGET_COLUMN (a pool.extra column) and BUDGET; null without a budget. */
  budget?: { column: string; limit: number } | null;
  blas: Blas;
  rng: Rng;
  /** Labelled rows (the labeled_data channel): their vectors/leaves count as already chosen. */
  labeled: { ids: string[]; vectors: Matrix | null; leaves: Int32Array | null } | null;
  /** Per pool row, 1 when it may be selected (labelled or excluded ids are 0). */
  selectable: Uint8Array;
  /**
   * Per pool row, 1 when it counts as labelled (already chosen: a k-center seed, a covered
   * cluster or ball). Absent: every row that may not be selected does. A row neither
   * selectable nor labelled only shapes the pool (simulate's unlabelled --input rows, which
   * no oracle can label); the catalog's `poolShape` says what each strategy does with it.
   */
  labelledRows?: Uint8Array;
  /** CLASS_BALANCE resolved against the pool, or null. */
  balance: Balance | null;
  /** SELECTION_CONFIG (hybrid), or null. */
  selectionConfig: SelectionConfig | null;
  /** Rows the pool stands for: a multi-host merge's candidates stand for the rows the map hosts saw; else the pool's size. */
  poolRows?: number;
  /** A streamed run, whose pool holds only the candidates: the rows of the whole pool that pass the threshold (confidence_threshold's count). */
  passingRows?: number;
  /** Per pool row, how many rows it stands for (a multi-host merge's candidates); null: 1 each. */
  rowWeights: Float64Array | null;
  /** What decided which rows may be pseudo-labelled when it replaces confidenceThreshold (TARGET_PRECISION, THRESHOLD_MODE), for messages; absent otherwise. */
  thresholdRule?: string;
  /** Orders rows with equal scores: by id, so sharding a pool never changes a ranking. */
  tieBreak: (a: number, b: number) => number;
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
  /**
   * Distance-based strategies: per selected row, how many pool rows are nearest to it (itself
   * included) and the farthest of them, in the metric's units. A multi-host merge weighs
   * candidates by the first and bounds its covering radius with the second.
   */
  coverage?: { sizes: Uint32Array; radii: Float64Array } | null;
  /** k-center: the largest distance from an unselected row to its nearest selected or labelled row. */
  coveringRadius?: number | null;
}

export type Strategy = (pool: Pool, options: StrategyOptions) => Selection;

/**
 * Every parameter once: its environment variable (SageMaker Processing passes these), its
 * flag (for people; flags override env), default, allowed values and meaning. Parsing,
 * validation and `--help` all read this table, so they cannot disagree.
 */
import { STRATEGY_NAMES, USE_CASES } from "../strategies/catalog.ts";
import { UNCERTAINTY_MODES } from "../engine/uncertainty.ts";
import { PRECISION_SCOPES } from "../calibration/conformal-selection.ts";
import { THRESHOLD_MODES } from "../pseudo-labels/adaptive-thresholds.ts";

export type ParamKind =
  | { type: "choice"; values: readonly string[] }
  | { type: "int"; min: number; max: number }
  | { type: "number"; min: number; max: number }
  | { type: "bool" }
  | { type: "string" };

export interface ParamSpec {
  env: string;
  flag: string;
  default: string;
  kind: ParamKind;
  help: string;
  /** The one strategy that reads it, where only one does (a run of another warns that it is ignored). */
  strategy?: string;
}

export const PARAMS = [
  { env: "STRATEGY", flag: "strategy", default: "", kind: { type: "choice", values: STRATEGY_NAMES }, help: "selection strategy (also given as --job_type)" },
  { env: "USE_CASE", flag: "use-case", default: "auto", kind: { type: "choice", values: USE_CASES }, help: "what the selection is for; auto infers it from the strategy; a contradicting strategy is refused" },
  { env: "BATCH_SIZE", flag: "batch-size", default: "32", kind: { type: "int", min: 1, max: 100_000_000 }, help: "rows to select (active-learning strategies)" },
  { env: "CONFIDENCE_THRESHOLD", flag: "confidence-threshold", default: "0.9", kind: { type: "number", min: 0, max: 1 }, help: "confidence_threshold: minimum top-class probability" },
  { env: "MAX_SAMPLES", flag: "max-samples", default: "0", kind: { type: "int", min: 0, max: 100_000_000 }, help: "confidence_threshold: keep at most this many, most confident first (0 = no limit)" },
  { env: "K_PER_CLASS", flag: "k-per-class", default: "100", kind: { type: "int", min: 1, max: 100_000_000 }, help: "top_k_per_class: rows per predicted class" },
  { env: "UNCERTAINTY_MODE", flag: "uncertainty-mode", default: "margin", kind: { type: "choice", values: UNCERTAINTY_MODES }, help: "uncertainty: how uncertainty is measured", strategy: "uncertainty" },
  { env: "METRIC", flag: "metric", default: "euclidean", kind: { type: "choice", values: ["euclidean", "cosine"] }, help: "diversity: distance between vectors (cosine = euclidean on L2-normalised rows)" },
  { env: "MIN_DISTANCE", flag: "min-distance", default: "0", kind: { type: "number", min: 0, max: Number.MAX_VALUE }, help: "active learning: no two selected rows (nor a selected and a labelled row) closer than this, in METRIC units (cosine 0-2; leaf_coreset: share of trees); stops early when none is left; 0 = off" },
  { env: "CLASS_BALANCE", flag: "class-balance", default: "none", kind: { type: "string" }, help: "class quotas for any strategy: none, uniform, pool (the pool's predicted mix) or a JSON map class → share" },
  { env: "BALANCE_COLUMN", flag: "balance-column", default: "", kind: { type: "string" }, help: "quotas over this column's values instead of the predicted class" },
  { env: "SELECTION_CONFIG", flag: "config", default: "", kind: { type: "string" }, help: "hybrid: filters, objectives and class balance, as inline JSON or a JSON file path (see README)" },
  { env: "CLUSTER_MARGIN_CLUSTERS", flag: "cluster-margin-clusters", default: "0", kind: { type: "int", min: 0, max: 100_000_000 }, help: "cluster_margin: k-means clusters of the pool (0 = min(BATCH_SIZE, ⌈√pool rows⌉); fitting time grows with its square)", strategy: "cluster_margin" },
  { env: "CLUSTER_MARGIN_CANDIDATES", flag: "cluster-margin-candidates", default: "0", kind: { type: "int", min: 0, max: 100_000_000 }, help: "cluster_margin: the lowest-margin rows the batch is drawn from (0 = 10 × BATCH_SIZE)", strategy: "cluster_margin" },
  { env: "PROBCOVER_DELTA", flag: "probcover-delta", default: "0", kind: { type: "number", min: 0, max: Number.MAX_VALUE }, help: "probcover: ball radius in METRIC units (cosine: 1 − cos); 0 = the largest radius whose balls are PROBCOVER_PURITY pure", strategy: "probcover" },
  { env: "PROBCOVER_PURITY", flag: "probcover-purity", default: "0.95", kind: { type: "number", min: 0, max: 1 }, help: "probcover: share of balls that must lie inside one k-means cluster when δ is chosen (the paper's α)", strategy: "probcover" },
  { env: "PROBCOVER_CLUSTERS", flag: "probcover-clusters", default: "0", kind: { type: "int", min: 0, max: 100_000_000 }, help: "probcover: k-means clusters purity is measured against (0 = the pool's classes when it has scores, else 10)", strategy: "probcover" },
  { env: "TARGET_PRECISION", flag: "target-precision", default: "0", kind: { type: "number", min: 0, max: 0.9999 }, help: "confidence_threshold, top_k_per_class: select as many rows as possible while the expected share of right pseudo-labels stays ≥ this (conformal selection on the calibration_data channel); 0 = off" },
  { env: "PRECISION_SCOPE", flag: "precision-scope", default: "overall", kind: { type: "choice", values: PRECISION_SCOPES }, help: "TARGET_PRECISION: overall (one threshold, the guarantee for the whole selection) or class (one threshold per predicted class, the guarantee for each class)" },
  { env: "CALIBRATE", flag: "calibrate", default: "auto", kind: { type: "choice", values: ["auto", "off"] }, help: "auto: with calibration_data, temperature-scale the probabilities SSL strategies use; off: use them as given" },
  { env: "TRUE_LABEL_FIELD", flag: "true-label-field", default: "label", kind: { type: "string" }, help: "calibration_data and simulate: the column holding each row's true class (calibration_data: written as the pool's class names)" },
  { env: "THRESHOLD_MODE", flag: "threshold-mode", default: "fixed", kind: { type: "choice", values: THRESHOLD_MODES }, help: "confidence_threshold, top_k_per_class without TARGET_PRECISION: fixed (CONFIDENCE_THRESHOLD), flexmatch or freematch class-adaptive thresholds" },
  { env: "PSEUDO_LABEL_COLUMN", flag: "pseudo-label-column", default: "pseudo_label", kind: { type: "string" }, help: "SSL output: column of the predicted class; <name>_confidence and <name>_weight follow it" },
  { env: "PREDICTED_LABEL_COLUMN", flag: "predicted-label-column", default: "predicted_label", kind: { type: "string" }, help: "active-learning output: column of the model's predicted class, for the labelling UI" },
  { env: "BUDGET_COLUMN", flag: "budget-column", default: "", kind: { type: "string" }, help: "hybrid: a numeric column with each row's labelling cost (text length, video seconds); with BUDGET" },
  { env: "BUDGET", flag: "budget", default: "0", kind: { type: "number", min: 0, max: Number.MAX_VALUE }, help: "hybrid: rows are taken in rank order while their summed BUDGET_COLUMN cost stays within this (0 = no budget)" },
  { env: "RANDOM_SEED", flag: "random-seed", default: "42", kind: { type: "int", min: 0, max: 4294967295 }, help: "seed of every random choice; same input + seed = same selection" },
  { env: "ID_FIELD", flag: "id-field", default: "id", kind: { type: "string" }, help: "column that identifies rows (kept exactly as written)" },
  { env: "SCORE_FIELD", flag: "score-field", default: "", kind: { type: "string" }, help: "one score column in [0,1] (binary problem); overrides the prefix" },
  { env: "LABEL_FIELD", flag: "label-field", default: "", kind: { type: "string" }, help: "column of predicted labels (LLM/rule outputs) beside a confidence in each; default: predicted_label, prediction or label_pred when present. With SCORE_FIELD, that column is the confidence" },
  { env: "LABEL_CLASSES", flag: "label-classes", default: "", kind: { type: "string" }, help: "with a label column: every class, comma-separated or a JSON list (default: the distinct labels read); needed when hosts of a multi-host job may not all see every label" },
  { env: "SCORE_FIELD_PREFIX", flag: "score-field-prefix", default: "prob_class_", kind: { type: "string" }, help: "prefix of the per-class probability columns" },
  { env: "OUTPUT_FORMAT", flag: "output-format", default: "csv", kind: { type: "choice", values: ["csv", "parquet"] }, help: "selected_samples.csv or selected_samples.parquet" },
  { env: "SAVE_METADATA", flag: "save-metadata", default: "true", kind: { type: "bool" }, help: "write selection_metadata.json" },
  { env: "SAVE_REPORT", flag: "save-report", default: "true", kind: { type: "bool" }, help: "write selection_report.html" },
  { env: "EXCLUDE_IDS_FILE", flag: "exclude-ids-file", default: "", kind: { type: "string" }, help: "ids never to select: one per line, or a CSV/Parquet file with the id column" },
  { env: "RENORMALIZE_PROBS", flag: "renormalize-probs", default: "false", kind: { type: "bool" }, help: "rescale prob_class_* rows that do not sum to 1 instead of refusing them" },
  { env: "PROB_SUM_TOLERANCE", flag: "prob-sum-tolerance", default: "0.001", kind: { type: "number", min: 0, max: 0.5 }, help: "how far a probability row may sum from 1 (rounded exports)" },
  { env: "DUPLICATE_IDS", flag: "duplicate-ids", default: "error", kind: { type: "choice", values: ["error", "keep_first"] }, help: "refuse duplicate ids, or keep each id's first row (later rows are never selected)" },
  { env: "STREAM", flag: "stream", default: "auto", kind: { type: "choice", values: ["auto", "off"] }, help: "score-only strategies (uncertainty, confidence_threshold, top_k_per_class) on Parquet or CSV input: read the pool a part at a time in bounded memory (auto), or hold it whole (off); the same selection either way" },
  { env: "VECTOR_PRECISION", flag: "vector-precision", default: "float32", kind: { type: "choice", values: ["float32", "float64"] }, help: "precision the vectors are held in (float32 halves memory traffic)" },
  { env: "ACTIVE_SAMPLING_BLAS", flag: "blas", default: "auto", kind: { type: "choice", values: ["auto", "openblas", "off"] }, help: "numeric backend: auto (OpenBLAS if found, else TypeScript), openblas (required), off" },
  { env: "BLAS_LIBRARY", flag: "blas-library", default: "", kind: { type: "string" }, help: "path of libopenblas.so to load" },
  { env: "THREADS", flag: "threads", default: "", kind: { type: "int", min: 1, max: 65_536 }, help: "threads for the distance scans and OpenBLAS (default: the cores this process may use, from its CPU affinity and cgroup CPU quota); the selection is the same for any number" },
  { env: "CURRENT_HOST", flag: "host", default: "", kind: { type: "string" }, help: "this instance's name among HOSTS (default: current_host of /opt/ml/config/resourceconfig.json, else one host)" },
  { env: "HOSTS", flag: "hosts", default: "", kind: { type: "string" }, help: "every instance's name, comma-separated, in order (default: hosts of resourceconfig.json); with several, each host writes to a subdirectory of the output named after it" },
  { env: "LOG_FORMAT", flag: "log-format", default: "text", kind: { type: "choice", values: ["text", "json"] }, help: "log lines on stderr: text, or json (one object a line, for CloudWatch-style collectors)" },
  { env: "QUIET", flag: "quiet", default: "false", kind: { type: "bool" }, help: "only warnings and errors on stderr" },
  { env: "ROUNDS", flag: "rounds", default: "0", kind: { type: "int", min: 0, max: 10_000 }, help: "simulate: rounds of BATCH_SIZE labels after the seed set (0 = up to 10, while the labelled share stays at most half the pool); BATCH_SIZE unset = 1/40 of the pool" },
  { env: "SIMULATION_SEEDS", flag: "simulation-seeds", default: "5", kind: { type: "int", min: 2, max: 1000 }, help: "simulate: seeds (RANDOM_SEED, RANDOM_SEED+1, …), each a split, seed set and draw; differences are judged against their spread" },
  { env: "SIMULATE_STRATEGIES", flag: "simulate-strategies", default: "", kind: { type: "string" }, help: "simulate: comma-separated configurations to compare (random is always kept); empty = all but typiclust and probcover, which run when named" },
  { env: "SIMULATE_INPUT_ROWS", flag: "simulate-input-rows", default: "20000", kind: { type: "int", min: 0, max: 1_000_000_000 }, help: "simulate --input: at most this many unlabelled rows shape the pool, a uniform sample drawn with RANDOM_SEED (0 = every row); typiclust and probcover cost more with every row" },
  { env: "STABLE_KAPPA", flag: "stable-kappa", default: "0.99", kind: { type: "number", min: 0, max: 1 }, help: "with previous_predictions: Cohen's kappa between this and the last round's predicted classes at which predictions count as stabilised" },
] as const satisfies readonly ParamSpec[];

export type ParamName = (typeof PARAMS)[number]["env"];

/**
 * Every strategy by name, the use case it serves and what it needs from the input.
 * A strategy that contradicts the use case is refused with the reason, not run.
 */
import { UsageError } from "../errors.ts";
import type { SelectionConfig } from "../selection-config.ts";
import { badge } from "./badge.ts";
import { clusterMargin } from "./cluster-margin.ts";
import { confidenceThreshold } from "./confidence-threshold.ts";
import { diversity } from "./diversity.ts";
import { hybrid } from "./hybrid.ts";
import { leafCoreset } from "./leaf-coreset.ts";
import type { Strategy } from "./strategy.ts";
import { topKPerClass } from "./top-k-per-class.ts";
import { typiclust } from "./typiclust.ts";
import { probcover } from "./probcover.ts";
import { uncertainty } from "./uncertainty.ts";

export type UseCase = "ssl" | "active_learning";
export const USE_CASES = ["auto", "ssl", "active_learning"] as const;

export interface StrategyEntry {
  run: Strategy;
  useCase: UseCase;
  needsVectors: boolean;
  needsLeaves: boolean;
  /** Reads the score columns; false: runs on a pool of ids and vectors alone (hybrid: its config decides). */
  needsScores: boolean;
  /** Why a multi-host run (map on each host, then merge) is refused: the strategy has no sound merge rule. */
  noMerge?: string;
  summary: string;
}

export const STRATEGIES: Record<string, StrategyEntry> = {
  confidence_threshold: { run: confidenceThreshold, useCase: "ssl", needsVectors: false, needsLeaves: false, needsScores: true,
    summary: "rows whose top probability ≥ CONFIDENCE_THRESHOLD, most confident first (MAX_SAMPLES caps)" },
  top_k_per_class: { run: topKPerClass, useCase: "ssl", needsVectors: false, needsLeaves: false, needsScores: true,
    summary: "the K_PER_CLASS most confident rows of each predicted class" },
  uncertainty: { run: uncertainty, useCase: "active_learning", needsVectors: false, needsLeaves: false, needsScores: true,
    summary: "the BATCH_SIZE least certain rows (UNCERTAINTY_MODE: margin, entropy, least_confidence)" },
  diversity: { run: diversity, useCase: "active_learning", needsVectors: true, needsLeaves: false, needsScores: false,
    summary: "core-set: greedy k-center over emb_*/feature vectors, labelled rows as starting centers (METRIC)" },
  leaf_coreset: { run: leafCoreset, useCase: "active_learning", needsVectors: false, needsLeaves: true, needsScores: false,
    summary: "greedy k-center over GBDT leaf_* indices; distance = share of trees whose leaves differ" },
  badge: { run: badge, useCase: "active_learning", needsVectors: true, needsLeaves: false, needsScores: true,
    summary: "BADGE: k-means++ seeding over gradient embeddings (uncertain and diverse)" },
  hybrid: { run: hybrid, useCase: "active_learning", needsVectors: false, needsLeaves: false, needsScores: false,
    summary: "filters, then Π objective^strength (uncertainty, confidence, diversity, weight), greedy (SELECTION_CONFIG)" },
  cluster_margin: { run: clusterMargin, useCase: "active_learning", needsVectors: true, needsLeaves: false, needsScores: true,
    summary: "Cluster-Margin: the lowest-margin rows, round-robin over k-means clusters of the vectors (CLUSTER_MARGIN_*)" },
  typiclust: { run: typiclust, useCase: "active_learning", needsVectors: true, needsLeaves: false, needsScores: false,
    noMerge: "typiclust clusters the whole pool and takes the most typical row of each cluster; clusters fitted per host do not combine into the pool's clusters, so there is no sound merge. Run it on one instance (it needs no model, so the pool can be read whole)",
    summary: "TypiClust (cold start): the most typical row of each of the largest k-means clusters without labelled rows; needs no scores" },
  probcover: { run: probcover, useCase: "active_learning", needsVectors: true, needsLeaves: false, needsScores: false,
    noMerge: "probcover covers the whole pool's δ-ball graph greedily; per-host coverage counts do not add up to the pool's (balls cross shards), so there is no sound merge. Run it on one instance",
    summary: "ProbCover (cold start): greedy maximum coverage of δ-balls, δ chosen by cluster purity (PROBCOVER_*); needs no scores" },
};

export const STRATEGY_NAMES = Object.keys(STRATEGIES);

const WHY: Record<UseCase, string> = {
  ssl: "semi-supervised learning pseudo-labels the rows the model is sure of; rows chosen for being uncertain or unusual would make noisy pseudo-labels",
  active_learning: "active learning spends a person's time on the rows the model is unsure of; confident rows waste that effort, since the model already gets them right",
};

/** The use case a run serves; throws a UsageError when the strategy contradicts USE_CASE. */
export function resolveUseCase(strategy: string, useCase: string): UseCase {
  const entry = STRATEGIES[strategy]!;
  if (useCase === "auto") return entry.useCase;
  if (useCase !== entry.useCase) {
    const fitting = STRATEGY_NAMES.filter((s) => STRATEGIES[s]!.useCase === useCase).join(", ");
    throw new UsageError(`strategy "${strategy}" serves ${entry.useCase}, but USE_CASE=${useCase}: ${WHY[useCase as UseCase]}. Use one of ${fitting}, or USE_CASE=${entry.useCase}.`);
  }
  return entry.useCase;
}

/**
 * A hybrid selection serves SSL when it rewards confidence and nothing uncertain or diverse,
 * active learning otherwise; USE_CASE may not contradict what its objectives reward.
 */
export function resolveHybridUseCase(config: SelectionConfig, useCase: string): UseCase {
  const active = config.objectives.filter((o) => o.strength > 0);
  const rewardsConfidence = active.some((o) => o.type === "confidence");
  const rewardsDoubt = active.some((o) => o.type === "uncertainty" || o.type === "diversity");
  if (rewardsConfidence && rewardsDoubt) {
    throw new UsageError(`SELECTION_CONFIG rewards both confidence and uncertainty/diversity; pseudo-labels want the first, labelling the second. Keep one side (or give it strength 0).`);
  }
  const inferred: UseCase = rewardsConfidence ? "ssl" : "active_learning";
  if (useCase !== "auto" && useCase !== inferred) {
    throw new UsageError(`SELECTION_CONFIG's objectives serve ${inferred}, but USE_CASE=${useCase}: ${WHY[useCase as UseCase]}.`);
  }
  return inferred;
}

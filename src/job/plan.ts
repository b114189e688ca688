/**
 * Step 1 of a job: what the configuration asks for, decided before any data is read. Every
 * rule that refuses a combination of parameters lives here, so a bad command line fails fast.
 */
import type { Config } from "../cli/config.ts";
import { PARAMS, type ParamName, type ParamSpec } from "../cli/params.ts";
import { UsageError } from "../errors.ts";
import { configNeedsVectors, parseSelectionConfig, type SelectionConfig } from "../strategies/selection-config.ts";
import { resolveHybridUseCase, resolveUseCase, STRATEGIES, type StrategyEntry, type UseCase } from "../strategies/catalog.ts";

/** single: one process on the whole pool; map: one host of several keeps candidates; merge: selects from every host's candidates. */
export type Role = "single" | "map" | "merge";

export interface JobPlan {
  role: Role;
  strategyName: string;
  entry: StrategyEntry;
  /** SELECTION_CONFIG parsed (hybrid only), else null. */
  selectionConfig: SelectionConfig | null;
  useCase: UseCase;
  minDistance: number;
  /** CLASS_BALANCE, or the hybrid config's class_balance, and which parameter said it. */
  balance: { spec: string | Record<string, unknown>; source: string };
  needVectors: boolean;
  /** What in this run needs the predicted classes (the strategy, class quotas, a class filter), or null. */
  needsClasses: string | null;
  /** Things the user set that this run will not use, for the log. */
  warnings: string[];
}

export function planJob(config: Config, role: Role): JobPlan {
  const v = config.values;
  const strategyName = v.STRATEGY;
  const entry = STRATEGIES[strategyName]!;
  const warnings: string[] = [];
  const selectionConfig = entry.selectionConfig ? parseSelectionConfig(requireConfig(v.SELECTION_CONFIG)) : null;
  if (selectionConfig === null && v.SELECTION_CONFIG) warnings.push(`SELECTION_CONFIG is set but STRATEGY=${strategyName}; it only configures STRATEGY=hybrid and is ignored.`);
  const useCase = selectionConfig ? resolveHybridUseCase(selectionConfig, v.USE_CASE) : resolveUseCase(strategyName, v.USE_CASE);
  const minDistance = v.MIN_DISTANCE;
  if (minDistance > 0 && useCase === "ssl") throw new UsageError(`MIN_DISTANCE applies to active-learning selections; ${strategyName} picks pseudo-labels by confidence. Leave MIN_DISTANCE at 0.`);
  const balance = selectionConfig?.classBalance
    ? { spec: selectionConfig.classBalance, source: "SELECTION_CONFIG.class_balance" }
    : { spec: v.CLASS_BALANCE, source: "CLASS_BALANCE" };
  if (entry.classBalance !== true && balance.spec !== "none") throw new UsageError(entry.classBalance);
  if (v.BALANCE_COLUMN && (balance.spec === "none" || balance.spec === "")) {
    warnings.push(`BALANCE_COLUMN is ${v.BALANCE_COLUMN} but CLASS_BALANCE is none; it names the column class quotas are over, and without quotas it is ignored. Set CLASS_BALANCE (uniform, pool or a JSON map) to balance over it.`);
  }
  if (minDistance > 0 && !entry.minDistance) throw new UsageError(`MIN_DISTANCE does not apply to ${strategyName}: it picks rows by its own rule (see README); leave MIN_DISTANCE at 0.`);
  if (role === "map" && entry.merge.kind === "none") throw new UsageError(`STRATEGY=${strategyName} cannot run on several hosts: ${entry.merge.guarantee}.`);
  const needVectors = entry.needsVectors || (minDistance > 0 && entry.minDistance === "vectors") ||
    (selectionConfig ? configNeedsVectors(selectionConfig) : false);
  checkBudget(config, strategyName, selectionConfig, role);
  if (role !== "merge") warnings.push(...ignoredRowCounts(config, strategyName), ...settingsForOtherStrategies(config, strategyName, needVectors));
  const needsClasses = entry.needsClasses ? strategyName
    : balance.spec !== "none" && balance.spec !== "" && !v.BALANCE_COLUMN ? `${balance.source} over the predicted class`
    : selectionConfig?.filters.some((f) => f.value === "predicted_class") ? "the predicted_class filter of SELECTION_CONFIG"
    : null;
  return { role, strategyName, entry, selectionConfig, useCase, minDistance, balance, needVectors, needsClasses, warnings };
}

/** The parameter that says how many rows a strategy takes, and how it takes them; every other strategy takes BATCH_SIZE rows. */
const ROW_COUNT: Record<string, { parameter: "BATCH_SIZE" | "MAX_SAMPLES" | "K_PER_CLASS"; takes: string }> = {
  confidence_threshold: { parameter: "MAX_SAMPLES", takes: "every row that reaches CONFIDENCE_THRESHOLD, capped by MAX_SAMPLES" },
  top_k_per_class: { parameter: "K_PER_CLASS", takes: "K_PER_CLASS rows per predicted class" },
};

/**
 * A row count the user set that the strategy does not read (BATCH_SIZE with
 * confidence_threshold, which takes every row above its threshold): the batch would not be the
 * size asked for, without a word. A merge's parameters are the map's, defaults included, so
 * only a map or single run says it.
 */
function ignoredRowCounts(config: Config, strategyName: string): string[] {
  const own = ROW_COUNT[strategyName] ?? { parameter: "BATCH_SIZE", takes: "BATCH_SIZE rows" };
  return (["BATCH_SIZE", "MAX_SAMPLES", "K_PER_CLASS"] as const)
    .filter((name) => name !== own.parameter && config.sources[name] !== "default")
    .map((name) => `${name} is set but STRATEGY=${strategyName} does not read it: it takes ${own.takes}.`);
}

/**
 * Settings the user set that this strategy never reads: another strategy's own (a PARAMS entry
 * with `strategy`: PROBCOVER_*, CLUSTER_MARGIN_*, UNCERTAINTY_MODE), and METRIC and
 * VECTOR_PRECISION where no vectors are read. The run would otherwise go on as if they had worked.
 */
function settingsForOtherStrategies(config: Config, strategyName: string, needVectors: boolean): string[] {
  const warnings = (PARAMS as readonly ParamSpec[])
    .filter((param) => param.strategy !== undefined && param.strategy !== strategyName && config.sources[param.env as ParamName] !== "default")
    .map((param) => `${param.env} is set but only STRATEGY=${param.strategy} reads it; STRATEGY=${strategyName} ignores it.`);
  if (!needVectors && config.sources.METRIC !== "default") {
    warnings.push(`METRIC is set but STRATEGY=${strategyName} measures no distance between vectors here, so METRIC is ignored.`);
  }
  if (!needVectors && config.sources.VECTOR_PRECISION !== "default") {
    warnings.push(`VECTOR_PRECISION is set but STRATEGY=${strategyName} reads no vectors here, so VECTOR_PRECISION is ignored.`);
  }
  return warnings;
}

/** BUDGET and BUDGET_COLUMN come together, for hybrid; proportion replaces BATCH_SIZE rather than joining it. */
function checkBudget(config: Config, strategyName: string, selectionConfig: SelectionConfig | null, role: Role): void {
  const v = config.values;
  if (selectionConfig?.proportion && role === "map") {
    throw new UsageError(`SELECTION_CONFIG.proportion is a share of the whole pool, whose size one host of several does not know; give BATCH_SIZE for a multi-host run.`);
  }
  const budgeted = v.BUDGET > 0 || v.BUDGET_COLUMN !== "";
  if (budgeted && strategyName !== "hybrid") throw new UsageError(`BUDGET and BUDGET_COLUMN apply to STRATEGY=hybrid (a label budget over its ranking); ${strategyName} selects BATCH_SIZE rows.`);
  if (budgeted && (v.BUDGET <= 0 || v.BUDGET_COLUMN === "")) throw new UsageError(`a label budget needs both BUDGET_COLUMN (the cost column) and BUDGET > 0; got BUDGET_COLUMN="${v.BUDGET_COLUMN}", BUDGET=${v.BUDGET}.`);
  if (selectionConfig?.proportion && config.sources.BATCH_SIZE !== "default") {
    throw new UsageError(`SELECTION_CONFIG.proportion (${selectionConfig.proportion}) and BATCH_SIZE (${v.BATCH_SIZE}) both say how many rows to select; give one.`);
  }
  if (budgeted && selectionConfig && configNeedsVectors(selectionConfig) && config.sources.BATCH_SIZE === "default" && !selectionConfig.proportion) {
    throw new UsageError(`a label budget with a diversity, typicality or similarity objective needs a row cap: set BATCH_SIZE (or SELECTION_CONFIG.proportion); rows are then taken in rank order while the budget lasts.`);
  }
}

function requireConfig(raw: string): string {
  if (!raw) throw new UsageError(`STRATEGY=hybrid needs SELECTION_CONFIG (--config): inline JSON or a JSON file, e.g. {"objectives": [{"type": "uncertainty", "mode": "margin"}, {"type": "diversity"}]}.`);
  return raw;
}

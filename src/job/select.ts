/**
 * Step 3 of a job: the strategy's options from the plan and the inputs, the strategy run, and
 * the checks every selection must pass before anything is written.
 */
import type { Blas } from "../../ffi/blas.ts";
import { resolveBalance } from "../strategies/balance.ts";
import { whyNothingSelected } from "./empty-selection.ts";
import type { Config } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import { rowsSeen, type HostCandidates } from "../cluster/candidates.ts";
import { concat } from "../cluster/map-merge.ts";
import { describeRow, type Pool } from "../pool/pool.ts";
import { Rng } from "../rng.ts";
import { runInIdOrder } from "../strategies/id-order.ts";
import type { Selection, StrategyOptions } from "../strategies/strategy.ts";
import type { JobInputs } from "./read.ts";
import type { JobPlan } from "./plan.ts";
import type { Timings } from "./timings.ts";

export function strategyOptions(plan: JobPlan, config: Config, inputs: JobInputs, blas: Blas,
  mergeFrom: HostCandidates[] | null, log: Logger): StrategyOptions {
  const v = config.values;
  const { pool, selectable, selectableCount } = inputs;
  const balance = resolveBalance(plan.balance.spec, v.BALANCE_COLUMN, pool, plan.balance.source);
  if (balance?.rescaled) log.warn(balance.rescaled);
  // A map step keeps its candidate budget, per class when the merge must meet class quotas.
  let batchSize = v.BATCH_SIZE;
  const proportion = plan.selectionConfig?.proportion ?? null;
  if (proportion) batchSize = Math.max(1, Math.ceil(proportion * pool.size));
  // A budget over a plain ranking may take as many rows as it pays for, unless BATCH_SIZE caps them.
  else if (v.BUDGET > 0 && config.sources.BATCH_SIZE === "default") batchSize = selectableCount;
  let optionsBalance = balance;
  if (plan.role === "map") {
    // Top-rows strategies keep the whole budget for every class (so any quota can be met exactly);
    // the others spread their budget over the classes evenly.
    const perClass = balance && plan.entry.merge.kind === "top_rows" ? balance.names.length : 1;
    batchSize = plan.entry.merge.candidates(batchSize, { clusterMarginCandidates: v.CLUSTER_MARGIN_CANDIDATES }) * perClass;
    if (balance) optionsBalance = { ...balance, mode: "uniform", shares: new Float64Array(balance.names.length).fill(1 / balance.names.length) };
  }
  if (plan.role !== "map" && plan.entry.useCase === "active_learning" && batchSize > selectableCount && selectableCount > 0) {
    log.warn(`BATCH_SIZE=${batchSize} is larger than the ${selectableCount} selectable row${selectableCount === 1 ? "" : "s"}; the batch holds at most ${selectableCount}.`);
  }
  return {
    batchSize: Math.min(batchSize, selectableCount),
    confidenceThreshold: v.CONFIDENCE_THRESHOLD,
    maxSamples: v.MAX_SAMPLES,
    kPerClass: v.K_PER_CLASS,
    uncertaintyMode: v.UNCERTAINTY_MODE,
    metric: v.METRIC,
    minDistance: plan.minDistance,
    balance: plan.role === "map" && plan.entry.merge.balanceOnlyAtMerge?.(v.MAX_SAMPLES) ? null : optionsBalance,
    selectionConfig: plan.selectionConfig,
    rowWeights: mergeFrom ? concat(mergeFrom.map((h) => h.weights)) : null,
    poolRows: mergeFrom ? rowsSeen(mergeFrom) : pool.size,
    clusterMarginClusters: v.CLUSTER_MARGIN_CLUSTERS,
    clusterMarginCandidates: v.CLUSTER_MARGIN_CANDIDATES,
    query: inputs.query,
    // A map host keeps ranked candidates; the budget is spent once, on the merged ranking.
    budget: v.BUDGET > 0 && plan.role !== "map" ? { column: v.BUDGET_COLUMN, limit: v.BUDGET } : null,
    probcoverDelta: v.PROBCOVER_DELTA,
    probcoverPurity: v.PROBCOVER_PURITY,
    probcoverClusters: v.PROBCOVER_CLUSTERS,
    blas,
    rng: new Rng(v.RANDOM_SEED),
    labeled: inputs.labeled,
    selectable,
    tieBreak: (a, b) => (pool.ids[a]! < pool.ids[b]! ? -1 : pool.ids[a]! > pool.ids[b]! ? 1 : a - b),
    describeRow: (row) => describeRow(pool, row),
    onProgress: log.progress(plan.strategyName),
  };
}

export function runStrategy(plan: JobPlan, inputs: JobInputs, options: StrategyOptions, log: Logger, timings: Timings): Selection {
  const since = performance.now();
  log.info(`selecting with ${plan.strategyName} (${plan.useCase}), ${options.blas.name} backend`);
  // A map step may keep its candidates by a rule of its own (the catalog's merge.map).
  const run = plan.role === "map" ? plan.entry.merge.map ?? plan.entry.run : plan.entry.run;
  // Runs that measure distances or draw over rows work in id order (order-free results).
  const selection = runInIdOrder(run, inputs.pool, options);
  timings.end("selectMs", since);
  for (const warning of selection.warnings) log.warn(warning);
  assertSound(selection, inputs.pool, inputs.selectable);
  if (selection.rows.length === 0) {
    const why = whyNothingSelected(inputs.pool, selection, options, { excluded: inputs.excludedCount, selectable: inputs.selectableCount, gated: inputs.gated });
    selection.details = { ...selection.details, nothingSelectedBecause: why };
    log.warn(`nothing selected: ${why}.`);
  }
  return selection;
}

/** Guards the promises every strategy makes; a failure here is a bug, never a wrong output. */
function assertSound(selection: Selection, pool: Pool, selectable: Uint8Array): void {
  const seen = new Set<number>();
  for (let k = 0; k < selection.rows.length; k++) {
    const row = selection.rows[k]!;
    if (row >= pool.size || !selectable[row] || seen.has(row) || !Number.isFinite(selection.scores[k]!)) {
      throw new Error(`internal check failed: selection position ${k + 1} (row ${row}) is out of range, excluded, repeated or has a non-finite score`);
    }
    seen.add(row);
  }
}

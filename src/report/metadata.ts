/** selection_metadata.json: everything a later reader needs to know what ran, on what, and why. */
import type { Blas } from "../../ffi/blas.ts";
import { balanceReport } from "../strategies/balance.ts";
import type { Config } from "../cli/config.ts";
import type { Pool } from "../pool/pool.ts";
import { STRATEGIES } from "../strategies/catalog.ts";
import type { Selection, StrategyOptions } from "../strategies/strategy.ts";
import { runtimeName, VERSION } from "../version.ts";

export interface MetadataContext {
  strategyName: string; useCase: string; blas: Blas; timings: Record<string, number>; input: string;
  labeledPath: string | null; labeledRows: number; excludedCount: number; warnings: string[];
}

export function buildMetadata(config: Config, pool: Pool, selection: Selection, options: StrategyOptions, ctx: MetadataContext): Record<string, unknown> {
  const { predicted } = pool;
  const names = pool.plan.classNames;
  // A pool without scores has no predicted class (predicted is empty). Counted by index: a name lookup per row took 0.6 s on 10M rows.
  const poolByClass = new Float64Array(names.length), selectedByClass = new Float64Array(names.length);
  if (pool.classes > 0) {
    for (let i = 0; i < pool.size; i++) poolByClass[predicted[i]!]!++;
    for (const row of selection.rows) selectedByClass[predicted[row]!]!++;
  }
  const poolCounts: Record<string, number> = Object.fromEntries(names.map((n, c) => [n, poolByClass[c]!]));
  const selectedCounts: Record<string, number> = Object.fromEntries(names.map((n, c) => [n, selectedByClass[c]!]));
  return {
    tool: "active-sampling",
    version: VERSION,
    runtime: runtimeName(),
    strategy: ctx.strategyName,
    use_case: ctx.useCase,
    job_type: config.jobType,
    parameters: parameterRecord(config),
    random_seed: config.values.RANDOM_SEED,
    host: config.hosts.current,
    hosts: config.hosts.all,
    hosts_source: config.hosts.source,
    input: { channel: ctx.input, files: pool.tables.map((t) => ({ path: t.path, format: t.format, rows: t.rowCount })) },
    labeled_data: ctx.labeledPath ? { channel: ctx.labeledPath, rows: ctx.labeledRows } : null,
    id_column: pool.plan.id,
    score_columns: pool.plan.scoreColumns,
    score_interpretation: pool.plan.scoreReason,
    label_column: pool.plan.labelColumn,
    classes_recorded: pool.plan.classesRecorded,
    score_normalisation: pool.normalisation,
    class_names: names,
    vector_columns: pool.vectors ? pool.plan.vectorColumns : [],
    vector_source: pool.vectors ? pool.plan.vectorReason : null,
    vector_precision: pool.vectors ? config.values.VECTOR_PRECISION : null,
    leaf_columns: pool.leaves ? pool.plan.leafColumns : [],
    pool_size: pool.size,
    excluded_rows: ctx.excludedCount,
    selected_count: selection.rows.length,
    nothing_selected_because: (selection.details.nothingSelectedBecause as string | undefined) ?? null,
    selection_score: selection.scoreMeaning,
    class_distribution: pool.classes > 0 ? { pool: poolCounts, selected: selectedCounts, note: pool.plan.labelColumn ? `by predicted label ("${pool.plan.labelColumn}")` : "by predicted class (argmax)" } : null,
    class_balance: options.balance && selection.quotas ? balanceReport(options.balance, selection.quotas, selection.rows) : null,
    selection_config: options.selectionConfig,
    strategy_details: selection.details,
    covering_radius: coveringRadius(selection, options, STRATEGIES[ctx.strategyName]?.needsLeaves ?? false),
    blas: { backend: ctx.blas.name, library: ctx.blas.libraryPath },
    timings_ms: ctx.timings,
    warnings: ctx.warnings,
  };
}

/**
 * k-center strategies: the largest distance from a row not selected to its nearest selected or
 * labelled row, in the units selection_score uses; null for strategies that measure none.
 */
function coveringRadius(selection: Selection, options: StrategyOptions, overLeaves: boolean): { radius: number; units: string } | null {
  if (selection.coveringRadius == null) return null;
  const units = overLeaves ? "share of trees whose leaves differ" : options.metric === "cosine" ? "cosine distance (1 − cos)" : "euclidean distance";
  return { radius: selection.coveringRadius, units };
}

/** Every resolved parameter with where it came from (flag, env or default). */
export function parameterRecord(config: Pick<Config, "values" | "sources">): Record<string, { value: unknown; source: string }> {
  return Object.fromEntries(Object.entries(config.values).map(([k, value]) => [k, { value, source: config.sources[k as keyof Config["sources"]] }]));
}

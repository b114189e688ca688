/**
 * The whole job as one testable function: files → pool → strategy → selection → files.
 * The CLI entry (main.ts) and the tests both call `main`; nothing below it reads
 * process.env or process.argv, so a test can run any configuration in-process.
 */
import { existsSync } from "node:fs";
import { loadBlas } from "../ffi/load.ts";
import type { Blas } from "../ffi/blas.ts";
import { discoverHosts, type DiscoverHostsOptions, type Hosts } from "./cluster/hosts.ts";
import { writeFailureMessage } from "./cluster/failure-message.ts";
import { hostOutputDir } from "./cluster/layout.ts";
import { parseConfig, type Config } from "./cli/config.ts";
import { usage } from "./cli/usage.ts";
import { Logger, type Sink } from "./cli/log.ts";
import { planColumns, type ColumnPlan } from "./columns.ts";
import { predictions } from "./engine/uncertainty.ts";
import { allocVectors } from "./engine/kernels/kernels.ts";
import { DataError, EXIT_OK, UsageError, exitCodeOf } from "./errors.ts";
import { hasDataFiles, readChannel } from "./io/channel.ts";
import { readIdList } from "./io/id-list.ts";
import { removeStaleOutputs, writeAtomically, writeJson, writeSelectionCsv, writeSelectionParquet, type ExtraColumn, type OutputFile } from "./io/output.ts";
import { candidateBudget, mergeGuarantee, readMapOutputs, type HostCandidates } from "./cluster/candidates.ts";
import { adoptMapParameters, candidateColumns, concat, mapFingerprint, mapMetadata, mergeMetadata } from "./cluster/map-merge.ts";
import { readLabeled } from "./io/labeled.ts";
import { buildMetadata, parameterRecord } from "./metadata.ts";
import type { Table } from "./io/table.ts";
import { buildPool, duplicateIds, type Pool } from "./pool.ts";
import { Rng } from "./rng.ts";
import { resolveHybridUseCase, resolveUseCase, STRATEGIES, STRATEGY_NAMES } from "./strategies/catalog.ts";
import { configColumns, configNeedsScores, parseSelectionConfig, type SelectionConfig } from "./selection-config.ts";
import { balanceReport, resolveBalance } from "./balance.ts";
import type { Selection, StrategyOptions } from "./strategies/strategy.ts";
import { runtimeName, VERSION } from "./version.ts";

/** SageMaker Processing channels (the container's defaults; --input/--output override) and job files. */
export const CONTAINER_PATHS = {
  input: { inference_data: "/opt/ml/processing/input/inference_data", labeled_data: "/opt/ml/processing/input/labeled_data" },
  output: { selected_samples: "/opt/ml/processing/output/selected_samples" },
  /** current_host and hosts of a multi-instance job (--host/--hosts override). */
  resourceConfig: "/opt/ml/config/resourceconfig.json",
  /** A failure's reason, shown as the job's ExitMessage. */
  failureMessage: "/opt/ml/output/message",
};

/** The files of the job around the run: main.ts passes those of CONTAINER_PATHS, tests temporary ones. */
export interface MainOptions {
  /** SageMaker's resourceconfig.json, read for what --host/--hosts leave open. Default null: not read (one host unless they say otherwise). */
  resourceConfig?: string | null;
  /** Where a failure's reason is written, when that file's directory exists. Default null: not written. */
  failureMessage?: string | null;
  /** How long and how to wait for resourceConfig to appear (tests pass an instant sleep). Defaults: see DiscoverHostsOptions. */
  hostWait?: Pick<DiscoverHostsOptions, "timeoutMs" | "intervalMs" | "sleep">;
}

export interface Streams {
  stdout: Sink;
  stderr: Sink;
}

export interface RunResult {
  exitCode: number;
  /** Paths written (empty on error or dry run). */
  outputs: string[];
  metadata: Record<string, unknown> | null;
  error: Error | null;
}

const silent: Sink = { write() {}, isTTY: false };

export async function main(
  inputPaths: { inference_data?: string; labeled_data?: string },
  outputPaths: { selected_samples?: string },
  environVars: Readonly<Record<string, string | undefined>>,
  jobArgs: readonly string[],
  streams: Streams = { stdout: silent, stderr: silent },
  options: MainOptions = {},
): Promise<RunResult> {
  let log = new Logger(streams.stderr, "text", false);
  let hosts: Hosts | null = null;
  try {
    const config = parseConfig(jobArgs, environVars);
    log = new Logger(streams.stderr, config.values.LOG_FORMAT as "text" | "json", config.values.QUIET as boolean);
    if (config.help) { streams.stdout.write(usage()); return done(EXIT_OK); }
    if (config.version) { streams.stdout.write(`active-sampling ${VERSION}\n`); return done(EXIT_OK); }
    const input = config.input ?? inputPaths.inference_data;
    if (!input) throw new UsageError("no input: pass --input DIR (a directory of inference outputs) or run in the processing container.");
    const labeledPath = config.labeled ?? (inputPaths.labeled_data && existsSync(inputPaths.labeled_data) ? inputPaths.labeled_data : null);
    const output = config.output ?? outputPaths.selected_samples ?? null;
    if (config.command === "inspect") {
      const { inspect } = await import("./inspect.ts");
      streams.stdout.write(await inspect(input, config));
      return done(EXIT_OK);
    }
    if (!output && !config.dryRun) throw new UsageError("no output: pass --output DIR.");
    if (config.command === "merge") {
      // One instance finishes the job: it reads every host's candidates and writes what a
      // single-machine run writes, straight to the output.
      const candidates = await readMapOutputs(input);
      const merged = adoptMapParameters(config, candidates[0]!);
      hosts = { current: "merge", all: ["merge"], index: 0, source: { current: "default", all: "default" } };
      return await select({ ...merged, hosts }, input, labeledPath, output, streams, log, candidates);
    }
    const discovered = await discoverHosts(
      { value: config.values.CURRENT_HOST as string, source: config.sources.CURRENT_HOST },
      { value: config.values.HOSTS as string, source: config.sources.HOSTS },
      { resourceConfig: options.resourceConfig ?? null, ...options.hostWait },
    );
    if (discovered.warning) log.warn(discovered.warning);
    hosts = discovered.hosts;
    const hostOutput = output ? hostOutputDir(output, hosts) : null;
    if (hosts.all.length > 1) {
      log.info(`host ${hosts.current} (${hosts.index + 1} of ${hosts.all.length}, from ${hosts.source.current}); outputs go to ${hostOutput ?? "nowhere (dry run)"}`);
    }
    return await select({ ...config, hosts }, input, labeledPath, hostOutput, streams, log);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const code = exitCodeOf(err);
    const kind = err instanceof UsageError ? "usage error" : err instanceof DataError ? "input error" : "internal error";
    log.error(`${kind}: ${err.message}`, { exitCode: code });
    if (!(err instanceof UsageError || err instanceof DataError)) streams.stderr.write(`${err.stack ?? ""}\nThis is a bug; please report it with the command line.\n`);
    // One ExitMessage per job: with several hosts, say which one failed.
    const where = hosts && hosts.all.length > 1 ? `host ${hosts.current}: ` : "";
    const problem = writeFailureMessage(options.failureMessage, `${where}${kind}: ${err.message}`);
    if (problem) log.warn(problem);
    return { exitCode: code, outputs: [], metadata: null, error: err };
  }
}

function done(exitCode: number): RunResult {
  return { exitCode, outputs: [], metadata: null, error: null };
}

async function select(config: Config, input: string, labeledPath: string | null, output: string | null,
  streams: Streams, log: Logger, mergeFrom: HostCandidates[] | null = null): Promise<RunResult> {
  const v = config.values;
  // With several hosts this run is a map step: it keeps candidates for a later merge.
  const role = mergeFrom ? "merge" : config.hosts.all.length > 1 ? "map" : "single";
  const strategyName = v.STRATEGY as string;
  const entry = STRATEGIES[strategyName]!;
  const selectionConfig = strategyName === "hybrid" ? parseSelectionConfig(requireConfig(v.SELECTION_CONFIG as string)) : null;
  if (selectionConfig === null && v.SELECTION_CONFIG) log.warn(`SELECTION_CONFIG is set but STRATEGY=${strategyName}; it only configures STRATEGY=hybrid and is ignored.`);
  const useCase = selectionConfig ? resolveHybridUseCase(selectionConfig, v.USE_CASE as string) : resolveUseCase(strategyName, v.USE_CASE as string);
  const minDistance = v.MIN_DISTANCE as number;
  if (minDistance > 0 && useCase === "ssl") throw new UsageError(`MIN_DISTANCE applies to active-learning selections; ${strategyName} picks pseudo-labels by confidence. Leave MIN_DISTANCE at 0.`);
  const balanceSpec = selectionConfig?.classBalance ?? (v.CLASS_BALANCE as string);
  if (strategyName === "top_k_per_class" && balanceSpec !== "none") throw new UsageError(`top_k_per_class is balanced by construction (K_PER_CLASS rows per class); CLASS_BALANCE does not apply. Use confidence_threshold with CLASS_BALANCE for shares.`);
  const needVectors = entry.needsVectors || (minDistance > 0 && strategyName !== "leaf_coreset") ||
    (selectionConfig?.objectives.some((o) => o.type === "diversity" && o.strength > 0) ?? false);
  const timings: Record<string, number> = {};
  const clock = (name: string, since: number) => { timings[name] = Math.round(performance.now() - since); };

  const { blas, warning: blasWarning } = await loadBlas({
    mode: v.ACTIVE_SAMPLING_BLAS as "auto" | "openblas" | "off",
    libraryPath: (v.BLAS_LIBRARY as string) || null,
  });
  if (blasWarning) log.warn(blasWarning);

  let since = performance.now();
  log.info(`reading ${input}`);
  if (role === "map" && !hasDataFiles(input)) {
    // More instances than input objects: ShardedByS3Key gave this host none. It says so and
    // leaves no candidates, so the merge can go on with the others.
    log.warn(`host ${config.hosts.current}: no data files in ${input} (more instances than input objects?); writing no candidates.`);
    const metadata = { tool: "active-sampling", version: VERSION, role: "map", host: config.hosts.current, hosts: config.hosts.all,
      rows_seen: 0, candidates: 0, map_fingerprint: mapFingerprint(config, null), parameters: parameterRecord(config) };
    const outputs = await writeAtomically(output!, [{ name: "selection_metadata.json", write: (path) => writeJson(path, metadata) }]);
    removeStaleOutputs(output!, ["selection_metadata.json"]);
    return { exitCode: EXIT_OK, outputs, metadata, error: null };
  }
  const tables = mergeFrom ? mergeFrom.flatMap((h) => h.tables) : await readChannel(input, "input", log.progress("reading files"));
  const plan = planColumns(tables[0]!, {
    idField: v.ID_FIELD as string, scoreField: v.SCORE_FIELD as string, scoreFieldPrefix: v.SCORE_FIELD_PREFIX as string,
  });
  log.info(`scores: ${plan.scoreReason}`);
  refuseWithoutScores(plan, strategyName, selectionConfig, balanceSpec, v.BALANCE_COLUMN as string, tables[0]!.path);
  const pool = buildPool(tables, plan, {
    needVectors, needLeaves: entry.needsLeaves, extraColumns: selectionConfig ? configColumns(selectionConfig) : [],
    float64: v.VECTOR_PRECISION === "float64", renormalise: v.RENORMALIZE_PROBS as boolean,
    sumTolerance: v.PROB_SUM_TOLERANCE as number, duplicateIds: v.DUPLICATE_IDS as "error" | "keep_first",
  });
  if (needVectors) log.info(`vectors: ${plan.vectorReason}`);
  clock("readMs", since);
  log.info(`pool: ${pool.size} rows from ${tables.length} file(s), ${pool.classes} classes`);

  const selectable = new Uint8Array(pool.size).fill(1);
  const dupes = duplicateIds(pool.ids);
  if (dupes.length > 0) {
    const listed = dupes.map(([id, a, b]) => `"${id}" (${describe(pool, a)} and ${describe(pool, b)})`).join(", ");
    if (v.DUPLICATE_IDS === "error") {
      throw new DataError(`duplicate ids in the pool: ${listed}; ids must be unique. Set DUPLICATE_IDS=keep_first to keep each id's first row.`);
    }
    const seen = new Set<string>();
    let dropped = 0;
    for (let i = 0; i < pool.size; i++) {
      if (seen.has(pool.ids[i]!)) { selectable[i] = 0; dropped++; } else seen.add(pool.ids[i]!);
    }
    log.warn(`${dropped} rows repeat an earlier id (first: ${listed}); only each id's first row may be selected.`);
  }

  since = performance.now();
  const labeled = labeledPath ? await readLabeled(labeledPath, pool, needVectors, entry.needsLeaves, v.VECTOR_PRECISION === "float64") : null;
  let excludedCount = 0;
  const excludeIds = new Set<string>(labeled?.ids ?? []);
  if (v.EXCLUDE_IDS_FILE) for (const id of await readIdList(v.EXCLUDE_IDS_FILE as string, v.ID_FIELD as string)) excludeIds.add(id);
  if (excludeIds.size > 0) {
    for (let i = 0; i < pool.size; i++) if (selectable[i] && excludeIds.has(pool.ids[i]!)) { selectable[i] = 0; excludedCount++; }
    log.info(`${excludedCount} pool rows are already labelled or excluded and will not be selected`);
  }
  clock("labeledMs", since);

  const selectableCount = selectable.reduce((n, s) => n + s, 0);
  const balance = resolveBalance(balanceSpec, v.BALANCE_COLUMN as string, pool, selectionConfig?.classBalance ? "SELECTION_CONFIG.class_balance" : "CLASS_BALANCE");
  // A map step keeps its candidate budget, per class when the merge must meet class quotas.
  let batchSize = v.BATCH_SIZE as number;
  let optionsBalance = balance;
  if (role === "map" && entry.noMerge) throw new UsageError(`STRATEGY=${strategyName} cannot run on several hosts: ${entry.noMerge}.`);
  if (role === "map") {
    // Exact strategies keep the whole budget for every class (so any quota can be met exactly);
    // the approximate ones spread their oversampled budget over the classes evenly.
    const exact = mergeGuarantee(strategyName).startsWith("exact");
    batchSize = candidateBudget(strategyName, batchSize) * (balance && exact ? balance.names.length : 1);
    if (balance) optionsBalance = { ...balance, mode: "uniform", shares: new Float64Array(balance.names.length).fill(1 / balance.names.length) };
  }
  if (role !== "map" && entry.useCase === "active_learning" && batchSize > selectableCount) {
    log.warn(`BATCH_SIZE=${batchSize} is larger than the ${selectableCount} selectable rows; selecting all of them.`);
  }
  const options: StrategyOptions = {
    batchSize: Math.min(batchSize, selectableCount),
    confidenceThreshold: v.CONFIDENCE_THRESHOLD as number,
    maxSamples: v.MAX_SAMPLES as number,
    kPerClass: v.K_PER_CLASS as number,
    uncertaintyMode: v.UNCERTAINTY_MODE as StrategyOptions["uncertaintyMode"],
    metric: v.METRIC as "euclidean" | "cosine",
    minDistance,
    balance: role === "map" && strategyName === "confidence_threshold" && (v.MAX_SAMPLES as number) === 0 ? null : optionsBalance,
    selectionConfig,
    rowWeights: mergeFrom ? concat(mergeFrom.map((h) => h.weights)) : null,
    clusterMarginClusters: v.CLUSTER_MARGIN_CLUSTERS as number,
    clusterMarginCandidates: v.CLUSTER_MARGIN_CANDIDATES as number,
    probcoverDelta: v.PROBCOVER_DELTA as number,
    probcoverPurity: v.PROBCOVER_PURITY as number,
    probcoverClusters: v.PROBCOVER_CLUSTERS as number,
    blas,
    rng: new Rng(v.RANDOM_SEED as number),
    labeled,
    selectable,
    tieBreak: (a, b) => (pool.ids[a]! < pool.ids[b]! ? -1 : pool.ids[a]! > pool.ids[b]! ? 1 : a - b),
    describeRow: (row) => describe(pool, row),
    onProgress: log.progress(strategyName),
  };
  if (config.dryRun) {
    const { inspect } = await import("./inspect.ts");
    streams.stdout.write(await inspect(input, config));
    return done(EXIT_OK);
  }

  since = performance.now();
  log.info(`selecting with ${strategyName} (${useCase}), ${blas.name} backend`);
  const selection = entry.run(pool, options);
  clock("selectMs", since);
  for (const warning of selection.warnings) log.warn(warning);
  assertSound(selection, pool, selectable);

  since = performance.now();
  const metadata = buildMetadata(config, pool, selection, options, {
    strategyName, useCase, blas, timings, input, labeledPath, labeledRows: labeled?.ids.length ?? 0, excludedCount, warnings: log.warnings,
  });
  if (role === "map") Object.assign(metadata, mapMetadata(config, pool, selection));
  if (mergeFrom) Object.assign(metadata, mergeMetadata(mergeFrom, selection, strategyName));
  const extra = role === "map" ? candidateColumns(selection) : [];
  const format = v.OUTPUT_FORMAT as string;
  const files: OutputFile[] = [{
    name: `selected_samples.${format}`,
    write: (path) => format === "parquet"
      ? writeSelectionParquet(path, pool, selection.rows, selection.scores, extra)
      : writeSelectionCsv(path, pool, selection.rows, selection.scores, extra),
  }];
  if (role === "map" && !v.SAVE_METADATA) throw new UsageError("a multi-host map step needs SAVE_METADATA=true: the merge checks every host's configuration from it.");
  if (v.SAVE_REPORT && role !== "map") {
    files.push({ name: "selection_report.html", write: async (path) => {
      const { writeReport } = await import("./report-file.ts");
      await writeReport(path, pool, selection, metadata, blas, v.RANDOM_SEED as number);
    } });
  }
  if (v.SAVE_METADATA) {
    files.push({ name: "selection_metadata.json", write: (path) => { timings.writeMs = Math.round(performance.now() - since); writeJson(path, metadata); } });
  }
  const outputs = await writeAtomically(output!, files);
  // An earlier run's files that this run did not write would pass for this run's: remove them.
  removeStaleOutputs(output!, files.map((f) => f.name));
  log.info(`selected ${selection.rows.length} of ${pool.size} rows → ${outputs[0]}`);
  return { exitCode: EXIT_OK, outputs, metadata, error: null };
}

/** A pool without score columns runs vector-only strategies; anything that reads scores is refused, saying why. */
function refuseWithoutScores(plan: ColumnPlan, strategyName: string, selectionConfig: SelectionConfig | null, balanceSpec: string | Record<string, number>,
  balanceColumn: string, path: string): void {
  if (plan.scoreKind !== "none") return;
  const vectorOnly = STRATEGY_NAMES.filter((s) => !STRATEGIES[s]!.needsScores).join(", ");
  const needs = selectionConfig ? configNeedsScores(selectionConfig) : STRATEGIES[strategyName]!.needsScores;
  if (needs) {
    const what = selectionConfig ? "SELECTION_CONFIG filters on or rewards model scores" : `${strategyName} ranks rows by model scores`;
    throw new DataError(`${path}: ${what}, but there are ${plan.scoreReason}. Without scores use ${vectorOnly}${selectionConfig ? " (hybrid with diversity or weight objectives only)" : ""}.`);
  }
  if (balanceSpec !== "none" && !balanceColumn) {
    throw new DataError(`${path}: class balance over the predicted class needs scores, but the pool has none; set BALANCE_COLUMN to a column that holds each row's class, or leave CLASS_BALANCE at none.`);
  }
}

function requireConfig(raw: string): string {
  if (!raw) throw new UsageError(`STRATEGY=hybrid needs SELECTION_CONFIG (--config): inline JSON or a JSON file, e.g. {"objectives": [{"type": "uncertainty", "mode": "margin"}, {"type": "diversity"}]}.`);
  return raw;
}

/** "file: row N" for a global pool row. */
function describe(pool: Pool, row: number): string {
  let t = pool.tableStarts.length - 1;
  while (pool.tableStarts[t]! > row) t--;
  return `${pool.tables[t]!.path}: row ${row - pool.tableStarts[t]! + 1}`;
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


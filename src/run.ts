/**
 * The whole job as one testable function: files → pool → strategy → selection → files.
 * The CLI entry (main.ts) and the tests both call `main`; nothing below it reads
 * process.env or process.argv, so a test can run any configuration in-process.
 */
import { existsSync } from "node:fs";
import { loadBlas } from "../ffi/load.ts";
import type { Blas } from "../ffi/blas.ts";
import { parseConfig, type Config } from "./cli/config.ts";
import { usage } from "./cli/usage.ts";
import { Logger, type Sink } from "./cli/log.ts";
import { planColumns } from "./columns.ts";
import { predictions } from "./engine/uncertainty.ts";
import { allocVectors } from "./engine/kernels/kernels.ts";
import { DataError, EXIT_OK, UsageError, exitCodeOf } from "./errors.ts";
import { readChannel } from "./io/channel.ts";
import { readIdList } from "./io/id-list.ts";
import { writeAtomically, writeJson, writeSelectionCsv, writeSelectionParquet, type OutputFile } from "./io/output.ts";
import type { Table } from "./io/table.ts";
import { buildPool, duplicateIds, type Pool } from "./pool.ts";
import { Rng } from "./rng.ts";
import { resolveUseCase, STRATEGIES } from "./strategies/catalog.ts";
import type { Selection, StrategyOptions } from "./strategies/strategy.ts";
import { runtimeName, VERSION } from "./version.ts";

/** SageMaker Processing channels (the container's defaults; --input/--output override). */
export const CONTAINER_PATHS = {
  input: { inference_data: "/opt/ml/processing/input/inference_data", labeled_data: "/opt/ml/processing/input/labeled_data" },
  output: { selected_samples: "/opt/ml/processing/output/selected_samples" },
};

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
): Promise<RunResult> {
  let log = new Logger(streams.stderr, "text", false);
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
    return await select(config, input, labeledPath, output, streams, log);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    const code = exitCodeOf(err);
    const kind = err instanceof UsageError ? "usage error" : err instanceof DataError ? "input error" : "internal error";
    log.error(`${kind}: ${err.message}`, { exitCode: code });
    if (!(err instanceof UsageError || err instanceof DataError)) streams.stderr.write(`${err.stack ?? ""}\nThis is a bug; please report it with the command line.\n`);
    return { exitCode: code, outputs: [], metadata: null, error: err };
  }
}

function done(exitCode: number): RunResult {
  return { exitCode, outputs: [], metadata: null, error: null };
}

async function select(config: Config, input: string, labeledPath: string | null, output: string | null,
  streams: Streams, log: Logger): Promise<RunResult> {
  const v = config.values;
  const strategyName = v.STRATEGY as string;
  const entry = STRATEGIES[strategyName]!;
  const useCase = resolveUseCase(strategyName, v.USE_CASE as string);
  const timings: Record<string, number> = {};
  const clock = (name: string, since: number) => { timings[name] = Math.round(performance.now() - since); };

  const { blas, warning: blasWarning } = await loadBlas({
    mode: v.ACTIVE_SAMPLING_BLAS as "auto" | "openblas" | "off",
    libraryPath: (v.BLAS_LIBRARY as string) || null,
  });
  if (blasWarning) log.warn(blasWarning);

  let since = performance.now();
  log.info(`reading ${input}`);
  const tables = await readChannel(input, "input", log.progress("reading files"));
  const plan = planColumns(tables[0]!, {
    idField: v.ID_FIELD as string, scoreField: v.SCORE_FIELD as string, scoreFieldPrefix: v.SCORE_FIELD_PREFIX as string,
  });
  log.info(`scores: ${plan.scoreReason}`);
  const pool = buildPool(tables, plan, {
    needVectors: entry.needsVectors, needLeaves: entry.needsLeaves,
    float64: v.VECTOR_PRECISION === "float64", renormalise: v.RENORMALIZE_PROBS as boolean,
    sumTolerance: v.PROB_SUM_TOLERANCE as number, duplicateIds: v.DUPLICATE_IDS as "error" | "keep_first",
  });
  if (entry.needsVectors) log.info(`vectors: ${plan.vectorReason}`);
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
  const labeled = labeledPath ? await readLabeled(labeledPath, pool, entry.needsVectors, entry.needsLeaves, v.VECTOR_PRECISION === "float64") : null;
  let excludedCount = 0;
  const excludeIds = new Set<string>(labeled?.ids ?? []);
  if (v.EXCLUDE_IDS_FILE) for (const id of await readIdList(v.EXCLUDE_IDS_FILE as string, v.ID_FIELD as string)) excludeIds.add(id);
  if (excludeIds.size > 0) {
    for (let i = 0; i < pool.size; i++) if (selectable[i] && excludeIds.has(pool.ids[i]!)) { selectable[i] = 0; excludedCount++; }
    log.info(`${excludedCount} pool rows are already labelled or excluded and will not be selected`);
  }
  clock("labeledMs", since);

  const selectableCount = selectable.reduce((n, s) => n + s, 0);
  const batchSize = v.BATCH_SIZE as number;
  if (entry.useCase === "active_learning" && batchSize > selectableCount) {
    log.warn(`BATCH_SIZE=${batchSize} is larger than the ${selectableCount} selectable rows; selecting all of them.`);
  }
  const options: StrategyOptions = {
    batchSize: Math.min(batchSize, selectableCount),
    confidenceThreshold: v.CONFIDENCE_THRESHOLD as number,
    maxSamples: v.MAX_SAMPLES as number,
    kPerClass: v.K_PER_CLASS as number,
    uncertaintyMode: v.UNCERTAINTY_MODE as StrategyOptions["uncertaintyMode"],
    metric: v.METRIC as "euclidean" | "cosine",
    minDistance: v.MIN_DISTANCE as number,
    clusterMarginClusters: v.CLUSTER_MARGIN_CLUSTERS as number,
    clusterMarginCandidates: v.CLUSTER_MARGIN_CANDIDATES as number,
    blas,
    rng: new Rng(v.RANDOM_SEED as number),
    labeled,
    selectable,
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
  const metadata = buildMetadata(config, pool, selection, {
    strategyName, useCase, blas, timings, input, labeledPath, labeledRows: labeled?.ids.length ?? 0, excludedCount, warnings: log.warnings,
  });
  const format = v.OUTPUT_FORMAT as string;
  const files: OutputFile[] = [{
    name: `selected_samples.${format}`,
    write: (path) => format === "parquet"
      ? writeSelectionParquet(path, pool, selection.rows, selection.scores)
      : writeSelectionCsv(path, pool, selection.rows, selection.scores),
  }];
  if (v.SAVE_REPORT) {
    files.push({ name: "selection_report.html", write: async (path) => {
      const { writeReport } = await import("./report-file.ts");
      await writeReport(path, pool, selection, metadata, blas, v.RANDOM_SEED as number);
    } });
  }
  if (v.SAVE_METADATA) {
    files.push({ name: "selection_metadata.json", write: (path) => { timings.writeMs = Math.round(performance.now() - since); writeJson(path, metadata); } });
  }
  const outputs = await writeAtomically(output!, files);
  log.info(`selected ${selection.rows.length} of ${pool.size} rows → ${outputs[0]}`);
  return { exitCode: EXIT_OK, outputs, metadata, error: null };
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

interface Labeled { ids: string[]; vectors: Pool["vectors"]; leaves: Int32Array | null; files: string[] }

async function readLabeled(path: string, pool: Pool, needVectors: boolean, needLeaves: boolean, float64: boolean): Promise<Labeled> {
  const tables: Table[] = await readChannel(path, "labeled_data");
  const first = tables[0]!;
  const vectorColumns = needVectors ? pool.plan.vectorColumns : [];
  const leafColumns = needLeaves ? pool.plan.leafColumns : [];
  const missingId = !first.columns.includes(pool.plan.id);
  if (missingId) throw new DataError(`${first.path}: the labeled_data channel has no id column "${pool.plan.id}"; it needs the same id column as the pool.`);
  const useVectors = needVectors && vectorColumns.every((c) => first.columns.includes(c));
  const useLeaves = needLeaves && leafColumns.every((c) => first.columns.includes(c));
  if (needVectors && !useVectors) {
    const missing = vectorColumns.filter((c) => !first.columns.includes(c));
    throw new DataError(`${first.path}: the labeled_data channel lacks the vector columns ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}; its rows need the pool's ${vectorColumns.length} vector columns to count as chosen centers.`);
  }
  const rows = tables.reduce((n, t) => n + t.rowCount, 0);
  const vectors = useVectors ? allocVectors(float64, rows * vectorColumns.length) : null;
  const leaves = useLeaves ? new Int32Array(rows * leafColumns.length) : null;
  const ids: string[] = [];
  let rowStart = 0;
  for (const table of tables) {
    const indexOf = (c: string) => table.columns.indexOf(c);
    const numeric = [];
    if (vectors) numeric.push({ columns: vectorColumns.map(indexOf), out: vectors, rowStart, stride: vectorColumns.length, offset: 0, kind: "finite" as const });
    if (leaves) numeric.push({ columns: leafColumns.map(indexOf), out: leaves, rowStart, stride: leafColumns.length, offset: 0, kind: "integer" as const });
    ids.push(...table.extract({ idColumn: indexOf(pool.plan.id), numeric }));
    rowStart += table.rowCount;
  }
  return { ids, vectors: vectors ? { data: vectors, rows, cols: vectorColumns.length } : null, leaves, files: tables.map((t) => t.path) };
}

interface MetadataContext {
  strategyName: string; useCase: string; blas: Blas; timings: Record<string, number>; input: string;
  labeledPath: string | null; labeledRows: number; excludedCount: number; warnings: string[];
}

function buildMetadata(config: Config, pool: Pool, selection: Selection, ctx: MetadataContext): Record<string, unknown> {
  const { predicted } = predictions(pool.probs, pool.classes);
  const names = pool.plan.classNames;
  const poolCounts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const selectedCounts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (let i = 0; i < pool.size; i++) poolCounts[names[predicted[i]!]!]!++;
  for (const row of selection.rows) selectedCounts[names[predicted[row]!]!]!++;
  return {
    tool: "active-sampling",
    version: VERSION,
    runtime: runtimeName(),
    strategy: ctx.strategyName,
    use_case: ctx.useCase,
    parameters: Object.fromEntries(Object.entries(config.values).map(([k, value]) => [k, { value, source: config.sources[k as keyof Config["sources"]] }])),
    random_seed: config.values.RANDOM_SEED,
    input: { channel: ctx.input, files: pool.tables.map((t) => ({ path: t.path, format: t.format, rows: t.rowCount })) },
    labeled_data: ctx.labeledPath ? { channel: ctx.labeledPath, rows: ctx.labeledRows } : null,
    id_column: pool.plan.id,
    score_columns: pool.plan.scoreColumns,
    score_interpretation: pool.plan.scoreReason,
    score_normalisation: pool.normalisation,
    class_names: names,
    vector_columns: pool.vectors ? pool.plan.vectorColumns : [],
    vector_source: pool.vectors ? pool.plan.vectorReason : null,
    vector_precision: pool.vectors ? config.values.VECTOR_PRECISION : null,
    leaf_columns: pool.leaves ? pool.plan.leafColumns : [],
    pool_size: pool.size,
    excluded_rows: ctx.excludedCount,
    selected_count: selection.rows.length,
    selection_score: selection.scoreMeaning,
    class_distribution: { pool: poolCounts, selected: selectedCounts, note: "by predicted class (argmax)" },
    strategy_details: selection.details,
    blas: { backend: ctx.blas.name, library: ctx.blas.libraryPath },
    timings_ms: ctx.timings,
    warnings: ctx.warnings,
  };
}

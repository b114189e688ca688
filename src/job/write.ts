/**
 * Step 4 of a job: the selection, the metadata and the report, written atomically to the
 * output directory (src/io/output.ts), and an earlier run's files this run did not write removed.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Config } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import type { HostCandidates } from "../cluster/candidates.ts";
import { candidateColumns, mapFingerprint, mapMetadata, mergeMetadata } from "../cluster/map-merge.ts";
import { UsageError } from "../errors.ts";
import { csvSelectionSchema, removeStaleOutputs, selectionColumns, selectionSchema, writeAtomically, writeJson, writeSelectionCsv, writeSelectionParquet, type ExtraColumn, type OutputFile } from "../io/output.ts";
import { buildMetadata, parameterRecord } from "../report/metadata.ts";
import type { Selection, StrategyOptions } from "../strategies/strategy.ts";
import { VERSION } from "../version.ts";
import type { JobPlan } from "./plan.ts";
import type { Channels, JobInputs } from "./read.ts";
import type { PoolSummary } from "./stream.ts";
import type { Pool } from "../pool/pool.ts";
import type { Timings } from "./timings.ts";

export interface Written {
  /** Paths written, the selection first. */
  outputs: string[];
  metadata: Record<string, unknown>;
}

export interface WriteContext {
  plan: JobPlan;
  config: Config;
  channels: Channels;
  blas: Blas;
  timings: Timings;
  log: Logger;
  mergeFrom: HostCandidates[] | null;
  /** Columns appended to each selected row after the strategy's (pseudo-labels, predicted labels). */
  labelColumns?: ExtraColumn[];
  /** Entries added to selection_metadata.json by the steps before this one. */
  extraMetadata?: Record<string, unknown>;
  /** A streamed run (stream.ts): the whole pool the metadata counts, the inputs' pool being its candidates. */
  summary?: PoolSummary;
}

export async function writeOutputs(output: string, inputs: JobInputs, selection: Selection, options: StrategyOptions,
  { plan, config, channels, blas, timings, log, mergeFrom, labelColumns = [], extraMetadata = {}, summary }: WriteContext): Promise<Written> {
  const v = config.values;
  const { pool } = inputs;
  if (plan.role === "map" && !v.SAVE_METADATA) throw new UsageError("a multi-host map step needs SAVE_METADATA=true: the merge checks every host's configuration from it.");
  const since = performance.now();
  const counted = summary ? wholePool(summary, selection, options) : { pool, selection, options };
  const metadata = buildMetadata(config, counted.pool, counted.selection, counted.options, {
    strategyName: plan.strategyName, useCase: plan.useCase, blas, timings: timings.ms, input: channels.input,
    labeledPath: inputs.labeledPath, labeledRows: inputs.labeled?.ids.length ?? 0, excludedCount: inputs.excludedCount, warnings: log.warnings,
  });
  Object.assign(metadata, extraMetadata);
  if (plan.role === "map") Object.assign(metadata, mapMetadata(config, pool, selection));
  if (mergeFrom) Object.assign(metadata, mergeMetadata(mergeFrom, selection, plan.strategyName, metadata));
  const extra = plan.role === "map" ? candidateColumns(selection) : [];
  const format = v.OUTPUT_FORMAT;
  const columns = format === "parquet" ? selectionColumns(pool, selection.rows, selection.scores, extra, labelColumns) : null;
  metadata.output_schema = { format, columns: columns ? selectionSchema(columns) : csvSelectionSchema(pool, extra, labelColumns) };
  const files: OutputFile[] = [{
    name: `selected_samples.${format}`,
    write: (path) => columns
      ? writeSelectionParquet(path, columns)
      : writeSelectionCsv(path, pool, selection.rows, selection.scores, extra, labelColumns),
  }];
  if (v.SAVE_REPORT && plan.role !== "map") {
    files.push({ name: "selection_report.html", write: async (path) => {
      const { writeReport } = await import("../report/report-file.ts");
      // A streamed run's pool is its candidates: the report charts the whole pool from the figures counted while streaming.
      if (summary && !summary.report) throw new Error("internal check failed: a streamed run writes a report without the pool's figures");
      await writeReport(path, pool, selection, metadata, blas, v.RANDOM_SEED, inputs.labeled, summary?.report ?? null);
    } });
  }
  if (v.SAVE_METADATA) {
    files.push({ name: "selection_metadata.json", write: (path) => { timings.end("writeMs", since); writeJson(path, metadata); } });
  }
  const outputs = await commit(output, files);
  // A merge's pool is the hosts' candidates; the user's pool is the rows the hosts saw (a streamed run's: the whole pool).
  const seen = mergeFrom ? `${metadata.pool_size} rows (from ${pool.size} candidates)` : `${counted.pool.size} rows`;
  log.info(`selected ${selection.rows.length} of ${seen} → ${outputs[0]}`);
  return { outputs, metadata };
}

/** The selection and its class quotas in the whole pool's rows, for the metadata of a streamed run. */
function wholePool(summary: PoolSummary, selection: Selection, options: StrategyOptions): { pool: Pool; selection: Selection; options: StrategyOptions } {
  const rows = Uint32Array.from(selection.rows, (k) => summary.rows[k]!);
  const balance = options.balance && { ...options.balance, classOf: summary.pool.predicted };
  return { pool: summary.pool, selection: { ...selection, rows }, options: { ...options, balance } };
}

/**
 * A map host that ShardedByS3Key gave no input objects (more instances than objects) writes
 * metadata and no candidates, so the merge can go on with the other hosts.
 */
export async function writeEmptyMapOutput(output: string, config: Config, log: Logger): Promise<Written> {
  log.warn(`host ${config.hosts.current}: no data files in the input (more instances than input objects?); writing no candidates.`);
  const metadata = {
    tool: "active-sampling", version: VERSION, role: "map", host: config.hosts.current, hosts: config.hosts.all, job_type: config.jobType,
    rows_seen: 0, candidates: 0, map_fingerprint: mapFingerprint(config, null), parameters: parameterRecord(config),
  };
  const outputs = await commit(output, [{ name: "selection_metadata.json", write: (path) => writeJson(path, metadata) }]);
  return { outputs, metadata };
}

/** Writes the files atomically, then removes an earlier run's files that would pass for this run's. */
async function commit(output: string, files: OutputFile[]): Promise<string[]> {
  const outputs = await writeAtomically(output, files);
  removeStaleOutputs(output, files.map((f) => f.name));
  return outputs;
}

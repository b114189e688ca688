/**
 * The whole job as one testable function: files → pool → strategy → selection → files.
 * The CLI entry (main.ts) and the tests both call `main`; nothing below it reads
 * process.env or process.argv, so a test can run any configuration in-process.
 */
import { existsSync } from "node:fs";
import { freedMemoryNote } from "../ffi/keep-freed-memory.ts";
import { discoverHosts, type DiscoverHostsOptions, type Hosts } from "./cluster/hosts.ts";
import { writeFailureMessage } from "./cluster/failure-message.ts";
import { hostOutputDir } from "./cluster/layout.ts";
import { readMapOutputs, type HostCandidates } from "./cluster/candidates.ts";
import { adoptMapParameters } from "./cluster/map-merge.ts";
import { parseConfig, type Config } from "./cli/config.ts";
import { usage } from "./cli/usage.ts";
import { Logger, type Sink } from "./cli/log.ts";
import { DataError, EXIT_OK, UsageError, exitCodeOf } from "./errors.ts";
import { hasDataFiles } from "./io/channel.ts";
import { loadBackend } from "./job/backend.ts";
import { resolvePaths, type JobPaths } from "./job/paths.ts";
import { planJob, type Role } from "./job/plan.ts";
import { readInputs } from "./job/read.ts";
import { settingsWithoutEffect } from "./job/settings-without-effect.ts";
import { mayStream, streamInputs } from "./job/stream.ts";
import { runStrategy, strategyOptions } from "./job/select.ts";
import { checkPseudoLabelSettings, pseudoLabelSettings, pseudoLabelStep } from "./pseudo-labels/step.ts";
import { threadsRecord, useThreads } from "./job/threads.ts";
import { Timings } from "./job/timings.ts";
import { writeEmptyMapOutput, writeOutputs, type Written } from "./job/write.ts";
import type { Pool } from "./pool/pool.ts";
import { predictionStability, readPrevious, type PredictionStability } from "./stopping/prediction-stability.ts";
import { VERSION } from "./version.ts";

/** SageMaker Processing channels (the container's defaults; --input/--output override) and job files. */
export const CONTAINER_PATHS = {
  input: {
    inference_data: "/opt/ml/processing/input/inference_data", labeled_data: "/opt/ml/processing/input/labeled_data", query_data: "/opt/ml/processing/input/query_data",
    previous_predictions: "/opt/ml/processing/input/previous_predictions",
    calibration_data: "/opt/ml/processing/input/calibration_data",
  },
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
  inputPaths: { inference_data?: string; labeled_data?: string; query_data?: string; calibration_data?: string; previous_predictions?: string },
  outputPaths: { selected_samples?: string },
  environVars: Readonly<Record<string, string | undefined>>,
  jobArgs: readonly string[],
  streams: Streams = { stdout: silent, stderr: silent },
  options: MainOptions = {},
): Promise<RunResult> {
  let log = new Logger(streams.stderr, "text", false);
  let hosts: Hosts | null = null;
  try {
    const parsed = parseConfig(jobArgs, environVars);
    log = new Logger(streams.stderr, parsed.values.LOG_FORMAT, parsed.values.QUIET);
    if (parsed.help) { streams.stdout.write(usage()); return done(EXIT_OK); }
    if (parsed.version) { streams.stdout.write(`active-sampling ${VERSION}\n`); return done(EXIT_OK); }
    for (const note of parsed.notes) log.info(note);
    for (const warning of parsed.warnings) log.warn(warning);
    const memoryNote = freedMemoryNote(environVars);
    if (memoryNote) log.info(memoryNote);
    if (parsed.command === "simulate") {
      const { runSimulate } = await import("./simulate/command.ts");
      const inContainer = inputPaths.labeled_data !== undefined && existsSync(inputPaths.labeled_data);
      const outcome = await runSimulate(parsed, { labeled: inputPaths.labeled_data, output: outputPaths.selected_samples, inContainer }, log);
      return { exitCode: EXIT_OK, outputs: outcome.outputs, metadata: outcome.record, error: null };
    }
    const paths = resolvePaths(parsed, { input: inputPaths.inference_data, labeled: inputPaths.labeled_data, query: inputPaths.query_data, calibration: inputPaths.calibration_data,
      output: outputPaths.selected_samples, previous: inputPaths.previous_predictions });
    if (parsed.command === "inspect") {
      const { inspect } = await import("./cli/inspect.ts");
      streams.stdout.write(await inspect(paths.input, parsed));
      return done(EXIT_OK);
    }
    if (parsed.command === "merge") {
      // One instance finishes the job: it reads every host's candidates and writes what a
      // single-machine run writes, straight to the output.
      const candidates = await readMapOutputs(paths.input);
      hosts = { current: "merge", all: ["merge"], index: 0, source: { current: "default", all: "default" } };
      const config = { ...adoptMapParameters(parsed, candidates[0]!), hosts };
      return await select(config, paths, streams, log, candidates);
    }
    const discovered = await discoverHosts(
      { value: parsed.values.CURRENT_HOST, source: parsed.sources.CURRENT_HOST },
      { value: parsed.values.HOSTS, source: parsed.sources.HOSTS },
      { resourceConfig: options.resourceConfig ?? null, ...options.hostWait },
    );
    if (discovered.warning) log.warn(discovered.warning);
    hosts = discovered.hosts;
    const hostOutput = paths.output ? hostOutputDir(paths.output, hosts) : null;
    if (hosts.all.length > 1) {
      log.info(`host ${hosts.current} (${hosts.index + 1} of ${hosts.all.length}, from ${hosts.source.current}); outputs go to ${hostOutput ?? "nowhere (dry run)"}`);
    }
    return await select({ ...parsed, hosts }, { ...paths, output: hostOutput }, streams, log);
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

/** The job: plan → read → select → write. */
async function select(config: Config, paths: JobPaths, streams: Streams, log: Logger,
  mergeFrom: HostCandidates[] | null = null): Promise<RunResult> {
  const role: Role = mergeFrom ? "merge" : config.hosts.all.length > 1 ? "map" : "single";
  const plan = planJob(config, role);
  checkPseudoLabelSettings(plan, pseudoLabelSettings(config), paths.calibration);
  for (const warning of plan.warnings) log.warn(warning);
  const blas = await loadBackend(config.values, log);
  const threads = await useThreads(config, log, blas);
  log.info(`${threads.count} thread${threads.count === 1 ? "" : "s"} (${threads.source})`);
  if (role === "map" && !hasDataFiles(paths.input) && paths.output) {
    return ok(await writeEmptyMapOutput(paths.output, config, log));
  }
  const timings = new Timings();
  const channels = { input: paths.input, labeled: paths.labeled, query: paths.query };
  // Score-only strategies stream the pool when nothing needs it whole (job/stream.ts).
  const streamed = mayStream(plan, config, paths) ? await streamInputs(plan, config, paths, log, timings) : null;
  const inputs = streamed?.inputs ?? await readInputs(plan, config, channels, mergeFrom, log, timings);
  for (const warning of settingsWithoutEffect(config, role, inputs)) log.warn(warning);
  const labels = await pseudoLabelStep(plan, config, paths.calibration, inputs, mergeFrom, log, timings, streamed?.counts ?? null);
  const options = strategyOptions(plan, config, labels.inputs, blas, mergeFrom, log);
  labels.adjust(options);
  streamed?.adjust(options);
  if (config.dryRun || !paths.output) {
    const { inspect } = await import("./cli/inspect.ts");
    streams.stdout.write(await inspect(paths.input, config));
    return done(EXIT_OK);
  }
  const stability = paths.previous ? await stabilityAgainst(paths.previous, labels.inputs.pool, config, log) : null;
  const selection = runStrategy(labels.plan, labels.inputs, options, log, timings);
  return ok(await writeOutputs(paths.output, labels.inputs, selection, options, {
    plan, config, channels, blas, timings, log, mergeFrom, labelColumns: labels.columns(selection), summary: streamed?.summary,
    extraMetadata: { ...labels.metadata(selection), ...(stability ? { prediction_stability: stability } : {}), threads: threadsRecord(threads) },
  }));
}

/** The stopping signal: this round's predicted classes against the previous_predictions channel's. */
async function stabilityAgainst(previous: string, pool: Pool, config: Config, log: Logger): Promise<PredictionStability> {
  if (!pool.plan.classesRecorded) throw new UsageError("--previous compares predicted classes, but this input holds a confidence without a predicted class (name it with LABEL_FIELD).");
  const before = await readPrevious(previous, config);
  const stability = predictionStability({ ids: pool.ids, predicted: pool.predicted, classNames: pool.plan.classNames }, before, config.values.STABLE_KAPPA, previous);
  log.info(stability.verdict);
  return stability;
}

function ok(written: Written): RunResult {
  return { exitCode: EXIT_OK, outputs: written.outputs, metadata: written.metadata, error: null };
}

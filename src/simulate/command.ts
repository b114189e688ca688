/**
 * The `simulate` command: read the labelled rows, run the simulation, write simulation.json
 * and simulation_report.html (atomically, like a selection), log progress on stderr.
 *
 * simulation.json holds only what the inputs and seeds decide (no backend, no timings), so
 * the same inputs and seed give the same file on either numeric backend; the backend and the
 * time taken go to the log and the report page.
 */
import { existsSync, writeFileSync } from "node:fs";
import { loadBackend } from "../job/backend.ts";
import { useThreads } from "../job/threads.ts";
import type { ParsedConfig } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import { UsageError } from "../errors.ts";
import { writeAtomically, writeJson } from "../io/output.ts";
import { checkOutput, requireExisting } from "../job/paths.ts";
import { VERSION } from "../version.ts";
import { readLabelledSet } from "./labelled-set.ts";
import { renderSimulationReport, SIMULATION_REPORT } from "./report.ts";
import { simulate, simulationRecord, type SimulationResult } from "./simulate.ts";
import { readUnlabelledSet, type UnlabelledRows } from "./unlabelled-set.ts";
import type { LabelledRows } from "./loop.ts";

export const SIMULATION_JSON = "simulation.json";

export interface SimulateOutcome {
  outputs: string[];
  record: Record<string, unknown>;
}

/** defaults: the container's labeled_data and output paths (used where they exist / in the container). */
export async function runSimulate(config: ParsedConfig, defaults: { labeled?: string; output?: string; inContainer: boolean }, log: Logger): Promise<SimulateOutcome> {
  const v = config.values;
  const labeled = config.labeled ?? (defaults.labeled && existsSync(defaults.labeled) ? defaults.labeled : null);
  if (!labeled) throw new UsageError("simulate needs the labelled rows: pass --labeled DIR (id, the true label column TRUE_LABEL_FIELD, emb_* vectors).");
  const output = config.output ?? (defaults.inContainer ? defaults.output ?? null : null);
  if (!output && !config.dryRun) throw new UsageError("no output: pass --output DIR for simulation.json and simulation_report.html.");
  requireExisting("--labeled", labeled, "the directory (or file) of labelled rows");
  requireExisting("--input", config.input, "the directory (or file) of unlabelled rows, or drop --input");
  if (output) checkOutput(output, [["--labeled", labeled], ["--input", config.input]]);

  const blas = await loadBackend(v, log);
  await useThreads(config, log, blas);
  log.info(`reading the labelled rows in ${labeled}`);
  const data = await readLabelledSet(labeled, { idField: v.ID_FIELD, labelField: v.TRUE_LABEL_FIELD, float64: v.VECTOR_PRECISION === "float64" });
  log.info(`${data.ids.length} labelled rows, ${data.classNames.length} classes, ${data.vectorColumns.length} vector columns; ${blas.name} backend`);
  const unlabelled = config.input ? await readUnlabelled(config.input, data, config, log) : null;
  const started = performance.now();
  const result = simulate(data, {
    batchSize: config.sources.BATCH_SIZE === "default" ? null : v.BATCH_SIZE,
    rounds: v.ROUNDS === 0 ? null : v.ROUNDS,
    minDistance: v.MIN_DISTANCE > 0 ? v.MIN_DISTANCE : null,
    seeds: v.SIMULATION_SEEDS,
    randomSeed: v.RANDOM_SEED,
    only: v.SIMULATE_STRATEGIES ? v.SIMULATE_STRATEGIES.split(",").map((s) => s.trim()).filter((s) => s !== "") : null,
    blas,
    unlabelled,
    onProgress: (message) => log.info(message),
  });
  const seconds = (performance.now() - started) / 1000;
  const s = result.settings;
  log.info(`settings: seed set ${s.seedSize}, ${s.rounds} rounds of ${s.batchSize}, ${s.testSize} test rows, seeds ${s.seeds.join(", ")}; ${seconds.toFixed(1)} s`);
  log.info(result.recommendation.text);
  const record = simulationRecord(result, {
    tool: "active-sampling", version: VERSION, command: "simulate",
    labeled_data: { path: labeled, files: data.files, rows: data.ids.length, label_column: v.TRUE_LABEL_FIELD, classes: data.classNames, vector_columns: data.vectorColumns.length },
    unlabelled_data: unlabelled ? unlabelledRecord(unlabelled, result, v.RANDOM_SEED) : null,
  });
  if (!output) return { outputs: [], record };
  const about: [string, string][] = [
    ["labelled rows", `${data.ids.length} (${labeled})`], ["numeric backend", `${blas.name}${blas.libraryPath ? ` (${blas.libraryPath})` : ""}`],
    ...(unlabelled ? [["unlabelled rows shaping the pool", `${unlabelledSummary(unlabelled)}; they shape ${shapedNames(result).join(", ") || "no configuration run"}`] as [string, string]] : []),
    ["time", `${seconds.toFixed(1)} s`],
    // Only a configuration with MIN_DISTANCE tries it.
    ...(result.results.some((r) => (r.candidate.options.minDistance ?? 0) > 0)
      ? [["MIN_DISTANCE tried", `${s.minDistance.toPrecision(4)} (${s.minDistanceSource})`] as [string, string]] : []),
  ];
  const outputs = await writeAtomically(output, [
    { name: SIMULATION_JSON, write: (path) => writeJson(path, record) },
    { name: SIMULATION_REPORT, write: (path) => writeFileSync(path, renderSimulationReport(result, record, about)) },
  ]);
  log.info(`wrote ${outputs.join(", ")}`);
  return { outputs, record };
}

/** The --input rows, logged: how many, from where, what was left out or sampled. */
async function readUnlabelled(input: string, data: LabelledRows, config: ParsedConfig, log: Logger): Promise<UnlabelledRows> {
  const v = config.values;
  log.info(`reading the unlabelled rows in ${input} (--input: they shape the pool; they are never picked, having no label to reveal)`);
  const rows = await readUnlabelledSet(input, data, { idField: v.ID_FIELD, float64: v.VECTOR_PRECISION === "float64", seed: v.RANDOM_SEED, limit: v.SIMULATE_INPUT_ROWS, notices: log });
  log.info(`unlabelled rows: ${unlabelledSummary(rows)}`);
  return rows;
}

function unlabelledSummary(rows: UnlabelledRows): string {
  const s = rows.source;
  return `${rows.ids.length} from ${s.files.length} file(s) in ${s.path}`
    + (s.labelledLeftOut > 0 ? `; ${s.labelledLeftOut} rows whose id is labelled left out (they are in the simulation already)` : "")
    + (s.sampledFrom !== null ? `; a uniform sample (RANDOM_SEED) of the ${s.sampledFrom} unlabelled rows, SIMULATE_INPUT_ROWS=${s.limit}` : "");
}

/** The configurations run whose strategy the unlabelled rows shape. */
function shapedNames(result: SimulationResult): string[] {
  return result.results.filter((r) => r.candidate.poolShape !== null).map((r) => r.candidate.name);
}

/** simulation.json's unlabelled_data: where the rows came from, how many shaped the pool, and what they did in each configuration. */
function unlabelledRecord(rows: UnlabelledRows, result: SimulationResult, seed: number): Record<string, unknown> {
  const s = rows.source;
  return {
    path: s.path, files: s.files, rows_read: s.rowsRead, labelled_ids_left_out: s.labelledLeftOut,
    rows_shaping_the_pool: rows.ids.length,
    sample: s.sampledFrom !== null ? { from: s.sampledFrom, rows: rows.ids.length, limit: s.limit, seed, rule: "a uniform sample of the unlabelled rows in id order, drawn with RANDOM_SEED" } : null,
    rule: "every seed's pool holds these rows besides its labelled pool rows; they are never picked (the simulation has no label for them), and only the configurations below see them",
    shapes: Object.fromEntries(result.results.filter((r) => r.candidate.poolShape !== null).map((r) => [r.candidate.name, r.candidate.poolShape])),
  };
}

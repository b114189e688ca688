/**
 * The whole job at scale: a 1,000,000-row Parquet pool (id, 10 prob_class_* DOUBLE, 128 emb_*
 * FLOAT; clustered, with probabilities that follow the clusters) → diversity, k = 1,000 →
 * selected_samples.parquet, run as users run it (`bun src/main.ts`, or dist/active-sampling
 * when built). Target: ≤ 30 s on 2 cores.
 *
 *   bun bench/end-to-end.ts [--rows N] [--strategy S] [--ids row|uuid] [--fresh] [--threads 1,2 [--rounds R]]
 *
 * The pool is written once to /tmp and reused. Its ids are row-0 … row-999999 (not in file
 * order as strings, so the run works in id order as a real pool would, but in a few sorted runs),
 * or with --ids uuid seeded random UUID-like ids, in no order at all: every step that goes by id
 * then reads rows from all over memory, as it does on a pool keyed by UUIDs. Prints wall seconds,
 * peak RSS (GNU time) and the run's own phase timings from selection_metadata.json. With
 * --threads, runs the binary at each count (THREADS) in turn, R rounds, and prints each
 * count's select step and wall against the first count's, checking the selections are the
 * same bytes.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { parquetWriteFile, type ColumnSource } from "hyparquet-writer";
import { Rng } from "../src/rng.ts";
import { benchThreadCounts, mixture } from "./workloads.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const rows = Number(option("--rows", "1000000"));
const strategy = option("--strategy", "diversity");
const idKind = option("--ids", "row");
if (idKind !== "row" && idKind !== "uuid") throw new Error(`--ids: row or uuid, not ${idKind}`);
const dir = `/tmp/active-sampling-e2e-${rows}${idKind === "uuid" ? "-uuid" : ""}`;
// The input channel is a folder of its own: an output inside it is refused (it would be read back).
const poolDir = `${dir}/pool`;
const pool = `${poolDir}/pool.parquet`;

if (args.includes("--fresh") || !existsSync(pool)) {
  mkdirSync(poolDir, { recursive: true });
  const started = performance.now();
  const w = mixture(rows, 128, { seed: 3 });
  const columnData: ColumnSource[] = [{ name: "id", type: "STRING", data: idKind === "uuid" ? uuidLike(rows) : Array.from({ length: rows }, (_, i) => `row-${i}`) }];
  for (let c = 0; c < w.classes; c++) columnData.push({ name: `prob_class_${c}`, type: "DOUBLE", data: Float64Array.from({ length: rows }, (_, i) => w.probs[i * w.classes + c]!) });
  for (let j = 0; j < 128; j++) columnData.push({ name: `emb_${j}`, type: "FLOAT", data: Float32Array.from({ length: rows }, (_, i) => w.vectors.data[i * 128 + j]!) });
  parquetWriteFile({ filename: `${pool}.partial`, columnData, rowGroupSize: 100_000 });
  renameSync(`${pool}.partial`, pool);
  console.log(`wrote ${pool} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const output = `${dir}/out-${strategy}`;
const binary = existsSync("dist/active-sampling") ? ["dist/active-sampling"] : [process.execPath, "src/main.ts"];
const command = [...binary, "--strategy", strategy, "--batch-size", "1000", "--input", poolDir, "--output", output,
  "--output-format", "parquet", "--quiet", "--no-save-report"];
const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "%e s wall, %M KB peak RSS", ...command] : command;

interface Run { wall: number; usage: string; timings: Record<string, number>; backend: string; selection: Buffer }

/** One run of the binary, THREADS=threads when given. */
function runOnce(threads: number | null): Run {
  rmSync(output, { recursive: true, force: true });
  const env = threads === null ? process.env : { ...process.env, THREADS: String(threads) };
  const started = performance.now();
  const result = spawnSync(timed[0]!, timed.slice(1), { encoding: "utf8", env });
  const wall = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed:\n${result.stderr}`);
  const m = JSON.parse(readFileSync(`${output}/selection_metadata.json`, "utf8"));
  return { wall, usage: result.stderr.trim().split("\n").pop()!, timings: m.timings_ms, backend: m.blas.backend, selection: readFileSync(`${output}/selected_samples.parquet`) };
}

console.log(`${command.join(" ")}`);
if (!args.includes("--threads")) {
  const run = runOnce(null);
  console.log(`${rows} rows → ${strategy} k=1000 → Parquet: ${run.wall.toFixed(1)} s (target ≤ 30 s); ${run.usage}`);
  console.log(`phases (ms): ${JSON.stringify(run.timings)}; backend ${run.backend}`);
} else {
  const counts = benchThreadCounts(args), rounds = Number(option("--rounds", "3"));
  const runs = new Map<number, Run[]>(counts.map((t) => [t, []]));
  for (let round = 1; round <= rounds; round++) {
    // Counts alternate within a round, so a busy spell on the machine falls on all of them.
    for (const threads of counts) {
      const run = runOnce(threads);
      if (!run.selection.equals(runs.get(counts[0]!)![0]?.selection ?? run.selection)) throw new Error(`THREADS=${threads} selected other rows than THREADS=${counts[0]}`);
      runs.get(threads)!.push(run);
      console.log(`  round ${round}  THREADS=${threads}: select ${(run.timings.selectMs! / 1000).toFixed(2)} s, wall ${run.wall.toFixed(2)} s; ${run.usage}`);
    }
  }
  const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  const base = runs.get(counts[0]!)!;
  for (const threads of counts.slice(1)) {
    const mine = runs.get(threads)!;
    const selectRatios = mine.map((run, r) => base[r]!.timings.selectMs! / run.timings.selectMs!);
    const wallRatios = mine.map((run, r) => base[r]!.wall / run.wall);
    console.log(`${rows} rows, ${strategy}: ${threads} threads against ${counts[0]}, ${rounds} rounds: select step ${range(selectRatios)}× (median ${median(selectRatios).toFixed(2)}×), ` +
      `whole run ${range(wallRatios)}× (median ${median(wallRatios).toFixed(2)}×); same selection on every count`);
  }
}

/** Ids shaped like UUIDs (8-4-4-4-12 hex digits), from a seeded generator so the pool is the same on every machine. */
function uuidLike(count: number): string[] {
  const rng = new Rng(11);
  const hex = (digits: number) => Array.from({ length: digits }, () => "0123456789abcdef"[rng.nextInt(16)]).join("");
  return Array.from({ length: count }, () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`);
}

/**
 * The whole job at scale: a 1,000,000-row Parquet pool (id, 10 prob_class_* DOUBLE, 128 emb_*
 * FLOAT; clustered, with probabilities that follow the clusters) → diversity, k = 1,000 →
 * selected_samples.parquet, run as users run it (`bun src/main.ts`, or dist/active-sampling
 * when built). Target: ≤ 30 s on 2 cores.
 *
 *   bun bench/end-to-end.ts [--rows N] [--strategy S] [--fresh]
 *
 * The pool is written once to /tmp and reused. Prints wall seconds, peak RSS (GNU time) and
 * the run's own phase timings from selection_metadata.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { parquetWriteFile, type ColumnSource } from "hyparquet-writer";
import { mixture } from "./workloads.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const rows = Number(option("--rows", "1000000"));
const strategy = option("--strategy", "diversity");
const dir = `/tmp/active-sampling-e2e-${rows}`;
// The input channel is a folder of its own: an output inside it is refused (it would be read back).
const poolDir = `${dir}/pool`;
const pool = `${poolDir}/pool.parquet`;

if (args.includes("--fresh") || !existsSync(pool)) {
  mkdirSync(poolDir, { recursive: true });
  const started = performance.now();
  const w = mixture(rows, 128, { seed: 3 });
  const columnData: ColumnSource[] = [{ name: "id", type: "STRING", data: Array.from({ length: rows }, (_, i) => `row-${i}`) }];
  for (let c = 0; c < w.classes; c++) columnData.push({ name: `prob_class_${c}`, type: "DOUBLE", data: Float64Array.from({ length: rows }, (_, i) => w.probs[i * w.classes + c]!) });
  for (let j = 0; j < 128; j++) columnData.push({ name: `emb_${j}`, type: "FLOAT", data: Float32Array.from({ length: rows }, (_, i) => w.vectors.data[i * 128 + j]!) });
  parquetWriteFile({ filename: `${pool}.partial`, columnData, rowGroupSize: 100_000 });
  renameSync(`${pool}.partial`, pool);
  console.log(`wrote ${pool} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const output = `${dir}/out-${strategy}`;
rmSync(output, { recursive: true, force: true });
const binary = existsSync("dist/active-sampling") ? ["dist/active-sampling"] : [process.execPath, "src/main.ts"];
const command = [...binary, "--strategy", strategy, "--batch-size", "1000", "--input", poolDir, "--output", output,
  "--output-format", "parquet", "--quiet", "--no-save-report"];
const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "%e s wall, %M KB peak RSS", ...command] : command;
const started = performance.now();
const result = spawnSync(timed[0]!, timed.slice(1), { encoding: "utf8" });
const wall = (performance.now() - started) / 1000;
if (result.status !== 0) throw new Error(`${command.join(" ")} failed:\n${result.stderr}`);
const m = JSON.parse(readFileSync(`${output}/selection_metadata.json`, "utf8"));
console.log(`${command.join(" ")}`);
console.log(`${rows} rows → ${strategy} k=1000 → Parquet: ${wall.toFixed(1)} s (target ≤ 30 s); ${result.stderr.trim().split("\n").pop()}`);
console.log(`phases (ms): ${JSON.stringify(m.timings_ms)}; backend ${m.blas.backend}`);

/**
 * Multi-instance scale-out at the size: a 4,000,000 × 128 Parquet pool in 8 shards,
 * diversity k = 1,000. Runs the 8 map steps one after another (on SageMaker they run at once,
 * one instance each, so the job takes the slowest), the merge, and one process on the whole
 * pool; prints seconds and peak RSS of each, and the covering-radius bound the merge reports.
 *
 *   bun bench/scale.ts [--rows 4000000] [--shards 8] [--strategy diversity]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteFile, type ColumnSource } from "hyparquet-writer";
import { mixture } from "./workloads.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const rows = Number(option("--rows", "4000000"));
const shards = Number(option("--shards", "8"));
const strategy = option("--strategy", "diversity");
const dir = `/tmp/active-sampling-scale-${rows}-${shards}`;
const perShard = Math.ceil(rows / shards);
const hosts = Array.from({ length: shards }, (_, h) => `algo-${h + 1}`);

// One seeded mixture, cut into shards (the whole pool is the shards' directory).
if (!existsSync(join(dir, "all", `part-${String(shards - 1).padStart(3, "0")}.parquet`))) {
  mkdirSync(join(dir, "all"), { recursive: true });
  for (let s = 0; s < shards; s++) {
    const n = Math.min(perShard, rows - s * perShard);
    const w = mixture(n, 128, { seed: 100 + s });
    const columnData: ColumnSource[] = [{ name: "id", type: "STRING", data: Array.from({ length: n }, (_, i) => `s${s}-${i}`) }];
    for (let c = 0; c < w.classes; c++) columnData.push({ name: `prob_class_${c}`, type: "DOUBLE", data: Float64Array.from({ length: n }, (_, i) => w.probs[i * w.classes + c]!) });
    for (let j = 0; j < 128; j++) columnData.push({ name: `emb_${j}`, type: "FLOAT", data: Float32Array.from({ length: n }, (_, i) => w.vectors.data[i * 128 + j]!) });
    const path = join(dir, "all", `part-${String(s).padStart(3, "0")}.parquet`);
    parquetWriteFile({ filename: `${path}.partial`, columnData, rowGroupSize: 100_000 });
    renameSync(`${path}.partial`, path);
    console.log(`wrote ${path}`);
  }
}

const binary = existsSync("dist/active-sampling") ? ["dist/active-sampling"] : [process.execPath, "src/main.ts"];
function run(label: string, extra: string[]): { seconds: number; rss: string } {
  const command = [...binary, ...extra, "--strategy", strategy, "--batch-size", "1000", "--quiet", "--no-save-report", "--output-format", "parquet"];
  const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "%M", ...command] : command;
  const started = performance.now();
  const r = spawnSync(timed[0]!, timed.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
  const kb = Number(r.stderr.trim().split("\n").pop());
  return { seconds: (performance.now() - started) / 1000, rss: Number.isFinite(kb) ? `${(kb / 2 ** 20).toFixed(2)} GB` : "?" };
}

const prefix = join(dir, "map");
rmSync(prefix, { recursive: true, force: true });
const maps = hosts.map((host, s) => {
  // ShardedByS3Key hands each instance its objects: here, one file each.
  const input = join(dir, `shard-${s}`);
  mkdirSync(input, { recursive: true });
  const file = `part-${String(s).padStart(3, "0")}.parquet`;
  if (!existsSync(join(input, file))) spawnSync("ln", ["-s", join(dir, "all", file), join(input, file)]);
  return run(host, ["--input", input, "--output", prefix, "--host", host, "--hosts", hosts.join(",")]);
});
const merged = run("merge", ["--job_type", "merge", "--input", prefix, "--output", join(dir, "merged")]);
const single = run("single", ["--input", join(dir, "all"), "--output", join(dir, "single")]);
const slowest = maps.reduce((a, b) => (b.seconds > a.seconds ? b : a));
const m = JSON.parse(readFileSync(join(dir, "merged", "selection_metadata.json"), "utf8"));
console.log(`${rows} rows in ${shards} shards, ${strategy} k=1000`);
console.log(`slowest map ${slowest.seconds.toFixed(1)} s (${slowest.rss}) + merge ${merged.seconds.toFixed(1)} s (${merged.rss}) = ${(slowest.seconds + merged.seconds).toFixed(1)} s`);
console.log(`one process ${single.seconds.toFixed(1)} s (${single.rss}); speed-up ${(single.seconds / (slowest.seconds + merged.seconds)).toFixed(1)}×`);
console.log(`merge: ${m.guarantee}; covering radius ≤ ${m.covering_radius?.bound?.toFixed(3)} (host ${m.covering_radius?.largest_host_radius?.toFixed(3)} + merge ${m.covering_radius?.merge_radius?.toFixed(3)})`);

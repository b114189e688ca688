/**
 * Reading for a run, against DuckDB on the same files in the same run (issue 13, items 3 and 4).
 *
 *   bun bench/read-vs-duckdb.ts wide   [--rows 1000000] [--fresh]
 *   bun bench/read-vs-duckdb.ts scores [--rows 10000000] [--fresh] [--question uncertainty] [--repeat 3] [--streamed-only]
 *
 * wide: a pool of id, 10 probabilities (DOUBLE) and 128 embeddings (FLOAT) as CSV and as its
 *   snappy Parquet twin. DuckDB materialises every column (CREATE TABLE AS SELECT *); we run
 *   `uncertainty` (k = 10,000, CSV output, no report) and take the read step from the run's
 *   own timings (readMs), beside the run's whole wall time.
 * scores: id and 10 probabilities, zstd Parquet in 2 files. DuckDB answers the same questions
 *   in SQL, every column of the answer written to CSV: `uncertainty` k = 10,000 (ORDER BY
 *   1 − (top-1 − top-2) rounded as ours, descending, ties by id, LIMIT 10000), and
 *   `confidence_threshold` at 0.25 (about 4% of the rows pass) with MAX_SAMPLES = 10,000 and
 *   without (every passing row). We run each on the directory streamed with the report (the
 *   default), streamed without it (--no-save-report) and whole (STREAM=off, the baseline). Wall
 *   time and peak RSS for each. --question asks one of them (uncertainty, capped, every),
 *   --repeat asks them that many rounds (DuckDB and ours alternating, the load average printed
 *   each round), --streamed-only leaves the whole run out.
 *
 * The files are written by DuckDB itself (seeded random(); row order fixed by ORDER BY) under
 * /tmp/active-sampling-read-bench/ and reused. Each contender runs in its own process, one after
 * the other, so both see the same machine; the figures to quote are the ratios. Runs
 * dist/active-sampling when it is built, else `bun src/main.ts`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";

const args = process.argv.slice(2);
const mode = args[0] === "scores" ? "scores" : "wide";
const option = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const rows = option("--rows", mode === "wide" ? 1_000_000 : 10_000_000);
const K = 10_000;
/** confidence_threshold's CONFIDENCE_THRESHOLD in the scores bench: about 4% of the rows pass. */
const THRESHOLD = 0.25;
const root = "/tmp/active-sampling-read-bench";
const dir = `${root}/${mode}-${rows}`;

if (args.includes("--duckdb-materialise")) {
  // Child process: DuckDB reads one file into a table, every column.
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const started = performance.now();
  await connection.run(`CREATE TABLE t AS SELECT * FROM '${args[args.indexOf("--duckdb-materialise") + 1]}'`);
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
  process.exit(0);
}
if (args.includes("--duckdb-select")) {
  // Child process: DuckDB answers one of the questions below in SQL and writes every column of the answer to CSV.
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const started = performance.now();
  await connection.run(`COPY (${duckQuestion(args[args.indexOf("--duckdb-select") + 1]!)}) TO '${dir}/duckdb-selected.csv' (HEADER)`);
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000 }));
  process.exit(0);
}

/** The questions of the scores bench: ours as arguments, DuckDB's as SQL giving the same rows in the same order. */
const QUESTIONS: Record<string, { title: string; ours: string[] }> = {
  uncertainty: { title: `uncertainty (margin) k=${K}`, ours: ["--strategy", "uncertainty", "--batch-size", String(K)] },
  capped: { title: `confidence_threshold ≥ ${THRESHOLD}, MAX_SAMPLES=${K}`, ours: ["--strategy", "confidence_threshold", "--confidence-threshold", String(THRESHOLD), "--max-samples", String(K)] },
  every: { title: `confidence_threshold ≥ ${THRESHOLD}, every passing row`, ours: ["--strategy", "confidence_threshold", "--confidence-threshold", String(THRESHOLD)] },
};

function duckQuestion(name: string): string {
  const probs = Array.from({ length: 10 }, (_, k) => `prob_class_${k}`).join(", ");
  const pool = `'${dir}/pool/*.parquet'`;
  // Our margin score, 1 - (p1 - p2) rounded to 12 decimals (src/engine/uncertainty.ts), ties by id.
  if (name === "uncertainty") {
    return `SELECT * EXCLUDE (sorted), round(1 - (sorted[1] - sorted[2]), 12) AS score
      FROM (SELECT *, list_sort([${probs}], 'DESC') AS sorted FROM ${pool}) ORDER BY score DESC, id LIMIT ${K}`;
  }
  const passing = `SELECT *, greatest(${probs}) AS confidence FROM ${pool} WHERE greatest(${probs}) >= ${THRESHOLD} ORDER BY confidence DESC, id`;
  return name === "capped" ? `${passing} LIMIT ${K}` : passing;
}

if (args.includes("--fresh") || !existsSync(`${dir}/done`)) await generate();
const binary = existsSync("dist/active-sampling") ? ["dist/active-sampling"] : [process.execPath, "src/main.ts"];
console.log(`${binary.join(" ")}; ${navigator.hardwareConcurrency} cores, shared and loaded: compare the ratios`);

if (mode === "wide") {
  for (const file of ["pool.csv", "pool.parquet"]) {
    const path = `${dir}/${file}`;
    const duck = timed([process.execPath, import.meta.path, "--duckdb-materialise", path]);
    const ours = runOurs(path, ["--strategy", "uncertainty", "--batch-size", String(K), "--no-save-report"]);
    const duckSeconds = JSON.parse(duck.stdout).seconds as number;
    console.log(`${file} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB, ${rows} rows × 139 columns)`);
    console.log(`  DuckDB, every column into a table   ${duckSeconds.toFixed(2)} s   peak ${duck.peakMiB} MiB`);
    console.log(`  ours, read step of uncertainty       ${(ours.timings.readMs / 1000).toFixed(2)} s   ${(duckSeconds / (ours.timings.readMs / 1000)).toFixed(2)}× DuckDB's speed (target ≥ 1)`);
    console.log(`  ours, whole run (wall)               ${ours.wall.toFixed(2)} s   peak ${ours.peakMiB} MiB; steps (ms) ${JSON.stringify(ours.timings)}`);
  }
} else {
  console.log(`${rows} rows (id + 10 probabilities, zstd, 2 files), every column of the answer written out`);
  const asked = args.includes("--question") ? [args[args.indexOf("--question") + 1]!] : Object.keys(QUESTIONS);
  const rounds = option("--repeat", 1);
  for (let round = 1; round <= rounds; round++) for (const name of asked) {
    const question = QUESTIONS[name];
    if (!question) throw new Error(`--question: one of ${Object.keys(QUESTIONS).join(", ")}`);
    if (rounds > 1) console.log(`round ${round} of ${rounds}, load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
    const duck = timed([process.execPath, import.meta.path, "scores", "--rows", String(rows), "--duckdb-select", name]);
    const duckWall = duck.wall;
    console.log(`${question.title}`);
    console.log(`  DuckDB SQL (ORDER BY score DESC, id)          ${duckWall.toFixed(2)} s wall   peak ${duck.peakMiB} MiB`);
    // Streamed (the default: row group by row group, bounded memory) with and without the report, then the whole pool in memory (STREAM=off).
    const contenders: [string, Record<string, string>, string[]][] = [
      ["STREAM=auto, report (the default)", { STREAM: "auto" }, []],
      ["STREAM=auto, --no-save-report", { STREAM: "auto" }, ["--no-save-report"]],
      ["STREAM=off, --no-save-report", { STREAM: "off" }, ["--no-save-report"]],
    ];
    for (const [label, env, extra] of contenders.slice(0, args.includes("--streamed-only") ? 2 : 3)) {
      const ours = runOurs(`${dir}/pool`, [...question.ours, ...extra], env);
      const unaccounted = ours.wall - Object.values(ours.timings).reduce((a, b) => a + b, 0) / 1000;
      console.log(`  ours, ${label.padEnd(36)} ${ours.wall.toFixed(2)} s wall   peak ${ours.peakMiB} MiB   ${(duckWall / ours.wall).toFixed(2)}× DuckDB's speed (target ≥ 1, peak ≤ 1024 MiB)`);
      console.log(`    steps (ms) ${JSON.stringify(ours.timings)}; ${unaccounted.toFixed(2)} s of the wall not in them (process exit)`);
      const same = sameIds(`${dir}/duckdb-selected.csv`, `${dir}/out/selected_samples.csv`);
      console.log(`    same rows in the same order as DuckDB: ${same}`);
    }
  }
}

function runOurs(input: string, strategy: string[], env: Record<string, string> = {}): { wall: number; peakMiB: number; timings: Record<string, number> } {
  const output = `${dir}/out`;
  rmSync(output, { recursive: true, force: true });
  const run = timed([...binary, ...strategy, "--input", input, "--output", output, "--quiet"], env);
  const metadata = JSON.parse(readFileSync(`${output}/selection_metadata.json`, "utf8"));
  return { wall: run.wall, peakMiB: run.peakMiB, timings: metadata.timings_ms };
}

/** Runs a command under GNU time: its stdout, wall seconds and peak RSS. */
function timed(command: string[], env: Record<string, string> = {}): { stdout: string; wall: number; peakMiB: number } {
  const started = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "PEAK_KB %M", ...command], { encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  const wall = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${command.join(" ")} failed:\n${run.stderr}`);
  const peak = Number(/PEAK_KB (\d+)/.exec(run.stderr)?.[1] ?? 0);
  return { stdout: run.stdout, wall, peakMiB: Math.round(peak / 1024) };
}

/** Whether two CSV selections list the same ids in the same order (the first column). */
function sameIds(a: string, b: string): string {
  const ids = (path: string) => readFileSync(path, "utf8").trim().split("\n").slice(1).map((line) => line.slice(0, line.indexOf(",")));
  const x = ids(a), y = ids(b);
  const firstDiff = x.findIndex((id, i) => id !== y[i]);
  return firstDiff < 0 && x.length === y.length ? `yes, all ${x.length}` : `no: first difference at position ${firstDiff + 1} (${x[firstDiff]} vs ${y[firstDiff]})`;
}

async function generate(): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(`${dir}/pool`, { recursive: true });
  const started = performance.now();
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const draws = Array.from({ length: 10 }, (_, k) => `random() AS r${k}`).join(", ");
  const total = Array.from({ length: 10 }, (_, k) => `r${k}`).join(" + ");
  const probs = Array.from({ length: 10 }, (_, k) => `r${k} / total AS prob_class_${k}`).join(", ");
  const embeddings = mode === "wide" ? ", " + Array.from({ length: 128 }, (_, k) => `(random() - 0.5)::FLOAT AS emb_${k}`).join(", ") : "";
  await connection.run("SELECT setseed(0.42)");
  await connection.run(`CREATE TABLE pool AS SELECT printf('doc-%09d', i) AS id, ${probs}${embeddings}
    FROM (SELECT *, ${total} AS total FROM (SELECT i, ${draws} FROM range(${rows}) t(i))) ORDER BY i`);
  if (mode === "wide") {
    await connection.run(`COPY pool TO '${dir}/pool.csv' (HEADER)`);
    await connection.run(`COPY pool TO '${dir}/pool.parquet' (FORMAT parquet, COMPRESSION snappy)`);
  } else {
    const half = Math.floor(rows / 2);
    await connection.run(`COPY (SELECT * FROM pool WHERE id < printf('doc-%09d', ${half})) TO '${dir}/pool/part-0.parquet' (FORMAT parquet, COMPRESSION zstd)`);
    await connection.run(`COPY (SELECT * FROM pool WHERE id >= printf('doc-%09d', ${half})) TO '${dir}/pool/part-1.parquet' (FORMAT parquet, COMPRESSION zstd)`);
  }
  await Bun.write(`${dir}/done`, "");
  console.log(`wrote ${dir} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

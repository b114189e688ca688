/**
 * `simulate` on Fashion-MNIST, against the figures of the real loop in issue 16 (our binary,
 * 10 rounds × 200 labels, mean test accuracy over the rounds):
 *   margin 0.786, margin + uniform balance 0.786, BADGE 0.783, cluster_margin 0.781,
 *   random 0.771, margin × diversity hybrid 0.769, cosine core-set 0.764, euclidean core-set 0.730;
 *   on five near-duplicates of every row: margin 0.766, margin + MIN_DISTANCE 0.786, hybrid 0.783.
 *
 * Two labelled sets are cut from ../shared/data/fashion_mnist_pool.csv.gz (id, label, emb_*):
 *   plain       its first 10,000 rows;
 *   duplicated  the same rows five times each, every copy with Gaussian noise of σ = NOISE
 *               (default 0.001; the emb_* columns have standard deviation ≈ 1), as consecutive
 *               video frames are.
 * Each runs `simulate` (BATCH_SIZE 200, ROUNDS 10, 5 seeds) through main(), as the binary
 * does; the targets are checked and printed. BENCH_BACKENDS=both also runs the TypeScript
 * backend on the plain set and compares simulation.json byte for byte.
 *
 * `input` runs the plain set again with the pool's other 49,000 rows as --input (id,
 * prob_class_*, emb_*: the inference output a team has), beside a run without it in the same
 * process (the baseline for the time ratio): the targets again, and the configurations the
 * unlabelled rows do not shape must give the same areas. BENCH_COLD_START=1 also compares
 * typiclust and probcover with and without --input.
 *
 *   bun bench/simulate.ts [plain|duplicated|input]
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { main } from "../src/run.ts";
import { Rng } from "../src/rng.ts";

// Beside the checkout (../shared/data), or beside a worktree's parent; FASHION_POOL overrides.
const SOURCE = process.env.FASHION_POOL ?? [join(import.meta.dir, "../../shared/data/fashion_mnist_pool.csv.gz"), join(import.meta.dir, "../../../shared/data/fashion_mnist_pool.csv.gz")]
  .find((path) => existsSync(path)) ?? join(import.meta.dir, "../../shared/data/fashion_mnist_pool.csv.gz");
const REAL_LOOP: Record<string, number> = {
  margin: 0.786, margin_uniform_balance: 0.786, badge: 0.783, cluster_margin: 0.781, random: 0.771,
  hybrid_margin_diversity: 0.769, coreset_cosine: 0.764, coreset_euclidean: 0.730,
};
/** The real loop on the five near-duplicates (issue 16). */
const REAL_LOOP_DUPLICATED: Record<string, number> = { margin: 0.766, margin_min_distance: 0.786, hybrid_margin_diversity: 0.783 };
const NOISE = Number(process.env.NOISE ?? 0.001);
const which = process.argv[2] ?? "all";
const sink = { write: (text: string) => void process.stderr.write(text), isTTY: false };

if (!existsSync(SOURCE)) {
  console.log(`no ${SOURCE}: this bench needs the shared Fashion-MNIST inference output`);
  process.exit(0);
}
const work = join(tmpdir(), "as-bench-simulate");
const lines = gunzipSync(readFileSync(SOURCE)).toString().trim().split("\n");
const head = lines[0]!.split(",");
const keep = head.map((h, i) => (h === "id" || h === "label" || h.startsWith("emb_") ? i : -1)).filter((i) => i >= 0);
const rows = lines.slice(1, 10_001).map((line) => { const f = line.split(","); return keep.map((i) => f[i]!); });
const header = keep.map((i) => head[i]!).join(",");

function write(name: string, body: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "labelled.csv"), [header, ...body].join("\n") + "\n");
  return dir;
}

async function simulate(name: string, labeled: string, blas: "auto" | "off", extra: string[] = []): Promise<{ record: Record<string, any>; seconds: number; json: string }> {
  const output = join(work, `${name}-out-${blas}`);
  const started = performance.now();
  const result = await main({}, {}, {}, ["simulate", "--labeled", labeled, "--output", output, "--batch-size", "200", "--rounds", "10",
    "--simulation-seeds", "5", "--blas", blas, ...extra], { stdout: sink, stderr: sink });
  if (result.exitCode !== 0) throw result.error;
  const json = readFileSync(join(output, "simulation.json"), "utf8");
  return { record: JSON.parse(json), seconds: (performance.now() - started) / 1000, json };
}

function table(record: Record<string, any>, real: Record<string, number>): void {
  console.log("  configuration              area (mean ± sd over seeds)   real loop");
  for (const name of record.ranking as string[]) {
    const s = record.strategies[name];
    const figure = real[name];
    console.log(`  ${name.padEnd(26)} ${s.area.mean.toFixed(4)} ± ${s.area.spread.toFixed(4)}         ${figure === undefined ? "  –" : figure.toFixed(3)}`);
  }
  console.log(`  ${record.recommendation.text}`);
}

/** Issue 16's targets on the plain set: the margin family above euclidean core-set, the recommendation near the real loop's best. */
function targets(record: Record<string, any>): void {
  const area = (n: string) => record.strategies[n].area.mean as number;
  const marginFamily = ["margin", "margin_uniform_balance", "margin_min_distance", "badge", "cluster_margin"];
  const above = marginFamily.every((n) => area(n) > area("coreset_euclidean"));
  const recommended = record.recommendation.strategy as string;
  const bestReal = Math.max(...Object.values(REAL_LOOP));
  const realOfRecommended = REAL_LOOP[recommended] ?? (recommended === "margin_min_distance" ? REAL_LOOP.margin : undefined);
  console.log(`  target: margin family above euclidean core-set: ${above ? "yes" : "NO"}`);
  console.log(`  target: recommended within 0.5 point of the real loop's best (${bestReal}): ${recommended} → ${realOfRecommended ?? "?"} ${realOfRecommended !== undefined && bestReal - realOfRecommended <= 0.005 ? "yes" : "NO"}`);
}

if (which === "all" || which === "plain") {
  const plain = write("plain", rows.map((r) => r.join(",")));
  const run = await simulate("plain", plain, "auto");
  console.log(`\nplain: 10,000 labelled rows, ${run.seconds.toFixed(0)} s (OpenBLAS when it loads; machine shared, see README)`);
  table(run.record, REAL_LOOP);
  targets(run.record);
  if (process.env.BENCH_BACKENDS === "both") {
    const twin = await simulate("plain", plain, "off");
    console.log(`  TypeScript backend: ${twin.seconds.toFixed(0)} s (${(twin.seconds / run.seconds).toFixed(2)}× the first run); simulation.json ${twin.json === run.json ? "identical" : "DIFFERENT"}`);
  }
}

if (which === "all" || which === "duplicated") {
  const rng = new Rng(7);
  const body: string[] = [];
  for (const r of rows) {
    for (let copy = 0; copy < 5; copy++) {
      body.push(r.map((v, j) => (j === 0 ? `${v}_${copy}` : header.split(",")[j]!.startsWith("emb_") ? (Number(v) + NOISE * rng.nextGaussian()).toFixed(6) : v)).join(","));
    }
  }
  const run = await simulate("duplicated", write("duplicated", body), "auto");
  console.log(`\nduplicated: 50,000 rows (10,000 × 5, noise σ = ${NOISE}), ${run.seconds.toFixed(0)} s`);
  table(run.record, REAL_LOOP_DUPLICATED);
  console.log(`  pool rows left out as near-duplicates of a test row, per seed: ${run.record.settings.near_test_rows_left_out.join(", ")}`);
  console.log(`  target: does not recommend plain margin: ${run.record.recommendation.strategy !== "margin" ? "yes" : "NO"}`);
}

if (which === "all" || which === "input") {
  // The pool's other rows as an inference output: id, scores and vectors, no label.
  const columns = head.map((h, i) => (h === "id" || h.startsWith("prob_class_") || h.startsWith("emb_") ? i : -1)).filter((i) => i >= 0);
  const inputDir = join(work, "unlabelled");
  mkdirSync(inputDir, { recursive: true });
  const unlabelled = lines.slice(10_001);
  writeFileSync(join(inputDir, "pool.csv"), [columns.map((i) => head[i]!).join(","), ...unlabelled.map((line) => { const f = line.split(","); return columns.map((i) => f[i]!).join(","); })].join("\n") + "\n");
  const plain = write("plain", rows.map((r) => r.join(",")));
  const base = await simulate("plain", plain, "auto");
  const run = await simulate("input", plain, "auto", ["--input", inputDir]);
  const u = run.record.unlabelled_data;
  console.log(`\ninput: 10,000 labelled rows + ${unlabelled.length.toLocaleString("en-US")} unlabelled rows as --input (${u.rows_shaping_the_pool} shaped the pool${u.sample ? `, a seeded sample of ${u.sample.from}` : ""})`);
  console.log(`  time: ${run.seconds.toFixed(0)} s against ${base.seconds.toFixed(0)} s without --input in the same process (${(run.seconds / base.seconds).toFixed(2)}×; machine shared)`);
  table(run.record, REAL_LOOP);
  targets(run.record);
  const shaped = Object.keys(u.shapes);
  const same = Object.keys(run.record.strategies).filter((n) => !shaped.includes(n))
    .every((n) => JSON.stringify(run.record.strategies[n]) === JSON.stringify(base.record.strategies[n]));
  console.log(`  configurations the unlabelled rows do not shape: the same curves as without --input: ${same ? "yes" : "NO"}`);
  for (const n of shaped) console.log(`  ${n}: area ${run.record.strategies[n].area.mean.toFixed(4)} with --input, ${base.record.strategies[n].area.mean.toFixed(4)} without`);
  if (process.env.BENCH_BACKENDS === "both") {
    const twin = await simulate("input", plain, "off", ["--input", inputDir]);
    console.log(`  TypeScript backend: ${twin.seconds.toFixed(0)} s (${(twin.seconds / run.seconds).toFixed(2)}×); simulation.json ${twin.json === run.json ? "identical" : "DIFFERENT"}`);
  }
  if (process.env.BENCH_COLD_START === "1") {
    const only = ["--simulate-strategies", "typiclust,probcover"];
    const coldBase = await simulate("cold", plain, "auto", only);
    const cold = await simulate("cold-input", plain, "auto", [...only, "--input", inputDir]);
    console.log(`  cold start, typiclust and probcover (and random): ${cold.seconds.toFixed(0)} s with --input, ${coldBase.seconds.toFixed(0)} s without (${(cold.seconds / coldBase.seconds).toFixed(2)}×)`);
    for (const n of ["random", "typiclust", "probcover"]) {
      const a = cold.record.strategies[n].area, b = coldBase.record.strategies[n].area;
      console.log(`    ${n.padEnd(10)} ${a.mean.toFixed(4)} ± ${a.spread.toFixed(4)} with --input, ${b.mean.toFixed(4)} ± ${b.spread.toFixed(4)} without`);
    }
  }
}

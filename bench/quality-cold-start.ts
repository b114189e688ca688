/**
 * The first round, before any model (on demand, not in CI):
 *
 *   bun bench/quality-cold-start.ts [--budgets 50,100,200] [--seeds 1,2,3] [--only typiclust,probcover] [--probcover-deltas 3,4]
 *
 * Pool: ../shared/data/fashion_mnist_pool.csv.gz (59,000 rows). A fixed 10,000 rows (drawn with
 * seed 2026) are the test set; the other 49,000 rows, written with their id and emb_* columns
 * only (no scores: no model exists yet), are the pool. From no labels, each strategy picks a
 * budget of rows through `main()` (the binary's code path); a softmax regression (multinomial
 * logistic regression, L2 penalty ½‖W‖² with C = 1 as scikit-learn's default, full-batch
 * gradient descent to convergence) is trained on the picked rows' true labels only and scored
 * on the test set. `label` is the oracle: the engine never reads it.
 *
 * Baseline in the same run: random picks (seeded). Printed: mean test accuracy over the seeds,
 * the spread (min–max), and the gain over random in points.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { main } from "../src/run.ts";
import { Rng } from "../src/rng.ts";

// ../shared/data beside the checkout (or beside the worktrees' parent), or SHARED_DATA.
const DATA = process.env.SHARED_DATA ?? [join(import.meta.dir, "../../shared/data"), join(import.meta.dir, "../../../shared/data")].find((d) => existsSync(d))!;
const arg = (name: string, fallback: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : fallback);
const budgets = arg("--budgets", "50,100,200").split(",").map(Number);
const seeds = arg("--seeds", "1,2,3").split(",").map(Number);
const TEST_ROWS = 10_000;
const CLASSES = 10;
const work = join("/tmp", `as-cold-start-${process.pid}`);

interface Data { ids: string[]; labels: Int32Array; x: Float64Array; dim: number }

function load(): { pool: Data; test: Data; poolCsv: string } {
  const [header, ...lines] = gunzipSync(readFileSync(join(DATA, "fashion_mnist_pool.csv.gz"))).toString("utf8").trimEnd().split("\n");
  const names = header!.split(",");
  const embs = names.map((n, i) => (n.startsWith("emb_") ? i : -1)).filter((i) => i >= 0);
  const label = names.indexOf("label");
  const order = lines.map((_, i) => i);
  const rng = new Rng(2026);
  for (let i = order.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
  const isTest = new Uint8Array(lines.length);
  for (const i of order.slice(0, TEST_ROWS)) isTest[i] = 1;
  const build = (keep: (i: number) => boolean): Data => {
    const rows = lines.map((_, i) => i).filter(keep);
    const x = new Float64Array(rows.length * embs.length);
    const labels = new Int32Array(rows.length);
    const ids: string[] = [];
    rows.forEach((r, k) => {
      const cells = lines[r]!.split(",");
      ids.push(cells[0]!);
      labels[k] = Number(cells[label]);
      embs.forEach((c, j) => (x[k * embs.length + j] = Number(cells[c])));
    });
    return { ids, labels, x, dim: embs.length };
  };
  const pool = build((i) => !isTest[i]);
  const test = build((i) => isTest[i] === 1);
  const csv = [["id", ...embs.map((c) => names[c])].join(",")];
  lines.forEach((line, i) => {
    if (isTest[i]) return;
    const cells = line.split(",");
    csv.push([cells[0], ...embs.map((c) => cells[c])].join(","));
  });
  return { pool, test, poolCsv: csv.join("\n") + "\n" };
}

/** Multinomial logistic regression: mean cross-entropy + ½‖W‖²/(C·n), gradient descent. */
function train(x: Float64Array, labels: Int32Array, rows: number[], dim: number): Float64Array {
  const n = rows.length, width = dim + 1;
  const w = new Float64Array(CLASSES * width);
  const grad = new Float64Array(CLASSES * width);
  const p = new Float64Array(CLASSES);
  const lambda = 1 / n; // C = 1
  const rate = 0.5;
  for (let iter = 0; iter < 3000; iter++) {
    grad.fill(0);
    for (const r of rows) {
      const o = r * dim;
      let max = -Infinity;
      for (let c = 0; c < CLASSES; c++) {
        let z = w[c * width + dim]!;
        for (let j = 0; j < dim; j++) z += w[c * width + j]! * x[o + j]!;
        p[c] = z;
        if (z > max) max = z;
      }
      let total = 0;
      for (let c = 0; c < CLASSES; c++) { p[c] = Math.exp(p[c]! - max); total += p[c]!; }
      for (let c = 0; c < CLASSES; c++) {
        const g = p[c]! / total - (labels[r] === c ? 1 : 0);
        for (let j = 0; j < dim; j++) grad[c * width + j]! += (g * x[o + j]!) / n;
        grad[c * width + dim]! += g / n;
      }
    }
    let norm = 0;
    for (let c = 0; c < CLASSES; c++) for (let j = 0; j < dim; j++) grad[c * width + j]! += lambda * w[c * width + j]!;
    for (let i = 0; i < w.length; i++) { w[i]! -= rate * grad[i]!; norm += grad[i]! ** 2; }
    if (Math.sqrt(norm) < 1e-5) break;
  }
  return w;
}

function accuracy(w: Float64Array, test: Data): number {
  const dim = test.dim, width = dim + 1;
  let right = 0;
  for (let i = 0; i < test.labels.length; i++) {
    let best = 0, bestZ = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let z = w[c * width + dim]!;
      for (let j = 0; j < dim; j++) z += w[c * width + j]! * test.x[i * dim + j]!;
      if (z > bestZ) { bestZ = z; best = c; }
    }
    if (best === test.labels[i]) right++;
  }
  return right / test.labels.length;
}

const ALL_STRATEGIES: [string, string[]][] = [
  ["typiclust", ["--strategy", "typiclust"]],
  ["probcover", ["--strategy", "probcover"]],
  ["core-set euclidean", ["--strategy", "diversity"]],
  ["core-set cosine", ["--strategy", "diversity", "--metric", "cosine"]],
];
// ProbCover's radius sensitivity: extra rows at given radii (euclidean units of emb_*).
for (const d of arg("--probcover-deltas", "").split(",").filter(Boolean)) ALL_STRATEGIES.push([`probcover δ=${d}`, ["--strategy", "probcover", "--probcover-delta", d]]);
const only = arg("--only", "");
const STRATEGIES = only ? ALL_STRATEGIES.filter(([n]) => only.split(",").includes(n) || n.startsWith("probcover δ")) : ALL_STRATEGIES;

const { pool, test, poolCsv } = load();
const input = join(work, "pool");
mkdirSync(input, { recursive: true });
writeFileSync(join(input, "pool.csv"), poolCsv);
const rowOf = new Map(pool.ids.map((id, i) => [id, i]));
const results = new Map<string, number[]>(); // "strategy|budget" → accuracy per seed
const seconds = new Map<string, number[]>();
const record = (map: Map<string, number[]>, key: string, value: number) => map.set(key, [...(map.get(key) ?? []), value]);

for (const seed of seeds) {
  for (const budget of budgets) {
    const rng = new Rng(seed);
    const order = pool.ids.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
    record(results, `random|${budget}`, accuracy(train(pool.x, pool.labels, order.slice(0, budget), pool.dim), test));
    for (const [name, args] of STRATEGIES) {
      const output = join(work, `out-${seed}-${budget}-${name.replace(/\W+/g, "_")}`);
      const started = performance.now();
      const result = await main({}, {}, {}, ["--input", input, "--output", output, "--batch-size", String(budget), "--random-seed", String(seed), "--no-save-report", "--quiet", ...args]);
      if (result.exitCode !== 0) throw result.error!;
      record(seconds, `${name}|${budget}`, (performance.now() - started) / 1000);
      const picked = readFileSync(join(output, "selected_samples.csv"), "utf8").trimEnd().split("\n").slice(1).map((l) => rowOf.get(l.split(",")[0]!)!);
      record(results, `${name}|${budget}`, accuracy(train(pool.x, pool.labels, picked, pool.dim), test));
    }
    console.error(`seed ${seed}, budget ${budget} done`);
  }
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
console.log(`Fashion-MNIST, 32-d embeddings, ${pool.ids.length} pool rows, ${test.ids.length} test rows, seeds ${seeds.join(",")}: test accuracy of softmax regression on the picked rows only`);
console.log("| strategy | " + budgets.map((b) => `${b} labels`).join(" | ") + " | seconds per run |");
console.log("|---|" + budgets.map(() => "---|").join("") + "---|");
for (const name of ["random", ...STRATEGIES.map(([n]) => n)]) {
  const cells = budgets.map((b) => {
    const acc = results.get(`${name}|${b}`)!;
    const gain = name === "random" ? "" : ` (${(100 * (mean(acc) - mean(results.get(`random|${b}`)!))) >= 0 ? "+" : ""}${(100 * (mean(acc) - mean(results.get(`random|${b}`)!))).toFixed(1)})`;
    return `${mean(acc).toFixed(3)}${gain} [${Math.min(...acc).toFixed(3)}–${Math.max(...acc).toFixed(3)}]`;
  });
  const time = name === "random" ? "–" : mean(budgets.flatMap((b) => seconds.get(`${name}|${b}`)!)).toFixed(1);
  console.log(`| ${name} | ${cells.join(" | ")} | ${time} |`);
}
rmSync(work, { recursive: true, force: true });

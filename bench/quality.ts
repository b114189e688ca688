/**
 * Selection quality on a real inference output (on demand, not in CI):
 *
 *   bun bench/quality.ts [--batches 200,1000]
 *
 * Pool: ../shared/data/fashion_mnist_pool.csv.gz (59,000 rows), labelled channel
 * fashion_mnist_labeled.csv.gz. The `label` column is the oracle: the engine never reads it,
 * this bench scores each batch with it:
 *   errors    share of selected rows the model gets wrong (argmax ≠ label): what labelling fixes
 *   classes   true classes the batch covers (of 10), and the entropy of their mix (bits, max 3.32)
 *   min dist  smallest euclidean distance between two selected rows (emb_*): near-duplicates → 0
 * A second pool copies every row five times with small noise (consecutive video frames), and
 * counts the distinct originals per batch.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { main } from "../src/run.ts";
import { Rng } from "../src/rng.ts";

const DATA = join(import.meta.dir, "../../shared/data");
const batches = (process.argv.includes("--batches") ? process.argv[process.argv.indexOf("--batches") + 1]! : "200,1000").split(",").map(Number);
const work = join("/tmp", `as-quality-${process.pid}`);

interface Row { id: string; label: number; predicted: number; emb: Float64Array; original: string }

function loadPool(text: string): { header: string; lines: string[]; rows: Map<string, Row> } {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = header!.split(",");
  const at = (n: string) => names.indexOf(n);
  const probs = names.map((n, i) => (n.startsWith("prob_class_") ? i : -1)).filter((i) => i >= 0);
  const embs = names.map((n, i) => (n.startsWith("emb_") ? i : -1)).filter((i) => i >= 0);
  const rows = new Map<string, Row>();
  for (const line of lines) {
    const cells = line.split(",");
    const p = probs.map((i) => Number(cells[i]));
    const id = cells[at("id")]!;
    rows.set(id, { id, label: Number(cells[at("label")]), predicted: p.indexOf(Math.max(...p)), emb: Float64Array.from(embs, (i) => Number(cells[i])), original: id.split("~")[0]! });
  }
  return { header: header!, lines, rows };
}

/** Five noisy copies of every row, ids "fm00001~0".."~4": consecutive frames of one scene. */
function nearDuplicates(header: string, lines: string[]): string {
  const names = header.split(",");
  const rng = new Rng(5);
  const out = [header];
  for (const line of lines) {
    const cells = line.split(",");
    for (let copy = 0; copy < 5; copy++) {
      out.push(cells.map((v, i) => (i === 0 ? `${v}~${copy}` : names[i]!.startsWith("emb_") ? (Number(v) + (rng.nextFloat() - 0.5) * 0.02).toFixed(5) : v)).join(","));
    }
  }
  return out.join("\n") + "\n";
}

function score(ids: string[], rows: Map<string, Row>) {
  const picked = ids.map((id) => rows.get(id)!);
  const errors = picked.filter((r) => r.predicted !== r.label).length / picked.length;
  const counts = new Array(10).fill(0);
  for (const r of picked) counts[r.label]++;
  const entropy = -counts.filter((c) => c > 0).reduce((h, c) => h + (c / picked.length) * Math.log2(c / picked.length), 0);
  let minDistance = Infinity;
  for (let a = 0; a < picked.length; a++) for (let b = a + 1; b < picked.length; b++) {
    let s = 0;
    for (let j = 0; j < picked[a]!.emb.length; j++) s += (picked[a]!.emb[j]! - picked[b]!.emb[j]!) ** 2;
    if (s < minDistance) minDistance = s;
  }
  return { errors, classes: counts.filter((c) => c > 0).length, entropy, minDistance: Math.sqrt(minDistance), originals: new Set(picked.map((r) => r.original)).size };
}

const hybridConfig = JSON.stringify({ objectives: [{ type: "uncertainty", mode: "margin" }, { type: "diversity" }], class_balance: "uniform" });
const STRATEGIES: [string, string[]][] = [
  ["margin", ["--strategy", "uncertainty", "--uncertainty-mode", "margin"]],
  ["entropy", ["--strategy", "uncertainty", "--uncertainty-mode", "entropy"]],
  ["margin + uniform balance", ["--strategy", "uncertainty", "--class-balance", "uniform"]],
  ["margin + MIN_DISTANCE 2", ["--strategy", "uncertainty", "--min-distance", "2"]],
  ["core-set euclidean", ["--strategy", "diversity"]],
  ["core-set cosine", ["--strategy", "diversity", "--metric", "cosine"]],
  ["BADGE", ["--strategy", "badge"]],
  ["hybrid margin×diversity, uniform", ["--strategy", "hybrid", "--config", hybridConfig]],
];

async function runAll(variant: string, poolText: string, labeled: string) {
  const input = join(work, variant);
  mkdirSync(input, { recursive: true });
  writeFileSync(join(input, "pool.csv"), poolText);
  const { rows } = loadPool(poolText);
  const table: string[] = [];
  for (const batch of batches) {
    // Random: the baseline every strategy must beat.
    const rng = new Rng(42);
    const all = [...rows.keys()];
    for (let i = all.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [all[i], all[j]] = [all[j]!, all[i]!]; }
    const results: [string, ReturnType<typeof score>, number][] = [["random", score(all.slice(0, batch), rows), 0]];
    for (const [name, args] of STRATEGIES) {
      const output = join(work, `${variant}-${batch}-${name.replace(/\W+/g, "_")}`);
      const started = performance.now();
      const result = await main({}, {}, {}, ["--input", input, "--labeled", labeled, "--output", output, "--batch-size", String(batch), "--no-save-report", "--quiet", ...args]);
      if (result.exitCode !== 0) throw result.error!;
      const seconds = (performance.now() - started) / 1000;
      const ids = readFileSync(join(output, "selected_samples.csv"), "utf8").trimEnd().split("\n").slice(1).map((l) => l.split(",")[0]!);
      results.push([name, score(ids, rows), seconds]);
    }
    for (const [name, s, seconds] of results) {
      table.push(`| ${variant} | ${batch} | ${name} | ${(s.errors * 100).toFixed(1)}% | ${s.classes} | ${s.entropy.toFixed(2)} | ${s.minDistance.toFixed(3)} | ${variant === "near-duplicates" ? s.originals : "–"} | ${seconds ? seconds.toFixed(1) : "–"} |`);
    }
  }
  return table;
}

const poolText = gunzipSync(readFileSync(join(DATA, "fashion_mnist_pool.csv.gz"))).toString("utf8");
const labeled = join(DATA, "fashion_mnist_labeled.csv.gz");
const { header, lines } = loadPool(poolText);
console.log("| pool | batch | strategy | errors | classes | class entropy (bits) | min in-batch distance | distinct originals | seconds |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const line of await runAll("fashion-mnist", poolText, labeled)) console.log(line);
for (const line of await runAll("near-duplicates", nearDuplicates(header, lines), labeled)) console.log(line);

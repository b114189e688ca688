/**
 * The local twin of a multi-instance job: a pool split into shards, one map run per host
 * (--host/--hosts), one merge, compared with one run on the whole pool.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync, mkdirSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { STRATEGIES } from "../../src/strategies/catalog.ts";
import { clusteredPoints, poolCsv, probabilityRows, tempDir } from "../helpers.ts";

const HOSTS = ["algo-1", "algo-2", "algo-3"];
const n = 1500, dim = 6, classes = 4;
const vectors = clusteredPoints(n, dim, 15, 31);
const csv = poolCsv(probabilityRows(n, classes, 32), classes, vectors);
const [header, ...lines] = csv.trimEnd().split("\n");

function shardDirs(): string[] {
  return HOSTS.map((_, h) => {
    const dir = tempDir();
    writeFileSync(join(dir, "part.csv"), [header, ...lines.filter((_, i) => i % HOSTS.length === h)].join("\n") + "\n");
    return dir;
  });
}

async function single(args: string[]): Promise<string> {
  const input = tempDir();
  writeFileSync(join(input, "pool.csv"), csv);
  const output = join(tempDir(), "single");
  const r = await main({}, {}, {}, ["--input", input, "--output", output, "--no-save-report", ...args]);
  expect(r.error?.message ?? null).toBeNull();
  return readFileSync(join(output, "selected_samples.csv"), "utf8");
}

async function mapThenMerge(args: string[], env: Record<string, string> = {}) {
  const prefix = join(tempDir(), "map");
  const shards = shardDirs();
  for (const [h, host] of HOSTS.entries()) {
    const r = await main({}, {}, env, ["--input", shards[h]!, "--output", prefix, "--host", host, "--hosts", HOSTS.join(","), "--no-save-report", ...args]);
    expect(r.error?.message ?? null).toBeNull();
    expect(existsSync(join(prefix, host, "selected_samples.csv"))).toBe(true);
  }
  const output = join(tempDir(), "merged");
  const log: string[] = [];
  const sink = { write: (t: string) => void log.push(t), isTTY: false };
  const merged = await main({}, {}, {}, ["--job_type", "merge", "--input", prefix, "--output", output, "--no-save-report"], { stdout: sink, stderr: sink });
  return { merged, prefix, output, log: log.join(""), text: merged.exitCode === 0 ? readFileSync(join(output, "selected_samples.csv"), "utf8") : "" };
}

const idsOf = (text: string) => text.trimEnd().split("\n").slice(1).map((l) => l.split(",")[0]!);

function coveringRadius(ids: string[]): number {
  const centers = ids.map((id) => Number(id.slice(1)));
  let radius = 0;
  for (let i = 0; i < n; i++) {
    let nearest = Infinity;
    for (const c of centers) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += (vectors.data[i * dim + j]! - vectors.data[c * dim + j]!) ** 2;
      nearest = Math.min(nearest, s);
    }
    radius = Math.max(radius, Math.sqrt(nearest));
  }
  return radius;
}

describe("map on every host, merge on one", () => {
  for (const args of [
    ["--strategy", "uncertainty", "--batch-size", "40"],
    ["--strategy", "uncertainty", "--batch-size", "40", "--uncertainty-mode", "entropy", "--class-balance", "uniform"],
    ["--strategy", "confidence_threshold", "--confidence-threshold", "0.8"],
    ["--strategy", "top_k_per_class", "--k-per-class", "7"],
  ]) {
    test(`${args.join(" ")}: the merge selects exactly what one run on the whole pool selects`, async () => {
      const { text, merged } = await mapThenMerge(args);
      expect(merged.metadata!.guarantee).toMatch(/^exact/);
      expect(text).toBe(await single(args));
    });
  }

  test("diversity: the merged k-center radius stays within 2× one run's radius, and the metadata bounds it", async () => {
    const args = ["--strategy", "diversity", "--batch-size", "30"];
    const { text, merged } = await mapThenMerge(args);
    const ratio = coveringRadius(idsOf(text)) / coveringRadius(idsOf(await single(args)));
    expect(ratio).toBeLessThanOrEqual(2);
    const bound = (merged.metadata!.covering_radius as { bound: number }).bound;
    expect(coveringRadius(idsOf(text))).toBeLessThanOrEqual(bound * (1 + 1e-6));
  });

  test("the merge reports the rows the hosts saw as pool_size and counts the candidates apart", async () => {
    const { merged, log } = await mapThenMerge(["--strategy", "badge", "--batch-size", "25"]);
    const metadata = merged.metadata!;
    expect(metadata.pool_size).toBe(n);
    const perHost = STRATEGIES.badge!.merge.candidates(25, { clusterMarginCandidates: 0 });
    expect(log).toContain(`selected 25 of ${n} rows (from ${3 * perHost} candidates)`);
    expect(perHost).toBeGreaterThan(25);
    expect(metadata.candidates).toBe(3 * perHost);
    const distribution = metadata.class_distribution as Record<string, Record<string, number>>;
    expect(Object.values(distribution.candidates!).reduce((a, b) => a + b, 0)).toBe(3 * perHost);
    expect(distribution.pool).toBeUndefined();
  });

  test("BADGE's merge draws with RANDOM_SEED: other seeds, other batches", async () => {
    const batches = [];
    for (const seed of ["42", "1", "2"]) batches.push(new Set(idsOf((await mapThenMerge(["--strategy", "badge", "--batch-size", "25", "--random-seed", seed])).text)));
    const shared = (a: Set<string>, b: Set<string>) => [...a].filter((id) => b.has(id)).length;
    expect(shared(batches[0]!, batches[1]!)).toBeLessThan(20);
    expect(shared(batches[0]!, batches[2]!)).toBeLessThan(20);
    expect(shared(batches[1]!, batches[2]!)).toBeLessThan(20);
  });

  test("cluster_margin: each host keeps its CLUSTER_MARGIN_CANDIDATES lowest-margin rows, so the merge starts from the global ones", async () => {
    const args = ["--strategy", "cluster_margin", "--batch-size", "20"];
    const { prefix, text, merged } = await mapThenMerge(args);
    expect(merged.exitCode).toBe(0);
    expect(idsOf(text).length).toBe(20);
    // The union of the hosts' candidates (weight 1) holds the 200 lowest-margin rows of the whole
    // pool; the rows of weight 0 are each host's sample of its shard for the merge's k-means.
    const rowsSent = HOSTS.flatMap((host) => readFileSync(join(prefix, host, "selected_samples.csv"), "utf8").trimEnd().split("\n").slice(1).map((l) => l.split(",")));
    const candidateIds = new Set(rowsSent.filter((c) => Number(c.at(-2)) === 1).map((c) => c[0]!));
    expect(candidateIds.size).toBe(3 * 200);
    const samples = rowsSent.filter((c) => Number(c.at(-2)) === 0).map((c) => c[0]!);
    expect(samples.length).toBe(3 * Math.min(500 - 200, 32 * Math.ceil(Math.sqrt(500))));
    expect(samples.filter((id) => candidateIds.has(id))).toEqual([]);
    expect(merged.metadata!.candidates).toBe(600);
    expect(merged.metadata!.fit_sample_rows).toBe(samples.length);
    const uncertainty = await single(["--strategy", "uncertainty", "--batch-size", "200"]);
    for (const id of idsOf(uncertainty)) expect(candidateIds.has(id)).toBe(true);
    // Default clusters as one process on the pool would fit: min(batch, ⌈√rows seen⌉).
    expect((merged.metadata!.strategy_details as { clusters: number }).clusters).toBe(Math.min(20, Math.ceil(Math.sqrt(n))));
  });

  test("badge and hybrid merge k distinct rows from weighted candidates", async () => {
    for (const args of [["--strategy", "badge", "--batch-size", "25"],
      ["--strategy", "hybrid", "--batch-size", "25", "--config", JSON.stringify({ objectives: [{ type: "uncertainty" }, { type: "diversity" }] })]]) {
      const { text, prefix } = await mapThenMerge(args);
      const ids = idsOf(text);
      expect(ids.length).toBe(25);
      expect(new Set(ids).size).toBe(25);
      // Each host kept ℓ·k candidates (the catalog's budget), weighted by the rows nearest them.
      const candidates = readFileSync(join(prefix, "algo-1", "selected_samples.csv"), "utf8").trimEnd().split("\n");
      expect(candidates.length - 1).toBe(STRATEGIES[args[1]!]!.merge.candidates(25, { clusterMarginCandidates: 0 }));
      expect(candidates[0]!.endsWith(",selection_score,selection_rank,candidate_weight,candidate_radius")).toBe(true);
      const weights = candidates.slice(1).map((l) => Number(l.split(",").at(-2)));
      expect(weights.reduce((a, b) => a + b, 0)).toBe(500);
    }
  });

  test("a host that got no input objects writes no candidates, and the merge goes on with the rest", async () => {
    const args = ["--strategy", "uncertainty", "--batch-size", "40"];
    const prefix = join(tempDir(), "map");
    const hosts = [...HOSTS, "algo-4"];
    const shards = [...shardDirs(), tempDir()]; // algo-4's shard is empty
    for (const [h, host] of hosts.entries()) {
      const r = await main({}, {}, {}, ["--input", shards[h]!, "--output", prefix, "--host", host, "--hosts", hosts.join(","), "--no-save-report", ...args]);
      expect(r.exitCode).toBe(0);
    }
    expect(existsSync(join(prefix, "algo-4", "selected_samples.csv"))).toBe(false);
    const output = join(tempDir(), "merged");
    const merged = await main({}, {}, {}, ["--job_type", "merge", "--input", prefix, "--output", output, "--no-save-report"]);
    expect(merged.error?.message ?? null).toBeNull();
    expect(readFileSync(join(output, "selected_samples.csv"), "utf8")).toBe(await single(args));
  });

  test("the merge refuses a missing host and a host run with other settings, naming it", async () => {
    const args = ["--strategy", "uncertainty", "--batch-size", "10"];
    const { prefix } = await mapThenMerge(args);
    const missing = join(tempDir(), "missing");
    mkdirSync(missing);
    rmSync(join(prefix, "algo-2"), { recursive: true });
    let r = await main({}, {}, {}, ["--job_type", "merge", "--input", prefix, "--output", missing]);
    expect(r.exitCode).toBe(3);
    expect(r.error!.message).toContain("host algo-2");
    const other = await mapThenMerge(args);
    const shard = shardDirs()[1]!;
    await main({}, {}, {}, ["--input", shard, "--output", other.prefix, "--host", "algo-2", "--hosts", HOSTS.join(","), "--no-save-report", "--strategy", "uncertainty", "--batch-size", "11"]);
    r = await main({}, {}, {}, ["--job_type", "merge", "--input", other.prefix, "--output", join(tempDir(), "o")]);
    expect(r.exitCode).toBe(3);
    expect(r.error!.message).toMatch(/host algo-2: .*BATCH_SIZE/);
  });
});

/**
 * The same rows give the same selection however they are ordered or split into files: for
 * every catalog strategy, random pools (with repeated vectors and probabilities, so ties are
 * common) are run once as one file and once shuffled into 1–4 files; selected_samples.csv must
 * be byte-identical. Strategies whose merge the catalog calls exact must also give the same
 * bytes when the rows are dealt to 2–4 hosts at random and merged.
 *
 * The fast-check seed is fixed so a failure reproduces; set FC_SEED (and FC_RUNS) to explore.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { STRATEGIES, STRATEGY_NAMES } from "../../src/strategies/catalog.ts";
import { range, runIn, tempDir } from "./harness.ts";

/** Arguments a strategy needs beyond --strategy (a new strategy without an entry fails the first test). */
const ARGS: Record<string, string[]> = {
  confidence_threshold: ["--confidence-threshold", "0.4"],
  top_k_per_class: ["--k-per-class", "3"],
  uncertainty: [],
  diversity: [],
  leaf_coreset: [],
  badge: [],
  cluster_margin: [],
  typiclust: [],
  probcover: [],
  hybrid: ["--config", JSON.stringify({ objectives: [{ type: "uncertainty", mode: "margin" }, { type: "diversity" }] })],
};

const poolArb = fc.record({
  n: fc.integer({ min: 2, max: 70 }),
  classes: fc.integer({ min: 2, max: 4 }),
  dim: fc.integer({ min: 1, max: 5 }),
}).chain(({ n, classes, dim }) => {
  // Few distinct values, so equal scores and equal distances are common.
  const probs = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: classes, maxLength: classes });
  const vector = fc.array(fc.oneof(fc.integer({ min: -2, max: 2 }), fc.double({ min: -9, max: 9, noNaN: true, noDefaultInfinity: true })), { minLength: dim, maxLength: dim });
  return fc.record({
    classes: fc.constant(classes),
    rows: fc.uniqueArray(fc.record({ id: fc.stringMatching(/^[a-z0-9]{1,6}$/), probs, vector, leaves: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }) }),
      { minLength: n, maxLength: n, selector: (r: { id: string }) => r.id }),
    prototypes: fc.array(vector, { minLength: 1, maxLength: 3 }),
    useProto: fc.array(fc.option(fc.nat(2), { nil: null }), { minLength: n, maxLength: n }),
    shuffle: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
    cuts: fc.array(fc.integer({ min: 1, max: Math.max(1, n - 1) }), { maxLength: 3 }),
    seed: fc.integer({ min: 0, max: 1000 }),
    batch: fc.integer({ min: 1, max: 25 }),
  });
});

type GeneratedPool = typeof poolArb extends fc.Arbitrary<infer T> ? T : never;

function csvLines(pool: GeneratedPool) {
  const { classes, rows, prototypes, useProto } = pool;
  const dim = rows[0]!.vector.length;
  const header = ["id", ...range(classes).map((c) => `prob_class_${c}`), ...range(dim).map((j) => `emb_${j}`), "leaf_0", "leaf_1", "leaf_2"].join(",");
  const lines = rows.map((r, i) => {
    const total = r.probs.reduce((a, b) => a + b, 0);
    const vector = useProto[i] === null ? r.vector : prototypes[useProto[i]! % prototypes.length]!;
    return [r.id, ...r.probs.map((p) => p / total), ...vector, ...r.leaves].join(",");
  });
  return { header, lines };
}

test("every catalog strategy has an order-free case", () => {
  expect(STRATEGY_NAMES.filter((name) => !(name in ARGS))).toEqual([]);
});

describe("shuffled rows and other file splits give byte-identical selections", () => {
  for (const name of STRATEGY_NAMES) {
    test(name, async () => {
      await fc.assert(fc.asyncProperty(poolArb, async (pool) => {
        const { header, lines } = csvLines(pool);
        const args = ["--strategy", name, "--batch-size", String(pool.batch), "--random-seed", String(pool.seed), ...(ARGS[name] ?? [])];
        const whole = tempDir();
        writeFileSync(join(whole, "pool.csv"), [header, ...lines].join("\n") + "\n");
        const shuffled = range(lines.length).sort((a, b) => pool.shuffle[a]! - pool.shuffle[b]! || a - b).map((i) => lines[i]!);
        const split = tempDir();
        const cuts = [...new Set(pool.cuts.filter((c) => c < shuffled.length))].sort((a, b) => a - b);
        [0, ...cuts].forEach((start, k) => {
          const end = k < cuts.length ? cuts[k]! : shuffled.length;
          writeFileSync(join(split, `part-${k}.csv`), [header, ...shuffled.slice(start, end)].join("\n") + "\n");
        });
        const a = await runIn(whole, args), b = await runIn(split, args);
        if (a.result.error) throw a.result.error;
        if (b.result.error) throw b.result.error;
        expect(readFileSync(join(b.output, "selected_samples.csv"), "utf8")).toBe(readFileSync(join(a.output, "selected_samples.csv"), "utf8"));
      }), { numRuns: Number(process.env.FC_RUNS ?? 25), seed: Number(process.env.FC_SEED ?? 20261128) });
    }, 60_000);
  }
});

describe("random host splits merge to one process's bytes where the catalog promises an exact merge", () => {
  for (const name of STRATEGY_NAMES.filter((n) => STRATEGIES[n]!.merge.exact)) {
    test(name, async () => {
      await fc.assert(fc.asyncProperty(poolArb, fc.integer({ min: 2, max: 4 }), async (pool, hostCount) => {
        const { header, lines } = csvLines(pool);
        const args = ["--strategy", name, "--batch-size", String(pool.batch), "--random-seed", String(pool.seed), "--no-save-report", ...(ARGS[name] ?? [])];
        const whole = tempDir();
        writeFileSync(join(whole, "pool.csv"), [header, ...lines].join("\n") + "\n");
        const single = await runIn(whole, args);
        if (single.result.error) throw single.result.error;
        const hosts = range(hostCount).map((h) => `algo-${h + 1}`);
        const prefix = join(tempDir(), "map");
        for (const [h, host] of hosts.entries()) {
          const shard = tempDir();
          // Each row goes to the host its shuffle value picks; a host may get none.
          const mine = lines.filter((_, i) => Math.min(hostCount - 1, Math.floor(pool.shuffle[i]! * hostCount)) === h);
          if (mine.length > 0) writeFileSync(join(shard, "part.csv"), [header, ...mine].join("\n") + "\n");
          const r = await main({}, {}, {}, ["--input", shard, "--output", prefix, "--host", host, "--hosts", hosts.join(","), ...args]);
          if (r.error) throw r.error;
        }
        const merged = join(tempDir(), "merged");
        const r = await main({}, {}, {}, ["--job_type", "merge", "--input", prefix, "--output", merged, "--no-save-report"]);
        if (r.error) throw r.error;
        expect(readFileSync(join(merged, "selected_samples.csv"), "utf8")).toBe(readFileSync(join(single.output, "selected_samples.csv"), "utf8"));
      }), { numRuns: Number(process.env.FC_RUNS ?? 10), seed: Number(process.env.FC_SEED ?? 20261128) });
    }, 60_000);
  }
});

/**
 * The contract every strategy in the catalog keeps (in the spirit of scikit-activeml's
 * TemplateQueryStrategy): one loop over src/strategies/catalog.ts, each strategy run through
 * main() on one pool. A strategy added to the catalog without a case below fails the first test.
 *
 *   distinct rows, the rows it promises (BATCH_SIZE or its own parameters), byte-identical
 *   reruns, labelled and excluded rows never chosen, CLASS_BALANCE quotas met (or refused with
 *   the catalog's reason), MIN_DISTANCE kept (or refused for SSL), a clear refusal (exit 3)
 *   when the input lacks the vectors or leaves the strategy needs, and (exit 2, naming
 *   LABEL_FIELD) when it needs predicted classes the input does not record.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/rng.ts";
import { STRATEGIES, STRATEGY_NAMES } from "../../src/strategies/catalog.ts";
import { withMergeTable } from "../../scripts/readme-strategies.ts";
import { range, runIn, tempDir, toCsv, without, type Cell, type Sheet } from "../reliability/harness.ts";

interface Row { id: string; probs: number[]; emb: number[]; leaves: number[] }

interface Case {
  /** Arguments beyond --strategy that the strategy needs to run (hybrid: a default config). */
  args: string[];
  /** Rows a run must select when the catalog says the strategy sets its own count ("own"). */
  count?: (rows: Row[]) => number;
  /** Arguments for the CLASS_BALANCE case when BATCH_SIZE does not set the count. */
  balanceArgs?: string[];
  /** The case's configuration reads vectors although the catalog entry does not need them. */
  readsVectors?: boolean;
}

const CLASSES = 3, DIMS = 4, TREES = 3, BATCH = 20, THRESHOLD = 0.6, K_PER_CLASS = 4;
const argmax = (p: number[]) => p.indexOf(Math.max(...p));

const CASES: Record<string, Case> = {
  confidence_threshold: {
    args: ["--confidence-threshold", String(THRESHOLD)],
    count: (rows) => rows.filter((r) => Math.max(...r.probs) >= THRESHOLD).length,
    balanceArgs: ["--confidence-threshold", "0", "--max-samples", "30"],
  },
  top_k_per_class: {
    args: ["--k-per-class", String(K_PER_CLASS)],
    count: (rows) => range(CLASSES).reduce((n, c) => n + Math.min(K_PER_CLASS, rows.filter((r) => argmax(r.probs) === c).length), 0),
  },
  uncertainty: { args: [] },
  diversity: { args: [] },
  leaf_coreset: { args: [] },
  badge: { args: [] },
  cluster_margin: { args: [] },
  typiclust: { args: [] },
  probcover: { args: [] },
  hybrid: { args: ["--config", JSON.stringify({ objectives: [{ type: "uncertainty", mode: "margin" }, { type: "diversity" }] })], readsVectors: true },
};

/** 90 rows, 30 predicted per class, ids in no particular order; confidence spread over 0.34–0.94. */
function makeRows(): Row[] {
  const rng = new Rng(11);
  return range(90).map((i) => {
    const top = 0.34 + 0.6 * rng.nextFloat();
    const cls = i % CLASSES;
    const probs = range(CLASSES).map((c) => (c === cls ? top : (1 - top) / (CLASSES - 1)));
    return {
      id: `s${(i * 37) % 90}-${rng.nextInt(1000)}`,
      probs,
      emb: range(DIMS).map(() => Math.round((rng.nextFloat() * 10 - 5) * 100) / 100),
      leaves: range(TREES).map(() => rng.nextInt(4)),
    };
  });
}

function sheet(rows: Row[]): Sheet {
  return {
    columns: ["id", ...range(CLASSES).map((c) => `prob_class_${c}`), ...range(DIMS).map((j) => `emb_${j}`), ...range(TREES).map((t) => `leaf_${t}`)],
    rows: rows.map((r): Cell[] => [r.id, ...r.probs, ...r.emb, ...r.leaves]),
  };
}

const ROWS = makeRows();
const byId = new Map(ROWS.map((r) => [r.id, r]));
const POOL = (() => { const dir = tempDir(); writeFileSync(join(dir, "pool.csv"), toCsv(sheet(ROWS))); return dir; })();
/** 6 rows labelled (labeled_data, with their vectors and leaves) and 4 excluded by EXCLUDE_IDS_FILE. */
const LABELED = ROWS.filter((_, i) => i % 15 === 3);
const EXCLUDED = ROWS.filter((_, i) => i % 15 === 8).slice(0, 4);
const LABELED_DIR = (() => { const dir = tempDir(); writeFileSync(join(dir, "labeled.csv"), toCsv(sheet(LABELED))); return dir; })();
const EXCLUDE_FILE = (() => { const path = join(tempDir(), "exclude.txt"); writeFileSync(path, EXCLUDED.map((r) => r.id).join("\n") + "\n"); return path; })();

async function select(name: string, extra: string[] = [], input = POOL) {
  const outcome = await runIn(input, ["--strategy", name, "--batch-size", String(BATCH), ...CASES[name]!.args, ...extra]);
  const csv = outcome.result.exitCode === 0 ? readFileSync(join(outcome.output, "selected_samples.csv"), "utf8") : "";
  const ids = csv.trimEnd().split("\n").slice(1).map((line) => line.split(",")[0]!);
  return { ...outcome, csv, ids };
}

const euclidean = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, j) => s + (x - b[j]!) ** 2, 0));
const treeShare = (a: number[], b: number[]) => a.filter((x, t) => x !== b[t]).length / a.length;

test("every catalog strategy has a contract case, and README's multi-host table is the catalog's", () => {
  expect(STRATEGY_NAMES.filter((name) => !(name in CASES))).toEqual([]);
  const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
  expect(withMergeTable(readme)).toBe(readme); // else: bun scripts/readme-strategies.ts
});

for (const name of STRATEGY_NAMES) {
  const entry = STRATEGIES[name]!;
  const contract = CASES[name];
  describe(`${name} keeps the strategy contract`, () => {
    test("distinct rows from the pool, as many as promised, the same bytes on a rerun", async () => {
      expect(contract).toBeDefined();
      const first = await select(name);
      expect(first.result.exitCode).toBe(0);
      expect(new Set(first.ids).size).toBe(first.ids.length);
      for (const id of first.ids) expect(byId.has(id)).toBe(true);
      const promised = entry.batch === "exact" ? BATCH : contract!.count!(ROWS);
      expect(first.ids.length).toBe(promised);
      expect(promised).toBeGreaterThan(0);
      const again = await select(name);
      expect(again.csv).toBe(first.csv);
    });

    test("labelled and excluded rows are never chosen", async () => {
      const run = await select(name, ["--labeled", LABELED_DIR, "--exclude-ids-file", EXCLUDE_FILE]);
      expect(run.result.exitCode).toBe(0);
      const never = new Set([...LABELED, ...EXCLUDED].map((r) => r.id));
      expect(run.ids.length).toBeGreaterThan(0);
      expect(run.ids.filter((id) => never.has(id))).toEqual([]);
    });

    test(entry.classBalance === true ? "CLASS_BALANCE=uniform meets its quotas" : "CLASS_BALANCE is refused with the catalog's reason", async () => {
      if (entry.classBalance !== true) {
        const run = await select(name, ["--class-balance", "uniform"]);
        expect(run.result.exitCode).toBe(2);
        expect(run.log).toContain(entry.classBalance);
        return;
      }
      const run = await select(name, ["--class-balance", "uniform", "--batch-size", "30", ...(contract!.balanceArgs ?? [])]);
      expect(run.result.exitCode).toBe(0);
      const perClass = range(CLASSES).map((c) => run.ids.filter((id) => argmax(byId.get(id)!.probs) === c).length);
      expect(perClass).toEqual([10, 10, 10]);
    });

    test(entry.minDistance ? "MIN_DISTANCE keeps selected rows apart" : "MIN_DISTANCE is refused (SSL)", async () => {
      const leafUnits = entry.minDistance === "leaves";
      const limit = leafUnits ? 0.5 : 3;
      const run = await select(name, ["--min-distance", String(limit)]);
      if (!entry.minDistance) {
        expect(run.result.exitCode).toBe(2);
        expect(run.log).toContain("MIN_DISTANCE");
        return;
      }
      expect(run.result.exitCode).toBe(0);
      expect(run.ids.length).toBeGreaterThan(1);
      const rows = run.ids.map((id) => byId.get(id)!);
      for (let a = 0; a < rows.length; a++) for (let b = a + 1; b < rows.length; b++) {
        const d = leafUnits ? treeShare(rows[a]!.leaves, rows[b]!.leaves) : euclidean(rows[a]!.emb, rows[b]!.emb);
        expect(d).toBeGreaterThanOrEqual(limit);
      }
    });

    test("an input without what it needs is refused (exit 3, naming the columns), else it runs", async () => {
      const needsVectors = entry.needsVectors || contract?.readsVectors === true;
      const dropped = needsVectors ? ["emb", "leaf"] : entry.needsLeaves ? ["leaf"] : ["emb", "leaf"];
      const columns = sheet(ROWS).columns.filter((c) => dropped.some((prefix) => c.startsWith(prefix)));
      const dir = tempDir();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "pool.csv"), toCsv(without(sheet(ROWS), ...columns)));
      const run = await select(name, [], dir);
      if (needsVectors || entry.needsLeaves) {
        expect(run.result.exitCode).toBe(3);
        expect(run.log).toMatch(needsVectors ? /emb_\*/ : /leaf_\*/);
      } else {
        expect(run.result.exitCode).toBe(0);
      }
    });

    test(entry.needsClasses ? "a lone confidence column without a label is refused, naming LABEL_FIELD" : "a lone confidence column without a label runs", async () => {
      // What an LLM batch job writes without its predicted label: one confidence per row.
      const lone: Sheet = {
        columns: ["id", "confidence_score", ...range(DIMS).map((j) => `emb_${j}`), ...range(TREES).map((t) => `leaf_${t}`)],
        rows: ROWS.map((r): Cell[] => [r.id, Math.max(...r.probs), ...r.emb, ...r.leaves]),
      };
      const dir = tempDir();
      writeFileSync(join(dir, "pool.csv"), toCsv(lone));
      const run = await select(name, [], dir);
      if (entry.needsClasses) {
        expect(run.result.exitCode).toBe(2);
        expect(run.log).toContain("LABEL_FIELD");
      } else {
        expect(run.result.exitCode).toBe(0);
        expect(run.ids.length).toBeGreaterThan(0);
      }
    });
  });
}

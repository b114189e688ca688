/**
 * Hybrid objectives after Lightly's selection config: negative strength, proportion, a label
 * budget, typicality and similarity to a query set. Expected rankings are worked out by hand.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

async function select(pool: string, args: string[], query?: string) {
  const input = tempDir();
  writeFileSync(join(input, "pool.csv"), pool);
  const extra: string[] = [];
  if (query !== undefined) {
    const dir = tempDir();
    writeFileSync(join(dir, "query.csv"), query);
    extra.push("--query", dir);
  }
  const output = join(tempDir(), "out");
  const result = await main({}, {}, {}, ["--input", input, "--output", output, "--no-save-report", "--strategy", "hybrid", ...extra, ...args]);
  const ids = result.exitCode === 0 ? readFileSync(join(output, "selected_samples.csv"), "utf8").trimEnd().split("\n").slice(1).map((l) => l.split(",")[0]!) : [];
  const metadata = result.exitCode === 0 ? JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")) : null;
  return { result, ids, metadata };
}
const config = (value: unknown) => ["--config", JSON.stringify(value)];

// Margin uncertainty 1 − (p1 − p2): a 1, b 0.8, c 0.2, d 0.6. Costs: a 3, b 5, c 1, d 2.
const SMALL = "id,prob_class_0,prob_class_1,cost\na,0.5,0.5,3\nb,0.6,0.4,5\nc,0.9,0.1,1\nd,0.7,0.3,2\n";

describe("hybrid objectives", () => {
  test("a negative strength prefers the opposite: (1 − uncertainty) ranks the surest rows first", async () => {
    // 1 − u: a 0, b 0.2, c 0.8, d 0.4 → c, d, b, a; rewarding certainty is an SSL selection.
    const { ids, metadata } = await select(SMALL, [...config({ objectives: [{ type: "uncertainty", strength: -1 }] }), "--batch-size", "4"]);
    expect(ids).toEqual(["c", "d", "b", "a"]);
    expect(metadata.use_case).toBe("ssl");
    expect(metadata.strategy_details.objectives).toBe("(1 − margin)^1");
  });

  test("a negative strength on diversity or weight is refused, naming the field", async () => {
    const { result } = await select(SMALL, config({ objectives: [{ type: "weight", column: "cost", strength: -1 }] }));
    expect(result.exitCode).toBe(2);
    expect(result.error!.message).toContain("SELECTION_CONFIG.objectives[0].strength is -1");
  });

  test("proportion selects that share of the pool instead of BATCH_SIZE, and refuses both at once", async () => {
    const { ids } = await select(SMALL, config({ objectives: [{ type: "uncertainty" }], proportion: 0.5 }));
    expect(ids).toEqual(["a", "b"]);
    const both = await select(SMALL, [...config({ objectives: [{ type: "uncertainty" }], proportion: 0.5 }), "--batch-size", "3"]);
    expect(both.result.exitCode).toBe(2);
    expect(both.result.error!.message).toMatch(/proportion \(0.5\) and BATCH_SIZE \(3\)/);
  });

  test("proportion on one host of several is a usage error (the pool's size is not known there)", async () => {
    const { result } = await select(SMALL, [...config({ objectives: [{ type: "uncertainty" }], proportion: 0.5 }), "--hosts", "a,b", "--host", "a"]);
    expect(result.exitCode).toBe(2);
    expect(result.error!.message).toContain("give BATCH_SIZE for a multi-host run");
  });

  test("a label budget takes rows in rank order while their summed cost fits, skipping one that would overrun it", async () => {
    // Rank a, b, d, c. a (3, spent 3), b (5 → 8 > 6: skipped), d (2 → 5), c (1 → 6).
    const { ids, metadata } = await select(SMALL, [...config({ objectives: [{ type: "uncertainty" }] }), "--budget-column", "cost", "--budget", "6"]);
    expect(ids).toEqual(["a", "d", "c"]);
    expect(metadata.strategy_details.budget).toEqual({ column: "cost", budget: 6, spent: 6, rowsOverBudget: 1 });
  });

  test("BATCH_SIZE caps the rows a budget may buy", async () => {
    const { ids } = await select(SMALL, [...config({ objectives: [{ type: "uncertainty" }] }), "--budget-column", "cost", "--budget", "100", "--batch-size", "2"]);
    expect(ids).toEqual(["a", "b"]);
  });

  for (const [args, message] of [
    [["--budget", "5"], /needs both BUDGET_COLUMN .* and BUDGET > 0/],
    [["--budget-column", "cost"], /needs both BUDGET_COLUMN .* and BUDGET > 0/],
  ] as [string[], RegExp][]) {
    test(`${args.join(" ")} alone is a usage error`, async () => {
      const { result } = await select(SMALL, [...config({ objectives: [{ type: "uncertainty" }] }), ...args]);
      expect(result.exitCode).toBe(2);
      expect(result.error!.message).toMatch(message);
    });
  }

  test("a budget on another strategy is a usage error", async () => {
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), SMALL);
    const result = await main({}, {}, {}, ["--input", input, "--output", join(tempDir(), "o"), "--strategy", "uncertainty", "--budget-column", "cost", "--budget", "4"]);
    expect(result.exitCode).toBe(2);
    expect(result.error!.message).toContain("apply to STRATEGY=hybrid");
  });

  test("a negative cost is refused naming the row and column", async () => {
    const pool = "id,prob_class_0,prob_class_1,cost\na,0.5,0.5,-1\nb,0.6,0.4,5\n";
    const { result } = await select(pool, [...config({ objectives: [{ type: "uncertainty" }] }), "--budget-column", "cost", "--budget", "6"]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toMatch(/row 1, column "cost" is -1/);
  });

  // Vectors only (no scores): a (1,0), b (0,1), c (−1,0), d (0.6,0.8).
  const VECTORS = "id,emb_0,emb_1\na,1,0\nb,0,1\nc,-1,0\nd,0.6,0.8\n";

  test("similarity ranks rows by their highest cosine similarity to any query row, on a pool without scores", async () => {
    // Query (1, 0.2): cos with a 0.981, d 0.745, b 0.196, c −0.981 → a, d, b, c;
    // score (1 + cos) / 2: a = (1 + 1/√1.04) / 2.
    const { ids, metadata, result } = await select(VECTORS, [...config({ objectives: [{ type: "similarity" }] }), "--batch-size", "4"], "emb_0,emb_1\n1,0.2\n");
    expect(result.error?.message ?? null).toBeNull();
    expect(ids).toEqual(["a", "d", "b", "c"]);
    expect(metadata.strategy_details.objectives).toBe("similarity^1");
  });

  test("an uncertainty objective at strength 0 is ignored, so it runs on a pool without scores", async () => {
    const { ids, result } = await select(VECTORS, [...config({ objectives: [{ type: "uncertainty", strength: 0 }, { type: "diversity" }] }), "--batch-size", "2"]);
    expect(result.error?.message ?? null).toBeNull();
    expect(ids.length).toBe(2);
  });

  test("the nearest of several query rows counts", async () => {
    // Query rows (−1, 0) and (0, 1): c and b are each identical to one (cos 1); d's best is b's 0.8.
    const { ids } = await select(VECTORS, [...config({ objectives: [{ type: "similarity" }] }), "--batch-size", "4"], "emb_0,emb_1\n-1,0\n0,1\n");
    expect(ids).toEqual(["b", "c", "d", "a"]);
  });

  test("similarity without a query channel is a usage error naming --query", async () => {
    const { result } = await select(VECTORS, config({ objectives: [{ type: "similarity" }] }));
    expect(result.exitCode).toBe(2);
    expect(result.error!.message).toContain("--query DIR");
  });

  test("a query channel without the pool's vector columns is refused naming them", async () => {
    const { result } = await select(VECTORS, config({ objectives: [{ type: "similarity" }] }), "x,emb_0\n1,2\n");
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toContain("lacks the vector columns emb_1");
  });

  test("typicality puts a dense group's rows before an outlier, with scores in [0, 1]", async () => {
    // Twelve rows on a small grid and one far away: the outlier is alone in its cell (typicality 0).
    const lines = ["id,emb_0,emb_1"];
    for (let i = 0; i < 12; i++) lines.push(`g${String(i).padStart(2, "0")},${i % 4},${Math.floor(i / 4)}`);
    lines.push("outlier,100,100");
    const { ids, result } = await select(lines.join("\n") + "\n", [...config({ objectives: [{ type: "typicality" }] }), "--batch-size", "13"]);
    expect(result.error?.message ?? null).toBeNull();
    expect(ids[12]).toBe("outlier");
  });
});

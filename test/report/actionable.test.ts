/**
 * A report a person can act on, through main(): rows by id, the labelled rows in the settings
 * and the projection, the covering radius in the report and the metadata, strategy figures
 * under readable names, and scores without float noise (a tie stays a tie).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { tempDir } from "../reliability/harness.ts";

async function run(pool: string, args: string[], labeled: string | null = null) {
  const input = tempDir(), output = join(tempDir(), "out");
  writeFileSync(join(input, "pool.csv"), pool);
  const extra: string[] = [];
  if (labeled) {
    const dir = tempDir();
    writeFileSync(join(dir, "labeled.csv"), labeled);
    extra.push("--labeled", dir);
  }
  const result = await main({}, {}, {}, ["--input", input, "--output", output, ...extra, ...args]);
  expect(result.error?.message ?? null).toBeNull();
  return {
    csv: readFileSync(join(output, "selected_samples.csv"), "utf8"),
    html: readFileSync(join(output, "selection_report.html"), "utf8"),
    metadata: result.metadata!,
  };
}

/** 40 rows with ids that do not follow the file order, two classes, 2-D vectors on a grid. */
const POOL = ["id,prob_class_0,prob_class_1,emb_0,emb_1",
  ...Array.from({ length: 40 }, (_, i) => `item-${(i * 17) % 40 + 100},${[0.7, 0.6, 0.9][i % 3]},${[0.3, 0.4, 0.1][i % 3]},${i % 8},${Math.floor(i / 8)}`)].join("\n") + "\n";
const LABELED = "id,emb_0,emb_1\nlab-1,0,0\nlab-2,7,4\n";

describe("the report names rows by id and shows what was already labelled", () => {
  test("diversity with labelled rows: ids, labelled rows on the projection, covering radius, readable figures", async () => {
    const { html, metadata } = await run(POOL, ["--strategy", "diversity", "--batch-size", "5"], LABELED);
    const radius = metadata.covering_radius as { radius: number; units: string };
    expect(radius.units).toBe("euclidean distance");
    expect(radius.radius).toBeGreaterThan(0);
    expect(html).toContain("covering radius");
    expect(html).toMatch(/<td>item-1\d\d<\/td>/);
    expect(html).not.toMatch(/pool row\b/);
    expect(html).toContain("labelled · 2 rows");
    expect(html).toMatch(/labelled rows<\/th><td>2 from /);
    expect(html).toContain("distances the textbook greedy loop would measure");
    expect(html).not.toContain("<th>plainGreedyEvaluations</th>");
  });

  test("covering radius: no row lies farther than it from a selected or labelled row, and one lies at it", async () => {
    const { csv, metadata } = await run(POOL, ["--strategy", "diversity", "--batch-size", "5"], LABELED);
    const rows = POOL.trimEnd().split("\n").slice(1).map((l) => l.split(","));
    const at = new Map(rows.map((c) => [c[0]!, [Number(c[3]), Number(c[4])]]));
    const centers = [[0, 0], [7, 4], ...csv.trimEnd().split("\n").slice(1).map((l) => at.get(l.split(",")[0]!)!)];
    const farthest = Math.max(...[...at.values()].map((p) => Math.min(...centers.map((c) => Math.hypot(p[0]! - c[0]!, p[1]! - c[1]!)))));
    expect((metadata.covering_radius as { radius: number }).radius).toBeCloseTo(farthest, 6);
  });

  test("uncertainty scores carry no float noise, and equal margins tie (broken by id)", async () => {
    // 0.7/0.3 gives 1 − 0.3999999999999999 = 0.6000000000000001 without care; 0.6/0.4 gives 0.8.
    const { csv, html } = await run(POOL, ["--strategy", "uncertainty", "--batch-size", "30"]);
    const lines = csv.trimEnd().split("\n").slice(1).map((l) => l.split(","));
    const scores = new Set(lines.map((c) => c.at(-2)));
    expect([...scores].sort()).toEqual(["0.2", "0.6", "0.8"]);
    // Within a tie, ids ascend.
    const sixes = lines.filter((c) => c.at(-2) === "0.6").map((c) => c[0]!);
    expect(sixes).toEqual([...sixes].sort());
    expect(html).toContain("entropy / ln C");
  });
});

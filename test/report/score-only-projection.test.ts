/**
 * A score-only strategy reads no vectors for its selection; when the report is written, the
 * pool's vectors are read for its projection (and only then).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

function pool(rows: number, bad: { row: number; text: string } | null = null): string {
  const lines = ["id,prob_class_0,prob_class_1,emb_0,emb_1,emb_2"];
  for (let i = 0; i < rows; i++) {
    const p = ((i * 37) % 100) / 100;
    const emb = [Math.sin(i), Math.cos(i * 1.3), (i % 7) / 7].map(String);
    if (bad && bad.row === i) emb[1] = bad.text;
    lines.push([`r${i}`, p, 1 - p, ...emb].join(","));
  }
  return lines.join("\n") + "\n";
}

async function run(text: string, args: string[]) {
  const input = tempDir();
  writeFileSync(join(input, "pool.csv"), text);
  const output = join(tempDir(), "out");
  const result = await main({}, {}, {}, ["--input", input, "--output", output, "--strategy", "uncertainty", "--batch-size", "5", ...args]);
  return { result, output };
}

describe("the report of a score-only run", () => {
  test("projects the pool's emb_* columns, and the selection equals a run without the report", async () => {
    const withReport = await run(pool(60), []);
    expect(withReport.result.exitCode).toBe(0);
    const html = readFileSync(join(withReport.output, "selection_report.html"), "utf8");
    expect(html).toContain('aria-label="PCA projection of the pool, selection highlighted"');
    const without = await run(pool(60), ["--no-save-report"]);
    expect(readFileSync(join(without.output, "selected_samples.csv"), "utf8")).toBe(readFileSync(join(withReport.output, "selected_samples.csv"), "utf8"));
  });

  test("a vector column the strategy does not read may hold text: the run succeeds and the report says why it has no projection", async () => {
    const { result, output } = await run(pool(60, { row: 9, text: "n/a" }), []);
    expect(result.exitCode).toBe(0);
    const html = readFileSync(join(output, "selection_report.html"), "utf8");
    expect(html).toContain("The vector columns cannot be projected:");
    expect(html).toContain("row 10");
    expect(html).toContain("emb_1");
    expect(html).not.toContain('aria-label="PCA projection of the pool, selection highlighted"');
  });
});

/** The labeled_data channel's vectors must be the pool's: the same embedding, the same trees. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

async function runWithLabeled(pool: string, labeled: string, strategy: string) {
  const input = tempDir(), labeledDir = tempDir(), output = join(tempDir(), "o");
  writeFileSync(join(input, "pool.csv"), pool);
  writeFileSync(join(labeledDir, "labeled.csv"), labeled);
  const stderr: string[] = [];
  const result = await main({}, {}, {}, ["--strategy", strategy, "--batch-size", "2", "--input", input, "--labeled", labeledDir, "--output", output, "--no-save-report"],
    { stdout: { write() {}, isTTY: false }, stderr: { write: (t: string) => void stderr.push(t), isTTY: false } });
  return { result, stderr: stderr.join(""), output };
}

const POOL = "id,prob_class_0,prob_class_1,emb_0,emb_1,leaf_0\na,0.9,0.1,1,2,3\nb,0.6,0.4,2,3,4\nc,0.5,0.5,3,1,5\n";

describe("readLabeled()", () => {
  test("labelled rows with more emb_* columns than the pool (another embedding) are refused naming the extra columns", async () => {
    const { result, stderr } = await runWithLabeled(POOL, "id,emb_0,emb_1,emb_2,emb_3\nz,1,2,3,4\n", "diversity");
    expect(result.exitCode).toBe(3);
    expect(stderr).toContain("the labeled_data channel has emb_* columns the pool lacks (emb_2, emb_3): its vectors have 4 columns, the pool's 2");
    expect(result.outputs).toEqual([]);
  });

  test("labelled rows with more leaf_* columns than the pool (another forest) are refused for leaf_coreset", async () => {
    const { result, stderr } = await runWithLabeled(POOL, "id,leaf_0,leaf_1\nz,3,7\n", "leaf_coreset");
    expect(result.exitCode).toBe(3);
    expect(stderr).toContain("the labeled_data channel has leaf_* columns the pool lacks (leaf_1)");
  });

  test("labelled rows without the pool's leaf_* columns are refused for leaf_coreset, as rows without its vectors are for diversity", async () => {
    const { result, stderr } = await runWithLabeled(POOL, "id,emb_0,emb_1\nz,1,2\n", "leaf_coreset");
    expect(result.exitCode).toBe(3);
    expect(stderr).toContain("the labeled_data channel lacks the leaf columns leaf_0; its rows need the pool's 1 leaf columns to count as chosen centers.");
  });

  test("labelled rows with exactly the pool's vectors and other columns besides are read; a score-only strategy reads their ids alone", async () => {
    expect((await runWithLabeled(POOL, "id,label,text,emb_0,emb_1\nz,1,hi,1,2\n", "diversity")).result.exitCode).toBe(0);
    expect((await runWithLabeled(POOL, "id,emb_0,emb_1,emb_2\nb,1,2,3\n", "uncertainty")).result.exitCode).toBe(0);
  });
});

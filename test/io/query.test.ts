/** The query_data channel's vectors must be the pool's: the same embedding. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

async function runWithQuery(query: string) {
  const input = tempDir(), queryDir = tempDir();
  writeFileSync(join(input, "pool.csv"), "id,prob_class_0,prob_class_1,emb_0,emb_1\na,0.9,0.1,1,2\nb,0.6,0.4,2,3\nc,0.5,0.5,3,1\n");
  writeFileSync(join(queryDir, "query.csv"), query);
  const stderr: string[] = [];
  const result = await main({}, {}, {}, ["--strategy", "hybrid", "--config", '{"objectives": [{"type": "similarity"}]}', "--batch-size", "1",
    "--input", input, "--query", queryDir, "--output", join(tempDir(), "o"), "--no-save-report"],
    { stdout: { write() {}, isTTY: false }, stderr: { write: (t: string) => void stderr.push(t), isTTY: false } });
  return { result, stderr: stderr.join("") };
}

describe("readQuery()", () => {
  test("query rows with emb_* columns the pool lacks (another embedding) are refused naming them", async () => {
    const { result, stderr } = await runWithQuery("emb_0,emb_1,emb_2\n1,2,3\n");
    expect(result.exitCode).toBe(3);
    expect(stderr).toContain("the query_data channel has emb_* columns the pool lacks (emb_2): its vectors have 3 columns, the pool's 2");
  });

  test("query rows without one of the pool's vector columns are refused; with exactly them, selected from", async () => {
    const missing = await runWithQuery("emb_0\n1\n");
    expect(missing.result.exitCode).toBe(3);
    expect(missing.stderr).toContain("the query_data channel lacks the vector columns emb_1; its rows need the pool's 2 vector columns to be compared with the pool.");
    expect((await runWithQuery("note,emb_0,emb_1\nx,1,2\n")).result.exitCode).toBe(0);
  });
});

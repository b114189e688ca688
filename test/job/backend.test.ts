/**
 * A backend asked for by name that cannot load is a usage error (exit 2) naming what was tried,
 * for a selection and for simulate alike (src/job/backend.ts), before anything is written.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { poolCsv, probabilityRows, tempDir } from "../helpers.ts";

const bogus = "/nonexistent/active-sampling-test/libopenblas.so.0";

async function run(args: string[]): Promise<{ exitCode: number; log: string }> {
  let log = "";
  const streams = { stdout: { write() {}, isTTY: false }, stderr: { write: (text: string) => { log += text; }, isTTY: false } };
  const result = await main({}, {}, { ACTIVE_SAMPLING_BLAS: "openblas", BLAS_LIBRARY: bogus }, args, streams);
  return { exitCode: result.exitCode, log };
}

describe("ACTIVE_SAMPLING_BLAS=openblas with a BLAS_LIBRARY that does not load", () => {
  test("a selection exits 2 naming the library, and writes nothing", async () => {
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), poolCsv(probabilityRows(20, 3, 1), 3, null));
    const output = join(tempDir(), "out");
    const { exitCode, log } = await run(["--input", input, "--output", output, "--strategy", "uncertainty", "--batch-size", "5"]);
    expect(exitCode).toBe(2);
    expect(log).toContain(`usage error: OpenBLAS was required (--blas openblas) but not loaded; BLAS_LIBRARY=${bogus}`);
    expect(existsSync(output)).toBe(false);
  });

  test("simulate exits 2 the same way", async () => {
    const labelled = tempDir();
    const rows = ["id,label,emb_0,emb_1", ...Array.from({ length: 40 }, (_, i) => `r${i},${i % 2},${i % 7},${i % 5}`)];
    writeFileSync(join(labelled, "labelled.csv"), rows.join("\n") + "\n");
    const output = join(tempDir(), "sim");
    const { exitCode, log } = await run(["simulate", "--labeled", labelled, "--output", output]);
    expect(exitCode).toBe(2);
    expect(log).toContain(`usage error: OpenBLAS was required (--blas openblas) but not loaded; BLAS_LIBRARY=${bogus}`);
    expect(existsSync(join(output, "simulation.json"))).toBe(false);
  });
});

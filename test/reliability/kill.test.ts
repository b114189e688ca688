/**
 * A run killed mid-write leaves no selected_samples.*: the CLI is spawned on a 200k-row pool
 * and sent SIGKILL while it writes. Hidden `.<name>.<pid>-<time>.tmp` files may remain (see
 * src/io/output.ts for why they are left); nothing else may.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Rng } from "../../src/rng.ts";
import { tempDir } from "./harness.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BUN = join(ROOT, "node_modules/.bin/bun");
const ROWS = 200_000;
const TEMP = /^\.(selected_samples\.(csv|parquet)|selection_metadata\.json|selection_report\.html)\.\d+-\d+\.tmp$/;

let input = "";
let poolBytes = 0;
/** Directories to remove afterwards: each run writes ~20 MB. */
const made: string[] = [];

beforeAll(() => {
  input = tempDir("as-rel-kill-");
  made.push(input);
  const lines = ["id,prob_class_0,prob_class_1,prob_class_2,emb_0,emb_1,emb_2,emb_3"];
  for (let i = 0; i < ROWS; i++) {
    const a = ((i * 7919) % 997) / 997 / 2, b = ((i * 104729) % 991) / 991 / 2;
    lines.push(`id${i},${a},${b},${1 - a - b},${i % 13},${i % 7},${(i * 31) % 101},${i % 3}`);
  }
  const text = lines.join("\n") + "\n";
  writeFileSync(join(input, "pool.csv"), text);
  poolBytes = text.length;
});

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function spawnRun(output: string) {
  made.push(dirname(output));
  return Bun.spawn([BUN, "src/main.ts", "--input", input, "--output", output, "--strategy", "uncertainty",
    "--batch-size", String(ROWS), "--no-save-report", "--quiet"], { cwd: ROOT, stdout: "ignore", stderr: "ignore" });
}

const list = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

/** After a kill: either nothing final, or (killed after the last rename) a complete selection. */
function expectNoPartialOutput(output: string, mustBeEmpty: boolean) {
  const names = list(output);
  const finals = names.filter((n) => !n.startsWith("."));
  for (const n of names.filter((n) => n.startsWith("."))) expect(n).toMatch(TEMP);
  if (mustBeEmpty || !finals.some((n) => n.startsWith("selected_samples."))) {
    expect(finals.filter((n) => n.startsWith("selected_samples."))).toEqual([]);
    return "none";
  }
  // selected_samples.csv is renamed last: if it is there, it and the metadata are complete.
  const text = readFileSync(join(output, "selected_samples.csv"), "utf8");
  expect(text.endsWith("\n")).toBe(true);
  expect(text.split("\n").length).toBe(ROWS + 2);
  expect(JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")).selected_count).toBe(ROWS);
  return "complete";
}

/** Runs until the process ends, noting when the temporary selected_samples file first appeared. */
async function watch(output: string, proc: ReturnType<typeof spawnRun>, started: number, stopAtTemp: boolean) {
  let tempAt: number | null = null, temp: string | undefined;
  while (proc.exitCode === null && proc.signalCode === null) {
    temp ??= list(output).find((n) => /^\.selected_samples\.csv\..*\.tmp$/.test(n));
    if (temp && tempAt === null) { tempAt = performance.now() - started; if (stopAtTemp) break; }
    await Bun.sleep(1);
  }
  return { tempAt, temp };
}

describe("a run killed with SIGKILL", () => {
  /** From the uninterrupted run: when writing starts and when the run ends (ms). */
  let writeStart = 0, runEnd = 0;

  test("left alone, writes the complete selection (and shows when writing starts)", async () => {
    const output = join(tempDir("as-rel-kill-out-"), "out");
    const started = performance.now();
    const proc = spawnRun(output);
    const { tempAt } = await watch(output, proc, started, false);
    await proc.exited;
    runEnd = performance.now() - started;
    expect(proc.exitCode).toBe(0);
    expect(tempAt).not.toBeNull();
    writeStart = tempAt!;
    expect(list(output).sort()).toEqual(["selected_samples.csv", "selection_metadata.json"]);
    expect(expectNoPartialOutput(output, false)).toBe("complete");
  }, 15_000);

  test("while selected_samples is being written leaves no selected_samples.* and no metadata", async () => {
    const output = join(tempDir("as-rel-kill-out-"), "out");
    const proc = spawnRun(output);
    const { temp } = await watch(output, proc, performance.now(), true);
    expect(temp).toBeDefined();
    proc.kill("SIGKILL");
    await proc.exited;
    expect(proc.signalCode).toBe("SIGKILL");
    expectNoPartialOutput(output, true);
    expect(list(output).filter((n) => !n.startsWith("."))).toEqual([]);
    // The temporary file really was cut short.
    if (existsSync(join(output, temp!))) expect(statSync(join(output, temp!)).size).toBeLessThan(poolBytes);
  }, 15_000);

  test("at seeded random moments of the write leaves either nothing or a complete selection", async () => {
    const rng = new Rng(20261127);
    for (let k = 0; k < 3; k++) {
      const output = join(tempDir("as-rel-kill-out-"), "out");
      const proc = spawnRun(output);
      await Bun.sleep(writeStart + rng.nextFloat() * Math.max(50, runEnd - writeStart));
      proc.kill("SIGKILL");
      await proc.exited;
      if (proc.signalCode === "SIGKILL") expectNoPartialOutput(output, false);
      else expect(proc.exitCode).toBe(0);
    }
  }, 15_000);
});

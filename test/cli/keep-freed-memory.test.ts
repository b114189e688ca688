/**
 * The binary relaunches itself once with MIMALLOC_PURGE_DELAY=-1 (ffi/keep-freed-memory.ts):
 * the relaunched process must be the run the user asked for, with the same arguments, input
 * and exit status, and a user's own setting wins.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runBinary } from "../binary.ts";
import { tempDir } from "../helpers.ts";

const ROWS = "id,prob_class_0,prob_class_1\n1,0.9,0.1\n2,0.7,0.3\n3,0.5,0.5\n4,0.3,0.7\n5,0.1,0.9\n";

function input(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "predictions.csv"), ROWS);
  return dir;
}

const notes = (stderr: string) => stderr.split("\n").filter((line) => line.includes("memory: "));

describe("the binary keeps freed memory for reuse", () => {
  test("it runs with MIMALLOC_PURGE_DELAY=-1 set at launch, once, and selects as asked", () => {
    // Spaces and a non-ASCII letter in an argument: the relaunch passes the bytes as given.
    const output = join(tempDir(), "out dir é");
    const run = runBinary(["--strategy", "uncertainty", "--batch-size", "2", "--input", input(), "--output", output]);
    expect(run.exitCode).toBe(0);
    expect(notes(run.stderr)).toEqual([expect.stringContaining("memory: freed pages are kept for reuse (MIMALLOC_PURGE_DELAY=-1;")]);
    expect(readFileSync(join(output, "selected_samples.csv"), "utf8").split("\n").slice(1, 3).map((l) => l.split(",")[0])).toEqual(["3", "2"]);
  });

  test("a user's own MIMALLOC_PURGE_DELAY is kept, with no relaunch", () => {
    const output = join(tempDir(), "out");
    const run = runBinary(["--strategy", "uncertainty", "--batch-size", "2", "--input", input(), "--output", output], { MIMALLOC_PURGE_DELAY: "10" });
    expect(run.exitCode).toBe(0);
    expect(notes(run.stderr)).toEqual([expect.stringContaining("memory: MIMALLOC_PURGE_DELAY=10, as set")]);
  });

  test("only an entry point relaunches: a module that imports the function into another program (bun test) leaves that process alone", () => {
    const script = (isEntry: boolean) =>
      `const { relaunchKeepingFreedMemory } = await import(${JSON.stringify(join(import.meta.dir, "../../ffi/keep-freed-memory.ts"))});` +
      `console.log("start", process.pid); await relaunchKeepingFreedMemory(${isEntry}); console.log("env", process.env.MIMALLOC_PURGE_DELAY ?? "unset");`;
    const run = (isEntry: boolean) => {
      const child = Bun.spawnSync([process.execPath, "-e", script(isEntry)], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, stdout: "pipe" });
      return child.stdout.toString().trim().split("\n");
    };
    const [start, env, ...rest] = run(false);
    expect([env, rest]).toEqual(["env unset", []]);
    expect(start).toMatch(/^start \d+$/);
    // The entry point's relaunch: the same pid starts again, now with the setting.
    const relaunched = run(true);
    expect(relaunched).toHaveLength(3);
    expect(relaunched[1]).toBe(relaunched[0]);
    expect(relaunched[2]).toBe("env -1");
  });

  test("a usage error keeps its exit status and is told once", () => {
    const output = join(tempDir(), "out");
    const run = runBinary(["--strategy", "no_such_strategy", "--input", input(), "--output", output]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.match(/no_such_strategy/g)?.length).toBeGreaterThanOrEqual(1);
    expect(run.stderr.split("\n").filter((line) => line.includes("error")).length).toBe(1);
    expect(existsSync(output)).toBe(false);
  });
});

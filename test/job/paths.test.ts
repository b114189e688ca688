/**
 * Where a job reads and writes: container defaults only inside the container, and an output
 * that cannot work refused (exit 2, naming the path) before any data is read.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { runBinary } from "../binary.ts";
import { poolCsv, probabilityRows, tempDir } from "../helpers.ts";

function poolDir(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "pool.csv"), poolCsv(probabilityRows(50, 3, 1), 3, null));
  return dir;
}

async function run(inputs: { inference_data?: string; labeled_data?: string }, outputs: { selected_samples?: string }, args: string[]) {
  const err: string[] = [];
  const result = await main(inputs, outputs, { STRATEGY: "uncertainty", BATCH_SIZE: "5" }, args,
    { stdout: { write() {}, isTTY: false }, stderr: { write: (t) => void err.push(t), isTTY: false } });
  return { result, stderr: err.join("") };
}

describe("container paths only in a container", () => {
  test("where the container's input channel exists, its input and output paths are the defaults", async () => {
    const root = tempDir();
    const channel = join(root, "input/inference_data");
    mkdirSync(channel, { recursive: true });
    writeFileSync(join(channel, "pool.csv"), poolCsv(probabilityRows(50, 3, 1), 3, null));
    const output = join(root, "output/selected_samples");
    const { result } = await run({ inference_data: channel }, { selected_samples: output }, ["--job_type", "ssl_selection"]);
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(output, "selected_samples.csv"))).toBe(true);
  });

  test("elsewhere a missing --output is a usage error naming the flag, and nothing is created at the container path", async () => {
    const container = join(tempDir(), "opt/ml/processing");
    const { result, stderr } = await run({ inference_data: join(container, "input/inference_data") }, { selected_samples: join(container, "output/selected_samples") },
      ["--input", poolDir()]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain("pass --output DIR");
    expect(existsSync(container)).toBe(false);
  });

  test("elsewhere a missing --input is a usage error naming the flag", async () => {
    const { result, stderr } = await run({ inference_data: join(tempDir(), "nope") }, {}, ["--output", join(tempDir(), "out")]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain("pass --input DIR");
  });

  test("a path flag naming nothing is a usage error naming the flag and the path, before any data is read", async () => {
    const missing = join(tempDir(), "typo");
    for (const [args, flag] of [
      [["--input", missing], "--input"],
      [["--input", poolDir(), "--labeled", missing], "--labeled"],
      [["--input", poolDir(), "--calibration", missing], "--calibration"],
      [["--input", poolDir(), "--exclude-ids-file", missing], "EXCLUDE_IDS_FILE"],
    ] as const) {
      const output = join(tempDir(), "out");
      const { result, stderr } = await run({}, {}, [...args, "--output", output]);
      expect(result.exitCode).toBe(2);
      expect(stderr).toContain(`usage error: ${flag}`);
      expect(stderr).toContain(`${missing} does not exist`);
      expect(stderr).not.toContain("reading");
      expect(existsSync(output)).toBe(false);
    }
  });

  test("an EXCLUDE_IDS_FILE that is a directory is a usage error naming it, before any data is read", async () => {
    const folder = tempDir();
    const output = join(tempDir(), "out");
    const { result, stderr } = await run({}, {}, ["--input", poolDir(), "--exclude-ids-file", folder, "--output", output]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain(`usage error: EXCLUDE_IDS_FILE (--exclude-ids-file) ${folder} is a directory`);
    expect(stderr).not.toContain("reading");
    expect(existsSync(output)).toBe(false);
  });

  test("a directory where an output file goes is a usage error, and no other output file is left behind", async () => {
    const output = join(tempDir(), "out");
    mkdirSync(join(output, "selected_samples.csv"), { recursive: true });
    const { result, stderr } = await run({}, {}, ["--input", poolDir(), "--output", output]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain(`${join(output, "selected_samples.csv")} is a directory`);
    expect(stderr).not.toContain("This is a bug");
    expect(readdirSync(output)).toEqual(["selected_samples.csv"]);
  });

  test("through the binary on a laptop: no --output is exit 2 and /opt/ml is not touched", () => {
    if (existsSync("/opt/ml/processing/input/inference_data")) throw new Error("this machine has the container layout; the test needs a machine without it");
    const run = runBinary(["--input", poolDir()], { STRATEGY: "uncertainty" });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--output");
    expect(existsSync("/opt/ml/processing/output")).toBe(false);
  });
});

describe("the output is checked before the input is read", () => {
  test("an output path that is an existing file", async () => {
    const file = join(tempDir(), "taken.csv");
    writeFileSync(file, "x\n");
    const { result, stderr } = await run({}, {}, ["--input", poolDir(), "--output", file]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain(`--output ${file} is a file`);
  });

  test("an output below a file cannot be created", async () => {
    const file = join(tempDir(), "taken");
    writeFileSync(file, "x\n");
    const { result, stderr } = await run({}, {}, ["--input", poolDir(), "--output", join(file, "out")]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain(`${file} is a file, not a directory`);
  });

  test("an output directory that cannot be written", async () => {
    // Root may write anywhere but on a read-only file system; /proc/1 is not writable even for root.
    const { result, stderr } = await run({}, {}, ["--input", poolDir(), "--output", "/proc/1/out"]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain("--output /proc/1/out cannot");
  });

  for (const [where, sub] of [["equal to", ""], ["inside", "selection"], ["deep inside", "a/b"]] as const) {
    test(`an output ${where} the input channel is refused and nothing is written into the channel`, async () => {
      const input = poolDir();
      const { result, stderr } = await run({}, {}, ["--input", input, "--output", sub ? join(input, sub) : input]);
      expect(result.exitCode).toBe(2);
      expect(stderr).toContain(`the --input channel ${input}`);
      expect(readdirSync(input)).toEqual(["pool.csv"]);
    });
  }

  test("an output inside the labelled channel is refused too", async () => {
    const labeled = tempDir();
    writeFileSync(join(labeled, "l.csv"), "id\nx\n");
    const { result, stderr } = await run({}, {}, ["--input", poolDir(), "--labeled", labeled, "--output", join(labeled, "out")]);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain("--labeled channel");
  });

  test("through the binary: output inside the input is exit 2 with no stack trace", () => {
    const input = poolDir();
    const run = runBinary(["--input", input, "--output", join(input, "out")], { STRATEGY: "uncertainty" });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("usage error");
    expect(run.stderr).not.toContain("This is a bug");
    expect(readdirSync(input)).toEqual(["pool.csv"]);
  });
});

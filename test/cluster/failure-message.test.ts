import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFailureMessage } from "../../src/cluster/failure-message.ts";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

const POOL = "id,prob_class_0,prob_class_1\na,0.5,0.5\nb,0.9,0.1\nc,0.6,0.4\n";

/** A stand-in for /opt/ml/output (it exists) and the message file in it (it does not yet). */
function messagePath(): string {
  const dir = join(tempDir("as-msg-"), "output");
  mkdirSync(dir);
  return join(dir, "message");
}

async function run(args: string[], failureMessage: string | null, env: Record<string, string> = {}) {
  const input = tempDir();
  writeFileSync(join(input, "pool.csv"), POOL);
  const stderr: string[] = [];
  const sink = { write: (t: string) => void stderr.push(t), isTTY: false };
  const result = await main({}, {}, env, ["--input", input, "--output", join(tempDir(), "out"), "--no-save-report", ...args],
    { stdout: sink, stderr: sink }, { failureMessage });
  return { result, stderr: stderr.join(""), input };
}

describe("the failure message SageMaker shows as ExitMessage", () => {
  test("a usage error is written to the message file and stderr, and the exit status is 2", async () => {
    const path = messagePath();
    const { result, stderr } = await run(["--strategy", "uncertainty", "--batch-size", "0"], path);
    expect(result.exitCode).toBe(2);
    const message = readFileSync(path, "utf8");
    expect(message).toBe("usage error: flag --batch-size is 0; it must lie from 1 to 100000000.\n");
    expect(stderr).toContain(message.trimEnd());
  });

  test("an input error names the file in the message, and the exit status is 3", async () => {
    const path = messagePath();
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), "id,prob_class_0,prob_class_1\na,0.5,0.5\na,0.9,0.1\n");
    const result = await main({}, {}, {}, ["--strategy", "uncertainty", "--input", input, "--output", join(tempDir(), "o")], undefined, { failureMessage: path });
    expect(result.exitCode).toBe(3);
    const message = readFileSync(path, "utf8");
    expect(message).toStartWith("input error: duplicate ids in the pool:");
    expect(message).toContain(join(input, "pool.csv"));
  });

  test("with several hosts the message says which host failed", async () => {
    const path = messagePath();
    const ids = join(tempDir(), "ids.csv");
    writeFileSync(ids, "name\na\n"); // no id column: an input error found on the host
    const { result } = await run(["--strategy", "uncertainty", "--exclude-ids-file", ids], path, { CURRENT_HOST: "algo-3", HOSTS: "algo-1,algo-2,algo-3" });
    expect(result.exitCode).not.toBe(0);
    expect(readFileSync(path, "utf8")).toStartWith("host algo-3: ");
  });

  test("a successful run writes no message", async () => {
    const path = messagePath();
    const { result } = await run(["--strategy", "uncertainty"], path);
    expect(result.exitCode).toBe(0);
    expect(existsSync(path)).toBe(false);
  });

  test("without the message directory (a local run) nothing is written and the error is still reported", async () => {
    const path = join(tempDir("as-msg-"), "absent", "message");
    const { result, stderr } = await run(["--strategy", "nope"], path);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain('usage error: flag --strategy is "nope"');
    expect(existsSync(join(path, ".."))).toBe(false);
  });

  test("a message that cannot be written is a warning, and the original error and exit status stand", async () => {
    const path = messagePath();
    mkdirSync(path); // a directory where the file should go
    const { result, stderr } = await run(["--strategy", "nope"], path);
    expect(result.exitCode).toBe(2);
    expect(stderr).toContain(`could not write the failure message to ${path}`);
    expect(stderr).toContain('usage error: flag --strategy is "nope"');
  });

  test("main() without a failureMessage path writes none", () => {
    expect(writeFailureMessage(null, "x")).toBeNull();
    expect(writeFailureMessage(undefined, "x")).toBeNull();
  });
});

/** A mistyped environment variable is not silently ignored: the run warns and names the setting meant. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../src/cli/config.ts";
import { runBinary } from "../binary.ts";
import { tempDir } from "../helpers.ts";

describe("mistyped environment variables", () => {
  test("parseConfig() warns about a name one setting away, with the setting it most likely meant", () => {
    const parsed = parseConfig([], { STRATEGYY: "uncertainty", BATCHSIZE: "5", batch_size: "7", CONFIDENCE_TRESHOLD: "0.5", THREAD: "1" });
    expect(parsed.warnings).toEqual([
      "env STRATEGYY is not a setting and is ignored; did you mean STRATEGY?",
      "env BATCHSIZE is not a setting and is ignored; did you mean BATCH_SIZE?",
      "env batch_size is not a setting and is ignored; did you mean BATCH_SIZE?",
      "env CONFIDENCE_TRESHOLD is not a setting and is ignored; did you mean CONFIDENCE_THRESHOLD?",
      "env THREAD is not a setting and is ignored; did you mean THREADS?",
    ]);
    expect(parsed.values.STRATEGY).toBe("confidence_threshold");
  });

  test("the environment a shell or SageMaker sets draws no warning", () => {
    const system = ["PATH", "HOME", "HOST", "HOSTNAME", "HOSTTYPE", "LANG", "LC_ALL", "TERM", "SHELL", "USER", "LOGNAME", "PWD", "OLDPWD",
      "SHLVL", "TMPDIR", "TZ", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_EXECUTION_ENV",
      "OPENBLAS_NUM_THREADS", "OPENBLAS_THREAD_TIMEOUT", "OPENBLAS_CORETYPE", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "CUDA_VISIBLE_DEVICES",
      "PYTHONPATH", "NODE_OPTIONS", "LD_LIBRARY_PATH", "DISPLAY", "EDITOR", "COLUMNS", "LINES", "_", "STRATEGY", "BATCH_SIZE", "HOSTS", "THREADS"];
    const env = Object.fromEntries(system.map((name) => [name, "1"]));
    env.STRATEGY = "uncertainty";
    expect(parseConfig([], env).warnings).toEqual([]);
  });

  test("through the binary: the warning is on stderr and in selection_metadata.json", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "in"));
    writeFileSync(join(dir, "in", "pool.csv"), "id,prob_class_0,prob_class_1\na,0.9,0.1\nb,0.6,0.4\n");
    const run = runBinary(["--input", join(dir, "in"), "--output", join(dir, "out")], { STRATEGY: "uncertainty", BATCH_SIZ: "1" });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("warn  env BATCH_SIZ is not a setting and is ignored; did you mean BATCH_SIZE?");
    const metadata = JSON.parse(readFileSync(join(dir, "out", "selection_metadata.json"), "utf8"));
    expect(metadata.warnings).toContain("env BATCH_SIZ is not a setting and is ignored; did you mean BATCH_SIZE?");
  });
});


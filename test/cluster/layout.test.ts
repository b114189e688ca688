import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hostOutputDir } from "../../src/cluster/layout.ts";
import { main, type MainOptions } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

const POOL = "id,prob_class_0,prob_class_1\na,0.5,0.5\nb,0.9,0.1\nc,0.6,0.4\nd,0.99,0.01\ne,0.2,0.8\n";

/** Runs an uncertainty selection of 2 rows on POOL; returns the result, the output root and the log. */
async function runWith(args: string[], env: Record<string, string> = {}, options: MainOptions = {}) {
  const input = tempDir();
  writeFileSync(join(input, "pool.csv"), POOL);
  const output = join(tempDir(), "out");
  const log: string[] = [];
  const sink = { write: (t: string) => void log.push(t), isTTY: false };
  const result = await main({}, {}, env, ["--strategy", "uncertainty", "--batch-size", "2", "--input", input, "--output", output, "--no-save-report", ...args],
    { stdout: sink, stderr: sink }, options);
  return { result, output, log: log.join("") };
}

const metadataAt = (dir: string) => JSON.parse(readFileSync(join(dir, "selection_metadata.json"), "utf8"));

describe("per-host outputs", () => {
  test("hostOutputDir() is the output itself for one host and <output>/<host> for several", () => {
    expect(hostOutputDir("/out", { current: "algo-1", all: ["algo-1"] })).toBe("/out");
    expect(hostOutputDir("/out", { current: "algo-2", all: ["algo-1", "algo-2"] })).toBe("/out/algo-2");
  });

  test("with one host the outputs stay exactly where they were, and the metadata names the host", async () => {
    const { result, output } = await runWith([]);
    expect(result.exitCode).toBe(0);
    expect(readdirSync(output).sort()).toEqual(["selected_samples.csv", "selection_metadata.json"]);
    const metadata = metadataAt(output);
    expect(metadata.host).toBe("local");
    expect(metadata.hosts).toEqual(["local"]);
    expect(metadata.hosts_source).toEqual({ current: "default", all: "default" });
  });

  test("with several hosts from flags, this host writes only under <output>/<host>/", async () => {
    const { result, output, log } = await runWith(["--host", "algo-2", "--hosts", "algo-1,algo-2,algo-3"]);
    expect(result.exitCode).toBe(0);
    expect(readdirSync(output)).toEqual(["algo-2"]);
    expect(readdirSync(join(output, "algo-2")).sort()).toEqual(["selected_samples.csv", "selection_metadata.json"]);
    expect(result.outputs[0]).toBe(join(output, "algo-2", "selected_samples.csv"));
    const metadata = metadataAt(join(output, "algo-2"));
    expect(metadata.host).toBe("algo-2");
    expect(metadata.hosts).toEqual(["algo-1", "algo-2", "algo-3"]);
    expect(metadata.hosts_source).toEqual({ current: "flag", all: "flag" });
    expect(metadata.parameters.HOSTS).toEqual({ value: "algo-1,algo-2,algo-3", source: "flag" });
    expect(log).toContain(`host algo-2 (2 of 3, from flag); outputs go to ${join(output, "algo-2")}`);
  });

  test("CURRENT_HOST and HOSTS in the environment do the same, and flags override them", async () => {
    const fromEnv = await runWith([], { CURRENT_HOST: "b", HOSTS: "a,b" });
    expect(readdirSync(fromEnv.output)).toEqual(["b"]);
    expect(metadataAt(join(fromEnv.output, "b")).hosts_source).toEqual({ current: "env", all: "env" });
    const overridden = await runWith(["--host", "a"], { CURRENT_HOST: "b", HOSTS: "a,b" });
    expect(readdirSync(overridden.output)).toEqual(["a"]);
    expect(metadataAt(join(overridden.output, "a")).hosts_source).toEqual({ current: "flag", all: "env" });
  });

  test("the resourceconfig passed to main() places the run, as SageMaker's does in the container", async () => {
    const configDir = join(tempDir(), "config");
    mkdirSync(configDir);
    const resourceConfig = join(configDir, "resourceconfig.json");
    writeFileSync(resourceConfig, JSON.stringify({ current_host: "algo-1", hosts: ["algo-1", "algo-2"] }));
    const { result, output } = await runWith([], {}, { resourceConfig });
    expect(result.exitCode).toBe(0);
    expect(readdirSync(output)).toEqual(["algo-1"]);
    expect(metadataAt(join(output, "algo-1"))).toMatchObject({ host: "algo-1", hosts: ["algo-1", "algo-2"], hosts_source: { current: "resourceconfig", all: "resourceconfig" } });
  });

  test("two hosts writing to one output root keep both selections", async () => {
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), POOL);
    const output = join(tempDir(), "out");
    for (const host of ["algo-1", "algo-2"]) {
      const result = await main({}, {}, { CURRENT_HOST: host, HOSTS: "algo-1,algo-2" },
        ["--strategy", "uncertainty", "--batch-size", "2", "--input", input, "--output", output, "--no-save-report"]);
      expect(result.exitCode).toBe(0);
    }
    expect(readdirSync(output).sort()).toEqual(["algo-1", "algo-2"]);
    for (const host of ["algo-1", "algo-2"]) expect(metadataAt(join(output, host)).host).toBe(host);
  });

  test("an inconsistent host is refused before anything is read or written", async () => {
    const { result, output, log } = await runWith(["--host", "algo-9", "--hosts", "algo-1,algo-2"]);
    expect(result.exitCode).toBe(2);
    expect(log).toContain('usage error: flag --host is "algo-9", which is not among the 2 host(s)');
    expect(existsSync(output)).toBe(false);
  });

  test("--dry-run with several hosts writes nothing", async () => {
    const { result, output } = await runWith(["--dry-run", "--host", "a", "--hosts", "a,b"]);
    expect(result.exitCode).toBe(0);
    expect(existsSync(output)).toBe(false);
  });
});

import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { discoverHosts, parseHostList, SINGLE_HOST_NAME, type GivenValue } from "../../src/cluster/hosts.ts";
import { UsageError } from "../../src/errors.ts";
import { tempDir } from "../helpers.ts";

const none: GivenValue = { value: "", source: "default" };
const flag = (value: string): GivenValue => ({ value, source: "flag" });
const env = (value: string): GivenValue => ({ value, source: "env" });

/** A resourceconfig.json path inside a fresh /opt/ml/config stand-in (the directory exists, the file not yet). */
function configPath(): string {
  const dir = join(tempDir("as-hosts-"), "config");
  mkdirSync(dir);
  return join(dir, "resourceconfig.json");
}

/** An instant sleep that counts its calls and runs `onCall(n)` on the n-th (1-based). */
function fakeSleep(onCall: (n: number) => void = () => {}) {
  const calls: number[] = [];
  return { calls, sleep: async (ms: number) => { calls.push(ms); onCall(calls.length); } };
}

const SAGEMAKER_CONFIG = {
  current_host: "algo-2",
  current_instance_type: "ml.m5.xlarge",
  current_group_name: "homogeneousCluster",
  hosts: ["algo-1", "algo-2", "algo-3"],
  instance_groups: [{ instance_group_name: "homogeneousCluster", instance_type: "ml.m5.xlarge", hosts: ["algo-1", "algo-2", "algo-3"] }],
  network_interface_name: "eth0",
};

describe("discoverHosts() from resourceconfig.json", () => {
  test("a present file gives current_host and hosts in SageMaker's order, without waiting", async () => {
    const path = configPath();
    writeFileSync(path, JSON.stringify(SAGEMAKER_CONFIG));
    const { calls, sleep } = fakeSleep();
    const { hosts, warning } = await discoverHosts(none, none, { resourceConfig: path, sleep });
    expect(hosts).toEqual({ current: "algo-2", all: ["algo-1", "algo-2", "algo-3"], index: 1, source: { current: "resourceconfig", all: "resourceconfig" } });
    expect(warning).toBeNull();
    expect(calls).toEqual([]);
  });

  test("a file that appears late is read once it is there", async () => {
    const path = configPath();
    const { calls, sleep } = fakeSleep((n) => { if (n === 3) writeFileSync(path, JSON.stringify(SAGEMAKER_CONFIG)); });
    const { hosts, warning } = await discoverHosts(none, none, { resourceConfig: path, sleep, timeoutMs: 5000, intervalMs: 200 });
    expect(hosts.current).toBe("algo-2");
    expect(warning).toBeNull();
    expect(calls).toEqual([200, 200, 200]);
  });

  test("with the real clock, a file written 100 ms late is found within the wait", async () => {
    const path = configPath();
    setTimeout(() => writeFileSync(path, JSON.stringify(SAGEMAKER_CONFIG)), 100);
    const started = performance.now();
    const { hosts } = await discoverHosts(none, none, { resourceConfig: path, timeoutMs: 3000, intervalMs: 50 });
    expect(hosts.current).toBe("algo-2");
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test("a half-written file is read again until its JSON is complete", async () => {
    const path = configPath();
    const text = JSON.stringify(SAGEMAKER_CONFIG);
    writeFileSync(path, text.slice(0, 40));
    const { calls, sleep } = fakeSleep((n) => { if (n === 2) writeFileSync(path, text); });
    const { hosts } = await discoverHosts(none, none, { resourceConfig: path, sleep });
    expect(hosts.all).toEqual(["algo-1", "algo-2", "algo-3"]);
    expect(calls.length).toBe(2);
  });

  test("no config directory (a laptop) means one host at once, with no wait and no warning", async () => {
    const path = join(tempDir("as-hosts-"), "absent", "resourceconfig.json");
    const { calls, sleep } = fakeSleep();
    const { hosts, warning } = await discoverHosts(none, none, { resourceConfig: path, sleep });
    expect(hosts).toEqual({ current: SINGLE_HOST_NAME, all: [SINGLE_HOST_NAME], index: 0, source: { current: "default", all: "default" } });
    expect(warning).toBeNull();
    expect(calls).toEqual([]);
  });

  test("a config directory whose file never appears waits the timeout, then runs as one host with a warning", async () => {
    const path = configPath();
    const { calls, sleep } = fakeSleep();
    const { hosts, warning } = await discoverHosts(none, none, { resourceConfig: path, sleep, timeoutMs: 1000, intervalMs: 250 });
    expect(hosts.all).toEqual([SINGLE_HOST_NAME]);
    expect(calls).toEqual([250, 250, 250, 250]);
    expect(warning).toContain("did not appear within 1000 ms");
    expect(warning).toContain("CURRENT_HOST/HOSTS");
  });

  test("no resourceconfig path at all means one host", async () => {
    const { hosts, warning } = await discoverHosts(none, none);
    expect(hosts.all).toEqual([SINGLE_HOST_NAME]);
    expect(warning).toBeNull();
  });

  test("a one-host SageMaker job keeps its name", async () => {
    const path = configPath();
    writeFileSync(path, JSON.stringify({ current_host: "algo-1", hosts: ["algo-1"] }));
    const { hosts } = await discoverHosts(none, none, { resourceConfig: path });
    expect(hosts).toMatchObject({ current: "algo-1", all: ["algo-1"], index: 0 });
  });
});

describe("discoverHosts() with --host/--hosts or CURRENT_HOST/HOSTS", () => {
  test("both given: the file is not read, not even waited for", async () => {
    const path = configPath();
    writeFileSync(path, "{ not json");
    const { calls, sleep } = fakeSleep();
    const { hosts } = await discoverHosts(flag("b"), env("a, b ,c"), { resourceConfig: path, sleep });
    expect(hosts).toEqual({ current: "b", all: ["a", "b", "c"], index: 1, source: { current: "flag", all: "env" } });
    expect(calls).toEqual([]);
  });

  test("--host alone overrides current_host and keeps the file's hosts", async () => {
    const path = configPath();
    writeFileSync(path, JSON.stringify(SAGEMAKER_CONFIG));
    const { hosts } = await discoverHosts(flag("algo-3"), none, { resourceConfig: path });
    expect(hosts).toEqual({ current: "algo-3", all: ["algo-1", "algo-2", "algo-3"], index: 2, source: { current: "flag", all: "resourceconfig" } });
  });

  test("--hosts alone overrides the file's hosts and keeps current_host", async () => {
    const path = configPath();
    writeFileSync(path, JSON.stringify(SAGEMAKER_CONFIG));
    const { hosts } = await discoverHosts(none, flag("algo-2,algo-9"), { resourceConfig: path });
    expect(hosts).toMatchObject({ current: "algo-2", all: ["algo-2", "algo-9"], index: 0 });
  });

  test("--host alone without a file is one host of that name", async () => {
    const { hosts } = await discoverHosts(env("worker"), none);
    expect(hosts).toEqual({ current: "worker", all: ["worker"], index: 0, source: { current: "env", all: "env" } });
  });

  test("--hosts with one name and no --host is that host", async () => {
    const { hosts } = await discoverHosts(none, flag("only"));
    expect(hosts).toMatchObject({ current: "only", all: ["only"] });
  });
});

describe("discoverHosts() refuses inconsistent hosts with a UsageError that says what to do", () => {
  const cases: { name: string; current: GivenValue; all: GivenValue; file?: unknown; message: RegExp }[] = [
    { name: "a current host that is not among the hosts", current: flag("c"), all: flag("a,b"), message: /flag --host is "c", which is not among the 2 host\(s\) of flag --hosts \(a, b\)/ },
    { name: "a repeated host", current: flag("a"), all: env("a,b,a"), message: /env HOSTS lists "a" more than once/ },
    { name: "an empty name in the list", current: flag("a"), all: flag("a,,b"), message: /empty host name/ },
    { name: "a name with a slash", current: flag("a/b"), all: flag("a/b,c"), message: /cannot be a directory name/ },
    { name: "a name that is ..", current: flag(".."), all: none, message: /cannot be a directory name/ },
    { name: "a hidden name", current: flag("a"), all: flag("a,.b"), message: /cannot be a directory name/ },
    { name: "several hosts and no current host", current: none, all: flag("a,b"), message: /names 2 hosts but not which one this run is: pass --host NAME or set CURRENT_HOST/ },
    { name: "a file whose current_host is not among its hosts", current: none, all: none, file: { current_host: "algo-4", hosts: ["algo-1", "algo-2"] }, message: /current_host in .*resourceconfig.json is "algo-4", which is not among/ },
    { name: "a file with repeated hosts", current: none, all: none, file: { current_host: "algo-1", hosts: ["algo-1", "algo-1"] }, message: /"hosts" in .*resourceconfig.json lists "algo-1" more than once/ },
    { name: "a file without hosts", current: none, all: none, file: { current_host: "algo-1" }, message: /needs "current_host" \(a string\) and "hosts" \(an array of strings\)/ },
    { name: "a file with an empty host list", current: none, all: none, file: { current_host: "algo-1", hosts: [] }, message: /lists no hosts/ },
    { name: "a flag --host not among the file's hosts", current: flag("algo-7"), all: none, file: SAGEMAKER_CONFIG, message: /flag --host is "algo-7", which is not among the 3 host\(s\) of hosts in .*resourceconfig.json/ },
  ];
  for (const c of cases) {
    test(`${c.name}`, async () => {
      const path = configPath();
      if (c.file !== undefined) writeFileSync(path, JSON.stringify(c.file));
      const promise = discoverHosts(c.current, c.all, { resourceConfig: path, sleep: async () => {}, timeoutMs: 0 });
      await expect(promise).rejects.toBeInstanceOf(UsageError);
      await expect(promise).rejects.toThrow(c.message);
    });
  }

  test("a file that stays half-written is refused after the wait, naming the file", async () => {
    const path = configPath();
    writeFileSync(path, '{"current_host": "al');
    const { calls, sleep } = fakeSleep();
    const promise = discoverHosts(none, none, { resourceConfig: path, sleep, timeoutMs: 400, intervalMs: 200 });
    await expect(promise).rejects.toThrow(/resourceconfig.json is not valid JSON after waiting 400 ms/);
    expect(calls.length).toBe(2);
  });

  test("parseHostList() trims names and keeps their order", () => {
    expect(parseHostList(" algo-2 ,algo-1", "flag --hosts")).toEqual(["algo-2", "algo-1"]);
  });
});

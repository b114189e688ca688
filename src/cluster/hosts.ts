/**
 * Where this run stands among the instances of one SageMaker job: its own name and the names
 * of all of them, in the order SageMaker lists them (algo-1, algo-2, …).
 *
 * SageMaker writes both into /opt/ml/config/resourceconfig.json:
 *   {"current_host": "algo-2", "hosts": ["algo-1", "algo-2"], …}
 * The container's hostname is not used: it is an opaque container id, the same kind of string
 * on every instance, and says nothing about the position among the hosts.
 *
 * Each of the two values comes from, first to last: the flag (`--host`, `--hosts`), the
 * environment (`CURRENT_HOST`, `HOSTS`), the resourceconfig file, and the single-host default
 * (one host named "local"). When flags or environment give both, the file is not read.
 *
 * The file may appear a moment after the container starts. When its directory exists (we are
 * in a SageMaker container) and the file does not, or holds half-written JSON, it is read again
 * every `intervalMs` until `timeoutMs` has been waited; then a missing file means a single
 * host (with a warning) and unreadable JSON is a UsageError naming the file. Outside a
 * container (no /opt/ml/config) nothing is waited for.
 *
 * This file reads no environment and no fixed path: the caller passes the values and the path.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../errors.ts";

/** This run's place among the job's instances. */
export interface Hosts {
  /** This instance's name; one of `all`. */
  current: string;
  /** Every instance's name, in the job's order; no duplicates. */
  all: readonly string[];
  /** Position of `current` in `all` (0-based). */
  index: number;
  /** Where `current` and `all` came from. */
  source: { current: HostSource; all: HostSource };
}

export type HostSource = "flag" | "env" | "resourceconfig" | "default";

/** The name a run gets when nothing names it: one host, outputs laid out as without hosts. */
export const SINGLE_HOST_NAME = "local";

/** A value given by flag or environment; `value` "" means not given. */
export interface GivenValue {
  value: string;
  source: "flag" | "env" | "default";
}

export interface DiscoverHostsOptions {
  /** Path of SageMaker's resourceconfig.json; null: not read. Default null. */
  resourceConfig?: string | null;
  /** How long to wait for the file to appear, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Time between reads while waiting, in milliseconds. Default 200. */
  intervalMs?: number;
  /** How to wait; tests pass one that returns at once (and may create the file). Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export interface DiscoveredHosts {
  hosts: Hosts;
  /** Why the run fell back to one host although it looks like a SageMaker container; null otherwise. */
  warning: string | null;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Resolves this run's host and the job's hosts from the flag/env values (CURRENT_HOST, HOSTS)
 * and, for what they leave open, the resourceconfig file. Throws a UsageError when the result
 * is inconsistent: a duplicate host, a current host that is not among the hosts, a name that
 * cannot be a directory name, or several hosts without saying which one this is.
 */
export async function discoverHosts(current: GivenValue, all: GivenValue, options: DiscoverHostsOptions = {}): Promise<DiscoveredHosts> {
  const givenAll = all.value.trim() === "" ? null : parseHostList(all.value, where("HOSTS", "hosts", all.source));
  const givenCurrent = current.value.trim() === "" ? null : current.value.trim();
  if (givenCurrent !== null) checkName(givenCurrent, where("CURRENT_HOST", "host", current.source));

  let file: ResourceConfig | null = null;
  let warning: string | null = null;
  if ((givenAll === null || givenCurrent === null) && options.resourceConfig) {
    file = await readResourceConfig(options.resourceConfig, options);
    if (file === null && existsSync(dirname(options.resourceConfig))) {
      warning = `${options.resourceConfig} did not appear within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms; running as a single host. ` +
        "If this job has several instances, their outputs will collide: pass --host/--hosts or set CURRENT_HOST/HOSTS.";
    }
  }

  let allHosts: string[], allSource: HostSource;
  if (givenAll !== null) [allHosts, allSource] = [givenAll, all.source as HostSource];
  else if (file !== null) [allHosts, allSource] = [file.hosts, "resourceconfig"];
  else if (givenCurrent !== null) [allHosts, allSource] = [[givenCurrent], current.source as HostSource];
  else [allHosts, allSource] = [[SINGLE_HOST_NAME], "default"];

  let currentHost: string, currentSource: HostSource;
  if (givenCurrent !== null) [currentHost, currentSource] = [givenCurrent, current.source as HostSource];
  else if (file !== null) [currentHost, currentSource] = [file.currentHost, "resourceconfig"];
  else if (allHosts.length === 1) [currentHost, currentSource] = [allHosts[0]!, allSource];
  else {
    throw new UsageError(`${where("HOSTS", "hosts", all.source)} names ${allHosts.length} hosts but not which one this run is: ` +
      "pass --host NAME or set CURRENT_HOST.");
  }

  const index = allHosts.indexOf(currentHost);
  if (index < 0) {
    const origin = currentSource === "resourceconfig" ? `current_host in ${options.resourceConfig}` : where("CURRENT_HOST", "host", currentSource);
    const listOrigin = allSource === "resourceconfig" ? `hosts in ${options.resourceConfig}` : where("HOSTS", "hosts", allSource);
    throw new UsageError(`${origin} is "${currentHost}", which is not among the ${allHosts.length} host(s) of ${listOrigin} ` +
      `(${allHosts.join(", ")}); give a host from that list.`);
  }
  return { hosts: { current: currentHost, all: allHosts, index, source: { current: currentSource, all: allSource } }, warning };
}

/** "a, b,c" → ["a", "b", "c"]; refuses empty names, duplicates and names that cannot be directories. */
export function parseHostList(raw: string, origin: string): string[] {
  const names = raw.split(",").map((name) => name.trim());
  if (names.some((name) => name === "")) throw new UsageError(`${origin} is "${raw}"; it has an empty host name. Give names separated by commas, e.g. algo-1,algo-2.`);
  checkHostList(names, origin);
  return names;
}

/** Each name must be a usable directory name, and appear once. */
function checkHostList(names: readonly string[], origin: string): void {
  if (names.length === 0) throw new UsageError(`${origin} lists no hosts; give at least one.`);
  for (const name of names) checkName(name, origin);
  const seen = new Set<string>();
  const repeated = names.filter((name) => seen.has(name) || !seen.add(name));
  if (repeated.length > 0) {
    throw new UsageError(`${origin} lists ${[...new Set(repeated)].map((n) => `"${n}"`).join(", ")} more than once; every host must appear once.`);
  }
}

/**
 * With several hosts a name becomes a directory under the output (src/cluster/layout.ts), so
 * it cannot hold a path separator, be "." or "..", or start with "." (channels skip dot-files,
 * so a merge step would never read it).
 */
function checkName(name: string, origin: string): void {
  if (name === "" || /[/\\\0]/.test(name) || name.startsWith(".")) {
    throw new UsageError(`${origin}: host name "${name}" cannot be a directory name (no "/", "\\", leading "." or empty names); use names like algo-1.`);
  }
}

interface ResourceConfig {
  currentHost: string;
  hosts: string[];
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_INTERVAL_MS = 200;

/**
 * Reads resourceconfig.json, waiting for it while it is missing or half-written; null when
 * it never appears (or its directory does not exist, so nothing will write it).
 */
async function readResourceConfig(path: string, options: DiscoverHostsOptions): Promise<ResourceConfig | null> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const intervalMs = Math.max(1, options.intervalMs ?? DEFAULT_INTERVAL_MS);
  const sleep = options.sleep ?? realSleep;
  if (!existsSync(dirname(path))) return null;
  // Counted in intervals, not read from a clock, so a test's instant sleep waits the same number of times.
  for (let waited = 0; ; waited += intervalMs) {
    let text: string | null = null;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
        throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
      }
    }
    if (text !== null) {
      let parsed: unknown = undefined;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        if (waited >= timeoutMs) {
          throw new UsageError(`${path} is not valid JSON after waiting ${timeoutMs} ms (${(error as Error).message}); ` +
            "pass --host/--hosts or set CURRENT_HOST/HOSTS to run without it.");
        }
      }
      if (parsed !== undefined) return checkResourceConfig(parsed, path);
    } else if (waited >= timeoutMs) return null;
    await sleep(intervalMs);
  }
}

function checkResourceConfig(value: unknown, path: string): ResourceConfig {
  const record = (value ?? {}) as { current_host?: unknown; hosts?: unknown };
  if (typeof value !== "object" || value === null || typeof record.current_host !== "string" ||
    !Array.isArray(record.hosts) || !record.hosts.every((h) => typeof h === "string")) {
    throw new UsageError(`${path} needs "current_host" (a string) and "hosts" (an array of strings), as SageMaker writes it; ` +
      "pass --host/--hosts or set CURRENT_HOST/HOSTS to run without it.");
  }
  const hosts = record.hosts as string[];
  checkHostList(hosts, `"hosts" in ${path}`);
  checkName(record.current_host, `"current_host" in ${path}`);
  return { currentHost: record.current_host, hosts };
}

function where(env: string, flag: string, source: string): string {
  return source === "flag" ? `flag --${flag}` : `env ${env}`;
}

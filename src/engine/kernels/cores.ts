/**
 * How many cores this process may use: THREADS' default.
 *
 * The CPU affinity mask (os.availableParallelism honours it), and in a container the CPU quota
 * of its cgroup, which the core count does not show: a SageMaker or Docker job limited to 4 of a
 * host's 64 cores sees 64 CPUs but is throttled past 4. The quota is read from cgroup v2's
 * cpu.max ("max 100000" or "400000 100000") or v1's cpu.cfs_quota_us / cpu.cfs_period_us (−1:
 * none), in the process's own cgroup and every parent (the tightest wins), and rounded up: a
 * 1.5-core quota still runs two threads, each throttled a little.
 */
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";

export interface UsableCores {
  cores: number;
  /** Where the figure comes from, for the log and selection_metadata.json. */
  source: string;
}

/** `root` is "/" except in tests, which lay out a fake /proc and /sys. */
export function usableCores(root = "/", affinity = affinityCores()): UsableCores {
  const quota = cgroupQuota(root);
  if (quota && quota.cores < affinity) return { cores: quota.cores, source: `cgroup CPU quota (${quota.file})` };
  return { cores: affinity, source: "CPU affinity" };
}

function affinityCores(): number {
  return typeof availableParallelism === "function" ? availableParallelism() : Math.max(1, cpus().length);
}

/** The tightest CPU quota over the process's cgroup and its parents, in cores (rounded up), or null. */
export function cgroupQuota(root = "/"): { cores: number; file: string } | null {
  let best: { cores: number; file: string } | null = null;
  for (const { file, quota, period } of quotaFiles(root)) {
    if (!(quota > 0 && period > 0)) continue;
    const cores = Math.max(1, Math.ceil(quota / period));
    if (!best || cores < best.cores) best = { cores, file };
  }
  return best;
}

function* quotaFiles(root: string): Generator<{ file: string; quota: number; period: number }> {
  const cgroups = join(root, "sys/fs/cgroup");
  for (const { version, path } of ownCgroups(root)) {
    for (const dir of withParents(path)) {
      if (version === 2) {
        const file = join(cgroups, dir, "cpu.max");
        const text = read(file);
        if (text === null) continue;
        const [quota, period] = text.trim().split(/\s+/);
        yield { file, quota: quota === "max" ? -1 : Number(quota), period: Number(period) };
      } else {
        for (const controller of ["cpu", "cpu,cpuacct", "cpuacct,cpu"]) {
          const file = join(cgroups, controller, dir, "cpu.cfs_quota_us");
          const quota = read(file), period = read(join(cgroups, controller, dir, "cpu.cfs_period_us"));
          if (quota !== null && period !== null) yield { file, quota: Number(quota.trim()), period: Number(period.trim()) };
        }
      }
    }
  }
}

/** The process's cgroups from /proc/self/cgroup: the v2 one ("0::/path") and the v1 cpu controller's. */
function ownCgroups(root: string): { version: 1 | 2; path: string }[] {
  const text = read(join(root, "proc/self/cgroup"));
  const found: { version: 1 | 2; path: string }[] = [];
  for (const line of (text ?? "0::/").split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
    if (path === undefined) continue;
    if (controllers === "") found.push({ version: 2, path });
    else if (controllers!.split(",").includes("cpu")) found.push({ version: 1, path });
  }
  // Inside a container the paths are often the host's, not mounted here: the root still counts.
  if (!found.some((c) => c.version === 2)) found.push({ version: 2, path: "/" });
  if (!found.some((c) => c.version === 1)) found.push({ version: 1, path: "/" });
  return found;
}

/** "/a/b" → "/a/b", "/a", "/". */
function withParents(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return parts.map((_, i) => "/" + parts.slice(0, parts.length - i).join("/")).concat("/");
}

function read(file: string): string | null {
  try {
    return existsSync(file) ? readFileSync(file, "utf8") : null;
  } catch {
    return null;
  }
}

/**
 * The npm libraries the hand-written readers are measured against: dev dependencies only
 * (hyparquet-compressors, lz4js, csv-parse, papaparse; package.json pins them), never imported
 * by src/. `--libs DIR` points the benches at another node_modules.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const INSTALL_HINT = "npm ci (they are dev dependencies in package.json)";

/** The node_modules directory named by --libs (default: the repository's own). */
export function librariesDir(args: readonly string[]): string {
  const at = args.indexOf("--libs");
  const dir = at >= 0 ? args[at + 1]! : resolve(import.meta.dir, "../node_modules");
  if (!existsSync(dir)) {
    console.error(`${dir} does not exist. Install the libraries this bench compares against with:\n  ${INSTALL_HINT}`);
    process.exit(2);
  }
  return dir;
}

/** Imports a file of a library installed in `dir` (e.g. "lz4js/lz4.js"). */
export async function importFrom<T>(dir: string, file: string): Promise<T> {
  const path = join(dir, file);
  if (!existsSync(path)) {
    console.error(`${path} is missing; install the bench libraries with:\n  ${INSTALL_HINT}`);
    process.exit(2);
  }
  return (await import(path)) as T;
}

/**
 * Best-of-`rounds` seconds per call for each contender, interleaved round by round so that a
 * burst of load on this shared machine hits all of them alike. `repeat` calls make one sample.
 */
export function race(contenders: Record<string, () => unknown>, options: { rounds?: number; repeat?: number } = {}): Record<string, number> {
  const rounds = options.rounds ?? 7, repeat = options.repeat ?? 1;
  const best: Record<string, number> = {};
  for (const name of Object.keys(contenders)) { contenders[name]!(); best[name] = Infinity; } // warm-up, JIT
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const started = performance.now();
      for (let i = 0; i < repeat; i++) run();
      best[name] = Math.min(best[name]!, (performance.now() - started) / 1000 / repeat);
    }
  }
  return best;
}

/** "name  12.3 ms  456 MB/s  1.00×" lines, the ratio taken against `baseline` (>1: faster than it). */
export function printRace(title: string, bytes: number, times: Record<string, number>, baseline: string): void {
  console.log(title);
  const width = Math.max(...Object.keys(times).map((n) => n.length));
  for (const [name, t] of Object.entries(times)) {
    const ratio = times[baseline]! / t;
    console.log(`  ${name.padEnd(width)}  ${(t * 1000).toFixed(2).padStart(9)} ms  ${(bytes / t / 1e6).toFixed(0).padStart(6)} MB/s  ${ratio.toFixed(2)}× ${name === baseline ? "(baseline)" : `vs ${baseline}`}`);
  }
}

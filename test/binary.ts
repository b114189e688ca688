/**
 * The compiled binary, as users run it: built once per test run into out/test-bin (again only
 * when a source file is newer), then spawned with a clean environment.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");
export const BINARY = join(ROOT, "out/test-bin/active-sampling");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the binary unless an up-to-date one is there; returns its path. */
export function compiledBinary(): string {
  const sources = Math.max(newestSource(join(ROOT, "src")), newestSource(join(ROOT, "ffi")));
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= sources) return BINARY;
  const build = Bun.spawnSync([process.execPath, "build", "--compile", "--minify", join(ROOT, "src/main.ts"), "--outfile", BINARY],
    { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`bun build --compile failed: ${build.stderr.toString()}`);
  return BINARY;
}

export interface BinaryRun { exitCode: number; stdout: string; stderr: string }

/** Runs the binary with only PATH and the given variables in its environment. */
export function runBinary(args: string[], env: Record<string, string> = {}, cwd = ROOT): BinaryRun {
  const run = Bun.spawnSync([compiledBinary(), ...args], { cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", TMPDIR: process.env.TMPDIR ?? "/tmp", ...env }, stdout: "pipe", stderr: "pipe" });
  return { exitCode: run.exitCode ?? -1, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

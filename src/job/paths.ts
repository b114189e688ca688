/**
 * Where a job reads and writes. The SageMaker container's channel paths are defaults only where
 * the container's layout exists (its input channel directory is there); elsewhere a missing
 * --input or --output is a usage error. The output is checked before any data is read: a file,
 * a directory that cannot be written, or a directory inside an input channel is refused.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import type { ParsedConfig } from "../cli/config.ts";
import { UsageError } from "../errors.ts";

/** The container's channel paths, or the test's stand-ins for them. */
export interface DefaultPaths {
  input?: string;
  labeled?: string;
  query?: string;
  calibration?: string;
  output?: string;
  /** The previous_predictions channel (a stopping signal), used when it exists. */
  previous?: string;
}

export interface JobPaths {
  input: string;
  labeled: string | null;
  /** query_data: rows the similarity objective measures against, or null. */
  query: string | null;
  /** Last round's inference output (previous_predictions), or null. */
  previous: string | null;
  /** The calibration_data channel, when given or present in the container. */
  calibration: string | null;
  /** null only for a dry run or inspect, which write nothing. */
  output: string | null;
}

export function resolvePaths(config: ParsedConfig, defaults: DefaultPaths): JobPaths {
  const inContainer = defaults.input !== undefined && isDirectory(defaults.input);
  const input = config.input ?? (inContainer ? defaults.input! : null);
  if (!input) {
    throw new UsageError(`no input: pass --input DIR (a directory of inference outputs)${defaults.input ? `; ${defaults.input} is the default only inside the processing container, and it does not exist here` : ""}.`);
  }
  const labeled = config.labeled ?? (defaults.labeled && existsSync(defaults.labeled) ? defaults.labeled : null);
  const query = config.query ?? (defaults.query && existsSync(defaults.query) ? defaults.query : null);
  const calibration = config.calibration ?? (defaults.calibration && existsSync(defaults.calibration) ? defaults.calibration : null);
  requireExisting("--input", config.input, "a directory (or one file) of inference outputs");
  requireExisting("--labeled", config.labeled, "the directory of labelled rows (id and the pool's vector columns)");
  requireExisting("--calibration", config.calibration, "the directory of scored rows with their true label");
  const excludeFile = "a file of ids, one a line, or a CSV/Parquet file with the id column";
  requireExisting("EXCLUDE_IDS_FILE (--exclude-ids-file)", config.values.EXCLUDE_IDS_FILE, excludeFile);
  if (isDirectory(config.values.EXCLUDE_IDS_FILE)) throw new UsageError(`EXCLUDE_IDS_FILE (--exclude-ids-file) ${config.values.EXCLUDE_IDS_FILE} is a directory; pass ${excludeFile}.`);
  const writes = config.command !== "inspect" && !config.dryRun;
  const output = config.output ?? (inContainer && writes ? defaults.output ?? null : null);
  if (writes && !output) {
    throw new UsageError(`no output: pass --output DIR${defaults.output ? ` (${defaults.output} is the default only inside the processing container)` : ""}.`);
  }
  const previous = config.previous ?? (defaults.previous && existsSync(defaults.previous) ? defaults.previous : null);
  if (output) checkOutput(output, [["--input", input], ["--labeled", labeled], ["--query", query], ["--calibration", calibration], ["--previous", previous]]);
  return { input, labeled, query, calibration, previous, output };
}

/**
 * Refuses an output that is a file, cannot be created or written, or lies inside (or is) an
 * input channel, where the next run would read the selection back as input.
 */
export function checkOutput(output: string, channels: [string, string | null][]): void {
  if (existsSync(output) && !isDirectory(output)) {
    throw new UsageError(`--output ${output} is a file; pass a directory (it is created when missing).`);
  }
  const existing = nearestExisting(output);
  if (!isDirectory(existing)) {
    throw new UsageError(`--output ${output} cannot be created: ${existing} is a file, not a directory; pass a directory path.`);
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--output ${output} cannot be written (${existing}: ${code === "EROFS" ? "read-only file system" : "permission denied"}); pass a directory you can write to.`);
  }
  const target = canonical(output);
  for (const [flag, channel] of channels) {
    if (!channel || !existsSync(channel)) continue;
    const source = canonical(channel);
    const rel = relative(source, target);
    if (rel === "" || (!rel.startsWith("..") && !isAbsolute(rel))) {
      throw new UsageError(`--output ${output} is ${rel === "" ? "the" : "inside the"} ${flag} channel ${channel}: the selection would be read back as input by the next run. Pass an output directory outside it.`);
    }
  }
}

/** A path the user typed that is not there is a usage error, found before any data is read. */
export function requireExisting(flag: string, path: string | null, what: string): void {
  if (path && !existsSync(path)) throw new UsageError(`${flag} ${path} does not exist; pass ${what}.`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function nearestExisting(path: string): string {
  let at = resolve(path);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

/** The real path of the part that exists, with the part still to be created appended. */
function canonical(path: string): string {
  const absolute = resolve(path);
  const existing = nearestExisting(absolute);
  return resolve(realpathSync(existing), relative(existing, absolute));
}

/**
 * Flags and environment variables into one validated configuration. Flags override env;
 * env overrides defaults. Every bad value is a UsageError naming the parameter, the value and
 * what is allowed.
 */
import { parseArgs } from "node:util";
import type { Hosts } from "../cluster/hosts.ts";
import { UsageError } from "../errors.ts";
import { PARAMS, type ParamName, type ParamSpec } from "./params.ts";
import { flagErrorMessage } from "./flag-errors.ts";
import { mistypedEnvWarnings } from "./env-typos.ts";

/** Each parameter's value type, read off its kind in PARAMS: a number, a boolean, one of its choices or a string. */
type ValueOf<K> = K extends { type: "int" | "number" } ? number : K extends { type: "bool" } ? boolean
  : K extends { type: "choice"; values: readonly (infer V)[] } ? V : string;
export type ParamValues = { [P in (typeof PARAMS)[number] as P["env"]]: ValueOf<P["kind"]> };

/** Job types with a meaning of their own; any other --job_type is a free-form label. */
export const RESERVED_JOB_TYPES = ["inspect", "merge", "simulate"] as const;
/** The original script's documented default strategy, taken when nothing names one. */
export const DEFAULT_STRATEGY = "confidence_threshold";

export interface Config {
  /** What to run: "select", "inspect", "merge" or "simulate". */
  command: "select" | "inspect" | "merge" | "simulate";
  /** --job_type as given (a free-form label, e.g. "ssl_selection", "training"), or null. */
  jobType: string | null;
  values: ParamValues;
  /** Where each value came from, for the metadata ("flag", "env" or "default"). */
  sources: Record<ParamName, "flag" | "env" | "default">;
  /** Notes on how the command line was read (a default strategy taken, a label beside STRATEGY), for the log. */
  notes: string[];
  /** Warnings about what was read, for the log and the metadata: an environment variable that nearly names a setting. */
  warnings: string[];
  input: string | null;
  output: string | null;
  labeled: string | null;
  /** --query DIR: rows to find more like (hybrid's similarity objective). */
  query: string | null;
  /** --previous: last round's inference output (the previous_predictions channel), or null. */
  previous: string | null;
  /** --calibration DIR: scored rows with their true label (the calibration_data channel). */
  calibration: string | null;
  dryRun: boolean;
  help: boolean;
  version: boolean;
  /**
   * This run's host and the job's hosts (src/cluster/hosts.ts): from CURRENT_HOST/HOSTS when
   * given, else SageMaker's resourceconfig.json, else one host. main() fills it after parsing,
   * because reading that file may wait for it to appear.
   */
  hosts: Hosts;
}

/** What flags and environment alone say: a Config before its hosts are discovered. */
export type ParsedConfig = Omit<Config, "hosts">;

const BOOL_TRUE = ["true", "1", "yes", "on"];
const BOOL_FALSE = ["false", "0", "no", "off"];

function parseValue(spec: ParamSpec, raw: string, origin: string): string | number | boolean {
  const where = `${origin} ${origin === "flag" ? "--" + spec.flag : spec.env}`;
  const kind = spec.kind;
  switch (kind.type) {
    case "choice":
      if (!kind.values.includes(raw)) throw new UsageError(`${where} is "${raw}"; valid values: ${kind.values.join(", ")}.`);
      return raw;
    case "bool": {
      const lower = raw.toLowerCase();
      if (BOOL_TRUE.includes(lower)) return true;
      if (BOOL_FALSE.includes(lower)) return false;
      throw new UsageError(`${where} is "${raw}"; use true or false.`);
    }
    case "int": {
      // Plain decimal digits only: Number() would also take "0x10" and "1e3".
      const n = /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw.trim()) : NaN;
      if (!Number.isInteger(n)) throw new UsageError(`${where} is "${raw}"; expected a whole number from ${kind.min} to ${kind.max}.`);
      if (n < kind.min || n > kind.max) throw new UsageError(`${where} is ${n}; it must lie from ${kind.min} to ${kind.max}.`);
      return n;
    }
    case "number": {
      const n = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw) ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(n)) throw new UsageError(`${where} is "${raw}"; expected a number from ${kind.min} to ${kind.max}.`);
      if (n < kind.min || n > kind.max) throw new UsageError(`${where} is ${n}; it must lie from ${kind.min} to ${kind.max}.`);
      return n;
    }
    case "string":
      return raw;
  }
}

export function parseConfig(args: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedConfig {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    job_type: { type: "string" }, "job-type": { type: "string" }, input: { type: "string" }, output: { type: "string" },
    labeled: { type: "string" }, query: { type: "string" }, calibration: { type: "string" }, previous: { type: "string" }, "dry-run": { type: "boolean" }, help: { type: "boolean", short: "h" }, version: { type: "boolean" },
  };
  for (const spec of PARAMS) {
    // Booleans are read as strings so that `--quiet true` and `--save-report=false` work;
    // withBooleanValues() gives a bare `--quiet` its "true".
    options[spec.flag] = { type: "string" };
    if (spec.kind.type === "bool") options[`no-${spec.flag}`] = { type: "boolean" };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: withBooleanValues(args), options, allowPositionals: true, strict: true });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(flagErrorMessage(error as Error, Object.keys(options)));
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(" ")}; see --help.`);

  const values = {} as Record<ParamName, string | number | boolean>;
  const sources = {} as Config["sources"];
  for (const spec of PARAMS) {
    let raw: string | undefined;
    let origin: "flag" | "env" | "default" = "default";
    const flag = flags[spec.flag];
    if (spec.kind.type === "bool" && flags[`no-${spec.flag}`] !== undefined) {
      if (flag !== undefined) throw new UsageError(`--${spec.flag} and --no-${spec.flag} are both given; pass one.`);
      raw = "false"; origin = "flag";
    } else if (typeof flag === "string") {
      raw = flag; origin = "flag";
    } else if (env[spec.env] !== undefined && env[spec.env] !== "") {
      raw = env[spec.env]!; origin = "env";
    }
    values[spec.env] = raw === undefined ? defaultOf(spec) : parseValue(spec, raw, origin);
    sources[spec.env] = origin;
  }

  const jobTypeFlag = (flags.job_type ?? flags["job-type"]) as string | undefined;
  const { command, jobType, notes } = resolveCommand(jobTypeFlag, positionals[0], values, sources);
  const help = flags.help === true;
  const version = flags.version === true;
  return {
    command, jobType, values: values as ParamValues, sources, notes,
    warnings: mistypedEnvWarnings(env, PARAMS.map((spec) => spec.env)),
    input: (flags.input as string | undefined) ?? null,
    output: (flags.output as string | undefined) ?? null,
    labeled: (flags.labeled as string | undefined) ?? null,
    query: (flags.query as string | undefined) ?? null,
    calibration: (flags.calibration as string | undefined) ?? null,
    previous: (flags.previous as string | undefined) ?? null,
    dryRun: flags["dry-run"] === true,
    help, version,
  };
}

/**
 * What to run, from --job_type (free-form: SageMaker pipelines pass labels such as
 * "ssl_selection" or "training"), a positional command, and STRATEGY. A reserved job type
 * (inspect, merge) is a command; a strategy name selects that strategy when STRATEGY is unset;
 * any other label is recorded in the metadata and the strategy comes from STRATEGY, or the
 * original default (confidence_threshold) when nothing names one.
 */
function resolveCommand(jobTypeFlag: string | undefined, positional: string | undefined,
  values: Record<ParamName, string | number | boolean>, sources: Config["sources"]): Pick<Config, "command" | "jobType" | "notes"> {
  const strategies: readonly string[] = PARAMS.find((p) => p.env === "STRATEGY")!.kind.values;
  const reserved: readonly string[] = RESERVED_JOB_TYPES;
  if (jobTypeFlag !== undefined && positional !== undefined) {
    throw new UsageError(`both --job_type ${jobTypeFlag} and the command "${positional}" are given; pass one.`);
  }
  // A positional is a command word, not a label: a stray word (a mistyped path) is refused.
  if (positional !== undefined && positional !== "select" && !reserved.includes(positional) && !strategies.includes(positional)) {
    throw new UsageError(`unknown command "${positional}"; commands: ${["select", ...reserved].join(", ")} or a strategy (${strategies.join(", ")}). A free-form label goes in --job_type.`);
  }
  const jobType = jobTypeFlag ?? positional ?? null;
  const notes: string[] = [];
  if (jobType !== null && reserved.includes(jobType)) return { command: jobType as Config["command"], jobType, notes };
  if (jobType !== null && strategies.includes(jobType)) {
    if (sources.STRATEGY === "default") {
      values.STRATEGY = jobType;
      sources.STRATEGY = "flag";
    } else if (values.STRATEGY !== jobType) {
      notes.push(`job type "${jobType}" names a strategy, but STRATEGY=${values.STRATEGY} is set: running ${values.STRATEGY} and keeping "${jobType}" as the job's label.`);
    }
  }
  if (values.STRATEGY === "") {
    values.STRATEGY = DEFAULT_STRATEGY;
    notes.push(`no strategy given (STRATEGY, --strategy or a strategy-named --job_type): using the default, ${DEFAULT_STRATEGY}.`);
  }
  return { command: "select", jobType, notes };
}

/**
 * Boolean flags take a value as people write it: `--quiet`, `--quiet true`, `--save-report=false`.
 * A bare boolean flag becomes `--flag=true`; one followed by a true/false word takes that word.
 */
/** Words that may stand alone on the command line: the commands and the strategy names. */
function isCommandWord(word: string): boolean {
  const strategies: readonly string[] = PARAMS.find((p) => p.env === "STRATEGY")!.kind.values;
  return word === "select" || (RESERVED_JOB_TYPES as readonly string[]).includes(word) || strategies.includes(word);
}

function withBooleanValues(args: readonly string[]): string[] {
  const booleans = new Set<string>(PARAMS.filter((p) => p.kind.type === "bool").map((p) => p.flag));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") { out.push(...args.slice(i)); break; }
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : null;
    if (name === null || !booleans.has(name)) { out.push(arg); continue; }
    const next = args[i + 1];
    if (next !== undefined && [...BOOL_TRUE, ...BOOL_FALSE].includes(next.toLowerCase())) { out.push(`${arg}=${next}`); i++; }
    else if (next !== undefined && !next.startsWith("-") && !isCommandWord(next)) {
      // `--save-report maybe` would otherwise read "maybe" as a command.
      throw new UsageError(`flag ${arg} is followed by "${next}"; it takes ${BOOL_TRUE[0]} or ${BOOL_FALSE[0]} (${[...BOOL_TRUE, ...BOOL_FALSE].join(", ")}), or nothing for ${BOOL_TRUE[0]}.`);
    } else out.push(`${arg}=true`);
  }
  return out;
}

function defaultOf(spec: ParamSpec): string | number | boolean {
  if (spec.default === "") return "";
  return parseValue(spec, spec.default, "default");
}

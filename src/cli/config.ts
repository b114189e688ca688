/**
 * Flags and environment variables into one validated configuration. Flags override env;
 * env overrides defaults. Every bad value is a UsageError naming the parameter, the value and
 * what is allowed.
 */
import { parseArgs } from "node:util";
import type { Hosts } from "../cluster/hosts.ts";
import { UsageError } from "../errors.ts";
import { PARAMS, type ParamName, type ParamSpec } from "./params.ts";

export interface Config {
  /** What to run: a strategy name, "inspect", or "select" (strategy from STRATEGY). */
  command: string;
  values: Record<ParamName, string | number | boolean>;
  /** Where each value came from, for the metadata ("flag", "env" or "default"). */
  sources: Record<ParamName, "flag" | "env" | "default">;
  input: string | null;
  output: string | null;
  labeled: string | null;
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
  const options: Record<string, { type: "string" | "boolean" }> = {
    job_type: { type: "string" }, input: { type: "string" }, output: { type: "string" }, labeled: { type: "string" },
    "dry-run": { type: "boolean" }, help: { type: "boolean" }, version: { type: "boolean" },
  };
  for (const spec of PARAMS) {
    if (spec.kind.type === "bool") {
      options[spec.flag] = { type: "boolean" };
      options[`no-${spec.flag}`] = { type: "boolean" };
    } else options[spec.flag] = { type: "string" };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split("\n")[0]}; see --help for the flags.`);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const positionals = parsed.positionals;
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(" ")}; see --help.`);

  const values = {} as Config["values"];
  const sources = {} as Config["sources"];
  for (const spec of PARAMS) {
    let raw: string | undefined;
    let origin: "flag" | "env" | "default" = "default";
    const flag = flags[spec.flag];
    if (spec.kind.type === "bool" && (flag !== undefined || flags[`no-${spec.flag}`] !== undefined)) {
      raw = flags[`no-${spec.flag}`] ? "false" : "true";
      origin = "flag";
    } else if (typeof flag === "string") {
      raw = flag; origin = "flag";
    } else if (env[spec.env] !== undefined && env[spec.env] !== "") {
      raw = env[spec.env]!; origin = "env";
    }
    values[spec.env] = raw === undefined ? defaultOf(spec) : parseValue(spec, raw, origin);
    sources[spec.env] = origin;
  }

  // The command: a positional (inspect), --job_type (SageMaker), or STRATEGY.
  const jobType = (flags.job_type as string | undefined) ?? positionals[0];
  let command = "select";
  if (jobType !== undefined && jobType !== "select") {
    const strategySpec = PARAMS.find((p) => p.env === "STRATEGY")!;
    if (jobType === "inspect") command = "inspect";
    else if (jobType === "merge") command = "merge";
    else if (strategySpec.kind.values.includes(jobType)) {
      if (sources.STRATEGY !== "default" && values.STRATEGY !== jobType) {
        throw new UsageError(`--job_type ${jobType} and STRATEGY=${values.STRATEGY} disagree; give one of them.`);
      }
      values.STRATEGY = jobType;
      sources.STRATEGY = "flag";
    } else {
      throw new UsageError(`unknown job type "${jobType}"; valid: ${["select", "inspect", "merge", ...strategySpec.kind.values].join(", ")}.`);
    }
  }
  const help = flags.help === true;
  const version = flags.version === true;
  if (command === "select" && values.STRATEGY === "" && !help && !version) {
    throw new UsageError(`no strategy given: pass --job_type <strategy> or --strategy, or set STRATEGY (${PARAMS[0].kind.values.join(", ")}).`);
  }
  return {
    command, values, sources,
    input: (flags.input as string | undefined) ?? null,
    output: (flags.output as string | undefined) ?? null,
    labeled: (flags.labeled as string | undefined) ?? null,
    dryRun: flags["dry-run"] === true,
    help, version,
  };
}

function defaultOf(spec: ParamSpec): string | number | boolean {
  if (spec.default === "") return "";
  return parseValue(spec, spec.default, "default");
}

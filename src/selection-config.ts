/**
 * SELECTION_CONFIG for STRATEGY=hybrid (inline JSON, or a path to a JSON file; --config):
 *
 *   {"filters":    [{"value": "max_prob", "op": "<", "threshold": 0.95}],
 *    "objectives": [{"type": "uncertainty", "mode": "margin", "strength": 1},
 *                   {"type": "diversity", "strength": 1},
 *                   {"type": "weight", "column": "priority", "strength": 0.5}],
 *    "class_balance": "uniform"}
 *
 * Every bad field is a UsageError naming it (SELECTION_CONFIG.objectives[1].strength …).
 */
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "./errors.ts";
import { UNCERTAINTY_MODES, type UncertaintyMode } from "./engine/uncertainty.ts";

export const FILTER_OPS = ["<", "<=", ">", ">=", "==", "!="] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
/** Values computed from the probabilities, usable in filters besides any numeric input column. */
export const DERIVED_VALUES = ["max_prob", "margin", "entropy", "predicted_class"] as const;

export interface Filter { value: string; op: FilterOp; threshold: number }
export type Objective =
  | { type: "uncertainty"; mode: UncertaintyMode; strength: number }
  | { type: "confidence"; strength: number }
  | { type: "diversity"; strength: number }
  | { type: "weight"; column: string; strength: number };

export interface SelectionConfig {
  filters: Filter[];
  objectives: Objective[];
  /** none, uniform, pool or a map class → share; null when the config does not say (CLASS_BALANCE applies). */
  classBalance: string | Record<string, number> | null;
}

const OBJECTIVE_TYPES = ["uncertainty", "confidence", "diversity", "weight"];

/** Reads SELECTION_CONFIG: JSON text when it starts with "{", else a file path. */
export function parseSelectionConfig(raw: string): SelectionConfig {
  const where = "SELECTION_CONFIG";
  let text = raw.trim();
  if (!text.startsWith("{")) {
    if (!existsSync(text)) throw new UsageError(`${where} is neither inline JSON (starting with "{") nor an existing file: "${raw}".`);
    text = readFileSync(text, "utf8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON (${(error as Error).message}).`);
  }
  const root = asObject(json, where, ["filters", "objectives", "class_balance"]);
  const filters = asArray(root.filters ?? [], `${where}.filters`).map((f, i) => {
    const at = `${where}.filters[${i}]`;
    const o = asObject(f, at, ["value", "op", "threshold"]);
    if (typeof o.value !== "string" || o.value === "") throw new UsageError(`${at}.value must name a numeric column or one of ${DERIVED_VALUES.join(", ")}.`);
    if (!FILTER_OPS.includes(o.op as FilterOp)) throw new UsageError(`${at}.op is ${JSON.stringify(o.op)}; valid: ${FILTER_OPS.join(" ")}.`);
    return { value: o.value, op: o.op as FilterOp, threshold: finite(o.threshold, `${at}.threshold`) };
  });
  const objectives = asArray(root.objectives ?? [], `${where}.objectives`).map((x, i): Objective => {
    const at = `${where}.objectives[${i}]`;
    const o = asObject(x, at, ["type", "mode", "strength", "column"]);
    const strength = o.strength === undefined ? 1 : finite(o.strength, `${at}.strength`);
    if (strength < 0) throw new UsageError(`${at}.strength is ${strength}; strengths are ≥ 0 (0 ignores the objective).`);
    switch (o.type) {
      case "uncertainty": {
        const mode = (o.mode ?? "margin") as UncertaintyMode;
        if (!UNCERTAINTY_MODES.includes(mode)) throw new UsageError(`${at}.mode is ${JSON.stringify(o.mode)}; valid: ${UNCERTAINTY_MODES.join(", ")}.`);
        return { type: "uncertainty", mode, strength };
      }
      case "confidence": return { type: "confidence", strength };
      case "diversity": return { type: "diversity", strength };
      case "weight":
        if (typeof o.column !== "string" || o.column === "") throw new UsageError(`${at}.column must name a numeric column (a weight objective multiplies by it).`);
        return { type: "weight", column: o.column, strength };
      default:
        throw new UsageError(`${at}.type is ${JSON.stringify(o.type)}; valid: ${OBJECTIVE_TYPES.join(", ")}.`);
    }
  });
  if (objectives.length === 0) throw new UsageError(`${where}.objectives is empty; give at least one, e.g. {"type": "uncertainty", "mode": "margin"}.`);
  const balance = root.class_balance;
  if (balance !== undefined && typeof balance !== "string" && (typeof balance !== "object" || balance === null || Array.isArray(balance))) {
    throw new UsageError(`${where}.class_balance must be "none", "uniform", "pool" or an object mapping class to share.`);
  }
  return { filters, objectives, classBalance: (balance as SelectionConfig["classBalance"]) ?? null };
}

/** Input columns the config reads (filters on non-derived values, weight objectives). */
export function configColumns(config: SelectionConfig): string[] {
  const derived: readonly string[] = DERIVED_VALUES;
  return [
    ...config.filters.map((f) => f.value).filter((v) => !derived.includes(v)),
    ...config.objectives.flatMap((o) => (o.type === "weight" ? [o.column] : [])),
  ];
}

/** True when the config reads the scores: a filter on a derived value, or an uncertainty or confidence objective. */
export function configNeedsScores(config: SelectionConfig): boolean {
  const derived: readonly string[] = DERIVED_VALUES;
  return config.filters.some((f) => derived.includes(f.value)) ||
    config.objectives.some((o) => o.type === "uncertainty" || o.type === "confidence");
}

function asObject(value: unknown, at: string, allowed: string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError(`${at} must be a JSON object.`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new UsageError(`${at} has an unknown field "${key}"; allowed: ${allowed.join(", ")}.`);
  }
  return value as Record<string, unknown>;
}

function asArray(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new UsageError(`${at} must be a JSON array.`);
  return value;
}

function finite(value: unknown, at: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new UsageError(`${at} must be a finite number, not ${JSON.stringify(value)}.`);
  return value;
}

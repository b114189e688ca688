/**
 * SELECTION_CONFIG for STRATEGY=hybrid (inline JSON, or a path to a JSON file; --config):
 *
 *   {"filters":    [{"value": "max_prob", "op": "<", "threshold": 0.95}],
 *    "objectives": [{"type": "uncertainty", "mode": "margin", "strength": 1},
 *                   {"type": "diversity", "strength": 1},
 *                   {"type": "weight", "column": "priority", "strength": 0.5}],
 *    "class_balance": "uniform", "proportion": 0.05}
 *
 * A negative strength prefers the opposite of an objective in [0, 1]: (1 − value)^|strength|.
 * `proportion` selects that share of the pool's rows instead of BATCH_SIZE.
 *
 * Every bad field is a UsageError naming it (SELECTION_CONFIG.objectives[1].strength …).
 */
import { existsSync, readFileSync } from "node:fs";
import { UsageError } from "../errors.ts";
import { UNCERTAINTY_MODES, type UncertaintyMode } from "../engine/uncertainty.ts";

export const FILTER_OPS = ["<", "<=", ">", ">=", "==", "!="] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
/** Values computed from the probabilities, usable in filters besides any numeric input column. */
export const DERIVED_VALUES = ["max_prob", "margin", "entropy", "predicted_class"] as const;

/** threshold: a number, or (predicted_class only) a class name as the input writes it. */
export interface Filter { value: string; op: FilterOp; threshold: number | string }
export type Objective =
  | { type: "uncertainty"; mode: UncertaintyMode; strength: number }
  | { type: "confidence"; strength: number }
  | { type: "diversity"; strength: number }
  | { type: "weight"; column: string; strength: number }
  /** Density: TypiClust's typicality within k-means cells, divided by the largest (hybrid.ts). */
  | { type: "typicality"; strength: number }
  /** Likeness to the query_data rows: (1 + the highest cosine similarity to any query row) / 2. */
  | { type: "similarity"; strength: number };

export interface SelectionConfig {
  filters: Filter[];
  objectives: Objective[];
  /** none, uniform, pool or a map class → share; null when the config does not say (CLASS_BALANCE applies). */
  classBalance: string | Record<string, number> | null;
  /** Share of the pool's rows to select (0 < p ≤ 1), instead of BATCH_SIZE; null or absent when not given. */
  proportion?: number | null;
}

const OBJECTIVE_TYPES = ["uncertainty", "confidence", "diversity", "weight", "typicality", "similarity"];
/** Objectives whose values lie in [0, 1], where a negative strength means (1 − value)^|strength|. */
const BOUNDED = ["uncertainty", "confidence", "typicality", "similarity"];
/** Objectives that read the vectors. */
const VECTOR_OBJECTIVES = ["diversity", "typicality", "similarity"];

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
  const root = asObject(json, where, ["filters", "objectives", "class_balance", "proportion"]);
  const filters = asArray(root.filters ?? [], `${where}.filters`).map((f, i) => {
    const at = `${where}.filters[${i}]`;
    const o = asObject(f, at, ["value", "op", "threshold"]);
    if (typeof o.value !== "string" || o.value === "") throw new UsageError(`${at}.value must name a numeric column or one of ${DERIVED_VALUES.join(", ")}.`);
    if (!FILTER_OPS.includes(o.op as FilterOp)) throw new UsageError(`${at}.op is ${JSON.stringify(o.op)}; valid: ${FILTER_OPS.join(" ")}.`);
    if (o.value === "predicted_class" && typeof o.threshold === "string") {
      if (o.op !== "==" && o.op !== "!=") throw new UsageError(`${at}: a class name (${JSON.stringify(o.threshold)}) compares with == or != only; classes have no order.`);
      return { value: o.value, op: o.op as FilterOp, threshold: o.threshold };
    }
    return { value: o.value, op: o.op as FilterOp, threshold: finite(o.threshold, `${at}.threshold`) };
  });
  const objectives = asArray(root.objectives ?? [], `${where}.objectives`).map((x, i): Objective => {
    const at = `${where}.objectives[${i}]`;
    const o = asObject(x, at, ["type", "mode", "strength", "column"]);
    const strength = o.strength === undefined ? 1 : finite(o.strength, `${at}.strength`);
    if (strength < 0 && !BOUNDED.includes(o.type as string)) {
      throw new UsageError(`${at}.strength is ${strength}; a negative strength (prefer the opposite) applies to objectives in [0, 1] (${BOUNDED.join(", ")}), not to ${JSON.stringify(o.type)}.`);
    }
    switch (o.type) {
      case "uncertainty": {
        const mode = (o.mode ?? "margin") as UncertaintyMode;
        if (!UNCERTAINTY_MODES.includes(mode)) throw new UsageError(`${at}.mode is ${JSON.stringify(o.mode)}; valid: ${UNCERTAINTY_MODES.join(", ")}.`);
        return { type: "uncertainty", mode, strength };
      }
      case "confidence": return { type: "confidence", strength };
      case "diversity": return { type: "diversity", strength };
      case "typicality": return { type: "typicality", strength };
      case "similarity": return { type: "similarity", strength };
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
  let proportion: number | null = null;
  if (root.proportion !== undefined) {
    proportion = finite(root.proportion, `${where}.proportion`);
    if (!(proportion > 0 && proportion <= 1)) throw new UsageError(`${where}.proportion is ${proportion}; it is the share of the pool's rows to select, above 0 and at most 1.`);
  }
  return { filters, objectives, classBalance: (balance as SelectionConfig["classBalance"]) ?? null, proportion };
}

/** Input columns the config reads (filters on non-derived values, weight objectives). */
export function configColumns(config: SelectionConfig): string[] {
  const derived: readonly string[] = DERIVED_VALUES;
  return [
    ...config.filters.map((f) => f.value).filter((v) => !derived.includes(v)),
    ...config.objectives.flatMap((o) => (o.type === "weight" ? [o.column] : [])),
  ];
}

/** True when an objective reads the vectors (diversity, typicality, similarity; strength ≠ 0). */
export function configNeedsVectors(config: SelectionConfig): boolean {
  return config.objectives.some((o) => VECTOR_OBJECTIVES.includes(o.type) && o.strength !== 0);
}

/** True when a similarity objective needs the query_data channel. */
export function configNeedsQuery(config: SelectionConfig): boolean {
  return config.objectives.some((o) => o.type === "similarity" && o.strength !== 0);
}

/** True when the config reads the scores: a filter on a derived value, or an uncertainty or confidence objective that counts (strength ≠ 0). */
export function configNeedsScores(config: SelectionConfig): boolean {
  const derived: readonly string[] = DERIVED_VALUES;
  return config.filters.some((f) => derived.includes(f.value)) ||
    config.objectives.some((o) => (o.type === "uncertainty" || o.type === "confidence") && o.strength !== 0);
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

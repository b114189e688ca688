/**
 * Class balance for every strategy (CLASS_BALANCE): target shares over the predicted classes,
 * or over the values of BALANCE_COLUMN, turned into quotas for a selection of a given size.
 * The metadata shows target against achieved per class.
 */
import { UsageError } from "../errors.ts";
import { allocateQuotas } from "../engine/quotas.ts";
import type { Pool } from "../pool/pool.ts";
import { listNames } from "../list-names.ts";

export interface Balance {
  /** "uniform", "pool", or "custom" (a JSON map). */
  mode: string;
  /** The column quotas are over, or null for the predicted class. */
  column: string | null;
  names: string[];
  /** Per pool row, its class's index into names. */
  classOf: Int32Array;
  /** Target share per class, summing to 1. */
  shares: Float64Array;
  /** A custom map whose shares did not sum to 1: the warning naming the rescaled shares; else null. */
  rescaled: string | null;
}

/** Parses CLASS_BALANCE (none, uniform, pool, or a JSON map class → share); null for none. */
export function resolveBalance(spec: string | Record<string, unknown>, column: string, pool: Pool, source = "CLASS_BALANCE"): Balance | null {
  if (spec === "none" || spec === "") return null;
  let names: string[];
  let classOf: Int32Array;
  if (column) {
    const values = columnText(pool, column);
    names = [...new Set(values)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    const index = new Map(names.map((n, i) => [n, i]));
    classOf = Int32Array.from(values, (v) => index.get(v)!);
  } else {
    names = pool.plan.classNames;
    classOf = pool.predicted;
  }
  const shares = new Float64Array(names.length);
  let mode: string;
  let rescaled: string | null = null;
  if (spec === "uniform") {
    mode = "uniform";
    shares.fill(1 / names.length);
  } else if (spec === "pool") {
    mode = "pool";
    for (let i = 0; i < classOf.length; i++) shares[classOf[i]!]!++;
    for (let c = 0; c < names.length; c++) shares[c]! /= classOf.length;
  } else {
    mode = "custom";
    let map: unknown = spec;
    if (typeof spec === "string") {
      try {
        map = JSON.parse(spec);
      } catch {
        throw new UsageError(`${source} is "${spec}"; use none, uniform, pool, or a JSON map of class to share such as {"0": 0.5, "1": 0.5}.`);
      }
    }
    if (typeof map !== "object" || map === null || Array.isArray(map)) {
      throw new UsageError(`${source} must be none, uniform, pool, or a JSON object mapping class to share.`);
    }
    let total = 0;
    for (const [name, share] of Object.entries(map as Record<string, unknown>)) {
      const c = names.indexOf(name);
      if (c === -1) throw new UsageError(`${source} names class "${name}", which is not among the ${column ? `values of ${column}` : "predicted classes"} (${listNames(names)}).`);
      if (typeof share !== "number" || !Number.isFinite(share) || share < 0) throw new UsageError(`${source}["${name}"] must be a number ≥ 0, not ${JSON.stringify(share)}.`);
      shares[c] = share;
      total += share;
    }
    if (total <= 0) throw new UsageError(`${source} gives every class a share of 0; give at least one class a positive share.`);
    for (let c = 0; c < names.length; c++) shares[c]! /= total;
    // Ratios ({"a": 2, "b": 1}) and rounded thirds are common: rescaled, and the log says to what.
    if (Math.abs(total - 1) > 1e-9) {
      const given = Object.keys(map as Record<string, unknown>);
      rescaled = `${source} shares sum to ${Number(total.toPrecision(12))}, not 1; rescaled to ${given.map((name) => `${name}: ${Number(shares[names.indexOf(name)]!.toFixed(6))}`).join(", ")}.`;
    }
  }
  return { mode, column: column || null, names, classOf, shares, rescaled };
}

/** Quotas for a selection of `total` rows among the rows `eligible` accepts. */
export function quotasFor(balance: Balance, total: number, eligible: (row: number) => boolean): Int32Array {
  const available = new Int32Array(balance.names.length);
  for (let i = 0; i < balance.classOf.length; i++) if (eligible(i)) available[balance.classOf[i]!]!++;
  return allocateQuotas(total, balance.shares, available);
}

/** Target and achieved counts per class, for the metadata and the report. */
export function balanceReport(balance: Balance, quotas: Int32Array, selected: Uint32Array): Record<string, unknown> {
  const achieved = new Int32Array(balance.names.length);
  for (const row of selected) achieved[balance.classOf[row]!]!++;
  return {
    mode: balance.mode,
    over: balance.column ?? "predicted class",
    classes: Object.fromEntries(balance.names.map((name, c) => [name, {
      target_share: Number(balance.shares[c]!.toFixed(6)), quota: quotas[c], achieved: achieved[c],
    }])),
  };
}

/** Every row's value of a column as text (for BALANCE_COLUMN). */
function columnText(pool: Pool, column: string): string[] {
  const first = pool.tables[0]!;
  const c = first.columns.indexOf(column);
  if (c === -1) throw new UsageError(`BALANCE_COLUMN is "${column}" but ${first.path} has no such column (columns: ${listNames(first.columns)}).`);
  const out: string[] = new Array(pool.size);
  pool.tables.forEach((table, t) => {
    for (let r = 0; r < table.rowCount; r++) {
      const value = table.cell(r, c);
      out[pool.tableStarts[t]! + r] = value === null || value === undefined ? "" : String(value);
    }
  });
  return out;
}

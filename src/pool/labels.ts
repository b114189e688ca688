/**
 * Predicted labels as LLM batch jobs (Bedrock) and rule sets write them: one column of class
 * names beside a confidence in that label. The classes are the distinct labels, kept as
 * written and sorted (numerically when every label is a number, else by code unit, the same
 * order on every runtime and locale).
 */
import { DataError, UsageError } from "../errors.ts";
import type { Table } from "../io/table.ts";
import { listNames } from "../list-names.ts";

/** Label columns recognised without LABEL_FIELD, in order of preference. */
export const LABEL_COLUMNS = ["predicted_label", "prediction", "label_pred"];

/** A label cell as text: strings as written, numbers and booleans as the reader gives them. */
export function labelText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === "string" ? value : String(value);
  return text.trim() === "" ? null : text;
}

/** The distinct labels of a column over every table, sorted; a DataError on a row without one. */
export function distinctLabels(tables: readonly Table[], column: string): string[] {
  const seen = new Set<string>();
  eachLabel(tables, column, (label) => seen.add(label));
  return sortLabels([...seen]);
}

/** Per row (tables in order), the index of its label in `classNames`. */
export function labelIndices(tables: readonly Table[], column: string, classNames: readonly string[]): Int32Array {
  const index = new Map(classNames.map((name, c) => [name, c]));
  const out = new Int32Array(tables.reduce((n, t) => n + t.rowCount, 0));
  let row = 0;
  eachLabel(tables, column, (label, table, r) => {
    const c = index.get(label);
    if (c === undefined) throw new DataError(`${table.path}: row ${r + 1}, column "${column}" is "${label}", which is not among the classes LABEL_CLASSES lists (${listNames(classNames)}); add it there.`);
    out[row++] = c;
  });
  return out;
}

function eachLabel(tables: readonly Table[], column: string, visit: (label: string, table: Table, row: number) => void): void {
  for (const table of tables) {
    const c = table.columns.indexOf(column);
    if (c === -1) throw new DataError(`${table.path}: no label column "${column}" (columns: ${listNames(table.columns)}).`);
    for (let r = 0; r < table.rowCount; r++) {
      const label = labelText(table.cell(r, c));
      if (label === null) {
        throw new DataError(`${table.path}: row ${r + 1}, column "${column}" is empty; every row needs its predicted label beside its confidence. Fill it or drop that row.`);
      }
      visit(label, table, r);
    }
  }
}

export function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => Number.isFinite(Number(l)));
  return labels.sort(numeric
    ? (a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)
    : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** LABEL_CLASSES: a JSON list of names, or names separated by commas; empty: none given. */
export function parseLabelClasses(raw: string): string[] {
  if (raw.trim() === "") return [];
  let names: unknown = raw.split(",").map((name) => name.trim());
  if (raw.trim().startsWith("[")) {
    try {
      names = JSON.parse(raw);
    } catch {
      throw new UsageError(`LABEL_CLASSES is ${raw}, not a JSON list; give the classes comma-separated (a,b,c) or as a JSON list (["a", "b"]).`);
    }
  }
  if (Array.isArray(names) && names.length === 0) {
    throw new UsageError(`LABEL_CLASSES is ${raw}; it lists no class. List every class, or leave it unset to take the labels read.`);
  }
  if (!Array.isArray(names) || names.some((n) => labelText(n) === null)) {
    throw new UsageError(`LABEL_CLASSES is ${raw}; every class must be a non-empty name (comma-separated, or a JSON list of names).`);
  }
  return sortLabels([...new Set(names.map((n) => String(n)))]);
}

/**
 * EXCLUDE_IDS_FILE: ids never to select. A plain list (one id per line) or a data file
 * (CSV, Parquet, …) with the id column.
 */
import { readFileSync } from "node:fs";
import { DataError } from "../errors.ts";
import { readTable } from "./channel.ts";
import { listNames } from "../list-names.ts";

export async function readIdList(path: string, idField: string): Promise<string[]> {
  if (/\.(csv|csv\.gz|parquet|arrow|feather|jsonl|jsonl\.gz)$/i.test(path)) {
    const table = await readTable(path);
    const column = table.columns.indexOf(idField);
    if (column === -1) throw new DataError(`${path}: EXCLUDE_IDS_FILE has no id column "${idField}" (columns: ${listNames(table.columns)}).`);
    return table.extract({ idColumn: column, numeric: [] });
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new DataError(`${path}: EXCLUDE_IDS_FILE cannot be read (${(error as Error).message}).`);
  }
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
}

/**
 * The ids never to select: the labelled rows' and EXCLUDE_IDS_FILE's (empty: none). `listed` is
 * the file's alone (null without one), counted apart for the warning that it matched nothing.
 */
export async function excludedIds(labeledIds: readonly string[], excludeFile: string, idField: string):
  Promise<{ excluded: Set<string>; listed: Set<string> | null }> {
  const listed = excludeFile ? new Set(await readIdList(excludeFile, idField)) : null;
  const excluded = new Set<string>(labeledIds);
  for (const id of listed ?? []) excluded.add(id);
  return { excluded, listed };
}

/**
 * The labeled_data channel: rows already labelled. Their ids are never selected, and their
 * vectors (the pool's vector columns) or leaf indices count as already chosen centers.
 */
import { DataError } from "../errors.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import type { Pool } from "../pool/pool.ts";
import { readChannel, type Notices } from "./channel.ts";
import type { Table } from "./table.ts";

export interface Labeled { ids: string[]; vectors: Pool["vectors"]; leaves: Int32Array | null; files: string[] }

export async function readLabeled(path: string, pool: Pool, needVectors: boolean, needLeaves: boolean, float64: boolean,
  notices?: Notices): Promise<Labeled> {
  const tables: Table[] = await readChannel(path, "labeled_data", undefined, notices);
  const first = tables[0]!;
  const vectorColumns = needVectors ? pool.plan.vectorColumns : [];
  const leafColumns = needLeaves ? pool.plan.leafColumns : [];
  const missingId = !first.columns.includes(pool.plan.id);
  if (missingId) throw new DataError(`${first.path}: the labeled_data channel has no id column "${pool.plan.id}"; it needs the same id column as the pool.`);
  if (needVectors) requireSameColumns(first, vectorColumns, "vector", "emb_");
  if (needLeaves) requireSameColumns(first, leafColumns, "leaf", "leaf_");
  const rows = tables.reduce((n, t) => n + t.rowCount, 0);
  const vectors = needVectors ? allocVectors(float64, rows * vectorColumns.length) : null;
  const leaves = needLeaves ? new Int32Array(rows * leafColumns.length) : null;
  const ids: string[] = [];
  let rowStart = 0;
  for (const table of tables) {
    const indexOf = (c: string) => table.columns.indexOf(c);
    const numeric = [];
    if (vectors) numeric.push({ columns: vectorColumns.map(indexOf), out: vectors, rowStart, stride: vectorColumns.length, offset: 0, kind: "finite" as const });
    if (leaves) numeric.push({ columns: leafColumns.map(indexOf), out: leaves, rowStart, stride: leafColumns.length, offset: 0, kind: "integer" as const });
    ids.push(...table.extract({ idColumn: indexOf(pool.plan.id), numeric }));
    rowStart += table.rowCount;
  }
  return { ids, vectors: vectors ? { data: vectors, rows, cols: vectorColumns.length } : null, leaves, files: tables.map((t) => t.path) };
}

/**
 * The labelled rows count as chosen centers only in the pool's space: every one of the pool's
 * vector (or leaf) columns, and no more of the prefixed ones (emb_0..emb_767 beside a pool's
 * emb_0..emb_383 are another embedding; more leaf_* columns, another forest), whose first
 * columns would otherwise be measured against the pool's as if they were the same.
 */
function requireSameColumns(table: Table, poolColumns: readonly string[], kind: string, prefix: string): void {
  const missing = poolColumns.filter((c) => !table.columns.includes(c));
  const list = (names: string[]) => `${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}`;
  if (missing.length > 0) {
    throw new DataError(`${table.path}: the labeled_data channel lacks the ${kind} columns ${list(missing)}; its rows need the pool's ${poolColumns.length} ${kind} columns to count as chosen centers.`);
  }
  // Pool vectors that are other numeric columns (no emb_*) say nothing of the labelled rows' emb_* ones.
  if (poolColumns.length === 0 || !poolColumns.every((c) => c.startsWith(prefix))) return;
  const extra = table.columns.filter((c) => c.startsWith(prefix) && !poolColumns.includes(c));
  if (extra.length > 0) {
    throw new DataError(`${table.path}: the labeled_data channel has ${prefix}* columns the pool lacks (${list(extra)}): its ${kind === "vector" ? "vectors" : "leaf indices"} have ${poolColumns.length + extra.length} columns, the pool's ${poolColumns.length}. They must come from the same ${kind === "vector" ? "embedding model" : "trained forest"} as the pool's: score the labelled rows with it again.`);
  }
}

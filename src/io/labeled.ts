/**
 * The labeled_data channel: rows already labelled. Their ids are never selected, and their
 * vectors (the pool's vector columns) or leaf indices count as already chosen centers.
 */
import { DataError } from "../errors.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import type { Pool } from "../pool/pool.ts";
import { readChannel, type Notices } from "./channel.ts";
import { requirePoolColumns } from "./pool-columns-check.ts";
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
  const purpose = "to count as chosen centers";
  if (needVectors) requirePoolColumns(first, { channel: "labeled_data", poolColumns: vectorColumns, kind: "vector", purpose });
  if (needLeaves) requirePoolColumns(first, { channel: "labeled_data", poolColumns: leafColumns, kind: "leaf", purpose });
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

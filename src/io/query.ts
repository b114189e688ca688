/**
 * The query_data channel (--query DIR): rows to find more like, e.g. known failures. Only their
 * vectors are read, in the pool's vector columns; an id column is not needed.
 */
import { DataError } from "../errors.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool/pool.ts";
import { readChannel, type Notices } from "./channel.ts";
import { requirePoolColumns } from "./pool-columns-check.ts";

export async function readQuery(path: string, pool: Pool, float64: boolean, notices?: Notices): Promise<{ vectors: Matrix; files: string[] }> {
  const tables = await readChannel(path, "query_data", undefined, notices);
  const columns = pool.plan.vectorColumns;
  const first = tables[0]!;
  requirePoolColumns(first, { channel: "query_data", poolColumns: columns, kind: "vector", purpose: "to be compared with the pool" });
  const rows = tables.reduce((n, t) => n + t.rowCount, 0);
  if (rows === 0) throw new DataError(`${first.path}: the query_data channel has no rows; the similarity objective needs at least one row to compare with.`);
  const data = allocVectors(float64, rows * columns.length);
  let rowStart = 0;
  for (const table of tables) {
    const indexOf = (c: string) => table.columns.indexOf(c);
    // The id is not used; any column serves as the extract's row key.
    table.extract({ idColumn: 0, numeric: [{ columns: columns.map(indexOf), out: data, rowStart, stride: columns.length, offset: 0, kind: "finite" }] });
    rowStart += table.rowCount;
  }
  return { vectors: { data, rows, cols: columns.length }, files: tables.map((t) => t.path) };
}

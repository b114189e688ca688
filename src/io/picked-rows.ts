/**
 * A table of a few rows picked from other tables, their cells copied out as the source tables
 * give them: what a streamed run keeps of a pool it never holds whole (job/stream.ts). The
 * writers read it as they read the files: each column carries the type the files share.
 */
import type { ColumnType, ExtractRequest, Format, Table } from "./table.ts";

export class PickedRows implements Table {
  constructor(readonly path: string, readonly format: Format, readonly columns: readonly string[], readonly columnTypes: readonly ColumnType[],
    /** Each picked row's cells, in column order. */
    private readonly rows: readonly (readonly unknown[])[]) {}

  get rowCount(): number {
    return this.rows.length;
  }

  cell(row: number, column: number): unknown {
    return this.rows[row]![column];
  }

  extract(_request: ExtractRequest): string[] {
    throw new Error("internal: picked rows hold cells for the writers; their ids and scores come from the streamed pass");
  }
}

/** Row `row` of `table`, every cell as cell() gives it. */
export function cellsOf(table: Table, row: number): unknown[] {
  return table.columns.map((_, c) => table.cell(row, c));
}

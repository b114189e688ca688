/**
 * A columnar file (Parquet, Arrow, JSON lines) whose columns are the channel's in another
 * order, seen in the channel's order. Writers do not promise an order: Spark's JSON writer
 * drops null fields, so a key can first appear later in one part than in another, and schema
 * merges reorder Parquet columns. Columns are matched by name, as a pyarrow dataset does. CSV
 * files are not reordered: their records are repeated byte for byte in the output.
 */
import type { ExtractRequest, Table } from "./table.ts";
import type { Utf8Column } from "./utf8-column.ts";

export function inColumnOrder(table: Table, columns: readonly string[]): Table {
  if (table.columns.every((c, i) => c === columns[i])) return table;
  return new ReorderedTable(table, columns.map((name) => table.columns.indexOf(name)), columns);
}

class ReorderedTable implements Table {
  constructor(private readonly inner: Table, private readonly source: readonly number[], readonly columns: readonly string[]) {}

  get path() { return this.inner.path; }
  get format() { return this.inner.format; }
  get rowCount() { return this.inner.rowCount; }
  get partitionColumns() { return this.inner.partitionColumns; }
  get columnTypes() { return this.source.map((c) => this.inner.columnTypes[c]!); }

  cell(row: number, column: number): unknown {
    return this.inner.cell(row, this.source[column]!);
  }

  utf8Values(column: number): Utf8Column | null {
    return this.inner.utf8Values?.(this.source[column]!) ?? null;
  }

  rowNumberTokens(rows: readonly number[]): Map<number, (string | null)[]> {
    const inner = this.inner.rowNumberTokens?.(rows) ?? new Map<number, (string | null)[]>();
    return new Map([...inner].map(([row, tokens]) => [row, this.source.map((c) => tokens[c] ?? null)]));
  }

  extract(request: ExtractRequest): string[] {
    return this.inner.extract({
      idColumn: request.idColumn === null ? null : this.source[request.idColumn]!,
      numeric: request.numeric.map((block) => ({ ...block, columns: block.columns.map((c) => this.source[c]!) })),
    });
  }
}

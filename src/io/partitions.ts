/**
 * Hive-style partition folders: Spark, Glue, Athena and pyarrow write a table partitioned by
 * `year` and `model` as `year=2024/model=v2/part-0.parquet`, leaving those values out of the
 * files. Like a pyarrow dataset, the channel adds each `key=value` folder as a column after the
 * file's own, with the value as the folder names it (percent-escapes decoded, as Hive writes
 * them; no type guessed: `007` stays `007`).
 */
import { DataError } from "../errors.ts";
import { TEXT } from "./column-type.ts";
import { csvQuote } from "./output.ts";
import { isCsvTable, storableRange, type ColumnType, type CsvTable, type ExtractRequest, type NumericBlock, type Table } from "./table.ts";

export interface PartitionValue {
  key: string;
  value: string;
}

/** The key=value folders of a file's path below the channel, outermost first. */
export function partitionsOf(relativeDirs: readonly string[]): PartitionValue[] {
  const found: PartitionValue[] = [];
  for (const folder of relativeDirs) {
    const eq = folder.indexOf("=");
    if (eq <= 0) continue;
    found.push({ key: decode(folder.slice(0, eq)), value: decode(folder.slice(eq + 1)) });
  }
  return found;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a lone "%" is a character, not an escape
  }
}

/**
 * The table with the partition columns the file does not already hold appended. A file that
 * holds a column of the same name keeps its own values: the notice says so.
 */
export function withPartitionColumns(table: Table, partitions: readonly PartitionValue[], notice: (message: string) => void): Table {
  const added: PartitionValue[] = [];
  for (const p of partitions) {
    if (table.columns.includes(p.key)) {
      notice(`${table.path}: the folder ${p.key}=${p.value} names a column the file already holds; the file's own "${p.key}" values are kept.`);
    } else if (added.some((a) => a.key === p.key)) {
      throw new DataError(`${table.path}: its path names the partition "${p.key}" twice; a Hive-style path gives each key one folder.`);
    } else {
      added.push(p);
    }
  }
  if (added.length === 0) return table;
  return isCsvTable(table) ? new PartitionedCsvTable(table, added) : new PartitionedTable(table, added);
}

class PartitionedTable implements Table {
  readonly columns: readonly string[];
  readonly columnTypes: readonly ColumnType[];
  readonly partitionColumns: readonly string[];
  private readonly width: number;

  constructor(protected readonly inner: Table, protected readonly added: readonly PartitionValue[]) {
    this.width = inner.columns.length;
    this.columns = [...inner.columns, ...added.map((p) => p.key)];
    this.columnTypes = [...inner.columnTypes, ...added.map(() => TEXT)];
    this.partitionColumns = [...(inner.partitionColumns ?? []), ...added.map((p) => p.key)];
  }

  get path() { return this.inner.path; }
  get format() { return this.inner.format; }
  get rowCount() { return this.inner.rowCount; }

  cell(row: number, column: number): unknown {
    return column < this.width ? this.inner.cell(row, column) : this.added[column - this.width]!.value;
  }

  rowNumberTokens(rows: readonly number[]): Map<number, (string | null)[]> {
    const inner = this.inner.rowNumberTokens?.(rows) ?? new Map<number, (string | null)[]>();
    return new Map([...inner].map(([row, tokens]) => [row, [...tokens, ...this.added.map(() => null)]]));
  }

  extract(request: ExtractRequest): string[] {
    if (request.idColumn !== null && request.idColumn >= this.width) {
      const key = this.columns[request.idColumn]!;
      throw new DataError(`${this.path}: the id column "${key}" is a partition folder (${key}=…), the same for every row of the file; set ID_FIELD (--id-field) to a column that identifies rows.`);
    }
    // Columns of the file go to the file's reader, in runs of neighbours; folder values are filled here.
    const inner: NumericBlock[] = [];
    const own: { block: NumericBlock; j: number; value: number }[] = [];
    for (const block of request.numeric) {
      let run: number[] = [], runStart = 0;
      const flush = () => {
        if (run.length > 0) inner.push({ ...block, columns: run, offset: block.offset + runStart });
        run = [];
      };
      block.columns.forEach((c, j) => {
        if (c < this.width) {
          if (run.length === 0) runStart = j;
          run.push(c);
          return;
        }
        flush();
        own.push({ block, j, value: this.numberOf(this.added[c - this.width]!, block) });
      });
      flush();
    }
    const ids = this.inner.extract({ idColumn: request.idColumn, numeric: inner });
    for (const { block, j, value } of own) {
      for (let r = 0; r < this.rowCount; r++) block.out[(block.rowStart + r) * block.stride + block.offset + j] = value;
    }
    return ids;
  }

  private numberOf(p: PartitionValue, block: NumericBlock): number {
    const text = p.value.trim();
    const n = text === "" ? NaN : Number(text);
    const range = storableRange(block.out);
    const where = `${this.path}: the partition folder ${p.key}=${p.value}`;
    if (!Number.isFinite(n)) throw new DataError(`${where} is not a finite number, but "${p.key}" is read as one; expected a finite number.`);
    if (block.kind === "integer" && !Number.isInteger(n)) throw new DataError(`${where} is not a whole number, but "${p.key}" is read as one.`);
    if (n < range.min || n > range.max) throw new DataError(`${where} is ${range.hint}.`);
    return n;
  }
}

/** A CSV file's rows stay byte for byte; the folder values follow, quoted where CSV needs it. */
class PartitionedCsvTable extends PartitionedTable implements CsvTable {
  private readonly headerTail: Uint8Array;
  private readonly recordTail: Uint8Array;

  constructor(private readonly csv: CsvTable, added: readonly PartitionValue[]) {
    super(csv, added);
    const encoder = new TextEncoder();
    this.headerTail = encoder.encode(added.map((p) => "," + csvQuote(p.key)).join(""));
    this.recordTail = encoder.encode(added.map((p) => "," + csvQuote(p.value)).join(""));
  }

  override get format(): "csv" { return "csv"; }
  get headerBytes() { return concat(this.csv.headerBytes, this.headerTail); }
  get hadBom() { return this.csv.hadBom; }
  get lineEnding() { return this.csv.lineEnding; }
  recordBytes(row: number): Uint8Array { return concat(this.csv.recordBytes(row), this.recordTail); }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

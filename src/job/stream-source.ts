/**
 * Where a streamed run's rows come from (stream.ts), a part at a time: Parquet files by row
 * group, CSV files (plain or gzip) by pieces of whole records (io/csv-chunks.ts). Each source
 * gives the files' heads for the column plan, its parts in pool order, what to keep of a row
 * that may be picked, and at the end the picked rows as a table the writers read as they read
 * the files (Parquet: the candidates' cells; CSV: their records' bytes under the file's
 * header, so the output repeats them byte for byte).
 */
import { type Notices, listChannel, readChannel, reportLeftOut, resolveKind } from "../io/channel.ts";
import { commonType } from "../io/column-type.ts";
import { inColumnOrder } from "../io/column-order.ts";
import { csvChunks } from "../io/csv-chunks.ts";
import { readCsvTable } from "../io/csv.ts";
import { dropAheadBuffers, readParquetRowGroups, type PageDecompressor, type ParquetRowGroups, type ReadAhead } from "../io/parquet.ts";
import { cellsOf, PickedRows } from "../io/picked-rows.ts";
import { TEXT } from "../io/column-type.ts";
import { isCsvTable, type Table } from "../io/table.ts";

/** Thrown for a channel the streamed path cannot read exactly; the run reads it whole. */
export class NotStreamable extends Error {}

/** A part of the pool: a row group or a piece of a CSV file, and where it starts. */
export interface Part {
  file: number;
  /** The part's number in its file. */
  index: number;
  /** Its first row's place in its file. */
  fileRow: number;
  table: Table;
}

/** A row the pass may pick, as the source finds it again. */
export interface Place {
  file: number;
  part: number;
  partRow: number;
  /** What the source kept of the row when it was offered (cells or record bytes), or null. */
  kept: unknown;
}

export interface StreamSource {
  /** Each file's first rows (at most `rows`), for the column plan. */
  heads(rows: number): Promise<Table[]>;
  /** The pool's size when the files' metadata says it before they are read (Parquet), else null. */
  knownRows: number | null;
  parts(): AsyncGenerator<Part>;
  /** The columns the pass decodes anyway (the id and scores), once the plan names them. */
  decodes(names: readonly string[]): void;
  /**
   * Parquet: from now on, parts() reads each row group's columns the pass decodes while the one
   * before is used, and has their zstd pages decompressed by `decompress` (another thread).
   */
  decompressWith(decompress: PageDecompressor | null): void;
  /** What to keep of a row offered for the candidates (cheap when it rarely happens). */
  keep(table: Table, row: number): unknown;
  /** The candidates' rows (in pool order) as one table for the writers. */
  picked(places: Place[], collect: () => void): Promise<Table>;
  /** The files as the metadata lists them, once every part has been read. */
  files(): Table[];
}

/** The channel's source, or NotStreamable (before anything is read) when it holds other formats or folder columns. */
export async function openSource(channel: string, notices: Notices): Promise<StreamSource> {
  const listing = listChannel(channel);
  const kinds = listing.files.map((file) => {
    if (file.folders.some((folder) => folder.includes("="))) throw new NotStreamable(`${file.path} takes columns from its folders`);
    return resolveKind(file.path, { info() {}, warn() {} });
  });
  if (kinds.length > 0 && kinds.every((k) => k.format === "parquet")) return parquetSource(channel, notices);
  if (kinds.length > 0 && kinds.every((k) => k.format === "csv")) {
    reportLeftOut(channel, listing, notices);
    listing.files.forEach((file) => resolveKind(file.path, notices)); // its warnings, once
    return csvSource(listing.files.map((file, f) => ({ path: file.path, gzip: kinds[f]!.gzip })));
  }
  throw new NotStreamable(`${channel} holds files that are neither all Parquet nor all CSV; Parquet is read by row group, CSV a piece at a time`);
}

async function parquetSource(channel: string, notices: Notices): Promise<StreamSource> {
  const files = await readChannel(channel, "input", undefined, notices);
  const opened: { table: Table; groups: ((ahead?: ReadAhead) => Table)[]; readAhead: ParquetRowGroups["readAhead"] }[] = [];
  for (const file of files) {
    if (file.partitionColumns?.length) throw new NotStreamable(`${file.path} takes columns from its folders`);
    const opening = await readParquetRowGroups(file.path);
    if (!opening) throw new NotStreamable(`${file.path} has nested columns`);
    // Row groups in the channel's column order, as readChannel gives the whole files.
    const order = files[0]!.columns;
    opened.push({
      table: inColumnOrder(opening.table, order), groups: opening.groups.map((group) => (ahead?: ReadAhead) => inColumnOrder(group(ahead), order)),
      readAhead: opening.readAhead,
    });
  }
  const columns = files[0]!.columns;
  // When the files hold only the columns the pass decodes anyway, cells are copied as rows are offered; else fetched at the end.
  let copyCells = false;
  let decoded: readonly string[] = [];
  let decompress: PageDecompressor | null = null;
  return {
    knownRows: files.reduce((n, t) => n + t.rowCount, 0),
    async heads(rows) {
      return opened.map((f) => parquetHead(f.table, f.groups, rows));
    },
    async *parts() {
      const groups = opened.flatMap((f, file) => f.groups.map((_, index) => ({ file, index })));
      const readAhead = (k: number) => (decompress && k < groups.length
        ? opened[groups[k]!.file]!.readAhead(groups[k]!.index, decoded, decompress) : Promise.resolve(undefined));
      let next = readAhead(0);
      let fileRow = 0;
      try {
        for (const [k, { file, index }] of groups.entries()) {
          const ahead = await next;
          // The next group is read and decompressed elsewhere while this one is used.
          next = readAhead(k + 1);
          if (index === 0) fileRow = 0;
          const table = opened[file]!.groups[index]!(ahead);
          yield { file, index, fileRow, table };
          fileRow += table.rowCount;
        }
      } finally {
        dropAheadBuffers();
      }
    },
    decodes(names) {
      decoded = names;
      copyCells = columns.every((name) => names.includes(name));
    },
    decompressWith(decompressor) {
      decompress = decompressor;
    },
    keep: (table, row) => (copyCells ? cellsOf(table, row) : null),
    async picked(places, collect) {
      fetchCells(places, opened, collect);
      const types = columns.map((_, c) => files.map((t) => t.columnTypes[c]!).reduce(commonType));
      return new PickedRows(files[0]!.path, "parquet", columns, types, places.map((p) => p.kept as unknown[]));
    },
    files: () => files,
  };
}

/** A file's first rows as the column plan looks at them, from its first row groups, so that no column of the whole file is decoded for it. */
function parquetHead(file: Table, groups: ((ahead?: ReadAhead) => Table)[], limit: number): Table {
  const rows: unknown[][] = [];
  for (const group of groups) {
    const table = group();
    for (let r = 0; r < table.rowCount && rows.length < limit; r++) rows.push(cellsOf(table, r));
    if (rows.length >= limit) break;
  }
  return new PickedRows(file.path, file.format, file.columns, file.columnTypes, rows);
}

/** The cells of candidates still without them, each row group that holds some read once more. */
function fetchCells(places: Place[], opened: { groups: ((ahead?: ReadAhead) => Table)[] }[], collect: () => void): void {
  let k = 0;
  while (k < places.length) {
    const { file, part } = places[k]!;
    if (places[k]!.kept) { k++; continue; }
    const table = opened[file]!.groups[part]!();
    // Candidates are in pool order, so a row group's are consecutive.
    for (; k < places.length && places[k]!.file === file && places[k]!.part === part; k++) {
      places[k]!.kept = cellsOf(table, places[k]!.partRow);
    }
    collect();
  }
}

function csvSource(files: { path: string; gzip: boolean }[]): StreamSource {
  const rowCounts: number[] = files.map(() => 0);
  /** The first file's BOM, header and line ending, which the picked records are written under. */
  let first: { path: string; hadBom: boolean; headerBytes: Uint8Array; lineEnding: string } | null = null;
  let columns: readonly string[] | null = null;
  return {
    knownRows: null,
    async heads(rows) {
      const heads: Table[] = [];
      for (const file of files) {
        // Small pieces, until the plan's rows are read: it reads the first rows only.
        let head: { table: Table; cells: unknown[][] } | null = null;
        for await (const table of csvChunks(file.path, file.gzip, 1 << 20)) {
          head ??= { table, cells: [] };
          for (let r = 0; r < table.rowCount && head.cells.length < rows; r++) head.cells.push(cellsOf(table, r));
          if (head.cells.length >= rows) break;
        }
        heads.push(new PickedRows(file.path, "csv", head!.table.columns, head!.table.columnTypes, head!.cells));
      }
      // The in-memory read refuses CSV files whose columns differ, naming both; it reports that.
      const names = heads[0]!.columns;
      for (const head of heads) {
        if (head.columns.length !== names.length || head.columns.some((c, i) => c !== names[i])) throw new NotStreamable(`${head.path} has other columns than ${heads[0]!.path}`);
      }
      return heads;
    },
    async *parts() {
      for (const [file, { path, gzip }] of files.entries()) {
        let fileRow = 0, index = 0;
        for await (const table of csvChunks(path, gzip)) {
          first ??= { path, hadBom: table.hadBom, headerBytes: table.headerBytes.slice(), lineEnding: table.lineEnding };
          columns ??= table.columns;
          yield { file, index: index++, fileRow, table };
          fileRow += table.rowCount;
        }
        rowCounts[file] = fileRow;
      }
    },
    decodes() {},
    decompressWith() {},
    // The record's bytes, copied out of the piece (which is garbage once read).
    keep: (table, row) => (isCsvTable(table) ? table.recordBytes(row).slice() : null),
    async picked(places) {
      // The first file's BOM, header and line ending, then the records: readCsvTable gives back exactly these records.
      const head = first!;
      const eol = new TextEncoder().encode(head.lineEnding);
      const records = places.map((p) => p.kept as Uint8Array);
      const bom = head.hadBom ? 3 : 0;
      const bytes = new Uint8Array(bom + head.headerBytes.length + eol.length + records.reduce((n, r) => n + r.length + eol.length, 0));
      if (head.hadBom) bytes.set([0xef, 0xbb, 0xbf], 0);
      let at = bom;
      for (const part of [head.headerBytes, ...records]) {
        bytes.set(part, at);
        bytes.set(eol, at + part.length);
        at += part.length + eol.length;
      }
      return readCsvTable(head.path, bytes);
    },
    files: () => files.map(({ path }, f) => fileSummary(path, columns ?? [], rowCounts[f]!)),
  };
}

/** A CSV file as the metadata lists it (path, format, rows); its cells are not kept. */
function fileSummary(path: string, columns: readonly string[], rowCount: number): Table {
  const gone = (): never => { throw new Error(`internal: ${path} was streamed; only its row count is kept`); };
  return { path, format: "csv", columns, rowCount, columnTypes: columns.map(() => TEXT), cell: gone, extract: gone };
}

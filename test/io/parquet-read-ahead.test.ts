/**
 * A row group read ahead (io/parquet.ts: readAhead, its zstd pages decompressed elsewhere)
 * decodes to the cells the group decodes to on its own: version 1 pages as DuckDB writes them,
 * version 2 pages with nulls, dictionaries and text as hyparquet-writer writes them. The pages
 * decoded are the ones read ahead, and a page left out is decompressed where it is decoded.
 */
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { zstdCompressSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { readParquetRowGroups, type PageDecompressor, type ParquetRowGroups } from "../../src/io/parquet.ts";
import { cellsOf } from "../../src/io/picked-rows.ts";
import type { Table } from "../../src/io/table.ts";
import { startThreads, stopThreads } from "../../src/engine/kernels/threads.ts";
import { streamHelper } from "../../src/job/stream-helper.ts";
import { removeTempDirsSince, tempDir, tempDirMark } from "../helpers.ts";
import { duckdb } from "../reliability/duckdb-files.ts";

const mark = tempDirMark();
afterAll(() => { removeTempDirsSince(mark); stopThreads(); });

const zstd = (bytes: Uint8Array) => Bun.zstdDecompressSync(bytes);

/** A decompressor on this thread that counts the pages it is given. */
function counting(decompressPage: (page: Uint8Array) => Uint8Array | null = zstd): PageDecompressor & { pages: number } {
  const decompress = async (chunks: Uint8Array[], pages: { chunk: number; start: number; length: number }[]) => {
    decompress.pages += pages.length;
    return { chunks, pages: pages.map((s) => decompressPage(chunks[s.chunk]!.subarray(s.start, s.start + s.length))) };
  };
  decompress.pages = 0;
  return decompress;
}

const rowsOf = (table: Table) => Array.from({ length: table.rowCount }, (_, r) => cellsOf(table, r));

async function sameCellsAhead(file: ParquetRowGroups, decompress: PageDecompressor): Promise<number> {
  const columns = file.table.columns;
  let rows = 0;
  for (let g = 0; g < file.groups.length; g++) {
    const ahead = await file.readAhead(g, columns, decompress);
    const read = rowsOf(file.groups[g]!(ahead));
    expect(read).toEqual(rowsOf(file.groups[g]!()));
    rows += read.length;
  }
  return rows;
}

async function duckdbPool(): Promise<string> {
  const dir = tempDir("as-ahead-");
  await duckdb(dir, [
    `CREATE TABLE pool AS SELECT 'doc-' || i AS id, (i % 7) / 7 AS p0, 1 - (i % 7) / 7 AS p1,
      CASE WHEN i % 5 = 0 THEN NULL ELSE i / 3 END AS age, (i * 1.5 + 0.25)::DOUBLE AS x, ['web', 'mail', 'chat'][i % 3 + 1] AS source FROM range(5000) r(i)`,
    "COPY pool TO '$DIR/pool.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1024)",
  ]);
  return join(dir, "pool.parquet");
}

function hyparquetPool(): string {
  const n = 3000;
  const path = join(tempDir("as-ahead-"), "pool.parquet");
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "id", data: Array.from({ length: n }, (_, i) => `d-${i}`), type: "STRING" },
      { name: "p", data: Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : i / 7)), type: "DOUBLE" },
      { name: "label", data: Array.from({ length: n }, (_, i) => ["cat", "dog"][i % 2]!), type: "STRING" },
      { name: "n", data: Array.from({ length: n }, (_, i) => i * 3), type: "INT32" },
    ],
    rowGroupSize: 700, codec: "ZSTD", compressors: { ZSTD: (input: Uint8Array) => zstdCompressSync(input) },
  })));
  return path;
}

test("DuckDB's zstd files (version 1 pages): each row group read ahead decodes to its own cells", async () => {
  const file = (await readParquetRowGroups(await duckdbPool()))!;
  const decompress = counting();
  expect(await sameCellsAhead(file, decompress)).toBe(5000);
  expect(decompress.pages).toBeGreaterThanOrEqual(file.groups.length * file.table.columns.length);
});

test("hyparquet-writer's zstd files (version 2 pages, nulls, dictionaries): each row group read ahead decodes to its own cells", async () => {
  const file = (await readParquetRowGroups(hyparquetPool()))!;
  const decompress = counting();
  expect(await sameCellsAhead(file, decompress)).toBe(3000);
  expect(decompress.pages).toBeGreaterThanOrEqual(file.groups.length * file.table.columns.length);
});

test("the pages decoded are the ones read ahead, and a page left out is decompressed where it is decoded", async () => {
  const file = (await readParquetRowGroups(await duckdbPool()))!;
  const column = file.table.columns.indexOf("x");
  // The page given back with its values (PLAIN doubles, after its levels) zeroed: the decoded probabilities are those zeros.
  const rows = file.groups[1]!().rowCount;
  const zeros = counting((page) => { const bytes = zstd(page); return bytes.fill(0, bytes.length - 8 * rows); });
  const table = file.groups[1]!(await file.readAhead(1, ["x"], zeros));
  expect(zeros.pages).toBe(1);
  expect(rowsOf(table).every((cells) => cells[column] === 0)).toBe(true);
  expect(rowsOf(file.groups[1]!()).some((cells) => cells[column] !== 0)).toBe(true);
  // Pages left out (null): decompressed here, the same cells.
  const none = counting(() => null);
  expect(rowsOf(file.groups[1]!(await file.readAhead(1, file.table.columns, none)))).toEqual(rowsOf(file.groups[1]!()));
  expect(none.pages).toBeGreaterThan(0);
});

test("version 2 pages: the values decoded are the ones read ahead (after the page's levels)", async () => {
  const file = (await readParquetRowGroups(hyparquetPool()))!;
  const [p, n] = ["p", "n"].map((name) => file.table.columns.indexOf(name));
  const zeros = counting((page) => zstd(page).fill(0));
  const rows = rowsOf(file.groups[1]!(await file.readAhead(1, ["p", "n"], zeros)));
  expect(zeros.pages).toBeGreaterThanOrEqual(2);
  expect(rows.every((cells) => (cells[p] === 0 || cells[p] === null) && cells[n] === 0)).toBe(true);
  expect(rows.some((cells) => cells[p] === null)).toBe(true);
});

test("the helper thread decompresses every page read ahead as this thread would, and gives the chunks back", async () => {
  expect(await startThreads(2)).toBeNull();
  using helper = await streamHelper();
  expect(helper.decompress).not.toBeNull();
  const file = (await readParquetRowGroups(await duckdbPool()))!;
  expect(await sameCellsAhead(file, helper.decompress!)).toBe(5000);
  const page = zstdCompressSync(new Uint8Array(4096).map((_, i) => i % 251));
  const chunk = new Uint8Array(page.length + 10);
  chunk.set(page, 10);
  const done = await helper.decompress!([chunk], [{ chunk: 0, start: 10, length: page.length }, { chunk: 0, start: 0, length: 5 }]);
  expect(Array.from(done.pages[0]!)).toEqual(Array.from(zstd(page)));
  expect(done.pages[1]).toBeNull(); // not zstd: left to the decode, which reports it
  expect(Array.from(done.chunks[0]!.subarray(10))).toEqual(Array.from(page));
});

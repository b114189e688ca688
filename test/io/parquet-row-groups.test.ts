/**
 * A row group's columns keep their values once the next group is decoded: a page in a buffer of
 * its own may become the column as it is (no copy), and a page in bytes the reader uses again
 * (a chunk read into scratch, a snappy page) must not. Every codec, version 1 pages as DuckDB
 * writes them and version 2 pages as hyparquet-writer does.
 */
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { zstdCompressSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { readParquetRowGroups, readParquetTable } from "../../src/io/parquet.ts";
import { cellsOf } from "../../src/io/picked-rows.ts";
import type { Table } from "../../src/io/table.ts";
import { removeTempDirsSince, tempDir, tempDirMark } from "../helpers.ts";
import { duckdb } from "../reliability/duckdb-files.ts";

const mark = tempDirMark();
afterAll(() => removeTempDirsSince(mark));

const rowsOf = (table: Table) => Array.from({ length: table.rowCount }, (_, r) => cellsOf(table, r));

/** Decodes every group, keeping each table, then checks each still holds its own cells. */
async function groupsKeepTheirValues(path: string, expected: (row: number) => unknown[]): Promise<void> {
  const file = (await readParquetRowGroups(path))!;
  expect(file.groups.length).toBeGreaterThan(2);
  const tables = file.groups.map((group) => group());
  tables.forEach((table) => rowsOf(table)); // decode each in turn
  let row = 0;
  for (const table of tables) {
    for (const cells of rowsOf(table)) expect(cells).toEqual(expected(row++));
  }
}

for (const codec of ["uncompressed", "snappy", "zstd"]) {
  test(`DuckDB's ${codec} files (version 1 pages): each row group keeps its values`, async () => {
    const dir = tempDir("as-groups-");
    await duckdb(dir, [
      "CREATE TABLE t AS SELECT i AS n, (i * 0.5)::DOUBLE AS x, (i % 3)::INTEGER AS k FROM range(7000) r(i)",
      `COPY t TO '$DIR/t.parquet' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2048)`,
    ]);
    await groupsKeepTheirValues(join(dir, "t.parquet"), (i) => [BigInt(i), i * 0.5, i % 3]);
  });
}

for (const codec of ["UNCOMPRESSED", "SNAPPY", "ZSTD"] as const) {
  test(`hyparquet-writer's ${codec} files (version 2 pages): each row group keeps its values`, async () => {
    const n = 3000;
    const path = join(tempDir("as-groups-"), "t.parquet");
    writeFileSync(path, new Uint8Array(parquetWriteBuffer({
      columnData: [
        { name: "x", data: Array.from({ length: n }, (_, i) => i / 4), type: "DOUBLE" },
        { name: "k", data: Array.from({ length: n }, (_, i) => i * 7), type: "INT32" },
      ],
      rowGroupSize: 700, codec, compressors: codec === "ZSTD" ? { ZSTD: (input: Uint8Array) => zstdCompressSync(input) } : undefined,
    })));
    await groupsKeepTheirValues(path, (i) => [i / 4, i * 7]);
  });
}

/** Ids with bytes beyond ASCII: two- and three-byte characters, a surrogate pair, and ASCII. */
const TEXT_IDS = (n: number) => Array.from({ length: n }, (_, i) => [`doc-${i}`, `café-${i}`, `文書-${i}`, `😀-${i}`][i % 4]!);

test("text stored PLAIN stays UTF-8 bytes in a row group (DuckDB's version 1 pages), read as the whole file reads it", async () => {
  const dir = tempDir("as-groups-text-");
  const ids = TEXT_IDS(5000);
  await duckdb(dir, [
    `CREATE TABLE t AS SELECT (['doc-', 'café-', '文書-', '😀-'])[i % 4 + 1] || i AS id, i AS n FROM range(5000) r(i) ORDER BY i`,
    "COPY t TO '$DIR/t.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)",
  ]);
  const path = join(dir, "t.parquet");
  const file = (await readParquetRowGroups(path))!;
  const whole = await readParquetTable(path);
  let row = 0;
  for (const group of file.groups) {
    const table = group();
    const bytes = table.utf8Values!(0);
    expect(bytes).not.toBeNull();
    for (let r = 0; r < table.rowCount; r++, row++) {
      expect(bytes!.text(r)).toBe(ids[row]!);
      expect(table.cell(r, 0)).toBe(whole.cell(row, 0) as string);
    }
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(ids.slice(row - table.rowCount, row));
  }
  expect(row).toBe(5000);
});

test("text stored PLAIN in version 2 pages (hyparquet-writer) stays bytes; a later page with nulls turns the group's text into strings", async () => {
  const n = 3000;
  const ids = TEXT_IDS(n);
  // "note": unique text, small pages, nulls only in the last 100 rows: the last group starts as bytes and must change to strings.
  const notes = ids.map((id, i) => (i >= n - 100 && i % 2 === 0 ? null : `note ${id}`));
  const path = join(tempDir("as-groups-text-"), "t.parquet");
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "id", data: ids, type: "STRING", encoding: "PLAIN" },
      { name: "note", data: notes, type: "STRING", encoding: "PLAIN", nullable: true },
    ],
    rowGroupSize: 1000, pageSize: 2000,
  })));
  const file = (await readParquetRowGroups(path))!;
  const tables = file.groups.map((group) => group());
  expect(tables.map((t) => t.utf8Values!(0) !== null)).toEqual([true, true, true]);
  expect(tables.map((t) => t.utf8Values!(1) !== null)).toEqual([true, true, false]);
  let row = 0;
  for (const table of tables) {
    for (const cells of rowsOf(table)) expect(cells).toEqual([ids[row], notes[row++]]);
  }
});

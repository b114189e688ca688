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
import { readParquetRowGroups } from "../../src/io/parquet.ts";
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

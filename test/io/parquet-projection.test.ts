/**
 * A Parquet table decodes a column on its first use: a run reads only the columns it needs,
 * and the output decodes the others when it repeats them.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { readParquetTable } from "../../src/io/parquet.ts";
import { dataErrorOf, tempDir, writeBytes } from "./helpers.ts";

function writeFile(dir: string): string {
  const bytes = parquetWriteBuffer({
    columnData: [
      { name: "id", type: "STRING", data: ["a", "b", "c"] },
      { name: "prob_class_0", type: "DOUBLE", data: [0.1, 0.6, 0.3] },
      { name: "prob_class_1", type: "DOUBLE", data: [0.9, 0.4, 0.7] },
      { name: "notes", type: "STRING", data: ["x", "y", "z"] },
    ],
  });
  return writeBytes(join(dir, "pool.parquet"), bytes);
}

/** Overwrites the first bytes of one column's chunk (its page header) with 0xff. */
function breakColumn(path: string, name: string): void {
  const bytes = new Uint8Array(readFileSync(path));
  const meta = parquetMetadata(bytes.buffer).row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === name)!.meta_data!;
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  bytes.fill(0xff, start, start + 6);
  writeBytes(path, bytes);
}

describe("readParquetTable() decodes columns on first use", () => {
  test("a run that reads the id and scores never decodes a broken column it does not read", async () => {
    const path = writeFile(tempDir());
    breakColumn(path, "notes");
    const table = await readParquetTable(path);
    const probs = new Float64Array(6);
    const ids = table.extract({ idColumn: 0, numeric: [{ columns: [1, 2], out: probs, rowStart: 0, stride: 2, offset: 0, kind: "finite" }] });
    expect(ids).toEqual(["a", "b", "c"]);
    expect(Array.from(probs)).toEqual([0.1, 0.9, 0.6, 0.4, 0.3, 0.7]);
    // Repeating the row in the output decodes the column, and then the damage is named.
    const error = await dataErrorOf(() => table.cell(1, 3));
    expect(error.message).toStartWith(`${path}: `);
    expect(error.message).toContain(`column "notes", row group 1`);
  });

  test("every cell of a column decoded later equals what the file holds", async () => {
    const table = await readParquetTable(writeFile(tempDir()));
    expect([0, 1, 2].map((r) => table.cell(r, 3))).toEqual(["x", "y", "z"]);
    expect([2, 0].map((r) => table.cell(r, 1))).toEqual([0.3, 0.1]);
  });

  test("a file that changes between reading its footer and decoding a column is refused", async () => {
    const path = writeFile(tempDir());
    const table = await readParquetTable(path);
    appendFileSync(path, "more bytes");
    const error = await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [] }));
    expect(error.message).toContain("the file changed while it was being read");
  });
});

/** UTF-8 text in PLAIN version 1 pages is decoded straight from the page (src/io/parquet.ts plainStrings). */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readParquetTable } from "../../src/io/parquet.ts";
import { tempDir, writeBytes } from "./helpers.ts";
import { parquetWithV1Pages } from "./parquet-v1.ts";

const sample = ["a", "", "é", "漢字 and ascii", "🙂", "x".repeat(300), "doc-000000017", "tab\there"];
/** 128 values in pages of 64: the definition levels of a page without nulls are then one RLE run. */
const texts = Array.from({ length: 128 }, (_, i) => `${sample[i % sample.length]}${i >= sample.length ? i : ""}`);

describe("PLAIN text columns in version 1 pages", () => {
  for (const [kind, optional, values] of [
    ["optional without nulls", true, texts],
    ["required", false, texts],
    ["optional with nulls", true, texts.map((t, i) => (i % 50 === 7 ? null : t))],
  ] as const) {
    for (const snappy of [false, true]) {
      test(`read back exactly: ${kind}${snappy ? ", snappy" : ""}`, async () => {
        const ids = values.map((_, i) => `r${i}`);
        const bytes = parquetWithV1Pages([
          { name: "id", type: "BYTE_ARRAY", converted_type: "UTF8", optional: false, values: ids },
          { name: "text", type: "BYTE_ARRAY", converted_type: "UTF8", optional, values: [...values] },
        ], { rowsPerPage: 64, snappy });
        const table = await readParquetTable(writeBytes(join(tempDir(), "t.parquet"), bytes));
        expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(ids);
        expect(values.map((_, r) => table.cell(r, 1))).toEqual([...values]);
      });
    }
  }
});

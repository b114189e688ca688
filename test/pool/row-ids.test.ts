/**
 * A streamed part's ids (src/pool/row-ids.ts): hashed from UTF-8 bytes, they hash as idHash
 * hashes their text, which the duplicate check and the metadata rely on.
 */
import { afterAll, expect, test } from "bun:test";
import fc from "fast-check";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { DataError } from "../../src/errors.ts";
import { readParquetRowGroups } from "../../src/io/parquet.ts";
import { Utf8Column } from "../../src/io/utf8-column.ts";
import type { Table } from "../../src/io/table.ts";
import { asciiIdHash, idHash } from "../../src/pool/pool.ts";
import { textIds, utf8Ids } from "../../src/pool/row-ids.ts";
import { removeTempDirsSince, tempDir, tempDirMark } from "../helpers.ts";

const mark = tempDirMark();
afterAll(() => removeTempDirsSince(mark));

const encoder = new TextEncoder();

test("asciiIdHash() of ASCII bytes is idHash() of their text; -1 at a byte beyond ASCII", () => {
  fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 40 }), fc.nat(5), (text, pad) => {
    // Bytes inside a larger buffer, as a page holds them.
    const bytes = new Uint8Array(pad + text.length + 3).fill(0x41);
    bytes.set(encoder.encode(text), pad);
    expect(asciiIdHash(bytes, pad, pad + text.length)).toBe(idHash(text));
  }));
  expect(asciiIdHash(encoder.encode("café"), 0, 5)).toBe(-1);
  expect(asciiIdHash(encoder.encode("doc-1"), 0, 5)).not.toBe(asciiIdHash(encoder.encode("doc-2"), 0, 5));
});

/** A table holding `ids` as UTF-8 bytes (a Parquet row group of text stored PLAIN). */
async function bytesTable(ids: string[]): Promise<Table> {
  const path = join(tempDir("as-row-ids-"), "t.parquet");
  writeFileSync(path, new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "id", data: ids, type: "STRING", encoding: "PLAIN" }] })));
  return (await readParquetRowGroups(path))!.groups[0]!();
}

test("utf8Ids(): every id's hash is idHash() of its text, whatever its characters; its text is the id", async () => {
  const ids = fc.sample(fc.string({ unit: "binary", minLength: 1, maxLength: 12 }), { numRuns: 500, seed: 7 });
  ids.push("doc-1", "café", "文書", "😀", "a\u0000b");
  const table = await bytesTable(ids);
  const read = utf8Ids(table, 0)!;
  expect(read).not.toBeNull();
  const hashes = new Float64Array(ids.length + 2);
  read.hashInto(hashes, 2);
  // What the strings give: the whole read's ids, hashed as every id is.
  const expected = textIds(ids.map((id) => new TextDecoder().decode(encoder.encode(id))));
  const fromText = new Float64Array(ids.length + 2);
  expected.hashInto(fromText, 2);
  expect([...hashes]).toEqual([...fromText]);
  for (let r = 0; r < ids.length; r++) {
    expect(read.text(r)).toBe(expected.text(r));
    expect(hashes[r + 2]).toBe(idHash(read.text(r)));
  }
});

test("utf8Ids(): an empty id is a DataError naming the file, row and column; a table without bytes gives null", async () => {
  const table = await bytesTable(["a", "b", ""]);
  expect(() => utf8Ids(table, 0)).toThrow(DataError);
  expect(() => utf8Ids(table, 0)).toThrow(/row 3 has an empty id in column "id"/);
  const strings = { ...table, utf8Values: undefined } as unknown as Table;
  expect(utf8Ids(strings, 0)).toBeNull();
});

test("Utf8Column: each value from its offsets, invalid UTF-8 replaced as the decoder replaces it", () => {
  const bytes = new Uint8Array([0x78, 0x61, 0xff, 0x62, 0xc3, 0xa9]);
  const column = new Utf8Column(bytes, Uint32Array.of(1, 1, 4), Uint32Array.of(4, 1, 6));
  expect(column.texts()).toEqual(["a\ufffdb", "", "é"]);
  expect(column.length).toBe(3);
});

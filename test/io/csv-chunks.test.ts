/**
 * csvChunks (src/io/csv-chunks.ts) against readCsvTable on the whole file: the same header and
 * the same records, byte for byte and in order, whatever the piece size, with quoted line
 * breaks, CRLF, a BOM, blank lines, a last record without a line ending, and gzip.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { csvChunks } from "../../src/io/csv-chunks.ts";
import { readCsvTable } from "../../src/io/csv.ts";
import { Rng } from "../../src/rng.ts";
import { removeTempDirsSince, tempDir, tempDirMark } from "../helpers.ts";

const mark = tempDirMark();
afterAll(() => removeTempDirsSince(mark));

/** A seeded CSV of `rows` records: some with quoted commas, quotes and line breaks, some blank lines between. */
function csvText(seed: number, rows: number, eol: string, bom: boolean, finalEol: boolean): Uint8Array {
  const rng = new Rng(seed);
  const lines = ["id,note,prob_class_0,prob_class_1"];
  for (let i = 0; i < rows; i++) {
    const p = rng.nextInt(100) / 100;
    const kind = rng.nextInt(6);
    const note = kind === 0 ? `"two${eol}lines, and a comma"` : kind === 1 ? `"a ""quoted"" word"` : kind === 2 ? `12" pizza` : kind === 3 ? "" : `plain ${i}`;
    lines.push(`r${i},${note},${p},${(1 - p).toFixed(2)}`);
    if (rng.nextInt(20) === 0) lines.push("");
  }
  const text = lines.join(eol) + (finalEol ? eol : "");
  const bytes = new TextEncoder().encode(text);
  return bom ? new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]) : bytes;
}

async function records(path: string, gzip: boolean, chunkBytes: number): Promise<{ header: string; records: string[]; pieces: number }> {
  const decoder = new TextDecoder();
  const out: string[] = [];
  let header = "";
  let pieces = 0;
  for await (const table of csvChunks(path, gzip, chunkBytes)) {
    pieces++;
    header = decoder.decode(table.headerBytes);
    for (let r = 0; r < table.rowCount; r++) out.push(decoder.decode(table.recordBytes(r)));
  }
  return { header, records: out, pieces };
}

describe("csvChunks gives the whole file's records, piece by piece", () => {
  const shapes: [string, string, boolean, boolean][] = [["LF", "\n", false, true], ["CRLF and a BOM", "\r\n", true, true], ["no line ending after the last record", "\n", false, false]];
  for (const [name, eol, bom, finalEol] of shapes) {
    test(name, async () => {
      const bytes = csvText(name.length, 400, eol, bom, finalEol);
      const dir = tempDir("as-csv-chunks-");
      const plain = join(dir, "pool.csv"), gz = join(dir, "pool.csv.gz");
      writeFileSync(plain, bytes);
      writeFileSync(gz, gzipSync(bytes));
      const whole = readCsvTable(plain, bytes);
      const expected = Array.from({ length: whole.rowCount }, (_, r) => new TextDecoder().decode(whole.recordBytes(r)));
      expect(expected.some((r) => r.includes("\n"))).toBe(true);
      for (const chunkBytes of [1, 37, 500, 4096, 1 << 20]) {
        for (const [path, gzip] of [[plain, false], [gz, true]] as const) {
          const got = await records(path, gzip, chunkBytes);
          expect(got.header).toBe(new TextDecoder().decode(whole.headerBytes));
          expect(got.records).toEqual(expected);
          if (chunkBytes <= 500) expect(got.pieces).toBeGreaterThan(5);
        }
      }
    });
  }

  test("a file of the header alone gives one empty piece; a bad gzip stream is a DataError naming the file", async () => {
    const dir = tempDir("as-csv-chunks-");
    writeFileSync(join(dir, "head.csv"), "id,prob_class_0\n");
    const got = await records(join(dir, "head.csv"), false, 4);
    expect(got).toEqual({ header: "id,prob_class_0", records: [], pieces: 1 });
    writeFileSync(join(dir, "bad.csv.gz"), gzipSync(new TextEncoder().encode("id,p\na,1\n".repeat(1000))).subarray(0, 60));
    await expect(records(join(dir, "bad.csv.gz"), true, 16)).rejects.toThrow("bad.csv.gz");
  });
});

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readJsonlTable } from "../../src/io/jsonl.ts";
import type { NumericBlock, Table } from "../../src/io/table.ts";
import { dataErrorOf, tempDir, writeBytes } from "./helpers.ts";
import { typeName } from "../../src/io/column-type.ts";

const dir = tempDir();
let fileCount = 0;

function jsonlFile(text: string | Uint8Array): string {
  return writeBytes(join(dir, `t${fileCount++}.jsonl`), typeof text === "string" ? new TextEncoder().encode(text) : text);
}

function block(columns: number[], out: NumericBlock["out"], rest: Partial<NumericBlock> = {}): NumericBlock {
  return { columns, out, rowStart: 0, stride: columns.length, offset: 0, kind: "finite", ...rest };
}

function allCells(table: Table): unknown[][] {
  return Array.from({ length: table.rowCount }, (_, r) => table.columns.map((_, c) => table.cell(r, c)));
}

const LINES = [
  '{"id": "a", "prob_class_0": 0.25, "prob_class_1": 0.75, "flag": true, "meta": {"k": 1}, "note": null}',
  '{"id": "b", "prob_class_0": 0.5, "prob_class_1": 0.5, "flag": false, "meta": [1, 2], "note": "ü, \\"q\\"\\nx"}',
  '{"note": "last", "meta": null, "flag": null, "prob_class_1": 1, "prob_class_0": 0, "id": "c"}',
].join("\n");

describe("readJsonlTable()", () => {
  test("takes the columns from the first object's keys, in order, and types from the values", async () => {
    const table = await readJsonlTable(jsonlFile(LINES + "\n"));
    expect(table.format).toBe("jsonl");
    expect(table.rowCount).toBe(3);
    expect(table.columns).toEqual(["id", "prob_class_0", "prob_class_1", "flag", "meta", "note"]);
    expect(table.columnTypes.map(typeName)).toEqual(["string", "double", "double", "bool", "json", "string"]);
    expect(allCells(table)).toEqual([
      ["a", 0.25, 0.75, true, { k: 1 }, null],
      ["b", 0.5, 0.5, false, [1, 2], "ü, \"q\"\nx"],
      ["c", 0, 1, null, null, "last"],
    ]);
  });

  test("extract() fills ids and blocks", async () => {
    const table = await readJsonlTable(jsonlFile(LINES));
    const out = new Float32Array(3 * 3);
    expect(table.extract({ idColumn: 0, numeric: [block([1, 2], out, { stride: 3, offset: 1 })] })).toEqual(["a", "b", "c"]);
    expect(Array.from(out)).toEqual([0, 0.25, 0.75, 0, 0.5, 0.5, 0, 0, 1]);
  });

  test("reads the bytes it is given (a gunzipped .jsonl.gz) instead of the file", async () => {
    const table = await readJsonlTable(join(dir, "not-on-disk.jsonl.gz"), new TextEncoder().encode('{"id": "z"}\n'));
    expect(table.path).toBe(join(dir, "not-on-disk.jsonl.gz"));
    expect(allCells(table)).toEqual([["z"]]);
  });

  test("ignores blank lines, a byte order mark and Windows line endings", async () => {
    const bytes = new TextEncoder().encode('\ufeff{"id": "a", "p": 1}\r\n\r\n   \n{"id": "b", "p": 2}\r\n\n');
    const table = await readJsonlTable(jsonlFile(bytes));
    expect(allCells(table)).toEqual([["a", 1], ["b", 2]]);
  });

  test("names both row and line in errors when blank lines set them apart", async () => {
    const path = jsonlFile('{"id": "a", "p": 1}\n\n{"id": "b", "p": null}\n');
    const table = await readJsonlTable(path);
    const error = await dataErrorOf(() => table.extract({ idColumn: 0, numeric: [block([1], new Float64Array(2))] }));
    expect(error.message).toBe(`${path}: row 2 (line 3), column "p" is empty (null); expected a finite number (no NaN, inf or text). Fix or drop that row.`);
  });

  test("reads numbers written as text, and refuses other text naming its row", async () => {
    const path = jsonlFile('{"id": "a", "p": "0.5"}\n{"id": "b", "p": "high"}');
    const table = await readJsonlTable(path);
    const error = await dataErrorOf(async () => table.extract({ idColumn: 0, numeric: [block([1], new Float64Array(2))] }));
    expect(error.message).toContain('row 2, column "p" holds the text "high"; expected a finite number');
    const first = jsonlFile('{"id": "a", "p": "0.5"}');
    const out = new Float64Array(1);
    (await readJsonlTable(first)).extract({ idColumn: 0, numeric: [block([1], out)] });
    expect(out[0]).toBe(0.5);
  });

  test("a key a line leaves out is null there, and a key a later line adds is a column (Spark omits null fields)", async () => {
    const table = await readJsonlTable(jsonlFile('{"id": "a", "p": 1, "q": 2}\n{"id": "b", "p": 1, "r": 3}\n{"r": 4, "id": "c"}\n'));
    expect(table.columns).toEqual(["id", "p", "q", "r"]);
    expect([0, 1, 2].map((row) => [1, 2, 3].map((c) => table.cell(row, c)))).toEqual([[1, 2, null], [1, null, 3], [null, null, 4]]);
  });

  test("a needed value a line leaves out is refused where it is read, naming the row", async () => {
    const path = jsonlFile('{"id": "a", "p": 1}\n{"id": "b"}\n');
    const error = await dataErrorOf(async () => (await readJsonlTable(path)).extract({ idColumn: 0, numeric: [block([1], new Float64Array(2))] }));
    expect(error.message).toContain("row 2");
    expect(error.message).toContain('"p"');
  });

  test("refuses invalid JSON, naming the line", async () => {
    const path = jsonlFile('{"id": "a"}\n{"id": "b",}\n');
    const error = await dataErrorOf(() => readJsonlTable(path));
    expect(error.message).toStartWith(`${path}: line 2 is not valid JSON (`);
  });

  test("refuses a line that holds an array or a number instead of an object", async () => {
    expect((await dataErrorOf(() => readJsonlTable(jsonlFile('{"id": "a"}\n[1, 2]\n')))).message).toContain("line 2 holds a JSON array, not an object");
    expect((await dataErrorOf(() => readJsonlTable(jsonlFile("42\n")))).message).toContain("line 1 holds the JSON value 42, not an object");
  });

  test("refuses a line that is not UTF-8, naming it", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"id": "a"}\n{"id": "'), 0xff, 0xfe, ...new TextEncoder().encode('"}\n')]);
    const path = jsonlFile(bytes);
    expect((await dataErrorOf(() => readJsonlTable(path))).message).toBe(`${path}: line 2 is not valid UTF-8; save the file as UTF-8.`);
  });

  test("refuses a file with no objects", async () => {
    const path = jsonlFile("\n\n");
    expect((await dataErrorOf(() => readJsonlTable(path))).message).toContain("holds no JSON objects");
  });

  test("keeps numeric ids as the file writes them: 7.0, 1e3, 0.10, -0, digits beyond 2^53", async () => {
    const text = [
      '{"id": 12345678901234567890, "p": 0.5, "note": null}', "",
      '{"p": 0.25, "note": "é", "id": 7.0}',
      '{"id":1e3,"p":1,"note":{"id": 4}}',
      '{"note": "x,\\"id\\": 5", "id" : 0.10, "p": 0}',
      '{"id": -0, "p": [1, {"id": 2}], "note": "}"}',
      '{"id": "text", "p": 3, "note": 1}',
    ].join("\n") + "\n";
    const table = await readJsonlTable(jsonlFile(text));
    expect(table.extract({ idColumn: table.columns.indexOf("id"), numeric: [] })).toEqual(["12345678901234567890", "7.0", "1e3", "0.10", "-0", "text"]);
    // The output repeats them as written too: the column is text from then on.
    expect(table.cell(1, table.columns.indexOf("id"))).toBe("7.0");
    expect(table.columnTypes[table.columns.indexOf("id")]).toEqual({ kind: "text" });
  });

  test("an id column whose numbers all print as written keeps its number type", async () => {
    const table = await readJsonlTable(jsonlFile('{"id": 1}\n{"id": 22}\n'));
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(["1", "22"]);
    expect(table.cell(1, 0)).toBe(22);
  });

  test("keeps quoted long ids and small numeric ids exactly", async () => {
    const table = await readJsonlTable(jsonlFile('{"id": "12345678901234567890"}\n{"id": 9007199254740991}\n{"id": 7}\n'));
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(["12345678901234567890", "9007199254740991", "7"]);
  });

  test("reads lines across its internal slabs (files over 8 MiB)", async () => {
    const n = 120_000;
    const lines = Array.from({ length: n }, (_, i) => `{"id": "row-${i}", "p": ${i / n}, "pad": "${"x".repeat(40)}"}`);
    const table = await readJsonlTable(jsonlFile(lines.join("\n")));
    expect(table.rowCount).toBe(n);
    const probs = new Float64Array(n);
    const ids = table.extract({ idColumn: 0, numeric: [block([1], probs)] });
    expect(ids[n - 1]).toBe(`row-${n - 1}`);
    expect(probs[77_777]).toBe(77_777 / n);
  });
});

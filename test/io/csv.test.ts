import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseNumber, readCsvTable } from "../../src/io/csv.ts";
import type { NumericBlock } from "../../src/io/table.ts";

const bytesOf = (text: string) => new TextEncoder().encode(text);

/** Ids and the numbers of `columns` (row-major, float64) from CSV text. */
function extract(text: string, columns: number[]): { ids: string[]; values: number[] } {
  const table = readCsvTable("t.csv", bytesOf(text));
  const out = new Float64Array(table.rowCount * columns.length);
  const block: NumericBlock = { columns, out, rowStart: 0, stride: columns.length, offset: 0, kind: "finite" };
  return { ids: table.extract({ idColumn: 0, numeric: [block] }), values: Array.from(out) };
}

describe("parseNumber()", () => {
  const parse = (text: string) => { const b = bytesOf(text); return parseNumber(b, 0, b.length); };

  test("equals parseFloat on the shortest form of any double, 17 significant digits included", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      expect(Object.is(parse(String(x)), parseFloat(String(x)))).toBe(true);
    }), { numRuns: 5000 });
  });

  test("equals parseFloat on long mantissas, leading zeros and exponents", () => {
    const digits = fc.stringMatching(/^[0-9]{1,25}$/);
    fc.assert(fc.property(fc.boolean(), digits, digits, fc.integer({ min: -330, max: 330 }), (negative, whole, fraction, exponent) => {
      const text = `${negative ? "-" : ""}${whole}.${fraction}e${exponent}`;
      expect(Object.is(parse(text), parseFloat(text))).toBe(true);
    }), { numRuns: 5000 });
    for (const text of ["9007199254740993", "0.1", "123456789012345678901234567890", "1e22", "1e23", "4.9e-324", "00000.000001", "-0"]) {
      expect(Object.is(parse(text), parseFloat(text))).toBe(true);
    }
  });

  test("is NaN for text that is not a plain decimal number", () => {
    for (const text of ["", "abc", "1.2.3", "1e", "0x10", "inf", "NaN", "1,5", "--1"]) expect(parse(text)).toBeNaN();
  });
});

describe("CSV extract()", () => {
  const header = "id,p0,p1,a,b,c\n";

  test("reads the leading columns of a quote-free file and the same values as a quoted one", () => {
    const plain = `${header}x1,0.25,0.75,1,2,3\nx2,0.5,0.5,4,5,6\n`;
    const quoted = `${header}"x1",0.25,"0.75",1,"2",3\nx2,0.5,0.5,"4",5,6\n`;
    expect(extract(plain, [1, 2])).toEqual({ ids: ["x1", "x2"], values: [0.25, 0.75, 0.5, 0.5] });
    expect(extract(quoted, [1, 2])).toEqual(extract(plain, [1, 2]));
    expect(extract(plain, [5, 1])).toEqual({ ids: ["x1", "x2"], values: [3, 0.25, 6, 0.5] });
  });

  test("refuses a row with too few or too many fields after the last column it reads", () => {
    expect(() => extract(`${header}x1,0.25,0.75,1,2\n`, [1, 2])).toThrow(/row 1 has 5 fields but the header has 6/);
    expect(() => extract(`${header}x1,0.25,0.75,1,2,3\nx2,0.5,0.5,4,5,6,7\n`, [1, 2])).toThrow(/row 2 has 7 fields but the header has 6/);
    expect(() => extract(`${header}x1,0.25,0.75,1,2,3,\n`, [1, 2])).toThrow(/row 1 has 7 fields/);
  });

  test("finds records by line ends in a quote-free file with CRLF, blank lines and no final newline", () => {
    const text = "id,p0\r\nx1,0.5\r\n\r\nx2,0.25";
    expect(extract(text, [1])).toEqual({ ids: ["x1", "x2"], values: [0.5, 0.25] });
    expect(readCsvTable("t.csv", bytesOf(text)).recordBytes(1)).toEqual(bytesOf("x2,0.25"));
  });
});

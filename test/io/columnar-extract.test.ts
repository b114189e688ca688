/**
 * ColumnarTable.extract() fills four columns at once where it can (consecutive slots, one
 * typed piece each, no missing values): the same values land where column-by-column filling
 * puts them, and a value that may not go there is reported as column-by-column filling would
 * (the first tile that holds one, the first column in the block's order within it, its first
 * such row).
 */
import { describe, expect, test } from "bun:test";
import { DOUBLE, FLOAT } from "../../src/io/column-type.ts";
import { ColumnarTable, type HeldColumn } from "../../src/io/columnar-table.ts";
import { Rng } from "../../src/rng.ts";

const ROWS = 1_300; // past two tiles of 512 rows

function table(columns: number, make: (c: number) => Float32Array | Float64Array): ColumnarTable {
  const held: HeldColumn[] = Array.from({ length: columns }, (_, c) => {
    const values = make(c);
    return { name: `c${c}`, type: values instanceof Float32Array ? FLOAT : DOUBLE, pieces: [{ kind: "number", values }] };
  });
  return new ColumnarTable("t.parquet", "parquet", held, ROWS);
}

function randomColumn(kind: typeof Float32Array | typeof Float64Array, seed: number): Float32Array | Float64Array {
  const rng = new Rng(seed), out = new kind(ROWS);
  for (let r = 0; r < ROWS; r++) out[r] = rng.nextGaussian() * 10;
  return out;
}

describe("extract() four columns at a time", () => {
  test("float32 and float64 columns land where one column at a time puts them, with offsets, strides and a tail column", () => {
    for (const kind of [Float32Array, Float64Array] as const) {
      const t = table(9, (c) => randomColumn(kind, c));
      // Columns 0..8 into slots 1..9 of rows of 11 (quads 0-3 and 4-7, then column 8 alone).
      const quads = new kind(ROWS * 11);
      t.extract({ idColumn: null, numeric: [{ columns: [0, 1, 2, 3, 4, 5, 6, 7, 8], out: quads, rowStart: 0, stride: 11, offset: 1, kind: "finite" }] });
      // One column a call: nothing to join, so column by column.
      const single = new kind(ROWS * 11);
      for (let c = 0; c < 9; c++) t.extract({ idColumn: null, numeric: [{ columns: [c], out: single, rowStart: 0, stride: 11, offset: 1 + c, kind: "finite" }] });
      expect(Array.from(quads)).toEqual(Array.from(single));
      for (let r = 0; r < ROWS; r += 97) for (let c = 0; c < 9; c++) expect(quads[r * 11 + 1 + c]).toBe(t.cell(r, c) as number);
    }
  });

  test("a column with missing values, or of another type, leaves its four to one column at a time", () => {
    const held: HeldColumn[] = Array.from({ length: 4 }, (_, c) => ({
      name: `c${c}`, type: FLOAT, pieces: [{ kind: "number", values: randomColumn(Float32Array, c), ...(c === 2 ? { missing: new Uint8Array(ROWS) } : {}) }],
    }));
    const t = new ColumnarTable("t.parquet", "parquet", held, ROWS);
    const out = new Float32Array(ROWS * 4);
    t.extract({ idColumn: null, numeric: [{ columns: [0, 1, 2, 3], out, rowStart: 0, stride: 4, offset: 0, kind: "finite" }] });
    for (let r = 0; r < ROWS; r += 89) for (let c = 0; c < 4; c++) expect(out[r * 4 + c]).toBe(t.cell(r, c) as number);
  });

  test("the value reported is the one column-by-column filling meets first: the earliest tile, then the first column in it", () => {
    const fill = (bad: [number, number, number][]) => {
      const t = table(8, (c) => {
        const values = randomColumn(Float32Array, c);
        for (const [column, row, value] of bad) if (column === c) values[row] = value;
        return values;
      });
      const out = new Float32Array(ROWS * 8);
      return () => t.extract({ idColumn: null, numeric: [{ columns: [0, 1, 2, 3, 4, 5, 6, 7], out, rowStart: 0, stride: 8, offset: 0, kind: "finite" }] });
    };
    // Both in the second tile (rows 512–1023): column 2 comes before column 6, though its row is later.
    expect(fill([[6, 700, NaN], [2, 900, Infinity]])).toThrow('t.parquet: row 901, column "c2" holds Infinity; expected a finite number');
    // An earlier tile wins over an earlier column.
    expect(fill([[6, 100, NaN], [2, 900, Infinity]])).toThrow('row 101, column "c6"');
    // Within a column, its first such row.
    expect(fill([[1, 1200, NaN], [1, 1100, -Infinity]])).toThrow('row 1101, column "c1" holds -Infinity');
  });

  test("float64 values beyond the destination's range are refused four at a time too", () => {
    const t = table(4, (c) => {
      const values = randomColumn(Float64Array, c);
      if (c === 3) values[5] = 1e200;
      return values;
    });
    const out = new Float64Array(ROWS * 4);
    expect(() => t.extract({ idColumn: null, numeric: [{ columns: [0, 1, 2, 3], out, rowStart: 0, stride: 4, offset: 0, kind: "finite" }] }))
      .toThrow('row 6, column "c3" holds 1e+200: beyond ±1e+150');
  });
});

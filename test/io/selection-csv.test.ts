/** selected_samples.csv as writeSelectionCsv writes it: byte for byte, past its 1 MiB write buffer. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DOUBLE, TEXT } from "../../src/io/column-type.ts";
import { readCsvTable } from "../../src/io/csv.ts";
import { writeSelectionCsv, type ExtraColumn } from "../../src/io/output.ts";
import { PickedRows } from "../../src/io/picked-rows.ts";
import type { Pool } from "../../src/pool/pool.ts";
import { tempDir } from "../helpers.ts";

/** 40,000 rows (about 2 MiB written), picked in an order of their own. */
const ROWS = 40_000;
const order = Uint32Array.from({ length: ROWS }, (_, k) => (k * 7919) % ROWS);
const scores = Float64Array.from(order, (row) => 1 / (row + 3));
const labelText = Array.from(order, (row) => (row % 3 === 0 ? "cat, wild" : `class_${row % 7}`));
const labels: ExtraColumn[] = [{ name: "pseudo_label", text: labelText }];
const extra: ExtraColumn[] = [{ name: "candidate_weight", values: Float64Array.from(order, (row) => row / 8) }];
/** What the run adds to row k: the label (quoted when it holds a comma), score, rank, then the extra column. */
const added = (k: number) => {
  const label = labelText[k]!;
  return `,${label.includes(",") ? `"${label}"` : label},${float(scores[k]!)},${k + 1},${float(order[k]! / 8)}`;
};
const tail = ",pseudo_label,selection_score,selection_rank,candidate_weight";
/** A float as pandas, DuckDB and Polars write it to CSV: shortest form, a whole one with ".0" (so a reader infers a float column). */
const float = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));

describe("writeSelectionCsv", () => {
  test("a CSV pool's records repeated byte for byte (BOM, CRLF, quoting as written), each with what the run adds", () => {
    const records = Array.from({ length: ROWS }, (_, r) => `r${r},"a ""quoted"", cell",${(r % 100) / 100},${1 - (r % 100) / 100}`);
    const header = "id,note,prob_class_0,prob_class_1";
    const bytes = new TextEncoder().encode("\ufeff" + [header, ...records].join("\r\n") + "\r\n");
    const pool = { tables: [readCsvTable("pool.csv", bytes)], tableStarts: [0] } as unknown as Pool;
    const path = join(tempDir(), "selected.csv");
    writeSelectionCsv(path, pool, order, scores, extra, labels);
    const expected = "\ufeff" + header + tail + "\r\n" + Array.from(order, (row, k) => records[row] + added(k) + "\r\n").join("");
    expect(readFileSync(path, "utf8")).toBe(expected);
  });

  test("a columnar pool's cells formatted and quoted, over two tables", () => {
    const cells = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => [`doc-${from + i}`, (from + i) % 5 === 0 ? "x,y" : ` pad ${from + i}`, (from + i) / 3]);
    const columns = ["id", "note", "prob_class_0"];
    const half = ROWS / 2;
    const tables = [new PickedRows("a.parquet", "parquet", columns, [TEXT, TEXT, DOUBLE], cells(0, half)),
      new PickedRows("b.parquet", "parquet", columns, [TEXT, TEXT, DOUBLE], cells(half, ROWS))];
    const pool = { tables, tableStarts: [0, half] } as unknown as Pool;
    const path = join(tempDir(), "selected.csv");
    writeSelectionCsv(path, pool, order, scores, extra, labels);
    // A note with a comma or outer spaces is quoted; a DOUBLE column's numbers as floats are written.
    const row = (r: number) => `doc-${r},${r % 5 === 0 ? '"x,y"' : `" pad ${r}"`},${float(r / 3)}`;
    const expected = columns.join(",") + tail + "\n" + Array.from(order, (r, k) => row(r) + added(k) + "\n").join("");
    expect(readFileSync(path, "utf8")).toBe(expected);
  });
});

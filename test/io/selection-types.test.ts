/** The types of selected_samples.parquet when the pool's files type a column differently. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DOUBLE, integer, TEXT, timestamp, typeName } from "../../src/io/column-type.ts";
import { readParquetTable } from "../../src/io/parquet.ts";
import { writeParquetFile } from "../../src/io/parquet-writer.ts";
import { Timestamp } from "../../src/io/typed-values.ts";
import { main } from "../../src/run.ts";
import { tempDir } from "../helpers.ts";

describe("a pool whose files type a column differently", () => {
  test("is written with the type that holds both: integers widened, timestamps in the finer unit, other mixes as text", async () => {
    const input = tempDir();
    writeParquetFile(join(input, "part-0.parquet"), [
      { name: "id", type: TEXT, values: ["a", "b"] },
      { name: "prob_class_0", type: DOUBLE, values: [0.5, 0.9] },
      { name: "prob_class_1", type: DOUBLE, values: [0.5, 0.1] },
      { name: "count", type: integer(32, false), values: [4294967295, 1] },
      { name: "seen", type: timestamp("ms", "UTC"), values: [new Timestamp(1700000000123n, "ms", "UTC"), null] },
      { name: "mixed", type: DOUBLE, values: [1.5, 2] },
    ]);
    writeParquetFile(join(input, "part-1.parquet"), [
      { name: "id", type: TEXT, values: ["c", "d"] },
      { name: "prob_class_0", type: DOUBLE, values: [0.6, 0.99] },
      { name: "prob_class_1", type: DOUBLE, values: [0.4, 0.01] },
      { name: "count", type: integer(8, true), values: [-128, 0] },
      { name: "seen", type: timestamp("ns", "UTC"), values: [new Timestamp(1700000000123456789n, "ns", "UTC"), null] },
      { name: "mixed", type: TEXT, values: ["x", null] },
    ]);
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["--input", input, "--output", output, "--strategy", "uncertainty", "--batch-size", "2", "--output-format", "parquet", "--no-save-report"]);
    expect(result.error?.message ?? null).toBeNull();
    const table = await readParquetTable(join(output, "selected_samples.parquet"));
    expect(table.columnTypes.slice(3, 6).map(typeName)).toEqual(["int64", "timestamp[ns, tz=UTC]", "string"]);
    // Margin picks a ([0.5, 0.5]) then c ([0.6, 0.4]).
    expect(table.extract({ idColumn: 0, numeric: [] })).toEqual(["a", "c"]);
    expect([table.cell(0, 3), table.cell(1, 3)]).toEqual([4294967295n, -128n]);
    expect([String(table.cell(0, 4)), String(table.cell(1, 4))]).toEqual(["2023-11-14T22:13:20.123000000Z", "2023-11-14T22:13:20.123456789Z"]);
    expect([table.cell(0, 5), table.cell(1, 5)]).toEqual(["1.5", "x"]);
  });
});

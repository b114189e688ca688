/**
 * Golden files written by DuckDB and by Polars (test/fixtures/golden, made by
 * scripts/golden/write-golden.ts), one column of every type we promise to keep, each beside a
 * .json of its expected content. Each is read by our readers, written back through a selection
 * (in process and through the compiled binary), and our output is read back by DuckDB and by
 * Polars, not only by our own reader, and compared column by column with the input.
 */
import { describe, expect, test } from "bun:test";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import pl from "nodejs-polars";
import { readArrowTable } from "../../src/io/arrow.ts";
import { typeName } from "../../src/io/column-type.ts";
import { readParquetTable } from "../../src/io/parquet.ts";
import type { Table } from "../../src/io/table.ts";
import { CalendarDate, Decimal, TimeOfDay, Timestamp } from "../../src/io/typed-values.ts";
import { main } from "../../src/run.ts";
import { runBinary } from "../binary.ts";
import { tempDir } from "../helpers.ts";

const GOLDEN = resolve(import.meta.dir, "../fixtures/golden");

interface Expected {
  writer: string;
  rows: number;
  columns: { name: string; type: string; values: unknown[] }[];
}

/** Each input file, the .json of its content, and a Parquet file of the same data (DuckDB's reference view of it). */
const FIXTURES = [
  { file: "duckdb-types.parquet", expected: "duckdb-types.json", parquetTwin: "duckdb-types.parquet" },
  { file: "polars-types.parquet", expected: "polars-types.json", parquetTwin: "polars-types.parquet" },
  { file: "polars-types.arrow", expected: "polars-types.json", parquetTwin: "polars-types.parquet" },
] as const;

function expectedOf(name: string): Expected {
  return JSON.parse(readFileSync(join(GOLDEN, name), "utf8")) as Expected;
}

function readTable(path: string): Promise<Table> {
  return path.endsWith(".arrow") ? readArrowTable(path) : readParquetTable(path);
}

/** A cell in the .json's lossless form: integers and decimals as text, timestamps as their count in the unit. */
function canonical(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (/^u?int/.test(type)) return String(value);
  if (value instanceof Timestamp || value instanceof TimeOfDay) return value.value.toString();
  if (value instanceof CalendarDate || value instanceof Decimal || typeof value === "bigint") return value.toString();
  return value;
}

/** The .json's lossless form of a column, as DuckDB renders it from a file. */
function duckCanonical(name: string, type: string): string {
  const c = `"${name}"`;
  if (/^u?int|^decimal|^date/.test(type)) return `${c}::VARCHAR`;
  const unit = /^timestamp\[(ms|us|ns)/.exec(type)?.[1];
  if (unit) return `epoch_${unit}(${c})::VARCHAR`;
  if (type.startsWith("time")) return `epoch_us(${c})::VARCHAR`; // DuckDB's TIME counts µs
  if (type === "float") return `${c}::DOUBLE`;
  if (type === "dictionary<string>") return `${c}::VARCHAR`;
  return c;
}

async function duck<T>(use: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    await db.run("SET TimeZone = 'UTC'");
    return await use(db);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

async function duckTypes(db: DuckDBConnection, path: string): Promise<Record<string, string>> {
  const rows = (await db.runAndReadAll(`SELECT name, duckdb_type FROM parquet_schema('${path}') WHERE duckdb_type IS NOT NULL`)).getRowObjectsJson();
  return Object.fromEntries(rows.map((r) => [String(r.name), String(r.duckdb_type)]));
}

async function duckValues(db: DuckDBConnection, from: string, expected: Expected): Promise<Record<string, unknown[]>> {
  const select = expected.columns.map((c) => `${duckCanonical(c.name, c.type)} AS "${c.name}"`).join(", ");
  const rows = (await db.runAndReadAll(`SELECT ${select} FROM ${from} ORDER BY id`)).getRowObjectsJson();
  return Object.fromEntries(expected.columns.map((c) => [c.name, rows.map((r) => r[c.name] ?? null)]));
}

/** Columns of a CSV file as the text it holds, rows in id order (read by DuckDB, which handles quoted newlines). */
function csvText(path: string, columns: string[]): Promise<Record<string, (string | null)[]>> {
  return duck(async (db) => {
    const rows = (await db.runAndReadAll(`SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM read_csv('${path}', header = true, all_varchar = true) ORDER BY id`)).getRowObjectsJson();
    return Object.fromEntries(columns.map((c) => [c, rows.map((r) => (r[c] ?? null) as string | null)]));
  });
}

/** The .json's lossless form of each column, as Polars renders it from a Parquet file, rows in id order. */
function polarsValues(path: string, expected: Expected): Record<string, unknown[]> {
  const render = (name: string, type: string) => {
    const c = pl.col(name);
    if (/^u?int|^decimal|^date|^dictionary/.test(type)) return c.cast(pl.Utf8);
    if (type.startsWith("timestamp")) return c.cast(pl.Int64).cast(pl.Utf8);
    if (type.startsWith("time")) return c.cast(pl.Int64); // Polars' Time counts ns
    if (type === "float") return c.cast(pl.Float64);
    return c;
  };
  const frame = pl.readParquet(path).sort("id").select(...expected.columns.map((col) => render(col.name, col.type).alias(col.name)));
  const nanosPer = (type: string) => ({ ms: 1_000_000n, us: 1000n, ns: 1n })[/^time\d\d\[(ms|us|ns)\]/.exec(type)?.[1] as "ms"] ?? 1n;
  return Object.fromEntries(expected.columns.map((col) => [col.name, frame.getColumn(col.name).toArray().map((v: unknown) => {
    if (typeof v === "bigint" || (col.type.startsWith("time") && !col.type.startsWith("timestamp") && typeof v === "number")) {
      return col.type.startsWith("time") && !col.type.startsWith("timestamp") ? (BigInt(v) / nanosPer(col.type)).toString() : v.toString();
    }
    return v ?? null;
  })]));
}

const expectedValues = (expected: Expected) => Object.fromEntries(expected.columns.map((c) => [c.name, c.values]));

/** Selects every row (uncertainty on `prob`) and writes the selection in `format`. */
async function selectAll(input: string, format: "parquet" | "csv", through: "main" | "binary"): Promise<string> {
  const dir = tempDir();
  cpSync(input, join(dir, input.split("/").pop()!));
  const output = join(tempDir(), "out");
  const args = ["--input", dir, "--output", output, "--strategy", "uncertainty", "--batch-size", "5", "--output-format", format, "--no-save-report", "--quiet"];
  const env = { SCORE_FIELD: "prob" };
  if (through === "main") {
    const result = await main({}, {}, env, args);
    expect(result.error?.message ?? null).toBeNull();
  } else {
    const run = runBinary(args, env);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
  }
  return join(output, `selected_samples.${format}`);
}

describe("golden files from DuckDB and Polars", () => {
  for (const fixture of FIXTURES) {
    const input = join(GOLDEN, fixture.file);
    const expected = expectedOf(fixture.expected);

    test(`${fixture.file}: our reader gives every column's type and values as the .json says`, async () => {
      const table = await readTable(input);
      expect(table.rowCount).toBe(expected.rows);
      expect(table.columns).toEqual(expected.columns.map((c) => c.name));
      expect(table.columnTypes.map(typeName)).toEqual(expected.columns.map((c) => c.type));
      expected.columns.forEach((column, c) => {
        const values = Array.from({ length: table.rowCount }, (_, r) => canonical(table.cell(r, c), column.type));
        expect({ column: column.name, values }).toEqual({ column: column.name, values: column.values });
      });
    });

    for (const through of ["main", "binary"] as const) {
      test(`${fixture.file} → Parquet (${through}): DuckDB and Polars read back every column's type and values`, async () => {
        const output = await selectAll(input, "parquet", through);
        const twin = join(GOLDEN, fixture.parquetTwin);
        await duck(async (db) => {
          const inputTypes = await duckTypes(db, twin);
          const outputTypes = await duckTypes(db, output);
          expect(outputTypes).toEqual({ ...inputTypes, predicted_label: "VARCHAR", selection_score: "DOUBLE", selection_rank: "INTEGER" });
          // DuckDB's view of our file is its view of the input (it reads zoned ns timestamps as µs, alike in both).
          expect(await duckValues(db, `'${output}'`, expected)).toEqual(await duckValues(db, `'${twin}'`, expected));
        });
        // Polars reads the time zone names and categoricals too (from the ARROW:schema we write),
        // and every value at full precision as the .json has it.
        const polarsTypes = (path: string) => pl.readParquet(path).dtypes.map(String);
        expect(polarsTypes(output).slice(0, expected.columns.length)).toEqual(polarsTypes(twin));
        expect(polarsValues(output, expected)).toEqual(expectedValues(expected));
        // And our own reader gives back what it read.
        const back = await readParquetTable(output);
        expect(back.columnTypes.slice(0, expected.columns.length).map(typeName)).toEqual(expected.columns.map((c) => c.type));
      }, 60_000);
    }
  }

  test("CSV → Parquet: an empty cell is null in text columns as in number columns, as DuckDB reads the same CSV", async () => {
    const csv = join(tempDir(), "pool.csv");
    writeFileSync(csv, "id,prob,note,count,ratio\nr1,0.9,,3,0.5\nr2,0.8,kept,,\nr3,0.7, ,7,1.5\nr4,0.6,\"\",8,2\nr5,0.55,x,9,2.5\n");
    const output = await selectAll(csv, "parquet", "main");
    const rows = (db: DuckDBConnection, from: string) => db.runAndReadAll(`SELECT id, note, count::BIGINT AS count, ratio::DOUBLE AS ratio FROM ${from} ORDER BY id`)
      .then((reader) => reader.getRowObjectsJson());
    await duck(async (db) => {
      const ours = await rows(db, `'${output}'`);
      expect(ours.map((r) => r.note)).toEqual([null, "kept", " ", null, "x"]);
      expect(ours).toEqual(await rows(db, `read_csv('${csv}')`));
    });
  }, 60_000);

  test("Parquet → CSV: a DOUBLE column of whole numbers is written 50.0, so DuckDB reads it back as DOUBLE; JSON lines numbers stay as written", async () => {
    const dir = tempDir();
    await duck((db) => db.run(`COPY (SELECT 'r' || i AS id, 1.0 / (i + 2) AS prob, (i * 10)::DOUBLE AS weight, i::BIGINT AS n FROM range(5) t(i)) TO '${dir}/pool.parquet'`));
    const output = await selectAll(join(dir, "pool.parquet"), "csv", "main");
    const lines = readFileSync(output, "utf8").trim().split("\n");
    expect(lines[0]).toBe("id,prob,weight,n,predicted_label,selection_score,selection_rank");
    const weightOf = Object.fromEntries(lines.slice(1).map((line) => [line.split(",")[0], line.split(",")[2]]));
    expect(weightOf).toEqual({ r0: "0.0", r1: "10.0", r2: "20.0", r3: "30.0", r4: "40.0" });
    await duck(async (db) => {
      const types = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_csv('${output}')`)).getRowObjectsJson();
      expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({ weight: "DOUBLE", n: "BIGINT", selection_score: "DOUBLE" });
    });
    const jsonl = join(tempDir(), "pool.jsonl");
    writeFileSync(jsonl, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `r${i}`, prob: 1 / (i + 2), n: i })).join("\n") + "\n");
    const fromJson = readFileSync(await selectAll(jsonl, "csv", "main"), "utf8").trim().split("\n");
    expect(Object.fromEntries(fromJson.slice(1).map((line) => [line.split(",")[0], line.split(",")[2]]))).toEqual({ r0: "0", r1: "1", r2: "2", r3: "3", r4: "4" });
  }, 60_000);

  test("duckdb-types.parquet → CSV: DuckDB parses every column back to the input's values, timestamps at full precision", async () => {
    const input = join(GOLDEN, "duckdb-types.parquet");
    const expected = expectedOf("duckdb-types.json");
    const output = await selectAll(input, "csv", "binary");
    await duck(async (db) => {
      const types = await duckTypes(db, input);
      const columns = Object.entries({ ...types, predicted_label: "VARCHAR", selection_score: "DOUBLE", selection_rank: "INTEGER" })
        .map(([name, type]) => `'${name}': '${type.startsWith("ENUM") ? "VARCHAR" : type}'`).join(", ");
      const values = await duckValues(db, `read_csv('${output}', header = true, columns = {${columns}})`, expected);
      // CSV has one empty cell for an empty string and for a null.
      const expectedNoEmpty = Object.fromEntries(expected.columns.map((c) => [c.name, c.values.map((v) => (v === "" ? null : v))]));
      expect(values).toEqual(expectedNoEmpty);
    });
    const text = await csvText(output, ["ts_ns", "ts_tz"]);
    expect(text.ts_ns![0]).toBe("2024-01-02T03:04:05.123456789");
    expect(text.ts_tz![0]).toBe("2024-01-02T03:04:05.123456Z");
  }, 60_000);

  test("polars-types.parquet → CSV: a zoned timestamp is written as Polars writes it, wall time and offset at full precision", async () => {
    const input = join(GOLDEN, "polars-types.parquet");
    const output = await selectAll(input, "csv", "binary"); // the compiled binary carries the zone data too
    const polars = pl.readParquet(input).sort("id")
      .select(pl.col("ts_ns_paris").dt.strftime("%Y-%m-%dT%H:%M:%S%.9f%:z").alias("text")).getColumn("text").toArray() as unknown[];
    expect((await csvText(output, ["ts_ns_paris"])).ts_ns_paris as unknown[]).toEqual(polars);
  }, 60_000);
});

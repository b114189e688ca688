/**
 * Writes the golden files in test/fixtures/golden/: one column of every type we promise to
 * keep (integers of each width and sign, floats, booleans, decimals, date32, timestamps in ms,
 * µs and ns with and without a time zone, times of day, dictionary strings), written by DuckDB and by Polars
 * rather than by us, each beside a .json of its expected content.
 *
 *   bun scripts/golden/write-golden.ts        (needs the dev dependencies @duckdb/node-api, nodejs-polars)
 *
 * Each .json holds, per column, the type our readers must report (`type`, as typeName spells
 * it: declared here, by hand) and the values as the writing tool itself renders them, in one
 * lossless text form per kind: integers and decimals as decimal text, dates as YYYY-MM-DD,
 * timestamps as their integer count in the column's unit since the epoch (UTC for zoned
 * ones), times of day as their count in the unit since midnight, floats and doubles as JSON
 * numbers, null where there is none.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pl from "nodejs-polars";

const OUT = resolve(import.meta.dir, "../../test/fixtures/golden");

interface Column {
  name: string;
  /** The type our readers must report (column-type.ts typeName). */
  type: string;
}

interface DuckColumn extends Column {
  /** DuckDB SQL type of the column. */
  sql: string;
  /** Its five values as SQL literals (the last row is mostly nulls). */
  values: string[];
  /** How DuckDB renders it losslessly, with `$` for the column. */
  canonical: string;
}

const EPOCH = { ms: "epoch_ms($)::VARCHAR", us: "epoch_us($)::VARCHAR", ns: "epoch_ns($)::VARCHAR" };

const DUCK_COLUMNS: DuckColumn[] = [
  { name: "id", sql: "VARCHAR", type: "string", values: ["'row-0'", "'row-1'", "'row-2'", "'row-3'", "'row-4'"], canonical: "$" },
  { name: "prob", sql: "DOUBLE", type: "double", values: ["0.5", "0.9", "0.1", "0.625", "0.75"], canonical: "$" },
  { name: "i8", sql: "TINYINT", type: "int8", values: ["-128", "127", "0", "-1", "NULL"], canonical: "$::VARCHAR" },
  { name: "i16", sql: "SMALLINT", type: "int16", values: ["-32768", "32767", "0", "7", "NULL"], canonical: "$::VARCHAR" },
  { name: "i32", sql: "INTEGER", type: "int32", values: ["-2147483648", "2147483647", "0", "42", "NULL"], canonical: "$::VARCHAR" },
  { name: "i64", sql: "BIGINT", type: "int64", values: ["-9223372036854775808", "9223372036854775807", "9007199254740993", "0", "NULL"], canonical: "$::VARCHAR" },
  { name: "u8", sql: "UTINYINT", type: "uint8", values: ["255", "0", "1", "128", "NULL"], canonical: "$::VARCHAR" },
  { name: "u16", sql: "USMALLINT", type: "uint16", values: ["65535", "0", "1", "32768", "NULL"], canonical: "$::VARCHAR" },
  { name: "u32", sql: "UINTEGER", type: "uint32", values: ["4294967295", "0", "2147483648", "1", "NULL"], canonical: "$::VARCHAR" },
  { name: "u64", sql: "UBIGINT", type: "uint64", values: ["18446744073709551615", "0", "9223372036854775808", "1", "NULL"], canonical: "$::VARCHAR" },
  { name: "flag", sql: "BOOLEAN", type: "bool", values: ["true", "false", "true", "false", "NULL"], canonical: "$" },
  { name: "f32", sql: "FLOAT", type: "float", values: ["1.5", "-0.25", "3.0e38", "0", "NULL"], canonical: "$::DOUBLE" },
  { name: "d9", sql: "DECIMAL(9,2)", type: "decimal(9, 2)", values: ["1234567.89", "-0.01", "0", "-9999999.99", "NULL"], canonical: "$::VARCHAR" },
  { name: "d18", sql: "DECIMAL(18,6)", type: "decimal(18, 6)", values: ["123456789012.345678", "-0.000001", "0", "1", "NULL"], canonical: "$::VARCHAR" },
  { name: "d38", sql: "DECIMAL(38,10)", type: "decimal(38, 10)", values: ["1234567890123456789012345678.0123456789", "-0.0000000001", "0", "-99999999999999999999999999.9", "NULL"], canonical: "$::VARCHAR" },
  { name: "day", sql: "DATE", type: "date32", values: ["'2024-02-29'", "'1969-12-31'", "'1970-01-01'", "'2999-12-31'", "NULL"], canonical: "$::VARCHAR" },
  { name: "ts_ms", sql: "TIMESTAMP_MS", type: "timestamp[ms]", values: ["'2024-01-02 03:04:05.123'", "'1969-12-31 23:59:59.999'", "'1970-01-01'", "'2262-04-11 23:47:16.854'", "NULL"], canonical: EPOCH.ms },
  { name: "ts_us", sql: "TIMESTAMP", type: "timestamp[us]", values: ["'2024-01-02 03:04:05.123456'", "'1969-12-31 23:59:59.999999'", "'1970-01-01'", "'1900-01-01 00:00:00.000001'", "NULL"], canonical: EPOCH.us },
  { name: "ts_ns", sql: "TIMESTAMP_NS", type: "timestamp[ns]", values: ["'2024-01-02 03:04:05.123456789'", "'1969-12-31 23:59:59.999999999'", "'1970-01-01'", "'2000-01-01 00:00:00.000000001'", "NULL"], canonical: EPOCH.ns },
  { name: "ts_tz", sql: "TIMESTAMPTZ", type: "timestamp[us, tz=UTC]", values: ["'2024-01-02 03:04:05.123456+00'", "'2024-06-30 23:00:00.000001+02'", "'1970-01-01 00:00:00+00'", "'1969-07-20 20:17:40+00'", "NULL"], canonical: EPOCH.us },
  { name: "clock", sql: "TIME", type: "time64[us]", values: ["'03:04:05.123456'", "'00:00:00'", "'23:59:59.999999'", "'12:00:00.000001'", "NULL"], canonical: "epoch_us($)::VARCHAR" },
  { name: "category", sql: "ENUM('cat', 'dog', 'bird')", type: "string", values: ["'cat'", "'dog'", "'cat'", "'bird'", "NULL"], canonical: "$::VARCHAR" },
  { name: "note", sql: "VARCHAR", type: "string", values: ["'comma, \"quote\"'", "'naïve café 東京'", "''", "'line\nbreak'", "NULL"], canonical: "$" },
];

async function writeDuckDb(): Promise<void> {
  const db = await (await DuckDBInstance.create(":memory:")).connect();
  await db.run("SET TimeZone = 'UTC'");
  const rows = DUCK_COLUMNS[0]!.values.map((_, r) => `(${DUCK_COLUMNS.map((c) => `(${c.values[r]})::${c.sql}`).join(", ")})`);
  await db.run(`CREATE TABLE golden AS SELECT * FROM (VALUES ${rows.join(",\n")}) t(${DUCK_COLUMNS.map((c) => c.name).join(", ")})`);
  const path = join(OUT, "duckdb-types.parquet");
  await db.run(`COPY golden TO '${path}' (FORMAT parquet)`);
  // The expected content as DuckDB reads its own file back.
  const canonical = DUCK_COLUMNS.map((c) => `${c.canonical.replaceAll("$", `"${c.name}"`)} AS "${c.name}"`);
  const read = await db.runAndReadAll(`SELECT ${canonical.join(", ")} FROM '${path}'`);
  const records = read.getRowObjectsJson() as Record<string, unknown>[];
  writeExpected("duckdb-types", `DuckDB (@duckdb/node-api ${duckVersion()})`, DUCK_COLUMNS, records);
}

function duckVersion(): string {
  return (require("@duckdb/node-api/package.json") as { version: string }).version;
}

interface PolarsColumn extends Column {
  series: () => pl.Series;
  /** Polars' lossless rendering of the column. */
  canonical: (e: pl.Expr) => pl.Expr;
}

const asText = (e: pl.Expr) => e.cast(pl.Utf8);
const asEpoch = (e: pl.Expr) => e.cast(pl.Int64).cast(pl.Utf8);
const same = (e: pl.Expr) => e;
const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;
/** An Int64 series from exact integers: nodejs-polars 0.25.2 reads bigints given for Int64 as nulls, so they go through text. */
const int64 = (name: string, values: (bigint | null)[]) => pl.Series(name, values.map((v) => (v === null ? null : v.toString()))).cast(pl.Int64);

const POLARS_COLUMNS: PolarsColumn[] = [
  { name: "id", type: "string", series: () => pl.Series("id", ["row-0", "row-1", "row-2", "row-3", "row-4"]), canonical: same },
  { name: "prob", type: "double", series: () => pl.Series("prob", [0.5, 0.9, 0.1, 0.625, 0.75], pl.Float64), canonical: same },
  { name: "i8", type: "int8", series: () => pl.Series("i8", [-128, 127, 0, -1, null], pl.Int8), canonical: asText },
  { name: "i16", type: "int16", series: () => pl.Series("i16", [-32768, 32767, 0, 7, null], pl.Int16), canonical: asText },
  { name: "i64", type: "int64", series: () => int64("i64", [-9223372036854775808n, 9223372036854775807n, 9007199254740993n, 0n, null]), canonical: asText },
  { name: "u8", type: "uint8", series: () => pl.Series("u8", [255, 0, 1, 128, null], pl.UInt8), canonical: asText },
  { name: "u16", type: "uint16", series: () => pl.Series("u16", [65535, 0, 1, 32768, null], pl.UInt16), canonical: asText },
  { name: "u32", type: "uint32", series: () => pl.Series("u32", [4294967295, 0, 2147483648, 1, null], pl.UInt32), canonical: asText },
  { name: "u64", type: "uint64", series: () => pl.Series("u64", [18446744073709551615n, 0n, 9223372036854775808n, 1n, null], pl.UInt64), canonical: asText },
  { name: "flag", type: "bool", series: () => pl.Series("flag", [true, false, true, false, null], pl.Bool), canonical: same },
  { name: "f32", type: "float", series: () => pl.Series("f32", [1.5, -0.25, 3e38, 0, null], pl.Float32), canonical: (e) => e.cast(pl.Float64) },
  {
    name: "dec", type: "decimal(12, 4)",
    series: () => pl.Series("dec", ["12345678.9012", "-0.0001", "0", "-99999999.9999", null]).cast(pl.Decimal(12, 4)), canonical: asText,
  },
  { name: "day", type: "date32", series: () => pl.Series("day", [19782, -1, 0, 376199, null], pl.Int32).cast(pl.Date), canonical: asText },
  {
    name: "ts_ms", type: "timestamp[ms]",
    series: () => int64("ts_ms", [1704164645123n, -1n, 0n, 9223372036854n, null]).cast(pl.Datetime("ms")), canonical: asEpoch,
  },
  {
    name: "ts_us", type: "timestamp[us]",
    series: () => int64("ts_us", [1704164645123456n, -1n, 0n, micros("1900-01-01T00:00:00Z") + 1n, null]).cast(pl.Datetime("us")), canonical: asEpoch,
  },
  {
    name: "ts_ns_paris", type: "timestamp[ns, tz=Europe/Paris]",
    series: () => int64("ts_ns_paris", [1704164645123456789n, -1n, 0n, 1719781200000000001n, null]).cast(pl.Datetime("ns", "Europe/Paris")), canonical: asEpoch,
  },
  {
    name: "ts_utc", type: "timestamp[us, tz=UTC]",
    series: () => int64("ts_utc", [1704164645123456n, 1n, 0n, -14182940000000n, null]).cast(pl.Datetime("us", "UTC")), canonical: asEpoch,
  },
  {
    name: "clock", type: "time64[ns]",
    series: () => int64("clock", [11045123456789n, 0n, 86399999999999n, 43200000000001n, null]).cast(pl.Time), canonical: asEpoch,
  },
  {
    name: "category", type: "dictionary<string>",
    series: () => pl.Series("category", ["cat", "dog", "cat", "bird", null]).cast(pl.Categorical), canonical: asText,
  },
  { name: "note", type: "string", series: () => pl.Series("note", ['comma, "quote"', "naïve café 東京", "", "line\nbreak", null]), canonical: same },
];

function writePolars(): void {
  const frame = pl.DataFrame(POLARS_COLUMNS.map((c) => c.series()));
  const types = frame.dtypes.map(String);
  frame.writeParquet(join(OUT, "polars-types.parquet"));
  frame.writeIPC(join(OUT, "polars-types.arrow"));
  const records = frame.select(...POLARS_COLUMNS.map((c) => c.canonical(pl.col(c.name)).alias(c.name))).toRecords() as Record<string, unknown>[];
  const writer = `Polars (nodejs-polars ${(require("nodejs-polars/package.json") as { version: string }).version}; dtypes ${types.join(", ")})`;
  writeExpected("polars-types", writer, POLARS_COLUMNS, records);
}

function writeExpected(name: string, writer: string, columns: readonly Column[], records: Record<string, unknown>[]): void {
  const expected = {
    writer,
    script: "scripts/golden/write-golden.ts",
    rows: records.length,
    columns: columns.map((c) => ({ name: c.name, type: c.type, values: records.map((r) => jsonValue(r[c.name])) })),
  };
  writeFileSync(join(OUT, `${name}.json`), JSON.stringify(expected, null, 2) + "\n");
}

function jsonValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  return value;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
await writeDuckDb();
writePolars();
console.log(`wrote ${OUT}`);

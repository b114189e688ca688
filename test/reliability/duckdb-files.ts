/**
 * Real files as DuckDB writes them (Parquet, CSV, JSON, Hive-partitioned folders), for the
 * upstream-input tests: what a pipeline's SQL step leaves in an S3 prefix, made here rather
 * than committed.
 */
import { DuckDBInstance } from "@duckdb/node-api";

/** Runs the statements in a fresh in-memory database; `$DIR` in them is replaced by `dir`. */
export async function duckdb(dir: string, statements: readonly string[]): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const sql of statements) await connection.run(sql.replaceAll("$DIR", dir.replaceAll("'", "''")));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * A table `pool` of n rows: id r0.., a `split` in {a, b, c}, two class probabilities that sum to
 * 1 exactly (multiples of 1/16) and two embedding columns, all a function of the row number.
 */
export function poolTable(n: number): string {
  return `CREATE TABLE pool AS SELECT 'r' || i AS id, ['a', 'b', 'c'][i % 3 + 1] AS split,
    1 - ((i * 7) % 17) / 16 AS prob_class_0, ((i * 7) % 17) / 16 AS prob_class_1,
    ((i * 13) % 11) - 5.0 AS emb_0, ((i * 5) % 7) - 3.0 AS emb_1
    FROM range(${n}) r(i)`;
}

/**
 * What real upstreams write, odd but valid or plainly broken: Spark/Glue/Athena folder layouts,
 * DuckDB and pyarrow-style files, misnamed files, LLM (Bedrock) label-and-confidence outputs,
 * rule sets, JSON ids as written. Every input is generated here (DuckDB writes the real
 * Parquet, CSV and JSON files). Each case must end with a selection whose rows and columns are
 * checked, or a refusal naming the file and what to do; never a stack trace, never a silent
 * change or skip: whatever was left out or read differently from its name is in the log.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { duckdb, poolTable } from "./duckdb-files.ts";
import { basePool, runIn, tempDir, toCsv, writeTree, type Sheet } from "./harness.ts";
import { column, readOutput, runCase, type UpstreamCase } from "./upstream-case.ts";

const enc = (text: string) => new TextEncoder().encode(text);
const uncertainty = ["--strategy", "uncertainty", "--batch-size", "4"];
const pool = basePool(9, 2, 2);
const csv = (sheet: Sheet) => toCsv(sheet);
/** The pool split into three row ranges, for sharded layouts. */
const part = (k: number): Sheet => ({ columns: pool.columns, rows: pool.rows.slice(3 * k, 3 * k + 3) });

/** All rows of the pool selected: ids as a sorted list. */
const everyId = pool.rows.map((r) => String(r[0])).sort();

const LAYOUTS: UpstreamCase[] = [
  {
    name: "Spark Parquet output: part files beside _SUCCESS and .crc checksums",
    build: async (dir) => {
      await duckdb(dir, [poolTable(12), `COPY pool TO '$DIR/part-00000-3f2a-c000.snappy.parquet' (FORMAT PARQUET, COMPRESSION SNAPPY)`]);
      writeTree(dir, { "_SUCCESS": "", ".part-00000-3f2a-c000.snappy.parquet.crc": "crc", "._SUCCESS.crc": "crc" });
    },
    args: [...uncertainty, "--batch-size", "12"],
    selected: (o) => expect(column(o, "id").length).toBe(12),
    log: [/skipped 3 bookkeeping or hidden entries .*\._SUCCESS\.crc, \.part-00000-3f2a-c000\.snappy\.parquet\.crc, _SUCCESS/],
  },
  {
    name: "Hive-partitioned Parquet (DuckDB PARTITION_BY): split=a/ folders become a column",
    build: (dir) => duckdb(dir, [poolTable(12), `COPY pool TO '$DIR' (FORMAT PARQUET, PARTITION_BY (split), OVERWRITE_OR_IGNORE)`]),
    args: [...uncertainty, "--batch-size", "12"],
    selected: (o) => {
      const ids = column(o, "id"), splits = column(o, "split");
      expect(ids.length).toBe(12);
      // r0, r3, r6, r9 were written to split=a/ and so on: every row keeps its folder's value.
      ids.forEach((id, k) => expect(splits[k]).toBe(["a", "b", "c"][Number(id.slice(1)) % 3]));
      expect((o.metadata.input as { files: unknown[] }).files.length).toBe(3);
    },
    log: [/partition folders give the column split/],
  },
  {
    name: "Hive-partitioned CSV: the records stay byte for byte, the folder value follows",
    build: (dir) => writeTree(dir, { "model=v2/day=2024-01-01/part-0.csv": csv(part(0)), "model=v2/day=2024-01-02/part-0.csv": csv(part(1)) }),
    args: [...uncertainty, "--batch-size", "6"],
    selected: (o) => {
      expect(o.header.slice(-5)).toEqual(["model", "day", "predicted_label", "selection_score", "selection_rank"]);
      const lines = csv(pool).split("\n");
      for (const row of o.rows) {
        const id = row[0]!;
        const original = lines.find((l) => l.startsWith(id + ","))!;
        expect(row.slice(0, -5).join(",")).toBe(original);
        expect(row[row.length - 5]).toBe("v2");
        expect(row[row.length - 4]).toBe(Number(id.slice(1)) < 3 ? "2024-01-01" : "2024-01-02");
      }
    },
  },
  {
    name: "partition values are kept as written: 007 stays 007, not 7",
    build: (dir) => writeTree(dir, { "batch=007/p.csv": csv(part(0)), "batch=010/p.csv": csv(part(1)) }),
    args: [...uncertainty, "--batch-size", "6"],
    selected: (o) => expect(new Set(column(o, "batch"))).toEqual(new Set(["007", "010"])),
  },
  {
    name: "percent-escaped partition values (Hive escapes ':' and ' ') are decoded as pyarrow does",
    build: (dir) => writeTree(dir, { "ts=2024-01-01 12%3A00%3A00/p.csv": csv(part(0)) }),
    args: [...uncertainty, "--batch-size", "3"],
    selected: (o) => expect(column(o, "ts")).toEqual(["2024-01-01 12:00:00", "2024-01-01 12:00:00", "2024-01-01 12:00:00"]),
  },
  {
    name: "a partition key the files already hold: the files' values are kept, and the log says so",
    build: (dir) => writeTree(dir, { "id=x/p.csv": csv(part(0)) }),
    args: [...uncertainty, "--batch-size", "3"],
    selected: (o) => expect(column(o, "id").sort()).toEqual(["r0", "r1", "r2"]),
    log: [/folder id=x names a column the file already holds; the file's own "id" values are kept/],
  },
  {
    name: "a numeric partition (fold=3) is not taken for a feature column",
    build: (dir) => writeTree(dir, {
      "fold=1/p.csv": csv({ columns: ["id", "prob_class_0", "prob_class_1", "f"], rows: [["a", 0.5, 0.5, 1], ["b", 0.25, 0.75, 2]] }),
      "fold=2/p.csv": csv({ columns: ["id", "prob_class_0", "prob_class_1", "f"], rows: [["c", 0.5, 0.5, 3], ["d", 0.75, 0.25, 9]] }),
    }),
    args: ["--strategy", "diversity", "--batch-size", "2"],
    selected: (o) => expect(o.metadata.vector_columns).toEqual(["f"]),
  },
  {
    name: "a partition column as BALANCE_COLUMN: quotas over the folders",
    build: (dir) => duckdb(dir, [poolTable(12), `COPY pool TO '$DIR' (FORMAT PARQUET, PARTITION_BY (split), OVERWRITE_OR_IGNORE)`]),
    args: ["--strategy", "uncertainty", "--batch-size", "6", "--class-balance", "uniform", "--balance-column", "split"],
    selected: (o) => {
      const splits = column(o, "split");
      for (const s of ["a", "b", "c"]) expect(splits.filter((x) => x === s).length).toBe(2);
    },
  },
  {
    name: "S3 shards in plain subdirectories are all read, in path order",
    build: (dir) => writeTree(dir, { "shard-1/b.csv": csv(part(1)), "shard-0/a.csv": csv(part(0)), "shard-2/x/y.csv": csv(part(2)) }),
    args: [...uncertainty, "--batch-size", "9"],
    selected: (o) => {
      expect(column(o, "id").sort()).toEqual(everyId);
      expect((o.metadata.input as { files: { path: string }[] }).files.map((f) => f.path.split("/").slice(-2).join("/"))).toEqual(["shard-0/a.csv", "shard-1/b.csv", "x/y.csv"]);
    },
  },
  {
    name: "Databricks commit markers (_committed_*, _started_*) and a _temporary/ attempt are skipped",
    build: (dir) => writeTree(dir, {
      "part-0.csv": csv(part(0)), "_committed_8841": "{}", "_started_8841": "", "_temporary/0/_temporary/attempt_1/part-0.csv": csv(part(1)),
    }),
    args: [...uncertainty, "--batch-size", "9"],
    selected: (o) => expect(column(o, "id").sort()).toEqual(["r0", "r1", "r2"]),
    log: [/skipped 3 bookkeeping or hidden entries .*_committed_8841, _started_8841, _temporary/],
  },
  {
    name: "Parquet summary files (_metadata, _common_metadata) are skipped",
    build: async (dir) => {
      await duckdb(dir, [poolTable(6), `COPY pool TO '$DIR/part-0.parquet' (FORMAT PARQUET)`]);
      writeTree(dir, { "_metadata": readFileSync(join(dir, "part-0.parquet")), "_common_metadata": "PAR1" });
    },
    args: [...uncertainty, "--batch-size", "6"],
    selected: (o) => expect(column(o, "id").length).toBe(6),
    log: [/skipped 2 bookkeeping or hidden entries .*_common_metadata, _metadata/],
  },
  {
    name: "a README and a manifest beside the data are named in a warning, not skipped silently",
    build: (dir) => writeTree(dir, { "p.csv": csv(pool), "README.md": "# notes\n", "manifest.txt": "p.csv\n" }),
    args: uncertainty,
    selected: (o) => expect(o.metadata.warnings as string[]).toContainEqual(expect.stringMatching(/ignored 2 files that are not data files .*README\.md, manifest\.txt/)),
  },
  {
    name: "an empty (0-byte) part file beside data (an empty Spark partition) is skipped with a word",
    build: (dir) => writeTree(dir, { "part-00000.csv": csv(pool), "part-00001.csv": "" }),
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
    log: [/skipped 1 empty \(0-byte\) data file: part-00001\.csv/],
  },
  {
    name: "a header-only part file (Spark's CSV writer for an empty partition) adds no rows",
    build: (dir) => writeTree(dir, { "part-00000.csv": csv(pool), "part-00001.csv": pool.columns.join(",") + "\n" }),
    args: [...uncertainty, "--batch-size", "20"],
    selected: (o) => expect(column(o, "id").sort()).toEqual(everyId),
  },
  {
    name: "the same rows sharded into nested folders are all read",
    build: (dir) => writeTree(dir, { "z/part-0.csv": csv(part(2)), "a/b/part-9.csv": csv(part(0)), "m1/part-1.csv": csv(part(1)) }),
    args: ["--strategy", "diversity", "--batch-size", "9"],
    selected: (o) => expect(column(o, "id").sort()).toEqual(everyId),
  },
  {
    name: "files at different folder depths under a partition: refused, naming the partition column",
    build: (dir) => writeTree(dir, { "p.csv": csv(part(0)), "split=a/p.csv": csv(part(1)) }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["split=a/p.csv", "extra split"], hint: /same folder depth/ },
  },
  {
    name: "ID_FIELD naming a partition column: refused, it is the same for every row of a file",
    build: (dir) => writeTree(dir, { "run=1/p.csv": csv(part(0)), "run=2/p.csv": csv(part(1)) }),
    args: [...uncertainty, "--id-field", "run"],
    refused: { exit: 3, mentions: ['"run"', "partition folder"], hint: /ID_FIELD/ },
  },
  {
    name: "a folder that links back to the channel is not followed in circles",
    build: (dir) => { writeTree(dir, { "p.csv": csv(pool) }); symlinkSync(dir, join(dir, "loop")); },
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
    log: [/ignored 1 file .*loop/],
  },
  {
    name: "gzip bytes named .csv are read as .csv.gz, with a warning",
    build: (dir) => writeTree(dir, { "part-0.csv": gzipSync(enc(csv(pool))) }),
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
    log: [/part-0\.csv: the name says csv but the bytes are gzip-compressed CSV; read as gzip-compressed CSV/],
  },
  {
    name: "gzip bytes named .jsonl are read as .jsonl.gz, with a warning",
    build: async (dir) => {
      await duckdb(dir, [poolTable(6), `COPY pool TO '$DIR/x.tmp' (FORMAT JSON)`]);
      writeFileSync(join(dir, "p.jsonl"), gzipSync(readFileSync(join(dir, "x.tmp"))));
      writeFileSync(join(dir, "x.tmp"), ""); // not a data file name: ignored with a warning
    },
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
    log: [/p\.jsonl: the name says jsonl but the bytes are gzip-compressed JSON lines/, /ignored 1 file that is not a data file .*x\.tmp/],
  },
  {
    name: "Parquet bytes named .csv are read as Parquet, with a warning",
    build: async (dir) => {
      await duckdb(dir, [poolTable(6), `COPY pool TO '$DIR/p.csv' (FORMAT PARQUET)`]);
    },
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
    log: [/p\.csv: the name says csv but the bytes are Parquet; read as Parquet/],
  },
  {
    name: "plain CSV named .csv.gz (S3 decompressed it on the way) is read as plain CSV, with a warning",
    build: (dir) => writeTree(dir, { "part-0.csv.gz": csv(pool) }),
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
    log: [/part-0\.csv\.gz: the name says csv\.gz but the bytes are plain CSV, not gzip/],
  },
  {
    name: "a truncated gzip stream named .csv is refused as a damaged gzip, not as bad UTF-8",
    build: (dir) => { const z = gzipSync(enc(csv(pool) + "x,0.5,0.5,1,2\n".repeat(500))); writeTree(dir, { "part-0.csv": z.subarray(0, z.length >> 1) }); },
    args: uncertainty,
    refused: { exit: 3, mentions: ["part-0.csv", "gzip"], hint: /copy it again/ },
  },
  {
    name: "Bedrock batch output named <input>.jsonl.out is read as JSON lines; its manifest.json.out is named as left out",
    build: (dir) => writeTree(dir, {
      "records.jsonl.out": '{"id": "a", "predicted_label": "spam", "confidence_score": 0.9}\n{"id": "b", "predicted_label": "ham", "confidence_score": 0.6}\n',
      "manifest.json.out": '{"totalRecordCount": 2}',
    }),
    args: ["--strategy", "top_k_per_class", "--k-per-class", "1"],
    selected: (o) => expect(column(o, "id")).toEqual(["a", "b"]),
    log: [/ignored 1 file that is not a data file .*manifest\.json\.out/],
  },
  {
    name: "Spark CSV written without a header: refused, saying the first line looks like data",
    build: (dir) => writeTree(dir, { "part-00000.csv": csv(pool).split("\n").slice(1).join("\n") }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["part-00000.csv"], hint: /first line looks like data.*header/ },
  },
  {
    name: "Spark CSV without a header whose first row has distinct values: refused, saying the first line looks like data",
    build: (dir) => writeTree(dir, { "part-00000.csv": "r0,0.25,0.75,1.5,2\nr1,0.5,0.5,1,2\n" }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["part-00000.csv", 'no id column "id"'], hint: /first line looks like data.*header/ },
  },
  {
    name: "pandas to_csv with its index (an unnamed first column): refused, saying how to leave the index out",
    build: (dir) => writeTree(dir, { "p.csv": ",id,prob_class_0,prob_class_1,f\n0,a,0.5,0.5,1\n1,b,0.25,0.75,2\n" }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["p.csv", "column 1"], hint: /to_csv\(index=False\)/ },
  },
  {
    name: "a pandas index column (__index_level_0__ in Parquet, Unnamed: 0 in CSV) is not taken for a feature",
    build: (dir) => writeTree(dir, { "p.csv": "Unnamed: 0,__index_level_0__,id,prob_class_0,prob_class_1,f\n0,4,a,0.5,0.5,1\n1,9,b,0.25,0.75,2\n2,12,c,0.5,0.5,7\n" }),
    args: ["--strategy", "diversity", "--batch-size", "2"],
    selected: (o) => {
      expect(o.metadata.vector_columns).toEqual(["f"]);
      expect(o.metadata.vector_source).toContain("Unnamed: 0, __index_level_0__ left out as a pandas index");
    },
  },
  {
    name: "Bedrock's raw batch output (recordId, modelInput, modelOutput): refused, saying to flatten modelOutput",
    build: (dir) => writeTree(dir, { "in.jsonl.out": '{"recordId": "r1", "modelInput": {"prompt": "x"}, "modelOutput": {"content": [{"text": "spam 0.9"}]}}\n' }),
    args: [...uncertainty, "--id-field", "recordId"],
    refused: { exit: 3, mentions: ["in.jsonl.out", "no score columns"], hint: /nested in modelOutput.*predicted_label, confidence_score/ },
  },
  {
    name: "gzip bytes named .parquet: refused with what it is",
    build: (dir) => writeTree(dir, { "p.parquet": gzipSync(enc(csv(pool))) }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["p.parquet", "this is gzip"], hint: /name it \.csv\.gz/ },
  },
  {
    name: "Athena results: Parquet files with no extension are read by their bytes",
    build: async (dir) => {
      await duckdb(dir, [poolTable(6), `COPY pool TO '$DIR/20240101_120000_00001_abcde_0e1f' (FORMAT PARQUET)`]);
    },
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
  },
  {
    name: "a gzip file with no extension holding JSON lines is read by its bytes",
    build: async (dir) => {
      await duckdb(dir, [poolTable(6), `COPY pool TO '$DIR/x.json' (FORMAT JSON)`]);
      writeFileSync(join(dir, "part-00000"), gzipSync(readFileSync(join(dir, "x.json"))));
    },
    args: [...uncertainty, "--duplicate-ids", "keep_first", "--batch-size", "12"],
    // x.json and part-00000 hold the same rows: each id's first row (from part-00000) is selectable
    selected: (o) => expect(column(o, "id").length).toBe(6),
  },
  {
    name: "DuckDB's and Spark's .json output (one object a line) is read as JSON lines",
    build: (dir) => duckdb(dir, [poolTable(6), `COPY pool TO '$DIR/part-0.json' (FORMAT JSON)`]),
    args: [...uncertainty, "--batch-size", "6"],
    selected: (o) => expect(column(o, "id").sort()).toEqual(["r0", "r1", "r2", "r3", "r4", "r5"]),
  },
  {
    name: "Spark JSON output leaves null fields out: a missing key is null, the row is read",
    build: (dir) => writeTree(dir, {
      "part-00000-1a2b.json": '{"id":"a","prob_class_0":0.5,"prob_class_1":0.5,"note":"x"}\n{"id":"b","prob_class_0":0.25,"prob_class_1":0.75}\n{"id":"c","prob_class_0":0.75,"prob_class_1":0.25,"source":"crawl"}\n',
      "_SUCCESS": "",
    }),
    args: [...uncertainty, "--batch-size", "3"],
    selected: (o) => {
      expect(o.header.slice(0, 5)).toEqual(["id", "prob_class_0", "prob_class_1", "note", "source"]);
      expect(column(o, "id")).toEqual(["a", "b", "c"]);
      expect(column(o, "note")).toEqual(["x", "", ""]);
      expect(column(o, "source")).toEqual(["", "", "crawl"]);
    },
  },
  {
    name: "Spark JSON output where a score is left out (null): refused, naming the row and the column",
    build: (dir) => writeTree(dir, { "part-0.json": '{"id":"a","prob_class_0":0.5,"prob_class_1":0.5}\n{"id":"b","prob_class_0":1}\n' }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["part-0.json", "row 2", '"prob_class_1"'], hint: /Fix or drop that row/ },
  },
  {
    name: "Spark JSON part files where one file's column was null throughout: refused, saying why the column is missing",
    build: (dir) => writeTree(dir, {
      "part-0.json": '{"id":"a","prob_class_0":0.5,"prob_class_1":0.5,"note":"x"}\n',
      "part-1.json": '{"id":"b","prob_class_0":0.25,"prob_class_1":0.75}\n',
    }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["part-1.json", "missing note"], hint: /ignoreNullFields=false/ },
  },
  {
    name: "Parquet parts with the same columns in another order (a schema merge) are matched by name",
    build: async (dir) => {
      await duckdb(dir, [poolTable(12),
        `COPY (SELECT * FROM pool WHERE split = 'a') TO '$DIR/part-0.parquet' (FORMAT PARQUET)`,
        `COPY (SELECT emb_1, prob_class_1, id, emb_0, split, prob_class_0 FROM pool WHERE split <> 'a') TO '$DIR/part-1.parquet' (FORMAT PARQUET)`]);
    },
    args: ["--strategy", "diversity", "--batch-size", "12"],
    selected: (o) => {
      expect(o.header.slice(0, 6)).toEqual(["id", "split", "prob_class_0", "prob_class_1", "emb_0", "emb_1"]);
      // All 12 rows, so the reordered part-1 is read too (the loop alone would pass on part-0's rows).
      expect(column(o, "id").sort()).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`).sort());
      for (const [k, id] of column(o, "id").entries()) {
        const i = Number(id.slice(1));
        expect([o.rows[k]![1], Number(o.rows[k]![4]), Number(o.rows[k]![5])]).toEqual([["a", "b", "c"][i % 3], ((i * 13) % 11) - 5, ((i * 5) % 7) - 3]);
      }
    },
  },
  {
    name: "Spark JSON parts whose keys first appear in another order are matched by name",
    build: (dir) => writeTree(dir, {
      "part-0.json": '{"id":"a","prob_class_0":0.5,"prob_class_1":0.5,"note":"x"}\n',
      "part-1.json": '{"id":"b","prob_class_0":0.25,"prob_class_1":0.75}\n{"note":"y","id":"c","prob_class_1":0.125,"prob_class_0":0.875}\n',
    }),
    args: [...uncertainty, "--batch-size", "3"],
    selected: (o) => {
      expect(o.header.slice(0, 4)).toEqual(["id", "prob_class_0", "prob_class_1", "note"]);
      expect(o.rows.map((r) => r.slice(0, 4).join(","))).toEqual(["a,0.5,0.5,x", "b,0.25,0.75,", "c,0.875,0.125,y"]);
    },
  },
  {
    name: "a manifest.json beside CSV shards is not a shard: left out with a warning",
    build: (dir) => writeTree(dir, { "p.csv": csv(pool), "manifest.json": '{"files": ["p.csv"]}' }),
    args: uncertainty,
    selected: (o) => expect(column(o, "id").length).toBe(4),
    log: [/ignored 1 file that is not a data file .*manifest\.json/],
  },
  {
    name: "a .json file holding one JSON array (DuckDB ARRAY true): refused with what to write instead",
    build: (dir) => duckdb(dir, [poolTable(6), `COPY pool TO '$DIR/p.json' (FORMAT JSON, ARRAY true)`]),
    args: uncertainty,
    refused: { exit: 3, mentions: ["p.json"], hint: /one JSON object per line/ },
  },
  {
    name: "a pretty-printed .json object: refused with what to write instead",
    build: (dir) => writeTree(dir, { "p.json": JSON.stringify({ id: "a", prob_class_0: 0.5, prob_class_1: 0.5 }, null, 2) }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["p.json", "line 1"], hint: /one JSON object per line/ },
  },
  {
    name: "a channel holding only bookkeeping: refused, naming what it holds",
    build: (dir) => writeTree(dir, { "_SUCCESS": "", "_temporary/0/part-0.csv": csv(pool) }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["_SUCCESS", "_temporary"], hint: /has no data file/ },
  },
  {
    name: "compressed CSV Spark wrote with bzip2 is not read: refused, naming the files",
    build: (dir) => writeTree(dir, { "part-0.csv.bz2": "BZh91AY&SY", "_SUCCESS": "" }),
    args: uncertainty,
    refused: { exit: 3, mentions: ["part-0.csv.bz2"], hint: /expected \*\.csv/ },
  },
];

describe("directory layouts that Spark, Hive-style writers and S3 sharding produce", () => {
  for (const c of LAYOUTS) test(c.name, () => runCase(c));

  test("sharding the pool into folders does not change the selection", async () => {
    const ids = async (files: Record<string, string>) => {
      const input = tempDir("as-upstream-");
      writeTree(input, files);
      const o = await runIn(input, ["--strategy", "diversity", "--batch-size", "4"]);
      expect(o.result.exitCode).toBe(0);
      return column(readOutput(o), "id");
    };
    const whole = await ids({ "p.csv": csv(pool) });
    expect(await ids({ "z/part-0.csv": csv(part(2)), "a/b/part-9.csv": csv(part(0)), "m/part-1.csv": csv(part(1)) })).toEqual(whole);
    expect(await ids({ "2/p.csv": csv(part(0)), "1/p.csv": csv(part(2)), "0/p.csv": csv(part(1)) })).toEqual(whole);
  });
});

const jsonIds = [
  '{"id": 7.0, "prob_class_0": 0.5, "prob_class_1": 0.5}',
  '{"id": 1e3, "prob_class_0": 0.25, "prob_class_1": 0.75}',
  '{"id": 0.10, "prob_class_0": 0.125, "prob_class_1": 0.875}',
  '{"id": 12345678901234567890, "prob_class_0": 0.375, "prob_class_1": 0.625}',
  '{"id": 12345678901234567891, "prob_class_0": 1, "prob_class_1": 0}',
].join("\n") + "\n";

const SILENT: UpstreamCase[] = [
  {
    name: "JSON lines ids are kept as written: 7.0, 1e3, 0.10, integers beyond 2^53",
    build: (dir) => writeTree(dir, { "p.jsonl": jsonIds }),
    args: ["--strategy", "uncertainty", "--batch-size", "5"],
    selected: (o) => {
      expect(column(o, "id")).toEqual(["7.0", "12345678901234567890", "1e3", "0.10", "12345678901234567891"]);
    },
  },
  {
    name: "CLASS_BALANCE shares that do not sum to 1 are rescaled with a warning naming the shares",
    build: (dir) => writeTree(dir, { "p.csv": csv(pool) }),
    args: ["--strategy", "uncertainty", "--batch-size", "4", "--class-balance", '{"0": 3, "1": 1}'],
    selected: (o) => {
      expect(o.metadata.warnings as string[]).toContainEqual("CLASS_BALANCE shares sum to 4, not 1; rescaled to 0: 0.75, 1: 0.25.");
      const classes = (o.metadata.class_balance as { classes: Record<string, { target_share: number }> }).classes;
      expect([classes["0"]!.target_share, classes["1"]!.target_share]).toEqual([0.75, 0.25]);
    },
  },
  {
    name: "CLASS_BALANCE shares summing to 1 give no warning",
    build: (dir) => writeTree(dir, { "p.csv": csv(pool) }),
    args: ["--strategy", "uncertainty", "--batch-size", "4", "--class-balance", '{"0": 0.5, "1": 0.5}'],
    selected: (o) => expect((o.metadata.warnings as string[]).filter((w) => w.includes("rescaled"))).toEqual([]),
  },
  {
    name: "hybrid filters that remove every row: an empty selection, a warning with the counts, and the metadata says why",
    build: (dir) => writeTree(dir, { "p.csv": csv(pool) }),
    args: ["--strategy", "hybrid", "--batch-size", "4", "--config", '{"filters": [{"value": "max_prob", "op": ">", "threshold": 2}], "objectives": [{"type": "uncertainty"}]}'],
    selected: (o) => {
      expect(o.rows).toEqual([]);
      const why = o.metadata.nothing_selected_because as string;
      expect(why).toBe("the SELECTION_CONFIG filters removed every one of the 9 selectable rows (max_prob > 2 removed 9); loosen a filter");
      expect(o.log).toContain(`nothing selected: ${why}.`);
    },
  },
  {
    name: "a confidence threshold no row reaches: the metadata says so, with the highest confidence",
    build: (dir) => writeTree(dir, { "p.csv": csv(pool) }),
    args: ["--strategy", "confidence_threshold", "--confidence-threshold", "1"],
    selected: (o) => {
      expect(o.rows).toEqual([]);
      expect(o.metadata.nothing_selected_because).toMatch(/^no selectable row reaches CONFIDENCE_THRESHOLD=1 \(of 9 selectable rows, the most confident has 0\.\d+\); lower the threshold$/);
    },
  },
  ...(["auto", "off"] as const).map((stream): UpstreamCase => ({
    name: `class thresholds no row passes (STREAM=${stream}): the metadata names the gate, not repeated ids`,
    build: (dir) => writeTree(dir, { "p.csv": csv(pool) }),
    args: ["--strategy", "confidence_threshold", "--threshold-mode", "flexmatch", "--confidence-threshold", "1", "--stream", stream],
    selected: (o) => {
      expect(o.rows).toEqual([]);
      expect(o.metadata.nothing_selected_because).toBe("no row passes the pseudo-label gate: of the 9 pool rows, 9 do not pass THRESHOLD_MODE=flexmatch class thresholds; lower CONFIDENCE_THRESHOLD or TARGET_PRECISION (or add calibration rows) to let some through");
    },
  })),
];

describe("nothing silently changed or silently empty", () => {
  for (const c of SILENT) test(c.name, () => runCase(c));

  /** Runs on a channel beside an EXCLUDE_IDS_FILE listing `excluded`. */
  const runExcluding = async (files: Record<string, string>, excluded: string[], args: string[]) => {
    const input = tempDir("as-upstream-");
    writeTree(join(input, "channel"), files);
    writeFileSync(join(input, "exclude.txt"), excluded.join("\n") + "\n");
    const o = await runIn(join(input, "channel"), args, { EXCLUDE_IDS_FILE: join(input, "exclude.txt") });
    expect(o.log).not.toContain("This is a bug");
    expect({ exit: o.result.exitCode, error: o.result.error?.message }).toEqual({ exit: 0, error: undefined });
    return readOutput(o);
  };

  test("exclusions that leave nothing selectable: an empty selection, a warning with the counts, and the metadata says why", async () => {
    const o = await runExcluding({ "p.csv": csv(pool) }, everyId, ["--strategy", "uncertainty", "--batch-size", "4"]);
    expect(o.rows).toEqual([]);
    expect(o.metadata.nothing_selected_because).toBe("every row is excluded: of the 9 pool rows, 9 are already labelled or listed in EXCLUDE_IDS_FILE, so none is left to select");
    expect(o.log).toContain("nothing selected: every row is excluded");
    expect(o.log).not.toContain("BATCH_SIZE=4 is larger"); // "… than the 0 selectable rows" says nothing true
  });

  for (const strategy of ["confidence_threshold", "top_k_per_class", "diversity", "badge", "cluster_margin", "hybrid"]) {
    test(`every row excluded, with ${strategy}: an empty selection that says why`, async () => {
      const args = ["--strategy", strategy, "--batch-size", "3", "--confidence-threshold", "0.1"];
      if (strategy === "hybrid") args.push("--config", '{"objectives": [{"type": "uncertainty"}, {"type": "diversity"}]}');
      const o = await runExcluding({ "p.csv": csv(pool) }, everyId, args);
      expect(o.rows).toEqual([]);
      expect(o.metadata.nothing_selected_because).toMatch(/^every row is excluded: of the 9 pool rows, 9 are already labelled/);
    });
  }

  for (const strategy of ["uncertainty", "diversity"]) {
    test(`an EXCLUDE_IDS_FILE none of whose ids is in the pool, with ${strategy}: a warning naming the file, in the log and the metadata`, async () => {
      // "7" for the pool's "r7": a row number where the id belongs, so nothing matches.
      const o = await runExcluding({ "p.csv": csv(pool) }, ["7", "no-such-id"], ["--strategy", strategy, "--batch-size", "3"]);
      expect(o.rows.length).toBe(3);
      expect(o.metadata.excluded_rows).toBe(0);
      const warning = (o.metadata.warnings as string[]).find((w) => w.includes("EXCLUDE_IDS_FILE"));
      expect(warning).toMatch(/^none of the ids in EXCLUDE_IDS_FILE \S+exclude\.txt is in the pool's "id" column, so no row was excluded/);
      expect(o.log).toContain(`warn  ${warning}`);
    });
  }

  for (const stream of ["auto", "off"]) {
    test(`an EXCLUDE_IDS_FILE that matches nothing is warned of when labelled rows are excluded too (STREAM=${stream})`, async () => {
      // The labelled r0 is excluded, but no listed id matched: the file still had no effect.
      const labeled = tempDir("as-upstream-labeled-");
      writeFileSync(join(labeled, "labeled.csv"), "id,label\nr0,1\n");
      const o = await runExcluding({ "p.csv": csv(pool) }, ["7", "no-such-id"],
        ["--strategy", "uncertainty", "--batch-size", "3", "--labeled", labeled, "--stream", stream]);
      expect(o.log.includes("reading the pool whole")).toBe(stream === "off");
      expect(o.metadata.excluded_rows).toBe(1);
      expect(o.metadata.warnings as string[]).toContainEqual(expect.stringMatching(/^none of the ids in EXCLUDE_IDS_FILE \S+exclude\.txt is in the pool's "id" column/));
    });
  }

  test("an EXCLUDE_IDS_FILE whose ids are in the pool draws no such warning", async () => {
    const o = await runExcluding({ "p.csv": csv(pool) }, [everyId[0]!], ["--strategy", "uncertainty", "--batch-size", "3"]);
    expect(o.metadata.excluded_rows).toBe(1);
    expect(o.log).not.toContain("none of the");
  });

  test("exclusions and repeated ids together: both counted", async () => {
    const doubled = csv({ columns: pool.columns, rows: [...pool.rows, ...pool.rows.slice(0, 2)] });
    const o = await runExcluding({ "p.csv": doubled }, everyId, ["--strategy", "diversity", "--batch-size", "4", "--duplicate-ids", "keep_first"]);
    expect(o.rows).toEqual([]);
    expect(o.metadata.nothing_selected_because).toBe("every row is excluded: of the 11 pool rows, 9 are already labelled or listed in EXCLUDE_IDS_FILE and 2 repeat an earlier id (DUPLICATE_IDS=keep_first), so none is left to select");
  });

  test("JSON lines ids as written are what EXCLUDE_IDS_FILE matches", async () => {
    const o = await runExcluding({ "p.jsonl": jsonIds }, ["7.0", "12345678901234567890"], ["--strategy", "uncertainty", "--batch-size", "5"]);
    expect(column(o, "id")).toEqual(["1e3", "0.10", "12345678901234567891"]);
  });
});

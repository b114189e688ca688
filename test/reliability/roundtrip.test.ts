/**
 * Nothing the user gave is lost: when every row is selected, each output record minus the two
 * appended fields is the input record's bytes exactly, and so is the header (BOM and line
 * ending included). Checked with an independent record splitter (harness.ts), not the reader.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { dropAppended, runOn, splitRecords } from "./harness.ts";

const BOM = "\uFEFF";

/** Records as written by hand, in the field syntax that stresses a CSV reader; "\n" inside quotes is kept as is. */
const HEADER = 'id,prob_class_0,prob_class_1,emb_0,"label, free text",note';
const RECORDS = [
  '007,0.1000,0.9000,1,"a, b","say ""hi"""',
  "7,0.5,0.5,2,plain,",
  '12345678901234567890,0.25,0.75,3,"two\nlines",é',
  '12345678901234567891,0.75,0.25,4,"crlf\r\ninside",漢字',
  '"quoted id",1E-1,0.9,5,😀 emoji,""',
  '-0,"0.3","0.7",-8.000,"",',
  "a b, 0.5 ,0.5 ,6,   spaced   ,x",
  "inch,0.5,0.5,7,12\" pizza,5' 11\"",
  "feet,0.5,0.5,7.5,one stray \" quote,x",
  'neg,0.4,0.6,9e0,"ends with quote""","""starts"',
  "1e3,0.0,1.0,-0.5,zero,one",
];

function build(records: readonly string[], { bom = false, eol = "\n", trailing = true } = {}): string {
  return (bom ? BOM : "") + [HEADER, ...records].join(eol) + (trailing ? eol : "");
}

/** Bytes as a latin1 string, so a comparison is byte for byte. */
const bytesOf = (b: Uint8Array | string) => Buffer.from(typeof b === "string" ? new TextEncoder().encode(b) : b).toString("latin1");

/**
 * Checks output against input byte for byte: header (+ BOM), the line ending after every
 * record, each record's original bytes; returns the output ids in rank order.
 */
function expectRoundTrip(output: string, inputs: string[], eol: string, bom: boolean): string[] {
  const out = bytesOf(readFileSync(output));
  const inputRecords = new Map<string, number>();
  let header: string | null = null;
  for (const text of inputs) {
    const [h, ...records] = splitRecords(bytesOf(text).replace(/^\xEF\xBB\xBF/, ""));
    header ??= h!;
    for (const r of records) inputRecords.set(r, (inputRecords.get(r) ?? 0) + 1);
  }
  const body = bom ? out.slice(3) : out;
  if (bom) expect(out.slice(0, 3)).toBe("\xEF\xBB\xBF");
  else expect(out.startsWith("\xEF\xBB\xBF")).toBe(false);
  const [outHeader, ...outRecords] = splitRecords(body);
  // The label columns (pseudo_label… for SSL, predicted_label for active learning), then score and rank.
  const labels = outHeader!.slice(header!.length).split(",").slice(1, -2);
  expect([["pseudo_label", "pseudo_label_confidence", "pseudo_label_weight"], ["predicted_label"]]).toContainEqual(labels);
  expect(outHeader).toBe([header, ...labels, "selection_score", "selection_rank"].join(","));
  const seen = new Map<string, number>();
  const ids: string[] = [];
  let rebuilt = outHeader + eol;
  outRecords.forEach((record, k) => {
    const { original, score, rank } = dropAppended(record, labels.length);
    expect(rank).toBe(String(k + 1));
    expect(Number.isFinite(Number(score))).toBe(true);
    expect(inputRecords.has(original)).toBe(true);
    seen.set(original, (seen.get(original) ?? 0) + 1);
    ids.push(original.startsWith('"') ? original.slice(1, original.indexOf('"', 1)) : original.slice(0, original.indexOf(",")));
    rebuilt += record + eol;
  });
  // Every input record exactly once, and nothing between records but the input's line ending.
  expect(seen).toEqual(inputRecords);
  expect(body).toBe(rebuilt);
  return ids;
}

const SELECT_ALL: [string, string[]][] = [
  ["confidence_threshold at threshold 0", ["--strategy", "confidence_threshold", "--confidence-threshold", "0"]],
  ["uncertainty with a batch larger than the pool", ["--strategy", "uncertainty", "--batch-size", "1000"]],
  ["diversity with a batch larger than the pool", ["--strategy", "diversity", "--batch-size", "1000"]],
];

describe("selected_samples.csv repeats every input record byte for byte", () => {
  for (const eol of ["\n", "\r\n"]) {
    for (const bom of [false, true]) {
      for (const trailing of [true, false]) {
        for (const gz of [false, true]) {
          const shape = `${eol === "\n" ? "LF" : "CRLF"}, ${bom ? "BOM" : "no BOM"}, ${trailing ? "trailing newline" : "no trailing newline"}${gz ? ", gzipped" : ""}`;
          for (const [label, args] of SELECT_ALL) {
            test(`${label}: ${shape}`, async () => {
              const text = build(RECORDS, { bom, eol, trailing });
              const file: Record<string, string | Uint8Array> = gz ? { "pool.csv.gz": gzipSync(new TextEncoder().encode(text)) } : { "pool.csv": text };
              const { result, output } = await runOn(file, args);
              expect(result.error).toBeNull();
              const ids = expectRoundTrip(join(output, "selected_samples.csv"), [text], eol, bom);
              expect(ids.length).toBe(RECORDS.length);
              // 007 and 7, and two 20-digit ids one apart, are different ids.
              expect(ids).toContain("007");
              expect(ids).toContain("7");
              expect(ids).toContain("12345678901234567890");
              expect(ids).toContain("12345678901234567891");
            });
          }
        }
      }
    }
  }

  test("the header keeps its quoting and the ids their text in the metadata's view too", async () => {
    const { result } = await runOn({ "pool.csv": build(RECORDS) }, ["--strategy", "uncertainty", "--batch-size", "1000"]);
    expect(result.error).toBeNull();
    expect((result.metadata as { pool_size: number }).pool_size).toBe(RECORDS.length);
  });

  test("blank lines between records carry no row and do not disturb the others", async () => {
    const text = [HEADER, RECORDS[0], "", RECORDS[1], "\r", RECORDS[2]].join("\n") + "\n\n";
    const { result, output } = await runOn({ "pool.csv": text }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0"]);
    expect(result.error).toBeNull();
    const records = splitRecords(bytesOf(readFileSync(join(output, "selected_samples.csv")))).slice(1).map((r) => dropAppended(r, 3).original);
    expect(records.sort()).toEqual([RECORDS[0], RECORDS[1], RECORDS[2]].map((r) => bytesOf(r!)).sort());
  });
});

describe("a directory of shards is read whole", () => {
  const shard = (prefix: string, n: number, opts?: { bom?: boolean; eol?: string; trailing?: boolean }) =>
    build(Array.from({ length: n }, (_, i) => `${prefix}${i},${(i % 10) / 10},${(10 - (i % 10)) / 10},${i},"${prefix}, row ${i}",n`), opts);

  test("rows from every file, each once, byte for byte", async () => {
    const files = { "part-00000.csv": shard("a", 7), "part-00001.csv": shard("b", 5), "part-00002.csv.gz": gzipSync(shard("c", 9)) };
    const texts = [files["part-00000.csv"], files["part-00001.csv"], shard("c", 9)];
    const { result, output } = await runOn(files, ["--strategy", "uncertainty", "--batch-size", "100"]);
    expect(result.error).toBeNull();
    const ids = expectRoundTrip(join(output, "selected_samples.csv"), texts, "\n", false);
    expect(ids.length).toBe(21);
    expect(new Set(ids).size).toBe(21);
    for (const p of ["a", "b", "c"]) expect(ids.filter((id) => id.startsWith(p)).length).toBe(p === "a" ? 7 : p === "b" ? 5 : 9);
    const meta = result.metadata as { input: { files: { rows: number }[] } };
    expect(meta.input.files.map((f) => f.rows)).toEqual([7, 5, 9]);
  });

  test("shards written with different BOM and line endings keep each record's bytes; the first file sets the header", async () => {
    const first = shard("a", 3, { bom: true, eol: "\r\n" });
    const second = shard("b", 4, { eol: "\n", trailing: false });
    const { result, output } = await runOn({ "1.csv": first, "2.csv": second }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0"]);
    expect(result.error).toBeNull();
    const ids = expectRoundTrip(join(output, "selected_samples.csv"), [first, second], "\r\n", true);
    expect(ids.sort()).toEqual(["a0", "a1", "a2", "b0", "b1", "b2", "b3"]);
  });

  test("dot-files and non-data files beside the shards are ignored", async () => {
    const files = { "a.csv": shard("a", 3), ".a.csv.swp": "garbage", "_SUCCESS": "", "manifest.json": "{}" };
    const { result, output } = await runOn(files, ["--strategy", "uncertainty", "--batch-size", "100"]);
    expect(result.error).toBeNull();
    expect(expectRoundTrip(join(output, "selected_samples.csv"), [files["a.csv"]], "\n", false).length).toBe(3);
  });
});

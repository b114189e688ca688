/**
 * Evidence for the hand-written CSV reader (src/io/csv.ts) against the parsers it replaces,
 * csv-parse (sync API) and papaparse, on the work a run does: ids plus the columns a strategy
 * reads, as numbers in typed arrays.
 *
 *   bun bench/csv-parsers.ts [--rows 100000]   (see bench/libraries.ts)
 *
 * Workloads: the real Fashion-MNIST inference output (../shared/data: id, label, 10
 * probabilities, 32 embeddings; 59,000 rows), and a seeded pool shaped like the 1M-row
 * file (id, 10 probabilities, 128 embeddings, numbers in their shortest round-trip form as
 * pandas and DuckDB write them). Tasks: "scores" (id + 10 probabilities, what uncertainty reads)
 * and "all" (every numeric column). The libraries hand back strings; turning them into numbers
 * with Number() is part of their time, as it is part of ours. Outputs are checked equal first.
 */
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { readCsvTable } from "../src/io/csv.ts";
import { Rng } from "../src/rng.ts";
import { importFrom, librariesDir, printRace, race } from "./libraries.ts";

const args = process.argv.slice(2);
const rows = Number(args.includes("--rows") ? args[args.indexOf("--rows") + 1] : 100_000);
const libs = librariesDir(args);
const { parse: csvParse } = await importFrom<{ parse(input: Uint8Array, options: object): string[][] }>(libs, "csv-parse/dist/esm/sync.js");
const Papa = (await importFrom<{ default: { parse(text: string, options: object): { data: string[][]; errors: unknown[] } } }>(libs, "papaparse/papaparse.js")).default;

interface Parsed { ids: string[]; values: Float64Array }

const workloads: Record<string, Uint8Array> = { [`seeded ${rows} × 139 (id, 10 probabilities, 128 embeddings)`]: seededPool(rows) };
const real = "/work/shared/data/fashion_mnist_pool.csv.gz";
if (existsSync(real)) workloads["Fashion-MNIST 59,000 × 44 (real)"] = gunzipSync(readFileSync(real));

console.log(`machine: ${navigator.hardwareConcurrency} cores, shared and loaded (compare ratios, not times); best of 3`);
for (const [name, bytes] of Object.entries(workloads)) {
  const header = new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(10))).trim().split(",");
  const scores = header.flatMap((c, i) => (c.startsWith("prob_class_") ? [i] : []));
  const numeric = header.flatMap((c, i) => (c.startsWith("prob_class_") || c.startsWith("emb_") ? [i] : []));
  for (const [task, columns] of [["scores", scores], ["all", numeric]] as const) {
    const contenders = {
      "csv-parse": () => viaRecords(csvParse(bytes, { from_line: 2, skip_empty_lines: true }), columns),
      "papaparse": () => viaRecords(Papa.parse(new TextDecoder().decode(bytes), { skipEmptyLines: true }).data.slice(1), columns),
      "ours": () => ours(bytes, columns),
    };
    const results = Object.values(contenders).map((run) => run());
    for (const result of results.slice(1)) {
      if (result.ids.join() !== results[0]!.ids.join() || !result.values.every((v, i) => v === results[0]!.values[i])) throw new Error(`${name}: parsers disagree`);
    }
    printRace(`${name}, ${task} (${columns.length} numeric columns), ${(bytes.length / 2 ** 20).toFixed(0)} MiB`, bytes.length, race(contenders, { rounds: 3 }), "csv-parse");
  }
}

function ours(bytes: Uint8Array, columns: number[]): Parsed {
  const table = readCsvTable("bench.csv", bytes);
  const values = new Float64Array(table.rowCount * columns.length);
  const ids = table.extract({ idColumn: 0, numeric: [{ columns, out: values, rowStart: 0, stride: columns.length, offset: 0, kind: "finite" }] });
  return { ids, values };
}

function viaRecords(records: string[][], columns: number[]): Parsed {
  const values = new Float64Array(records.length * columns.length);
  const ids = new Array<string>(records.length);
  for (let r = 0; r < records.length; r++) {
    const record = records[r]!;
    ids[r] = record[0]!;
    for (let j = 0; j < columns.length; j++) {
      const value = Number(record[columns[j]!]);
      if (!Number.isFinite(value)) throw new Error(`row ${r + 1}: not a number`);
      values[r * columns.length + j] = value;
    }
  }
  return { ids, values };
}

function seededPool(n: number): Uint8Array {
  const rng = new Rng(11);
  const lines = [["id", ...Array.from({ length: 10 }, (_, k) => `prob_class_${k}`), ...Array.from({ length: 128 }, (_, k) => `emb_${k}`)].join(",")];
  const probs = new Float64Array(10);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let k = 0; k < 10; k++) { probs[k] = rng.nextFloat(); total += probs[k]!; }
    const cells = [`doc-${i}`];
    for (let k = 0; k < 10; k++) cells.push(String(probs[k]! / total));
    for (let k = 0; k < 128; k++) cells.push(String(Math.fround(rng.nextGaussian())));
    lines.push(cells.join(","));
  }
  return new TextEncoder().encode(lines.join("\n") + "\n");
}

/**
 * Parquet read and write figures at the product's scale: `bun bench/io.ts [--rows N] [--fresh]`.
 *
 * 1. Writes (once, then reuses) /tmp/active-sampling-bench-<rows>.parquet: an id string column,
 *    10 prob_class_* DOUBLE and 128 emb_* FLOAT columns, all OPTIONAL as pandas/pyarrow write
 *    them, snappy, 100,000-row groups, seeded pseudo-random values.
 * 2. In a fresh process (so generation does not count): times readParquetTable (the footer: columns
 *    are decoded on first use), extract() (which decodes the columns it fills) into a
 *    Float64Array(rows×10) and a Float32Array(rows×128), and writeParquetFile of 10,000 and
 *    100,000 "selected" rows with every column plus selection_score and selection_rank (their
 *    cells gathered with cell(), timed apart). Prints seconds and peak RSS (VmHWM, from
 *    /proc/self/status: everything here is synchronous, so a sampling timer would never fire).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { parquetWriteFile } from "hyparquet-writer";
import type { ColumnSource } from "hyparquet-writer";
import { DOUBLE, INT32 } from "../src/io/column-type.ts";
import { writeParquetFile, type OutputColumn } from "../src/io/parquet-writer.ts";
import { readParquetTable } from "../src/io/parquet.ts";
import { Rng } from "../src/rng.ts";

const PROBS = 10;
const EMBEDDING = 128;

const args = process.argv.slice(2);
const rows = Number(args[args.indexOf("--rows") + 1] ?? 0) || 1_000_000;
const path = `/tmp/active-sampling-bench-${rows}.parquet`;

if (args.includes("--generate")) {
  generate();
} else if (args.includes("--measure")) {
  await measure();
} else {
  if (args.includes("--fresh") || !existsSync(path)) {
    const started = performance.now();
    run("--generate");
    console.log(`wrote ${path} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB) in ${seconds(started)} s`);
  } else {
    console.log(`reusing ${path} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB; --fresh rewrites it)`);
  }
  run("--measure");
}

function run(mode: string): void {
  const child = spawnSync(process.execPath, [import.meta.path, mode, "--rows", String(rows)], { stdio: "inherit" });
  if (child.status !== 0) process.exit(child.status ?? 1);
}

function generate(): void {
  const rng = new Rng(20240601);
  const random = () => rng.nextFloat();
  const columnData: ColumnSource[] = [
    { name: "id", type: "STRING", data: Array.from({ length: rows }, (_, i) => `doc-${i.toString(36)}-${i}`) },
  ];
  for (let c = 0; c < PROBS; c++) {
    const values = new Float64Array(rows);
    for (let i = 0; i < rows; i++) values[i] = random();
    columnData.push({ name: `prob_class_${c}`, type: "DOUBLE", data: values });
  }
  for (let c = 0; c < EMBEDDING; c++) {
    const values = new Float32Array(rows);
    for (let i = 0; i < rows; i++) values[i] = random() - 0.5;
    columnData.push({ name: `emb_${c}`, type: "FLOAT", data: values });
  }
  parquetWriteFile({ filename: `${path}.partial`, columnData, rowGroupSize: 100_000 });
  renameSync(`${path}.partial`, path);
}

async function measure(): Promise<void> {
  const readStarted = performance.now();
  const table = await readParquetTable(path);
  const readSeconds = seconds(readStarted);

  const extractStarted = performance.now();
  const probs = new Float64Array(rows * PROBS);
  const embeddings = new Float32Array(rows * EMBEDDING);
  const probColumns = table.columns.flatMap((name, c) => (name.startsWith("prob_class_") ? [c] : []));
  const embColumns = table.columns.flatMap((name, c) => (name.startsWith("emb_") ? [c] : []));
  const ids = table.extract({
    idColumn: table.columns.indexOf("id"),
    numeric: [
      { columns: probColumns, out: probs, rowStart: 0, stride: PROBS, offset: 0, kind: "finite" },
      { columns: embColumns, out: embeddings, rowStart: 0, stride: EMBEDDING, offset: 0, kind: "finite" },
    ],
  });
  const extractSeconds = seconds(extractStarted);
  const afterExtract = peakRss();
  if (ids.length !== rows || !Number.isFinite(probs[rows * PROBS - 1]!) || !Number.isFinite(embeddings[rows * EMBEDDING - 1]!)) {
    throw new Error("extract() did not fill the arrays");
  }

  console.log(`rows ${rows}, columns ${table.columns.length}`);
  console.log(`readParquetTable  ${readSeconds} s  (the footer; columns decode on first use)`);
  console.log(`extract           ${extractSeconds} s  (decoding the id and the 138 numeric columns into ids, Float64Array ${rows}×${PROBS}, Float32Array ${rows}×${EMBEDDING})`);
  console.log(`read + extract    ${(Number(readSeconds) + Number(extractSeconds)).toFixed(2)} s`);
  console.log(`peak RSS          ${afterExtract} MiB (VmHWM)`);

  // Writing the selection: the selected rows with every original column, plus score and rank.
  for (const selected of [10_000, 100_000].filter((n) => n <= rows)) {
    const out = `/tmp/active-sampling-bench-selection-${selected}.parquet`;
    const picked = Array.from({ length: selected }, (_, k) => Math.floor((k * rows) / selected));
    const gatherStarted = performance.now();
    const columns: OutputColumn[] = table.columns.map((name, c) => ({
      name, type: table.columnTypes[c]!, values: picked.map((r) => table.cell(r, c)),
    }));
    const gatherSeconds = seconds(gatherStarted);
    const writeStarted = performance.now();
    columns.push({ name: "selection_score", type: DOUBLE, values: picked.map((_, k) => 1 - k / selected) });
    columns.push({ name: "selection_rank", type: INT32, values: picked.map((_, k) => k + 1) });
    writeParquetFile(out, columns);
    console.log(`writeParquetFile  ${seconds(writeStarted)} s  (${selected} rows × ${columns.length} columns, ${(statSync(out).size / 2 ** 20).toFixed(0)} MiB; gathering the cells took ${gatherSeconds} s more)`);
    rmSync(out, { force: true });
  }
  console.log(`peak RSS overall  ${peakRss()} MiB (VmHWM)`);
}

/** Peak resident set size so far, in MiB, from the kernel (Linux); the sampled peak elsewhere. */
function peakRss(): string {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return (Number(match[1]) / 1024).toFixed(0);
  } catch {
    // not Linux
  }
  return (process.memoryUsage().rss / 2 ** 20).toFixed(0);
}

function seconds(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(2);
}


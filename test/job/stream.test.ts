/**
 * The streamed path (src/job/stream.ts) against the in-memory one (STREAM=off) on seeded
 * Parquet pools: the same selection files byte for byte, the same metadata but for timings,
 * through main() and the compiled binary; and the runs it must leave to the in-memory path.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { gzipSync } from "node:zlib";
import { main } from "../../src/run.ts";
import { Rng } from "../../src/rng.ts";
import { runBinary } from "../binary.ts";
import { removeTempDirsSince, tempDir, tempDirMark } from "../helpers.ts";
import { duckdb } from "../reliability/duckdb-files.ts";

const mark = tempDirMark();
afterAll(() => removeTempDirsSince(mark));

interface PoolShape {
  seed: number;
  rows: number;
  classes: number;
  files: number;
  rowGroupSize: number;
  /** Ids that appear twice (a later row repeats an earlier id). */
  repeats?: number;
  /** Only the id and probability columns (the streamed pass copies cells as it goes), no others (it reads them at the end). */
  scoresOnly?: boolean;
  /** Every other file lists its columns in reverse order (schema merges and writers do not promise one). */
  reorder?: boolean;
  /** Embedding columns emb_0… (what the report projects). */
  vectors?: number;
  /** Whether the "age" column has empty cells (default true), which the report's projection refuses. */
  nulls?: boolean;
  /** The files' format (default Parquet); CSV quotes some text cells, with commas, quotes and line breaks in them. */
  format?: "parquet" | "csv" | "csv.gz";
}

/**
 * A pool of shuffled ids, probabilities on a coarse grid (so margins tie often and ties go by
 * id), and a text, an integer and a nullable number column, split over files in row groups.
 */
function writePool({ seed, rows, classes, files, rowGroupSize, repeats = 0, scoresOnly = false, reorder = false, vectors = 0, nulls = true, format = "parquet" }: PoolShape): { dir: string; ids: string[] } {
  const rng = new Rng(seed);
  const ids = Array.from({ length: rows }, (_, i) => `doc-${String(i).padStart(5, "0")}`);
  for (let i = rows - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [ids[i], ids[j]] = [ids[j]!, ids[i]!]; }
  for (let r = 0; r < repeats; r++) ids[rows - 1 - r] = ids[r * 3]!;
  const probs = Array.from({ length: rows }, () => {
    const weights = Array.from({ length: classes }, () => 1 + rng.nextInt(4));
    const total = weights.reduce((a, b) => a + b, 0);
    return weights.map((w) => w / total);
  });
  const dir = tempDir("as-stream-");
  const per = Math.ceil(rows / files);
  for (let f = 0; f < files; f++) {
    const at = Array.from({ length: Math.min(per, rows - f * per) }, (_, k) => f * per + k);
    const columnData = [
      { name: "id", data: at.map((i) => ids[i]!), type: "STRING" as const },
      ...Array.from({ length: classes }, (_, c) => ({ name: `prob_class_${c}`, data: at.map((i) => probs[i]![c]!), type: "DOUBLE" as const })),
      ...(scoresOnly ? [] : [
        { name: "source", data: at.map((i) => (format === "parquet" ? ["web", "mail", "chat"] : ["web", "mail", "chat", 'say "hi", twice', "two\nlines"])[i % (format === "parquet" ? 3 : 5)]!), type: "STRING" as const },
        { name: "tokens", data: at.map((i) => (i * 7) % 1000), type: "INT32" as const },
        { name: "age", data: at.map((i) => (nulls && i % 5 === 0 ? null : i / 8)), type: "DOUBLE" as const },
      ]),
      ...Array.from({ length: vectors }, (_, d) => ({ name: `emb_${d}`, data: at.map((i) => Math.sin(i * (d + 1))), type: "DOUBLE" as const })),
    ];
    if (reorder && f % 2 === 1) columnData.reverse();
    if (format === "parquet") writeFileSync(join(dir, `part-${f}.parquet`), new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize })));
    else {
      const cell = (value: unknown) => (value === null ? "" : typeof value === "string" && /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : String(value));
      const lines = [columnData.map((c) => c.name).join(","), ...at.map((_, k) => columnData.map((c) => cell(c.data[k])).join(","))];
      const bytes = new TextEncoder().encode(lines.join("\n") + "\n");
      writeFileSync(join(dir, `part-${f}.${format}`), format === "csv.gz" ? gzipSync(bytes) : bytes);
    }
  }
  return { dir, ids };
}

async function run(input: string, args: string[], env: Record<string, string> = {}) {
  const output = join(tempDir("as-stream-out-"), "out");
  const messages: string[] = [];
  const sink = { write: (t: string) => void messages.push(t), isTTY: false };
  const result = await main({}, {}, env, ["--input", input, "--output", output, ...(args.includes("--save-report") ? [] : ["--no-save-report"]), ...args], { stdout: sink, stderr: sink });
  return { result, output, log: messages.join("") };
}

/** The metadata without what may differ between the two paths: timings and STREAM itself. */
function comparable(output: string): Record<string, unknown> {
  const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
  delete metadata.timings_ms;
  delete metadata.parameters.STREAM;
  return metadata;
}

/** Runs both paths; asserts the streamed run streamed and wrote what the in-memory run wrote. */
async function sameAsInMemory(input: string, args: string[], format: "csv" | "parquet" = "csv", env: Record<string, string> = {}) {
  const streamed = await run(input, [...args, "--output-format", format], env);
  const whole = await run(input, [...args, "--output-format", format, "--stream", "off"], env);
  expect(streamed.result.error).toBeNull();
  expect(whole.result.error).toBeNull();
  expect(streamed.log).toContain("a part at a time");
  expect(streamed.log).not.toContain("reading the pool whole");
  expect(whole.log).not.toContain("a part at a time");
  const file = `selected_samples.${format}`;
  const a = readFileSync(join(streamed.output, file)), b = readFileSync(join(whole.output, file));
  expect(a.length).toBeGreaterThan(0);
  expect(Buffer.compare(a, b)).toBe(0);
  expect(comparable(streamed.output)).toEqual(comparable(whole.output));
  return { streamed, whole };
}

describe("streamed uncertainty selects and writes what the in-memory run does", () => {
  test("margin, ties by id, two files in many row groups, CSV and Parquet output", async () => {
    const { dir } = writePool({ seed: 1, rows: 3000, classes: 4, files: 2, rowGroupSize: 250 });
    const { streamed } = await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "40"]);
    const rows = readFileSync(join(streamed.output, "selected_samples.csv"), "utf8").trim().split("\n");
    expect(rows.length).toBe(41);
    // The grid makes ties: tied scores must be in id order.
    const parsed = rows.slice(1).map((l) => l.split(","));
    const tied = parsed.filter((r, i) => i > 0 && r.at(-2) === parsed[i - 1]!.at(-2));
    expect(tied.length).toBeGreaterThan(0);
    await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "40"], "parquet");
  });

  test("files of the id and scores only (cells copied while streaming), with and without quotas", async () => {
    const { dir } = writePool({ seed: 9, rows: 2500, classes: 4, files: 2, rowGroupSize: 90, scoresOnly: true });
    await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "70"]);
    await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "70", "--class-balance", "uniform"], "parquet");
  });

  test("files that list their columns in another order: the cells land under their own columns", async () => {
    for (const scoresOnly of [false, true]) {
      const { dir } = writePool({ seed: 4, rows: 1200, classes: 3, files: 2, rowGroupSize: 100, scoresOnly, reorder: true });
      await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "30"]);
    }
  });

  for (const mode of ["entropy", "least_confidence"]) {
    test(`${mode}, one file, a row group per 64 rows`, async () => {
      const { dir } = writePool({ seed: 2, rows: 1500, classes: 3, files: 1, rowGroupSize: 64 });
      await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "25", "--uncertainty-mode", mode]);
    });
  }

  for (const balance of ["uniform", "pool", '{"0": 0.7, "1": 0.2, "2": 0.1}']) {
    test(`CLASS_BALANCE=${balance}: per-class quotas from the whole pool`, async () => {
      const { dir } = writePool({ seed: 3, rows: 2400, classes: 3, files: 3, rowGroupSize: 300 });
      await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "90", "--class-balance", balance], "parquet");
    });
  }

  test("labelled and excluded ids are never selected, and counted as in memory", async () => {
    const { dir, ids } = writePool({ seed: 4, rows: 2000, classes: 4, files: 2, rowGroupSize: 200 });
    // The rows the unconstrained run picks first are the ones to exclude.
    const first = await run(dir, ["--strategy", "uncertainty", "--batch-size", "30"]);
    const picked = readFileSync(join(first.output, "selected_samples.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",")[0]!);
    const work = tempDir("as-stream-ids-");
    const labeled = join(work, "labeled");
    mkdirSync(labeled);
    writeFileSync(join(labeled, "labeled.csv"), `id,label\n${picked.slice(0, 10).map((id) => `${id},1`).join("\n")}\n`);
    writeFileSync(join(work, "exclude.txt"), `${picked.slice(10, 20).join("\n")}\n${ids[0]}\n`);
    const { streamed } = await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "30", "--labeled", labeled,
      "--exclude-ids-file", join(work, "exclude.txt"), "--class-balance", "uniform"]);
    const chosen = readFileSync(join(streamed.output, "selected_samples.csv"), "utf8");
    for (const id of picked.slice(0, 20)) expect(chosen).not.toContain(`${id},`);
    expect(comparable(streamed.output).excluded_rows).toBe(21);
  });

  test("ids beyond ASCII in DuckDB's files (hashed from their bytes): ties on score go by the id's text, excluded ids match; one thread or two", async () => {
    const dir = tempDir("as-stream-utf8-");
    const weights = [0, 1, 2].map((k) => `(1 + (i * ${k + 3} + i // 7) % 9)`);
    // Unique ids (7919 is prime to 6000), their prefixes interleaved so that tied rows compare across them.
    await duckdb(dir, [
      `CREATE TABLE pool AS SELECT (['doc-', 'café-', '文書-', '😀-', 'Zed-'])[(i * 7) % 5 + 1] || ((i * 7919) % 6000) AS id,
        ${weights.map((w, k) => `${w} / (${weights.join(" + ")}) AS prob_class_${k}`).join(", ")} FROM range(6000) r(i)`,
      "COPY pool TO '$DIR/part-0.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1024)",
    ]);
    const args = ["--strategy", "uncertainty", "--batch-size", "300"];
    const first = await sameAsInMemory(dir, args, "csv", { THREADS: "1" });
    const rows = readFileSync(join(first.streamed.output, "selected_samples.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
    // Many rows tie on the top score; the heap keeps the lowest ids among them, across scripts, in the ids' order.
    const ties = rows.filter((r, i) => i > 0 && r.at(-2) === rows[i - 1]!.at(-2));
    expect(ties.length).toBeGreaterThan(10);
    rows.forEach((r, i) => { if (i > 0 && r.at(-2) === rows[i - 1]!.at(-2)) expect(rows[i - 1]![0]! < r[0]!).toBe(true); });
    expect(rows.some((r) => /[^\x00-\x7f]/.test(r[0]!))).toBe(true);
    // Ids beyond ASCII excluded by a list: looked up by their text.
    const excluded = rows.slice(0, 40).map((r) => r[0]!).filter((id) => /[^\x00-\x7f]/.test(id));
    const list = join(tempDir("as-stream-utf8-ids-"), "exclude.txt");
    writeFileSync(list, `${excluded.join("\n")}\n`);
    const { streamed } = await sameAsInMemory(dir, [...args, "--exclude-ids-file", list], "parquet", { THREADS: "2" });
    expect(comparable(streamed.output).excluded_rows).toBe(excluded.length);
    await sameAsInMemory(dir, args, "parquet", { THREADS: "2" });
  });

  test("a channel's warnings (a file that is not data) are given once, as in memory", async () => {
    const { dir } = writePool({ seed: 10, rows: 900, classes: 3, files: 2, rowGroupSize: 100 });
    writeFileSync(join(dir, "notes.txt"), "not data\n");
    const { streamed } = await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "20"]);
    expect((comparable(streamed.output).warnings as string[]).filter((w) => w.includes("notes.txt")).length).toBe(1);
  });

  test("a batch larger than the selectable rows selects them all, with the in-memory warning", async () => {
    const { dir } = writePool({ seed: 5, rows: 300, classes: 2, files: 2, rowGroupSize: 40 });
    const { streamed } = await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "500"]);
    expect(streamed.log).toContain("larger than the 300 selectable rows");
  });

  test("the column plan reads a CSV file's first 200 rows however wide they are", async () => {
    // 10 KB rows: the first rows span several of the small pieces the plan reads; row 150's "n/a" makes "extra" text, not a vector.
    const dir = tempDir("as-stream-wide-csv-");
    const rng = new Rng(47);
    const lines = ["id,note,extra,prob_class_0,prob_class_1"];
    for (let i = 0; i < 400; i++) {
      const p = rng.nextInt(100) / 100;
      lines.push(`w${i},${"x".repeat(10_000)},${i === 150 ? "n/a" : i / 7},${p},${(1 - p).toFixed(2)}`);
    }
    writeFileSync(join(dir, "pool.csv"), lines.join("\n") + "\n");
    const { streamed, whole } = await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "10", "--save-report"]);
    expect(reportFigures(streamed.output)).toBe(reportFigures(whole.output));
  });
});

describe("streamed pseudo-labels (confidence_threshold, top_k_per_class) select and write what the in-memory run does", () => {
  // Probabilities on a grid of weights 1–4 over 4 classes: top-class probabilities from 0.25 to 0.57, with many ties.
  const ssl: [string, Partial<PoolShape>, string[], "csv" | "parquet"][] = [
    ["every passing row (no MAX_SAMPLES), two files", { seed: 21, rows: 2400, classes: 4, files: 2, rowGroupSize: 150 }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.4"], "csv"],
    ["MAX_SAMPLES caps them, most confident first", { seed: 22, rows: 2400, classes: 4, files: 3, rowGroupSize: 100 }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.35", "--max-samples", "70"], "parquet"],
    ["CLASS_BALANCE=uniform with MAX_SAMPLES (quotas, unused quota moves)", { seed: 23, rows: 2000, classes: 4, files: 2, rowGroupSize: 128 }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.45", "--max-samples", "90", "--class-balance", "uniform"], "csv"],
    ["CLASS_BALANCE=pool without MAX_SAMPLES (each class its share of the passing rows)", { seed: 24, rows: 2000, classes: 3, files: 2, rowGroupSize: 90, scoresOnly: true }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.5", "--class-balance", "pool"], "parquet"],
    ["top_k_per_class, a class with fewer rows than K", { seed: 25, rows: 1800, classes: 5, files: 2, rowGroupSize: 77 }, ["--strategy", "top_k_per_class", "--k-per-class", "40"], "csv"],
    ["top_k_per_class, id and scores only", { seed: 26, rows: 2500, classes: 3, files: 3, rowGroupSize: 200, scoresOnly: true }, ["--strategy", "top_k_per_class", "--k-per-class", "25"], "parquet"],
  ];
  for (const [name, shape, args, format] of ssl) {
    test(name, async () => {
      const { dir } = writePool({ seed: 0, rows: 0, classes: 2, files: 1, rowGroupSize: 1, ...shape });
      const { streamed } = await sameAsInMemory(dir, args, format);
      const metadata = comparable(streamed.output);
      expect(metadata.selected_count).toBeGreaterThan(0);
      expect((metadata.pseudo_labels as Record<string, unknown>).per_class).toBeDefined();
    });
  }

  test("every passing row kept: the candidates are the selection, the counts are the whole pool's", async () => {
    const { dir } = writePool({ seed: 27, rows: 3000, classes: 4, files: 2, rowGroupSize: 200 });
    const { streamed } = await sameAsInMemory(dir, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.4", "--max-samples", "15"]);
    const details = comparable(streamed.output).strategy_details as { rowsPassing: number };
    // MAX_SAMPLES keeps 15 of many more passing rows; the count is over the whole pool, not the 15 candidates.
    expect(details.rowsPassing).toBeGreaterThan(100);
  });

  test("labelled and excluded ids, and the report", async () => {
    const { dir, ids } = writePool({ seed: 28, rows: 2000, classes: 4, files: 2, rowGroupSize: 150, nulls: false });
    const work = tempDir("as-stream-ssl-ids-");
    writeFileSync(join(work, "exclude.txt"), `${ids.slice(0, 300).join("\n")}\n`);
    for (const strategy of [["--strategy", "confidence_threshold", "--confidence-threshold", "0.4", "--max-samples", "50"], ["--strategy", "top_k_per_class", "--k-per-class", "12"]]) {
      const { streamed, whole } = await sameAsInMemory(dir, [...strategy, "--exclude-ids-file", join(work, "exclude.txt"), "--save-report"]);
      expect(comparable(streamed.output).excluded_rows).toBe(300);
      expect(reportFigures(streamed.output)).toBe(reportFigures(whole.output));
    }
  });

  test("no row passes the threshold: the in-memory run says so, as always", async () => {
    const { dir } = writePool({ seed: 29, rows: 600, classes: 4, files: 1, rowGroupSize: 100 });
    const none = await run(dir, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.99"]);
    expect(none.result.error).toBeNull();
    expect(none.log).toContain("reading the pool whole: no row may be selected");
    expect(none.log).toContain("no row reaches CONFIDENCE_THRESHOLD=0.99");
  });

  for (const mode of ["flexmatch", "freematch"]) {
    test(`THRESHOLD_MODE=${mode}: class thresholds from a first pass over the whole pool`, async () => {
      const { dir } = writePool({ seed: 30, rows: 2400, classes: 4, files: 2, rowGroupSize: 130 });
      for (const args of [["--strategy", "confidence_threshold", "--confidence-threshold", "0.45"], ["--strategy", "confidence_threshold", "--confidence-threshold", "0.4", "--max-samples", "60", "--class-balance", "uniform"],
        ["--strategy", "top_k_per_class", "--k-per-class", "30", "--confidence-threshold", "0.5"]]) {
        const { streamed } = await sameAsInMemory(dir, [...args, "--threshold-mode", mode]);
        const thresholds = (comparable(streamed.output).pseudo_labels as { class_thresholds: Record<string, number> }).class_thresholds;
        expect(Object.keys(thresholds).length).toBe(4);
      }
    });
  }

  test("THRESHOLD_MODE with excluded ids, on zstd files as DuckDB writes them (both passes decompressed on the helper thread): one thread or two", async () => {
    const dir = tempDir("as-stream-zstd-flex-");
    const weights = [0, 1, 2, 3].map((k) => `(1 + (i * ${k + 3} + i // 7) % 5)`);
    await duckdb(dir, [
      `CREATE TABLE pool AS SELECT 'doc-' || lpad(((i * 7919) % 6000)::VARCHAR, 5, '0') AS id, ${weights.map((w, k) => `${w} / (${weights.join(" + ")}) AS prob_class_${k}`).join(", ")} FROM range(6000) r(i)`,
      "COPY (SELECT * FROM pool WHERE id < 'doc-03000') TO '$DIR/part-0.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)",
      "COPY (SELECT * FROM pool WHERE id >= 'doc-03000') TO '$DIR/part-1.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)",
    ]);
    const work = tempDir("as-stream-zstd-flex-ids-");
    // Excluded ids change the sums the thresholds come from, so the first pass must leave them out as the second does.
    writeFileSync(join(work, "exclude.txt"), `${Array.from({ length: 400 }, (_, k) => `doc-${String(k * 13).padStart(5, "0")}`).join("\n")}\n`);
    const args = ["--strategy", "confidence_threshold", "--confidence-threshold", "0.4", "--max-samples", "80", "--threshold-mode", "flexmatch", "--exclude-ids-file", join(work, "exclude.txt")];
    const one = await sameAsInMemory(dir, args, "csv", { THREADS: "1" });
    const two = await sameAsInMemory(dir, args, "csv", { THREADS: "2" });
    expect(comparable(one.streamed.output).excluded_rows).toBe(400);
    expect(readFileSync(join(two.streamed.output, "selected_samples.csv"), "utf8")).toBe(readFileSync(join(one.streamed.output, "selected_samples.csv"), "utf8"));
    const thresholds = (run: { output: string }) => (comparable(run.output).pseudo_labels as { class_thresholds: Record<string, number> }).class_thresholds;
    expect(thresholds(two.streamed)).toEqual(thresholds(one.whole));
    // Without the exclusions the thresholds differ: the test would see a first pass that counted excluded rows.
    const all = await run(dir, args.slice(0, -2));
    expect(thresholds(all)).not.toEqual(thresholds(one.whole));
  });

  test("calibration data: temperature-scaled ranking, and TARGET_PRECISION's conformal selection over the whole pool", async () => {
    const { dir } = writePool({ seed: 33, rows: 3000, classes: 4, files: 2, rowGroupSize: 160, nulls: false });
    // Calibration rows scored like the pool; the model is right about half of the time, more often when sure.
    const rng = new Rng(34);
    const calibration = tempDir("as-stream-cal-");
    const lines = ["prob_class_0,prob_class_1,prob_class_2,prob_class_3,label"];
    for (let i = 0; i < 400; i++) {
      const weights = Array.from({ length: 4 }, () => 1 + rng.nextInt(4));
      const total = weights.reduce((a, b) => a + b, 0);
      const top = weights.indexOf(Math.max(...weights));
      const label = rng.nextFloat() < 1.3 * Math.max(...weights) / total ? top : rng.nextInt(4);
      lines.push(`${weights.map((w) => w / total).join(",")},${label}`);
    }
    writeFileSync(join(calibration, "cal.csv"), lines.join("\n") + "\n");
    const runs = [
      ["--strategy", "confidence_threshold", "--confidence-threshold", "0.4"],
      ["--strategy", "confidence_threshold", "--target-precision", "0.72", "--max-samples", "80"],
      ["--strategy", "confidence_threshold", "--target-precision", "0.72", "--precision-scope", "class", "--class-balance", "uniform"],
      ["--strategy", "top_k_per_class", "--k-per-class", "30", "--target-precision", "0.7", "--calibrate", "off"],
    ];
    for (const args of runs) {
      const { streamed, whole } = await sameAsInMemory(dir, [...args, "--calibration", calibration, "--save-report"]);
      const labels = comparable(streamed.output).pseudo_labels as { calibration: unknown; precision: { rows_passing: number } | null };
      expect(labels.calibration).not.toBeNull();
      if (args.includes("--target-precision")) expect(labels.precision!.rows_passing).toBeGreaterThan(0);
      expect(reportFigures(streamed.output)).toBe(reportFigures(whole.output));
    }
  });
});

describe("CSV input streams a piece at a time, and writes the in-memory run's bytes", () => {
  const cases: [string, Partial<PoolShape>, string[], "csv" | "parquet"][] = [
    ["uncertainty, quoted cells, three files", { seed: 41, rows: 2400, classes: 4, files: 3, format: "csv" }, ["--strategy", "uncertainty", "--batch-size", "40"], "csv"],
    ["uncertainty with quotas, gzip, Parquet output", { seed: 42, rows: 2000, classes: 3, files: 2, format: "csv.gz" }, ["--strategy", "uncertainty", "--batch-size", "50", "--class-balance", "uniform"], "parquet"],
    ["confidence_threshold, every passing row", { seed: 43, rows: 2000, classes: 4, files: 2, format: "csv" }, ["--strategy", "confidence_threshold", "--confidence-threshold", "0.4"], "csv"],
    ["top_k_per_class, THRESHOLD_MODE=freematch", { seed: 44, rows: 2000, classes: 4, files: 2, format: "csv.gz" }, ["--strategy", "top_k_per_class", "--k-per-class", "20", "--threshold-mode", "freematch"], "parquet"],
    ["the report, embeddings to project", { seed: 45, rows: 7000, classes: 3, files: 2, format: "csv", vectors: 3, nulls: false }, ["--strategy", "uncertainty", "--batch-size", "30", "--save-report"], "csv"],
  ];
  for (const [name, shape, args, output] of cases) {
    test(name, async () => {
      const { dir } = writePool({ seed: 0, rows: 0, classes: 2, files: 1, rowGroupSize: 1, ...shape });
      const { streamed, whole } = await sameAsInMemory(dir, args, output);
      if (args.includes("--save-report")) {
        const page = reportFigures(streamed.output);
        expect(page).toBe(reportFigures(whole.output));
        expect(page).toContain("PCA projection of the pool");
      }
    });
  }
});

describe("predicted labels with a confidence (LLM outputs) stream: the classes are every row's labels", () => {
  /** id, predicted_label, confidence_score; the label "zebra" first appears past the rows the column plan looks at. */
  function writeLabelled(seed: number, rows: number, format: "parquet" | "csv"): string {
    const rng = new Rng(seed);
    const dir = tempDir("as-stream-labels-");
    const labels = Array.from({ length: rows }, (_, i) => (i > 900 && i % 37 === 0 ? "zebra" : ["cat", "dog", "bird"][rng.nextInt(3)]!));
    const confidence = Array.from({ length: rows }, () => (20 + rng.nextInt(80)) / 100);
    const ids = Array.from({ length: rows }, (_, i) => `q${String(i).padStart(5, "0")}`);
    const half = Math.ceil(rows / 2);
    for (const [f, at] of [[0, 0], [1, half]] as const) {
      const end = f === 0 ? half : rows;
      if (format === "parquet") {
        writeFileSync(join(dir, `part-${f}.parquet`), new Uint8Array(parquetWriteBuffer({ rowGroupSize: 150, columnData: [
          { name: "id", data: ids.slice(at, end), type: "STRING" },
          { name: "predicted_label", data: labels.slice(at, end), type: "STRING" },
          { name: "confidence_score", data: confidence.slice(at, end), type: "DOUBLE" },
        ] })));
      } else {
        const lines = ["id,predicted_label,confidence_score", ...ids.slice(at, end).map((id, k) => `${id},${labels[at + k]},${confidence[at + k]}`)];
        writeFileSync(join(dir, `part-${f}.csv`), lines.join("\n") + "\n");
      }
    }
    return dir;
  }

  for (const format of ["parquet", "csv"] as const) {
    test(`${format}: uncertainty, confidence_threshold, top_k_per_class; LABEL_CLASSES`, async () => {
      const dir = writeLabelled(51, 2400, format);
      const runs = [
        ["--strategy", "uncertainty", "--batch-size", "40", "--class-balance", "uniform", "--save-report"],
        ["--strategy", "confidence_threshold", "--confidence-threshold", "0.8"],
        ["--strategy", "top_k_per_class", "--k-per-class", "15"],
        ["--strategy", "uncertainty", "--batch-size", "30", "--label-classes", "bird,cat,dog,zebra,yak"],
      ];
      for (const args of runs) {
        const { streamed } = await sameAsInMemory(dir, args, format === "csv" ? "parquet" : "csv");
        expect(comparable(streamed.output).class_names).toEqual(args.includes("--label-classes") ? ["bird", "cat", "dog", "yak", "zebra"] : ["bird", "cat", "dog", "zebra"]);
      }
    });
  }
});

/** The report without its metadata section (the timings and STREAM differ between the paths; everything else is charted from the data). */
function reportFigures(output: string): string {
  const html = readFileSync(join(output, "selection_report.html"), "utf8");
  const start = html.indexOf('<section id="metadata">');
  expect(start).toBeGreaterThan(0);
  return html.slice(0, start) + html.slice(html.indexOf("</section>", start));
}

describe("the report of a streamed run charts the whole pool as the in-memory run's does", () => {
  const cases: [string, Partial<PoolShape>, string[]][] = [
    ["one heap, many row groups, two files", { seed: 11, rows: 2600, classes: 4, files: 2, rowGroupSize: 150, nulls: false }, ["--batch-size", "45"]],
    ["quotas per class, id and scores only", { seed: 12, rows: 2200, classes: 3, files: 3, rowGroupSize: 70, scoresOnly: true }, ["--batch-size", "60", "--class-balance", "pool"]],
    ["entropy, one class much larger", { seed: 13, rows: 1800, classes: 6, files: 1, rowGroupSize: 64, nulls: false }, ["--batch-size", "30", "--uncertainty-mode", "entropy"]],
    ["embeddings to project, more rows than the scatter draws and PCA fits on", { seed: 15, rows: 24000, classes: 3, files: 2, rowGroupSize: 1500, scoresOnly: true, vectors: 5 }, ["--batch-size", "50"]],
    ["embeddings and other numeric columns, a seed of its own", { seed: 16, rows: 1200, classes: 4, files: 2, rowGroupSize: 90, vectors: 4, nulls: false }, ["--batch-size", "20", "--class-balance", "uniform", "--random-seed", "7"]],
  ];
  for (const [name, shape, args] of cases) {
    test(name, async () => {
      const { dir } = writePool({ seed: 0, rows: 0, classes: 2, files: 1, rowGroupSize: 1, ...shape });
      const { streamed, whole } = await sameAsInMemory(dir, ["--strategy", "uncertainty", ...args, "--save-report"]);
      const page = reportFigures(streamed.output);
      expect(page).toBe(reportFigures(whole.output));
      expect(page.includes("PCA projection of the pool")).toBe(!shape.scoresOnly || (shape.vectors ?? 0) > 0);
      // It charts the whole pool, not the candidates the streamed run kept.
      expect(page).toContain(`pool · ${shape.rows!.toLocaleString("en-US")} rows`);
    });
  }

  test("one thread or two (the report's figures counted on a helper thread): the same report and selection", async () => {
    const { dir } = writePool({ seed: 17, rows: 3000, classes: 5, files: 2, rowGroupSize: 110, nulls: false });
    const args = ["--strategy", "uncertainty", "--batch-size", "40", "--uncertainty-mode", "entropy", "--save-report"];
    const one = await sameAsInMemory(dir, args, "csv", { THREADS: "1" });
    const two = await sameAsInMemory(dir, args, "csv", { THREADS: "2" });
    expect(reportFigures(one.streamed.output)).toBe(reportFigures(one.whole.output));
    expect(reportFigures(two.streamed.output)).toBe(reportFigures(one.streamed.output));
    expect(Buffer.compare(readFileSync(join(two.streamed.output, "selected_samples.csv")), readFileSync(join(one.streamed.output, "selected_samples.csv")))).toBe(0);
  });

  test("zstd files as DuckDB writes them (the next row group read and decompressed on the helper thread): the same bytes and report with one thread or two", async () => {
    const dir = tempDir("as-stream-zstd-");
    const weights = [0, 1, 2, 3].map((k) => `(1 + (i * ${k + 3} + i // 7) % 5)`);
    await duckdb(dir, [
      `CREATE TABLE pool AS SELECT 'doc-' || lpad(((i * 7919) % 9000)::VARCHAR, 5, '0') AS id, ${weights.map((w, k) => `${w} / (${weights.join(" + ")}) AS prob_class_${k}`).join(", ")},
        ['web', 'mail', 'chat'][i % 3 + 1] AS source FROM range(9000) r(i)`,
      "COPY (SELECT * FROM pool WHERE id < 'doc-04500') TO '$DIR/part-0.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)",
      "COPY (SELECT * FROM pool WHERE id >= 'doc-04500') TO '$DIR/part-1.parquet' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 2048)",
    ]);
    const args = ["--strategy", "uncertainty", "--batch-size", "70", "--save-report"];
    const one = await sameAsInMemory(dir, args, "parquet", { THREADS: "1" });
    const two = await sameAsInMemory(dir, args, "parquet", { THREADS: "2" });
    expect(reportFigures(one.streamed.output)).toBe(reportFigures(one.whole.output));
    expect(reportFigures(two.streamed.output)).toBe(reportFigures(one.streamed.output));
    expect(Buffer.compare(readFileSync(join(two.streamed.output, "selected_samples.parquet")), readFileSync(join(one.streamed.output, "selected_samples.parquet")))).toBe(0);
    expect(reportFigures(two.streamed.output)).toContain("pool · 9,000 rows");
  });

  test("labelled and excluded rows: the pool's figures count them, as in memory", async () => {
    const { dir, ids } = writePool({ seed: 14, rows: 1500, classes: 3, files: 2, rowGroupSize: 100, nulls: false });
    const work = tempDir("as-stream-report-ids-");
    const labeled = join(work, "labeled");
    mkdirSync(labeled);
    writeFileSync(join(labeled, "labeled.csv"), `id,label\n${ids.slice(0, 40).map((id) => `${id},1`).join("\n")}\n`);
    const { streamed, whole } = await sameAsInMemory(dir, ["--strategy", "uncertainty", "--batch-size", "25", "--labeled", labeled, "--save-report"]);
    expect(reportFigures(streamed.output)).toBe(reportFigures(whole.output));
  });
});

describe("runs the streamed path leaves to the in-memory one", () => {
  test("repeated ids: DUPLICATE_IDS=keep_first selects as in memory; error fails as in memory", async () => {
    const { dir } = writePool({ seed: 6, rows: 1200, classes: 3, files: 2, rowGroupSize: 100, repeats: 5 });
    // A file the channel ignores warns once, whichever path reads the pool.
    writeFileSync(join(dir, "notes.txt"), "not data\n");
    const kept = await run(dir, ["--strategy", "uncertainty", "--batch-size", "50", "--duplicate-ids", "keep_first"]);
    const whole = await run(dir, ["--strategy", "uncertainty", "--batch-size", "50", "--duplicate-ids", "keep_first", "--stream", "off"]);
    expect(kept.log).toContain("reading the pool whole: ids repeat");
    expect(Buffer.compare(readFileSync(join(kept.output, "selected_samples.csv")), readFileSync(join(whole.output, "selected_samples.csv")))).toBe(0);
    expect(comparable(kept.output)).toEqual(comparable(whole.output));
    expect((comparable(kept.output).warnings as string[]).filter((w) => w.includes("notes.txt")).length).toBe(1);
    const refused = await run(dir, ["--strategy", "uncertainty", "--batch-size", "50"]);
    expect(refused.result.exitCode).not.toBe(0);
    expect(refused.result.error?.message).toContain("duplicate ids in the pool");
  });

  test("a repeated id beyond ASCII in DuckDB's files (ids hashed from their bytes): read whole, as in memory", async () => {
    const dir = tempDir("as-stream-utf8-repeat-");
    await duckdb(dir, [
      `CREATE TABLE pool AS SELECT CASE WHEN i = 2999 THEN 'café-7' ELSE 'café-' || i END AS id, 0.25 + (i % 5) / 10 AS prob_class_0,
        0.75 - (i % 5) / 10 AS prob_class_1 FROM range(3000) r(i)`,
      "COPY pool TO '$DIR/part-0.parquet' (FORMAT parquet, ROW_GROUP_SIZE 1024)",
    ]);
    const args = ["--strategy", "uncertainty", "--batch-size", "50", "--duplicate-ids", "keep_first"];
    const kept = await run(dir, args);
    const whole = await run(dir, [...args, "--stream", "off"]);
    expect(kept.log).toContain("reading the pool whole: ids repeat");
    expect(Buffer.compare(readFileSync(join(kept.output, "selected_samples.csv")), readFileSync(join(whole.output, "selected_samples.csv")))).toBe(0);
    const refused = await run(dir, ["--strategy", "uncertainty", "--batch-size", "50"]);
    expect(refused.result.error?.message).toContain("café-7");
  });

  test("a bad probability is reported with its file and row, as the in-memory read reports it", async () => {
    const dir = tempDir("as-stream-bad-");
    const n = 500;
    const p0 = Array.from({ length: n }, (_, i) => (i === 420 ? 1.5 : 0.25));
    writeFileSync(join(dir, "part-0.parquet"), new Uint8Array(parquetWriteBuffer({ rowGroupSize: 100, columnData: [
      { name: "id", data: Array.from({ length: n }, (_, i) => `r${i}`), type: "STRING" },
      { name: "prob_class_0", data: p0, type: "DOUBLE" },
      { name: "prob_class_1", data: p0.map((p) => 1 - p), type: "DOUBLE" },
    ] })));
    const bad = await run(dir, ["--strategy", "uncertainty", "--batch-size", "10"]);
    expect(bad.result.exitCode).not.toBe(0);
    expect(bad.result.error?.message).toContain("row 421");
  });

  test("an empty id in a row group held as bytes is reported with its file and row, as the in-memory read reports it", async () => {
    const dir = tempDir("as-stream-empty-id-");
    const n = 500;
    writeFileSync(join(dir, "part-0.parquet"), new Uint8Array(parquetWriteBuffer({ rowGroupSize: 100, columnData: [
      { name: "id", data: Array.from({ length: n }, (_, i) => (i === 333 ? "" : `r${i}`)), type: "STRING" },
      { name: "prob_class_0", data: Array.from({ length: n }, (_, i) => (i % 4) / 4), type: "DOUBLE" },
      { name: "prob_class_1", data: Array.from({ length: n }, (_, i) => 1 - (i % 4) / 4), type: "DOUBLE" },
    ] })));
    const streamed = await run(dir, ["--strategy", "uncertainty", "--batch-size", "10"]);
    const whole = await run(dir, ["--strategy", "uncertainty", "--batch-size", "10", "--stream", "off"]);
    expect(streamed.log).toContain("reading the pool whole: the streamed read met a problem");
    expect(streamed.result.exitCode).not.toBe(0);
    expect(streamed.result.error?.message).toContain("row 334 has an empty id");
    expect(streamed.result.error?.message).toBe(whole.result.error?.message);
  });

  test("a vector the report cannot project reads the pool whole, whose report says why", async () => {
    const { dir } = writePool({ seed: 17, rows: 700, classes: 3, files: 1, rowGroupSize: 100 });
    const reported = await run(dir, ["--strategy", "uncertainty", "--batch-size", "10", "--save-report"]);
    expect(reported.result.error).toBeNull();
    expect(reported.log).toContain("reading the pool whole: a vector column holds a value the report cannot project");
    expect(readFileSync(join(reported.output, "selection_report.html"), "utf8")).toContain("The vector columns cannot be projected");
  });

  test("JSON lines read the pool whole", async () => {
    const jsonl = tempDir("as-stream-jsonl-");
    writeFileSync(join(jsonl, "pool.jsonl"), '{"id": "a", "prob_class_0": 0.5, "prob_class_1": 0.5}\n{"id": "b", "prob_class_0": 0.9, "prob_class_1": 0.1}\n');
    const fromJsonl = await run(jsonl, ["--strategy", "uncertainty", "--batch-size", "1"]);
    expect(fromJsonl.result.error).toBeNull();
    expect(fromJsonl.log).toContain("neither all Parquet nor all CSV");
    // Told apart before any file is read: the file is read once, by the in-memory path.
    expect(fromJsonl.log).not.toContain("a part at a time");
  });
});

test("the compiled binary streams (report on, the default) and writes the in-memory run's bytes and report", () => {
  const { dir } = writePool({ seed: 8, rows: 2000, classes: 5, files: 2, rowGroupSize: 128 });
  const outputs = ["auto", "off"].map((stream) => {
    const output = join(tempDir("as-stream-bin-"), "out");
    const ran = runBinary(["--input", dir, "--output", output, "--strategy", "uncertainty", "--batch-size", "60", "--class-balance", "pool",
      "--output-format", "parquet"], { STREAM: stream, THREADS: "2" }); // two threads: the report is counted on the helper thread
    expect(ran.exitCode).toBe(0);
    expect(ran.stderr.includes("a part at a time")).toBe(stream === "auto");
    return { selection: readFileSync(join(output, "selected_samples.parquet")), report: reportFigures(output) };
  });
  expect(Buffer.compare(outputs[0]!.selection, outputs[1]!.selection)).toBe(0);
  expect(outputs[0]!.report).toBe(outputs[1]!.report);
});

test("the compiled binary streams confidence_threshold and writes the in-memory run's bytes", () => {
  const { dir } = writePool({ seed: 31, rows: 2000, classes: 4, files: 2, rowGroupSize: 128 });
  const outputs = ["auto", "off"].map((stream) => {
    const output = join(tempDir("as-stream-bin-"), "out");
    const ran = runBinary(["--input", dir, "--output", output, "--strategy", "confidence_threshold", "--confidence-threshold", "0.4",
      "--max-samples", "80", "--class-balance", "uniform", "--no-save-report"], { STREAM: stream });
    expect(ran.exitCode).toBe(0);
    expect(ran.stderr.includes("a part at a time")).toBe(stream === "auto");
    return readFileSync(join(output, "selected_samples.csv"));
  });
  expect(outputs[0]!.length).toBeGreaterThan(0);
  expect(Buffer.compare(outputs[0]!, outputs[1]!)).toBe(0);
});

test("the compiled binary streams CSV.gz input and writes the in-memory run's bytes", () => {
  const { dir } = writePool({ seed: 46, rows: 1500, classes: 3, files: 2, rowGroupSize: 1, format: "csv.gz" });
  const outputs = ["auto", "off"].map((stream) => {
    const output = join(tempDir("as-stream-bin-"), "out");
    const ran = runBinary(["--input", dir, "--output", output, "--strategy", "top_k_per_class", "--k-per-class", "25", "--no-save-report"], { STREAM: stream });
    expect(ran.exitCode).toBe(0);
    expect(ran.stderr.includes("a part at a time")).toBe(stream === "auto");
    if (stream === "auto") expect(ran.stderr.includes("reading the pool whole")).toBe(false);
    return readFileSync(join(output, "selected_samples.csv"));
  });
  expect(outputs[0]!.length).toBeGreaterThan(0);
  expect(Buffer.compare(outputs[0]!, outputs[1]!)).toBe(0);
});

/**
 * Bad input never produces a selection: every malformed input below is generated into a temp
 * directory, and each run must fail with the right exit class (2 usage, 3 data), a message
 * that names the file and the row/column where there is one plus what to do, and an output
 * directory with no selected_samples.*, no selection_metadata.json and no temp files.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  basePool, FORMATS, forbiddenLeftovers, renamed, runOn, toCsv, withCell, withColumn, without, type Sheet,
} from "./harness.ts";

interface Case {
  name: string;
  /** File name → contents; a Sheet is encoded in the format under test. */
  files: Record<string, Sheet | string | Uint8Array>;
  args?: string[];
  env?: Record<string, string>;
  exit: 2 | 3;
  /** Each must appear in the error message: file names, "row 3", column names. */
  mentions?: string[];
  /** What to do about it. */
  hint: RegExp;
}

const pool = basePool();
const uncertainty = ["--strategy", "uncertainty"];
const diversity = ["--strategy", "diversity"];
const enc = (text: string) => new TextEncoder().encode(text);

/** Cases that hold for any input format: the sheet is encoded as each entry of FORMATS. */
const ANY_FORMAT: Case[] = [
  { name: "files with different schemas (extra column)", files: { "a": pool, "b": withColumn(pool, "note", () => "x") }, args: uncertainty,
    exit: 3, mentions: ["b.", "a.", "note"], hint: /must share one schema/ },
  { name: "files with different schemas (missing column)", files: { "a": pool, "b": without(pool, "emb_1") }, args: uncertainty,
    exit: 3, mentions: ["b.", "emb_1"], hint: /must share one schema/ },
  { name: "missing id column", files: { "p": renamed(pool, "id", "uid") }, args: uncertainty,
    exit: 3, mentions: ["p.", '"id"', "uid"], hint: /ID_FIELD/ },
  { name: "missing score columns (lists the columns seen)", files: { "p": without(pool, "prob_class_0", "prob_class_1", "prob_class_2") }, args: uncertainty,
    exit: 3, mentions: ["p.", "columns: id, emb_0, emb_1"], hint: /SCORE_FIELD/ },
  { name: "text in a score column", files: { "p": withCell(pool, 2, "prob_class_1", "high") }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 3", '"prob_class_1"', '"high"'], hint: /expected a finite number/ },
  { name: "text in a vector column", files: { "p": withCell(pool, 4, "emb_1", "n/a") }, args: diversity,
    exit: 3, mentions: ["p.", "row 5", '"emb_1"', '"n/a"'], hint: /expected a finite number/ },
  { name: "NaN in a score column", files: { "p": withCell(pool, 0, "prob_class_0", NaN) }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 1", '"prob_class_0"', "NaN"], hint: /finite number/ },
  { name: "inf in a score column", files: { "p": withCell(pool, 1, "prob_class_2", Infinity) }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 2", '"prob_class_2"'], hint: /finite number/ },
  { name: "-inf in a vector column", files: { "p": withCell(pool, 3, "emb_0", -Infinity) }, args: diversity,
    exit: 3, mentions: ["p.", "row 4", '"emb_0"'], hint: /finite number/ },
  { name: "NaN in a vector column (badge)", files: { "p": withCell(pool, 5, "emb_1", NaN) }, args: ["--strategy", "badge"],
    exit: 3, mentions: ["p.", "row 6", '"emb_1"'], hint: /finite number/ },
  { name: "empty score value", files: { "p": withCell(pool, 2, "prob_class_0", null) }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 3", '"prob_class_0"', "is empty"], hint: /Fix or drop that row/ },
  { name: "empty vector value", files: { "p": withCell(pool, 2, "emb_0", null) }, args: diversity,
    exit: 3, mentions: ["p.", "row 3", '"emb_0"', "is empty"], hint: /Fix or drop that row/ },
  { name: "an overflowing number (1e999) in a vector column", files: { "p": withCell(pool, 1, "emb_0", "1e999") }, args: diversity,
    exit: 3, mentions: ["p.", "row 2", '"emb_0"'], hint: /finite number/ },
  { name: "a vector value beyond float32's range (held as float32)", files: { "p": withCell(pool, 1, "emb_0", "1e39") }, args: diversity,
    exit: 3, mentions: ["p.", "row 2", '"emb_0"', "1e39"], hint: /VECTOR_PRECISION=float64/ },
  { name: "a vector value too large to square (held as float64)", files: { "p": withCell(pool, 2, "emb_1", "-1e200") }, args: [...diversity, "--vector-precision", "float64"],
    exit: 3, mentions: ["p.", "row 3", '"emb_1"', "-1e200"], hint: /rescale/ },
  { name: "a leaf index beyond 32 bits", files: { "p": withColumn(withColumn(pool, "leaf_0", (i) => (i === 4 ? 4294967296 : 0)), "leaf_1", () => 1) },
    args: ["--strategy", "leaf_coreset"], exit: 3, mentions: ["p.", "row 5", '"leaf_0"', "4294967296"], hint: /renumber/ },
  { name: "probability above 1", files: { "p": withCell(withCell(pool, 3, "prob_class_0", 1.5), 3, "prob_class_1", -0.5) }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 4", '"prob_class_0"', "1.5"], hint: /not logits/ },
  { name: "probability below 0", files: { "p": withCell(pool, 2, "prob_class_2", -0.25) }, args: ["--strategy", "confidence_threshold"],
    exit: 3, mentions: ["p.", "row 3", '"prob_class_2"', "-0.25"], hint: /\[0,1\]/ },
  { name: "negative single score", files: { "p": { columns: ["id", "score"], rows: [["a", 0.5], ["b", -0.2], ["c", 0.9]] } }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 2", '"score"', "-0.2"], hint: /Rescale it/ },
  { name: "single prob_class column above 1", files: { "p": { columns: ["id", "prob_class_0"], rows: [["a", 0.5], ["b", 0.2], ["c", 1.01]] } }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 3", '"prob_class_0"'], hint: /probability in \[0,1\]/ },
  { name: "probability rows not summing to 1", files: { "p": withCell(pool, 3, "prob_class_0", 0) }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 4", "not 1"], hint: /RENORMALIZE_PROBS=true/ },
  { name: "a row of zeros with --renormalize-probs", files: { "p": withCell(withCell(withCell(pool, 1, "prob_class_0", 0), 1, "prob_class_1", 0), 1, "prob_class_2", 0) },
    args: [...uncertainty, "--renormalize-probs"], exit: 3, mentions: ["p.", "row 2"], hint: /cannot be rescaled/ },
  { name: "diversity without vector columns", files: { "p": withColumn(without(pool, "emb_0", "emb_1"), "note", () => "text") }, args: diversity,
    exit: 3, mentions: ["p."], hint: /add emb_\* columns/ },
  { name: "badge without vector columns", files: { "p": without(pool, "emb_0", "emb_1") }, args: ["--strategy", "badge"],
    exit: 3, mentions: ["p."], hint: /add emb_\* columns/ },
  { name: "zero-norm vector with --metric cosine", files: { "p": withCell(withCell(pool, 2, "emb_0", 0), 2, "emb_1", 0) }, args: [...diversity, "--metric", "cosine"],
    exit: 3, mentions: ["p.", "row 3"], hint: /METRIC=euclidean/ },
  { name: "duplicate ids in one file (names the first duplicates)", files: { "p": withCell(withCell(pool, 4, "id", "r1"), 5, "id", "r2") }, args: uncertainty,
    exit: 3, mentions: ['"r1"', "p.", "row 2", "row 5", '"r2"'], hint: /DUPLICATE_IDS=keep_first/ },
  { name: "duplicate ids across files", files: { "a": pool, "b": pool }, args: uncertainty,
    exit: 3, mentions: ['"r0"', "a.", "b."], hint: /DUPLICATE_IDS=keep_first/ },
  { name: "input already holding selection_score", files: { "p": withColumn(pool, "selection_score", () => 0.5) }, args: uncertainty,
    exit: 3, mentions: ["p.", '"selection_score"'], hint: /rename or drop it/ },
  { name: "input already holding selection_rank", files: { "p": withColumn(pool, "selection_rank", (i) => i + 1) }, args: uncertainty,
    exit: 3, mentions: ["p.", '"selection_rank"'], hint: /rename or drop it/ },
  { name: "an empty id", files: { "p": withCell(pool, 2, "id", null) }, args: uncertainty,
    exit: 3, mentions: ["p.", "row 3", '"id"'], hint: /every row needs an id/ },
  { name: "a header and no rows", files: { "p": { columns: pool.columns, rows: [] } }, args: uncertainty,
    exit: 3, mentions: ["p."], hint: /no data rows \(a header or schema only\); nothing to select from|holds no JSON objects, so there is nothing to select from/ },
  { name: "leaf_coreset without leaf columns", files: { "p": pool }, args: ["--strategy", "leaf_coreset"],
    exit: 3, mentions: ["p."], hint: /leaf_\* columns/ },
  { name: "a fractional leaf index", files: { "p": withColumn(withColumn(pool, "leaf_0", (i) => i % 3), "leaf_1", (i) => (i === 3 ? 2.5 : 1)) },
    args: ["--strategy", "leaf_coreset"], exit: 3, mentions: ["p.", "row 4", '"leaf_1"'], hint: /whole number/ },
  { name: "SCORE_FIELD naming a column that is not there", files: { "p": pool }, args: [...uncertainty, "--score-field", "confidence"],
    exit: 2, mentions: ["p.", '"confidence"', "columns: id"], hint: /SCORE_FIELD/ },
];

const valid = toCsv(pool);
const csvLines = valid.split("\n");
// Long enough that half the stream holds complete rows: a reader that ignores the damage would find data.
const gzipped = gzipSync(enc(valid + Array.from({ length: 2000 }, (_, i) => `x${i},0.25,0.25,0.5,1,2`).join("\n") + "\n"));
const withNote = withColumn(without(pool, "emb_0", "emb_1"), "note", (i) => `note ${i}`);
const noteLines = toCsv(withNote).split("\n");
const featureLines = toCsv(withColumn(withNote, "f", (i) => i / 4)).split("\n");

/** Byte-level damage: only CSV (or gzip) can be broken this way. */
const CSV_ONLY: Case[] = [
  // Columnar files are matched by name (upstream-inputs.test.ts); CSV records are repeated byte for byte.
  { name: "CSV files with the same columns in another order", files: { "a.csv": toCsv(pool), "b.csv": toCsv({ columns: [...pool.columns].reverse(), rows: pool.rows.map((r) => [...r].reverse()) }) },
    args: uncertainty, exit: 3, mentions: ["b.csv"], hint: /another order; CSV files must agree on it.*must share one schema/ },
  { name: "empty input directory", files: {}, args: uncertainty, exit: 3, mentions: ["it is empty"], hint: /expected \*\.csv/ },
  { name: "a directory of only non-data files", files: { "README.md": "# notes\n", "model.pkl": "x", "notes.txt": "id,prob\n" }, args: uncertainty,
    exit: 3, mentions: ["README.md", "model.pkl", "notes.txt"], hint: /expected \*\.csv/ },
  { name: "a CSV separated by semicolons (a European spreadsheet export)", files: { "p.csv": toCsv(pool).replaceAll(",", ";") }, args: uncertainty,
    exit: 3, mentions: ["p.csv"], hint: /separated by semicolons, not commas/ },
  { name: "a CSV separated by tabs", files: { "p.csv": toCsv(pool).replaceAll(",", "\t") }, args: uncertainty,
    exit: 3, mentions: ["p.csv"], hint: /separated by tabs, not commas/ },
  { name: "an empty (0-byte) CSV file", files: { "p.csv": "" }, args: uncertainty, exit: 3, mentions: ["p.csv"], hint: /expected a header line/ },
  { name: "a ragged row with too many fields", files: { "p.csv": [...csvLines.slice(0, 3), csvLines[3] + ",7", ...csvLines.slice(4)].join("\n") },
    args: uncertainty, exit: 3, mentions: ["p.csv", "row 3", "7 fields", "header has 6"], hint: /quote values that contain commas/ },
  { name: "a ragged row with too few fields", files: { "p.csv": [...csvLines.slice(0, 2), csvLines[2]!.replace(/,[^,]*$/, ""), ...csvLines.slice(3)].join("\n") },
    args: uncertainty, exit: 3, mentions: ["p.csv", "row 2", "5 fields", "header has 6"], hint: /one value per column/ },
  // No emb_* columns: the numeric-feature probe reads the short row before the extractor does.
  { name: "a ragged row with too few fields and no emb_* columns", files: { "p.csv": [...featureLines.slice(0, 3), featureLines[3]!.replace(/,[^,]*$/, ""), ...featureLines.slice(4)].join("\n") },
    args: diversity, exit: 3, mentions: ["p.csv", "row 3", "5 fields", "header has 6"], hint: /one value per column/ },
  { name: "an unterminated quote", files: { "p.csv": [...csvLines.slice(0, 4), csvLines[4]!.replace(/^r3/, '"r3'), ...csvLines.slice(5)].join("\n") },
    args: uncertainty, exit: 3, mentions: ["p.csv", "line 5"], hint: /truncated/ },
  { name: "text after a closing quote", files: { "p.csv": [...csvLines.slice(0, 4), csvLines[4]!.replace(/^r3/, '"r3"x'), ...csvLines.slice(5)].join("\n") },
    args: uncertainty, exit: 3, mentions: ["p.csv", "row 4", '"id"'], hint: /written ""/ },
  { name: "a truncated gzip (cut in half)", files: { "p.csv.gz": gzipped.subarray(0, gzipped.length >> 1) }, args: uncertainty,
    exit: 3, mentions: ["p.csv.gz"], hint: /copy it again/ },
  { name: "a gzip missing only its trailer", files: { "p.csv.gz": gzipped.subarray(0, gzipped.length - 4) }, args: uncertainty,
    exit: 3, mentions: ["p.csv.gz"], hint: /copy it again/ },
  { name: "invalid UTF-8 in an id", files: { "p.csv": new Uint8Array([...enc(csvLines.slice(0, 3).join("\n") + "\n"), 0x72, 0xff, 0x39, ...enc("," + csvLines[3]!.split(",").slice(1).join(",") + "\n")]) },
    args: uncertainty, exit: 3, mentions: ["p.csv", "line 4"], hint: /save the file as UTF-8/ },
  { name: "invalid UTF-8 in a text column (Latin-1 file)", files: { "p.csv": new Uint8Array([...enc(noteLines.slice(0, 5).join("\n") + "\n"), ...enc(noteLines[5]!.replace(/note 4$/, "caf")), 0xe9, 0x0a]) },
    args: uncertainty, exit: 3, mentions: ["p.csv", "line 6"], hint: /save the file as UTF-8/ },
  { name: "invalid UTF-8 in the header", files: { "p.csv": new Uint8Array([...enc("id,prob_class_0,prob_class_1,n"), 0xc3, 0x28, ...enc("\na,0.5,0.5,x\n")]) },
    args: uncertainty, exit: 3, mentions: ["p.csv", "line 1"], hint: /save the file as UTF-8/ },
  { name: "a header naming a column twice", files: { "p.csv": "id,prob_class_0,prob_class_1,prob_class_0\na,0.5,0.5,0.5\n" }, args: uncertainty,
    exit: 3, mentions: ["p.csv", '"prob_class_0"', "columns 2 and 4"], hint: /must be unique/ },
];

const okFiles = { "p.csv": valid };
/** Usage errors: the data is fine, the configuration is not. */
const USAGE: Case[] = [
  { name: "unknown strategy (flag)", files: okFiles, args: ["--strategy", "random"], exit: 2, mentions: ['"random"'], hint: /valid values: confidence_threshold, top_k_per_class, uncertainty, diversity, leaf_coreset, badge/ },
  { name: "unknown strategy (env)", files: okFiles, env: { STRATEGY: "coreset" }, exit: 2, mentions: ["STRATEGY", '"coreset"'], hint: /valid values: .*badge/ },
  { name: "an unknown command word", files: okFiles, args: ["kmeans"], exit: 2, mentions: ['"kmeans"'], hint: /commands: select, inspect, merge, simulate or a strategy/ },
  { name: "a boolean flag with a value that is not true or false", files: okFiles, args: [...uncertainty, "--quiet=maybe"], exit: 2, mentions: ["--quiet", "maybe"], hint: /true or false/ },
  { name: "unknown uncertainty mode", files: okFiles, args: [...uncertainty, "--uncertainty-mode", "bald"], exit: 2, mentions: ['"bald"'], hint: /valid values: margin, entropy, least_confidence/ },
  { name: "unknown metric", files: okFiles, args: [...diversity, "--metric", "manhattan"], exit: 2, mentions: ['"manhattan"'], hint: /valid values: euclidean, cosine/ },
  { name: "unknown output format", files: okFiles, args: [...uncertainty], env: { OUTPUT_FORMAT: "xlsx" }, exit: 2, mentions: ["OUTPUT_FORMAT", '"xlsx"'], hint: /valid values: csv, parquet/ },
  { name: "unknown DUPLICATE_IDS policy", files: okFiles, args: uncertainty, env: { DUPLICATE_IDS: "keep_last" }, exit: 2, mentions: ['"keep_last"'], hint: /valid values: error, keep_first/ },
  { name: "unknown flag", files: okFiles, args: [...uncertainty, "--batchsize", "3"], exit: 2, mentions: ["batchsize"], hint: /--help/ },
  { name: "BATCH_SIZE=0", files: okFiles, args: uncertainty, env: { BATCH_SIZE: "0" }, exit: 2, mentions: ["BATCH_SIZE", "0"], hint: /from 1 to/ },
  { name: "BATCH_SIZE=-1", files: okFiles, args: uncertainty, env: { BATCH_SIZE: "-1" }, exit: 2, mentions: ["BATCH_SIZE", "-1"], hint: /from 1 to/ },
  { name: "BATCH_SIZE=1.5", files: okFiles, args: uncertainty, env: { BATCH_SIZE: "1.5" }, exit: 2, mentions: ["BATCH_SIZE", "1.5"], hint: /whole number/ },
  { name: "BATCH_SIZE=abc", files: okFiles, args: uncertainty, env: { BATCH_SIZE: "abc" }, exit: 2, mentions: ["BATCH_SIZE", '"abc"'], hint: /whole number/ },
  { name: "--batch-size with nothing after it", files: okFiles, args: [...uncertainty, "--batch-size", " "], exit: 2, mentions: ["--batch-size"], hint: /whole number/ },
  { name: "--batch-size 1e99", files: okFiles, args: [...uncertainty, "--batch-size", "1e99"], exit: 2, mentions: ["--batch-size"], hint: /from 1 to/ },
  { name: "K_PER_CLASS=0", files: okFiles, args: ["--strategy", "top_k_per_class"], env: { K_PER_CLASS: "0" }, exit: 2, mentions: ["K_PER_CLASS"], hint: /from 1 to/ },
  { name: "K_PER_CLASS=ten", files: okFiles, args: ["--strategy", "top_k_per_class", "--k-per-class", "ten"], exit: 2, mentions: ["--k-per-class", '"ten"'], hint: /whole number/ },
  { name: "CONFIDENCE_THRESHOLD=1.5", files: okFiles, args: ["--strategy", "confidence_threshold"], env: { CONFIDENCE_THRESHOLD: "1.5" }, exit: 2, mentions: ["CONFIDENCE_THRESHOLD", "1.5"], hint: /from 0 to 1/ },
  { name: "CONFIDENCE_THRESHOLD=NaN", files: okFiles, args: ["--strategy", "confidence_threshold"], env: { CONFIDENCE_THRESHOLD: "NaN" }, exit: 2, mentions: ["CONFIDENCE_THRESHOLD"], hint: /expected a number from 0 to 1/ },
  { name: "CONFIDENCE_THRESHOLD=high", files: okFiles, args: ["--strategy", "confidence_threshold"], env: { CONFIDENCE_THRESHOLD: "high" }, exit: 2, mentions: ['"high"'], hint: /expected a number/ },
  { name: "RANDOM_SEED=-3", files: okFiles, args: ["--strategy", "badge"], env: { RANDOM_SEED: "-3" }, exit: 2, mentions: ["RANDOM_SEED", "-3"], hint: /from 0 to 4294967295/ },
  { name: "RANDOM_SEED=seed", files: okFiles, args: ["--strategy", "badge"], env: { RANDOM_SEED: "seed" }, exit: 2, mentions: ["RANDOM_SEED"], hint: /whole number/ },
  { name: "MAX_SAMPLES=-1", files: okFiles, args: ["--strategy", "confidence_threshold"], env: { MAX_SAMPLES: "-1" }, exit: 2, mentions: ["MAX_SAMPLES"], hint: /from 0 to/ },
  { name: "MIN_DISTANCE=-1", files: okFiles, args: diversity, env: { MIN_DISTANCE: "-1" }, exit: 2, mentions: ["MIN_DISTANCE"], hint: /from 0 to/ },
  { name: "PROB_SUM_TOLERANCE=2", files: okFiles, args: uncertainty, env: { PROB_SUM_TOLERANCE: "2" }, exit: 2, mentions: ["PROB_SUM_TOLERANCE"], hint: /from 0 to 0.5/ },
  { name: "SAVE_METADATA=maybe", files: okFiles, args: uncertainty, env: { SAVE_METADATA: "maybe" }, exit: 2, mentions: ["SAVE_METADATA", '"maybe"'], hint: /use true or false/ },
  { name: "uncertainty with USE_CASE=ssl", files: okFiles, args: uncertainty, env: { USE_CASE: "ssl" }, exit: 2, mentions: ['"uncertainty"', "USE_CASE=ssl"], hint: /Use one of confidence_threshold, top_k_per_class, or USE_CASE=active_learning/ },
  { name: "confidence_threshold with USE_CASE=active_learning", files: okFiles, args: ["--strategy", "confidence_threshold", "--use-case", "active_learning"], exit: 2,
    mentions: ['"confidence_threshold"', "USE_CASE=active_learning"], hint: /Use one of uncertainty, diversity, leaf_coreset, badge, hybrid, cluster_margin, typiclust, probcover, or USE_CASE=ssl/ },
  { name: "OpenBLAS required but the named library is missing", files: okFiles, args: [...uncertainty, "--blas", "openblas", "--blas-library", "/nonexistent/libopenblas.so.0"], exit: 2, mentions: ["/nonexistent/libopenblas.so.0"], hint: /OpenBLAS was required/ },
  { name: "--job_type and a positional command together", files: okFiles, args: ["--job_type", "badge", "inspect"], exit: 2, mentions: ["badge", "inspect"], hint: /pass one/ },
];

async function expectRefused(c: Case, files: Record<string, string | Uint8Array>) {
  const { result, left, log } = await runOn(files, c.args ?? [], c.env ?? {});
  const message = result.error?.message ?? "";
  expect({ exit: result.exitCode, message }).toMatchObject({ exit: c.exit });
  for (const m of c.mentions ?? []) expect(message).toContain(m);
  expect(message).toMatch(c.hint);
  expect(log).toContain(message); // the user sees it on stderr too
  expect(log).not.toContain("This is a bug");
  expect(result.outputs).toEqual([]);
  expect(forbiddenLeftovers(left)).toEqual([]);
}

for (const [format, { ext, encode }] of Object.entries(FORMATS)) {
  describe(`malformed ${format} input is refused and writes nothing`, () => {
    for (const c of ANY_FORMAT) {
      test(`${c.name} → exit ${c.exit}`, async () => {
        const files = Object.fromEntries(Object.entries(c.files).map(([name, sheet]) => [`${name}.${ext}`, encode(sheet as Sheet)]));
        await expectRefused(c, files);
      });
    }
  });
}

describe("damaged CSV bytes are refused and write nothing", () => {
  for (const c of CSV_ONLY) {
    test(`${c.name} → exit ${c.exit}`, async () => expectRefused(c, c.files as Record<string, string | Uint8Array>));
  }
});

describe("bad parameters are refused before anything is read or written", () => {
  for (const c of USAGE) {
    test(`${c.name} → exit ${c.exit}`, async () => expectRefused(c, c.files as Record<string, string | Uint8Array>));
  }
});

describe("the lenient settings do what they promise", () => {
  test("--renormalize-probs rescales rows that do not sum to 1 and counts them in the metadata", async () => {
    let sheet = withCell(pool, 1, "prob_class_0", 0);
    sheet = withCell(sheet, 4, "prob_class_2", 0.9);
    const { result, output } = await runOn({ "p.csv": toCsv(sheet) }, [...uncertainty, "--batch-size", "100", "--renormalize-probs"]);
    expect(result.exitCode).toBe(0);
    const metadata = result.metadata as { score_normalisation: { renormalisedRows: number }; warnings: string[] };
    expect(metadata.score_normalisation.renormalisedRows).toBe(2);
    const written = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    expect(written.score_normalisation.renormalisedRows).toBe(2);
    // The written rows keep the values as given; only the engine sees the rescaled ones.
    const text = readFileSync(join(output, "selected_samples.csv"), "utf8");
    expect(text).toContain(toCsv({ columns: [], rows: [sheet.rows[1]!] }).trim() + ",");
  });

  test("within PROB_SUM_TOLERANCE rows are used as given and not counted", async () => {
    const sheet = withCell(pool, 1, "prob_class_0", (pool.rows[1]![1] as number) + 0.0005);
    const { result } = await runOn({ "p.csv": toCsv(sheet) }, [...uncertainty, "--renormalize-probs"]);
    expect(result.exitCode).toBe(0);
    expect((result.metadata as { score_normalisation: { renormalisedRows: number } }).score_normalisation.renormalisedRows).toBe(0);
  });

  for (const strategy of ["uncertainty", "diversity", "badge", "confidence_threshold", "top_k_per_class"]) {
    test(`DUPLICATE_IDS=keep_first: ${strategy} never selects an id twice`, async () => {
      const dupes = { columns: pool.columns, rows: [...pool.rows, ...pool.rows] };
      const { result, output, log } = await runOn({ "a.csv": toCsv(dupes), "b.csv": toCsv(pool) },
        ["--strategy", strategy, "--batch-size", "100", "--confidence-threshold", "0"], { DUPLICATE_IDS: "keep_first" });
      expect(result.exitCode).toBe(0);
      const ids = readFileSync(join(output, "selected_samples.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(",")[0]);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThan(0);
      expect(log).toContain("repeat an earlier id");
    });
  }
});

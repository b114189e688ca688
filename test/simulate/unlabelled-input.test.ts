/**
 * `simulate --input DIR`: unlabelled rows join every seed's pool as its shape. They move the
 * picks of the configurations the catalog says they shape (typiclust, probcover,
 * cluster_margin) the way real unlabelled rows would, change nothing for the others, are never
 * picked, are read in every format and layout and in any order to the same result on both
 * backends, and a wrong --input is refused before anything is written.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as arrow from "apache-arrow";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { DOUBLE, TEXT } from "../../src/io/column-type.ts";
import { writeParquetFile } from "../../src/io/parquet-writer.ts";
import { Rng } from "../../src/rng.ts";
import { main } from "../../src/run.ts";
import { readLabelledSet } from "../../src/simulate/labelled-set.ts";
import { simulate, type SimulationResult } from "../../src/simulate/simulate.ts";
import { readUnlabelledSet, type UnlabelledRows } from "../../src/simulate/unlabelled-set.ts";
import { runBinary } from "../binary.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { tempDir } from "../helpers.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!;
const DIM = 4;
const FAST = ["--batch-size", "20", "--rounds", "2", "--simulation-seeds", "2", "--quiet"];
const SHAPED = ["typiclust", "probcover", "cluster_margin"];
const UNSHAPED = ["margin", "coreset_euclidean", "badge", "margin_min_distance", "hybrid_margin_diversity"];
const ALL = [...SHAPED, ...UNSHAPED].join(",");

/**
 * 360 rows of three overlapping classes around the origin, and 40 "outpost" rows (class fox)
 * around OUTPOST, far from them: id, label, emb_0..3, ids in shuffled order.
 */
const OUTPOST = 8;
function labelledLines(): string[] {
  const rng = new Rng(5);
  const lines = ["id,label,emb_0,emb_1,emb_2,emb_3"];
  for (let i = 0; i < 400; i++) {
    const outpost = i >= 360;
    const label = outpost ? "fox" : ["cat", "dog", "fox"][i % 3]!;
    const emb = Array.from({ length: DIM }, (_, j) => ((outpost ? OUTPOST : j === i % 3 ? 1.5 : 0) + rng.nextGaussian()).toFixed(4));
    lines.push([`r${String((i * 7919) % 400).padStart(4, "0")}${outpost ? "o" : ""}`, label, ...emb].join(","));
  }
  return lines;
}
const isOutpost = (id: string) => id.endsWith("o");

/** `n` unlabelled rows, all in a dense clump at the outpost (or, spread, over the main classes): id, emb_0..3. */
function unlabelledRows(n: number, where: "outpost" | "spread", seed = 9): { id: string; emb: number[] }[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `u${String(i).padStart(5, "0")}`,
    emb: Array.from({ length: DIM }, (_, j) => Number(((where === "outpost" ? OUTPOST : j === i % 3 ? 1.5 : 0) + rng.nextGaussian() * (where === "outpost" ? 0.5 : 1)).toFixed(4))),
  }));
}

function csv(rows: { id: string; emb: number[] }[], columns = Array.from({ length: DIM }, (_, j) => `emb_${j}`)): string {
  return [["id", ...columns].join(","), ...rows.map((r) => [r.id, ...r.emb.slice(0, columns.length)].join(","))].join("\n") + "\n";
}

function dirWith(files: Record<string, string | Uint8Array>): string {
  const dir = tempDir();
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

const labeled = dirWith({ "labelled.csv": labelledLines().join("\n") + "\n" });
const clump = unlabelledRows(600, "outpost");
const input = dirWith({ "pool.csv": csv(clump) });

async function run(args: string[], env: Record<string, string> = {}) {
  const output = join(tempDir(), "out");
  const result = await main({}, {}, env, ["simulate", "--labeled", labeled, "--output", output, ...FAST, ...args]);
  return { result, output, json: existsSync(join(output, "simulation.json")) ? readFileSync(join(output, "simulation.json"), "utf8") : null };
}

describe("simulate --input: which configurations the unlabelled rows shape", () => {
  let without: SimulationResult, withClump: SimulationResult, shapedBy: UnlabelledRows;
  const request = (unlabelled: UnlabelledRows | null) => ({
    batchSize: 20, rounds: 2, minDistance: null, seeds: 2, randomSeed: 42, only: [...SHAPED, ...UNSHAPED], blas: typescriptBlas, unlabelled,
  });
  const curves = (r: SimulationResult, name: string) => r.results.find((x) => x.candidate.name === name)!.curves;
  const firstRound = (r: SimulationResult, name: string) => curves(r, name).map((c) => c.picked.slice(0, 20));

  test("runs (setup)", async () => {
    const data = await readLabelledSet(labeled, { idField: "id", labelField: "label", float64: false });
    shapedBy = await readUnlabelledSet(input, data, { idField: "id", float64: false, seed: 42, limit: 0 });
    without = simulate(data, request(null));
    withClump = simulate(data, request(shapedBy));
  });

  test("no unlabelled row is ever picked", () => {
    const unlabelled = new Set(shapedBy.ids);
    for (const r of withClump.results) for (const c of r.curves) {
      expect(c.picked.length).toBe(40);
      expect(c.picked.filter((id) => unlabelled.has(id))).toEqual([]);
    }
  });

  test("configurations they do not shape pick the same rows, round after round, with them as without them", () => {
    for (const name of ["random", ...UNSHAPED]) {
      expect(withClump.results.find((r) => r.candidate.name === name)!.candidate.poolShape).toBeNull();
      expect(curves(withClump, name)).toEqual(curves(without, name));
    }
  });

  test("typiclust and probcover move toward the dense clump of unlabelled rows at the outpost", () => {
    const outpostPicks = (r: SimulationResult, name: string) => firstRound(r, name).flat().filter(isOutpost).length;
    for (const name of ["typiclust", "probcover"]) {
      const before = outpostPicks(without, name), after = outpostPicks(withClump, name);
      // The outpost is 10% of the rows: alone it draws a few picks (typiclust 2, probcover 1 of
      // 40 here); with 600 unlabelled rows it is 60% of the pool's mass and draws far more (19, 8).
      expect(after).toBeGreaterThanOrEqual(before + 5);
    }
  });

  test("cluster_margin's picks change with the pool's shape", () => {
    expect(firstRound(withClump, "cluster_margin")).not.toEqual(firstRound(without, "cluster_margin"));
  });
});

describe("simulate --input through main()", () => {
  test("simulation.json says how many unlabelled rows shaped the pool, from where, and what they did in which configuration", async () => {
    // The inference output holds the labelled rows too: their ids are left out, counted.
    const labelledAsInput = labelledLines().slice(1, 51).map((line) => { const f = line.split(","); return { id: f[0]!, emb: f.slice(2).map(Number) }; });
    const dir = dirWith({ "pool.csv": csv([...clump, ...labelledAsInput]) });
    const { result, output, json } = await run(["--input", dir, "--simulate-strategies", ALL]);
    expect(result.error?.message ?? null).toBeNull();
    const record = JSON.parse(json!);
    expect(record.unlabelled_data.rows_read).toBe(650);
    expect(record.unlabelled_data.labelled_ids_left_out).toBe(50);
    expect(record.unlabelled_data.rows_shaping_the_pool).toBe(600);
    expect(record.unlabelled_data.sample).toBeNull();
    expect(record.unlabelled_data.path).toBe(dir);
    expect(Object.keys(record.unlabelled_data.shapes).sort()).toEqual([...SHAPED].sort());
    const html = readFileSync(join(output, "simulation_report.html"), "utf8");
    expect(html).toContain("unlabelled rows shaping the pool");
    expect(html).toContain(`600 from 1 file(s) in ${dir}`);
  });

  test("SIMULATE_INPUT_ROWS bounds the rows that shape the pool: a seeded sample, said in simulation.json and the log", async () => {
    const { result, json } = await run(["--input", input, "--simulate-strategies", "typiclust", "--simulate-input-rows", "100"]);
    expect(result.error?.message ?? null).toBeNull();
    const record = JSON.parse(json!);
    expect(record.unlabelled_data.rows_shaping_the_pool).toBe(100);
    expect(record.unlabelled_data.sample).toMatchObject({ from: 600, rows: 100, limit: 100, seed: 42 });
    expect(record.strategies.typiclust.curves).not.toEqual(JSON.parse((await run(["--input", input, "--simulate-strategies", "typiclust"])).json!).strategies.typiclust.curves);
  });

  test("without --input, simulation.json says so (unlabelled_data null)", async () => {
    const { json } = await run(["--simulate-strategies", "margin"]);
    expect(JSON.parse(json!).unlabelled_data).toBeNull();
  });

  test("every format and layout, in any order and sharding, gives the same simulation", async () => {
    const strip = (json: string) => { const r = JSON.parse(json); delete r.labeled_data; delete r.unlabelled_data.path; delete r.unlabelled_data.files; return r; };
    const reference = strip((await run(["--input", input, "--simulate-strategies", ALL])).json!);
    const reversed = [...clump].reverse();
    const third = Math.ceil(reversed.length / 3);
    const parquetDir = tempDir();
    writeParquetFile(join(parquetDir, "part-0.parquet"), [
      { name: "id", type: TEXT, values: reversed.map((r) => r.id) },
      ...Array.from({ length: DIM }, (_, j) => ({ name: `emb_${j}`, type: DOUBLE, values: reversed.map((r) => r.emb[j]!) })),
    ]);
    const arrowTable = arrow.tableFromArrays({ id: reversed.map((r) => r.id), ...Object.fromEntries(Array.from({ length: DIM }, (_, j) => [`emb_${j}`, Float64Array.from(reversed, (r) => r.emb[j]!)])) });
    const layouts: Record<string, string> = {
      "CSV.gz in key=value shards, reversed": dirWith({
        "day=1/part-0.csv.gz": gzipSync(csv(reversed.slice(0, third))), "day=2/part-1.csv.gz": gzipSync(csv(reversed.slice(third, 2 * third))),
        "day=3/part-2.csv.gz": gzipSync(csv(reversed.slice(2 * third))), "_SUCCESS": "",
      }),
      "JSON lines in two files": dirWith({
        "a.jsonl": reversed.slice(0, 250).map((r) => JSON.stringify({ id: r.id, ...Object.fromEntries(r.emb.map((v, j) => [`emb_${j}`, v])) })).join("\n") + "\n",
        "b.jsonl": reversed.slice(250).map((r) => JSON.stringify({ id: r.id, ...Object.fromEntries(r.emb.map((v, j) => [`emb_${j}`, v])) })).join("\n") + "\n",
      }),
      Parquet: parquetDir,
      Arrow: dirWith({ "part-0.arrow": arrow.tableToIPC(arrowTable, "file") }),
    };
    for (const [layout, dir] of Object.entries(layouts)) {
      const { result, json } = await run(["--input", dir, "--simulate-strategies", ALL]);
      expect({ layout, error: result.error?.message ?? null }).toEqual({ layout, error: null });
      expect({ layout, record: strip(json!) }).toEqual({ layout, record: reference });
    }
  });

  describe.skipIf(openblas.blas === null)(`on both backends ${openblas.skipReason ? `(skipped: ${openblas.skipReason})` : ""}`, () => {
    test("OpenBLAS and the TypeScript twin write the same simulation.json with --input, byte for byte", async () => {
      const args = ["--input", input, "--simulate-strategies", ALL];
      const a = (await run([...args, "--blas", "openblas"])).json!;
      expect(a).not.toBeNull();
      expect((await run([...args, "--blas", "off"])).json).toBe(a);
    });
  });
});

describe("simulate --input: refusals, before anything is written", () => {
  const refused = async (dir: string, code: number, ...phrases: string[]) => {
    const { result, output } = await run(["--input", dir, "--simulate-strategies", "margin"]);
    expect({ code: result.exitCode, message: result.error?.message }).toMatchObject({ code });
    for (const phrase of phrases) expect(result.error!.message).toContain(phrase);
    expect(existsSync(join(output, "simulation.json"))).toBe(false);
  };

  test("vectors with other columns than the labelled rows' (exit 2), naming the file and the columns", async () => {
    const fewer = dirWith({ "few.csv": csv(clump, ["emb_0", "emb_1", "emb_2"]) });
    await refused(fewer, 2, join(fewer, "few.csv"), "emb_0, emb_1, emb_2 (3 columns)", "emb_0, emb_1, emb_2, emb_3 (4)", "Missing: emb_3");
    const more = dirWith({ "wide.csv": csv(clump.map((r) => ({ ...r, emb: [...r.emb, 0.5] })), ["emb_0", "emb_1", "emb_2", "emb_3", "emb_4"]) });
    await refused(more, 2, join(more, "wide.csv"), "Not in the labelled rows: emb_4");
    const none = dirWith({ "scores.csv": "id,prob_class_0\nu1,0.5\n" });
    await refused(none, 2, join(none, "scores.csv"), "missing (no emb_* columns)");
  });

  test("an --input of only labelled rows, a repeated id, a missing id column, a missing path", async () => {
    await refused(dirWith({ "same.csv": labelledLines().join("\n") + "\n" }), 2, "no unlabelled row is left");
    await refused(dirWith({ "twice.csv": csv([...clump.slice(0, 5), clump[2]!]) }), 3, 'id "u00002" appears twice');
    await refused(dirWith({ "noid.csv": csv(clump).replace(/^id,/, "key,") }), 3, 'no column "id"', "ID_FIELD");
    const { result } = await run(["--input", join(tempDir(), "nowhere")]);
    expect(result.exitCode).toBe(2);
    expect(result.error!.message).toContain("--input");
    expect(result.error!.message).toContain("nowhere does not exist");
  });

  test("a non-finite vector names the file and row", async () => {
    const rows = clump.slice(0, 10).map((r, i) => (i === 3 ? { ...r, emb: [r.emb[0]!, Number.NaN, r.emb[2]!, r.emb[3]!] } : r));
    const { result } = await run(["--input", dirWith({ "nan.csv": csv(rows) }), "--simulate-strategies", "margin"]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toContain("nan.csv");
    expect(result.error!.message).toContain("emb_1");
  });
});

describe("more unlabelled rows than the cap", () => {
  test("are subsampled with the seed: the same rows in any file order, and another seed draws others", async () => {
    const data = await readLabelledSet(labeled, { idField: "id", labelField: "label", float64: false });
    const rows = unlabelledRows(300, "spread");
    const forward = dirWith({ "a.csv": csv(rows) });
    const shuffled = dirWith({ "b.csv": csv(rows.slice(150)), "a.csv": csv([...rows.slice(0, 150)].reverse()) });
    const read = (dir: string, seed: number) => readUnlabelledSet(dir, data, { idField: "id", float64: false, seed, limit: 100 });
    const a = await read(forward, 42);
    expect(a.ids.length).toBe(100);
    expect(a.source.sampledFrom).toBe(300);
    expect([...a.ids].sort()).toEqual(a.ids);
    expect((await read(shuffled, 42)).ids).toEqual(a.ids);
    expect((await read(forward, 43)).ids).not.toEqual(a.ids);
    expect((await read(forward, 42)).vectors.data).toEqual(a.vectors.data);
  });
});

test("through the compiled binary: the unlabelled rows are read, logged and recorded", () => {
  const output = join(tempDir(), "out");
  const run = runBinary(["simulate", "--labeled", labeled, "--input", input, "--output", output, "--batch-size", "20", "--rounds", "2",
    "--simulation-seeds", "2", "--simulate-strategies", "typiclust,margin"]);
  expect(run.exitCode).toBe(0);
  expect(run.stderr).toContain(`unlabelled rows: 600 from 1 file(s) in ${input}`);
  const record = JSON.parse(readFileSync(join(output, "simulation.json"), "utf8"));
  expect(record.unlabelled_data.rows_shaping_the_pool).toBe(600);
  expect(Object.keys(record.unlabelled_data.shapes)).toEqual(["typiclust"]);
  const wrong = runBinary(["simulate", "--labeled", labeled, "--input", dirWith({ "few.csv": csv(clump, ["emb_0", "emb_1"]) }), "--output", join(tempDir(), "out")]);
  expect(wrong.exitCode).toBe(2);
  expect(wrong.stderr).toContain("Missing: emb_2, emb_3");
});

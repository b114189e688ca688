/**
 * `simulate` end to end, through main() and the compiled binary, on a small seeded labelled
 * set: determinism, the same simulation.json on both backends and in any file order, refusals.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { Rng } from "../../src/rng.ts";
import { runBinary } from "../binary.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { tempDir } from "../helpers.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!;
const FAST = ["--batch-size", "20", "--rounds", "2", "--simulation-seeds", "2", "--quiet"];

/** n rows of three overlapping classes in 4 dimensions: id, label, emb_0..3, in shuffled id order. */
function labelledCsv(n: number, seed = 5, columns = ["id", "label"]): string[] {
  const rng = new Rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const label = ["cat", "dog", "fox"][i % 3]!;
    const emb = Array.from({ length: 4 }, (_, j) => ((j === i % 3 ? 1.5 : 0) + rng.nextGaussian()).toFixed(4));
    lines.push([`r${String((i * 7919) % n).padStart(4, "0")}`, label, ...emb].join(","));
  }
  return [[...columns, "emb_0", "emb_1", "emb_2", "emb_3"].join(","), ...lines];
}

function channel(lines: string[], files = 1): string {
  const dir = tempDir();
  const [head, ...rows] = lines;
  const per = Math.ceil(rows.length / files);
  for (let f = 0; f < files; f++) writeFileSync(join(dir, `part-${f}.csv`), [head, ...rows.slice(f * per, (f + 1) * per)].join("\n") + "\n");
  return dir;
}

async function simulateJson(labeled: string, args: string[] = []): Promise<string> {
  const output = join(tempDir(), "out");
  const result = await main({}, {}, {}, ["simulate", "--labeled", labeled, "--output", output, ...FAST, ...args]);
  expect(result.error?.message ?? null).toBeNull();
  return readFileSync(join(output, "simulation.json"), "utf8");
}

describe("simulate", () => {
  const labeled = channel(labelledCsv(400));

  test("writes simulation.json with a curve per configuration and seed, and a report page with the curves", async () => {
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["simulate", "--labeled", labeled, "--output", output, ...FAST]);
    expect(result.exitCode).toBe(0);
    const record = JSON.parse(readFileSync(join(output, "simulation.json"), "utf8"));
    expect(Object.keys(record.strategies)).toContain("random");
    expect(Object.keys(record.strategies)).toContain("margin_min_distance");
    for (const s of Object.values(record.strategies) as { curves: { labelled: number[]; accuracy: number[] }[]; area: { per_seed: number[] } }[]) {
      expect(s.curves.length).toBe(2);
      expect(s.curves[0]!.labelled).toEqual([20, 40, 60]);
      expect(s.area.per_seed.length).toBe(2);
    }
    expect(record.ranking.length).toBe(Object.keys(record.strategies).length);
    expect(["strategy", "none"]).toContain(record.recommendation.kind);
    const html = readFileSync(join(output, "simulation_report.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain(record.recommendation.text.replace(/'/g, "&#39;").slice(0, 40));
    expect(html).toContain("MIN_DISTANCE tried");
  });

  test("the report names the MIN_DISTANCE tried only when a configuration tried it", async () => {
    const output = join(tempDir(), "out");
    const result = await main({}, {}, { SIMULATE_STRATEGIES: "margin,badge" }, ["simulate", "--labeled", labeled, "--output", output, ...FAST]);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(output, "simulation_report.html"), "utf8")).not.toContain("MIN_DISTANCE tried");
  });

  test("the same input and seed give the same simulation.json; another seed gives another", async () => {
    const a = await simulateJson(labeled);
    expect(await simulateJson(labeled)).toBe(a);
    expect(await simulateJson(labeled, ["--random-seed", "7"])).not.toBe(a);
  });

  test("file order and sharding do not change the result", async () => {
    const lines = labelledCsv(400);
    const reversed = channel([lines[0]!, ...lines.slice(1).reverse()], 3);
    const strip = (json: string) => { const r = JSON.parse(json); delete r.labeled_data; return r; };
    expect(strip(await simulateJson(reversed))).toEqual(strip(await simulateJson(labeled)));
  });

  describe.skipIf(openblas.blas === null)(`on both backends ${openblas.skipReason ? `(skipped: ${openblas.skipReason})` : ""}`, () => {
    test("OpenBLAS and the TypeScript twin write the same simulation.json, byte for byte", async () => {
      expect(await simulateJson(labeled, ["--blas", "openblas"])).toBe(await simulateJson(labeled, ["--blas", "off"]));
    });
  });

  test("a labelled set without the label column is refused, naming the column and TRUE_LABEL_FIELD, with no output", async () => {
    const dir = channel(labelledCsv(400, 5, ["id", "truth"]));
    const output = join(tempDir(), "out");
    const result = await main({}, {}, {}, ["simulate", "--labeled", dir, "--output", output, ...FAST]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toContain('no column "label"');
    expect(result.error!.message).toContain("TRUE_LABEL_FIELD");
    expect(existsSync(join(output, "simulation.json"))).toBe(false);
    // Naming the column makes it work.
    expect((await main({}, {}, {}, ["simulate", "--labeled", dir, "--output", output, "--true-label-field", "truth", ...FAST])).exitCode).toBe(0);
  });

  test("too few labelled rows are refused with the count and the minimum", async () => {
    const result = await main({}, {}, {}, ["simulate", "--labeled", channel(labelledCsv(60)), "--output", join(tempDir(), "out"), ...FAST]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toContain("at least 100 labelled rows");
    expect(result.error!.message).toContain("has 60");
  });

  test("a batch too large for the pool, a missing --labeled and one seed are usage errors", async () => {
    const out = join(tempDir(), "out");
    expect((await main({}, {}, {}, ["simulate", "--labeled", labeled, "--output", out, "--batch-size", "300"])).exitCode).toBe(2);
    expect((await main({}, {}, {}, ["simulate", "--output", out])).exitCode).toBe(2);
    expect((await main({}, {}, {}, ["simulate", "--labeled", labeled, "--output", out, "--simulation-seeds", "1"])).exitCode).toBe(2);
  });

  test("an unknown configuration name and an empty label are refused, each naming what to change", async () => {
    const out = join(tempDir(), "out");
    const unknown = await main({}, {}, {}, ["simulate", "--labeled", labeled, "--output", out, "--simulate-strategies", "margin,kcenter", ...FAST]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.error!.message).toContain("kcenter");
    const lines = labelledCsv(400);
    lines[7] = lines[7]!.replace(/^([^,]*),[^,]*,/, "$1,,");
    const empty = await main({}, {}, {}, ["simulate", "--labeled", channel(lines), "--output", out, ...FAST]);
    expect(empty.exitCode).toBe(3);
    expect(empty.error!.message).toContain('row 7, column "label" is empty');
    expect(existsSync(join(out, "simulation.json"))).toBe(false);
  });

  test("through the compiled binary: progress on stderr, simulation.json and the report written", () => {
    const output = join(tempDir(), "out");
    const run = runBinary(["simulate", "--labeled", labeled, "--output", output, "--batch-size", "20", "--rounds", "2", "--simulation-seeds", "2"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("seed 43 (2/2)");
    expect(run.stderr).toMatch(/Recommended:|No strategy beats random/);
    expect(existsSync(join(output, "simulation.json"))).toBe(true);
    expect(existsSync(join(output, "simulation_report.html"))).toBe(true);
  });
});

import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../src/run.ts";
import { clusteredPoints, poolCsv, probabilityRows, tempDir } from "../helpers.ts";

async function select(files: Record<string, string>, args: string[], labeled?: Record<string, string>) {
  const input = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(input, name), text);
  const extra: string[] = [];
  if (labeled) {
    const dir = tempDir();
    for (const [name, text] of Object.entries(labeled)) writeFileSync(join(dir, name), text);
    extra.push("--labeled", dir);
  }
  const output = join(tempDir(), "out");
  const messages: string[] = [];
  const sink = { write: (t: string) => void messages.push(t), isTTY: false };
  const result = await main({}, {}, {}, ["--input", input, "--output", output, "--no-save-report", ...extra, ...args], { stdout: sink, stderr: sink });
  const rows = result.exitCode === 0 ? parse(readFileSync(join(output, "selected_samples.csv"), "utf8")) : [];
  return { result, rows, log: messages.join("") };
}

function parse(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trimEnd().split("\n");
  const names = header!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [names[i], v])));
}

const config = (value: unknown) => ["--strategy", "hybrid", "--config", JSON.stringify(value)];

// Four rows with hand-checkable values: margin uncertainty 1-(p1-p2), max prob, a priority column.
const SMALL = "id,prob_class_0,prob_class_1,priority\na,0.5,0.5,1\nb,0.6,0.4,4\nc,0.9,0.1,9\nd,0.7,0.3,0\n";

describe("hybrid selection", () => {
  test("one uncertainty objective ranks as the uncertainty strategy does", async () => {
    const { rows } = await select({ "p.csv": SMALL }, [...config({ objectives: [{ type: "uncertainty", mode: "margin" }] }), "--batch-size", "4"]);
    expect(rows.map((r) => r.id)).toEqual(["a", "b", "d", "c"]);
    expect(rows.map((r) => Number(r.selection_score))).toEqual([1, 0.8, 1 - 0.4, 1 - 0.8].map((x) => expect.closeTo(x, 12)) as never);
  });

  test("objectives multiply, each raised to its strength", async () => {
    // score = margin_uncertainty^1 · priority^0.5: a 1·1=1, b 0.8·2=1.6, c 0.2·3=0.6, d 0.4·0=0
    const { rows } = await select({ "p.csv": SMALL }, [...config({ objectives: [
      { type: "uncertainty", mode: "margin", strength: 1 }, { type: "weight", column: "priority", strength: 0.5 }] }), "--batch-size", "4"]);
    expect(rows.map((r) => r.id)).toEqual(["b", "a", "c", "d"]);
    expect(Number(rows[0]!.selection_score)).toBeCloseTo(1.6, 12);
    expect(Number(rows[2]!.selection_score)).toBeCloseTo(0.6, 12);
  });

  test("a strength of 0 ignores an objective", async () => {
    const { rows } = await select({ "p.csv": SMALL }, [...config({ objectives: [
      { type: "uncertainty", mode: "margin" }, { type: "weight", column: "priority", strength: 0 }] }), "--batch-size", "2"]);
    expect(rows.map((r) => r.id)).toEqual(["a", "b"]);
  });

  test("filters run first and the metadata counts the rows each removed", async () => {
    const { rows, result } = await select({ "p.csv": SMALL }, [...config({
      filters: [{ value: "max_prob", op: "<", threshold: 0.85 }, { value: "priority", op: ">=", threshold: 1 }],
      objectives: [{ type: "uncertainty", mode: "margin" }] }), "--batch-size", "4"]);
    expect(rows.map((r) => r.id)).toEqual(["a", "b"]);
    expect(result.metadata!.strategy_details).toMatchObject({ rowsRemovedByFilter: { "max_prob < 0.85": 1, "priority >= 1": 1 } });
  });

  test("confidence makes a pseudo-labelling selection, and mixing it with uncertainty is refused", async () => {
    const ssl = await select({ "p.csv": SMALL }, [...config({ objectives: [{ type: "confidence" }] }), "--batch-size", "2"]);
    expect(ssl.rows.map((r) => r.id)).toEqual(["c", "d"]);
    expect(ssl.result.metadata!.use_case).toBe("ssl");
    const mixed = await select({ "p.csv": SMALL }, config({ objectives: [{ type: "confidence" }, { type: "uncertainty" }] }));
    expect(mixed.result.exitCode).toBe(2);
  });

  test("a bad config names the field that is wrong", async () => {
    for (const [bad, field] of [
      // A negative strength is for objectives in [0, 1] (test/strategies/hybrid-objectives.test.ts).
      [{ objectives: [{ type: "diversity", strength: -1 }] }, "objectives[0].strength"],
      [{ objectives: [{ type: "novelty" }] }, "objectives[0].type"],
      [{ filters: [{ value: "max_prob", op: "~", threshold: 1 }], objectives: [{ type: "confidence" }] }, "filters[0].op"],
      [{ objectives: [{ type: "uncertainty" }], extra: 1 }, "unknown field \"extra\""],
    ] as const) {
      const { result, log } = await select({ "p.csv": SMALL }, config(bad));
      expect(result.exitCode).toBe(2);
      expect(log).toContain(field);
    }
    const negative = await select({ "p.csv": SMALL.replace("d,0.7,0.3,0", "d,0.7,0.3,-2") }, config({ objectives: [{ type: "weight", column: "priority" }] }));
    expect(negative.result.exitCode).toBe(3);
    expect(negative.log).toContain("column \"priority\" is -2");
  });

  test("diversity alone, from labelled rows, picks what core-set diversity picks", async () => {
    const vectors = clusteredPoints(300, 4, 6, 3);
    const pool = poolCsv(probabilityRows(300, 3, 4), 3, vectors);
    const lines = ["id,emb_0,emb_1,emb_2,emb_3"];
    const extra = clusteredPoints(20, 4, 6, 3);
    for (let i = 0; i < 20; i++) lines.push(`L${i},` + Array.from(extra.data.subarray(i * 4, i * 4 + 4)).join(","));
    const labeled = { "l.csv": lines.join("\n") + "\n" };
    const a = await select({ "p.csv": pool }, [...config({ objectives: [{ type: "diversity" }] }), "--batch-size", "25"], labeled);
    const b = await select({ "p.csv": pool }, ["--strategy", "diversity", "--batch-size", "25"], labeled);
    expect(a.rows.map((r) => r.id)).toEqual(b.rows.map((r) => r.id));
    // Normalised by the largest remaining distance: the first pick scores 1.
    expect(Number(a.rows[0]!.selection_score)).toBe(1);
  });
});

describe("class balance", () => {
  // 30 rows predicted class 0 and very uncertain, 6 rows class 1, 4 rows class 2, all less uncertain.
  const lines = ["id,prob_class_0,prob_class_1,prob_class_2"];
  for (let i = 0; i < 30; i++) lines.push(`z${i},0.34,0.33,0.33`);
  for (let i = 0; i < 6; i++) lines.push(`o${i},0.2,0.7,0.1`);
  for (let i = 0; i < 4; i++) lines.push(`t${i},0.1,0.1,0.8`);
  const skewed = { "p.csv": lines.join("\n") + "\n" };

  test("uncertainty alone takes one class; uniform balance spreads the batch over all three", async () => {
    const plain = await select(skewed, ["--strategy", "uncertainty", "--batch-size", "12"]);
    expect(new Set(plain.rows.map((r) => r.id![0]))).toEqual(new Set(["z"]));
    const balanced = await select(skewed, ["--strategy", "uncertainty", "--batch-size", "12", "--class-balance", "uniform"]);
    const count = (p: string) => balanced.rows.filter((r) => r.id!.startsWith(p)).length;
    expect([count("z"), count("o"), count("t")]).toEqual([4, 4, 4]);
    expect(balanced.result.metadata!.class_balance).toMatchObject({ mode: "uniform", classes: { "0": { quota: 4, achieved: 4 } } });
  });

  test("an impossible target takes all a class has and gives its unused quota to the others", async () => {
    const { rows, result } = await select(skewed, ["--strategy", "uncertainty", "--batch-size", "24", "--class-balance", "uniform"]);
    const count = (p: string) => rows.filter((r) => r.id!.startsWith(p)).length;
    expect(rows.length).toBe(24);
    expect(count("t")).toBe(4);
    expect(count("o")).toBe(6);
    expect(count("z")).toBe(14);
    expect(result.metadata!.class_balance).toMatchObject({ classes: { "2": { quota: 4, achieved: 4 } } });
  });

  test("a JSON map sets shares, and diversity and badge meet the quotas too", async () => {
    const vectors = clusteredPoints(40, 3, 4, 9);
    const probs = new Float64Array(40 * 3);
    for (let i = 0; i < 40; i++) probs.set(i < 30 ? [0.34, 0.33, 0.33] : i < 36 ? [0.2, 0.7, 0.1] : [0.1, 0.1, 0.8], i * 3);
    const files = { "p.csv": poolCsv(probs, 3, vectors) };
    for (const strategy of ["diversity", "badge", "uncertainty", "cluster_margin"]) {
      const { rows } = await select(files, ["--strategy", strategy, "--batch-size", "10", "--class-balance", '{"0": 0.5, "1": 0.5}']);
      const classOf = (id: string) => (Number(id.slice(1)) < 30 ? 0 : Number(id.slice(1)) < 36 ? 1 : 2);
      const counts = [0, 0, 0];
      for (const r of rows) counts[classOf(r.id!)]++;
      expect(counts).toEqual([5, 5, 0]);
    }
  });

  test("BALANCE_COLUMN puts quotas over a column's values", async () => {
    const text = "id,prob_class_0,prob_class_1,source\n" + Array.from({ length: 20 }, (_, i) => `r${i},${0.5 - i / 100},${0.5 + i / 100},${i < 15 ? "cam1" : "cam2"}`).join("\n") + "\n";
    const { rows } = await select({ "p.csv": text }, ["--strategy", "uncertainty", "--batch-size", "6", "--class-balance", "uniform", "--balance-column", "source"]);
    expect(rows.filter((r) => r.source === "cam2").length).toBe(3);
  });
});

describe("MIN_DISTANCE and exclusions", () => {
  const vectors = clusteredPoints(400, 3, 5, 21, 0.3);
  const csv = poolCsv(probabilityRows(400, 4, 22), 4, vectors);
  const distance = (a: number, b: number) => Math.hypot(...[0, 1, 2].map((j) => vectors.data[a * 3 + j]! - vectors.data[b * 3 + j]!));

  for (const strategy of ["uncertainty", "badge", "diversity", "cluster_margin"]) {
    test(`${strategy}: no two selected rows are closer than MIN_DISTANCE, and it stops early with a warning`, async () => {
      const { rows, result } = await select({ "p.csv": csv }, ["--strategy", strategy, "--batch-size", "200", "--min-distance", "4"]);
      expect(result.exitCode).toBe(0);
      const picked = rows.map((r) => Number(r.id!.slice(1)));
      expect(picked.length).toBeGreaterThan(1);
      expect(picked.length).toBeLessThan(200);
      for (let a = 0; a < picked.length; a++) for (let b = a + 1; b < picked.length; b++) expect(distance(picked[a]!, picked[b]!)).toBeGreaterThanOrEqual(4);
      expect((result.metadata!.warnings as string[]).some((w) => w.includes("MIN_DISTANCE=4"))).toBe(true);
    });
  }

  test("no selected row is closer than MIN_DISTANCE to a labelled row", async () => {
    const labeled = { "l.csv": "id,emb_0,emb_1,emb_2\n" + [0, 1, 2].map((i) => `L${i},${Array.from(vectors.data.subarray(i * 3, i * 3 + 3)).join(",")}`).join("\n") + "\n" };
    const { rows } = await select({ "p.csv": csv }, ["--strategy", "uncertainty", "--batch-size", "50", "--min-distance", "2"], labeled);
    for (const r of rows) for (const l of [0, 1, 2]) expect(distance(Number(r.id!.slice(1)), l)).toBeGreaterThanOrEqual(2);
  });

  test("ids in EXCLUDE_IDS_FILE are never selected, by any strategy", async () => {
    const dir = tempDir();
    const excluded = Array.from({ length: 200 }, (_, i) => `r${i * 2}`);
    writeFileSync(join(dir, "exclude.txt"), excluded.join("\n") + "\n");
    for (const strategy of ["uncertainty", "diversity", "badge", "confidence_threshold"]) {
      const { rows } = await select({ "p.csv": csv }, ["--strategy", strategy, "--batch-size", "100", "--confidence-threshold", "0.3", "--exclude-ids-file", join(dir, "exclude.txt")]);
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) expect(Number(r.id!.slice(1)) % 2).toBe(1);
    }
  });

  test("hybrid is deterministic for a seed", async () => {
    const args = [...config({ objectives: [{ type: "uncertainty", mode: "entropy" }, { type: "diversity", strength: 2 }], class_balance: "pool" }), "--batch-size", "40"];
    const a = await select({ "p.csv": csv }, args);
    const b = await select({ "p.csv": csv }, args);
    expect(a.rows).toEqual(b.rows);
    expect(a.rows.length).toBe(40);
  });
});

describe("the predicted_class filter by class name", () => {
  const LLM = { "p.csv": "id,predicted_label,confidence_score\na,cat,0.6\nb,dog,0.7\nc,cat,0.9\nd,bird,0.8\n" };
  const filtered = (threshold: unknown, op = "==") =>
    select(LLM, ["--batch-size", "4", ...config({ filters: [{ value: "predicted_class", op, threshold }], objectives: [{ type: "uncertainty" }] })]);

  test("a text class name keeps (==) or drops (!=) that class's rows", async () => {
    expect((await filtered("cat")).rows.map((r) => r.id)).toEqual(["a", "c"]);
    expect((await filtered("cat", "!=")).rows.map((r) => r.id).sort()).toEqual(["b", "d"]);
  });

  test("a name that is not a predicted class, or an order comparison with a name, is a usage error naming the classes", async () => {
    const unknown = await filtered("cow");
    expect(unknown.result.exitCode).toBe(2);
    expect(unknown.log).toContain('SELECTION_CONFIG filter predicted_class == "cow": "cow" is not a predicted class (bird, cat, dog).');
    const ordered = await filtered("cat", "<");
    expect(ordered.result.exitCode).toBe(2);
    expect(ordered.log).toContain('SELECTION_CONFIG.filters[0]: a class name ("cat") compares with == or != only');
  });

  test("with numbered classes, the name and the number select alike", async () => {
    const pool = { "p.csv": "id,prob_class_3,prob_class_7\na,0.9,0.1\nb,0.2,0.8\nc,0.4,0.6\n" };
    for (const threshold of [7, "7"]) {
      const { rows } = await select(pool, ["--batch-size", "3", ...config({ filters: [{ value: "predicted_class", op: "==", threshold }], objectives: [{ type: "uncertainty" }] })]);
      expect(rows.map((r) => r.id).sort()).toEqual(["b", "c"]);
    }
  });
});

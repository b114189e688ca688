/**
 * The product promise: same input and seed, same selection, whichever BLAS backend ran.
 * Each strategy runs once per backend on data built to have near-ties (duplicated rows,
 * labelled rows among the pool's), and the outputs must match byte for byte.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../src/run.ts";
import { backendsUnderTest } from "./ffi/backends.ts";
import { clusteredPoints, poolCsv, probabilityRows, tempDir } from "./helpers.ts";

const backends = await backendsUnderTest();
const openblas = backends.find((b) => b.name === "openblas")!;

function makeInput(n = 1500, dim = 24): { pool: string; labeled: string } {
  const vectors = clusteredPoints(n, dim, 12, 21);
  // Every 50th row repeats the row before it: exact ties in distance.
  for (let i = 50; i < n; i += 50) vectors.data.copyWithin(i * dim, (i - 1) * dim, i * dim);
  const pool = tempDir();
  writeFileSync(join(pool, "pool.csv"), poolCsv(probabilityRows(n, 6, 22), 6, vectors));
  const labeled = tempDir();
  const lines = ["id," + Array.from({ length: dim }, (_, j) => `emb_${j}`).join(",")];
  const extra = clusteredPoints(300, dim, 12, 21);
  for (let i = 0; i < 300; i++) lines.push(`lab${i},` + Array.from(extra.data.subarray(i * dim, (i + 1) * dim)).join(","));
  writeFileSync(join(labeled, "labeled.csv"), lines.join("\n") + "\n");
  return { pool, labeled };
}

async function selectWith(blas: "off" | "openblas", args: string[], input: { pool: string; labeled: string }): Promise<string> {
  const output = join(tempDir(), "out");
  const result = await main({}, {}, {}, ["--input", input.pool, "--labeled", input.labeled, "--output", output, "--no-save-report", "--blas", blas, ...args]);
  expect(result.error?.message ?? null).toBeNull();
  return readFileSync(join(output, "selected_samples.csv"), "utf8");
}

describe.skipIf(openblas.blas === null)("same selection on the OpenBLAS and TypeScript backends", () => {
  const input = makeInput();
  test("diversity and badge on a pool large enough to be reordered for locality select the same rows on both backends", async () => {
    const large = makeInput(24_000, 12);
    for (const args of [["--strategy", "diversity", "--batch-size", "150"], ["--strategy", "diversity", "--batch-size", "150", "--metric", "cosine"],
      ["--strategy", "badge", "--batch-size", "150"]]) {
      const withoutLabels = { pool: large.pool, labeled: tempDir() };
      const typescript = await selectWith("off", args, large);
      expect(await selectWith("openblas", args, large)).toBe(typescript);
      // And from no labelled rows at all, where the first pick is the row nearest the mean.
      const emptyLabeled = join(withoutLabels.labeled, "labeled.csv");
      writeFileSync(emptyLabeled, "id," + Array.from({ length: 12 }, (_, j) => `emb_${j}`).join(",") + "\n");
      expect(await selectWith("openblas", args, withoutLabels)).toBe(await selectWith("off", args, withoutLabels));
    }
  }, 60_000);

  for (const args of [
    ["--strategy", "diversity", "--batch-size", "120"],
    ["--strategy", "diversity", "--batch-size", "120", "--metric", "cosine"],
    ["--strategy", "diversity", "--batch-size", "60", "--vector-precision", "float64"],
    ["--strategy", "badge", "--batch-size", "120", "--random-seed", "3"],
    ["--strategy", "uncertainty", "--batch-size", "120", "--uncertainty-mode", "entropy"],
    ["--strategy", "cluster_margin", "--batch-size", "120", "--random-seed", "5"],
    ["--strategy", "cluster_margin", "--batch-size", "60", "--vector-precision", "float64", "--cluster-margin-candidates", "1500"],
    ["--strategy", "typiclust", "--batch-size", "120", "--random-seed", "4"],
    ["--strategy", "typiclust", "--batch-size", "60", "--metric", "cosine"],
    ["--strategy", "probcover", "--batch-size", "120", "--random-seed", "6"],
  ]) {
    test(`${args.join(" ")} selects the same rows on both backends`, async () => {
      const typescript = await selectWith("off", args, input);
      const native = await selectWith("openblas", args, input);
      expect(native.split("\n").length).toBeGreaterThan(60);
      expect(native).toBe(typescript);
    });
  }
});

if (openblas.blas === null) console.log(`skipped cross-backend selection tests: ${openblas.skipReason}`);

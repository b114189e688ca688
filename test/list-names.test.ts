/** Error messages that list columns say when the list is cut, so it never reads as the whole header. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { listNames } from "../src/list-names.ts";
import { main } from "../src/run.ts";
import { tempDir } from "./helpers.ts";

describe("listNames", () => {
  test("a short list is written whole; a long one is cut and counted", () => {
    expect(listNames(["a", "b"])).toBe("a, b");
    const many = Array.from({ length: 20 }, (_, i) => `c${i}`);
    expect(listNames(many)).toBe(`${many.slice(0, 12).join(", ")}, … (20 in all)`);
  });

  test("a hybrid weight column missing from a wide pool: the message says the column list is cut", async () => {
    const input = tempDir();
    const header = ["id", "prob_class_0", "prob_class_1", ...Array.from({ length: 16 }, (_, j) => `emb_${j}`)];
    const row = (i: number) => [`r${i}`, "0.3", "0.7", ...Array.from({ length: 16 }, (_, j) => String((i * 7 + j) % 5))].join(",");
    writeFileSync(join(input, "pool.csv"), [header.join(","), row(1), row(2), row(3)].join("\n") + "\n");
    const config = JSON.stringify({ objectives: [{ type: "weight", column: "priority" }] });
    const result = await main({}, {}, { QUIET: "true" }, ["--strategy", "hybrid", "--config", config, "--input", input, "--output", join(tempDir(), "out")]);
    expect(result.exitCode).toBe(3);
    expect(result.error!.message).toContain('no column "priority"');
    expect(result.error!.message).toContain("… (19 in all)");
  });
});

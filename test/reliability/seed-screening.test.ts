/**
 * The GEMM screen in nearestSeeds may only skip a seed that provably is not the nearest. At
 * extreme magnitudes float32 products overflow (±inf) or underflow (to 0); neither may make
 * the screen skip the true nearest seed, or diversity starts from wrong distances.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { join } from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { nearestSeeds, rowSquaredDistance } from "../../src/engine/euclidean.ts";
import { runIn, tempDir } from "./harness.ts";

/** Brute force with the engine's one distance kernel: each point's squared distance to its nearest seed. */
function bruteForce(points: Float32Array | Float64Array, seeds: Float32Array | Float64Array, dim: number): number[] {
  const n = points.length / dim, s = seeds.length / dim;
  const squared = rowSquaredDistance({ data: points, rows: n, cols: dim }, { data: seeds, rows: s, cols: dim });
  return Array.from({ length: n }, (_, i) => {
    let best = Infinity;
    for (let j = 0; j < s; j++) best = Math.min(best, squared(i, j));
    return best;
  });
}

describe("nearestSeeds() finds the nearest seed at any magnitude", () => {
  for (const precision of ["float32", "float64"] as const) {
    test(`${precision}: equals brute force for values scaled from 1e-30 to 1e25`, () => {
      const scale = fc.constantFrom(1e-30, 1e-22, 1e-12, 1, 1e12, 1e18, 1e20, 1e25);
      fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), scale, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }),
        fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 60, maxLength: 60 }),
        (dim, k, n, s, raw) => {
          const make = (length: number, at: (i: number) => number) => {
            const values = Array.from({ length }, (_, i) => at(i));
            return precision === "float32" ? Float32Array.from(values) : Float64Array.from(values);
          };
          const points = make(n * dim, (i) => raw[i % raw.length]! * k);
          const seeds = make(s * dim, (i) => raw[(i + 29) % raw.length]! * k);
          const got = nearestSeeds({ data: points, rows: n, cols: dim } as never, { data: seeds, rows: s, cols: dim } as never, typescriptBlas);
          const want = bruteForce(points, seeds, dim);
          for (let i = 0; i < n; i++) expect(got.nearestDistance[i]).toBe(Math.sqrt(want[i]!));
        }), { numRuns: 150, seed: 20261127 });
    });
  }

  test("the known cases: an underflowing product and an overflowing one", () => {
    const tiny = nearestSeeds({ data: Float32Array.of(1e-25), rows: 1, cols: 1 }, { data: Float32Array.of(0, 1.1e-25), rows: 2, cols: 1 }, typescriptBlas);
    expect(tiny.nearestSeed[0]).toBe(1);
    const huge = nearestSeeds({ data: Float32Array.of(1e20), rows: 1, cols: 1 }, { data: Float32Array.of(-1e20, -2e19), rows: 2, cols: 1 }, typescriptBlas);
    expect(huge.nearestSeed[0]).toBe(1);
  });

  test("diversity with labelled rows picks the truly farthest row when products overflow float32", async () => {
    const root = tempDir();
    const input = join(root, "pool"), labeled = join(root, "labeled");
    mkdirSync(input); mkdirSync(labeled);
    // a is 1.2e20 from labelled row y, b is 1.6e20 from x: b is the farthest. The screen used
    // to skip y for a (x·y overflows), leaving a at 2e20 and picking it.
    writeFileSync(join(input, "pool.csv"), "id,prob_class_0,prob_class_1,emb_0\na,0.5,0.5,1e20\nb,0.5,0.5,-2.6e20\n");
    writeFileSync(join(labeled, "labeled.csv"), "id,emb_0\nx,-1e20\ny,-2e19\n");
    const { result, output } = await runIn(input, ["--strategy", "diversity", "--batch-size", "1", "--labeled", labeled]);
    expect(result.error).toBeNull();
    expect(readFileSync(join(output, "selected_samples.csv"), "utf8").split("\n")[1]!.split(",")[0]).toBe("b");
  });
});

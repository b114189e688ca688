import { describe, expect, test } from "bun:test";
import { alignUp, allocFloat32, memory } from "../../src/engine/kernels/kernels.ts";

describe("kernel memory", () => {
  test("alignUp() keeps offsets past 2 GiB positive and 16-byte aligned (kernel memory reaches 4 GiB)", () => {
    expect(alignUp(64)).toBe(64);
    expect(alignUp(65)).toBe(80);
    expect(alignUp(2 ** 31 + 1)).toBe(2 ** 31 + 16);
    expect(alignUp(2 ** 32 - 20)).toBe(2 ** 32 - 16);
  });

  test("arrays that come one by one grow the memory a few times, not once each (each grow is a buffer as large as the memory for the collector)", () => {
    allocFloat32(2 ** 24); // 64 MiB: the memory holds at least as much as the arrays to come
    const buffers = new Set<ArrayBufferLike>([memory.buffer]);
    for (let k = 0; k < 64; k++) {
      allocFloat32(2 ** 18); // 1 MiB
      buffers.add(memory.buffer);
    }
    expect(buffers.size - 1).toBeLessThanOrEqual(2);
  });

  test("memory grown ahead takes no physical memory until written", () => {
    const root = new URL("../..", import.meta.url).pathname;
    // A child of its own: a fresh memory, so the grow ahead is half of 1 GiB.
    const script = `
      const { allocFloat32, memory } = await import("${root}src/engine/kernels/kernels.ts");
      allocFloat32(2 ** 28); // 1 GiB, never written
      const before = process.memoryUsage.rss(), size = memory.buffer.byteLength;
      allocFloat32(2 ** 18);
      console.log(JSON.stringify({ grown: memory.buffer.byteLength - size, rss: process.memoryUsage.rss() - before }));
    `;
    const child = Bun.spawnSync([process.execPath, "-e", script]);
    expect(child.stderr.toString()).toBe("");
    const { grown, rss } = JSON.parse(child.stdout.toString().trim()) as { grown: number; rss: number };
    expect(grown).toBeGreaterThanOrEqual(2 ** 29);
    expect(rss).toBeLessThan(2 ** 25);
  });

  test("with data filling kernel memory to its last MiB, core-set still runs (its loops' scratch has room of its own) and picks the same rows", () => {
    // Kernel memory is never freed, so the filled process is a child of its own.
    const root = new URL("../..", import.meta.url).pathname;
    const script = `
      const { allocFloat32, allocVectors } = await import("${root}src/engine/kernels/kernels.ts");
      const { diversity } = await import("${root}src/strategies/diversity.ts");
      const { predictions } = await import("${root}src/engine/uncertainty.ts");
      const { loadBlas } = await import("${root}ffi/load.ts");
      const { probabilityRows, strategyOptionsFor } = await import("${root}test/helpers.ts");
      const { Rng } = await import("${root}src/rng.ts");
      const rows = 200000, dim = 48, classes = 3, rng = new Rng(5);
      // The pool's vectors in kernel memory first, as a job reads them.
      const data = allocVectors(false, rows * dim);
      for (let i = 0; i < data.length; i++) data[i] = rng.nextGaussian() + ((i / dim) % 9);
      const probs = probabilityRows(rows, classes, 6);
      const pool = { size: rows, classes, probs, ...predictions(probs, classes), vectors: { data, rows, cols: dim },
        ids: Array.from({ length: rows }, (_, i) => "r" + i), tables: [], tableStarts: [0], extra: new Map() };
      const { blas } = await loadBlas({ mode: "auto" });
      // With FILL, then data as far as it may go, less one MiB: every further data allocation fails.
      let filled = 0;
      for (let size = 2 ** 30; process.env.FILL && size >= 2 ** 20; size /= 2) {
        for (;;) { try { allocFloat32(size / 4); filled += size; } catch (error) { if (!(error instanceof RangeError)) throw error; break; } }
      }
      console.log(JSON.stringify({ filled, picks: Array.from(diversity(pool, strategyOptionsFor(rows, { batchSize: 200, blas })).rows) }));
    `;
    const run = (fill: boolean) => {
      const child = Bun.spawnSync([process.execPath, "-e", script], { env: { ...process.env, FILL: fill ? "1" : "" } });
      expect(child.stderr.toString()).toBe("");
      return JSON.parse(child.stdout.toString().trim().split("\n").pop()!) as { filled: number; picks: number[] };
    };
    const roomy = run(false), full = run(true);
    expect(full.filled).toBeGreaterThan(3.5 * 2 ** 30);
    expect(roomy.picks).toHaveLength(200);
    expect(full.picks).toEqual(roomy.picks);
  }, 60_000);
});

/**
 * What the OpenBLAS backend adds over the shared suite in blas.test.ts: what it reports about
 * the library, and that bad shapes are refused before C can read past an array.
 */
import { describe, expect, test } from "bun:test";
import { loadBlas } from "../../ffi/load.ts";
import { type OpenBlas, openOpenBlas } from "../../ffi/openblas.ts";

const installed = await loadBlas({ mode: "auto" });
if (installed.blas.name !== "openblas") console.warn(`skipping the OpenBLAS backend tests: ${installed.warning}`);
const describeIfInstalled = installed.blas.name === "openblas" ? describe : describe.skip;

describeIfInstalled("openOpenBlas", () => {
  const open = (): Promise<OpenBlas> => openOpenBlas(installed.blas.libraryPath!);

  test("openOpenBlas() reports the library's build and thread count", async () => {
    const blas = await open();
    expect(blas.name).toBe("openblas");
    expect(blas.config).toStartWith("OpenBLAS ");
    expect(blas.threads).toBeGreaterThanOrEqual(1);
  });

  test("only a product of 2^24 multiply-adds or more runs on OpenBLAS's pool, up to setThreads' count, after beforePool; small ones on the calling thread", async () => {
    const blas = await open();
    const small = new Float32Array(64 * 64), large = new Float32Array(256 * 256), out = new Float32Array(256 * 256);
    let freed = 0;
    blas.setThreads!(2, () => freed++);
    blas.sgemm(false, false, 64, 64, 64, 1, small, 64, small, 64, 0, small, 64);
    expect([blas.poolThreads(), freed]).toEqual([1, 0]);
    blas.sgemm(false, false, 256, 256, 256, 1, large, 256, large, 256, 0, out, 256);
    expect([blas.poolThreads(), freed]).toEqual([2, 1]);
    blas.sgemm(false, false, 255, 256, 256, 1, large, 256, large, 256, 0, out, 256);
    expect([blas.poolThreads(), freed]).toEqual([1, 1]);
    blas.sgemv(false, 64, 64, 1, small, 64, small.subarray(0, 64), 0, small.subarray(64, 128));
    expect([blas.poolThreads(), freed]).toEqual([1, 1]);
    blas.setThreads!(1, () => freed++);
    blas.sgemm(false, false, 256, 256, 256, 1, large, 256, large, 256, 0, out, 256);
    expect([blas.poolThreads(), freed]).toEqual([1, 1]);
  });

  test("OpenBLAS loads with its pool threads sleeping right after a product (OPENBLAS_THREAD_TIMEOUT=4), unless the user set a timeout", async () => {
    expect((await open()).threadTimeout).toBe(process.env.OPENBLAS_THREAD_TIMEOUT ?? "4");
    // The variable is read when the library loads, so the user's own value needs a fresh process.
    const script = `import { openOpenBlas } from ${JSON.stringify(new URL("../../ffi/openblas.ts", import.meta.url).pathname)};
      console.log((await openOpenBlas(${JSON.stringify(installed.blas.libraryPath)})).threadTimeout);`;
    for (const [given, expected] of [["9", "9"], [undefined, "4"]] as const) {
      const env = { ...process.env };
      if (given === undefined) delete env.OPENBLAS_THREAD_TIMEOUT; else env.OPENBLAS_THREAD_TIMEOUT = given;
      const child = Bun.spawnSync([process.execPath, "-e", script], { env });
      expect(child.stderr.toString()).toBe("");
      expect(child.stdout.toString().trim()).toBe(expected);
    }
  });

  test("openOpenBlas() rejects a file that is not a shared library", async () => {
    await expect(openOpenBlas("/etc/hostname")).rejects.toThrow("/etc/hostname");
  });

  test("sgemm refuses an A too short for its shape instead of reading past it", async () => {
    const blas = await open();
    const c = new Float32Array(4);
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, new Float32Array(5), 3, new Float32Array(6), 2, 0, c, 2))
      .toThrow(RangeError);
  });

  test("sgemm refuses a leading dimension shorter than the row", async () => {
    const blas = await open();
    const a = new Float32Array(100);
    expect(() => blas.sgemm(false, false, 2, 2, 3, 1, a, 2, a, 2, 0, a, 2)).toThrow("lda = 2");
  });

  test("dgemm refuses a Float32Array, whose elements C would misread", async () => {
    const blas = await open();
    const wrong = new Float32Array(4) as unknown as Float64Array;
    const right = new Float64Array(4);
    expect(() => blas.dgemm(false, false, 2, 2, 2, 1, wrong, 2, right, 2, 0, right, 2)).toThrow(TypeError);
  });

  test("sgemv refuses a y shorter than op(A)'s row count", async () => {
    const blas = await open();
    const a = new Float32Array(12);
    expect(() => blas.sgemv(true, 3, 4, 1, a, 4, new Float32Array(3), 0, new Float32Array(3)))
      .toThrow("y has 3 elements, needs 4");
  });

  test("a C written by OpenBLAS inside a subarray lands at the subarray's offset", async () => {
    const blas = await open();
    const buffer = new Float64Array(8).fill(-1);
    const c = buffer.subarray(3, 7);
    const identity = new Float64Array([1, 0, 0, 1]);
    blas.dgemm(false, false, 2, 2, 2, 1, identity, 2, new Float64Array([1, 2, 3, 4]), 2, 0, c, 2);
    expect(Array.from(buffer)).toEqual([-1, -1, -1, 1, 2, 3, 4, -1]);
  });
});

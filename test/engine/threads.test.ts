/**
 * THREADS: the worker pool that splits the `_many` distance scans (src/engine/kernels/threads.ts).
 * The promise: the same selection on any thread count. Scans are split here whatever their size
 * (setMinValuesPerPart(0)), so that these small pools take the threaded path on every pick, and
 * each test checks that workers really ran chunks.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allocFloat32, allocFloat64, kernels, manyScratch, MANY_KERNELS } from "../../src/engine/kernels/kernels.ts";
import { parkWorkers, runMany, setMainTakesChunks, setMinValuesPerPart, startThreads, stopThreads, threadCount, threadStats } from "../../src/engine/kernels/threads.ts";
import { cgroupQuota, usableCores } from "../../src/engine/kernels/cores.ts";
import { inLocalityOrder, localityCells } from "../../src/engine/locality.ts";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { Rng } from "../../src/rng.ts";
import { main } from "../../src/run.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints, poolCsv, probabilityRows, tempDir } from "../helpers.ts";

let savedThreshold = 0;
beforeAll(() => { savedThreshold = setMinValuesPerPart(0); });
afterAll(() => { setMinValuesPerPart(savedThreshold); stopThreads(); });

describe("runMany", () => {
  test("every kernel gives each row the same bits on 1, 2 and 3 threads, whichever thread runs it", async () => {
    const rng = new Rng(11);
    const rows = 3000, dim = 37; // an odd width: every kernel's tail loop runs
    const single = allocFloat32(rows * dim), double = allocFloat64(rows * dim);
    for (let i = 0; i < single.length; i++) { single[i] = rng.nextGaussian() * 3; double[i] = rng.nextGaussian() * 3; }
    const count = 2000;
    const { idx, out } = manyScratch(count);
    const results = (threads: number) => MANY_KERNELS.map((name) => {
      const data = name.includes("f64") ? double : single;
      const width = data.BYTES_PER_ELEMENT * dim;
      const scans: Float64Array[] = [];
      for (let scan = 0; scan < 60; scan++) {
        const r = new Rng(scan);
        for (let i = 0; i < count; i++) idx[i] = r.nextInt(rows);
        runMany(name, data.byteOffset + (scan % rows) * width, data.byteOffset, width, idx.byteOffset, count, dim, out.byteOffset);
        scans.push(out.slice(0, count));
      }
      return scans;
    });
    await startThreads(1);
    const reference = results(1);
    // Shared with the main thread (who runs what depends on timing), then by the workers alone.
    for (const [threads, mainWorks] of [[2, true], [3, true], [2, false], [3, false]] as const) {
      expect(await startThreads(threads)).toBeNull();
      expect(threadCount()).toBe(threads);
      const before = threadStats();
      setMainTakesChunks(mainWorks);
      const got = (() => { try { return results(threads); } finally { setMainTakesChunks(true); } })();
      const after = threadStats();
      expect(after.splitScans - before.splitScans).toBe(60 * MANY_KERNELS.length);
      if (!mainWorks) expect(after.workerChunks - before.workerChunks).toBe(after.chunks - before.chunks);
      for (let k = 0; k < MANY_KERNELS.length; k++) {
        for (let scan = 0; scan < 60; scan++) {
          // Same bits, not just close: compare as integers.
          expect(new Uint32Array(got[k]![scan]!.buffer)).toEqual(new Uint32Array(reference[k]![scan]!.buffer));
        }
      }
    }
    // The reference itself is not trivial: distances vary, dots change sign.
    expect(new Set(reference[0]![0]!).size).toBeGreaterThan(1000);
    expect(reference[2]![0]!.some((v) => v < 0)).toBe(true);
  }, 60_000);

  test("thousands of small scans back to back: each returns complete results (no job overlaps the next)", async () => {
    const scan = smallScan(500, 8, 37);
    let wrong = 0;
    for (const [threads, mainWorks] of [[2, true], [3, true], [2, false], [3, false]] as const) {
      await startThreads(threads);
      setMainTakesChunks(mainWorks);
      for (let k = 0; k < 5_000; k++) wrong += scan(k);
      setMainTakesChunks(true);
    }
    expect(wrong).toBe(0);
  }, 60_000); // 20,000 hand-offs to the workers: seconds, not milliseconds, when the cores are busy

  test("workers sent to sleep before each scan (parkWorkers, as before an OpenBLAS pool product) still take every chunk of the next", async () => {
    const scan = smallScan(400, 9, 53);
    let wrong = 0;
    for (const threads of [2, 3]) {
      await startThreads(threads);
      setMainTakesChunks(false);
      const before = threadStats();
      for (let k = 0; k < 2_000; k++) {
        parkWorkers();
        wrong += scan(k * 7);
      }
      const after = threadStats();
      setMainTakesChunks(true);
      expect(after.splitScans - before.splitScans).toBe(2_000);
      expect(after.workerChunks - before.workerChunks).toBe(after.chunks - before.chunks);
    }
    expect(wrong).toBe(0);
  }, 60_000);

  test("inLocalityOrder's row gather puts every row where the order says, on 1, 2 and 3 threads, whichever thread copies it", async () => {
    const rng = new Rng(5);
    const rows = 2500, dim = 13; // 52- and 104-byte rows: no copy is a multiple of 16 bytes
    const single = allocFloat32(rows * dim), double = allocFloat64(rows * dim);
    for (let i = 0; i < single.length; i++) { single[i] = rng.nextGaussian(); double[i] = rng.nextGaussian(); }
    const order = Uint32Array.from({ length: rows }, (_, i) => i);
    for (let i = rows - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [order[i], order[j]] = [order[j]!, order[i]!]; }
    for (const [threads, mainWorks] of [[1, true], [2, true], [3, true], [2, false], [3, false]] as const) {
      expect(await startThreads(threads)).toBeNull();
      setMainTakesChunks(mainWorks);
      const before = threadStats();
      try {
        for (const data of [single, double]) {
          const copy = inLocalityOrder({ data, rows, cols: dim }, order, false)!;
          expect(copy.data).not.toBe(data);
          const expected = new (data.constructor as Float32ArrayConstructor)(rows * dim);
          for (let r = 0; r < rows; r++) expected.set(data.subarray(order[r]! * dim, (order[r]! + 1) * dim), r * dim);
          expect(copy.data).toEqual(expected);
        }
      } finally {
        setMainTakesChunks(true);
      }
      const after = threadStats();
      if (threads > 1) expect(after.splitScans - before.splitScans).toBe(2);
      if (!mainWorks) expect(after.workerChunks - before.workerChunks).toBe(after.chunks - before.chunks);
    }
  });

  test("the locality order's nearest-pivot search gives the same cells on 1, 2 and 3 threads, and each row sits with its nearest pivot", async () => {
    const points = clusteredPoints(9500, 19, 12, 3); // two full blocks of 4096 rows and a part
    const pivotCount = 64;
    const cellsOn = async (threads: number, mainWorks: boolean) => {
      expect(await startThreads(threads)).toBeNull();
      setMainTakesChunks(mainWorks);
      const before = threadStats();
      try {
        return localityCells(points, typescriptBlas, null, pivotCount);
      } finally {
        setMainTakesChunks(true);
        const after = threadStats();
        if (threads > 1) expect(after.splitScans - before.splitScans).toBe(3);
        if (!mainWorks) expect(after.workerChunks - before.workerChunks).toBe(after.chunks - before.chunks);
      }
    };
    const reference = await cellsOn(1, true);
    for (const [threads, mainWorks] of [[2, true], [3, true], [2, false], [3, false]] as const) {
      expect(await cellsOn(threads, mainWorks)).toEqual(reference);
    }
    // Every pivot is its own nearest, so each holds a cell; each row's cell pivot is its nearest.
    const { order, starts, pivots } = reference;
    expect(pivots.length).toBe(pivotCount);
    const dim = points.cols, row = (i: number) => points.data.subarray(i * dim, (i + 1) * dim);
    const pivotRows = Array.from(pivots, (position) => order[position]!);
    let misplaced = 0;
    for (let b = 0; b < pivots.length; b++) {
      for (let at = starts[b]!; at < starts[b + 1]!; at++) {
        const own = sqdist(row(order[at]!), row(pivotRows[b]!));
        const least = Math.min(...pivotRows.map((pivot) => sqdist(row(order[at]!), row(pivot))));
        if (own > least * (1 + 1e-4) + 1e-3) misplaced++;
      }
    }
    expect(misplaced).toBe(0);
  }, 60_000);

  test("stopThreads leaves the scans on the main thread; a pool can start again", async () => {
    await startThreads(2);
    stopThreads();
    expect(threadCount()).toBe(1);
    const before = threadStats().splitScans;
    const data = allocFloat32(64 * 8);
    const { idx, out } = manyScratch(64);
    for (let i = 0; i < 64; i++) { idx[i] = i; data[i * 8] = i; }
    runMany("sqdist_f32_many", data.byteOffset, data.byteOffset, 32, idx.byteOffset, 64, 8, out.byteOffset);
    expect(threadStats().splitScans).toBe(before);
    expect(out[5]).toBe(25);
    expect(await startThreads(2)).toBeNull();
    runMany("sqdist_f32_many", data.byteOffset, data.byteOffset, 32, idx.byteOffset, 64, 8, out.byteOffset);
    expect(threadStats().splitScans).toBe(before + 1);
    expect(out[7]).toBe(49);
    stopThreads();
  });
});

describe("without worker threads", () => {
  test("startThreads warns and leaves the scans on one thread; a job still runs and says why in its log", async () => {
    const saved = globalThis.Worker;
    // An environment with no Worker: starting one throws.
    (globalThis as { Worker?: unknown }).Worker = undefined;
    try {
      stopThreads();
      const warning = await startThreads(3);
      expect(warning).toContain("worker threads could not start");
      expect(threadCount()).toBe(1);
      const input = tempDir();
      writeFileSync(join(input, "pool.csv"), poolCsv(probabilityRows(400, 3, 5), 3, clusteredPoints(400, 8, 4, 6)));
      const output = join(tempDir(), "out");
      let log = "";
      const result = await main({}, {}, { THREADS: "2" }, ["--input", input, "--output", output, "--strategy", "diversity", "--batch-size", "10", "--no-save-report"],
        { stdout: { write() {}, isTTY: false }, stderr: { write: (text: string) => { log += text; }, isTTY: false } });
      expect(result.exitCode).toBe(0);
      expect(log).toContain("worker threads could not start");
      const record = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")).threads;
      expect({ count: record.count, source: record.source }).toEqual({ count: 1, source: "THREADS (env); workers could not start" });
    } finally {
      globalThis.Worker = saved;
    }
  });
});

describe("usable cores", () => {
  function fakeRoot(files: Record<string, string>): string {
    const root = tempDir();
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, ".."), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  test("a cgroup v2 quota caps the affinity mask, rounded up; 'max' is no quota", () => {
    const limited = fakeRoot({ "proc/self/cgroup": "0::/job\n", "sys/fs/cgroup/job/cpu.max": "150000 100000\n", "sys/fs/cgroup/cpu.max": "max 100000\n" });
    expect(usableCores(limited, 64)).toEqual({ cores: 2, source: `cgroup CPU quota (${join(limited, "sys/fs/cgroup/job/cpu.max")})` });
    expect(usableCores(limited, 1).cores).toBe(1);
    const unlimited = fakeRoot({ "proc/self/cgroup": "0::/\n", "sys/fs/cgroup/cpu.max": "max 100000\n" });
    expect(cgroupQuota(unlimited)).toBeNull();
    expect(usableCores(unlimited, 8)).toEqual({ cores: 8, source: "CPU affinity" });
  });

  test("the tightest quota over a cgroup and its parents wins", () => {
    const root = fakeRoot({ "proc/self/cgroup": "0::/a/b\n", "sys/fs/cgroup/a/b/cpu.max": "800000 100000", "sys/fs/cgroup/a/cpu.max": "300000 100000" });
    expect(cgroupQuota(root)!.cores).toBe(3);
  });

  test("cgroup v1: cpu.cfs_quota_us over cpu.cfs_period_us; -1 is no quota", () => {
    const v1 = fakeRoot({ "proc/self/cgroup": "3:cpu,cpuacct:/docker/x\n", "sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_quota_us": "400000\n", "sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_period_us": "100000\n" });
    expect(usableCores(v1, 16).cores).toBe(4);
    const none = fakeRoot({ "proc/self/cgroup": "1:cpu:/\n", "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n", "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" });
    expect(usableCores(none, 16)).toEqual({ cores: 16, source: "CPU affinity" });
  });
});

const backends = await backendsUnderTest();

describe("THREADS through main()", () => {
  const n = 2500, dim = 24;
  const pool = tempDir("as-threads-");
  beforeAll(() => {
    const vectors = clusteredPoints(n, dim, 15, 31);
    // Every 40th row repeats the row before it: exact ties the reductions must break alike.
    for (let i = 40; i < n; i += 40) vectors.data.copyWithin(i * dim, (i - 1) * dim, i * dim);
    writeFileSync(join(pool, "pool.csv"), poolCsv(probabilityRows(n, 5, 32), 5, vectors));
  });

  async function select(args: string[], threads: string, blas: string): Promise<{ csv: string; record: Record<string, number | string | null> }> {
    const output = join(tempDir(), "out");
    const result = await main({}, {}, { THREADS: threads }, ["--input", pool, "--output", output, "--no-save-report", "--blas", blas, ...args]);
    expect(result.error?.message ?? null).toBeNull();
    const metadata = JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8"));
    return { csv: readFileSync(join(output, "selected_samples.csv"), "utf8"), record: metadata.threads };
  }

  const hybrid = JSON.stringify({ objectives: [{ type: "uncertainty", mode: "margin", strength: 1 }, { type: "diversity", strength: 1 }, { type: "typicality", strength: 0.5 }] });
  const strategies = [
    ["--strategy", "diversity", "--batch-size", "150"],
    ["--strategy", "diversity", "--batch-size", "100", "--metric", "cosine", "--vector-precision", "float64"],
    ["--strategy", "hybrid", "--config", hybrid, "--batch-size", "120"],
    ["--strategy", "badge", "--batch-size", "120", "--random-seed", "3"],
    ["--strategy", "cluster_margin", "--batch-size", "100", "--random-seed", "5"],
    ["--strategy", "typiclust", "--batch-size", "80", "--random-seed", "4"],
  ];
  for (const backend of backends) {
    for (const args of strategies) {
      test.skipIf(backend.blas === null)(`${args.slice(1).join(" ")} on ${backend.name}: THREADS=1, 2 and 3 select the same rows`, async () => {
        const blas = backend.name === "openblas" ? "openblas" : "off";
        const one = await select(args, "1", blas);
        expect(one.csv.split("\n").length).toBeGreaterThan(50);
        expect(one.record).toMatchObject({ count: 1, source: "THREADS (env)", split_scans: 0 });
        for (const threads of ["2", "3"]) {
          const many = await select(args, threads, blas);
          expect(many.csv).toBe(one.csv);
          expect(many.record.count).toBe(Number(threads));
          expect(many.record.split_scans as number).toBeGreaterThan(0);
        }
      }, 60_000);
    }
  }

  test("the default is the cores this process may use, recorded with where it came from", async () => {
    const { record } = await select(["--strategy", "diversity", "--batch-size", "20"], "", "off");
    expect(record.count).toBe(usableCores().cores);
    expect(String(record.source)).toMatch(/CPU affinity|cgroup CPU quota/);
  });

  for (const bad of ["0", "-1", "abc", "1.5"]) {
    test(`THREADS=${bad} is a usage error naming THREADS, with no output`, async () => {
      const output = join(tempDir(), "out");
      const result = await main({}, {}, { THREADS: bad }, ["--input", pool, "--output", output, "--strategy", "diversity"]);
      expect(result.exitCode).toBe(2);
      expect(result.error!.message).toContain("THREADS");
      expect(result.outputs).toEqual([]);
    });
  }
});

/** The compiled binary's selection on the pool in `input` with THREADS=threads: the selected rows' CSV and the metadata. */
async function selectWithBinary(input: string, args: string[], threads: string): Promise<{ csv: string; metadata: Record<string, any> }> {
  const { runBinary } = await import("../binary.ts");
  const output = join(tempDir(), "out");
  const result = runBinary([...args, "--input", input, "--output", output, "--no-save-report"], { THREADS: threads });
  expect(result.stderr).not.toContain("error");
  expect(result.exitCode).toBe(0);
  return { csv: readFileSync(join(output, "selected_samples.csv"), "utf8"), metadata: JSON.parse(readFileSync(join(output, "selection_metadata.json"), "utf8")) };
}

describe("THREADS through the compiled binary", () => {
  test("THREADS=1 and THREADS=3 select the same rows; with 3, workers ran split scans", async () => {
    const n = 12_000, dim = 64;
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), poolCsv(probabilityRows(n, 4, 41), 4, clusteredPoints(n, dim, 20, 42)));
    const run = (threads: string) => selectWithBinary(input, ["--strategy", "diversity", "--batch-size", "60"], threads);
    const one = await run("1"), three = await run("3");
    expect(one.csv.split("\n").length).toBe(62);
    expect(three.csv).toBe(one.csv);
    expect(three.metadata.threads.count).toBe(3);
    // The default split threshold applies here: the first picks measure every row, and those scans split.
    expect(three.metadata.threads.split_scans).toBeGreaterThan(0);
    expect(one.metadata.threads.split_scans).toBe(0);
  }, 120_000);

  // Past 20,000 rows the locality order runs, and at 256 columns the projected bounds: with the
  // workers holding OpenBLAS, every thread runs its own pivot and projection products
  // (engine/kernels/thread-products.ts).
  test("wide rows past the locality order's threshold: THREADS=1, 2 and 3 select the same rows", async () => {
    const n = 21_000, dim = 256;
    const input = tempDir();
    writeFileSync(join(input, "pool.csv"), poolCsv(probabilityRows(n, 4, 43), 4, clusteredPoints(n, dim, 30, 44)));
    const run = (threads: string) => selectWithBinary(input, ["--strategy", "diversity", "--batch-size", "80", "--blas", "openblas"], threads);
    const one = await run("1");
    expect(one.csv.split("\n").length).toBe(82);
    expect(one.metadata.strategy_details).toMatchObject({ localityOrder: true });
    expect(String(one.metadata.strategy_details.screeningStages)).toContain("float32");
    for (const threads of ["2", "3"]) {
      const many = await run(threads);
      expect(many.csv).toBe(one.csv);
      expect(many.metadata.threads.count).toBe(Number(threads));
    }
  }, 180_000);
});

/**
 * A small split scan: `rows` Gaussian rows of 16 columns (seeded), and scan(k) measures row
 * k % rows against 24 of them (row i·step % rows) with runMany, every part split; returns how
 * many results differ from the kernel's own on one thread.
 */
function smallScan(rows: number, seed: number, step: number): (k: number) => number {
  const dim = 16, count = 24, width = 4 * dim;
  const data = allocFloat32(rows * dim);
  const rng = new Rng(seed);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextGaussian();
  const { idx, out } = manyScratch(count);
  for (let i = 0; i < count; i++) idx[i] = (i * step) % rows;
  return (k) => {
    const c = k % rows;
    const reference = Array.from({ length: count }, (_, i) => kernels.sqdist_f32(data.byteOffset + c * width, data.byteOffset + idx[i]! * width, dim));
    out.fill(NaN, 0, count);
    runMany("sqdist_f32_many", data.byteOffset + c * width, data.byteOffset, width, idx.byteOffset, count, dim, out.byteOffset);
    return reference.filter((value, i) => out[i] !== value).length;
  };
}

function sqdist(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += (a[j]! - b[j]!) ** 2;
  return sum;
}

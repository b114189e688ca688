/**
 * GEMM/GEMV throughput of the OpenBLAS and TypeScript backends, and their ratio.
 *
 *   bun bench/gemm.ts
 *
 * Figures only, never a pass/fail. OpenBLAS runs each full shape; the TypeScript backend runs
 * the same shape on its first `tsRows` rows of C (each row of C costs the same in its loops, so
 * the rate carries over) to keep the whole run under a minute. Each figure is the best of a few
 * repetitions, after one warm-up call that also starts OpenBLAS's threads.
 *
 * The TypeScript figures depend on order: ffi/typescript.ts uses one gemm function for both
 * Float32Array and Float64Array, and once the JIT has seen both it runs 4-5× slower (dgemm
 * alone measured 1.0 GFLOP/s, after sgemm 0.2). They are what the engine would get mid-run.
 */
import type { Blas } from "../ffi/blas.ts";
import { loadBlas } from "../ffi/load.ts";
import { typescriptBlas } from "../ffi/typescript.ts";
import { Rng } from "../src/rng.ts";

interface Case {
  label: string;
  /** Rows of C (or of y) the full shape has, and the work per row in floating-point ops. */
  rows: number;
  flopsPerRow: number;
  /** Rows the TypeScript backend is timed on. */
  tsRows: number;
  /** Runs the routine on the first `rows` rows. */
  run: (blas: Blas, rows: number) => void;
}

const rng = new Rng(2024);
function random<T extends Float32Array | Float64Array>(array: T): T {
  for (let i = 0; i < array.length; i++) array[i] = rng.nextFloat() * 2 - 1;
  return array;
}

function gemmCase(label: string, type: "s" | "d", transB: boolean, m: number, n: number, k: number,
  tsRows: number): Case {
  const make = (length: number) => (type === "s" ? new Float32Array(length) : new Float64Array(length));
  const a = random(make(m * k));
  const b = random(make(k * n));
  const c = make(m * n);
  const ldb = transB ? k : n;
  return {
    label, rows: m, flopsPerRow: 2 * n * k, tsRows,
    run: (blas, rows) => {
      if (type === "s") {
        blas.sgemm(false, transB, rows, n, k, 1, a as Float32Array, k, b as Float32Array, ldb, 0, c as Float32Array, n);
      } else {
        blas.dgemm(false, transB, rows, n, k, 1, a as Float64Array, k, b as Float64Array, ldb, 0, c as Float64Array, n);
      }
    },
  };
}

function sgemvCase(label: string, trans: boolean, m: number, n: number): Case {
  const a = random(new Float32Array(m * n));
  const x = random(new Float32Array(trans ? m : n));
  const y = new Float32Array(trans ? n : m);
  // Transposed, every row of A feeds every element of y, so time it on the full matrix.
  return {
    label, rows: m, flopsPerRow: 2 * n, tsRows: m,
    run: (blas, rows) => blas.sgemv(trans, rows, n, 1, a, n, x, 0, y),
  };
}

/** Best seconds per call over repetitions that together take at least `budget` seconds. */
function bestSeconds(run: () => void, budget = 0.6, maxRepeats = 5): number {
  run();
  let best = Infinity;
  let spent = 0;
  for (let i = 0; i < maxRepeats && (i < 2 || spent < budget); i++) {
    const start = performance.now();
    run();
    const seconds = (performance.now() - start) / 1000;
    best = Math.min(best, seconds);
    spent += seconds;
  }
  return best;
}

/** Nanoseconds per call of a tiny routine: what crossing into the backend costs. */
function nanosecondsPerCall(run: () => void, calls = 200_000): number {
  for (let i = 0; i < 1000; i++) run();
  const start = performance.now();
  for (let i = 0; i < calls; i++) run();
  return ((performance.now() - start) * 1e6) / calls;
}

const { blas: loaded, warning } = await loadBlas({ mode: "auto" });
const openblas = loaded.name === "openblas" ? loaded : null;
if (openblas === null) console.log(`OpenBLAS not loaded; TypeScript figures only.\n${warning}`);
else console.log(`${(openblas as { config?: string }).config ?? "OpenBLAS"} from ${openblas.libraryPath}`);

const cases: Case[] = [
  gemmCase("sgemm 2000×2000×2000", "s", false, 2000, 2000, 2000, 60),
  gemmCase("dgemm 2000×2000×2000", "d", false, 2000, 2000, 2000, 60),
  gemmCase("sgemm 100000×1000×128 B^T", "s", true, 100_000, 1000, 128, 2000),
  gemmCase("sgemm 32×32×32", "s", false, 32, 32, 32, 32),
  sgemvCase("sgemv 100000×128", false, 100_000, 128),
  sgemvCase("sgemv 100000×128 A^T", true, 100_000, 128),
];

const pad = (text: string, width: number) => text.padEnd(width);
const num = (value: number, width: number) => value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2).padStart(width);
console.log(`${pad("routine and shape (m×n×k)", 28)}${"openblas".padStart(10)}${"typescript".padStart(12)}` +
  `${"ratio".padStart(8)}   GFLOP/s; typescript timed on rows`);
for (const c of cases) {
  const tsSeconds = bestSeconds(() => c.run(typescriptBlas, c.tsRows), 1, 3);
  const tsRate = (c.flopsPerRow * c.tsRows) / tsSeconds / 1e9;
  let line = pad(c.label, 28);
  if (openblas !== null) {
    const nativeSeconds = bestSeconds(() => c.run(openblas, c.rows));
    const nativeRate = (c.flopsPerRow * c.rows) / nativeSeconds / 1e9;
    line += `${num(nativeRate, 10)}${num(tsRate, 12)}${num(nativeRate / tsRate, 7)}×`;
  } else {
    line += `${"-".padStart(10)}${num(tsRate, 12)}${"-".padStart(8)}`;
  }
  console.log(`${line}   ${c.tsRows} of ${c.rows}`);
}

// Per-call cost on 1×1×1 shapes: for OpenBLAS, FFI crossing plus shape checks plus CBLAS entry.
const one = new Float32Array([1]);
const out = new Float32Array(1);
const tinyGemm = (blas: Blas) => () => blas.sgemm(false, false, 1, 1, 1, 1, one, 1, one, 1, 0, out, 1);
const tinyGemv = (blas: Blas) => () => blas.sgemv(false, 1, 1, 1, one, 1, one, 0, out);
for (const [label, make] of [["sgemm 1×1×1", tinyGemm], ["sgemv 1×1", tinyGemv]] as const) {
  const ts = nanosecondsPerCall(make(typescriptBlas));
  const native = openblas === null ? null : nanosecondsPerCall(make(openblas));
  console.log(`${pad(`${label} ns/call`, 28)}${native === null ? "-".padStart(10) : num(native, 10)}${num(ts, 12)}`);
}

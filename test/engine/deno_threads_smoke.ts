/**
 * Deno smoke check for the worker threads, outside `bun test` (make deno-smoke):
 *
 *   ./node_modules/.bin/deno run --allow-read --allow-env --allow-sys --allow-ffi test/engine/deno_threads_smoke.ts
 *
 * Starts three threads under Deno, splits every scan (setMinValuesPerPart(0)), leaves every
 * chunk to the workers (setMainTakesChunks(false)) and compares each kernel's results with one
 * thread's bit for bit; exits 1 on a mismatch, or when workers cannot start. Then stops them: the process must end on its own.
 * Then two threads whose workers open OpenBLAS through Deno's FFI compute the locality order
 * with their own products: it must be the order the products on OpenBLAS's pool give.
 */
import { allocFloat32, allocFloat64, manyScratch, MANY_KERNELS } from "../../src/engine/kernels/kernels.ts";
import { runMany, setMainTakesChunks, setMinValuesPerPart, startThreads, stopThreads, threadsRunProducts, threadStats } from "../../src/engine/kernels/threads.ts";
import { localityCells } from "../../src/engine/locality.ts";
import { loadBlas } from "../../ffi/load.ts";
import { Rng } from "../../src/rng.ts";

declare const Deno: { exit(code: number): never };

const rows = 2000, dim = 29, count = 1500;
const rng = new Rng(5);
const single = allocFloat32(rows * dim), double = allocFloat64(rows * dim);
for (let i = 0; i < single.length; i++) { single[i] = rng.nextGaussian(); double[i] = rng.nextGaussian(); }
const { idx, out } = manyScratch(count);
for (let i = 0; i < count; i++) idx[i] = rng.nextInt(rows);

function scans(): Uint32Array[] {
  return MANY_KERNELS.flatMap((name) => {
    const data = name.includes("f64") ? double : single, width = data.BYTES_PER_ELEMENT * dim;
    return Array.from({ length: 40 }, (_, scan) => {
      runMany(name, data.byteOffset + scan * width, data.byteOffset, width, idx.byteOffset, count, dim, out.byteOffset);
      return new Uint32Array(out.slice(0, count).buffer);
    });
  });
}

setMinValuesPerPart(0);
const reference = scans();
const warning = await startThreads(3);
if (warning) { console.error(`deno threads smoke: ${warning}`); Deno.exit(1); }
setMainTakesChunks(false);
const threaded = scans();
const { workerChunks, chunks } = threadStats();
stopThreads();
const same = threaded.every((scan, s) => scan.every((bits, i) => bits === reference[s]![i]));
if (!same) { console.error("deno threads smoke: a threaded scan differs from the one-thread scan"); Deno.exit(1); }
if (workerChunks !== chunks || chunks === 0) { console.error(`deno threads smoke: workers ran ${workerChunks} of ${chunks} chunks`); Deno.exit(1); }
console.log(`deno threads smoke: 3 threads, ${workerChunks} chunks run by workers, same bits as one thread`);

// The products every thread runs itself (thread-products.ts): the workers open OpenBLAS through
// Deno's FFI, and the locality order must be the one the products on OpenBLAS's pool give.
const { blas } = await loadBlas({ mode: "openblas" });
const points = { data: allocFloat32(24_000 * 24), rows: 24_000, cols: 24 };
for (let i = 0; i < points.data.length; i++) points.data[i] = rng.nextGaussian() + (Math.floor(i / (24 * 600)) % 7) * 3;
const poolPath = localityCells(points, { ...blas, productsOnCallingThread: undefined });
const productsWarning = await startThreads(2, blas);
if (productsWarning || !threadsRunProducts(blas)) { console.error(`deno threads smoke: the workers did not open ${blas.libraryPath} (${productsWarning ?? "no products"})`); Deno.exit(1); }
const everyThread = localityCells(points, blas);
stopThreads();
const sameOrder = everyThread.order.length === poolPath.order.length && everyThread.order.every((row, i) => row === poolPath.order[i]);
if (!sameOrder) { console.error("deno threads smoke: the locality order from every thread's products differs from the pool's"); Deno.exit(1); }
console.log(`deno threads smoke: 2 threads ran the pivot products themselves (${blas.libraryPath}), the pool's order`);

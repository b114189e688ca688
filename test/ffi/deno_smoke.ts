/**
 * Deno smoke check for the FFI backend, outside `bun test`:
 *
 *   ./node_modules/.bin/deno run -A test/ffi/deno_smoke.ts
 *
 * Loads OpenBLAS through ffi/load.ts under Deno (Deno.dlopen), runs an sgemm and a dgemm on
 * subarray inputs with padded rows, compares each with the TypeScript backend, and exits 1 on
 * a mismatch or if OpenBLAS does not load.
 */
import { loadBlas } from "../../ffi/load.ts";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { Rng } from "../../src/rng.ts";

// Only the bit of Deno's global this script uses; declared so tsc under Bun's types accepts it.
declare const Deno: { exit(code: number): never; version: { deno: string } };

const { blas } = await loadBlas({ mode: "openblas" });
const [m, n, k, ld] = [37, 29, 53, 60];
const rng = new Rng(7);

function check<T extends Float32Array | Float64Array>(name: "sgemm" | "dgemm",
  make: (length: number) => T, tolerance: number): boolean {
  const random = (length: number): T => {
    const array = make(length + 5);
    for (let i = 0; i < array.length; i++) array[i] = rng.nextFloat() * 2 - 1;
    return array.subarray(5) as T; // a non-zero byteOffset on purpose
  };
  const a = random(m * ld);
  const b = random(n * ld);
  const c0 = random(m * ld);
  const native = c0.slice() as T;
  const reference = c0.slice() as T;
  // C = 0.5·A·Bᵀ - 2·C, with every leading dimension longer than its row.
  (blas[name] as (...args: unknown[]) => void)(false, true, m, n, k, 0.5, a, ld, b, ld, -2, native, ld);
  (typescriptBlas[name] as (...args: unknown[]) => void)(false, true, m, n, k, 0.5, a, ld, b, ld, -2, reference, ld);
  let worst = 0;
  for (let i = 0; i < native.length; i++) worst = Math.max(worst, Math.abs(native[i]! - reference[i]!));
  const ok = worst <= tolerance;
  console.log(`${name} ${m}×${n}×${k}: max |openblas - typescript| = ${worst.toExponential(2)} ` +
    `(tolerance ${tolerance}) ${ok ? "ok" : "MISMATCH"}`);
  return ok;
}

console.log(`deno ${Deno.version.deno}, ${blas.name} from ${blas.libraryPath}`);
const sgemmOk = check("sgemm", (length) => new Float32Array(length), 1e-4);
const dgemmOk = check("dgemm", (length) => new Float64Array(length), 1e-12);
if (!(sgemmOk && dgemmOk)) Deno.exit(1);

/**
 * Core-set on real data: the 70,000 Fashion-MNIST images (28×28 = 784 pixels, scaled to
 * [0, 1]) from Debian's `dataset-fashion-mnist` (`apt-get install dataset-fashion-mnist` puts
 * the IDX files in /usr/share/datasets/fashion-mnist). Diversity, k = 1,000, euclidean and
 * cosine, against the textbook loop timed on 50 picks and the TypeScript backend.
 *
 *   bun bench/fashion-mnist.ts
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { loadBlas } from "../ffi/load.ts";
import { typescriptBlas } from "../ffi/typescript.ts";
import { EuclideanSpace } from "../src/engine/euclidean.ts";
import { allocVectors } from "../src/engine/kernels/kernels.ts";
import { kCenterPlain } from "../src/engine/kcenter.ts";
import { diversity } from "../src/strategies/diversity.ts";
import { benchOptions, benchPool, peakRssMb } from "./workloads.ts";

const DIR = "/usr/share/datasets/fashion-mnist";
if (!existsSync(join(DIR, "train-images-idx3-ubyte.gz"))) {
  console.log(`no ${DIR}: apt-get install dataset-fashion-mnist`);
  process.exit(0);
}

/** An IDX3 file (magic 2051, count, rows, cols, then one byte per pixel). */
function images(name: string): { bytes: Uint8Array; count: number; size: number } {
  const raw = gunzipSync(readFileSync(join(DIR, name)));
  const view = new DataView(raw.buffer, raw.byteOffset);
  if (view.getUint32(0) !== 2051) throw new Error(`${name}: not an IDX image file`);
  const count = view.getUint32(4), size = view.getUint32(8) * view.getUint32(12);
  return { bytes: raw.subarray(16, 16 + count * size), count, size };
}

const parts = [images("train-images-idx3-ubyte.gz"), images("t10k-images-idx3-ubyte.gz")];
const rows = parts.reduce((n, p) => n + p.count, 0), dim = parts[0]!.size;
const data = allocVectors(false, rows * dim);
let at = 0;
for (const p of parts) for (let i = 0; i < p.bytes.length; i++) data[at++] = p.bytes[i]! / 255;
const vectors = { data, rows, cols: dim };
const workload = { vectors, probs: new Float64Array(rows * 2).fill(0.5), classes: 2 };
const { blas } = await loadBlas({ mode: "auto" });

console.log(`Fashion-MNIST ${rows}×${dim}, diversity k=1000`);
for (const metric of ["euclidean", "cosine"] as const) {
  for (const backend of [blas, typescriptBlas]) {
    const started = performance.now();
    const selection = diversity(benchPool(workload), benchOptions(rows, 1000, backend, { metric }));
    const seconds = (performance.now() - started) / 1000;
    const share = (selection.details.distanceEvaluations as number) / (rows * selection.rows.length);
    console.log(`  ${metric.padEnd(9)} ${backend.name.padEnd(10)} ${seconds.toFixed(2)} s, ${(100 * share).toFixed(1)}% of rows measured per pick, peak RSS ${peakRssMb()} MB`);
  }
}
const started = performance.now();
const plain = kCenterPlain(new EuclideanSpace(vectors), 50, { seeds: null, selectable: null, firstPick: 0, minDistance: 0 });
const perPick = (performance.now() - started) / 1000 / plain.picks.length;
console.log(`  plain greedy (euclidean, timed on 50 picks): ≈ ${(perPick * 1000).toFixed(1)} s for k=1000`);

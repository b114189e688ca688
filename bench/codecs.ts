/**
 * Evidence for the hand-written decompressors (src/io/snappy.ts, src/io/lz4.ts): each against
 * the npm code it replaces, on the pages our inputs are made of.
 *
 *   bun bench/codecs.ts   (see bench/libraries.ts)
 *
 * Pages (1 MiB each, as pyarrow writes them): float32 embeddings and float64 probabilities from
 * the real Fashion-MNIST inference output (../shared/data, or seeded Gaussians and uniforms when
 * it is absent), seeded Gaussian float32 embeddings, and an id column as PLAIN BYTE_ARRAY.
 * Snappy pages are compressed by hysnappy (Google's C snappy as WebAssembly, the compressor
 * pyarrow also uses); LZ4_RAW blocks by lz4js; LZ4 frames by the `lz4` tool with 64 KiB linked
 * blocks (Arrow IPC's LZ4_FRAME settings). Prints best-of-7 times, MB/s of output and the
 * ratio against the library (> 1: ours is faster). Outputs are checked equal first.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { snappyUncompress as hyparquetSnappy } from "hyparquet/src/snappy.js";
import { lz4BlockUncompress, lz4FrameUncompress } from "../src/io/lz4.ts";
import { snappyUncompress } from "../src/io/snappy.ts";
import { readCsvTable } from "../src/io/csv.ts";
import { Rng } from "../src/rng.ts";
import { literalOnlyLz4Block } from "../test/io/helpers.ts";
import { importFrom, librariesDir, printRace, race } from "./libraries.ts";

const PAGE = 1 << 20;
const libs = librariesDir(process.argv.slice(2));
const hysnappy = await importFrom<{ snappyUncompress(i: Uint8Array, n: number): Uint8Array; snappyCompress(i: Uint8Array): Uint8Array }>(libs, "hysnappy/js/index.js");
const compressors = await importFrom<{ decompressLz4Raw(i: Uint8Array, n: number): Uint8Array }>(libs, "hyparquet-compressors/src/index.js");
const lz4js = await importFrom<{
  decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
  compressBound(n: number): number;
  decompress(src: Uint8Array, maxSize?: number): Uint8Array;
}>(libs, "lz4js/lz4.js");

const pages = workloadPages();
console.log(`pages of ${PAGE / 2 ** 20} MiB; machine: ${navigator.hardwareConcurrency} cores, shared and loaded (compare ratios, not times)`);
for (const [name, page] of Object.entries(pages)) {
  const compressed = hysnappy.snappyCompress(page);
  check(`snappy ${name}`, page, [snappyUncompress(compressed, page.length), hyparquetSnappy(compressed, new Uint8Array(page.length)) ?? null, hysnappy.snappyUncompress(compressed, page.length)]);
  const scratch = new Uint8Array(page.length);
  printRace(`snappy, ${name} (${(compressed.length / page.length * 100).toFixed(0)}% of raw)`, page.length, race({
    "hyparquet snappy": () => hyparquetSnappy(compressed, new Uint8Array(page.length)),
    "hysnappy (hyparquet-compressors, wasm)": () => hysnappy.snappyUncompress(compressed, page.length),
    "ours": () => snappyUncompress(compressed, page.length),
    "ours, into a reused buffer": () => snappyUncompress(compressed, page.length, scratch),
  }, { repeat: 20 }), "hyparquet snappy");
}

for (const [name, page] of Object.entries(pages)) {
  const block = lz4Block(page);
  const viaLz4js = (): Uint8Array => { const out = new Uint8Array(page.length); lz4js.decompressBlock(block, out, 0, block.length, 0); return out; };
  check(`lz4 block ${name}`, page, [lz4BlockUncompress(block, page.length), compressors.decompressLz4Raw(block, page.length), viaLz4js()]);
  printRace(`LZ4_RAW block, ${name} (${(block.length / page.length * 100).toFixed(0)}% of raw)`, page.length, race({
    "hyparquet-compressors": () => compressors.decompressLz4Raw(block, page.length),
    "lz4js": viaLz4js,
    "ours": () => lz4BlockUncompress(block, page.length),
  }, { repeat: 20 }), "hyparquet-compressors");
}

// Arrow IPC bodies: a whole column buffer as one LZ4 frame.
const body = concat(Object.values(pages));
const frame = lz4Frame(body);
if (frame) {
  check("lz4 frame", body, [lz4FrameUncompress(frame), lz4js.decompress(frame)]);
  printRace(`LZ4 frame, all pages (${(body.length / 2 ** 20).toFixed(0)} MiB, ${(frame.length / body.length * 100).toFixed(0)}% of raw, 64 KiB linked blocks)`, body.length, race({
    "lz4js": () => lz4js.decompress(frame),
    "ours": () => lz4FrameUncompress(frame),
  }, { repeat: 2 }), "lz4js");
} else {
  console.log("LZ4 frame: skipped, the `lz4` tool is not installed (apt-get install lz4)");
}

function workloadPages(): Record<string, Uint8Array> {
  const rng = new Rng(7);
  const gaussian = new Float32Array(PAGE / 4);
  for (let i = 0; i < gaussian.length; i++) gaussian[i] = rng.nextGaussian();
  const ids = new Uint8Array(PAGE);
  const view = new DataView(ids.buffer);
  for (let at = 0, i = 0; at + 4 + 16 <= PAGE; i++) {
    const text = new TextEncoder().encode(`doc-${i.toString(36)}-${i}`);
    view.setUint32(at, text.length, true);
    ids.set(text, at + 4);
    at += 4 + text.length;
  }
  const out: Record<string, Uint8Array> = { "seeded Gaussian float32 embeddings": new Uint8Array(gaussian.buffer), "ids (PLAIN BYTE_ARRAY)": ids };
  const real = "/work/shared/data/fashion_mnist_pool.csv.gz";
  if (existsSync(real)) {
    const table = readCsvTable(real, gunzipSync(readFileSync(real)));
    const emb = table.columns.flatMap((c, i) => (c.startsWith("emb_") ? [i] : []));
    const probs = table.columns.flatMap((c, i) => (c.startsWith("prob_class_") ? [i] : []));
    const embData = new Float32Array(table.rowCount * emb.length), probData = new Float64Array(table.rowCount * probs.length);
    table.extract({ idColumn: 0, numeric: [
      { columns: emb, out: embData, rowStart: 0, stride: emb.length, offset: 0, kind: "finite" },
      { columns: probs, out: probData, rowStart: 0, stride: probs.length, offset: 0, kind: "finite" },
    ] });
    // Parquet stores a column's values together: take column 0's values first, then column 1's...
    out["Fashion-MNIST float32 embeddings"] = new Uint8Array(columnMajor(embData, emb.length, Float32Array).buffer, 0, PAGE);
    out["Fashion-MNIST float64 probabilities"] = new Uint8Array(columnMajor(probData, probs.length, Float64Array).buffer, 0, PAGE);
  }
  return out;
}

function columnMajor<T extends Float32Array | Float64Array>(rowMajor: T, cols: number, kind: { new (n: number): T }): T {
  const rows = rowMajor.length / cols;
  const out = new kind(rowMajor.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = rowMajor[r * cols + c]!;
  return out;
}

function lz4Block(page: Uint8Array): Uint8Array {
  const out = new Uint8Array(lz4js.compressBound(page.length));
  const size = lz4js.compressBlock(page, out, 0, page.length, new Uint32Array(1 << 16));
  // lz4js gives up (0) on incompressible input, where a Parquet writer stores one run of literals.
  return size > 0 ? out.subarray(0, size) : literalOnlyLz4Block(page);
}

function lz4Frame(bytes: Uint8Array): Uint8Array | null {
  const run = spawnSync("lz4", ["-c", "-B4", "-BD", "-q"], { input: bytes, maxBuffer: 1 << 30 });
  return run.status === 0 ? new Uint8Array(run.stdout) : null;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Every decoder must give back the page before its speed means anything. */
function check(what: string, expected: Uint8Array, outputs: (Uint8Array | null)[]): void {
  for (const [i, output] of outputs.entries()) {
    if (output === null) continue;
    if (output.length !== expected.length || !output.every((b, j) => b === expected[j])) throw new Error(`${what}: decoder ${i} gave different bytes`);
  }
}

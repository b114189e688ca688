/**
 * Where splitting one `_many` scan across threads starts to pay (threads.ts's
 * MIN_VALUES_PER_PART): one row against `count` random rows of a 200,000-row float32 matrix,
 * timed on one thread and on two, for scans of growing size. Prints microseconds per scan and
 * the ratio; the break-even is where the ratio passes 1.
 *
 *   bun bench/threads.ts [dim]
 */
import { loadavg } from "node:os";
import { allocFloat32, manyScratch } from "../src/engine/kernels/kernels.ts";
import { MIN_VALUES_PER_PART, runMany, setMinValuesPerPart, startThreads, stopThreads } from "../src/engine/kernels/threads.ts";
import { Rng } from "../src/rng.ts";

const dim = Number(process.argv[2] ?? 128);
const rows = 200_000;
const data = allocFloat32(rows * dim);
const rng = new Rng(3);
for (let i = 0; i < data.length; i++) data[i] = rng.nextGaussian();
const width = 4 * dim;

function perScan(count: number): number {
  const { idx, out } = manyScratch(count);
  for (let i = 0; i < count; i++) idx[i] = rng.nextInt(rows);
  const repeats = Math.max(20, Math.floor(4e7 / (count * dim)));
  const started = performance.now();
  for (let r = 0; r < repeats; r++) runMany("sqdist_f32_many", data.byteOffset + (r % rows) * width, data.byteOffset, width, idx.byteOffset, count, dim, out.byteOffset);
  return ((performance.now() - started) * 1000) / repeats;
}

console.log(`one row against count rows of ${rows}×${dim} float32 (µs per scan; load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}); split threshold now ${MIN_VALUES_PER_PART} values per part`);
console.log("count\tvalues\t1 thread\t2 threads\tratio");
await startThreads(2);
perScanForced(4096); // the worker's first jobs compile its loop
for (const count of [64, 128, 256, 512, 1024, 2048, 4096, 16384, 65536]) {
  // The fastest of five alternating trials: the machine is shared.
  let one = Infinity, two = Infinity;
  for (let trial = 0; trial < 5; trial++) {
    await startThreads(1);
    one = Math.min(one, perScan(count));
    await startThreads(2);
    two = Math.min(two, perScanForced(count));
  }
  console.log(`${count}\t${count * dim}\t${one.toFixed(1)}\t${two.toFixed(1)}\t${(one / two).toFixed(2)}×`);
}
stopThreads();

/** Two threads whatever the threshold says. */
function perScanForced(count: number): number {
  const saved = setMinValuesPerPart(0);
  try { return perScan(count); } finally { setMinValuesPerPart(saved); }
}

/**
 * The streamed run's helper thread (src/job/stream-helper.ts) counts the report's figures of
 * every part into the same bits as the main thread, with one thread or two.
 */
import { afterAll, expect, test } from "bun:test";
import { startThreads, stopThreads } from "../../src/engine/kernels/threads.ts";
import { mainThreadHelper, streamHelper } from "../../src/job/stream-helper.ts";
import { Rng } from "../../src/rng.ts";

afterAll(() => stopThreads());

/** Parts of random rows (some with NaN, ∞, zeros and ties) as their probabilities. */
function parts(seed: number, classes: number, sizes: number[]): Float64Array[] {
  const rng = new Rng(seed);
  return sizes.map((rows) => {
    const probs = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) {
      const w = Array.from({ length: classes }, () => (rng.nextInt(6) === 0 ? 0 : rng.nextFloat()));
      const total = w.reduce((a, b) => a + b, 0) || 1;
      for (let c = 0; c < classes; c++) probs[r * classes + c] = w[c]! / total;
      if (r % 97 === 5) probs[r * classes + rng.nextInt(classes)] = [NaN, Infinity, -Infinity][r % 3]!;
      if (r % 89 === 7) probs.fill(1 / classes, r * classes, (r + 1) * classes);
    }
    return probs;
  });
}

async function countAll(counter: Awaited<ReturnType<typeof streamHelper>>, probs: Float64Array[], classes: number) {
  for (const part of probs) await counter.count(part.slice(), classes);
  return counter.finish();
}

for (const classes of [1, 2, 10]) {
  test(`${classes} classes: the helper thread counts every part into the main thread's figures, bit for bit`, async () => {
    const sizes = [1000, 1, 777, 4096, 13, 2500, 999, 3000];
    const probs = parts(classes, classes, sizes);
    expect(await startThreads(2)).toBeNull();
    const helper = await streamHelper();
    expect(helper.onHelper).toBe(true);
    const counted = await countAll(helper, probs, classes);
    const reference = await countAll(mainThreadHelper(), probs, classes);
    expect(counted!.rows).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(counted).toEqual(reference!);
    // The sums as bits, not only as numbers toEqual rounds alike.
    for (const m of ["maxProb", "margin", "entropy"] as const) expect(Object.is(counted!.histograms[m].sum, reference!.histograms[m].sum)).toBe(true);
    expect(reference!.histograms.entropy.nonFinite).toBeGreaterThan(0);
  });
}

test("with one thread (THREADS=1) the main thread counts", async () => {
  await startThreads(1);
  const counter = await streamHelper();
  expect(counter.onHelper).toBe(false);
  const probs = parts(5, 3, [400, 300]);
  expect(await countAll(counter, probs, 3)).toEqual((await countAll(mainThreadHelper(), probs, 3))!);
});

test("a helper the pass gives up on ends without its figures, and the next run starts its own", async () => {
  await startThreads(2);
  {
    using abandoned = await streamHelper();
    await abandoned.count(parts(6, 4, [500])[0]!, 4);
  }
  const next = await streamHelper();
  expect(next.onHelper).toBe(true);
  expect((await countAll(next, parts(7, 4, [200]), 4))!.rows).toBe(200);
});

for (const threads of [1, 2]) {
  test(`THREADS=${threads}: every array handed to count() comes back from takeCounted() once counted, its values as sent`, async () => {
    await startThreads(threads);
    const helper = await streamHelper();
    expect(helper.onHelper).toBe(threads > 1);
    const probs = parts(8, 3, [300, 200, 100, 50, 25]);
    for (const part of probs) await helper.count(part.slice(), 3);
    await helper.finish();
    const back: Float64Array[] = [];
    for (let array = helper.takeCounted(); array; array = helper.takeCounted()) back.push(array);
    // In the order they were sent, whole again (not detached), holding what was counted.
    expect(back.map((a) => Array.from(a))).toEqual(probs.map((p) => Array.from(p)));
  });
}

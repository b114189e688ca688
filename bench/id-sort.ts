/**
 * Sorting a pool's rows by id (a run that reads vectors or leaves works in id order), at 1M
 * rows: `bun bench/id-sort.ts [--rows N]`.
 *
 * For each kind of id, src/pool/id-sort.ts's sortById against the comparator sort it replaces
 * (the baseline, in the same run), checking both give the same order. Kinds: random UUIDs;
 * row-0, row-1, … in file order (nearly sorted as strings: sortById hands these to the
 * comparator); the same ids shuffled; `sample_` and a random number, with repeats.
 */
import { sortById } from "../src/pool/id-sort.ts";
import { Rng } from "../src/rng.ts";

const args = process.argv.slice(2);
const rows = Number(args[args.indexOf("--rows") + 1] ?? 0) || 1_000_000;
const rng = new Rng(5);
const shuffled = <T>(values: T[]): T[] => {
  for (let i = values.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [values[i], values[j]] = [values[j]!, values[i]!]; }
  return values;
};
const kinds: Record<string, () => string[]> = {
  "random UUIDs": () => Array.from({ length: rows }, () => crypto.randomUUID()),
  "row-0, row-1, … in file order": () => Array.from({ length: rows }, (_, i) => `row-${i}`),
  "row-0, row-1, … shuffled": () => shuffled(Array.from({ length: rows }, (_, i) => `row-${i}`)),
  "sample_<random number>, repeats": () => Array.from({ length: rows }, () => `sample_${rng.nextInt(rows)}`),
};

function comparatorSort(ids: readonly string[]): Uint32Array {
  const order = Uint32Array.from({ length: ids.length }, (_, i) => i);
  return order.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
}

const ms = (since: number) => performance.now() - since;
console.log(`${rows} ids, milliseconds (best of 3): sortById against the comparator sort`);
for (const [kind, make] of Object.entries(kinds)) {
  // Strings as a reader makes them: flat, in file order in memory.
  const ids = make().map((id) => Array.from(id).join(""));
  let ours = Infinity, baseline = Infinity;
  for (let round = 0; round < 3; round++) {
    let since = performance.now();
    const order = sortById(ids)?.order ?? null;
    ours = Math.min(ours, ms(since));
    since = performance.now();
    const expected = comparatorSort(ids);
    baseline = Math.min(baseline, ms(since));
    if (!(order ?? expected).every((row, i) => row === expected[i])) throw new Error(`${kind}: sortById's order differs from the comparator's`);
  }
  console.log(`  ${kind.padEnd(34)} ${ours.toFixed(0).padStart(6)} against ${baseline.toFixed(0).padStart(6)}  (${(baseline / ours).toFixed(1)}×)`);
}

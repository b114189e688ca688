/**
 * pool/id-sort.ts: the order a comparator sort gives (code units, repeated ids in file order),
 * by keys and a radix sort for ids in no order, by the comparator for ids nearly sorted.
 */
import { describe, expect, test } from "bun:test";
import { sortById } from "../../src/pool/id-sort.ts";
import { Rng } from "../../src/rng.ts";

/** The plain definition: rows by id in code-unit order, ties by row. */
function reference(ids: readonly string[]): number[] {
  return Array.from(ids, (_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
}

function expectReference(ids: readonly string[]): void {
  const sorted = sortById(ids);
  const expected = reference(ids);
  if (expected.every((row, i) => row === i)) {
    expect(sorted).toBeNull();
    return;
  }
  expect(Array.from(sorted!.order)).toEqual(expected);
  // Every place whose id is the one before it is among the places that may repeat.
  if (sorted!.mayRepeatAt) {
    const may = new Set(sorted!.mayRepeatAt);
    for (let k = 1; k < expected.length; k++) if (ids[expected[k]!] === ids[expected[k - 1]!]) expect(may.has(k)).toBe(true);
  }
}

const rng = new Rng(17);
const pick = (alphabet: string) => alphabet[rng.nextInt(alphabet.length)]!;
const word = (alphabet: string, min: number, max: number) => Array.from({ length: min + rng.nextInt(max - min + 1) }, () => pick(alphabet)).join("");

describe("sortById", () => {
  test("nothing to sort: no rows, one row, rows in order (repeats included) give null", () => {
    expect(sortById([])).toBeNull();
    expect(sortById(["x"])).toBeNull();
    expect(sortById(["a", "b", "b", "c"])).toBeNull();
  });

  test("random ids of a few letters and lengths 0-20, with repeats: many keys tie, and the strings decide", () => {
    for (let round = 0; round < 20; round++) {
      const ids = Array.from({ length: 3000 }, () => word("ab", 0, 20));
      expectReference(ids);
    }
  });

  test("any code unit, surrogates and the largest included; ids that are prefixes of others and end in the smallest code unit", () => {
    const units = () => String.fromCharCode(...Array.from({ length: 1 + rng.nextInt(6) }, () => (rng.nextFloat() < 0.2 ? [0, 0xffff, 0xd800, 0xdfff][rng.nextInt(4)]! : rng.nextInt(65536))));
    expectReference(Array.from({ length: 5000 }, units));
    expectReference(["a\u0000", "", "a", "ab", "a\uffff", "\u0000", "a", "", "b", "a\u0000\u0000"]);
  });

  test("a shared prefix, and ids alike past the key's characters (sixteen after the prefix) that differ later", () => {
    expectReference(Array.from({ length: 5000 }, () => `sample_${rng.nextInt(1_000_000)}`));
    const stem = () => "q".repeat(16 + rng.nextInt(3));
    expectReference(Array.from({ length: 4000 }, () => `${pick("xy")}${stem()}${word("0123456789", 0, 4)}`));
  });

  test("UUIDs, and the same ids nearly in order (row-0, row-1, …: the comparator's path) or shuffled (the keys' path)", () => {
    expectReference(Array.from({ length: 20_000 }, () => crypto.randomUUID()));
    const rows = Array.from({ length: 20_000 }, (_, i) => `row-${i}`);
    expectReference(rows);
    for (let i = rows.length - 1; i > 0; i--) { const j = rng.nextInt(i + 1); [rows[i], rows[j]] = [rows[j]!, rows[i]!]; }
    expectReference(rows);
    // Repeats in no order: each id's rows stay in file order.
    expectReference(Array.from({ length: 20_000 }, () => `id-${rng.nextInt(500)}`));
  });

  test("an alphabet of every code unit leaves one character a half, and the order still holds", () => {
    const ids = Array.from({ length: 70_000 }, (_, i) => String.fromCharCode(i % 65536, rng.nextInt(65536), rng.nextInt(65536)));
    expectReference(ids);
  });
});

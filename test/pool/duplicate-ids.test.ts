import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { duplicateIds, rowsSharingAnId, rowsThatMayRepeat } from "../../src/pool/pool.ts";
import { idOrder, sortedIds } from "../../src/strategies/id-order.ts";

/** The plain definition: every later row whose id an earlier row has, with that earlier row. */
function byMap(ids: string[], limit = 5): [string, number, number][] {
  const seen = new Map<string, number>();
  const found: [string, number, number][] = [];
  ids.forEach((id, i) => { if (seen.has(id)) found.push([id, seen.get(id)!, i]); else seen.set(id, i); });
  return found.slice(0, limit);
}

describe("duplicateIds()", () => {
  test("finds the same first repeats as a map over every id, in row order", () => {
    const ids = fc.array(fc.oneof(fc.constantFrom("a", "b", "é", "1", "01", ""), fc.string({ maxLength: 6 })), { maxLength: 200 });
    fc.assert(fc.property(ids, (list) => {
      expect(duplicateIds(list)).toEqual(byMap(list));
      expect(duplicateIds(list, 1000)).toEqual(byMap(list, 1000));
    }), { numRuns: 500 });
  });

  test("rowsThatMayRepeat() holds every row whose id repeats and none on unique ids", () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `doc-${i}`);
    expect(rowsThatMayRepeat(ids)).toEqual([]);
    ids.push("doc-17", "doc-99999");
    expect(rowsThatMayRepeat(ids)).toEqual([17, 99_999, 100_000, 100_001]);
    expect(duplicateIds(ids)).toEqual([["doc-17", 17, 100_000], ["doc-99999", 99_999, 100_001]]);
  });

  test("rowsSharingAnId() from the id order holds exactly the rows whose id another row has, in row order, runs of any length", () => {
    const ids = fc.array(fc.oneof(fc.constantFrom("a", "b", "é", "1", "01", ""), fc.string({ maxLength: 3 })), { maxLength: 200 });
    fc.assert(fc.property(ids, (list) => {
      const counts = new Map<string, number>();
      for (const id of list) counts.set(id, (counts.get(id) ?? 0) + 1);
      const expected = list.flatMap((id, row) => (counts.get(id)! > 1 ? [row] : []));
      expect(rowsSharingAnId(list, sortedIds(list))).toEqual(expected);
      // With the feeding rows found, the first repeats are the map's.
      expect(duplicateIds(list, 1000, rowsSharingAnId(list, sortedIds(list)))).toEqual(byMap(list, 1000));
    }), { numRuns: 500 });
    expect(rowsSharingAnId(["a", "a", "a", "b", "c", "c"], null)).toEqual([0, 1, 2, 4, 5]);
    // Ids nearly in order (the comparator's sort, which names no places): every neighbour is compared.
    const nearly = [...Array.from({ length: 2000 }, (_, i) => `id-${String(i).padStart(4, "0")}`), "id-0007", "id-1500"];
    expect(sortedIds(nearly)!.mayRepeatAt).toBeNull();
    expect(rowsSharingAnId(nearly, sortedIds(nearly))).toEqual([7, 1500, 2000, 2001]);
  });

  test("idOrder() sorts an ids array once: the read's sort is the run's", () => {
    const ids = ["c", "a", "b"];
    const order = idOrder(ids);
    expect(Array.from(order!)).toEqual([1, 2, 0]);
    expect(idOrder(ids)).toBe(order);
    expect(idOrder([...ids])).not.toBe(order);
  });
});

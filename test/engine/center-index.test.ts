/**
 * Large batches: past 1,024 centers a new center meets only the groups the bucket index
 * (center-buckets.ts) cannot rule out, and the best group comes off a heap (group-heap.ts).
 * Both must leave every result exactly as the textbook loop has it.
 */
import { describe, expect, test } from "bun:test";
import { typescriptBlas } from "../../ffi/typescript.ts";
import { bestGroup, initialGroups, largestDistance } from "../../src/engine/center-groups.ts";
import { EuclideanSpace, nearestSeeds } from "../../src/engine/euclidean.ts";
import { GradientSpace } from "../../src/engine/gradient-space.ts";
import { GroupHeap } from "../../src/engine/group-heap.ts";
import { kCenterGreedy, kCenterPlain } from "../../src/engine/kcenter.ts";
import { Rng } from "../../src/rng.ts";
import { backendsUnderTest } from "../ffi/backends.ts";
import { clusteredPoints, probabilityRows } from "../helpers.ts";
import { addRandomCenters, nearestCenterDistance } from "./random-centers.ts";

const openblas = (await backendsUnderTest()).find((b) => b.name === "openblas")!.blas;

describe("large batches", () => {
  test("kCenterGreedy() with 2,500 centers picks exactly what the textbook loop picks, with and without labelled rows", () => {
    const points = clusteredPoints(6000, 8, 30, 12);
    for (const blas of [typescriptBlas, openblas].filter((b) => b !== null)) {
      const space = new EuclideanSpace(points, blas);
      const options = { seeds: null, selectable: null, firstPick: 5, minDistance: 0 };
      const fast = kCenterGreedy(space, 2500, options);
      const plain = kCenterPlain(new EuclideanSpace(points), 2500, options);
      expect(Array.from(fast.picks)).toEqual(Array.from(plain.picks));
      expect(Array.from(fast.distances)).toEqual(Array.from(plain.distances));
      expect(fast.finalRadius).toBe(plain.finalRadius);
    }
    const labeled = clusteredPoints(40, 8, 30, 12);
    const seeds = nearestSeeds(points, labeled, typescriptBlas);
    const selectable = new Uint8Array(6000).fill(1);
    for (let i = 3; i < 6000; i += 11) selectable[i] = 0;
    const options = { seeds, selectable, firstPick: -1, minDistance: 0 };
    const fast = kCenterGreedy(new EuclideanSpace(points), 2000, options);
    const plain = kCenterPlain(new EuclideanSpace(points), 2000, options);
    expect(Array.from(fast.picks)).toEqual(Array.from(plain.picks));
  }, 60_000);

  test("after centers arrive in any order, every row's distance is its exact distance to the nearest center", () => {
    const points = clusteredPoints(5000, 6, 25, 4);
    const space = new EuclideanSpace(points);
    const state = initialGroups(5000, null, null);
    const { centers, taken } = addRandomCenters(state, space, 1800, 9);
    let largest = 0;
    for (let i = 0; i < 5000; i++) {
      if (taken[i]) continue;
      const nearest = nearestCenterDistance(space, centers, i);
      expect(state.distance[i]).toBe(nearest);
      largest = Math.max(largest, nearest);
    }
    expect(state.buckets).not.toBeNull();
    expect(largestDistance(state)).toBe(largest);
    // The best group holds the farthest row, ties to the lowest row.
    let far = -1;
    for (let i = 0; i < 5000; i++) if (!taken[i] && (far === -1 || state.distance[i]! > state.distance[far]!)) far = i;
    expect(bestGroup(state)!.best).toBe(far);
  }, 60_000);

  test("in BADGE's gradient space too, every row's distance after 1,500 centers is its exact distance to the nearest one", () => {
    const n = 3000;
    const points = clusteredPoints(n, 6, 20, 8);
    const probs = probabilityRows(n, 4, 3);
    const space = new GradientSpace(probs, 4, points);
    const state = initialGroups(n, null, null);
    const { centers, taken } = addRandomCenters(state, space, 1500, 1, space.tolerance);
    expect(state.buckets).not.toBeNull();
    for (let i = 0; i < n; i++) {
      if (!taken[i]) expect(state.distance[i]).toBe(nearestCenterDistance(space, centers, i));
    }
  }, 60_000);

  test("kCenterGreedy() with a priority (hybrid) past 1,024 picks what a brute-force loop picks", () => {
    const n = 3000;
    const points = clusteredPoints(n, 5, 20, 6);
    const space = new EuclideanSpace(points);
    const rng = new Rng(2);
    const score = Float64Array.from({ length: n }, () => 0.2 + rng.nextFloat());
    const priority = (row: number, d: number) => (d === Infinity ? score[row]! : score[row]! * d);
    const fast = kCenterGreedy(space, 1400, { seeds: null, selectable: null, firstPick: -1, minDistance: 0, priority });
    // Brute force: every row re-scored every pick, ties to the lowest row.
    const distance = new Float64Array(n).fill(Infinity);
    const picked = new Uint8Array(n);
    const expected: number[] = [];
    for (let k = 0; k < 1400; k++) {
      let best = -1, bestPriority = -Infinity;
      for (let i = 0; i < n; i++) {
        if (picked[i]) continue;
        const p = priority(i, distance[i]!);
        if (p > bestPriority) { bestPriority = p; best = i; }
      }
      expected.push(best);
      picked[best] = 1;
      for (let i = 0; i < n; i++) if (!picked[i]) distance[i] = Math.min(distance[i]!, space.distance(best, i));
    }
    expect(Array.from(fast.picks)).toEqual(expected);
  }, 60_000);

  test("GroupHeap returns the largest key, ties to the lower tie value, skipping stale entries", () => {
    const heap = new GroupHeap();
    const version = new Uint32Array(600);
    const key = new Float64Array(600);
    const rng = new Rng(4);
    for (let round = 0; round < 5000; round++) {
      const g = rng.nextInt(600);
      version[g]!++;
      key[g] = rng.nextInt(50); // many equal keys: ties decide
      heap.push(g, version[g]!, key[g]!, g);
      if (round % 97 === 0) {
        let best = -1;
        for (let i = 0; i < 600; i++) if (version[i]! > 0 && (best === -1 || key[i]! > key[best]!)) best = i;
        expect(heap.top((group, v) => version[group] === v)).toBe(best);
      }
    }
  });
});

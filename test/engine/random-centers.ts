/**
 * Centers that arrive in a random order (not the greedy one), and the brute-force distance each
 * row must then hold: the check the center index and the cells share.
 */
import { addCenter, type CenterGroups } from "../../src/engine/center-groups.ts";
import type { MetricSpace } from "../../src/engine/metric-space.ts";
import { Rng } from "../../src/rng.ts";

/** Adds `count` distinct random rows as centers; returns them in arrival order and a taken mask. */
export function addRandomCenters(state: CenterGroups, space: MetricSpace, count: number, seed: number, tolerance = 0): { centers: number[]; taken: Uint8Array } {
  const n = space.size, rng = new Rng(seed);
  const centers: number[] = [];
  const taken = new Uint8Array(n);
  while (centers.length < count) {
    const c = rng.nextInt(n);
    if (taken[c]) continue;
    taken[c] = 1;
    centers.push(c);
    addCenter(state, c, space, null, tolerance);
  }
  return { centers, taken };
}

/** Row i's distance to its nearest center, measured against every center. */
export function nearestCenterDistance(space: MetricSpace, centers: number[], i: number): number {
  let nearest = Infinity;
  for (const c of centers) nearest = Math.min(nearest, space.distance(c, i));
  return nearest;
}

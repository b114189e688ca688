/**
 * GBDT leaf space: two rows are as far apart as the share of trees that put them in different
 * leaves (a normalised Hamming distance, so a metric, and k-center's pruning holds). Rows that
 * share leaves in every tree are the same to the model, whatever their raw features say.
 */
import type { MetricSpace, SeedState } from "./metric-space.ts";

export class LeafSpace implements MetricSpace {
  readonly size: number;

  constructor(readonly leaves: Int32Array, readonly trees: number) {
    this.size = leaves.length / trees;
  }

  distance(a: number, b: number): number {
    return differing(this.leaves, a * this.trees, this.leaves, b * this.trees, this.trees) / this.trees;
  }
}

function differing(x: Int32Array, xo: number, y: Int32Array, yo: number, trees: number): number {
  let count = 0;
  for (let t = 0; t < trees; t++) if (x[xo + t] !== y[yo + t]) count++;
  return count;
}

/** Nearest labelled row (by leaves) of every pool row; plain loops, integer compares are cheap. */
export function nearestLeafSeeds(space: LeafSpace, seedLeaves: Int32Array): SeedState {
  const { leaves, trees, size } = space;
  const count = seedLeaves.length / trees;
  const nearestDistance = new Float64Array(size).fill(Infinity);
  const nearestSeed = new Int32Array(size).fill(-1);
  for (let i = 0; i < size; i++) {
    let best = trees + 1, bestSeed = -1;
    for (let s = 0; s < count && best > 0; s++) {
      const d = differing(leaves, i * trees, seedLeaves, s * trees, trees);
      if (d < best) { best = d; bestSeed = s; }
    }
    nearestDistance[i] = best / trees;
    nearestSeed[i] = bestSeed;
  }
  return {
    count, nearestDistance, nearestSeed,
    seedDistance: (point, seed) => differing(leaves, point * trees, seedLeaves, seed * trees, trees) / trees,
  };
}

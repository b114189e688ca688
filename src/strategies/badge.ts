/**
 * BADGE (Ash et al., "Deep Batch Active Learning by Diverse, Uncertain Gradient Lower Bounds",
 * ICLR 2020): k-means++ seeding over gradient embeddings g = (p - onehot(argmax p)) ⊗ x, so
 * the batch is both uncertain (large gradients) and diverse (spread-out gradients).
 *
 * As in the authors' code, the first center is the row with the largest gradient norm (ties:
 * lowest row); the rest are drawn ∝ squared distance. Departures: the embeddings are never
 * built (gradient-space.ts), distance updates are pruned (center-groups.ts), and a row that
 * sits on a chosen center is never drawn again.
 */
import { GradientSpace } from "../engine/gradient-space.ts";
import { kMeansPlusPlus } from "../engine/kmeanspp.ts";
import type { Pool } from "../pool.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

export function badge(pool: Pool, options: StrategyOptions): Selection {
  const space = new GradientSpace(pool.probs, pool.classes, pool.vectors!);
  let first = -1;
  for (let i = 0; i < pool.size; i++) {
    if (options.selectable[i] && (first === -1 || space.squaredNorms[i]! > space.squaredNorms[first]!)) first = i;
  }
  if (first === -1) return { rows: new Uint32Array(0), scores: new Float64Array(0), scoreMeaning: "", details: {}, warnings: [] };
  const result = kMeansPlusPlus(space, options.batchSize, {
    firstPick: first,
    rng: options.rng,
    selectable: options.selectable,
    tolerance: space.tolerance,
    onProgress: options.onProgress,
  });
  const scores = Float64Array.from(result.distances);
  scores[0] = Math.sqrt(space.squaredNorms[first]!);
  return {
    rows: result.picks,
    scores,
    scoreMeaning: "gradient-embedding distance to the nearest row chosen before it (the first row: its gradient norm)",
    details: { distanceEvaluations: result.evaluations, plainEvaluations: result.picks.length * pool.size },
    warnings: [],
  };
}

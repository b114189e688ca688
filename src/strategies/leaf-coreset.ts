/**
 * Active learning by diversity in a GBDT's own view of the data: greedy k-center (Sener &
 * Savarese, ICLR 2018) where the distance between two rows is the share of trees that send
 * them to different leaves. leaf_* columns hold the leaf index per tree (XGBoost
 * pred_leaf=True, LightGBM pred_leaf=True). Labelled rows with leaf_* columns start as centers.
 *
 * MIN_DISTANCE is in the same unit (share of trees, 0–1).
 *
 * Without labelled rows, the first center is the selectable row whose leaves are the most
 * common ones (the highest sum of leaf frequencies; ties: lowest row), a typical row.
 */
import { kCenterGreedy } from "../engine/kcenter.ts";
import { LeafSpace, nearestLeafSeeds } from "../engine/leaf-space.ts";
import type { Pool } from "../pool/pool.ts";
import { labelledMask, minDistanceWarning, quotaOption } from "./shared.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

export function leafCoreset(pool: Pool, options: StrategyOptions): Selection {
  const { data, trees } = pool.leaves!;
  const space = new LeafSpace(data, trees);
  const labelled = labelledMask(options);
  const seedLeaves = seedsOf(data, trees, options.labeled?.leaves ?? null, labelled);
  const seeds = seedLeaves.length > 0 ? nearestLeafSeeds(space, seedLeaves) : null;
  const quotas = quotaOption(options, options.batchSize, (row) => options.selectable[row] === 1);
  const result = kCenterGreedy(space, options.batchSize, {
    seeds,
    selectable: options.selectable,
    firstPick: seeds ? -1 : mostTypical(data, trees, options.selectable),
    minDistance: options.minDistance,
    onProgress: options.onProgress,
    quotas,
  });
  const warnings = result.stoppedAt === null ? [] : [minDistanceWarning(options.minDistance, result.picks.length)];
  return {
    rows: result.picks,
    scores: result.distances,
    scoreMeaning: "share of trees whose leaf differs from the nearest row chosen before it (labelled rows included)",
    details: { trees, seedCenters: seedLeaves.length / trees, distanceEvaluations: result.evaluations },
    warnings,
    quotas: quotas?.quotas ?? null,
    coverage: result.coverage,
    coveringRadius: result.finalRadius,
  };
}

/** The labelled rows' leaves, then the pool rows counted as labelled. */
function seedsOf(leaves: Int32Array, trees: number, labeled: Int32Array | null, labelledInPool: Uint8Array): Int32Array {
  const parts: Int32Array[] = labeled ? [labeled] : [];
  for (let i = 0; i < labelledInPool.length; i++) if (labelledInPool[i]) parts.push(leaves.subarray(i * trees, (i + 1) * trees));
  const out = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * The selectable row with the most common leaves among the selectable rows. Called only when no
 * row counts as labelled (no seeds), so the rows left out only shape the pool and play no part.
 */
function mostTypical(leaves: Int32Array, trees: number, selectable: Uint8Array): number {
  const rows = leaves.length / trees;
  const counts = Array.from({ length: trees }, () => new Map<number, number>());
  for (let r = 0; r < rows; r++) {
    if (!selectable[r]) continue;
    for (let t = 0; t < trees; t++) {
      const leaf = leaves[r * trees + t]!;
      counts[t]!.set(leaf, (counts[t]!.get(leaf) ?? 0) + 1);
    }
  }
  let best = -1, bestScore = -1;
  for (let r = 0; r < rows; r++) {
    if (!selectable[r]) continue;
    let score = 0;
    for (let t = 0; t < trees; t++) score += counts[t]!.get(leaves[r * trees + t]!)!;
    if (score > bestScore) { bestScore = score; best = r; }
  }
  return best;
}

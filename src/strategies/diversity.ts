/**
 * Active learning by diversity: the core-set approach of Sener & Savarese (ICLR 2018), greedy
 * k-center over the vectors, with the labelled rows (labeled_data) as the starting centers.
 *
 * Without labelled rows the first center is the selectable row nearest the pool mean (ties:
 * lowest row): deterministic, and a typical row rather than an outlier. The paper starts
 * from the labelled set and does not need such a choice.
 *
 * METRIC=cosine runs on L2-normalised rows; scores are then cosine distances (1 - cos).
 * CLASS_BALANCE: a class whose quota is full leaves the loop. MIN_DISTANCE: the loop stops
 * when no candidate is that far from the chosen rows.
 */
import { kCenterGreedy } from "../engine/kcenter.ts";
import type { Pool } from "../pool/pool.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";
import { prepareVectorSpace } from "./vector-space.ts";
import { minDistanceWarning, quotaOption } from "./shared.ts";

export function diversity(pool: Pool, options: StrategyOptions): Selection {
  const vs = prepareVectorSpace(pool, options);
  const quotas = quotaOption(options, options.batchSize, (row) => options.selectable[row] === 1);
  const result = kCenterGreedy(vs.space, options.batchSize, {
    seeds: vs.seeds,
    selectable: vs.candidates,
    firstPick: vs.nearestToMean,
    minDistance: vs.toSpace(options.minDistance),
    onProgress: options.onProgress,
    tieKey: vs.order,
    quotas: quotas ? { classOf: vs.byPosition(quotas.classOf), quotas: quotas.quotas } : null,
  });
  return {
    rows: vs.rows(result.picks),
    scores: result.distances.map(vs.fromSpace),
    scoreMeaning: `${options.metric} distance to the nearest row chosen before it (labelled rows included)`,
    details: {
      seedCenters: vs.seedCount,
      distanceEvaluations: result.evaluations,
      rowsScreenedByProjection: result.screened,
      ...vs.space.projected?.details(),
      plainGreedyEvaluations: result.picks.length * pool.size,
      localityOrder: vs.order !== null,
      stoppedEarlyAt: result.stoppedAt === null ? null : vs.fromSpace(result.stoppedAt),
    },
    warnings: result.stoppedAt === null ? [] : [minDistanceWarning(options.minDistance, result.picks.length)],
    quotas: quotas?.quotas ?? null,
    coverage: { sizes: result.coverage.sizes, radii: result.coverage.radii.map(vs.fromSpace) },
    coveringRadius: vs.fromSpace(result.finalRadius),
  };
}

/**
 * TypiClust (Hacohen, Dekel & Weinshall, "Active Learning on a Budget: Opposite Strategies
 * Suit High and Low Budgets", ICML 2022): for the first rounds, when there are few or no
 * labels, pick *typical* rows, one per region of the data.
 *
 *   1. k-means into (BATCH_SIZE + labelled) clusters over the vectors, seeded by k-means++
 *      (engine/kmeans.ts). Labelled rows (the labeled_data channel, and pool rows counted as
 *      labelled: by default those that may not be selected) are assigned to their nearest
 *      centroid. Rows that only shape the pool (neither selectable nor labelled: simulate's
 *      unlabelled rows) count in the k-means and in their cluster's size, as unlabelled rows.
 *   2. Clusters in order: fewest labelled rows first (uncovered clusters before covered ones),
 *      then the largest first, then the lower cluster number.
 *   3. From each cluster in that order, the most typical selectable row: the highest
 *      1 / (mean distance to its K = min(20, ⌊m/2⌋) nearest neighbours among the cluster's m
 *      unlabelled rows, selectable or shaping the pool) (engine/typicality.ts). Ties go to
 *      the row first by id.
 *   4. When the batch is larger than the clusters that have rows left, go round again; a
 *      cluster's typicality is then measured again without the rows already taken.
 *
 * As in the authors' code, clusters with at most 5 rows (likely outliers) come after every
 * larger cluster, and K is halved for small clusters. Departures: k-means is fitted on a
 * uniform sample of at most max(100,000, 64 per cluster) rows, then every row is assigned
 * (the authors use scikit-learn's KMeans / MiniBatchKMeans); their cap of 500 clusters is not
 * applied. METRIC=cosine clusters and measures L2-normalised rows. Scores are the typicality.
 *
 * Nothing N×N is allocated: typicality is measured inside one cluster at a time, in blocks.
 */
import { fitKMeans, assignRows, nearestCentroids } from "../engine/kmeans.ts";
import { inMetric } from "./vector-space.ts";
import { typicality } from "../engine/typicality.ts";
import type { Pool } from "../pool/pool.ts";
import { labelledMask } from "./shared.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";

/** Neighbours typicality is measured over (the paper's K). */
export const TYPICALITY_NEIGHBOURS = 20;
/** Clusters with at most this many rows are taken only after every larger one (the authors' MIN_CLUSTER_SIZE). */
const SMALL_CLUSTER = 5;
const KMEANS_SAMPLE_FLOOR = 100_000;
const KMEANS_SAMPLE_PER_CLUSTER = 64;
const KMEANS_ITERATIONS = 20;

export function typiclust(pool: Pool, options: StrategyOptions): Selection {
  const { points, labeled } = inMetric(pool.vectors!, options);
  const n = pool.size;
  const labelledInPool = labelledMask(options);
  const labeledCount = (labeled?.rows ?? 0) + labelledInPool.reduce((c, s) => c + s, 0);
  const k = Math.max(1, Math.min(n, options.batchSize + labeledCount));

  const sampleSize = Math.min(n, Math.max(KMEANS_SAMPLE_FLOOR, KMEANS_SAMPLE_PER_CLUSTER * k));
  const fit = fitKMeans(points, k, {
    blas: options.blas, rng: options.rng, maxIterations: KMEANS_ITERATIONS,
    sampleSize,
    // k-means++ seeding over the whole sample, not a prefix: the seeding's spread is what
    // TypiClust's gain rests on (on Fashion-MNIST, seeding on 4 rows per cluster cost 2 points at 50 labels).
    seedingSize: sampleSize,
  });
  const cluster = assignRows(points, Uint32Array.from({ length: n }, (_, i) => i), fit.centroids, options.blas);
  const { members, shaping, sizes, covered } = clusterRows(cluster, k, options.selectable, labelledInPool, labeled ? nearestCentroids(labeled, fit.centroids, options.blas) : null);
  const order = clusterOrder(sizes, covered, members);

  const rows: number[] = [];
  const scores: number[] = [];
  const taken = new Uint8Array(n);
  let rounds = 0;
  while (rows.length < options.batchSize) {
    let pickedThisRound = 0;
    for (const c of order) {
      if (rows.length === options.batchSize) break;
      const left = members[c]!.filter((r) => !taken[r]);
      if (left.length === 0) continue;
      // Measured among the cluster's unlabelled rows; only the first left.length may be picked.
      const unlabelled = shaping[c]!.length === 0 ? left : concat(left, shaping[c]!);
      const neighbours = Math.min(TYPICALITY_NEIGHBOURS, Math.floor(unlabelled.length / 2));
      const typical = typicality(points, unlabelled, neighbours, options.blas);
      let best = 0;
      for (let i = 1; i < left.length; i++) {
        const d = typical[i]! - typical[best]!;
        if (d > 0 || (d === 0 && options.tieBreak(left[i]!, left[best]!) < 0)) best = i;
      }
      rows.push(left[best]!);
      scores.push(typical[best]!);
      taken[left[best]!] = 1;
      pickedThisRound++;
      options.onProgress?.(rows.length, options.batchSize);
    }
    rounds++;
    if (pickedThisRound === 0) break;
  }
  const uncovered = order.filter((c) => covered[c] === 0 && sizes[c]! > 0).length;
  return {
    rows: Uint32Array.from(rows),
    scores: Float64Array.from(scores, (s) => (Number.isFinite(s) ? s : Number.MAX_VALUE)),
    scoreMeaning: `typicality: 1 / mean ${options.metric === "cosine" ? "euclidean distance between L2-normalised vectors" : "euclidean distance"} to the row's K=min(${TYPICALITY_NEIGHBOURS}, half its cluster) nearest neighbours in its k-means cluster`,
    details: {
      clusters: k,
      uncoveredClusters: uncovered,
      labelledRowsCounted: labeledCount,
      rounds,
      kmeansSampleRows: fit.sampleRows,
      kmeansIterations: fit.iterations,
      kmeansConverged: fit.converged,
    },
    warnings: [],
  };
}

/**
 * Per cluster: its selectable rows and the rows that only shape the pool (ascending row
 * order), its size (pool rows plus labelled rows) and how many labelled rows it holds.
 */
function clusterRows(cluster: Int32Array, k: number, selectable: Uint8Array, labelledInPool: Uint8Array, labeledCluster: Int32Array | null) {
  const sizes = new Uint32Array(k);
  const covered = new Uint32Array(k);
  const lists: number[][] = Array.from({ length: k }, () => []);
  const shaping: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < cluster.length; i++) {
    const c = cluster[i]!;
    sizes[c]!++;
    if (selectable[i]) lists[c]!.push(i);
    else if (labelledInPool[i]) covered[c]!++;
    else shaping[c]!.push(i);
  }
  if (labeledCluster) for (const c of labeledCluster) { sizes[c]!++; covered[c]!++; }
  return { members: lists.map((l) => Uint32Array.from(l)), shaping: shaping.map((l) => Uint32Array.from(l)), sizes, covered };
}

function concat(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Clusters of more than SMALL_CLUSTER rows first, then fewest labelled rows, then the largest, then the lower number. */
function clusterOrder(sizes: Uint32Array, covered: Uint32Array, members: Uint32Array[]): number[] {
  const ids = Array.from({ length: sizes.length }, (_, c) => c).filter((c) => members[c]!.length > 0);
  const small = (c: number) => (sizes[c]! <= SMALL_CLUSTER ? 1 : 0);
  return ids.sort((a, b) => small(a) - small(b) || covered[a]! - covered[b]! || sizes[b]! - sizes[a]! || a - b);
}


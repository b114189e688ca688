/**
 * Cluster-Margin (Citovsky et al., "Batch Active Learning at Scale", NeurIPS 2021): uncertain
 * rows, spread over clusters of the pool.
 *
 *   1. Cluster the pool once.
 *   2. Candidates: the CLUSTER_MARGIN_CANDIDATES selectable rows with the smallest margin
 *      p1 - p2 (the paper's k_m; default 10 × BATCH_SIZE), by a heap, no full sort.
 *   3. Group candidates by cluster; order clusters by candidate count, smallest first (ties:
 *      lower cluster id); take one row per cluster per round, round-robin, until the batch is
 *      full. Within a cluster the order is random (seeded), as in the paper.
 * The output rank is that round-robin order; selection_score is the row's margin uncertainty
 * 1 - (p1 - p2), so scores need not fall with rank. UNCERTAINTY_MODE does not apply: the
 * method is defined on the margin.
 *
 * Departure from the paper, and why: the paper clusters with average-linkage HAC, O(N²) time
 * and memory, impossible at millions of rows. Here the clusters are k-means (engine/kmeans.ts)
 * fitted on a uniform sample of 32 rows per cluster: k-means++ seeding on 4 rows per cluster,
 * then at most 5 Lloyd passes, so fitting costs ~5·32·k²·dim multiply-adds whatever N is. Only
 * the candidates are then assigned to their nearest centroid (M·k·dim): the other rows'
 * clusters would not change any choice, since the selection reads only the candidates'. On
 * the 1M × 128 bench mixture with k = 1,000, held-out rows' mean squared distance to their
 * centroid came within 1.0% of what 80 rows per cluster, full-sample seeding and 10 passes
 * reach (147.1 against 145.6), in a quarter of the time (1.9 s against 8.4 s); 10 passes
 * instead of 5, or seeding on 32 rows per cluster, moved it by under 0.1%. Beyond cost, k-means
 * makes compact, similar-sized clusters where HAC follows the data's own shapes and leaves
 * outliers in small clusters of their own, and HAC's cut is a distance threshold where here
 * the number of clusters is given.
 *
 * CLUSTER_MARGIN_CLUSTERS default (0): min(BATCH_SIZE, ⌈√N⌉) for N pool rows. About one
 * cluster per batch row lets one round of the round-robin fill the batch from distinct
 * clusters, which is the diversity the method is after. The √N cap bounds the cost: fitting
 * grows with clusters², assigning with clusters × candidates. At 1M rows the cap is 1,000
 * clusters, which fit in about 2 s with OpenBLAS however large the batch; with a batch far
 * above √N each cluster gives several rows, and the round-robin still spreads them evenly.
 *
 * The clustering covers every pool row, selectable or not: the paper clusters once and reuses
 * the clusters while the labelled set grows, so they should not depend on what is labelled.
 * Distances are euclidean (METRIC does not apply). The same input and seed give the same
 * selection on every BLAS backend: see engine/kmeans.ts.
 */
import { assignRows, fitKMeans } from "../engine/kmeans.ts";
import { topK } from "../engine/topk.ts";
import { uncertaintyScores } from "../engine/uncertainty.ts";
import type { Pool } from "../pool/pool.ts";
import type { Rng } from "../rng.ts";
import type { Matrix } from "../matrix.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";
import { keepInOrder } from "./keep-in-order.ts";
import { rankWithQuotas } from "./shared.ts";

/** Sample rows per cluster that k-means is fitted on. */
const SAMPLE_PER_CLUSTER = 32;
/** Candidates per batch row when CLUSTER_MARGIN_CANDIDATES is 0. */
export const CANDIDATES_PER_BATCH_ROW = 10;

/** The default number of clusters for a pool of `rows` rows and a batch of `batch` (see the header). */
export function defaultClusters(rows: number, batch: number): number {
  return Math.max(1, Math.min(batch, Math.ceil(Math.sqrt(rows))));
}

export function clusterMargin(pool: Pool, options: StrategyOptions): Selection {
  const batch = options.batchSize;
  const warnings: string[] = [];
  const seconds: Record<string, number> = {};
  const lap = (phase: string, since: number) => { seconds[phase] = round3((performance.now() - since) / 1000); return performance.now(); };
  const scoreMeaning = "margin uncertainty 1 - (p1 - p2); rows are ranked by the round-robin over clusters, not by this score";

  let since = performance.now();
  const margins = uncertaintyScores(pool.probs, pool.classes, "margin");
  const wanted = options.clusterMarginCandidates || CANDIDATES_PER_BATCH_ROW * batch;
  // Ascending rows: a canonical order for grouping, and reads that move forward through memory.
  // A merge's pool also holds the hosts' samples of their shards (weight 0): the clusters are
  // fitted on them, as one process fits them on a sample of the pool, and they are never chosen.
  const weights = options.rowWeights;
  const isSample = (r: number) => weights !== null && weights[r] === 0;
  const candidates = topK(margins, batch > 0 ? wanted : 0, (r) => options.selectable[r] === 1 && !isSample(r), options.tieBreak).sort();
  since = lap("candidates", since);
  if (wanted < batch) {
    warnings.push(`CLUSTER_MARGIN_CANDIDATES=${wanted} is smaller than BATCH_SIZE=${batch}: the batch is drawn from the candidates, so only ${candidates.length} rows were selected. Raise CLUSTER_MARGIN_CANDIDATES or leave it at 0 (10 × BATCH_SIZE).`);
  }
  if (options.metric === "cosine") warnings.push("METRIC=cosine does not apply to cluster_margin; it clusters by euclidean distance.");
  if (candidates.length === 0) {
    return { rows: new Uint32Array(0), scores: new Float64Array(0), scoreMeaning, details: { candidates: 0 }, warnings };
  }

  // A merge's candidates stand for the hosts' pool: as many clusters as one process would fit.
  const requested = options.clusterMarginClusters || defaultClusters(options.poolRows ?? pool.size, batch);
  const clusters = Math.min(requested, pool.size);
  if (requested > pool.size) warnings.push(`CLUSTER_MARGIN_CLUSTERS=${requested} is more than the ${pool.size} pool rows; using ${pool.size} clusters.`);
  const points = pool.vectors!;
  const sampleRows = weights ? Uint32Array.from({ length: pool.size }, (_, r) => r).filter(isSample) : null;
  const fitOn = sampleRows && sampleRows.length >= clusters ? rowsOf(points, sampleRows) : points;
  const fit = fitKMeans(fitOn, clusters, { blas: options.blas, rng: options.rng, sampleSize: SAMPLE_PER_CLUSTER * clusters });
  since = performance.now();
  const clusterOf = assignRows(points, candidates, fit.centroids, options.blas);
  since = lap("assignCandidates", since);

  // With class quotas or MIN_DISTANCE, walk the whole round-robin order and keep the rows that
  // fit; without, the first `batch` of it.
  const constrained = options.balance !== null || options.minDistance > 0;
  const picked = roundRobin(candidates, clusterOf, clusters, constrained ? candidates.length : Math.min(batch, candidates.length), options.rng);
  lap("roundRobin", since);
  const kept = constrained ? keepInOrder(pool, options, picked.rows, options.selectable) : { rows: picked.rows, quotas: null, warnings: [] };
  warnings.push(...kept.warnings);

  const rows = kept.rows;
  return {
    rows,
    scores: Float64Array.from(rows, (r) => margins[r]!),
    scoreMeaning,
    details: {
      clusters,
      candidates: candidates.length,
      clustersWithCandidates: picked.clustersWithCandidates,
      clustersUsed: Math.min(picked.clustersWithCandidates, rows.length),
      rounds: picked.rounds,
      sampleRows: fit.sampleRows,
      lloydIterations: fit.iterations,
      lloydConverged: fit.converged,
      seconds: {
        candidates: seconds.candidates, sample: round3(fit.seconds.sample), seeding: round3(fit.seconds.seeding),
        lloyd: round3(fit.seconds.lloyd), assignCandidates: seconds.assignCandidates, roundRobin: seconds.roundRobin,
      },
    },
    warnings,
    quotas: kept.quotas,
  };
}

/**
 * A multi-host map step's candidates: the BATCH_SIZE lowest-margin selectable rows (the run
 * passes the candidate budget as the batch; per class with CLASS_BALANCE), ties by id. The
 * union over hosts then holds the global candidates, and the merge clusters them.
 */
export function marginCandidates(pool: Pool, options: StrategyOptions): Selection {
  const margins = uncertaintyScores(pool.probs, pool.classes, "margin");
  const { rows, quotas } = rankWithQuotas(margins, options.batchSize, (r) => options.selectable[r] === 1, options);
  // And a uniform sample of the shard's other rows for the merge's k-means (weight 0: fitted
  // on, never chosen): 32 rows per cluster for up to ⌈√shard rows⌉ clusters, which over the
  // hosts is at least what one process samples for ⌈√pool rows⌉.
  const chosen = new Uint8Array(pool.size);
  for (const r of rows) chosen[r] = 1;
  const others = Uint32Array.from({ length: pool.size }, (_, r) => r).filter((r) => !chosen[r]);
  const sample = drawFrom(others, Math.min(others.length, SAMPLE_PER_CLUSTER * Math.ceil(Math.sqrt(pool.size))), options.rng).sort();
  const all = new Uint32Array(rows.length + sample.length);
  all.set(rows); all.set(sample, rows.length);
  return {
    rows: all, scores: Float64Array.from(all, (r) => margins[r]!), quotas, details: { fitSampleRows: sample.length }, warnings: [],
    scoreMeaning: "margin uncertainty 1 - (p1 - p2); candidates for the merge's round-robin, then a sample of the shard for its k-means",
    coverage: { sizes: Uint32Array.from(all, (_, i) => (i < rows.length ? 1 : 0)), radii: new Float64Array(all.length) },
  };
}

/** `count` of `rows` drawn uniformly without replacement (partial Fisher–Yates on a copy). */
function drawFrom(rows: Uint32Array, count: number, rng: Rng): Uint32Array {
  const a = rows.slice();
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(a.length - i);
    const t = a[i]!; a[i] = a[j]!; a[j] = t;
  }
  return a.slice(0, count);
}

/** The given rows of `points` as a matrix of their own. */
function rowsOf(points: Matrix, rows: Uint32Array): Matrix {
  const dim = points.cols;
  const data = allocVectors(points.data instanceof Float64Array, rows.length * dim);
  rows.forEach((r, i) => data.set(points.data.subarray(r * dim, (r + 1) * dim), i * dim));
  return { data, rows: rows.length, cols: dim };
}

/**
 * `count` of the candidates (rows, ascending), cluster by cluster: clusters ordered by how many
 * candidates they hold, fewest first (ties: lower cluster id), one row from each per round.
 * Each cluster's rows are taken in a seeded random order (Fisher–Yates, clusters by id).
 */
export function roundRobin(candidates: Uint32Array, clusterOf: Int32Array, clusters: number, count: number, rng: Rng):
  { rows: Uint32Array; rounds: number; clustersWithCandidates: number } {
  const counts = new Uint32Array(clusters);
  for (let i = 0; i < clusterOf.length; i++) counts[clusterOf[i]!]!++;
  // Counting sort into per-cluster runs, candidates' order kept within each.
  const starts = new Uint32Array(clusters + 1);
  for (let c = 0; c < clusters; c++) starts[c + 1] = starts[c]! + counts[c]!;
  const members = new Uint32Array(candidates.length);
  const fill = starts.slice(0, clusters);
  for (let i = 0; i < candidates.length; i++) members[fill[clusterOf[i]!]!++] = candidates[i]!;
  for (let c = 0; c < clusters; c++) shuffle(members, starts[c]!, starts[c + 1]!, rng);
  const order: number[] = [];
  for (let c = 0; c < clusters; c++) if (counts[c]! > 0) order.push(c);
  order.sort((a, b) => counts[a]! - counts[b]! || a - b);

  // In round r the clusters with rows left (more than r) are a suffix of `order`.
  const target = Math.min(count, candidates.length);
  const rows = new Uint32Array(target);
  let picked = 0, first = 0, rounds = 0;
  for (let round = 0; picked < target; round++) {
    while (counts[order[first]!]! <= round) first++;
    for (let i = first; i < order.length && picked < target; i++) rows[picked++] = members[starts[order[i]!]! + round]!;
    rounds++;
  }
  return { rows, rounds, clustersWithCandidates: order.length };
}

/** Fisher–Yates over a[from..to), drawing from rng. */
function shuffle(a: Uint32Array, from: number, to: number, rng: Rng): void {
  for (let i = to - 1; i > from; i--) {
    const j = from + rng.nextInt(i - from + 1);
    const t = a[i]!; a[i] = a[j]!; a[j] = t;
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

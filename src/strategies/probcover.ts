/**
 * ProbCover (Yehuda, Dekel, Hacohen & Weinshall, "Active Learning Through a Covering Lens",
 * NeurIPS 2022): for the first rounds, cover as much of the data as possible with δ-balls
 * around the chosen rows.
 *
 *   1. δ: unless PROBCOVER_DELTA gives it, chosen from cluster purity as in the paper. k-means
 *      groups the rows into PROBCOVER_CLUSTERS clusters (the paper: as many as there are
 *      classes; default here: the pool's classes when it has scores, else 10). A ball around
 *      x is pure when every row in it shares x's cluster, i.e. when δ is below x's distance to
 *      the nearest row of another cluster. Purity(δ) is the share of pure balls; δ is the
 *      largest radius with purity ≥ PROBCOVER_PURITY (the paper's α = 0.95): the (1 − α)
 *      quantile of that distance, measured on 1,000 rows drawn with the seed (all rows when
 *      fewer).
 *   2. The δ-ball graph over all rows (engine/ball-graph.ts: adjacency lists found through
 *      k-means cells, never an N×N matrix). Labelled rows (labeled_data, and pool rows counted
 *      as labelled: by default those that may not be selected) cover their balls before the
 *      first pick. Rows that only shape the pool (simulate's unlabelled rows) are rows to
 *      cover, as unlabelled rows are, and count in the purity radius; they are never picked.
 *   3. Greedy maximum coverage: pick the selectable row whose ball holds the most uncovered
 *      rows (ties: the row first by id), mark them covered, repeat. When everything is
 *      covered before the batch is full, the rest is drawn uniformly (seeded) from the
 *      remaining rows, as the authors' code does.
 * Scores: how many rows a pick newly covered (0 for the uniform fill). The metadata gives δ,
 * how it was chosen, the purity, the edges and the share of rows covered.
 *
 * Radius sensitivity: a δ too large merges classes into one ball (few, impure picks); too
 * small leaves every ball a single row (the greedy then picks at random). README gives the
 * Fashion-MNIST figures at 0.5×, 1× and 2× the purity radius.
 */
import { DataError } from "../errors.ts";
import { inMetric } from "./vector-space.ts";
import { assignRows, drawSample, fitKMeans } from "../engine/kmeans.ts";
import { ballGraph, kMeansCells, MAX_EDGES, nearestOtherLabel, type Cells } from "../engine/ball-graph.ts";
import type { Matrix } from "../matrix.ts";
import type { Pool } from "../pool/pool.ts";
import type { Rng } from "../rng.ts";
import { labelledMask } from "./shared.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";
import type { Blas } from "../../ffi/blas.ts";
import { rowSquaredDistance } from "../engine/euclidean.ts";

const PURITY_SAMPLE = 1_000;
const DEFAULT_CLUSTERS_WITHOUT_SCORES = 10;

export function probcover(pool: Pool, options: StrategyOptions): Selection {
  const cosine = options.metric === "cosine";
  const { points, labeled } = inMetric(pool.vectors!, options);
  const n = pool.size;
  const selectableCount = options.selectable.reduce((c, v) => c + v, 0);
  if (options.batchSize >= selectableCount) {
    // The batch is every selectable row: no radius or graph can change that.
    const all: number[] = [];
    for (let i = 0; i < n; i++) if (options.selectable[i]) all.push(i);
    all.sort(options.tieBreak);
    return { rows: Uint32Array.from(all), scores: new Float64Array(all.length), scoreMeaning: "every selectable row (the batch is at least as large as the pool's selectable rows)",
      details: { everyRowSelected: true }, warnings: [] };
  }
  const cells = kMeansCells(points, Math.ceil(Math.sqrt(n)), options.blas, options.rng);

  // The pool's classes when it names two or more (a lone confidence column names none).
  const clusters = options.probcoverClusters || (pool.plan.classesRecorded && pool.classes > 1 ? pool.classes : DEFAULT_CLUSTERS_WITHOUT_SCORES);
  const purityTarget = options.probcoverPurity ?? 0.95;
  // δ lives in the space's euclidean units (cosine: between L2-normalised rows, where a cosine
  // distance t is a euclidean distance √(2t)); PROBCOVER_DELTA and the metadata use METRIC's.
  const chosen = options.probcoverDelta
    ? { delta: cosine ? Math.sqrt(2 * options.probcoverDelta) : options.probcoverDelta, purity: null as number | null, how: "PROBCOVER_DELTA" }
    : purityRadius(points, Math.min(clusters, n), purityTarget, cells, options.blas, options.rng);
  // Degenerate pools (rows repeated across clusters, or every row in one cluster) leave no
  // positive radius that keeps the purity: the balls then hold exact duplicates only (δ = 0).
  const degenerate = !(chosen.delta > 0 && Number.isFinite(chosen.delta));
  const delta = degenerate ? 0 : chosen.delta;
  const metricDelta = cosine ? (delta * delta) / 2 : delta;
  let graph;
  try {
    graph = ballGraph(points, delta, cells);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new DataError(`probcover: δ = ${metricDelta.toPrecision(4)} puts more than ${MAX_EDGES.toLocaleString("en-US")} rows-in-balls in the graph; a radius that large covers the pool with a few balls. Set PROBCOVER_DELTA lower (or PROBCOVER_PURITY higher).`);
  }

  // Coverage state: degree[i] = uncovered rows in i's ball.
  const covered = new Uint8Array(n);
  const degree = new Uint32Array(graph.count);
  const cover = (y: number) => {
    if (covered[y]) return;
    covered[y] = 1;
    for (let e = graph.start[y]!, end = e + graph.count[y]!; e < end; e++) degree[graph.targets[e]!]!--;
  };
  const coverBall = (x: number) => {
    let fresh = 0;
    for (let e = graph.start[x]!, end = e + graph.count[x]!; e < end; e++) if (!covered[graph.targets[e]!]) { cover(graph.targets[e]!); fresh++; }
    return fresh;
  };
  const labelledInPool = labelledMask(options);
  for (let i = 0; i < n; i++) if (labelledInPool[i]) coverBall(i);
  if (labeled) for (const y of rowsWithin(points, labeled, delta, cells)) cover(y);
  const coveredByLabels = covered.reduce((c, v) => c + v, 0);

  const taken = new Uint8Array(n);
  const rows: number[] = [];
  const scores: number[] = [];
  let fullAt: number | null = null;
  while (rows.length < options.batchSize) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (!options.selectable[i] || taken[i]) continue;
      if (best < 0 || degree[i]! > degree[best]! || (degree[i] === degree[best] && options.tieBreak(i, best) < 0)) best = i;
    }
    if (best < 0) break;
    if (degree[best] === 0) { fullAt = rows.length; break; }
    taken[best] = 1;
    rows.push(best);
    scores.push(coverBall(best));
    options.onProgress?.(rows.length, options.batchSize);
  }
  if (fullAt !== null) {
    // Everything is covered: the rest uniformly, in id order shuffled by the seed.
    const rest: number[] = [];
    for (let i = 0; i < n; i++) if (options.selectable[i] && !taken[i]) rest.push(i);
    rest.sort(options.tieBreak);
    for (let j = 0; j < rest.length && rows.length < options.batchSize; j++) {
      const pick = j + options.rng.nextInt(rest.length - j);
      [rest[j], rest[pick]] = [rest[pick]!, rest[j]!];
      rows.push(rest[j]!);
      scores.push(0);
    }
  }
  const coveredRows = covered.reduce((c, v) => c + v, 0);
  return {
    rows: Uint32Array.from(rows),
    scores: Float64Array.from(scores),
    scoreMeaning: `rows newly covered by the pick's δ-ball (δ = ${metricDelta.toPrecision(4)} ${cosine ? "cosine distance" : "euclidean"}); 0 for rows drawn at random after full coverage`,
    details: {
      delta: metricDelta,
      deltaChosenBy: chosen.how,
      purityAtDelta: chosen.purity,
      purityTarget: options.probcoverDelta ? null : purityTarget,
      purityClusters: options.probcoverDelta ? null : Math.min(clusters, n),
      ballEdges: graph.edges,
      meanBallSize: graph.edges / n,
      distanceEvaluations: graph.evaluations,
      coveredByLabelledRows: coveredByLabels,
      coveredShare: coveredRows / n,
      fullCoverageAfterPicks: fullAt,
    },
    warnings: [
      ...(degenerate ? [`probcover: no positive radius keeps ${(100 * purityTarget).toFixed(0)}% of the balls inside one cluster (rows repeated across clusters, or all rows in one cluster); δ = 0, so a ball holds a row's exact duplicates only. Set PROBCOVER_DELTA for a real radius.`] : []),
      ...(fullAt !== null ? [`probcover: the δ-balls covered every row after ${fullAt} picks; the other ${rows.length - fullAt} rows were drawn at random. A smaller PROBCOVER_DELTA spreads the batch further.`] : []),
    ],
  };
}

/**
 * δ from purity (see the file comment), in the space's euclidean units. The purity
 * reached is the share of sampled rows whose nearest other-cluster row lies beyond δ.
 */
function purityRadius(points: Matrix, clusters: number, target: number, cells: Cells, blas: Blas, rng: Rng) {
  const n = points.rows;
  const fit = fitKMeans(points, clusters, { blas, rng, sampleSize: Math.min(n, 50_000), seedingSize: Math.min(n, 50_000), maxIterations: 20 });
  const label = assignRows(points, Uint32Array.from({ length: n }, (_, i) => i), fit.centroids, blas);
  const sample = drawSample(n, Math.min(n, PURITY_SAMPLE), rng).sort();
  const distances = nearestOtherLabel(points, sample, label, cells);
  const { delta, purity } = purityDelta(distances, target);
  return { delta, purity, how: `purity: the largest δ with ≥ ${(100 * target).toFixed(0)}% of ${distances.length} sampled balls inside one of ${clusters} k-means clusters` };
}

/**
 * The largest radius δ with purity(δ) = share of rows whose nearest other-cluster row lies
 * beyond δ ≥ target, from those distances: at most ⌊(1 − target)·S⌋ of them may be ≤ δ. When
 * ties make no measured distance qualify, δ sits just below the smallest one (every ball pure).
 */
export function purityDelta(nearestOther: Float64Array, target: number): { delta: number; purity: number } {
  const sorted = Float64Array.from(nearestOther).sort();
  const s = sorted.length;
  if (s === 0 || sorted[0] === Infinity) return { delta: Infinity, purity: 1 };
  const allowed = Math.floor((1 - target) * s + 1e-9);
  let delta: number;
  if (allowed >= s) delta = sorted[s - 1]!;
  else {
    // The largest measured distance strictly below the first one that would break the target.
    const limit = sorted[allowed]!;
    let i = allowed - 1;
    while (i >= 0 && sorted[i]! >= limit) i--;
    delta = i >= 0 ? sorted[i]! : limit * (1 - 2 ** -40);
  }
  let pure = 0;
  for (const d of sorted) if (d > delta) pure++;
  return { delta, purity: pure / s };
}

/** Pool rows within δ of any labelled vector, found through the cells. */
function rowsWithin(points: Matrix, labeled: Matrix, delta: number, cells: Cells): number[] {
  const toCentroid = rowSquaredDistance(labeled, cells.centroids);
  const between = rowSquaredDistance(labeled, points);
  const out: number[] = [];
  const reach = delta * (1 + 1e-4);
  for (let q = 0; q < labeled.rows; q++) {
    for (let b = 0; b < cells.count; b++) {
      if (Math.sqrt(toCentroid(q, b)) - cells.radius[b]! > reach) continue;
      for (const y of cells.members[b]!) if (between(q, y) <= delta * delta) out.push(y);
    }
  }
  return out;
}

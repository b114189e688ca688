/**
 * The δ-ball graph ProbCover covers: row x points to every row y with ‖x − y‖ ≤ δ (itself
 * included), stored as adjacency lists, never as an N×N matrix.
 *
 * Rows are grouped into k-means cells (⌈√N⌉ of them). Two rows closer than δ sit in cells a, b
 * with ‖c_a − c_b‖ ≤ r_a + r_b + δ (r: the cell's largest member-to-centroid distance), so a
 * cell's rows are measured only against the rows of such cells; then, per row x and cell b,
 * only members y with |‖x − c_b‖ − ‖y − c_b‖| ≤ δ can be in the ball (the triangle
 * inequality), found by binary search in b's members sorted by their distance to c_b. Every
 * distance that decides an edge is the exact kernel's, so the graph is the same on every
 * backend; the cells only change how much is measured.
 *
 * No GEMM screen: on 32-dimensional Fashion-MNIST embeddings the cells rule out few cell pairs
 * (distances concentrate), so a GEMM over cell blocks came to most of N² products and ran
 * slower (67 s against 31 s, this machine, loaded) than the windows below, which measure
 * about an eighth of the pairs.
 */
import type { Blas } from "../../ffi/blas.ts";
import type { Matrix } from "../matrix.ts";
import type { Rng } from "../rng.ts";
import { manySquaredDistances, rowSquaredDistance } from "./euclidean.ts";
import { assignRows, fitKMeans } from "./kmeans.ts";

export interface BallGraph {
  /** Row i's neighbours are targets[start[i] .. start[i] + count[i]), in ascending row order. */
  start: Float64Array;
  count: Uint32Array;
  targets: Uint32Array;
  edges: number;
  /** Pairs measured exactly (for the metadata: how much the cells saved against N²). */
  evaluations: number;
}

/** Edges past this many are refused: the radius is too large for the pool to be covered by balls. */
export const MAX_EDGES = 400_000_000;

export interface Cells {
  of: Int32Array;
  count: number;
  centroids: Matrix;
  /** Per row: its distance to its cell's centroid. */
  toCentroid: Float64Array;
  /** Per cell: its members, sorted by distance to the centroid (ties by row). */
  members: Uint32Array[];
  radius: Float64Array;
}

/** k-means cells over every row, for pruning neighbour searches. */
export function kMeansCells(points: Matrix, cells: number, blas: Blas, rng: Rng): Cells {
  const n = points.rows;
  const k = Math.max(1, Math.min(n, cells));
  const fit = fitKMeans(points, k, { blas, rng, sampleSize: Math.min(n, Math.max(50_000, 32 * k)) });
  const all = Uint32Array.from({ length: n }, (_, i) => i);
  const of = assignRows(points, all, fit.centroids, blas);
  const toCentroidSquared = rowSquaredDistance(points, fit.centroids);
  const toCentroid = new Float64Array(n);
  const lists: number[][] = Array.from({ length: k }, () => []);
  const radius = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = of[i]!;
    toCentroid[i] = Math.sqrt(toCentroidSquared(i, c));
    lists[c]!.push(i);
    if (toCentroid[i]! > radius[c]!) radius[c] = toCentroid[i]!;
  }
  const members = lists.map((l) => Uint32Array.from(l.sort((a, b) => toCentroid[a]! - toCentroid[b]! || a - b)));
  return { of, count: k, centroids: fit.centroids, toCentroid, members, radius };
}

/** The δ-ball graph of every row (see the file comment). */
export function ballGraph(points: Matrix, delta: number, cells: Cells): BallGraph {
  const n = points.rows;
  const squared = delta * delta;
  // Pruning tests use distances with their own rounding: a margin keeps them from ruling out
  // a pair the exact kernel would accept (they only decide what is measured).
  const reach = delta * (1 + 1e-4) + 1e-30;
  const many = manySquaredDistances(points);
  const toCentroid = rowSquaredDistance(points, cells.centroids);
  const centroidDistance = rowSquaredDistance(cells.centroids, cells.centroids);
  const start = new Float64Array(n);
  const count = new Uint32Array(n);
  let targets = new Uint32Array(Math.max(1024, n * 4));
  let edges = 0, evaluations = 0;
  const candidates = new Uint32Array(n);
  const found: number[] = [];
  const reserve = (more: number) => {
    if (edges + more <= targets.length) return;
    if (edges + more > MAX_EDGES) throw new RangeError(`ballGraph: more than ${MAX_EDGES} edges`);
    const grown = new Uint32Array(Math.min(MAX_EDGES, Math.max(targets.length * 2, edges + more)));
    grown.set(targets.subarray(0, edges));
    targets = grown;
  };
  /** Cells that can hold a row within δ of a row of cell a. */
  const nearOf = (a: number) => {
    const near: number[] = [];
    for (let b = 0; b < cells.count; b++) {
      if (cells.members[b]!.length === 0) continue;
      if (Math.sqrt(centroidDistance(a, b)) <= (cells.radius[a]! + cells.radius[b]!) * (1 + 1e-4) + reach) near.push(b);
    }
    return near;
  };
  /** Row x's ball into `found`, ascending. */
  const ballOf = (x: number, near: number[]) => {
    let m = 0;
    for (const b of near) {
      const dx = b === cells.of[x] ? cells.toCentroid[x]! : Math.sqrt(toCentroid(x, b));
      if (dx - cells.radius[b]! * (1 + 1e-4) > reach) continue;
      const list = cells.members[b]!;
      // Members whose distance to c_b lies within δ of x's (sorted: a window).
      let lo = lowerBound(list, cells.toCentroid, dx * (1 - 1e-4) - reach);
      for (; lo < list.length && cells.toCentroid[list[lo]!]! * (1 - 1e-4) <= dx + reach; lo++) candidates[m++] = list[lo]!;
    }
    evaluations += m;
    found.length = 0;
    const d = many(x, candidates, m);
    for (let j = 0; j < m; j++) if (d[j]! <= squared) found.push(candidates[j]!);
    found.sort((p, q) => p - q);
  };
  // A radius whose balls would hold too many rows is refused from a sample of 256 evenly
  // spaced rows, before the graph is built (building it would take as long as N² pairs).
  const probes = Math.min(n, 256);
  let probed = 0;
  for (let i = 0; i < probes; i++) {
    const x = Math.floor((i * n) / probes);
    ballOf(x, nearOf(cells.of[x]!));
    probed += found.length;
  }
  if ((probed / probes) * n > MAX_EDGES) throw new RangeError(`ballGraph: about ${Math.round((probed / probes) * n)} edges, more than ${MAX_EDGES}`);
  evaluations = 0;
  for (let a = 0; a < cells.count; a++) {
    const near = nearOf(a);
    for (const x of cells.members[a]!) {
      ballOf(x, near);
      reserve(found.length);
      start[x] = edges;
      count[x] = found.length;
      for (const y of found) targets[edges++] = y;
    }
  }
  return { start, count, targets: targets.subarray(0, edges), edges, evaluations };
}

/** First position in `list` whose key is ≥ value (list sorted by key). */
function lowerBound(list: Uint32Array, key: Float64Array, value: number): number {
  let lo = 0, hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key[list[mid]!]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Per row of `rows`, the distance to the nearest row whose label differs from its own (∞ when
 * every row shares it). Measured against the cells: a cell is skipped when even its nearest
 * possible member (‖x − c_b‖ − r_b) is no nearer than the best found so far.
 */
export function nearestOtherLabel(points: Matrix, rows: Uint32Array, label: Int32Array, cells: Cells): Float64Array {
  const out = new Float64Array(rows.length).fill(Infinity);
  const many = manySquaredDistances(points);
  const toCentroid = rowSquaredDistance(points, cells.centroids);
  const order = new Float64Array(cells.count);
  const cellIds = new Uint32Array(cells.count);
  const others = new Uint32Array(points.rows);
  rows.forEach((x, q) => {
    for (let b = 0; b < cells.count; b++) { order[b] = Math.sqrt(toCentroid(x, b)) - cells.radius[b]!; cellIds[b] = b; }
    cellIds.sort((p, r) => order[p]! - order[r]! || p - r);
    let best = Infinity;
    for (const b of cellIds) {
      if (cells.members[b]!.length === 0) continue;
      if (order[b]! >= best) break;
      let m = 0;
      for (const y of cells.members[b]!) if (label[y] !== label[x]) others[m++] = y;
      const d = many(x, others, m);
      for (let j = 0; j < m; j++) { const v = Math.sqrt(d[j]!); if (v < best) best = v; }
    }
    out[q] = best;
  });
  return out;
}

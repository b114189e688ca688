/**
 * Combined selection (STRATEGY=hybrid, SELECTION_CONFIG), after Lightly's "combining
 * strategies": filters remove rows first, then each row's score is the product of its
 * objectives raised to their strengths,
 *
 *   score = Π objective^strength,   objectives in [0, 1] (weights: any value ≥ 0),
 *
 * and rows are picked greedily, one at a time. The diversity objective is the distance to the
 * nearest chosen or labelled row divided by the largest such distance, recomputed after every
 * pick, so it reuses the pruned k-center machinery: only rows a pick moved are re-scored.
 * Dividing every row by the same largest distance does not change which row wins, so the
 * loop maximises Π other^strength · distance^strength and the division only enters the
 * reported selection_score. Before any row is chosen (no labelled rows) the diversity factor
 * is 1 for every row.
 *
 * After Lightly's selection config, also: `typicality` (TypiClust's density, within k-means
 * cells, divided by the largest), `similarity` ((1 + the highest cosine similarity to any
 * query_data row) / 2), a negative strength for objectives in [0, 1] ((1 − value)^|strength|:
 * prefer the opposite), and a label budget (BUDGET_COLUMN, BUDGET): rows are taken in rank
 * order while their summed cost stays within the budget; a row that would overrun it is
 * skipped and cheaper ones after it are still taken (greedy, not an optimal knapsack).
 */
import { DataError, UsageError } from "../errors.ts";
import { listNames } from "../list-names.ts";
import { kCenterGreedy } from "../engine/kcenter.ts";
import { uncertaintyScores } from "../engine/uncertainty.ts";
import type { Pool } from "../pool/pool.ts";
import type { Filter, Objective } from "./selection-config.ts";
import { minDistanceWarning, quotaOption, rankWithQuotas } from "./shared.ts";
import type { Selection, StrategyOptions } from "./strategy.ts";
import { inMetric, prepareVectorSpace } from "./vector-space.ts";
import { keepInOrder } from "./keep-in-order.ts";
import { normaliseRows, rowSquaredDistance } from "../engine/euclidean.ts";
import { poolTypicality } from "../engine/typicality.ts";
import { TYPICALITY_NEIGHBOURS } from "./typiclust.ts";

export function hybrid(pool: Pool, options: StrategyOptions): Selection {
  const config = options.selectionConfig!;
  const { candidates, removedBy } = applyFilters(pool, options, config.filters);
  const staticScore = new Float64Array(pool.size).fill(1);
  let diversityStrength = 0;
  const used: string[] = [];
  for (const objective of config.objectives) {
    if (objective.strength === 0) continue;
    if (objective.type === "diversity") { diversityStrength += objective.strength; used.push(`diversity^${objective.strength}`); continue; }
    const values = objectiveValues(pool, objective, options);
    const name = objective.type === "weight" ? `weight(${objective.column})` : objective.type === "uncertainty" ? objective.mode : objective.type;
    const s = objective.strength;
    used.push(s > 0 ? `${name}^${s}` : `(1 − ${name})^${-s}`);
    for (let i = 0; i < pool.size; i++) staticScore[i]! *= s > 0 ? values[i]! ** s : (1 - values[i]!) ** -s;
  }
  const ranked = greedySelect(pool, options, staticScore, diversityStrength, candidates);
  const selection = options.budget ? withinBudget(ranked, pool, options.budget, options.describeRow) : ranked;
  selection.details = { ...selection.details, objectives: used.join(" · "), rowsRemovedByFilter: removedBy, candidates: candidates.reduce((n, c) => n + c, 0) };
  selection.scoreMeaning = `Π objective^strength: ${used.join(" · ")}${diversityStrength > 0 ? " (diversity = distance to the nearest chosen or labelled row / the largest such distance at that pick)" : ""}`;
  return selection;
}

/**
 * Picks rows maximising staticScore · (distance to the chosen set)^diversityStrength, one at a
 * time, among `candidates`; with MIN_DISTANCE no pick comes closer than that to the chosen
 * and labelled rows. Without diversity and MIN_DISTANCE it is a plain ranking.
 */
export function greedySelect(pool: Pool, options: StrategyOptions, staticScore: Float64Array, diversityStrength: number,
  candidates: Uint8Array): Selection {
  const k = options.batchSize;
  const eligible = (row: number) => candidates[row] === 1;
  if (diversityStrength === 0 && options.minDistance === 0) {
    const { rows, quotas } = rankWithQuotas(staticScore, k, eligible, options);
    return { rows, scores: Float64Array.from(rows, (r) => staticScore[r]!), scoreMeaning: "", details: {}, warnings: [], quotas };
  }
  if (diversityStrength === 0) return rankedApart(pool, options, staticScore, candidates);
  const vs = prepareVectorSpace(pool, options, candidates);
  const scoreAt = vs.byPosition(staticScore);
  const metric = vs.fromSpace;
  // Called for every row a pick re-measures: the common euclidean, strength-1 case skips pow.
  const plainDistance = diversityStrength === 1 && !vs.cosine;
  const priority = diversityStrength === 0 ? (p: number) => scoreAt[p]!
    : plainDistance ? (p: number, d: number) => (d === Infinity ? scoreAt[p]! : scoreAt[p]! * d)
    : (p: number, d: number) => (d === Infinity ? scoreAt[p]! : scoreAt[p]! * metric(d) ** diversityStrength);
  const quotas = quotaOption(options, k, eligible);
  const result = kCenterGreedy(vs.space, k, {
    seeds: vs.seeds,
    selectable: vs.candidates,
    firstPick: -1,
    minDistance: vs.toSpace(options.minDistance),
    onProgress: options.onProgress,
    tieKey: vs.order,
    priority,
    quotas: quotas ? { classOf: vs.byPosition(quotas.classOf), quotas: quotas.quotas } : null,
  });
  const scores = new Float64Array(result.picks.length);
  const seedless = vs.seeds === null;
  for (let j = 0; j < scores.length; j++) {
    const base = scoreAt[result.picks[j]!]!;
    const largest = metric(result.radii[j]!);
    const factor = diversityStrength === 0 || (seedless && j === 0) || largest === 0
      ? 1 : (metric(result.distances[j]!) / largest) ** diversityStrength;
    scores[j] = base * factor;
  }
  return {
    rows: vs.rows(result.picks),
    scores,
    scoreMeaning: "",
    details: { distanceEvaluations: result.evaluations, rowsScreenedByProjection: result.screened, ...vs.space.projected?.details(), seedCenters: vs.seedCount, localityOrder: vs.order !== null,
      stoppedEarlyAt: result.stoppedAt === null ? null : metric(result.stoppedAt) },
    warnings: result.stoppedAt === null ? [] : [minDistanceWarning(options.minDistance, result.picks.length)],
    quotas: quotas?.quotas ?? null,
    coverage: { sizes: result.coverage.sizes, radii: result.coverage.radii.map(metric) },
    coveringRadius: metric(result.finalRadius),
  };
}

/** MIN_DISTANCE without a diversity objective: rows best first, kept when far enough apart. */
function rankedApart(pool: Pool, options: StrategyOptions, staticScore: Float64Array, candidates: Uint8Array): Selection {
  const ranked: number[] = [];
  for (let row = 0; row < pool.size; row++) if (candidates[row]) ranked.push(row);
  ranked.sort((a, b) => staticScore[b]! - staticScore[a]! || options.tieBreak(a, b));
  const kept = keepInOrder(pool, options, ranked, candidates);
  return {
    rows: kept.rows,
    scores: Float64Array.from(kept.rows, (r) => staticScore[r]!),
    scoreMeaning: "",
    details: { rowsSkippedAsTooClose: kept.tooClose, distanceEvaluations: kept.evaluations },
    warnings: kept.warnings,
    quotas: kept.quotas,
  };
}

/** Rows that pass every filter (among the selectable), and how many each filter removed. */
function applyFilters(pool: Pool, options: StrategyOptions, filters: Filter[]): { candidates: Uint8Array; removedBy: Record<string, number> } {
  const candidates = Uint8Array.from(options.selectable);
  const removedBy: Record<string, number> = {};
  for (const filter of filters) {
    // A class name compares the rows' predicted class with that class's position.
    const byName = typeof filter.threshold === "string";
    const values: ArrayLike<number> = byName ? pool.predicted : filterValues(pool, filter.value);
    const pass = comparator(filter.op, byName ? classPosition(pool, filter) : filter.threshold as number);
    let removed = 0;
    for (let i = 0; i < pool.size; i++) {
      if (candidates[i] && !pass(values[i]!)) { candidates[i] = 0; removed++; }
    }
    removedBy[`${filter.value} ${filter.op} ${filter.threshold}`] = removed;
  }
  return { candidates, removedBy };
}

function filterValues(pool: Pool, name: string): Float64Array {
  switch (name) {
    case "max_prob": return pool.confidence;
    case "margin": return uncertaintyScores(pool.probs, pool.classes, "margin").map((u) => 1 - u);
    case "entropy": return uncertaintyScores(pool.probs, pool.classes, "entropy");
    case "predicted_class": {
      // The class's name when it is a number (prob_class_3 → 3), else its position.
      const names = pool.plan.classNames.map((n, c) => (n.trim() !== "" && Number.isFinite(Number(n)) ? Number(n) : c));
      return Float64Array.from(pool.predicted, (c) => names[c]!);
    }
    default: return pool.extra.get(name)!;
  }
}

/** The position of the class a predicted_class filter names, refused when the pool has no such class. */
function classPosition(pool: Pool, filter: Filter): number {
  const name = String(filter.threshold);
  const c = pool.plan.classNames.indexOf(name);
  if (c === -1) throw new UsageError(`SELECTION_CONFIG filter predicted_class ${filter.op} ${JSON.stringify(name)}: ${JSON.stringify(name)} is not a predicted class (${listNames(pool.plan.classNames)}).`);
  return c;
}

function comparator(op: Filter["op"], t: number): (v: number) => boolean {
  switch (op) {
    case "<": return (v) => v < t;
    case "<=": return (v) => v <= t;
    case ">": return (v) => v > t;
    case ">=": return (v) => v >= t;
    case "==": return (v) => v === t;
    case "!=": return (v) => v !== t;
  }
}

/** The rows of `selection`, in rank order, whose summed cost stays within the budget. */
function withinBudget(selection: Selection, pool: Pool, budget: { column: string; limit: number }, describeRow: (row: number) => string): Selection {
  const costs = pool.extra.get(budget.column)!;
  const keep: number[] = [];
  let spent = 0, overBudget = 0;
  for (let k = 0; k < selection.rows.length; k++) {
    const cost = costs[selection.rows[k]!]!;
    if (!(cost >= 0)) throw new DataError(`${describeRow(selection.rows[k]!)}, column "${budget.column}" is ${cost}; BUDGET_COLUMN holds each row's labelling cost, a number ≥ 0.`);
    if (spent + cost <= budget.limit) { keep.push(k); spent += cost; } else overBudget++;
  }
  return {
    ...selection,
    rows: Uint32Array.from(keep, (k) => selection.rows[k]!),
    scores: Float64Array.from(keep, (k) => selection.scores[k]!),
    details: { ...selection.details, budget: { column: budget.column, budget: budget.limit, spent, rowsOverBudget: overBudget } },
    warnings: [...selection.warnings, ...(keep.length === 0 ? [`BUDGET=${budget.limit} pays for none of the ranked rows (the cheapest costs more); nothing was selected.`] : [])],
  };
}

function objectiveValues(pool: Pool, objective: Objective, options: StrategyOptions): Float64Array {
  const describeRow = options.describeRow;
  switch (objective.type) {
    case "uncertainty": return uncertaintyScores(pool.probs, pool.classes, objective.mode);
    case "confidence": return pool.confidence;
    case "weight": {
      const values = pool.extra.get(objective.column)!;
      const negative = values.findIndex((v) => v < 0);
      if (negative >= 0) throw new DataError(`${describeRow(negative)}, column "${objective.column}" is ${values[negative]}; a weight objective needs values ≥ 0.`);
      return values;
    }
    case "typicality": {
      const { points } = inMetric(pool.vectors!, options);
      const values = poolTypicality(points, TYPICALITY_NEIGHBOURS, options.blas, options.rng);
      let largest = 0;
      for (const v of values) if (Number.isFinite(v) && v > largest) largest = v;
      // Rows on top of each other (typicality ∞) are the most typical: 1.
      return values.map((v) => (v === Infinity ? 1 : largest > 0 ? v / largest : 0));
    }
    case "similarity": return querySimilarity(pool, options);
    default: throw new Error(`objectiveValues: ${objective.type} is not a per-row objective`);
  }
}

/**
 * (1 + the highest cosine similarity to any query row) / 2, in [0, 1]. Between unit vectors
 * cos = 1 − ‖a − b‖²/2, so the exact distance kernel decides (the same on every backend).
 */
function querySimilarity(pool: Pool, options: StrategyOptions): Float64Array {
  const points = normaliseRows(pool.vectors!, options.describeRow);
  const query = normaliseRows(options.query!, (r) => `query_data row ${r + 1}`);
  const squared = rowSquaredDistance(points, query);
  const out = new Float64Array(pool.size);
  for (let i = 0; i < pool.size; i++) {
    let nearest = Infinity;
    for (let q = 0; q < query.rows; q++) nearest = Math.min(nearest, squared(i, q));
    out[i] = Math.min(1, Math.max(0, 1 - nearest / 4));
  }
  return out;
}

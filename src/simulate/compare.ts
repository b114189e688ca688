/**
 * From learning curves to a recommendation that noise cannot pick.
 *
 * Each configuration's score per seed is the area under its learning curve (the mean test
 * accuracy over the fits). Configurations meet the same split and seed set under the same
 * seed, so they are compared pairwise over seeds: a paired t-test of the per-seed
 * differences at 95% (two-sided). The recommendation is the *simplest* configuration that is
 * not beyond noise below the best one and is beyond noise above random; when none beats
 * random beyond noise, it says so instead of naming a winner.
 */
import type { Candidate } from "./candidates.ts";
import { RANDOM } from "./candidates.ts";

export interface Scored {
  candidate: Candidate;
  /** Area under the learning curve per seed, in seed order. */
  areas: number[];
}

export interface Comparison {
  /** mean over seeds of (a − b). */
  meanDifference: number;
  /** Standard error of that mean. */
  standardError: number;
  /** Beyond noise: the 95% interval of the mean difference excludes 0. */
  significant: boolean;
}

export interface Recommendation {
  /** "strategy": one is recommended; "none": nothing beats random beyond noise. */
  kind: "strategy" | "none";
  /** The recommended configuration's name (random when kind is "none"). */
  name: string;
  /** Highest mean area. */
  best: string;
  /** Configurations not beyond noise below the best (the best included), best first. */
  tiedWithBest: string[];
  /** Plain words for the log, the report and simulation.json. */
  text: string;
  /** The recommended configuration against random and against the best. */
  againstRandom: Comparison;
  againstBest: Comparison;
}

/** Two-sided 95% quantiles of Student's t for 1…30 degrees of freedom; 1.96 beyond. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
  2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for one value. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** Paired comparison of a against b over the same seeds. */
export function compare(a: readonly number[], b: readonly number[]): Comparison {
  if (a.length !== b.length) throw new RangeError(`compare: ${a.length} against ${b.length} seeds`);
  const differences = a.map((x, i) => x - b[i]!);
  const meanDifference = mean(differences);
  const n = differences.length;
  const standardError = spread(differences) / Math.sqrt(n);
  const critical = n >= 2 ? (T95[n - 2] ?? 1.96) : Infinity;
  return { meanDifference, standardError, significant: Math.abs(meanDifference) > critical * standardError };
}

export function recommend(scored: readonly Scored[]): Recommendation {
  const byMean = [...scored].sort((x, y) => mean(y.areas) - mean(x.areas) || x.candidate.simplicity - y.candidate.simplicity);
  const best = byMean[0]!;
  const random = scored.find((s) => s.candidate.name === RANDOM);
  if (!random) throw new RangeError("recommend: random, the baseline, is missing");
  const tied = byMean.filter((s) => s === best || !isBelow(s, best));
  const beatsRandom = (s: Scored) => s !== random && compare(s.areas, random.areas).significant && mean(s.areas) > mean(random.areas);
  const eligible = tied.filter(beatsRandom).sort((x, y) => x.candidate.simplicity - y.candidate.simplicity);
  const tiedWithBest = tied.map((s) => s.candidate.name);
  const points = (x: number) => `${(100 * x).toFixed(1)} points`;
  if (eligible.length === 0) {
    const gap = compare(best.areas, random.areas);
    return {
      kind: "none", name: RANDOM, best: best.candidate.name, tiedWithBest,
      text: `No strategy beats random beyond noise: the best, ${best.candidate.name}, is ${points(gap.meanDifference)} above random ± ${points(gap.standardError)} (standard error over ${best.areas.length} seeds). Label at random, or simulate with more seeds or labelled rows.`,
      againstRandom: gap, againstBest: compare(random.areas, best.areas),
    };
  }
  const chosen = eligible[0]!;
  const againstRandom = compare(chosen.areas, random.areas), againstBest = compare(chosen.areas, best.areas);
  const others = tiedWithBest.filter((n) => n !== chosen.candidate.name);
  const why = chosen === best
    ? "the highest area under the learning curve"
    : `the simplest of the configurations within noise of the best (${best.candidate.name}, ${points(-againstBest.meanDifference)} higher, not beyond noise)`;
  return {
    kind: "strategy", name: chosen.candidate.name, best: best.candidate.name, tiedWithBest,
    text: `Recommended: ${chosen.candidate.name} (${chosen.candidate.settings}): ${why}; ${points(againstRandom.meanDifference)} above random, beyond noise.` +
      (others.length > 0 ? ` Within noise of the best as well: ${others.join(", ")}.` : ""),
    againstRandom, againstBest,
  };
}

/** s is beyond noise below best. */
function isBelow(s: Scored, best: Scored): boolean {
  const c = compare(best.areas, s.areas);
  return c.significant && c.meanDifference > 0;
}

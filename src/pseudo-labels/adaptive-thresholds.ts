/**
 * Class-adaptive confidence thresholds for pseudo-labels when no labelled calibration rows
 * exist (THRESHOLD_MODE), computed in one pass over the pool from sums that add up across
 * shards, so hosts can compute them apart and a merge can add them.
 *
 *   fixed      every class at CONFIDENCE_THRESHOLD τ.
 *   flexmatch  FlexMatch's curriculum thresholds (Zhang et al., NeurIPS 2021): σ_c = rows
 *              predicted as c with confidence above τ; β_c = σ_c / max_k σ_k (their eq. 6);
 *              T_c = τ · β_c / (2 − β_c), the paper's convex mapping M(x) = x / (2 − x). A
 *              class the model rarely passes τ on is still learning and gets a lower bar; the
 *              class it passes most keeps τ. The paper's warm-up form (max(max_k σ_k,
 *              N − Σ_k σ_k) in the denominator) is for the first steps of training from
 *              scratch, when few rows pass τ at all; applied to a trained model's pool it
 *              would drop every threshold near 0, so it is not used.
 *   freematch  FreeMatch's self-adaptive thresholds (Wang et al., ICLR 2023): the global
 *              τ_g = mean top-class probability over the pool, the class-local
 *              p̃_c = mean probability of class c, and T_c = τ_g · p̃_c / max_k p̃_k. The paper
 *              keeps both as moving averages over training batches; one pass over the pool is
 *              that average taken once. CONFIDENCE_THRESHOLD is not used.
 */
import { FixedPointSum } from "./fixed-point-sum.ts";

export const THRESHOLD_MODES = ["fixed", "flexmatch", "freematch"] as const;
export type ThresholdMode = (typeof THRESHOLD_MODES)[number];

/**
 * Sums over pool rows, mergeable by adding them field by field (mergeConfidenceStats). The
 * probability sums are exact fixed-point sums (units of 2^-32), so they do not depend on row
 * order or sharding.
 */
export interface ConfidenceStats {
  rows: number;
  /** Σ top-class probability and Σ of its square (SoftMatch's mean and variance). */
  sumConfidence: bigint;
  sumSquaredConfidence: bigint;
  /** Σ over rows of each class's probability. */
  sumProbability: bigint[];
  /** Rows predicted as each class whose confidence exceeds τ (FlexMatch's σ_c). */
  aboveTau: number[];
  tau: number;
}

/** One pass over the rows with `include[i] === 1`. */
export function confidenceStats(probs: Float64Array, classes: number, predicted: Int32Array, confidence: Float64Array,
  include: Uint8Array, tau: number): ConfidenceStats {
  const sumConfidence = new FixedPointSum(), sumSquared = new FixedPointSum();
  const sumProbability = Array.from({ length: classes }, () => new FixedPointSum());
  const aboveTau = new Array<number>(classes).fill(0);
  let rows = 0;
  for (let i = 0; i < confidence.length; i++) {
    if (!include[i]) continue;
    const p = confidence[i]!;
    rows++;
    sumConfidence.add(p);
    sumSquared.add(p * p);
    for (let c = 0; c < classes; c++) sumProbability[c]!.add(probs[i * classes + c]!);
    if (p > tau) aboveTau[predicted[i]!]!++;
  }
  return {
    rows, sumConfidence: sumConfidence.units(), sumSquaredConfidence: sumSquared.units(),
    sumProbability: sumProbability.map((s) => s.units()), aboveTau, tau,
  };
}

/** The statistics of two shards together. */
export function mergeConfidenceStats(a: ConfidenceStats, b: ConfidenceStats): ConfidenceStats {
  if (a.tau !== b.tau || a.aboveTau.length !== b.aboveTau.length) throw new RangeError("mergeConfidenceStats: shards computed with different τ or classes");
  return {
    rows: a.rows + b.rows, sumConfidence: a.sumConfidence + b.sumConfidence,
    sumSquaredConfidence: a.sumSquaredConfidence + b.sumSquaredConfidence,
    sumProbability: a.sumProbability.map((s, c) => s + b.sumProbability[c]!),
    aboveTau: a.aboveTau.map((s, c) => s + b.aboveTau[c]!), tau: a.tau,
  };
}

/** A fixed-point sum as a number (see fixed-point-sum.ts). */
export function sumValue(units: bigint): number {
  return Number(units) / 2 ** 32;
}

/** The per-class thresholds of a mode. */
export function classThresholds(mode: ThresholdMode, stats: ConfidenceStats): Float64Array {
  const classes = stats.aboveTau.length;
  if (mode === "fixed" || stats.rows === 0) return new Float64Array(classes).fill(stats.tau);
  if (mode === "flexmatch") {
    const most = Math.max(...stats.aboveTau);
    return Float64Array.from(stats.aboveTau, (s) => {
      const beta = most > 0 ? s / most : 1;
      return (stats.tau * beta) / (2 - beta);
    });
  }
  const globalTau = sumValue(stats.sumConfidence) / stats.rows;
  const largest = Math.max(...stats.sumProbability.map(sumValue));
  return Float64Array.from(stats.sumProbability, (s) => (largest > 0 ? (globalTau * sumValue(s)) / largest : globalTau));
}

/** Whether a row of this (calibrated) confidence and predicted class passes its class's threshold: the one rule for the in-memory and streamed gates. */
export function passesClassThreshold(thresholds: Float64Array, confidence: number, predicted: number): boolean {
  return confidence >= thresholds[predicted]!;
}

/** The statistics as JSON (a map step's metadata): the exact sums as decimal strings. */
export function statsToJson(stats: ConfidenceStats): Record<string, unknown> {
  return {
    rows: stats.rows, tau: stats.tau, above_tau: stats.aboveTau,
    sum_confidence: String(stats.sumConfidence), sum_squared_confidence: String(stats.sumSquaredConfidence),
    sum_probability: stats.sumProbability.map(String), units: "2^-32",
  };
}

export function statsFromJson(json: Record<string, unknown>): ConfidenceStats {
  return {
    rows: Number(json.rows), tau: Number(json.tau), aboveTau: (json.above_tau as number[]).map(Number),
    sumConfidence: BigInt(json.sum_confidence as string), sumSquaredConfidence: BigInt(json.sum_squared_confidence as string),
    sumProbability: (json.sum_probability as string[]).map((s) => BigInt(s)),
  };
}

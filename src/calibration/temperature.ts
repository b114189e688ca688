/**
 * Temperature scaling (Guo et al., "On calibration of modern neural networks", ICML 2017):
 * one parameter T, fitted on labelled rows by minimising the negative log-likelihood, that
 * softens (T > 1) or sharpens (T < 1) every row's probabilities as softmax(log p / T).
 *
 * The inputs are probabilities, not logits; log p is a logit vector up to a constant per row,
 * which softmax ignores, so scaling log p is scaling the logits. A probability of exactly 0 is
 * held at LOG_FLOOR (e^-50) so a row stays finite at every T. The NLL is convex in β = 1/T
 * (a log-sum-exp of functions linear in β, minus one linear in β), so its derivative is
 * increasing and the fit is a bisection on the derivative's sign: deterministic, no step size.
 * T does not change any row's argmax, so pseudo-labels stay the same; only confidences move.
 */

/** log p for p = 0: e^-50 ≈ 2e-22, far below any probability a model writes. */
const LOG_FLOOR = -50;
/** β = 1/T is searched in [1/1000, 1000]. */
const BETA_MIN = 1e-3, BETA_MAX = 1e3;
const BISECTION_STEPS = 60;

export interface TemperatureFit {
  temperature: number;
  /** Mean negative log-likelihood per row at T = 1 and at the fitted T (nats). */
  nllBefore: number;
  nllAfter: number;
}

function logOf(p: number): number {
  return p > 0 ? Math.max(Math.log(p), LOG_FLOOR) : LOG_FLOOR;
}

/** Adds the terms smallest first: the same sum however the rows were ordered or sharded. */
function canonicalSum(terms: Float64Array): number {
  const sorted = terms.slice().sort();
  let sum = 0;
  for (const t of sorted) sum += t;
  return sum;
}

/** Mean NLL at β and its derivative in β. */
function nllAndSlope(logp: Float64Array, classes: number, labels: Int32Array, beta: number): { nll: number; slope: number } {
  const n = labels.length;
  const nll = new Float64Array(n), slope = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, beta * logp[base + c]!);
    let total = 0, weighted = 0;
    for (let c = 0; c < classes; c++) {
      const e = Math.exp(beta * logp[base + c]! - max);
      total += e;
      weighted += e * logp[base + c]!;
    }
    const z = logp[base + labels[i]!]!;
    nll[i] = max + Math.log(total) - beta * z;
    slope[i] = weighted / total - z;
  }
  return { nll: canonicalSum(nll) / n, slope: canonicalSum(slope) / n };
}

/** Fits T on rows whose probabilities are `probs` (n × classes) and whose true classes are `labels`. */
export function fitTemperature(probs: Float64Array, classes: number, labels: Int32Array): TemperatureFit {
  if (labels.length === 0) throw new RangeError("fitTemperature: no labelled rows");
  const logp = probs.map(logOf);
  let lo = Math.log(BETA_MIN), hi = Math.log(BETA_MAX);
  if (nllAndSlope(logp, classes, labels, BETA_MAX).slope < 0) lo = hi;
  else if (nllAndSlope(logp, classes, labels, BETA_MIN).slope > 0) hi = lo;
  for (let step = 0; step < BISECTION_STEPS && hi > lo; step++) {
    const mid = (lo + hi) / 2;
    if (nllAndSlope(logp, classes, labels, Math.exp(mid)).slope > 0) hi = mid; else lo = mid;
  }
  const beta = Math.exp((lo + hi) / 2);
  return {
    temperature: 1 / beta,
    nllBefore: nllAndSlope(logp, classes, labels, 1).nll,
    nllAfter: nllAndSlope(logp, classes, labels, beta).nll,
  };
}

/** Mean negative log-likelihood of the true classes at temperature T (1: the probabilities as given). */
export function meanNll(probs: Float64Array, classes: number, labels: Int32Array, temperature = 1): number {
  return nllAndSlope(probs.map(logOf), classes, labels, 1 / temperature).nll;
}

/** softmax(log p / T) for every row, as a new array. */
export function applyTemperature(probs: Float64Array, classes: number, temperature: number): Float64Array {
  const beta = 1 / temperature;
  const out = new Float64Array(probs.length);
  for (let base = 0; base < probs.length; base += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) { out[base + c] = beta * logOf(probs[base + c]!); max = Math.max(max, out[base + c]!); }
    let total = 0;
    for (let c = 0; c < classes; c++) { out[base + c] = Math.exp(out[base + c]! - max); total += out[base + c]!; }
    for (let c = 0; c < classes; c++) out[base + c]! /= total;
  }
  return out;
}

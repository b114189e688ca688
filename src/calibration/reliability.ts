/**
 * Expected calibration error and the reliability diagram behind it (Naeini et al., AAAI 2015;
 * Guo et al., ICML 2017): rows binned by their top-class probability into equal-width bins,
 * each bin's mean confidence against its accuracy; ECE = Σ_bins (rows in bin / rows) · |accuracy − confidence|.
 */

export const RELIABILITY_BINS = 15;

export interface ReliabilityBin {
  lower: number;
  upper: number;
  rows: number;
  meanConfidence: number;
  accuracy: number;
}

export interface Reliability {
  ece: number;
  bins: ReliabilityBin[];
}

/** Bins rows by `confidence` (in [0, 1]); `correct[i]` is 1 when row i's predicted class is its true class. */
export function reliability(confidence: Float64Array, correct: Uint8Array, bins = RELIABILITY_BINS): Reliability {
  const rows = new Float64Array(bins), sumConfidence = new Float64Array(bins), hits = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const b = Math.min(bins - 1, Math.floor(confidence[i]! * bins));
    rows[b]!++;
    sumConfidence[b]! += confidence[i]!;
    hits[b]! += correct[i]!;
  }
  let ece = 0;
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = rows[b]!;
    const meanConfidence = n > 0 ? sumConfidence[b]! / n : 0;
    const accuracy = n > 0 ? hits[b]! / n : 0;
    if (n > 0) ece += (n / confidence.length) * Math.abs(accuracy - meanConfidence);
    out.push({ lower: b / bins, upper: (b + 1) / bins, rows: n, meanConfidence, accuracy });
  }
  return { ece, bins: out };
}

/**
 * SoftMatch's per-row pseudo-label weight (Chen et al., "SoftMatch: addressing the
 * quantity-quality trade-off in semi-supervised learning", ICLR 2023): a truncated Gaussian in
 * the top-class probability,
 *
 *     λ(p) = 1                               when p ≥ μ
 *     λ(p) = exp(−(p − μ)² / (2σ²))         when p < μ,
 *
 * with μ and σ² the mean and variance of the top-class probability over the pool (the paper
 * tracks them as moving averages over training batches; here they are the pool's, from the
 * same one-pass sums as the adaptive thresholds). Rows above the mean count fully; less sure
 * rows count less instead of being cut, for weighted fine-tuning. λ_max is 1.
 */
import { sumValue, type ConfidenceStats } from "./adaptive-thresholds.ts";

export function softMatchWeights(confidence: Float64Array, stats: ConfidenceStats): Float64Array {
  const mean = stats.rows > 0 ? sumValue(stats.sumConfidence) / stats.rows : 0;
  const variance = stats.rows > 1 ? Math.max(0, (sumValue(stats.sumSquaredConfidence) - stats.rows * mean * mean) / (stats.rows - 1)) : 0;
  return confidence.map((p) => {
    if (p >= mean) return 1;
    if (variance === 0) return 0;
    return Math.exp(-((p - mean) ** 2) / (2 * variance));
  });
}

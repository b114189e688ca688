/**
 * Draws an index with probability proportional to its weight, and updates weights, in
 * O(log n) each (a Fenwick tree, Fenwick 1994). Weights are whole numbers held in doubles, so
 * every prefix sum is exact: the row a draw lands on depends on the weights alone, never on
 * the order they were updated in or where rows sit in memory.
 */
export class WeightedSampler {
  readonly #tree: Float64Array;
  readonly #weights: Float64Array;
  readonly #size: number;
  #total = 0;

  constructor(size: number) {
    this.#size = size;
    this.#tree = new Float64Array(size + 1);
    this.#weights = new Float64Array(size);
  }

  get total(): number {
    return this.#total;
  }

  weight(i: number): number {
    return this.#weights[i]!;
  }

  /** Sets weight i; w must be a whole number ≥ 0 and every total below 2^53. */
  set(i: number, w: number): void {
    const delta = w - this.#weights[i]!;
    if (delta === 0) return;
    this.#weights[i] = w;
    this.#total += delta;
    for (let k = i + 1; k <= this.#size; k += k & -k) this.#tree[k]! += delta;
  }

  /** The index whose weight range holds target, 0 ≤ target < total: weights laid end to end in index order. */
  find(target: number): number {
    let position = 0;
    let step = 1;
    while (step * 2 <= this.#size) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= this.#size && this.#tree[next]! <= target) {
        position = next;
        target -= this.#tree[next]!;
      }
    }
    return position; // 0-based: the first index whose prefix sum exceeds the target
  }
}

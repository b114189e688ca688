/**
 * The k best rows by score without sorting the pool: a size-k min-heap, O(N log k).
 * Ties go to `tieBreak` (the strategies pass: the lower id, so a multi-host merge ranks ties
 * as one run on the whole pool does), else to the lower row index; never to heap order.
 */

/** Orders two tied rows: negative when a ranks first. */
export type TieBreak = (a: number, b: number) => number;

const byRow: TieBreak = (a, b) => a - b;

/**
 * Indices of the k highest scores among rows where `eligible` is absent or nonzero, best first.
 * `scores` may hold -Infinity for rows that must never be chosen.
 */
export function topK(scores: Float64Array, k: number, eligible?: (row: number) => boolean, tieBreak: TieBreak = byRow): Uint32Array {
  /** True when row a (score sa) ranks before row b (score sb). */
  const before = (sa: number, a: number, sb: number, b: number) => sa > sb || (sa === sb && tieBreak(a, b) < 0);
  const heapRows = new Uint32Array(Math.max(k, 0));
  const heapScores = new Float64Array(Math.max(k, 0));
  let size = 0;
  // The heap keeps the worst of the current best k at the root.
  const worse = (i: number, j: number) => before(heapScores[j]!, heapRows[j]!, heapScores[i]!, heapRows[i]!);
  const swap = (i: number, j: number) => {
    const r = heapRows[i]!; heapRows[i] = heapRows[j]!; heapRows[j] = r;
    const s = heapScores[i]!; heapScores[i] = heapScores[j]!; heapScores[j] = s;
  };
  const siftDown = (i: number) => {
    while (true) {
      const l = 2 * i + 1, r = l + 1;
      let w = i;
      if (l < size && worse(l, w)) w = l;
      if (r < size && worse(r, w)) w = r;
      if (w === i) return;
      swap(i, w); i = w;
    }
  };
  if (k <= 0) return new Uint32Array(0);
  for (let row = 0; row < scores.length; row++) {
    if (eligible && !eligible(row)) continue;
    const s = scores[row]!;
    if (size < k) {
      heapRows[size] = row; heapScores[size] = s;
      let i = size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(i, p)) break;
        swap(i, p); i = p;
      }
    } else if (before(s, row, heapScores[0]!, heapRows[0]!)) {
      heapRows[0] = row; heapScores[0] = s;
      siftDown(0);
    }
  }
  const order = Array.from({ length: size }, (_, i) => i)
    .sort((i, j) => (before(heapScores[i]!, heapRows[i]!, heapScores[j]!, heapRows[j]!) ? -1 : 1));
  return Uint32Array.from(order, (i) => heapRows[i]!);
}

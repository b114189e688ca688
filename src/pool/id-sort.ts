/**
 * Pool rows sorted by id: code-unit order (as JavaScript's `<` compares strings, and as
 * options.tieBreak compares ids), repeated ids in file order.
 *
 * A comparator sort of 1M random ids (UUIDs) took 1.2-1.5 s, a third of a 1M×128 core-set
 * run. Here each id becomes a 64-bit key, its first characters after the prefix every id shares
 * written in the alphabet the ids use (0 past the id's end), radix-sorted; only ids whose keys tie
 * (the same first characters) are compared as strings. Ids nearly in order already, such as
 * row-0, row-1, … (a few runs that are sorted as strings), merge faster in the comparator sort
 * than their keys are built: they go there. `bun bench/id-sort.ts` compares the two.
 */

export interface SortedIds {
  /** Rows by id. */
  order: Uint32Array;
  /**
   * The places k of order whose id may be the one at k − 1 (their keys tie), ascending; null
   * when any may (the comparator sorted them). A repeated id's rows sit together, so these are
   * the only places a repeat can be: on 1M UUIDs, none.
   */
  mayRepeatAt: Uint32Array | null;
}

/** Rows by id, or null when the rows are in id order already. */
export function sortById(ids: readonly string[]): SortedIds | null {
  let descents = 0;
  for (let i = 1; i < ids.length; i++) if (ids[i - 1]! > ids[i]!) descents++;
  if (descents === 0) return null;
  if (descents * NEARLY_SORTED < ids.length) return { order: comparatorSort(ids, rowsInFileOrder(ids.length)), mayRepeatAt: null };
  const keys = idKeys(ids);
  const order = radixSort(keys.high, keys.low);
  return { order, mayRepeatAt: sortTiesByString(order, keys, ids) };
}

/** Fewer descents than one in this many ids: nearly sorted, for the comparator sort. */
const NEARLY_SORTED = 256;
/** Characters after the shared prefix that a key may hold (and whose alphabet is collected). */
const KEY_WINDOW = 16;

function rowsInFileOrder(n: number): Uint32Array<ArrayBuffer> {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** rows sorted in place by id; repeated ids by row (the rows come in file order). */
function comparatorSort(ids: readonly string[], rows: Uint32Array): Uint32Array {
  return rows.sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b));
}

interface IdKeys {
  /** Per id, the key's two halves: (high, low) in lexicographic order is the ids' order over the key's characters. */
  high: Uint32Array;
  low: Uint32Array;
  /** Ids no longer than this end in their key: two with the same key are the same id. */
  wholeUpTo: number;
}

/**
 * Each id's key: the characters at prefix .. prefix + 2·perHalf − 1 (prefix: the length every
 * id shares), each as 1 + its rank in the alphabet of those positions (0 past the end, below
 * every character, as a shorter id sorts first), perHalf of them a half in base alphabet + 1.
 */
function idKeys(ids: readonly string[]): IdKeys {
  const prefix = sharedPrefix(ids);
  const rank = alphabetRanks(ids, prefix);
  const base = rank.size + 1;
  let perHalf = 0;
  for (let values = base; values <= 2 ** 32; values *= base) perHalf++;
  perHalf = Math.min(perHalf, KEY_WINDOW / 2);
  const n = ids.length, high = new Uint32Array(n), low = new Uint32Array(n), codes = rank.codes;
  const second = prefix + perHalf, end = second + perHalf;
  for (let i = 0; i < n; i++) {
    const id = ids[i]!, length = id.length;
    let h = 0, l = 0;
    for (let j = prefix; j < second; j++) h = h * base + (j < length ? codes[id.charCodeAt(j)]! : 0);
    for (let j = second; j < end; j++) l = l * base + (j < length ? codes[id.charCodeAt(j)]! : 0);
    high[i] = h;
    low[i] = l;
  }
  return { high, low, wholeUpTo: end };
}

/** The length of the prefix every id shares. */
function sharedPrefix(ids: readonly string[]): number {
  const first = ids[0]!;
  let shared = first.length;
  for (let i = 1; i < ids.length && shared > 0; i++) {
    const id = ids[i]!;
    if (id.length < shared) shared = id.length;
    for (let j = 0; j < shared; j++) {
      if (id.charCodeAt(j) !== first.charCodeAt(j)) { shared = j; break; }
    }
  }
  return shared;
}

/** The code units at positions prefix .. prefix + KEY_WINDOW − 1 of any id, each numbered 1, 2, … in code-unit order. */
function alphabetRanks(ids: readonly string[], prefix: number): { codes: Uint16Array; size: number } {
  const seen = new Uint8Array(65536);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!, end = Math.min(id.length, prefix + KEY_WINDOW);
    for (let j = prefix; j < end; j++) seen[id.charCodeAt(j)] = 1;
  }
  const codes = new Uint16Array(65536);
  let size = 0;
  for (let c = 0; c < 65536; c++) if (seen[c]) codes[c] = ++size;
  return { codes, size };
}

/**
 * Rows ordered by (high, low): a stable least-significant-digit radix sort, 16 bits a pass,
 * a pass skipped where every key has the same digit.
 */
function radixSort(high: Uint32Array, low: Uint32Array): Uint32Array {
  const n = high.length;
  let order = rowsInFileOrder(n), next = new Uint32Array(n);
  const starts = new Uint32Array(65536);
  for (const [keys, shift] of [[low, 0], [low, 16], [high, 0], [high, 16]] as const) {
    starts.fill(0);
    for (let i = 0; i < n; i++) starts[(keys[i]! >>> shift) & 0xffff]!++;
    if (starts[(keys[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) { const count = starts[d]!; starts[d] = sum; sum += count; }
    for (let i = 0; i < n; i++) {
      const row = order[i]!;
      next[starts[(keys[row]! >>> shift) & 0xffff]!++] = row;
    }
    [order, next] = [next, order];
  }
  return order;
}

/**
 * Runs of rows whose keys tie (ids alike in the key's characters) sorted by the whole id, unless
 * every id of the run ends within its key (then they are one repeated id, in file order already:
 * the radix sort is stable). Returns the places inside such runs (all but each run's first).
 */
function sortTiesByString(order: Uint32Array, keys: IdKeys, ids: readonly string[]): Uint32Array {
  const { high, low, wholeUpTo } = keys;
  const tied: number[] = [];
  for (let start = 0; start < order.length;) {
    const h = high[order[start]!]!, l = low[order[start]!]!;
    let end = start + 1, whole = ids[order[start]!]!.length <= wholeUpTo;
    for (; end < order.length && high[order[end]!] === h && low[order[end]!] === l; end++) {
      whole &&= ids[order[end]!]!.length <= wholeUpTo;
      tied.push(end);
    }
    if (end - start > 1 && !whole) comparatorSort(ids, order.subarray(start, end));
    start = end;
  }
  return Uint32Array.from(tied);
}

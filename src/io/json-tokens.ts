/**
 * The text of a top-level value as a JSON lines file writes it. JSON.parse gives numbers as
 * doubles, so `7.0` becomes 7, `1e3` 1000, `0.10` 0.1, and 12345678901234567890 loses its last
 * digits; an id must stay as written, so for an id column of numbers the reader goes back to
 * the bytes for the tokens. This scans bytes, not decoded text: the structural characters
 * (quotes, backslashes, braces, commas) are ASCII and never occur inside a UTF-8 multi-byte
 * sequence.
 */

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c, NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;

/**
 * Per non-blank line (so per row, as the JSON lines reader counts them), the text of `key`'s
 * value when it is a number, else null. Lines are those of a file the reader has accepted.
 */
export function numberTokens(bytes: Uint8Array, key: string): (string | null)[] {
  const keyBytes = new TextEncoder().encode(key);
  const out: (string | null)[] = [];
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    if (!blank(bytes, start, end)) out.push(valueOf(bytes, start, end, key, keyBytes));
    start = end + 1;
  }
  return out;
}

/**
 * The number tokens of the given rows (per non-blank line, counted from 0): for each, the text
 * of every top-level number, at its key's place in `columns` (null where the value is not a
 * number, or the key repeats with a last value that is not; JSON.parse keeps the last). One
 * pass over the lines; only the rows asked for are tokenised. Lines usually hold their keys in
 * the columns' order, so a key is first compared, as bytes, with the column at its place.
 */
export function rowNumberTokens(bytes: Uint8Array, rows: readonly number[], columns: readonly string[]): Map<number, (string | null)[]> {
  const wanted = new Set(rows);
  const columnBytes = columns.map((name) => new TextEncoder().encode(name));
  const columnOf = new Map(columns.map((name, c) => [name, c]));
  const out = new Map<number, (string | null)[]>();
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  for (let row = 0; start < bytes.length && out.size < wanted.size;) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    if (!blank(bytes, start, end)) {
      if (wanted.has(row)) {
        const tokens: (string | null)[] = new Array(columns.length).fill(null);
        let place = 0;
        forEachMember(bytes, start, end, (keyStart, keyEnd, valueStart, valueEnd) => {
          const guess = place++;
          const c = guess < columns.length && sameKey(bytes, keyStart, keyEnd, columns[guess]!, columnBytes[guess]!) ? guess
            : columnOf.get(keyText(bytes, keyStart, keyEnd));
          if (c !== undefined) tokens[c] = numberText(bytes, valueStart, valueEnd);
        });
        out.set(row, tokens);
      }
      row++;
    }
    start = end + 1;
  }
  return out;
}

/** The key string bytes[from, to) (quotes included) as text; escaped keys are decoded. */
function keyText(bytes: Uint8Array, from: number, to: number): string {
  return JSON.parse(new TextDecoder().decode(bytes.subarray(from, to))) as string;
}

function blank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!space(bytes[i]!)) return false;
  return true;
}

function space(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;
}

/** The number token of `key` in the object on bytes[start, end); the last one if repeated, as JSON.parse keeps. */
function valueOf(bytes: Uint8Array, start: number, end: number, key: string, keyBytes: Uint8Array): string | null {
  let found: string | null = null;
  forEachMember(bytes, start, end, (keyStart, keyEnd, valueStart, valueEnd) => {
    if (sameKey(bytes, keyStart, keyEnd, key, keyBytes)) found = numberText(bytes, valueStart, valueEnd);
  });
  return found;
}

/**
 * Calls `visit` with each top-level member of the object on bytes[start, end): its key string
 * bytes[keyStart, keyEnd) (quotes included) and its value bytes[valueStart, valueEnd).
 */
function forEachMember(bytes: Uint8Array, start: number, end: number,
  visit: (keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void): void {
  let i = skipSpace(bytes, start, end);
  if (bytes[i] !== OPEN_BRACE) return;
  i = skipSpace(bytes, i + 1, end);
  while (i < end && bytes[i] === QUOTE) {
    const keyStart = i, keyEnd = stringEnd(bytes, i, end);
    i = skipSpace(bytes, keyEnd, end);
    if (bytes[i] !== COLON) return;
    const valueStart = skipSpace(bytes, i + 1, end);
    const valueEnd = valueEndOf(bytes, valueStart, end);
    visit(keyStart, keyEnd, valueStart, valueEnd);
    i = skipSpace(bytes, valueEnd, end);
    if (bytes[i] !== COMMA) break;
    i = skipSpace(bytes, i + 1, end);
  }
}

/** The value bytes[from, to) as text when it is a number, else null. */
function numberText(bytes: Uint8Array, from: number, to: number): string | null {
  const first = bytes[from]!;
  if (!(first === 0x2d || (first >= 0x30 && first <= 0x39))) return null;
  let text = "";
  for (let i = from; i < to; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end && space(bytes[i]!)) i++;
  return i;
}

/** Just past the closing quote of the string opening at `i`. */
function stringEnd(bytes: Uint8Array, i: number, end: number): number {
  for (i++; i < end; i++) {
    const b = bytes[i]!;
    if (b === BACKSLASH) i++;
    else if (b === QUOTE) return i + 1;
  }
  return end;
}

/** Just past the value starting at `i`: a string, an object or array (nested), or a bare token. */
function valueEndOf(bytes: Uint8Array, i: number, end: number): number {
  const first = bytes[i];
  if (first === QUOTE) return stringEnd(bytes, i, end);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    while (i < end) {
      const b = bytes[i]!;
      if (b === QUOTE) { i = stringEnd(bytes, i, end); continue; }
      if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
      else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) { depth--; if (depth === 0) return i + 1; }
      i++;
    }
    return end;
  }
  while (i < end) {
    const b = bytes[i]!;
    if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || space(b)) break;
    i++;
  }
  return i;
}

/** Whether the key string bytes[from, to) (quotes included) is `key`; escaped keys are decoded. */
function sameKey(bytes: Uint8Array, from: number, to: number, key: string, keyBytes: Uint8Array): boolean {
  const inner = bytes.subarray(from + 1, to - 1);
  if (!inner.includes(BACKSLASH)) return inner.length === keyBytes.length && inner.every((b, i) => b === keyBytes[i]);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(from, to))) === key;
}

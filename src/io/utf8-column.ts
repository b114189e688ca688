/**
 * Text values held as their UTF-8 bytes, made into strings only when asked: a streamed run
 * hashes ten million ids and ranks them, but needs the text of only the few that may enter a
 * heap (job/stream.ts). Parquet's PLAIN text pages are kept this way (io/parquet.ts); also how
 * any text is decoded from UTF-8 bytes as hyparquet's parser decodes it (textOf).
 */

/** Buffer's native Latin-1 decode, which equals UTF-8's for ASCII bytes. */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;
const utf8 = new TextDecoder();

/**
 * The text of bytes [start, end), decoded as non-fatal UTF-8 (hyparquet's parser): ASCII, nearly
 * every id, by the native Latin-1 slice, since a TextDecoder call per value was most of a
 * 10M-row id column's decode time.
 */
export function textOf(bytes: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return utf8.decode(bytes.subarray(start, end));
  return latin1Slice.call(bytes, start, end);
}

export class Utf8Column {
  /**
   * @param bytes holds every value's bytes (and possibly others between them).
   * @param starts value r is bytes[starts[r], ends[r]).
   */
  constructor(readonly bytes: Uint8Array, readonly starts: Uint32Array, readonly ends: Uint32Array) {}

  get length(): number {
    return this.starts.length;
  }

  text(row: number): string {
    return textOf(this.bytes, this.starts[row]!, this.ends[row]!);
  }

  /** Every value as a string. */
  texts(): string[] {
    return Array.from({ length: this.length }, (_, r) => this.text(r));
  }
}

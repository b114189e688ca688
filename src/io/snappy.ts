/**
 * Snappy block decompression (https://github.com/google/snappy/blob/main/format_description.txt),
 * in the shape hyparquet's `compressors` option takes.
 *
 * hyparquet ships a decoder that copies literals byte by byte; on embedding columns, whose float
 * bits barely compress, nearly the whole page is literals and that loop was half the read time.
 * This one moves long literals and non-overlapping back-references with `set`/`copyWithin`.
 */

/** Below this length a plain loop beats the call into `set`/`copyWithin`. */
const BULK_COPY_MIN = 32;
/** Masks for literal lengths stored in 1 to 4 bytes (reading 4 bytes, then keeping 1 to 4). */
const LENGTH_MASK = [0, 0xff, 0xffff, 0xffffff, 0xffffffff];

/**
 * Decompresses one snappy block into exactly `outputLength` bytes; throws on malformed input.
 * With `into` (at least `outputLength` long) the bytes go there instead of a new array.
 */
export function snappyUncompress(input: Uint8Array, outputLength: number, into?: Uint8Array): Uint8Array {
  const output = into ? into.subarray(0, outputLength) : new Uint8Array(outputLength);
  const inputLength = input.length;
  let pos = 0;

  // Preamble: the uncompressed length as a varint; it must agree with the page header.
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= inputLength || shift > 28) throw new Error("snappy: bad length preamble");
    const byte = input[pos++]!;
    declared += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  if (declared !== outputLength) {
    throw new Error(`snappy: block holds ${declared} bytes but the page header says ${outputLength}`);
  }

  let outPos = 0;
  while (pos < inputLength) {
    const tag = input[pos++]!;
    const elementType = tag & 3;
    if (elementType === 0) {
      // Literal: lengths up to 60 sit in the tag, longer ones in the 1-4 bytes after it.
      let length = (tag >>> 2) + 1;
      if (length > 60) {
        const sizeBytes = length - 60;
        if (pos + sizeBytes > inputLength) throw new Error("snappy: literal length runs past the input");
        // Integer arithmetic only: one multiplication by 2 ** n here would make the JIT treat
        // `length`, and through it `pos`, as doubles everywhere, halving the speed.
        length = input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24);
        length = (length & LENGTH_MASK[sizeBytes]!) + 1;
        if (length <= 0) throw new Error("snappy: literal too long");
        pos += sizeBytes;
      }
      if (pos + length > inputLength) throw new Error("snappy: literal runs past the input");
      if (outPos + length > outputLength) throw new Error("snappy: literal runs past the output");
      if (length >= BULK_COPY_MIN) {
        output.set(input.subarray(pos, pos + length), outPos);
        pos += length;
        outPos += length;
      } else {
        for (const stop = pos + length; pos < stop;) output[outPos++] = input[pos++]!;
      }
      continue;
    }

    // Copy: `length` bytes from `offset` bytes back in the output.
    let length: number;
    let offset: number;
    if (elementType === 1) {
      if (pos >= inputLength) throw new Error("snappy: copy runs past the input");
      length = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++]!;
    } else if (elementType === 2) {
      if (pos + 2 > inputLength) throw new Error("snappy: copy runs past the input");
      length = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > inputLength) throw new Error("snappy: copy runs past the input");
      length = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24);
      pos += 4;
    }
    if (offset <= 0 || offset > outPos) throw new Error("snappy: copy refers before the start of the output");
    if (outPos + length > outputLength) throw new Error("snappy: copy runs past the output");
    const from = outPos - offset;
    if (length >= BULK_COPY_MIN && offset >= length) {
      output.copyWithin(outPos, from, from + length);
      outPos += length;
    } else {
      // Overlapping copies repeat the last `offset` bytes, so they must go one byte at a time.
      for (let i = from, stop = from + length; i < stop;) output[outPos++] = output[i++]!;
    }
  }
  if (outPos !== outputLength) throw new Error(`snappy: block ends after ${outPos} of ${outputLength} bytes`);
  return output;
}

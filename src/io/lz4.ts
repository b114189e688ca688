/**
 * LZ4 decompression: the block format (Parquet's LZ4_RAW codec) and the frame format around it
 * (Arrow IPC's LZ4_FRAME body compression, which pyarrow's `write_feather` uses by default).
 * Specs: https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md and lz4_Frame_format.md.
 * Checksums are skipped, not verified: a corrupt block still fails on its own structure, or
 * later on the Arrow/Parquet lengths it must match.
 */

const FRAME_MAGIC = 0x184d2204;
/** Skippable frames (0x184D2A50-5F) carry user data and no content. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Below this length a plain loop beats the call into `set`/`copyWithin`. */
const BULK_COPY_MIN = 32;

/** Decompresses one LZ4 block into exactly `outputLength` bytes (Parquet LZ4_RAW). */
export function lz4BlockUncompress(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength);
  const end = decodeBlock(input, 0, input.length, output, 0);
  if (end !== outputLength) throw new Error(`lz4: block holds ${end} bytes, expected ${outputLength}`);
  return output;
}

/** Decompresses a whole LZ4 frame (or several in a row), whatever its size. */
export function lz4FrameUncompress(input: Uint8Array): Uint8Array {
  if (input.length === 0) throw new Error("lz4: empty input, not a frame");
  // First pass: find the blocks, to size the output once.
  let pos = 0;
  let capacity = 0;
  const blocks: { start: number; size: number; compressed: boolean }[] = [];
  while (pos < input.length) {
    const magic = readUint32(input, pos);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      pos += 8 + readUint32(input, pos + 4);
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Error("lz4: not an LZ4 frame (bad magic number)");
    const flags = byteAt(input, pos + 4);
    const blockDescriptor = byteAt(input, pos + 5);
    if (flags >>> 6 !== 1) throw new Error(`lz4: unsupported frame version ${flags >>> 6}`);
    if (flags & 1) throw new Error("lz4: frames that need a dictionary are not supported");
    const blockChecksum = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const maxBlockSize = 1 << (8 + 2 * ((blockDescriptor >>> 4) & 7));
    pos += 6 + (contentSize ? 8 : 0) + 1; // FLG, BD, content size, header checksum
    while (true) {
      const word = readUint32(input, pos);
      pos += 4;
      if (word === 0) break; // end mark
      const size = word & 0x7fffffff;
      const compressed = (word & 0x80000000) === 0;
      if (pos + size > input.length) throw new Error("lz4: a block runs past the input");
      blocks.push({ start: pos, size, compressed });
      capacity += compressed ? maxBlockSize : size;
      pos += size + (blockChecksum ? 4 : 0);
    }
    pos += contentChecksum ? 4 : 0;
  }
  // Second pass: decode into one buffer, so linked blocks can refer back into earlier ones.
  const output = new Uint8Array(capacity);
  let outPos = 0;
  for (const block of blocks) {
    if (block.compressed) {
      outPos = decodeBlock(input, block.start, block.start + block.size, output, outPos);
    } else {
      output.set(input.subarray(block.start, block.start + block.size), outPos);
      outPos += block.size;
    }
  }
  return output.subarray(0, outPos);
}

/**
 * Decodes the sequences in input[start, end) into output from outPos; returns the new outPos.
 * Back-references may reach anywhere earlier in `output`.
 */
function decodeBlock(input: Uint8Array, start: number, end: number, output: Uint8Array, outPos: number): number {
  let pos = start;
  const outEnd = output.length;
  while (pos < end) {
    const token = input[pos++]!;
    let literalLength = token >>> 4;
    if (literalLength === 15) {
      let byte;
      do {
        if (pos >= end) throw new Error("lz4: literal length runs past the input");
        byte = input[pos++]!;
        literalLength += byte;
      } while (byte === 255);
    }
    if (pos + literalLength > end) throw new Error("lz4: literals run past the input");
    if (outPos + literalLength > outEnd) throw new Error("lz4: literals run past the output");
    if (literalLength >= BULK_COPY_MIN) {
      output.set(input.subarray(pos, pos + literalLength), outPos);
      pos += literalLength;
      outPos += literalLength;
    } else {
      for (const stop = pos + literalLength; pos < stop;) output[outPos++] = input[pos++]!;
    }
    if (pos === end) break; // the last sequence has literals only

    if (pos + 2 > end) throw new Error("lz4: match offset runs past the input");
    const offset = input[pos]! | (input[pos + 1]! << 8);
    pos += 2;
    if (offset === 0 || offset > outPos) throw new Error("lz4: match refers before the start of the output");
    let matchLength = token & 15;
    if (matchLength === 15) {
      let byte;
      do {
        if (pos >= end) throw new Error("lz4: match length runs past the input");
        byte = input[pos++]!;
        matchLength += byte;
      } while (byte === 255);
    }
    matchLength += 4;
    if (outPos + matchLength > outEnd) throw new Error("lz4: match runs past the output");
    const from = outPos - offset;
    if (matchLength >= BULK_COPY_MIN && offset >= matchLength) {
      output.copyWithin(outPos, from, from + matchLength);
      outPos += matchLength;
    } else {
      // Overlapping matches repeat the last `offset` bytes, so they must go one byte at a time.
      for (let i = from, stop = from + matchLength; i < stop;) output[outPos++] = output[i++]!;
    }
  }
  return outPos;
}

function byteAt(input: Uint8Array, pos: number): number {
  if (pos >= input.length) throw new Error("lz4: the frame header runs past the input");
  return input[pos]!;
}

function readUint32(input: Uint8Array, pos: number): number {
  if (pos + 4 > input.length) throw new Error("lz4: the frame runs past the input");
  return (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
}

/** Shared by the io tests: temporary files, seeded bytes, and small hand-made encoders. */
import { tempDir } from "../helpers.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/rng.ts";
import { DataError } from "../../src/errors.ts";

export { tempDir };

export function writeBytes(path: string, bytes: Uint8Array | ArrayBuffer): string {
  writeFileSync(path, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  return path;
}

/** Deterministic pseudo-random bytes from the project's one seeded source. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length }, () => rng.nextUint32() & 0xff);
}

/** A valid LZ4 block holding `input` as one run of literals (no compression). */
export function literalOnlyLz4Block(input: Uint8Array): Uint8Array {
  const lengthBytes: number[] = [];
  if (input.length >= 15) {
    let rest = input.length - 15;
    while (rest >= 255) { lengthBytes.push(255); rest -= 255; }
    lengthBytes.push(rest);
  }
  const token = Math.min(input.length, 15) << 4;
  return new Uint8Array([token, ...lengthBytes, ...input]);
}

/** A valid LZ4 frame holding `input` as one uncompressed block (what Arrow's LZ4_FRAME allows). */
export function storedLz4Frame(input: Uint8Array): Uint8Array {
  const frame = new Uint8Array(7 + 4 + input.length + 4);
  const view = new DataView(frame.buffer);
  view.setUint32(0, 0x184d2204, true);
  frame[4] = 0x60; // version 01, independent blocks
  frame[5] = 0x70; // 4 MiB blocks
  frame[6] = 0; // header checksum (not checked by the reader)
  view.setUint32(7, (input.length | 0x80000000) >>> 0, true); // high bit: stored uncompressed
  frame.set(input, 11);
  view.setUint32(11 + input.length, 0, true); // end mark
  return frame;
}

/** Runs `action` and returns the DataError it throws (failing the test if it throws none). */
export async function dataErrorOf(action: () => unknown): Promise<DataError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof DataError) return error;
    throw new Error(`expected a DataError, got ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`);
  }
  throw new Error("expected a DataError, but nothing was thrown");
}

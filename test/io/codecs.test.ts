import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { lz4BlockUncompress, lz4FrameUncompress } from "../../src/io/lz4.ts";
import { snappyUncompress } from "../../src/io/snappy.ts";
import { lz4FixtureInput } from "../fixtures/lz4/make-input.ts";
import { literalOnlyLz4Block, seededBytes } from "./helpers.ts";

const FIXTURES = join(import.meta.dir, "../fixtures/lz4");

/** Inputs that reach every snappy element: short and long literals, near and far copies. */
function snappyInputs(): Record<string, Uint8Array> {
  const repeated = new Uint8Array(100_000);
  for (let i = 0; i < repeated.length; i++) repeated[i] = "abcabcabd"[i % 9]!.charCodeAt(0);
  const floats = new Float64Array(20_000);
  for (let i = 0; i < floats.length; i++) floats[i] = Math.fround(i / 7); // zero low bytes: short copies
  return {
    empty: new Uint8Array(0),
    "one byte": new Uint8Array([42]),
    random: seededBytes(70_000, 1),
    repeated,
    "one byte run": new Uint8Array(5000).fill(7),
    "float64 with float32 precision": new Uint8Array(floats.buffer),
  };
}

describe("snappyUncompress()", () => {
  for (const [name, input] of Object.entries(snappyInputs())) {
    test(`restores ${name} input compressed by hyparquet-writer`, () => {
      const compressed = snappyCompress(input);
      expect(snappyUncompress(compressed, input.length)).toEqual(input);
    });
  }

  test("writes into a caller's buffer when given one", () => {
    const input = seededBytes(1000, 2);
    const into = new Uint8Array(4096).fill(9);
    const out = snappyUncompress(snappyCompress(input), input.length, into);
    expect(out.buffer).toBe(into.buffer);
    expect(out).toEqual(input);
  });

  test("refuses a block whose length disagrees with the page header", () => {
    const compressed = snappyCompress(seededBytes(100, 3));
    expect(() => snappyUncompress(compressed, 99)).toThrow(/page header says 99/);
  });

  test("throws, never hangs or reads out of bounds, on every truncation of a block", () => {
    const input = snappyInputs()["repeated"]!.subarray(0, 3000);
    const compressed = snappyCompress(input);
    for (let cut = 0; cut < compressed.length; cut++) {
      expect(() => snappyUncompress(compressed.subarray(0, cut), input.length)).toThrow();
    }
  });
});

describe("lz4FrameUncompress()", () => {
  const input = lz4FixtureInput();
  for (const name of ["independent-64k", "linked-64k", "block-checksums"]) {
    test(`restores the ${name} frame written by the lz4 tool`, () => {
      const frame = new Uint8Array(readFileSync(join(FIXTURES, `${name}.lz4`)));
      expect(lz4FrameUncompress(frame)).toEqual(input);
    });
  }

  test("refuses bytes that are not an LZ4 frame", () => {
    expect(() => lz4FrameUncompress(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not an LZ4 frame/);
  });

  test("throws on every truncation of a frame", () => {
    const frame = new Uint8Array(readFileSync(join(FIXTURES, "linked-64k.lz4"))).subarray(0, 2000);
    for (let cut = 0; cut < 2000; cut += 7) expect(() => lz4FrameUncompress(frame.subarray(0, cut))).toThrow();
  });
});

describe("lz4BlockUncompress()", () => {
  test("restores a block of literals and of back-references", () => {
    // "abcd" as literals, then a match of 8 at offset 4 (overlapping: repeats "abcd" twice).
    const block = new Uint8Array([0x44, 0x61, 0x62, 0x63, 0x64, 0x04, 0x00, 0x10, 0x21]);
    expect(new TextDecoder().decode(lz4BlockUncompress(block, 13))).toBe("abcdabcdabcd!");
  });

  test("restores literal-only blocks longer than one length byte", () => {
    const input = seededBytes(1000, 4);
    expect(lz4BlockUncompress(literalOnlyLz4Block(input), 1000)).toEqual(input);
  });

  test("refuses a match that reaches before the start of the output", () => {
    expect(() => lz4BlockUncompress(new Uint8Array([0x10, 0x61, 0x05, 0x00, 0x00]), 10)).toThrow(/before the start/);
  });
});

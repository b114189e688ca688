import { describe, expect, test } from "bun:test";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ByteSink } from "../../src/io/byte-sink.ts";
import { tempDir } from "../helpers.ts";

describe("ByteSink", () => {
  test("writes text as TextEncoder encodes it and bytes as given, in order, across its 1 MiB buffer and past it", () => {
    const encoder = new TextEncoder();
    const pieces: (string | Uint8Array)[] = [];
    for (let i = 0; i < 30_000; i++) {
      // ASCII, 2-, 3- and 4-byte characters, and a lone surrogate (written as U+FFFD).
      pieces.push(i % 4 === 0 ? `row ${i},ü€😀\ud800,` : `row ${i},plain,`);
      if (i % 5 === 0) pieces.push(Uint8Array.of(0xe2, 0x80, 0x94, i & 0x7f));
    }
    // Pieces larger than the buffer go straight to the file, after what it holds.
    pieces.push("€".repeat(400_000), new Uint8Array(1_500_000).fill(0x41), "tail\n");
    const path = join(tempDir(), "sink.bin");
    const fd = openSync(path, "w");
    const sink = new ByteSink(fd);
    for (const p of pieces) typeof p === "string" ? sink.text(p) : sink.bytes(p);
    sink.flush();
    closeSync(fd);
    const expected = Buffer.concat(pieces.map((p) => (typeof p === "string" ? encoder.encode(p) : p)));
    const written = readFileSync(path);
    expect(written.length).toBe(expected.length);
    expect(written.equals(expected)).toBe(true);
  });
});

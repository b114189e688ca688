import { describe, expect, test } from "bun:test";
import { alignUp } from "../../src/engine/kernels/kernels.ts";

describe("kernel memory", () => {
  test("alignUp() keeps offsets past 2 GiB positive and 16-byte aligned (kernel memory reaches 4 GiB)", () => {
    expect(alignUp(64)).toBe(64);
    expect(alignUp(65)).toBe(80);
    expect(alignUp(2 ** 31 + 1)).toBe(2 ** 31 + 16);
    expect(alignUp(2 ** 32 - 20)).toBe(2 ** 32 - 16);
  });
});

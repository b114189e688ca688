import { describe, expect, test } from "bun:test";
import { checkGemm, checkGemv } from "../../ffi/shape_checks.ts";

const f32 = (length: number) => new Float32Array(length);

describe("checkGemm", () => {
  test("checkGemm() accepts arrays exactly as long as their shapes need", () => {
    // A 2×3 with lda 4 needs (2-1)·4 + 3 = 7 elements; Bᵀ stored 2×3 likewise.
    expect(() => checkGemm("sgemm", Float32Array, false, true, 2, 2, 3, f32(7), 4, f32(7), 4, f32(4), 2))
      .not.toThrow();
  });

  test("checkGemm() reads A's stored shape as k×m when A is transposed", () => {
    expect(() => checkGemm("sgemm", Float32Array, true, false, 2, 2, 3, f32(6), 2, f32(6), 2, f32(4), 2))
      .not.toThrow();
    expect(() => checkGemm("sgemm", Float32Array, true, false, 2, 2, 3, f32(5), 2, f32(6), 2, f32(4), 2))
      .toThrow("a has 5 elements, but a 3×2 matrix with lda = 2 needs 6");
  });

  test("checkGemm() refuses negative, fractional and over-int32 dimensions", () => {
    expect(() => checkGemm("sgemm", Float32Array, false, false, -1, 2, 2, f32(4), 2, f32(4), 2, f32(4), 2))
      .toThrow("m must be an integer");
    expect(() => checkGemm("sgemm", Float32Array, false, false, 2, 1.5, 2, f32(4), 2, f32(4), 2, f32(4), 2))
      .toThrow("n must be an integer");
    expect(() => checkGemm("sgemm", Float32Array, false, false, 1, 1, 2 ** 31, f32(4), 2, f32(4), 2, f32(4), 2))
      .toThrow("k must be an integer");
  });

  test("checkGemm() accepts any leading dimension for a matrix with no rows", () => {
    expect(() => checkGemm("sgemm", Float32Array, false, false, 0, 3, 2, f32(0), 0, f32(6), 3, f32(0), 0))
      .not.toThrow();
  });

  test("checkGemm() refuses a C too short for m×n with ldc", () => {
    expect(() => checkGemm("dgemm", Float64Array, false, false, 2, 2, 1, new Float64Array(2), 1,
      new Float64Array(2), 2, new Float64Array(4), 3)).toThrow("c has 4 elements");
  });
});

describe("checkGemv", () => {
  test("checkGemv() wants x of length n and y of length m without transpose, the reverse with it", () => {
    expect(() => checkGemv("sgemv", Float32Array, false, 2, 3, f32(6), 3, f32(3), f32(2))).not.toThrow();
    expect(() => checkGemv("sgemv", Float32Array, true, 2, 3, f32(6), 3, f32(2), f32(3))).not.toThrow();
    expect(() => checkGemv("sgemv", Float32Array, true, 2, 3, f32(6), 3, f32(3), f32(2)))
      .toThrow("y has 2 elements, needs 3");
  });

  test("checkGemv() refuses a Float64Array where float32 is expected", () => {
    expect(() => checkGemv("sgemv", Float32Array, false, 1, 1, new Float64Array(1) as unknown as Float32Array,
      1, f32(1), f32(1))).toThrow("a must be a Float32Array, got Float64Array");
  });
});

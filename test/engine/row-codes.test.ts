/**
 * The int8 copy of whole rows (row-codes.ts), the projected screen's last stage: its bound
 * s·‖q_x − q_y‖ − err_x − err_y must never pass the exact distance, on data anywhere on or off
 * the codes' grid, and it must be tight enough to rule rows out.
 */
import { describe, expect, test } from "bun:test";
import { squaredDistance } from "../../src/engine/euclidean.ts";
import { allocFloat32 } from "../../src/engine/kernels/kernels.ts";
import { int8Records, wholeRowCodes } from "../../src/engine/row-codes.ts";
import type { Matrix } from "../../src/matrix.ts";
import { Rng } from "../../src/rng.ts";

function matrix(rows: number, cols: number, value: (r: number, j: number) => number): Matrix<Float32Array> {
  const data = allocFloat32(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) data[r * cols + j] = value(r, j);
  return { data, rows, cols };
}

/** The codes' lower bound on every pair's distance, against the exact one; returns how close it came on average. */
function checkBounds(points: Matrix): number {
  const codes = wholeRowCodes(points)!;
  expect(codes).not.toBeNull();
  const bytes = new Int8Array(codes.records.buffer, codes.records.byteOffset, points.rows * codes.width);
  const scale = Math.sqrt(codes.params[3]! / (1 - 4 * 2 ** -53));
  let ratio = 0, pairs = 0;
  for (let a = 0; a < points.rows; a++) {
    for (let b = a + 1; b < points.rows; b++) {
      let sum = 0;
      for (let j = 0; j < codes.dims; j++) sum += (bytes[a * codes.width + j]! - bytes[b * codes.width + j]!) ** 2;
      const errA = codes.records[(a * codes.width + codes.dims) / 4]!, errB = codes.records[(b * codes.width + codes.dims) / 4]!;
      const bound = scale * Math.sqrt(sum) - errA - errB;
      const exact = Math.sqrt(squaredDistance(points.data, a * points.cols, points.data, b * points.cols, points.cols));
      expect(bound).toBeLessThanOrEqual(exact);
      if (exact > 0) { ratio += Math.max(0, bound) / exact; pairs++; }
    }
  }
  return ratio / pairs;
}

describe("int8 codes of whole rows", () => {
  test("bound every distance from below, and closely, on Gaussian rows with an odd width", () => {
    const rng = new Rng(3);
    expect(checkBounds(matrix(120, 45, () => rng.nextGaussian()))).toBeGreaterThan(0.9);
  });

  test("hold on rows lying exactly on the codes' grid (no rounding to measure) and far from the origin", () => {
    const rng = new Rng(5);
    // Values k/127 with the largest 1: every value is a code times the scale.
    checkBounds(matrix(60, 32, (r, j) => (r === 0 && j === 0 ? 1 : rng.nextInt(255) - 127) / 127));
    // A large offset makes the scale coarse against the spread: weak, but still a lower bound.
    expect(checkBounds(matrix(60, 32, () => 1000 + rng.nextGaussian()))).toBeLessThan(0.5);
  });

  test("are null for rows outside kernel memory and for a scale float64 cannot square", () => {
    expect(wholeRowCodes({ data: new Float32Array(64), rows: 4, cols: 16 })).toBeNull();
    expect(wholeRowCodes(matrix(4, 16, () => 0))).toBeNull();
  });
});

describe("int8 records' float32 bounds", () => {
  test("round outward, subnormal ones included: err and high up, low down", () => {
    // Between float32's two smallest subnormals, 1.7·2^-149 is nearest the upper, 1.3·2^-149 the
    // lower: a relative margin of 2^-22 is far below the step between them.
    const tiny = (r: number) => (r === 0 ? 1.7 : 1.3) * 2 ** -149, rows = matrix(2, 16, (r, j) => r + j);
    const records = int8Records(rows, (r) => [0, tiny(r), tiny(r)], 1)!;
    for (let r = 0; r < 2; r++) {
      const at = (r * records.width + records.dims) / 4;
      expect(records.records[at + 1]!).toBeLessThanOrEqual(tiny(r));
      expect(records.records[at + 2]!).toBeGreaterThanOrEqual(tiny(r));
    }
  });
});

import { describe, expect, test } from "bun:test";
import { conformalSelect, type CalibrationRows, type ConformalRows } from "../../src/calibration/conformal-selection.ts";
import { Rng } from "../../src/rng.ts";

/**
 * Synthetic rows with known correctness probabilities: confidence s ~ U(0.5, 1), predicted
 * class uniform over 3; the pseudo-label is right with probability s for classes 0 and 1
 * (calibrated) and s − 0.05 for class 2 (over-confident).
 */
function draw(rng: Rng, n: number): CalibrationRows {
  const confidence = new Float64Array(n), predicted = new Int32Array(n), correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = 0.5 + 0.5 * rng.nextFloat();
    const c = rng.nextInt(3);
    const q = c === 2 ? s - 0.05 : s;
    confidence[i] = s; predicted[i] = c; correct[i] = rng.nextFloat() < q ? 1 : 0;
  }
  return { confidence, predicted, correct };
}

function falseShare(rows: CalibrationRows, selected: Uint8Array, cls: number | null): number | null {
  let chosen = 0, wrong = 0;
  for (let j = 0; j < selected.length; j++) {
    if (!selected[j] || (cls !== null && rows.predicted[j] !== cls)) continue;
    chosen++;
    if (!rows.correct[j]) wrong++;
  }
  return chosen > 0 ? wrong / chosen : 0;
}

describe("conformalSelect", () => {
  test("holds the expected share of wrong pseudo-labels under 1 − target (per class in class scope, overall in overall scope), over 400 seeds", () => {
    const seeds = 400, target = 0.9;
    for (const scope of ["class", "overall"] as const) {
      const fdp = { all: 0, c0: 0, c2: 0 };
      let selectedC0 = 0, selectedC2 = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const rng = new Rng(seed);
        const calibration = draw(rng, 600);
        const pool = draw(rng, 1500);
        const result = conformalSelect(calibration, pool, new Uint8Array(1500).fill(1), 3, target, scope);
        fdp.all += falseShare(pool, result.selected, null)!;
        fdp.c0 += falseShare(pool, result.selected, 0)!;
        fdp.c2 += falseShare(pool, result.selected, 2)!;
        selectedC0 += result.perClass[0]!.selected;
        selectedC2 += result.perClass[2]!.selected;
      }
      // Monte-Carlo slack: the FDP of one run has a standard deviation of about 0.03 here,
      // so a mean over 400 runs is within 0.005 of its expectation at 3 sigma.
      if (scope === "class") {
        expect(fdp.c0 / seeds).toBeLessThanOrEqual(1 - target + 0.005);
        expect(fdp.c2 / seeds).toBeLessThanOrEqual(1 - target + 0.005);
        // The over-confident class needs a higher bar, so it gives fewer rows.
        expect(selectedC2).toBeLessThan(selectedC0 * 0.75);
        // Not vacuous: a calibrated class at target 0.9 keeps most rows above s ≈ 0.8 (about 170 of 500).
        expect(selectedC0 / seeds).toBeGreaterThan(140);
      } else {
        expect(fdp.all / seeds).toBeLessThanOrEqual(1 - target + 0.005);
        // One threshold for all: the over-confident class is far below the target on its own.
        expect(fdp.c2 / seeds).toBeGreaterThan(1 - target + 0.02);
      }
    }
  });

  test("matches Benjamini–Hochberg over conformal p-values worked by hand", () => {
    // Calibration: 9 rows, wrong ones at confidence 0.95 and 0.7. Pool: 4 rows at 0.99, 0.9, 0.8, 0.6.
    const calibration: CalibrationRows = {
      confidence: Float64Array.of(0.99, 0.97, 0.95, 0.93, 0.9, 0.85, 0.8, 0.7, 0.65),
      predicted: new Int32Array(9), correct: Uint8Array.of(1, 1, 0, 1, 1, 1, 1, 0, 1),
    };
    const pool: ConformalRows = { confidence: Float64Array.of(0.8, 0.99, 0.6, 0.9), predicted: new Int32Array(4) };
    // p-values (n + 1 = 10): 0.99 → 1/10, 0.9 → 2/10, 0.8 → 2/10, 0.6 → 3/10.
    // α = 0.5, m = 4: BH bounds 0.125, 0.25, 0.375, 0.5 → every p_(k) ≤ αk/m; k* = 4.
    expect(Array.from(conformalSelect(calibration, pool, new Uint8Array(4).fill(1), 1, 0.5, "overall").selected)).toEqual([1, 1, 1, 1]);
    // α = 0.3: bounds 0.075, 0.15, 0.225, 0.3 → p_(1) = 0.1 > 0.075, p_(2) = 0.2 > 0.15, p_(3) = 0.2 ≤ 0.225, p_(4) = 0.3 ≤ 0.3: k* = 4.
    expect(Array.from(conformalSelect(calibration, pool, new Uint8Array(4).fill(1), 1, 0.7, "overall").selected)).toEqual([1, 1, 1, 1]);
    // α = 0.2: bounds 0.05, 0.1, 0.15, 0.2 → only p_(1) = 0.1 ≤ 0.1? no, bound for k = 1 is 0.05; k = 2: 0.2 > 0.1; k = 3: 0.2 > 0.15; k = 4: 0.3 > 0.2 → nothing.
    const none = conformalSelect(calibration, pool, new Uint8Array(4).fill(1), 1, 0.8, "overall");
    expect(none.selectedCount).toBe(0);
    expect(none.unreached).toEqual([0]);
    // Excluding the 0.6 row: m = 3, α = 0.3: bounds 0.1, 0.2, 0.3 → p_(1) = 0.1 ok, p_(2) = p_(3) = 0.2 ≤ 0.3 at k = 3: all three.
    const some = conformalSelect(calibration, pool, Uint8Array.of(1, 1, 0, 1), 1, 0.7, "overall");
    expect(Array.from(some.selected)).toEqual([1, 1, 0, 1]);
    expect(some.perClass[0]!.threshold).toBe(0.8);
    // Wrong calibration rows at or above 0.8: one of nine, scaled to 3 eligible rows: 1/3 wrong of 3 selected.
    expect(some.estimatedPrecision).toBeCloseTo(1 - 1 / 9, 12);
  });

  test("gives a class without calibration rows nothing, and names it", () => {
    const rng = new Rng(5);
    const calibration = draw(rng, 300);
    const keep = Array.from(calibration.predicted.keys()).filter((i) => calibration.predicted[i] !== 1);
    const without: CalibrationRows = {
      confidence: Float64Array.from(keep, (i) => calibration.confidence[i]!), predicted: Int32Array.from(keep, (i) => calibration.predicted[i]!),
      correct: Uint8Array.from(keep, (i) => calibration.correct[i]!),
    };
    const pool = draw(rng, 900);
    const result = conformalSelect(without, pool, new Uint8Array(900).fill(1), 3, 0.8, "class");
    expect(result.unreached).toEqual([1]);
    expect(result.perClass[1]!.selected).toBe(0);
    expect(result.perClass[0]!.selected).toBeGreaterThan(0);
  });

  test("does not depend on the order of the pool or calibration rows", () => {
    const rng = new Rng(9);
    const calibration = draw(rng, 400), pool = draw(rng, 800);
    const order = Array.from({ length: 800 }, (_, i) => i).reverse();
    const reversed: ConformalRows = { confidence: Float64Array.from(order, (i) => pool.confidence[i]!), predicted: Int32Array.from(order, (i) => pool.predicted[i]!) };
    const a = conformalSelect(calibration, pool, new Uint8Array(800).fill(1), 3, 0.85, "class");
    const b = conformalSelect(calibration, reversed, new Uint8Array(800).fill(1), 3, 0.85, "class");
    expect(Array.from(order, (i) => a.selected[i])).toEqual(Array.from(b.selected));
    expect(b.estimatedPrecision).toBe(a.estimatedPrecision);
  });
});

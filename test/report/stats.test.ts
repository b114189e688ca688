import { describe, expect, test } from "bun:test";
import { escapeHtml, formatCount, formatShare, formatTick, formatValue } from "../../src/report/html.ts";
import { addToHistogram, confidenceEdges, countPoolRows, emptyHistogram, emptyPoolConfidence, rowConfidence, scoreHistogram,
  summarizeConfidence } from "../../src/report/stats.ts";
import { niceTicks } from "../../src/report/svg.ts";

describe("rowConfidence()", () => {
  test("gives argmax, max probability, margin and entropy over ln C (the entropy score's units)", () => {
    const probs = Float64Array.of(0.2, 0.5, 0.3, /* row 1 */ 1, 0, 0);
    const a = rowConfidence(probs, 3, 0);
    expect(a.argmax).toBe(1);
    expect(a.maxProb).toBe(0.5);
    expect(a.margin).toBeCloseTo(0.2, 15);
    expect(a.entropy).toBeCloseTo(-(0.2 * Math.log(0.2) + 0.5 * Math.log(0.5) + 0.3 * Math.log(0.3)) / Math.log(3), 15);
    expect(rowConfidence(Float64Array.of(0.25, 0.25, 0.25, 0.25), 4, 0).entropy).toBeCloseTo(1, 15);
    const b = rowConfidence(probs, 3, 1);
    expect(b).toEqual({ argmax: 0, maxProb: 1, margin: 1, entropy: 0 });
  });

  test("takes the first class on ties and reports a row with NaN as not finite", () => {
    expect(rowConfidence(Float64Array.of(0.5, 0.5), 2, 0).argmax).toBe(0);
    expect(rowConfidence(Float64Array.of(0.5, 0.5), 2, 0).margin).toBe(0);
    const bad = rowConfidence(Float64Array.of(0.5, NaN), 2, 0);
    expect(bad.argmax).toBe(-1);
    expect(Number.isNaN(bad.maxProb)).toBe(true);
  });
});

describe("countPoolRows()", () => {
  test("counts each row's rowConfidence as addToHistogram adds it: the same counts and the same bits of every sum", () => {
    for (const classes of [1, 2, 3, 10]) {
      const rows = 5000;
      const probs = new Float64Array(rows * classes);
      let state = classes * 7919;
      const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
      for (let i = 0; i < probs.length; i++) probs[i] = next() < 0.1 ? 0 : next();
      probs[3 * classes] = NaN;
      probs[10 * classes + classes - 1] = Infinity;
      probs.fill(1 / classes, 20 * classes, 21 * classes);
      const counted = emptyPoolConfidence(classes);
      countPoolRows(counted, probs.subarray(0, 2000 * classes), classes);
      countPoolRows(counted, probs.subarray(2000 * classes), classes);
      const reference = emptyPoolConfidence(classes);
      for (let r = 0; r < rows; r++) {
        const conf = rowConfidence(probs, classes, r);
        addToHistogram(reference.histograms.maxProb, conf.maxProb);
        addToHistogram(reference.histograms.margin, conf.margin);
        addToHistogram(reference.histograms.entropy, conf.entropy);
        if (conf.argmax >= 0) reference.classCounts[conf.argmax]!++;
      }
      reference.rows = rows;
      expect(counted).toEqual(reference);
      for (const m of ["maxProb", "margin", "entropy"] as const) expect(Object.is(counted.histograms[m].sum, reference.histograms[m].sum)).toBe(true);
      expect(counted.histograms.margin.nonFinite).toBe(2);
    }
  });
});

describe("histograms", () => {
  test("put values on the edges in the right bins and the top edge in the last bin", () => {
    const h = emptyHistogram([0, 0.5, 1]);
    for (const v of [0, 0.25, 0.5, 1, -3, 7, NaN]) addToHistogram(h, v);
    expect(h.counts).toEqual([3, 3]); // [0, 0.25, −3 clamped] and [0.5, 1, 7 clamped]
    expect(h.total).toBe(6);
    expect(h.nonFinite).toBe(1);
  });

  test("confidence edges: max probability starts at 1/C rounded down to 0.05, entropy (over ln C) ends at 1", () => {
    const e10 = confidenceEdges(10);
    expect(e10.maxProb[0]).toBe(0.1);
    expect(e10.maxProb.at(-1)).toBe(1);
    expect(e10.maxProb.length).toBe(19);
    expect(e10.entropy.at(-1)).toBe(1);
    expect(confidenceEdges(3).maxProb[0]).toBe(0.3);
    expect(confidenceEdges(1).entropy.at(-1)).toBe(1);
  });

  test("summarizeConfidence counts every pool row once and every selected row once", () => {
    const probs = Float64Array.of(0.9, 0.1, 0.4, 0.6, 0.5, 0.5, 0.2, 0.8);
    const s = summarizeConfidence(probs, 2, Uint32Array.of(2, 1));
    expect(s.poolClassCounts).toEqual([2, 2]);
    expect(s.selectionClassCounts).toEqual([1, 1]);
    expect(s.pool.margin.total).toBe(4);
    expect(s.selection.margin.total).toBe(2);
    expect(s.selectedRows.map((r) => r.argmax)).toEqual([0, 1]);
  });

  test("scoreHistogram spans the finite scores and copes with equal and absent ones", () => {
    const h = scoreHistogram(Float64Array.of(1, 2, 3, 4, NaN));
    expect(h.edges[0]).toBe(1);
    expect(h.edges.at(-1)).toBe(4);
    expect(h.total).toBe(4);
    expect(h.nonFinite).toBe(1);
    const same = scoreHistogram(Float64Array.of(2, 2, 2));
    expect(same.counts).toEqual([3]);
    expect(scoreHistogram(Float64Array.of(NaN)).total).toBe(0);
  });
});

describe("formatting", () => {
  test("escapeHtml escapes the five characters that matter in text and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });

  test("numbers read the same on every machine", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(12)).toBe("12");
    expect(formatShare(0.1234)).toBe("12.3%");
    expect(formatShare(0.0001)).toBe("<0.1%");
    expect(formatShare(0)).toBe("0.0%");
    expect(formatValue(0.98691234)).toBe("0.9869");
    expect(formatValue(0.919, 4, true)).toBe("0.9190");
    expect(formatValue(1234.5678)).toBe("1235");
    expect(formatValue(2.5e-7)).toBe("2.500e-7");
    expect(formatTick(0.30000000000000004, 0.1)).toBe("0.3");
    expect(formatTick(-0, 1)).toBe("0");
    expect(formatTick(0.25, 0.25)).toBe("0.25");
    expect(formatTick(7.5, 2.5)).toBe("7.5");
    expect(formatTick(2000, 500)).toBe("2000");
  });

  test("niceTicks covers the range with round steps, whole ones when asked", () => {
    expect(niceTicks(0, 1, 4).ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const counts = niceTicks(0, 9, 4, true);
    expect(counts.ticks.every(Number.isInteger)).toBe(true);
    expect(counts.ticks.at(-1)! >= 9).toBe(true);
    expect(niceTicks(0, 1.5, 4, true).step).toBe(1);
    expect(niceTicks(5, 5).ticks.length).toBeGreaterThan(1);
  });

  test("niceTicks ends on ranges that reach the largest double or lie beyond the doubles' spacing", () => {
    // TypiClust scores a row with exact duplicates for neighbours Number.MAX_VALUE: stepping
    // past it gave Infinity, which never exceeds the bound, and the ticks grew until memory ran out.
    const huge = niceTicks(0, Number.MAX_VALUE, 4);
    expect(huge.ticks.length).toBeGreaterThan(1);
    expect(huge.ticks.length).toBeLessThan(10);
    expect(huge.ticks.every(Number.isFinite)).toBe(true);
    expect(niceTicks(-Number.MAX_VALUE, Number.MAX_VALUE).ticks.every(Number.isFinite)).toBe(true);
    expect(niceTicks(Number.MAX_VALUE, Number.MAX_VALUE).ticks.every(Number.isFinite)).toBe(true);
    // A step of 5 where doubles lie 16 apart: t + 5 rounded back to t, and the loop never moved.
    expect(niceTicks(1e17, 1e17 + 16).ticks.length).toBeLessThan(1000);
  });
});

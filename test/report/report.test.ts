import { describe, expect, test } from "bun:test";
import { POOL_POINTS_SHOWN, REPORT_FILE_NAME, renderReport, type ReportInput } from "../../src/report/report.ts";
import { clusterReportInput } from "./fixtures.ts";

const EVIL = `</script><img src=x onerror=alert(1)>`;

/** Matches of a regular expression, counted. */
function count(text: string, pattern: RegExp): number {
  return (text.match(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g")) ?? []).length;
}

function expectSelfContained(html: string) {
  expect(html).not.toMatch(/https?:\/\//i);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<link/i);
  expect(html).not.toMatch(/<iframe|<object|<embed/i);
  expect(html).not.toMatch(/@import|url\(/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i); // no event-handler attributes anywhere
  expect(html).not.toMatch(/<img/i);
}

/** Element names opened in the page, to check nothing unexpected got in. */
function tagNames(html: string): Set<string> {
  return new Set([...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
}

const ALLOWED_TAGS = new Set([
  "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "nav", "a", "section",
  "h1", "h2", "p", "strong", "div", "figure", "figcaption", "details", "summary", "table", "thead",
  "tbody", "tr", "th", "td", "pre", "svg", "rect", "circle", "line", "path", "text",
]);

describe("renderReport()", () => {
  const input = clusterReportInput();
  const html = renderReport(input);

  test("returns one HTML document", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(count(html, /<html/)).toBe(1);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
  });

  test("is self-contained: no network references, no scripts, a restrictive CSP", () => {
    expectSelfContained(html);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    for (const tag of tagNames(html)) expect(ALLOWED_TAGS.has(tag) ? tag : `unexpected <${tag}>`).toBe(tag);
  });

  test("includes every chart section", () => {
    for (const id of ["confidence", "classes", "scores", "projection", "selected", "metadata"]) {
      expect(html).toContain(`<section id="${id}">`);
    }
    for (const label of ["Max probability: pool vs selection", "Margin: pool vs selection",
      "Entropy: pool vs selection", "Predicted class distribution: pool vs selection",
      "selection_score distribution", "selection_score by rank",
      "PCA projection of the pool, selection highlighted"]) {
      expect(html).toContain(`aria-label="${label}"`);
    }
    expect(count(html, /<svg /)).toBe(7);
    expect(html).toContain("pool · 2,000 rows");
    expect(html).toContain("selection · 50 rows");
    expect(html).toMatch(/PC1 · \d+\.\d% of variance/);
    expect(html).toMatch(/PC2 · \d+\.\d% of variance/);
  });

  test("draws every selected point in the scatter, with a tooltip each", () => {
    expect(count(html, /<circle class="dot-selection"/)).toBe(50);
    // Rows by id, never by their place in memory.
    expect(html).toContain(`<title>rank 1 · id ${input.ids![input.selected[0]!]} · score`);
    expect(html).not.toMatch(/pool row\b(?!s)|· row \d/);
    expect(html).toContain(`<td>${input.ids![input.selected[0]!]}</td>`);
  });

  test("a merge's report charts candidates as candidates and counts the pool the hosts saw", () => {
    const merged = renderReport({ ...input, candidatesOf: 59_000 });
    expect(merged).toContain("pool rows (the hosts saw)");
    expect(merged).toContain("59,000");
    expect(merged).toContain("candidates · 2,000 rows");
    expect(merged).toContain("Confidence: candidates vs selection");
    expect(merged).not.toContain("pool · 2,000 rows");
  });

  test("draws the labelled rows on the projection and names them in the settings", () => {
    const coords = Float64Array.from({ length: 24 }, (_, i) => (i % 2 ? 0.5 : -0.5) * (i / 24));
    const page = renderReport({ ...input, labeled: { rows: 12, source: "/data/labeled", coords } });
    expect(page).toContain("labelled · 12 rows");
    expect(count(page, /<path class="dots-labeled" d="(M[^"]+)"/)).toBe(1);
    expect(page.match(/<path class="dots-labeled" d="([^"]+)"/)![1]!.split("M").length - 1).toBe(12);
    expect(page).toContain("12 from /data/labeled");
    expect(html).not.toContain("dots-labeled\" d");
  });

  test("shows the extra sections and the metadata", () => {
    expect(html).toContain("<h2>Filters</h2>");
    expect(html).toContain("labelled.csv (120 ids)");
    expect(html).toContain("&quot;backend&quot;: &quot;typescript&quot;");
    expect(html).toMatch(/<details open><summary>selection_metadata\.json<\/summary>/);
  });

  test("counts add up: the class table's pool column sums to the pool", () => {
    const tableRows = [...html.matchAll(/<tr><td>(cat|dog|bird)<\/td><td>([\d,]+)<\/td><td>[^<]+<\/td><td>(\d+)<\/td>/g)];
    expect(tableRows.length).toBe(3);
    expect(tableRows.reduce((s, m) => s + Number(m[2]!.replace(/,/g, "")), 0)).toBe(2000);
    expect(tableRows.reduce((s, m) => s + Number(m[3]), 0)).toBe(50);
  });

  test("is deterministic", () => {
    expect(renderReport(clusterReportInput())).toBe(html);
  });

  test("escapes a malicious class name, title, metadata string and section", () => {
    const base = clusterReportInput(300, 10);
    const evil: ReportInput = {
      ...base,
      title: `title ${EVIL}`,
      classNames: [EVIL, `a"b'c&d`, "bird"],
      metadata: { [EVIL]: EVIL, nested: { value: EVIL }, note: "<b>bold</b>" },
      sections: [{ heading: EVIL, rows: [[EVIL, EVIL]] }],
    };
    const out = renderReport(evil);
    expect(out).not.toContain(EVIL);
    expect(out).not.toContain("<img");
    expect(out).not.toContain("<b>bold</b>");
    expect(out).not.toContain(`a"b'c&d`);
    expect(out).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    expect(out).toContain("a&quot;b&#39;c&amp;d");
    expectSelfContained(out.replaceAll("onerror=alert", "xx")); // the escaped text itself mentions onerror
    expect(count(out, /<script/i)).toBe(0);
    for (const tag of tagNames(out)) expect(ALLOWED_TAGS.has(tag) ? tag : `unexpected <${tag}>`).toBe(tag);
  });

  test("without probabilities: skips the confidence and class charts with a note, keeps the rest", () => {
    const out = renderReport({ ...input, probs: null });
    expectSelfContained(out);
    expect(out).toContain("The pool has no probability columns, so there is no confidence to chart.");
    expect(out).toContain("The pool has no probability columns, so there is no predicted class.");
    expect(out).not.toContain('aria-label="Max probability: pool vs selection"');
    expect(out).toContain('aria-label="selection_score distribution"');
    expect(out).toContain('aria-label="PCA projection of the pool, selection highlighted"');
    expect(out).not.toContain("predicted class</th>");
  });

  test("without vectors: skips the scatter with a note", () => {
    const out = renderReport({ ...input, projection: null });
    expectSelfContained(out);
    expect(out).toContain("The pool has no embedding or feature vectors, so there is nothing to project.");
    expect(out).not.toContain("PCA projection of the pool");
    expect(out).toContain('aria-label="Margin: pool vs selection"');
  });

  test("with only scores: charts the scores and says what is missing", () => {
    const out = renderReport({ ...input, probs: null, projection: null, classNames: [] });
    expectSelfContained(out);
    expect(count(out, /<svg /)).toBe(2);
    expect(out).toContain('<div class="card-value">–</div><div class="card-label">pool rows</div>');
  });

  test("with nothing selected: says so instead of drawing empty charts", () => {
    const out = renderReport({ ...input, selected: new Uint32Array(0), selectionScores: new Float64Array(0) });
    expectSelfContained(out);
    expect(out).toContain("Nothing was selected.");
    expect(out).toContain("selection · 0 rows");
  });

  test("keeps non-finite scores and probabilities out of the bins and says how many", () => {
    const probs = input.probs!.slice();
    probs[0] = NaN;
    const scores = input.selectionScores.slice();
    scores[3] = Infinity;
    const out = renderReport({ ...input, probs, selectionScores: scores });
    expect(out).toContain("1 non-finite, not charted");
    expect(out).toContain("Rows with a non-finite probability, not charted: pool 1, selection 0.");
  });

  test("charts the 30 largest of many classes and lists them all in the table", () => {
    const classes = 100;
    const rows = 1000;
    const probs = new Float64Array(rows * classes);
    for (let r = 0; r < rows; r++) probs[r * classes + (r % classes)] = 1;
    const out = renderReport({
      title: "many classes", metadata: {}, classNames: Array.from({ length: classes }, (_, c) => `class_${c}`),
      probs, selected: Uint32Array.of(1, 2, 3), selectionScores: Float64Array.of(3, 2, 1), projection: null,
    });
    expect(out).toContain("The 30 classes with the largest share in the pool or the selection are charted; the table lists all 100.");
    expect(count(out, /<tr><td>class_\d+<\/td>/)).toBe(100);
    expect(count(out, /class="tick class-name"/)).toBe(30);
  });

  test("rejects inputs whose shapes disagree, naming the numbers", () => {
    expect(() => renderReport({ ...input, selectionScores: new Float64Array(3) }))
      .toThrow("50 selected rows but 3 selection scores");
    expect(() => renderReport({ ...input, probs: new Float64Array(7) }))
      .toThrow("probs holds 7 values, not a multiple of the 3 classes");
    expect(() => renderReport({ ...input, projection: { coords: new Float64Array(10), explained: [0.5, 0.2] } }))
      .toThrow("probs has 2000 rows but the projection has 5");
    expect(() => renderReport({ ...input, selected: Uint32Array.from(input.selected, (r, i) => (i === 0 ? 2000 : r)) }))
      .toThrow("selected row 2000 is outside the pool of 2000 rows");
  });

  test(`names the file ${REPORT_FILE_NAME}`, () => {
    expect(REPORT_FILE_NAME).toBe("selection_report.html");
  });
});

describe("renderReport() on a large pool", () => {
  test("samples the pool for the scatter at random, so a pool ordered class by class shows every class", () => {
    // Row r sits at x = r mod 10: every 20th row (a stride) would only ever show x = 0.
    const rows = 100_000;
    const coords = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) coords[2 * r] = r % 10;
    const html = renderReport({
      title: "periodic", metadata: {}, classNames: [], probs: null, selected: Uint32Array.of(0),
      selectionScores: Float64Array.of(1), projection: { coords, explained: [1, 0] },
    });
    const poolPath = html.match(/<path class="dots-pool" d="([^"]*)"/)![1]!;
    const xs = new Set([...poolPath.matchAll(/M([\d.]+) /g)].map((m) => m[1]));
    expect(xs.size).toBe(10);
    expect(renderReport({
      title: "periodic", metadata: {}, classNames: [], probs: null, selected: Uint32Array.of(0),
      selectionScores: Float64Array.of(1), projection: { coords, explained: [1, 0] },
    })).toBe(html);
  });

  test("stays under 2 MB and draws at most 5,000 pool points but every selected point", () => {
    const rows = 1_000_000;
    const classes = 10;
    const probs = new Float64Array(rows * classes);
    const coords = new Float64Array(rows * 2);
    let state = 99;
    const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let r = 0; r < rows; r++) {
      const top = r % classes;
      const p = 0.3 + 0.7 * next();
      for (let c = 0; c < classes; c++) probs[r * classes + c] = c === top ? p : (1 - p) / (classes - 1);
      coords[2 * r] = next() * 10 - 5;
      coords[2 * r + 1] = next() * 4 - 2;
    }
    const n = 5000; // above the tooltip limit: the selected points become one path
    const selected = Uint32Array.from({ length: n }, (_, i) => i * 199);
    const html = renderReport({
      title: "active-sampling: badge, 5,000 of 1,000,000 rows",
      metadata: { strategy: "badge", n },
      classNames: Array.from({ length: classes }, (_, c) => String(c)),
      probs,
      selected,
      selectionScores: Float64Array.from(selected, (_, i) => n - i),
      projection: { coords, explained: [0.31, 0.12] },
    });
    const bytes = new TextEncoder().encode(html).length;
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    const poolPath = html.match(/<path class="dots-pool" d="([^"]*)"/)![1]!;
    expect(count(poolPath, /M/)).toBe(POOL_POINTS_SHOWN);
    const selectedPath = html.match(/<path class="dots-selection" d="([^"]*)"/)![1]!;
    expect(count(selectedPath, /M/)).toBe(n);
    expect(html).toContain("pool · a sample of 5,000 of 1,000,000 rows");
    expect(html).toContain("pool · 1,000,000 rows");
    expectSelfContained(html);
  }, 30_000);
});

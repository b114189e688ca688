/**
 * The report in a real browser: headless Chromium opens selection_report.html from disk, and
 * the test checks that nothing went wrong (no console errors, no exceptions, no CSP
 * violations, no requests besides the file) and that the page actually shows something (the
 * screenshot is decoded and its pixels counted, the SVG charts are laid out at a real size).
 *
 * Needs Chromium (Debian: `apt-get install -y chromium`; or set CHROMIUM_BIN). Without it the
 * tests are skipped and the reason printed. Set REPORT_ARTIFACTS_DIR to keep the rendered
 * pages and screenshots there for a look.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderReport, type ReportInput } from "../../src/report/report.ts";
import { findChromium, withChromium } from "./chromium.ts";
import { clusterReportInput } from "./fixtures.ts";
import { decodePng, type Image } from "./png.ts";

const chromium = findChromium();
if (!chromium) {
  process.stdout.write("SKIP test/report/browser.test.ts: no Chromium on PATH (apt-get install -y chromium, or set CHROMIUM_BIN)\n");
}

const WIDTH = 1200;
const SELECTION_ORANGE: [number, number, number] = [0xe8, 0x59, 0x0c];
const POOL_GREY: [number, number, number] = [0x8b, 0x95, 0xa1];

/** Where pages and screenshots go: REPORT_ARTIFACTS_DIR (kept), else a temp dir (removed). */
function artifactsDir(): { dir: string; done: () => void } {
  const kept = process.env.REPORT_ARTIFACTS_DIR;
  if (kept) {
    mkdirSync(kept, { recursive: true });
    return { dir: kept, done: () => process.stdout.write(`browser test artifacts kept in ${kept}\n`) };
  }
  const dir = mkdtempSync(join(tmpdir(), "active-sampling-report-"));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Pixels within `tolerance` (per channel) of a colour, inside an optional rectangle. */
function countColour(image: Image, rgb: [number, number, number], tolerance = 12,
  rect = { x: 0, y: 0, width: image.width, height: image.height }): number {
  let n = 0;
  for (let y = Math.max(0, rect.y); y < Math.min(image.height, rect.y + rect.height); y++) {
    for (let x = Math.max(0, rect.x); x < Math.min(image.width, rect.x + rect.width); x++) {
      const p = (y * image.width + x) * 4;
      if (Math.abs(image.rgba[p]! - rgb[0]) <= tolerance && Math.abs(image.rgba[p + 1]! - rgb[1]) <= tolerance
        && Math.abs(image.rgba[p + 2]! - rgb[2]) <= tolerance) n++;
    }
  }
  return n;
}

/** Pixels dark enough to be ink (text, bars, points, lines) rather than page or card background. */
function inkPixels(image: Image): number {
  let n = 0;
  for (let p = 0; p < image.width * image.height; p++) {
    const i = p * 4;
    if (Math.min(image.rgba[i]!, image.rgba[i + 1]!, image.rgba[i + 2]!) < 200) n++;
  }
  return n;
}

function distinctColours(image: Image): number {
  const seen = new Set<number>();
  for (let p = 0; p < image.width * image.height; p++) {
    const i = p * 4;
    seen.add((image.rgba[i]! << 16) | (image.rgba[i + 1]! << 8) | image.rgba[i + 2]!);
  }
  return seen.size;
}

interface Rect { x: number; y: number; width: number; height: number }

describe.skipIf(!chromium)("selection_report.html in headless Chromium", () => {
  test("the checks can fail: a page with errors is caught, and its red block decodes as red", async () => {
    const { dir, done } = artifactsDir();
    try {
      const bad = join(dir, "control-errors.html");
      writeFileSync(bad, `<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0;background:#fff"><div style="width:100px;height:50px;background:rgb(255,0,0)"></div>
<img src="missing.png" alt=""><script>console.error("control error")</script></body></html>`);
      const strict = join(dir, "control-csp.html");
      writeFileSync(strict, `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
</head><body><img src="blocked.png" alt=""></body></html>`);
      await withChromium(chromium!, async (openPage) => {
        const page = await openPage(pathToFileURL(bad).href);
        expect(page.problems.map((p) => p.text).join("\n")).toContain("control error");
        expect(page.problems.some((p) => /ERR_FILE_NOT_FOUND/.test(p.text))).toBe(true);
        expect(page.otherRequests.some((u) => u.endsWith("/missing.png"))).toBe(true);
        const image = decodePng(await page.screenshot(400));
        expect(image.width).toBe(400);
        const at = (x: number, y: number) => Array.from(image.rgba.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3));
        expect(at(10, 10)).toEqual([255, 0, 0]);
        expect(at(200, 10)).toEqual([255, 255, 255]);

        const csp = await openPage(pathToFileURL(strict).href);
        expect(csp.problems.some((p) => /Content Security Policy/i.test(p.text))).toBe(true);
      });
    } finally {
      done();
    }
  }, 60_000);

  async function renderAndOpen(name: string, input: ReportInput) {
    const { dir, done } = artifactsDir();
    const file = join(dir, `${name}.html`);
    writeFileSync(file, renderReport(input));
    const url = pathToFileURL(file).href;
    try {
      return await withChromium(chromium!, async (openPage) => {
        const page = await openPage(url);
        const png = await page.screenshot(WIDTH);
        writeFileSync(join(dir, `${name}.png`), png);
        const layout = await page.evaluate<{ scrollWidth: number; charts: (Rect & { label: string })[] }>(`({
          scrollWidth: document.documentElement.scrollWidth,
          charts: [...document.querySelectorAll("svg.chart")].map((s) => {
            const r = s.getBoundingClientRect();
            return { label: s.getAttribute("aria-label"), x: r.x, y: r.y + scrollY, width: r.width, height: r.height };
          }),
        })`);
        return { problems: page.problems, otherRequests: page.otherRequests, image: decodePng(png), layout };
      });
    } finally {
      done();
    }
  }

  test("a report for a 3-cluster pool loads cleanly and shows its charts", async () => {
    const { problems, otherRequests, image, layout } = await renderAndOpen("report-clusters", clusterReportInput(2000, 50));
    expect(problems).toEqual([]);
    expect(otherRequests).toEqual([]);

    expect(layout.scrollWidth).toBeLessThanOrEqual(WIDTH); // nothing sticks out sideways
    expect(layout.charts.map((c) => c.label)).toEqual([
      "Max probability: pool vs selection", "Margin: pool vs selection", "Entropy: pool vs selection",
      "Predicted class distribution: pool vs selection", "selection_score distribution",
      "selection_score by rank", "PCA projection of the pool, selection highlighted",
    ]);
    for (const chart of layout.charts) {
      expect(chart.width).toBeGreaterThan(300);
      expect(chart.height).toBeGreaterThan(100);
    }

    expect(image.width).toBe(WIDTH);
    expect(image.height).toBeGreaterThan(2000);
    const pixels = image.width * image.height;
    expect(inkPixels(image) / pixels).toBeGreaterThan(0.02);
    expect(distinctColours(image)).toBeGreaterThan(200);
    expect(countColour(image, SELECTION_ORANGE)).toBeGreaterThan(5000);
    expect(countColour(image, POOL_GREY)).toBeGreaterThan(1000);

    // In the scatter: grey pool dots and the 50 orange selected points, each a few pixels wide.
    const scatter = layout.charts.at(-1)!;
    const box = { x: Math.round(scatter.x), y: Math.round(scatter.y), width: Math.round(scatter.width), height: Math.round(scatter.height) };
    expect(countColour(image, SELECTION_ORANGE, 12, box)).toBeGreaterThan(50 * 10);
    expect(countColour(image, [0xa0, 0xa8, 0xb3], 30, box)).toBeGreaterThan(2000);
  }, 90_000);

  test("a report without probabilities or vectors also loads cleanly", async () => {
    const input = clusterReportInput(500, 20);
    const { problems, otherRequests, image, layout } = await renderAndOpen("report-scores-only",
      { ...input, probs: null, projection: null, classNames: [] });
    expect(problems).toEqual([]);
    expect(otherRequests).toEqual([]);
    expect(layout.charts.map((c) => c.label)).toEqual(["selection_score distribution", "selection_score by rank"]);
    expect(countColour(image, SELECTION_ORANGE)).toBeGreaterThan(2000);
  }, 90_000);
});

/**
 * simulation_report.html: the recommendation, the mean learning curve of every configuration,
 * and the areas per seed behind the recommendation. Self-contained like selection_report.html
 * (same stylesheet, no scripts, a Content-Security-Policy that forbids the rest).
 */
import { escapeHtml as esc, formatCount, formatTick } from "../report/html.ts";
import { htmlPage } from "../report/page.ts";
import { niceTicks } from "../report/svg.ts";
import { mean, spread, compare } from "./compare.ts";
import { areas, rankByArea, type SimulationResult, type StrategyResult } from "./simulate.ts";

export const SIMULATION_REPORT = "simulation_report.html";

/** Ten distinguishable line colours (Tableau 10). */
const COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

export function renderSimulationReport(result: SimulationResult, record: Record<string, unknown>, about: [string, string][]): string {
  const ranked = rankByArea(result.results);
  const random = result.results.find((r) => r.candidate.name === "random")!;
  const rows = ranked.map((r) => {
    const vs = r === random ? null : compare(areas(r), areas(random));
    const cells = [
      `<td class="text">${esc(r.candidate.name)}${r.candidate.name === result.recommendation.name && result.recommendation.kind === "strategy" ? " ★" : ""}</td>`,
      `<td>${pct(mean(areas(r)))}</td>`, `<td>±${pct(spread(areas(r)))}</td>`,
      `<td>${pct(Math.min(...areas(r)))} – ${pct(Math.max(...areas(r)))}</td>`,
      `<td>${vs ? `${signed(vs.meanDifference)} ± ${(100 * vs.standardError).toFixed(1)} pt${vs.significant ? "" : " (noise)"}` : "–"}</td>`,
      `<td class="text"><code>${esc(r.candidate.settings)}</code></td>`,
    ];
    return `<tr>${cells.join("")}</tr>`;
  }).join("\n");
  const s = result.settings;
  return htmlPage("active-sampling simulate", `<header><h1>Which strategy fits these data</h1>
<p><strong>${esc(result.recommendation.text)}</strong></p>
<p class="note">Each configuration ran the same offline loop: ${formatCount(s.seedSize)} random labelled rows to start, then ${s.rounds} rounds of ${formatCount(s.batchSize)},
a proxy model (multinomial logistic regression on the vectors) refitted after each round and scored on ${formatCount(s.testSize)} held-out rows; seeds ${s.seeds.join(", ")}.
Area = mean test accuracy over the fits. A difference counts only when a paired t-test over the seeds puts it beyond noise (95%).
The proxy is not your model: trust a ranking the proxy makes by a wide margin, and treat near-ties as ties.</p>
</header>
<section id="curves"><h2>Learning curves (mean over seeds)</h2>
${curvesSvg(ranked)}
</section>
<section id="areas"><h2>Area under the learning curve</h2>
<div class="scroll"><table class="numbers"><thead><tr><th class="text">configuration</th><th>mean</th><th>spread (sd)</th><th>range over seeds</th><th>vs random (paired)</th><th class="text">settings</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</section>
<section id="run"><h2>Run</h2>
<table class="kv"><tbody>${about.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</tbody></table>
<details><summary>simulation.json</summary><pre>${esc(JSON.stringify(record, null, 2))}</pre></details>
</section>
`, "Written by active-sampling simulate.");
}

/** One line per configuration: mean accuracy over seeds against labelled rows. */
function curvesSvg(results: StrategyResult[]): string {
  const width = 760, height = 380, left = 58, right = 200, top = 20, bottom = 44;
  const lines = results.map((r) => {
    const points = Math.min(...r.curves.map((c) => c.accuracy.length));
    const x = Array.from({ length: points }, (_, i) => mean(r.curves.map((c) => c.labelled[i]!)));
    const y = Array.from({ length: points }, (_, i) => mean(r.curves.map((c) => c.accuracy[i]!)));
    return { name: r.candidate.name, x, y };
  });
  const xs = lines.flatMap((l) => l.x), ys = lines.flatMap((l) => l.y);
  const xt = niceTicks(Math.min(...xs), Math.max(...xs), 6, true), yt = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const x0 = Math.min(xt.ticks[0]!, ...xs), x1 = Math.max(xt.ticks.at(-1)!, ...xs);
  const y0 = Math.min(yt.ticks[0]!, ...ys), y1 = Math.max(yt.ticks.at(-1)!, ...ys);
  const w = width - left - right, h = height - top - bottom;
  const sx = (v: number) => (left + ((v - x0) / (x1 - x0 || 1)) * w).toFixed(1);
  const sy = (v: number) => (top + h - ((v - y0) / (y1 - y0 || 1)) * h).toFixed(1);
  let out = `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="learning curves">`;
  for (const t of yt.ticks) {
    if (t < y0 || t > y1) continue;
    out += `<line class="grid" x1="${left}" x2="${left + w}" y1="${sy(t)}" y2="${sy(t)}"/><text class="tick" x="${left - 6}" y="${(Number(sy(t)) + 3.5).toFixed(1)}" text-anchor="end">${formatTick(t * 100, yt.step * 100)}%</text>`;
  }
  for (const t of xt.ticks) {
    if (t < x0 || t > x1) continue;
    out += `<line class="axis" x1="${sx(t)}" x2="${sx(t)}" y1="${top + h}" y2="${top + h + 4}"/><text class="tick" x="${sx(t)}" y="${top + h + 15}" text-anchor="middle">${formatCount(t)}</text>`;
  }
  out += `<line class="axis" x1="${left}" x2="${left + w}" y1="${top + h}" y2="${top + h}"/>`;
  lines.forEach((line, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const d = line.x.map((x, k) => `${k === 0 ? "M" : "L"}${sx(x)} ${sy(line.y[k]!)}`).join("");
    out += `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"><title>${esc(line.name)}</title></path>`;
    out += `<rect x="${left + w + 14}" y="${top + 4 + i * 18}" width="12" height="3" fill="${colour}"/><text class="legend" x="${left + w + 32}" y="${top + 9 + i * 18}">${esc(line.name)}</text>`;
  });
  out += `<text class="axis-label" x="${left + w / 2}" y="${height - 6}" text-anchor="middle">labelled rows</text>`;
  out += `<text class="axis-label" transform="translate(13 ${top + h / 2}) rotate(-90)" text-anchor="middle">test accuracy (proxy model)</text>`;
  return out + "</svg>";
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function signed(x: number): string {
  return `${x >= 0 ? "+" : "−"}${(100 * Math.abs(x)).toFixed(1)}`;
}

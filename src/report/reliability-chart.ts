/**
 * The reliability diagram of the calibration rows: per confidence bin, the share of right
 * predictions against the mean confidence, before and after temperature scaling, with the
 * diagonal a calibrated model lies on. Inline SVG in the report's own chart classes; `figure`
 * markup ready for a report section.
 */
import { escapeHtml as esc, formatShare, formatValue } from "./html.ts";

export interface ReliabilityPoint { lower: number; upper: number; rows: number; mean_confidence: number; accuracy: number }

const W = 460, H = 300, LEFT = 52, RIGHT = 16, TOP = 26, BOTTOM = 44;

export function reliabilityFigure(before: ReliabilityPoint[], after: ReliabilityPoint[] | null, eceBefore: number, eceAfter: number | null): string {
  const x = (v: number) => LEFT + v * (W - LEFT - RIGHT);
  const y = (v: number) => H - BOTTOM - v * (H - TOP - BOTTOM);
  const parts: string[] = [];
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line class="grid" x1="${x(0)}" x2="${x(1)}" y1="${y(t)}" y2="${y(t)}"/><text class="tick" x="${LEFT - 6}" y="${y(t) + 3.5}" text-anchor="end">${t}</text>`);
    parts.push(`<text class="tick" x="${x(t)}" y="${H - BOTTOM + 15}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<line class="axis" x1="${x(0)}" x2="${x(1)}" y1="${y(0)}" y2="${y(1)}" stroke-dasharray="4 3"/>`);
  const series = (points: ReliabilityPoint[], tone: string, offset: number, label: string) => {
    for (const p of points) {
      const width = (x(p.upper) - x(p.lower)) / 2 - 1;
      const left = x(p.lower) + offset * (width + 1);
      parts.push(`<rect class="${tone}" x="${left.toFixed(1)}" y="${y(p.accuracy).toFixed(1)}" width="${width.toFixed(1)}" height="${(y(0) - y(p.accuracy)).toFixed(1)}"><title>${esc(`${label}: confidence ${formatValue(p.lower, 3)}–${formatValue(p.upper, 3)}, ${p.rows} rows, mean confidence ${formatValue(p.mean_confidence, 3)}, right ${formatShare(p.accuracy)}`)}</title></rect>`);
    }
  };
  series(before, "tone-pool", 0, "as given");
  if (after) series(after, "tone-selection", 1, "temperature-scaled");
  parts.push(`<rect class="tone-pool" x="${LEFT}" y="7" width="10" height="10" rx="2"/><text class="legend" x="${LEFT + 15}" y="16">as given · ECE ${formatValue(eceBefore, 3)}</text>`);
  if (after && eceAfter !== null) parts.push(`<rect class="tone-selection" x="${LEFT + 190}" y="7" width="10" height="10" rx="2"/><text class="legend" x="${LEFT + 205}" y="16">temperature-scaled · ECE ${formatValue(eceAfter, 3)}</text>`);
  parts.push(`<text class="axis-label" x="${(x(0) + x(1)) / 2}" y="${H - 8}" text-anchor="middle">confidence (top-class probability)</text>`);
  parts.push(`<text class="axis-label" transform="translate(13 ${(y(0) + y(1)) / 2}) rotate(-90)" text-anchor="middle">share right</text>`);
  return `<figure class="wide"><figcaption><strong>Reliability diagram</strong> · calibration rows; a calibrated model's bars reach the dashed diagonal</figcaption>
<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Reliability diagram">${parts.join("")}</svg></figure>`;
}

/**
 * The frame of every page the tool writes (selection_report.html, simulation_report.html):
 * self-contained, one stylesheet, no scripts, and a Content-Security-Policy that forbids
 * everything else, so a report opened from S3 or a laptop never reaches the network.
 */
import { escapeHtml as esc } from "./html.ts";

/** A whole page: `body` is trusted HTML the caller built with escapeHtml. */
export function htmlPage(title: string, body: string, writtenBy: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<footer>${esc(writtenBy)} This page is self-contained: no scripts, no network requests.</footer>
</main>
</body>
</html>
`;
}

const STYLE = `
:root { --pool: #8b95a1; --sel: #e8590c; --sel-dark: #8a3306; --ink: #1f2328; --muted: #5f6b76;
  --line: #d9dee3; --bg: #f5f6f8; --card: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 22px; margin: 0 0 14px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 0 0 8px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
header, section { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 18px 20px; margin-bottom: 18px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 120px; background: #fafbfc; }
.card-value { font-size: 18px; font-weight: 600; }
.card-label { font-size: 12px; color: var(--muted); }
nav { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 4px 0 8px; }
nav a { color: #0b5cad; text-decoration: none; font-size: 13px; }
nav a:hover { text-decoration: underline; }
.lede { color: var(--muted); margin: 4px 0 12px; }
.note { color: var(--muted); font-size: 12.5px; margin: 6px 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(470px, 1fr)); gap: 14px 20px; align-items: start; }
figure { margin: 0; min-width: 0; }
figure.wide { text-align: center; }
figcaption { font-size: 13px; margin-bottom: 2px; }
svg.chart { max-width: 100%; height: auto; display: block; }
figure.wide svg.chart { margin: 0 auto; }
svg.chart text { font-family: inherit; font-size: 11px; fill: #3d4650; }
svg.chart .legend { font-size: 11.5px; fill: var(--ink); }
svg.chart .axis-label { font-size: 12px; fill: var(--ink); }
svg.chart .value { font-size: 10px; fill: var(--muted); }
svg.chart .grid { stroke: #eceff2; stroke-width: 1; }
svg.chart .axis { stroke: #8c959f; stroke-width: 1; }
svg.chart .frame { fill: none; stroke: var(--line); }
svg.chart .tone-pool { fill: var(--pool); }
svg.chart .tone-selection { fill: var(--sel); }
svg.chart .swatch-pool { fill: #a9b1ba; }
svg.chart .swatch-selection { fill: var(--sel); stroke: var(--sel-dark); }
svg.chart .dots-pool { fill: none; stroke: #939daa; stroke-opacity: 0.6; stroke-width: 3.2; stroke-linecap: round; }
svg.chart .swatch-labeled { fill: #1971c2; }
svg.chart .tone-labeled { fill: #1971c2; }
svg.chart .dots-labeled { fill: none; stroke: #1971c2; stroke-width: 4; stroke-linecap: round; }
svg.chart .dot-selection { fill: var(--sel); stroke: var(--sel-dark); stroke-width: 1; }
svg.chart .dots-selection { fill: none; stroke: var(--sel); stroke-width: 4.5; stroke-linecap: round; }
svg.chart .line-selection { fill: none; stroke: var(--sel); stroke-width: 1.8; stroke-linejoin: round; stroke-linecap: round; }
svg.chart rect:hover, svg.chart circle:hover { opacity: 0.75; }
table { border-collapse: collapse; font-size: 12.5px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eef0f2; text-align: left; vertical-align: top; }
thead th { border-bottom: 1px solid var(--line); color: var(--muted); font-weight: 600; }
table.numbers td:not(:first-child), table.numbers th:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
table.numbers td.text, table.numbers th.text { text-align: left; }
table.kv th { color: var(--muted); font-weight: 500; white-space: nowrap; }
table.kv td { overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
.scroll { overflow-x: auto; }
details { margin: 6px 0; }
summary { cursor: pointer; color: #0b5cad; font-size: 13px; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow: auto;
  max-height: 640px; font: 12px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre; }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 10px; }
@media print { body { background: #fff; } header, section { break-inside: avoid; border: none; } }
`;

/**
 * Text helpers for the HTML report: escaping and number formatting. Every string that reaches
 * the page goes through `escapeHtml`, whether it lands in element text or in an attribute,
 * because ids, column names, class names and config values all come from users.
 */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Safe in element text and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** 1234567 → "1,234,567" (fixed separators, whatever the machine's locale). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.round(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A share in [0, 1] as a percentage: 0.1234 → "12.3%"; tiny non-zero shares stay visible. */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return "–";
  const pct = share * 100;
  if (pct > 0 && pct < 0.1) return "<0.1%";
  return `${pct.toFixed(1)}%`;
}

/**
 * A value with about `significant` significant digits, without exponent for everyday sizes;
 * trailing zeros are dropped unless `keepZeros` (for columns that should line up).
 */
export function formatValue(x: number, significant = 4, keepZeros = false): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+∞" : "−∞";
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  if (magnitude >= 1e6 || magnitude < 1e-4) return x.toExponential(significant - 1);
  const decimals = Math.max(0, significant - 1 - Math.floor(Math.log10(magnitude)));
  const text = x.toFixed(Math.min(decimals, 10));
  return keepZeros ? text : trimZeros(text);
}

/** A fixed number of decimals, for columns of values on one scale (probabilities, entropies). */
export function formatFixed(x: number, decimals: number): string {
  return Number.isFinite(x) ? x.toFixed(decimals) : formatValue(x);
}

/** A tick label for a tick grid of the given step: as many decimals as the step needs (0.25 → 2). */
export function formatTick(x: number, step: number): string {
  let decimals = 0;
  if (step > 0) {
    while (decimals < 10 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6 * step * 10 ** decimals) {
      decimals++;
    }
  } else decimals = 2;
  const text = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

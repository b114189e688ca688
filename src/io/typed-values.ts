/**
 * Cell values that a JS number or Date would change: timestamps in µs and ns (a Date keeps
 * ms), dates (a Date is an instant, not a calendar day) and decimals (a double rounds
 * 12345678901234567890.12). Each keeps the file's own integer and prints itself at full precision.
 */
import type { TimeUnit } from "./column-type.ts";

const UNITS_PER_SECOND: Record<TimeUnit, bigint> = { ms: 1000n, us: 1_000_000n, ns: 1_000_000_000n };
const FRACTION_DIGITS: Record<TimeUnit, number> = { ms: 3, us: 6, ns: 9 };

/** A point in time as the file counts it: `value` units since 1970-01-01T00:00:00. */
export class Timestamp {
  constructor(
    readonly value: bigint,
    readonly unit: TimeUnit,
    /** null: wall-clock time with no zone; "UTC" or an IANA zone: an instant. */
    readonly timeZone: string | null,
  ) {}

  /** Whole milliseconds (rounded down), as a Date holds them. */
  get epochMilliseconds(): number {
    return Number(floorDiv(this.value * 1000n, UNITS_PER_SECOND[this.unit]));
  }

  /**
   * ISO 8601 with every digit of the unit: "2024-01-02T03:04:05.123456789" (no zone),
   * "…Z" (UTC), or the wall time in a named zone with its offset, "…+01:00", as pandas and
   * Polars write zoned timestamps to CSV.
   */
  toString(): string {
    const perSecond = UNITS_PER_SECOND[this.unit];
    let seconds = floorDiv(this.value, perSecond);
    const fraction = (this.value - seconds * perSecond).toString().padStart(FRACTION_DIGITS[this.unit], "0");
    let suffix = "";
    if (this.timeZone !== null && !isUtc(this.timeZone)) {
      const offset = zoneOffsetSeconds(this.timeZone, Number(seconds) * 1000);
      if (offset === undefined) suffix = "Z";
      else {
        seconds += BigInt(offset);
        suffix = offsetText(offset);
      }
    } else if (this.timeZone !== null) {
      suffix = "Z";
    }
    const wall = new Date(Number(seconds) * 1000).toISOString(); // "YYYY-MM-DDTHH:MM:SS.000Z"
    return `${wall.slice(0, wall.length - 5)}.${fraction}${suffix}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A calendar day: `days` since 1970-01-01. */
export class CalendarDate {
  constructor(readonly days: number) {}

  toString(): string {
    return new Date(this.days * 86_400_000).toISOString().slice(0, -14); // "YYYY-MM-DD"
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A time of day: `value` units since midnight. */
export class TimeOfDay {
  constructor(readonly value: bigint, readonly unit: TimeUnit) {}

  /** "03:04:05.123456", every digit of the unit. */
  toString(): string {
    const perSecond = UNITS_PER_SECOND[this.unit];
    const seconds = floorDiv(this.value, perSecond);
    const fraction = (this.value - seconds * perSecond).toString().padStart(FRACTION_DIGITS[this.unit], "0");
    const s = Number(seconds);
    const two = (n: number) => String(n).padStart(2, "0");
    return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${fraction}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A decimal number: `unscaled` × 10^-scale, exactly. */
export class Decimal {
  constructor(readonly unscaled: bigint, readonly scale: number) {}

  /** The nearest double, for the engine's arithmetic. */
  toNumber(): number {
    return Number(this.toString());
  }

  /** Every digit, with `scale` digits after the point: "12.50", "-0.125". */
  toString(): string {
    if (this.scale <= 0) return (this.unscaled * 10n ** BigInt(-this.scale)).toString();
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString().padStart(this.scale + 1, "0");
    const point = digits.length - this.scale;
    return `${negative ? "-" : ""}${digits.slice(0, point)}.${digits.slice(point)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** A value of one of the classes above: each prints itself at full precision with toString(). */
export type TypedValue = Timestamp | CalendarDate | TimeOfDay | Decimal;

export function isTypedValue(value: unknown): value is TypedValue {
  return value instanceof Timestamp || value instanceof CalendarDate || value instanceof TimeOfDay || value instanceof Decimal;
}

/** Two's-complement big-endian bytes (Parquet and Arrow decimals) as a bigint. */
export function bigEndianSigned(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const bits = BigInt(bytes.length * 8);
  return bytes.length > 0 && bytes[0]! & 0x80 ? value - (1n << bits) : value;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

function isUtc(zone: string): boolean {
  return /^(utc|z|etc\/utc|gmt|\+00:?00)$/i.test(zone);
}

const zoneFormats = new Map<string, Intl.DateTimeFormat | null>();

/** The zone's offset from UTC at that instant, in seconds; undefined for a zone Intl does not know. */
function zoneOffsetSeconds(zone: string, epochMs: number): number | undefined {
  let format = zoneFormats.get(zone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
      });
    } catch {
      format = null;
    }
    zoneFormats.set(zone, format);
  }
  if (format === null) return undefined;
  const parts = Object.fromEntries(format.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((wall - Math.floor(epochMs / 1000) * 1000) / 1000);
}

function offsetText(seconds: number): string {
  const sign = seconds < 0 ? "-" : "+";
  const minutes = Math.abs(Math.round(seconds / 60));
  return `${sign}${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

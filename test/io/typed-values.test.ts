import { describe, expect, test } from "bun:test";
import { bigEndianSigned, CalendarDate, Decimal, TimeOfDay, Timestamp } from "../../src/io/typed-values.ts";

describe("Timestamp", () => {
  test("prints every digit of its unit, with Z for UTC and none for a local time", () => {
    expect(String(new Timestamp(1704164645123456789n, "ns", null))).toBe("2024-01-02T03:04:05.123456789");
    expect(String(new Timestamp(1704164645123456n, "us", "UTC"))).toBe("2024-01-02T03:04:05.123456Z");
    expect(String(new Timestamp(1704164645123n, "ms", null))).toBe("2024-01-02T03:04:05.123");
  });

  test("counts before 1970 down, not towards zero", () => {
    expect(String(new Timestamp(-1n, "ns", null))).toBe("1969-12-31T23:59:59.999999999");
    expect(new Timestamp(-1n, "us", null).epochMilliseconds).toBe(-1);
  });

  test("shows a named zone's wall time and offset, summer and winter", () => {
    expect(String(new Timestamp(1704164645123456789n, "ns", "Europe/Paris"))).toBe("2024-01-02T04:04:05.123456789+01:00");
    expect(String(new Timestamp(1719781200000000n, "us", "Europe/Paris"))).toBe("2024-06-30T23:00:00.000000+02:00");
    expect(String(new Timestamp(0n, "ms", "America/St_Johns"))).toBe("1969-12-31T20:30:00.000-03:30");
  });

  test("falls back to UTC for a zone it does not know", () => {
    expect(String(new Timestamp(0n, "ms", "Not/AZone"))).toBe("1970-01-01T00:00:00.000Z");
  });
});

describe("CalendarDate and Decimal", () => {
  test("a date prints as YYYY-MM-DD, before 1970 too", () => {
    expect([19782, -1, 0].map((d) => String(new CalendarDate(d)))).toEqual(["2024-02-29", "1969-12-31", "1970-01-01"]);
  });

  test("a time of day prints every digit of its unit", () => {
    expect(String(new TimeOfDay(11045123456789n, "ns"))).toBe("03:04:05.123456789");
    expect(String(new TimeOfDay(86399999999n, "us"))).toBe("23:59:59.999999");
    expect(String(new TimeOfDay(0n, "ms"))).toBe("00:00:00.000");
  });

  test("a decimal keeps every digit and its scale", () => {
    expect(String(new Decimal(123456789012345678901234567890123456n, 10))).toBe("12345678901234567890123456.7890123456");
    expect(String(new Decimal(-1n, 4))).toBe("-0.0001");
    expect(String(new Decimal(0n, 2))).toBe("0.00");
    expect(String(new Decimal(12n, -2))).toBe("1200");
    expect(new Decimal(-125n, 3).toNumber()).toBe(-0.125);
  });

  test("bigEndianSigned() reads two's-complement bytes of any length", () => {
    expect(bigEndianSigned(new Uint8Array([0xff, 0xff]))).toBe(-1n);
    expect(bigEndianSigned(new Uint8Array([0x7f, 0xff]))).toBe(32767n);
    expect(bigEndianSigned(new Uint8Array([0x80, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(-(2n ** 71n));
  });
});

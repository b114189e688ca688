import { describe, expect, test } from "bun:test";
import { commonType, csvCellValue, csvColumnType, integer, timestamp, typeName, type ColumnType } from "../../src/io/column-type.ts";

describe("csvColumnType(): one rule for every CSV column", () => {
  const cases: [string[], string][] = [
    [["3", "-7", "+2", "0", ""], "int64"],
    [["9223372036854775807", "-9223372036854775808"], "int64"],
    [["9223372036854775808"], "double"], // past int64: still a number
    [["1", "2.5"], "double"],
    [["1e3", "-0.5", ".25", "7."], "double"],
    [["0.1", "nan", "-inf", "Infinity"], "double"],
    [["1", "x"], "string"],
    [["02139", "10001"], "string"], // leading zeros are a code's, not a number's
    [["0.5", "007.5"], "string"],
    [["", " "], "string"], // no value at all
    [["true", "false"], "string"],
  ];
  for (const [cells, type] of cases) {
    test(`${JSON.stringify(cells)} → ${type}`, () => expect(typeName(csvColumnType(cells))).toBe(type));
  }

  test("csvCellValue() gives bigints for int64, numbers for double, null for empty (text columns too), other text unchanged", () => {
    expect(["12", "", "-9223372036854775808"].map((t) => csvCellValue(t, integer(64, true)))).toEqual([12n, null, -(2n ** 63n)]);
    expect(["2.5", "nan", "-inf", " "].map((t) => csvCellValue(t, { kind: "double" }))).toEqual([2.5, NaN, -Infinity, null]);
    expect(csvCellValue(" x ", { kind: "text" })).toBe(" x ");
    expect(["", " "].map((t) => csvCellValue(t, { kind: "text" }))).toEqual([null, " "]);
  });
});

describe("typeName()", () => {
  test("spells types as Arrow does, with the zone of a zoned timestamp", () => {
    expect(typeName(timestamp("ns", null))).toBe("timestamp[ns]");
    expect(typeName(timestamp("us", "Europe/Paris"))).toBe("timestamp[us, tz=Europe/Paris]");
    expect(typeName(integer(16, false))).toBe("uint16");
    expect(typeName({ kind: "decimal", precision: 38, scale: 10 })).toBe("decimal(38, 10)");
    expect(typeName({ kind: "text", dictionary: true })).toBe("dictionary<string>");
  });
});

describe("commonType(): one type for a column that files type differently", () => {
  const cases: [ColumnType, ColumnType, string][] = [
    [integer(8, true), integer(32, true), "int32"],
    [integer(8, false), integer(16, false), "uint16"],
    [integer(32, false), integer(8, true), "int64"],
    [integer(16, true), integer(8, false), "int16"],
    [integer(64, false), integer(64, true), "string"], // no integer type holds both
    [timestamp("us", "UTC"), timestamp("ns", "UTC"), "timestamp[ns, tz=UTC]"],
    [timestamp("ms", null), timestamp("us", "UTC"), "string"], // a local time and an instant
    [{ kind: "float" }, { kind: "double" }, "double"],
    [{ kind: "decimal", precision: 9, scale: 2 }, { kind: "decimal", precision: 18, scale: 2 }, "decimal(18, 2)"],
    [{ kind: "decimal", precision: 9, scale: 2 }, { kind: "decimal", precision: 9, scale: 3 }, "string"],
    [{ kind: "text", dictionary: true }, { kind: "text" }, "string"],
    [{ kind: "double" }, { kind: "text" }, "string"],
  ];
  for (const [a, b, want] of cases) {
    test(`${typeName(a)} and ${typeName(b)} → ${want}`, () => {
      expect(typeName(commonType(a, b))).toBe(want);
      expect(typeName(commonType(b, a))).toBe(want);
    });
  }
});

/**
 * src/io/parquet.ts decodes flat columns with hyparquet's internal page decoders
 * (`hyparquet/src/*.js`), which are not its public API and may change in any release. The
 * package is pinned to one exact version; these tests fail loudly, naming the function, when
 * an upgrade changes the version, a signature or the shape of what the decoders return.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parquetMetadata, parquetSchema } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { parquetHeader, readPage } from "hyparquet/src/column.js";
import { convert, convertWithDictionary, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { decompressPage, readDataPage, readDataPageV2 } from "hyparquet/src/datapage.js";
import { parquetWithV1Pages } from "./parquet-v1.ts";

const ROOT = join(import.meta.dir, "../..");
const UPGRADE = "hyparquet's internals changed: src/io/parquet.ts calls them directly; check its decodeFlatChunk against the new release before moving the pin";

describe("hyparquet internals used by the Parquet reader", () => {
  test("package.json pins hyparquet to the exact version installed", () => {
    const pinned = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).dependencies.hyparquet as string;
    const installed = JSON.parse(readFileSync(join(ROOT, "node_modules/hyparquet/package.json"), "utf8")).version as string;
    expect(pinned, `hyparquet must be pinned exactly (no ^ or ~): ${UPGRADE}`).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed, `installed hyparquet ${installed} is not the pinned ${pinned}`).toBe(pinned);
  });

  test("each imported function takes the arguments parquet.ts passes", () => {
    const arity: [string, unknown, number][] = [
      ["column.js parquetHeader(reader)", parquetHeader, 1],
      ["column.js readPage(reader, header, decoder, dictionary, previousChunk, pageStart)", readPage, 6],
      ["convert.js convert(data, decoder)", convert, 2],
      ["convert.js convertWithDictionary(data, dictionary, encoding, decoder)", convertWithDictionary, 4],
      ["datapage.js decompressPage(bytes, size, codec, compressors)", decompressPage, 4],
      ["datapage.js readDataPage(bytes, header, decoder)", readDataPage, 3],
      ["datapage.js readDataPageV2(bytes, header, decoder)", readDataPageV2, 3],
    ];
    for (const [signature, fn, length] of arity) {
      expect(typeof fn, `${signature} is gone: ${UPGRADE}`).toBe("function");
      expect((fn as (...a: unknown[]) => unknown).length, `${signature} changed its arguments: ${UPGRADE}`).toBe(length);
    }
    for (const parser of ["timestampFromMilliseconds", "timestampFromMicroseconds", "timestampFromNanoseconds", "dateFromDays"]) {
      expect(typeof (DEFAULT_PARSERS as unknown as Record<string, unknown>)[parser], `DEFAULT_PARSERS.${parser}, overridden for epoch-ms timestamps, is gone: ${UPGRADE}`).toBe("function");
    }
  });

  test("a version 2 page decodes to the header fields and page shape parquet.ts reads", () => {
    const bytes = parquetWriteBuffer({ columnData: [{ name: "x", type: "DOUBLE", data: [1.5, null, 3.5], nullable: true }], codec: "UNCOMPRESSED" } as never);
    const { header, page, decoder } = firstPage(bytes);
    expect(header.type, UPGRADE).toBe("DATA_PAGE_V2");
    const v2 = header.data_page_header_v2!;
    for (const field of ["num_values", "num_nulls", "encoding", "definition_levels_byte_length", "repetition_levels_byte_length"] as const) {
      expect(v2[field], `data_page_header_v2.${field}: ${UPGRADE}`).toBeDefined();
    }
    expect([v2.num_values, v2.num_nulls]).toEqual([3, 1]);
    const decoded = readDataPageV2(page, header, decoder);
    expect(Array.from(decoded.dataPage as ArrayLike<number>), `readDataPageV2().dataPage: ${UPGRADE}`).toEqual([1.5, 3.5]);
    expect(decoded.definitionLevels, `readDataPageV2().definitionLevels: ${UPGRADE}`).toEqual([1, 0, 1]);
    expect(Array.from(convertWithDictionary(decoded.dataPage, undefined, v2.encoding, decoder) as ArrayLike<number>)).toEqual([1.5, 3.5]);
  });

  test("a version 1 page, as pyarrow writes it, decodes through decompressPage and readDataPage", () => {
    const bytes = parquetWithV1Pages([{ name: "x", type: "DOUBLE", optional: true, values: [2.5, null, 4] }], { rowsPerPage: 3, snappy: false });
    const { header, page, decoder } = firstPage(bytes);
    expect(header.type, UPGRADE).toBe("DATA_PAGE");
    const raw = decompressPage(page, header.uncompressed_page_size, "UNCOMPRESSED", {});
    const decoded = readDataPage(raw, header.data_page_header!, decoder);
    expect(Array.from(decoded.dataPage as ArrayLike<number>), `readDataPage().dataPage: ${UPGRADE}`).toEqual([2.5, 4]);
    expect(decoded.definitionLevels, `readDataPage().definitionLevels: ${UPGRADE}`).toEqual([1, 0, 1]);
  });
});

/** The first page of the file's first column chunk, and a decoder built the way parquet.ts builds one. */
function firstPage(bytes: Uint8Array | ArrayBuffer) {
  const buffer = bytes instanceof ArrayBuffer ? bytes : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(buffer);
  const meta = metadata.row_groups[0]!.columns[0]!.meta_data!;
  const reader = { view: new DataView(buffer), offset: Number(meta.data_page_offset) };
  const header = parquetHeader(reader);
  for (const field of ["type", "compressed_page_size", "uncompressed_page_size"] as const) {
    expect(header[field], `parquetHeader().${field}: ${UPGRADE}`).toBeDefined();
  }
  const page = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
  const tree = parquetSchema(metadata).children[0]!;
  const decoder = {
    pathInSchema: [tree.element.name], type: tree.element.type!, element: tree.element,
    schemaPath: [{ children: [tree], count: 1, element: { name: "root" }, path: [] }, tree],
    codec: meta.codec, parsers: DEFAULT_PARSERS, compressors: {}, utf8: true,
  } as unknown as Parameters<typeof readDataPageV2>[2];
  return { header, page, decoder };
}

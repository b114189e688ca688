/**
 * Builds Parquet files with version 1 data pages, the kind pyarrow writes by default
 * (data_page_version="1.0") and hyparquet-writer never does: it writes version 2 pages only.
 * Flat columns, PLAIN encoding, one row group, from hyparquet-writer's own building blocks.
 */
import { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { writeRleBitPackedHybrid } from "hyparquet-writer/src/encoding.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { writePlain } from "hyparquet-writer/src/plain.js";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import type { ColumnChunk, SchemaElement } from "hyparquet";

export interface V1Column {
  name: string;
  type: "DOUBLE" | "FLOAT" | "INT32" | "INT64" | "BYTE_ARRAY";
  /** UTF8 for text. */
  converted_type?: "UTF8";
  optional: boolean;
  values: unknown[];
}

export function parquetWithV1Pages(columns: V1Column[], options: { rowsPerPage: number; snappy: boolean }): Uint8Array {
  const rows = columns[0]!.values.length;
  const writer = new ByteWriter();
  writer.appendUint32(0x31524150); // PAR1
  const chunks: ColumnChunk[] = [];
  for (const column of columns) {
    const start = writer.offset;
    let uncompressedTotal = 0;
    for (let from = 0; from < rows; from += options.rowsPerPage) {
      const slice = column.values.slice(from, from + options.rowsPerPage);
      const body = new ByteWriter();
      if (column.optional) {
        // V1 definition levels: a 4-byte length, then the RLE/bit-packed hybrid levels.
        const levels = new ByteWriter();
        writeRleBitPackedHybrid(levels, slice.map((v) => (v === null ? 0 : 1)), 1);
        body.appendUint32(levels.offset);
        body.appendBytes(levels.getBytes());
      }
      const present = slice.filter((v) => v !== null);
      const encoded = column.type === "BYTE_ARRAY" ? present.map((v) => new TextEncoder().encode(v as string)) : present;
      writePlain(body, encoded as never, column.type, undefined);
      const raw = body.getBytes();
      const stored = options.snappy ? snappyCompress(raw) : raw;
      writePageHeader(writer, {
        type: "DATA_PAGE",
        uncompressed_page_size: raw.length,
        compressed_page_size: stored.length,
        data_page_header: { num_values: slice.length, encoding: "PLAIN", definition_level_encoding: "RLE", repetition_level_encoding: "RLE" },
      });
      writer.appendBytes(stored);
      uncompressedTotal += raw.length;
    }
    chunks.push({
      file_offset: BigInt(start),
      meta_data: {
        type: column.type,
        encodings: ["PLAIN", "RLE"],
        path_in_schema: [column.name],
        codec: options.snappy ? "SNAPPY" : "UNCOMPRESSED",
        num_values: BigInt(rows),
        total_uncompressed_size: BigInt(uncompressedTotal),
        total_compressed_size: BigInt(writer.offset - start),
        data_page_offset: BigInt(start),
      },
    });
  }
  const schema: SchemaElement[] = [
    { name: "root", num_children: columns.length },
    ...columns.map((c): SchemaElement => ({
      name: c.name, type: c.type, repetition_type: c.optional ? "OPTIONAL" : "REQUIRED", converted_type: c.converted_type,
    })),
  ];
  // hyparquet-writer carries its own hyparquet (1.31) whose metadata types differ in name only.
  writeMetadata(writer, {
    version: 1, schema, num_rows: BigInt(rows), metadata_length: 0,
    row_groups: [{ columns: chunks, total_byte_size: BigInt(writer.offset), num_rows: BigInt(rows) }],
  } as unknown as Parameters<typeof writeMetadata>[1]);
  writer.appendUint32(0x31524150);
  return writer.getBytes();
}

/**
 * Reads a Parquet file into a ColumnarTable with hyparquet.
 *
 * The file is read one column chunk at a time (positional reads, never the whole file), so
 * beyond the decoded columns only one chunk's bytes are in memory. Each top-level column lands
 * in one array for the whole file: a typed array (with a missing-row mask) for numbers and
 * timestamps, a plain array for text, booleans and anything nested.
 *
 * Flat columns, the ones inference outputs are made of, skip hyparquet's row assembly: its
 * generic Dremel assembly (`assembleLists`) took 60% of the read time on nullable float columns,
 * the kind pandas and pyarrow write. They are decoded page by page with hyparquet's own page
 * decoders, imported from `hyparquet/src/*.js` (its package exports them; 1.33.0 is pinned), and
 * scattered into the column by definition level. Nested columns go through the public
 * `parquetRead` and become "other" columns holding arrays and objects.
 *
 * Every flat column keeps its type as the schema states it (see storageOf): integer width and
 * sign, timestamp unit and zone, dates, decimal precision and scale. Timestamps, dates and
 * decimals are held as the file's own integers, never rounded through a Date or a double. A
 * file written from Arrow (pyarrow, Polars) also carries its Arrow schema, which names the
 * time zone and marks dictionary (categorical) columns: those are taken from it.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import * as zlib from "node:zlib";
import { parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import type { AsyncBuffer, CompressionCodec, Compressors, DecodedArray, FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from "hyparquet";
import { parquetHeader, readPage } from "hyparquet/src/column.js";
import { convert, convertWithDictionary, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { decompressPage, readDataPage, readDataPageV2 } from "hyparquet/src/datapage.js";
import { DataError } from "../errors.ts";
import { arrowSchemaHints, type ArrowSchemaHint } from "./arrow-schema.ts";
import { BOOLEAN, DOUBLE, FLOAT, INT32, INT64, integer, OTHER, TEXT, timestamp, type ColumnType, type IntegerBits } from "./column-type.ts";
import { ColumnarTable, type ColumnPiece, type HeldColumn, type LazyColumn } from "./columnar-table.ts";
import { lz4BlockUncompress } from "./lz4.ts";
import { snappyUncompress } from "./snappy.ts";
import type { Table } from "./table.ts";
import { bigEndianSigned } from "./typed-values.ts";
import { textOf, Utf8Column } from "./utf8-column.ts";

/** hyparquet's per-column decoding parameters (not exported from its index). */
type ColumnDecoder = Parameters<typeof readDataPageV2>[2];

/** How a column's values are held: the typed array they go into, or "boxed" for JS values. */
type Storage = "float64" | "float32" | "int32" | "uint32" | "bigint64" | "biguint64" | "boxed";

interface ColumnPlan {
  name: string;
  type: ColumnType;
  storage: Storage;
  /** A leaf directly under the root, not repeated: decoded here, page by page. */
  flat: boolean;
  tree: SchemaTree;
  /** Decode the physical values only (decimals: the unscaled integers), not hyparquet's conversion. */
  physical: boolean;
}

/** Parquet codecs this reader decompresses, and how. */
const COMPRESSORS: Compressors = {
  SNAPPY: snappyUncompress,
  GZIP: (input) => zlib.unzipSync(input),
  BROTLI: (input) => zlib.brotliDecompressSync(input),
  LZ4_RAW: lz4BlockUncompress,
  ...zstdDecompressor(),
};

/**
 * Bun's own one-shot zstd when there is one: node:zlib's decompresses through a stream of 16 KiB
 * chunks it then concatenates, 1.3 s of a 10M-row pool's 5 s streamed run (Bun's: about 0.8 s).
 * Deno: node:zlib's, when it has zstd.
 */
function zstdDecompressor(): Compressors {
  const bun = (globalThis as { Bun?: { zstdDecompressSync?(b: Uint8Array): Uint8Array } }).Bun;
  if (bun?.zstdDecompressSync) return { ZSTD: (input) => bun.zstdDecompressSync!(input) };
  if ("zstdDecompressSync" in zlib) return { ZSTD: (input) => (zlib as unknown as { zstdDecompressSync(b: Uint8Array): Uint8Array }).zstdDecompressSync(input) };
  return {};
}

/** Text as hyparquet's parser decodes it (non-fatal UTF-8), ASCII by the native Latin-1 slice (utf8-column.ts). */
const PARSERS: ParquetParsers = {
  ...DEFAULT_PARSERS,
  stringFromBytes: (bytes: Uint8Array) => textOf(bytes, 0, bytes.length),
};

/**
 * Timestamps stay the file's integer in its own unit (INT96 as nanoseconds) and dates its day
 * count, so they fit typed arrays and lose nothing; `cell()` wraps them by the column's type.
 */
const RAW_TIME_PARSERS: ParquetParsers = {
  ...PARSERS,
  timestampFromMilliseconds: (millis: bigint) => millis,
  timestampFromMicroseconds: (micros: bigint) => micros,
  timestampFromNanoseconds: (nanos: bigint) => nanos,
  dateFromDays: (days: number) => days,
};

const PARQUET_MAGIC = 0x31524150; // "PAR1", little-endian

/**
 * A buffer reused from one column chunk (or page) to the next. Allocating and zeroing a fresh
 * one each time cost more than decoding the snappy inside it. Only typed columns use these:
 * their values are copied out before the buffer is reused, while text, bytes and dictionaries
 * may still be views into the buffer they were decoded from. The chunk loop that uses them is
 * synchronous, so two reads in flight cannot interleave inside it.
 */
class Scratch {
  private bytes = new Uint8Array(0);
  get(length: number): Uint8Array {
    if (this.bytes.length < length) this.bytes = new Uint8Array(Math.max(length, this.bytes.length * 2));
    return this.bytes.subarray(0, length);
  }

  /** Whether `buffer` is this scratch's, which the next chunk or page overwrites. */
  holds(buffer: ArrayBufferLike): boolean {
    return buffer === this.bytes.buffer;
  }
}

const chunkScratch = new Scratch();
const pageScratch = new Scratch();

/** COMPRESSORS, but snappy data pages land in `pageScratch`. */
const SCRATCH_COMPRESSORS: Compressors = {
  ...COMPRESSORS,
  SNAPPY: (input, outputLength) => snappyUncompress(input, outputLength, pageScratch.get(outputLength)),
};

function openForReading(path: string): number {
  try {
    return openSync(path, "r");
  } catch (error) {
    throw new DataError(`${path}: cannot be read (${(error as Error).message}).`);
  }
}

export async function readParquetTable(path: string): Promise<Table> {
  const fd = openForReading(path);
  try {
    return await readOpenParquet(path, fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * A Parquet file as its row groups, for a run that streams through the pool (job/stream.ts):
 * the whole file as a lazy table (its schema and row count; nothing decoded) and, per row
 * group, a table of that group's rows whose columns are decoded on first use, from the group's
 * read-ahead when it has one. Null when the file has nested columns, which are only decoded whole.
 */
export async function readParquetRowGroups(path: string): Promise<ParquetRowGroups | null> {
  const fd = openForReading(path);
  try {
    const opened = await openParquet(path, fd);
    if (!opened.plans.every((plan) => plan.flat)) return null;
    const { plans, chunks, size, groupRows } = opened;
    const groups = groupRows.map((rows, g) => (ahead?: ReadAhead) => new ColumnarTable(path, "parquet", plans.map((plan, c): LazyColumn => ({
      name: plan.name, type: plan.type,
      // Text stays bytes: the streamed pass hashes ids from them and makes strings only of the rows it keeps.
      load: () => [decodeFlatColumn(path, size, plan, [{ ...chunks[c]![g]!, groupStart: 0 }], rows, takeAhead(ahead, c), true)],
    })), rows));
    const readAhead = (g: number, columns: readonly string[], decompress: PageDecompressor) =>
      readGroupAhead(path, size, plans, chunks.map((column) => column[g]!), columns, decompress);
    return { table: await readOpenParquet(path, fd, opened), groups, readAhead };
  } finally {
    closeSync(fd);
  }
}

export interface ParquetRowGroups {
  table: Table;
  groups: ((ahead?: ReadAhead) => Table)[];
  /** Row group `g`'s chunks of `columns` read now and their zstd pages handed to `decompress`, for groups[g]. */
  readAhead(g: number, columns: readonly string[], decompress: PageDecompressor): Promise<ReadAhead>;
}

/**
 * Decompresses zstd pages elsewhere (a streamed run's helper thread, job/stream-helper.ts):
 * `chunks` (each its own buffer) are handed over and given back with each page's bytes, in the
 * order of `pages` (which lie in those chunks). A page it leaves null is decompressed where it
 * is decoded.
 */
export type PageDecompressor = (chunks: Uint8Array[], pages: PageSpan[]) => Promise<{ chunks: Uint8Array[]; pages: (Uint8Array | null)[] }>;

export interface PageSpan {
  chunk: number;
  start: number;
  length: number;
}

/** A row group's column chunks read ahead: by column, the chunk's bytes and its pages decompressed, by their offset in the chunk. */
export type ReadAhead = Map<number, ChunkAhead>;

interface ChunkAhead {
  bytes: Uint8Array;
  pages: Map<number, Uint8Array>;
}

/**
 * Reads a row group's zstd chunks of `columns` and has their pages (version 1 data pages and
 * dictionaries) decompressed by `decompress` while this thread decodes another group. Only
 * what can be found and checked here goes ahead: a chunk whose headers do not read is left to
 * the decode, which reports it as always; so is the file changing under it.
 */
async function readGroupAhead(path: string, size: number, plans: ColumnPlan[], chunks: ChunkPlace[], columns: readonly string[],
  decompress: PageDecompressor): Promise<ReadAhead> {
  const ahead: ReadAhead = new Map();
  const read: { column: number; bytes: Uint8Array }[] = [];
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return ahead;
  }
  try {
    if (fstatSync(fd).size !== size) return ahead;
    for (const [c, plan] of plans.entries()) {
      const chunk = chunks[c]!;
      if (chunk.codec === "ZSTD" && columns.includes(plan.name)) read.push({ column: c, bytes: readInto(fd, aheadBuffer(chunk.length), chunk.start) });
    }
  } catch {
    return ahead;
  } finally {
    closeSync(fd);
  }
  const pages: PageSpan[] = [];
  read.forEach(({ column, bytes }, k) => {
    for (const span of compressedPages(bytes, chunks[column]!.rows)) pages.push({ chunk: k, ...span });
  });
  if (pages.length === 0) return ahead;
  let done: Awaited<ReturnType<PageDecompressor>>;
  try {
    done = await decompress(read.map((r) => r.bytes), pages);
  } catch {
    return ahead; // the decode reads and decompresses the chunks itself
  }
  read.forEach(({ column }, k) => ahead.set(column, { bytes: done.chunks[k]!, pages: new Map() }));
  pages.forEach((span, p) => {
    const page = done.pages[p];
    if (page) ahead.get(read[span.chunk]!.column)!.pages.set(span.start, page);
  });
  return ahead;
}

/**
 * The chunk read ahead for column c, once: a column decoded again (after a failed decode) reads
 * its chunk again, as the chunk's buffer may have gone back to aheadBuffers.
 */
function takeAhead(ahead: ReadAhead | undefined, c: number): ChunkAhead | undefined {
  const chunk = ahead?.get(c);
  ahead?.delete(c);
  return chunk;
}

/**
 * Buffers for chunks read ahead, used again once their group is decoded: a fresh buffer per
 * chunk cost the kernel's zeroed pages, over 0.2 M page faults on a 10M-row pool.
 */
const aheadBuffers: ArrayBuffer[] = [];
const MAX_AHEAD_BUFFERS = 64;

function aheadBuffer(length: number): Uint8Array {
  const k = aheadBuffers.findIndex((b) => b.byteLength >= length && b.byteLength <= 2 * length);
  return k >= 0 ? new Uint8Array(aheadBuffers.splice(k, 1)[0]!, 0, length) : new Uint8Array(length);
}

/** Lets the buffers kept for chunks read ahead go, once a pass is over (row groups of a million rows keep megabytes a column). */
export function dropAheadBuffers(): void {
  aheadBuffers.length = 0;
}

/** A chunk read ahead back to aheadBuffers once nothing decoded from it can still view it (typed columns copy their values out). */
function releaseAhead(bytes: Uint8Array): void {
  if (aheadBuffers.length < MAX_AHEAD_BUFFERS) aheadBuffers.push(bytes.buffer as ArrayBuffer);
}

/**
 * Where a chunk's compressed bytes lie: whole version 1 data pages and dictionaries, and the
 * values after a version 2 page's levels (where hyparquet's readDataPageV2 decompresses them).
 * None when a header does not read.
 */
function compressedPages(bytes: Uint8Array, rows: number): { start: number; length: number }[] {
  const spans: { start: number; length: number }[] = [];
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  let done = 0;
  try {
    while (done < rows && reader.offset < bytes.length) {
      const header = parquetHeader(reader);
      checkPageHeader(header, reader.offset, bytes.length, rows - done);
      const v2 = header.data_page_header_v2;
      if (header.type === "DATA_PAGE" || header.type === "DICTIONARY_PAGE") spans.push({ start: reader.offset, length: header.compressed_page_size });
      else if (v2 && v2.is_compressed !== false) {
        const levels = v2.definition_levels_byte_length + v2.repetition_levels_byte_length;
        if (header.uncompressed_page_size > levels) spans.push({ start: reader.offset + levels, length: header.compressed_page_size - levels });
      }
      done += header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? 0;
      reader.offset += header.compressed_page_size;
    }
  } catch {
    return [];
  }
  return spans;
}

/** `compressors`, but a zstd page read ahead comes from there (by its offset in the chunk's bytes). */
function withPagesAhead(compressors: Compressors, ahead: ChunkAhead): Compressors {
  const zstd = compressors.ZSTD;
  return {
    ...compressors,
    ZSTD: (input, outputLength) => {
      const page = input.buffer === ahead.bytes.buffer ? ahead.pages.get(input.byteOffset - ahead.bytes.byteOffset) : undefined;
      if (page) return page;
      if (!zstd) throw new Error("zstd is not available in this runtime");
      return zstd(input, outputLength);
    },
  };
}

/** The footer read and checked: the columns' plans and where each column chunk lies. */
interface OpenedParquet {
  file: AsyncBuffer;
  size: number;
  metadata: FileMetaData;
  rowCount: number;
  groupRows: number[];
  plans: ColumnPlan[];
  chunks: ChunkPlace[][];
}

async function openParquet(path: string, fd: number): Promise<OpenedParquet> {
  const size = fstatSync(fd).size;
  const file = fileSlicer(fd, size);
  if (size < 12 || magicAt(file, 0) !== PARQUET_MAGIC || magicAt(file, size - 4) !== PARQUET_MAGIC) {
    throw new DataError(`${path}: not a Parquet file (it does not start and end with the "PAR1" marker); the file may be truncated or in another format, so copy it again or re-export it.`);
  }
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw corrupt(path, `its footer (metadata) cannot be read: ${messageOf(error)}`);
  }

  const rowCount = Number(metadata.num_rows);
  const groupRows = metadata.row_groups.map((group) => Number(group.num_rows));
  if (!Number.isSafeInteger(rowCount) || rowCount < 0 || groupRows.reduce((a, b) => a + b, 0) !== rowCount) {
    throw corrupt(path, `its footer says ${metadata.num_rows} rows but its row groups hold ${groupRows.reduce((a, b) => a + b, 0)}`);
  }
  checkCodecs(path, metadata);

  const plans = planColumns(path, metadata, arrowSchemaHints(metadata.key_value_metadata));
  const chunks = locateChunks(path, metadata, plans, groupRows, size);
  return { file, size, metadata, rowCount, groupRows, plans, chunks };
}

async function readOpenParquet(path: string, fd: number, opened?: OpenedParquet): Promise<Table> {
  const { file, size, metadata, rowCount, plans, chunks } = opened ?? await openParquet(path, fd);

  // Nested columns: their page headers checked (hyparquet decodes them unguarded), then
  // hyparquet assembles lists, maps and structs into JS values.
  const nested = new Map<number, ColumnPiece>();
  for (const [c, plan] of plans.entries()) {
    if (plan.flat) continue;
    for (const chunk of chunks[c]!) {
      try {
        checkPageHeaders(new Uint8Array(file.slice(chunk.start, chunk.start + chunk.length) as ArrayBuffer), chunk.values);
      } catch (error) {
        throw corrupt(path, `${chunk.where} cannot be decoded: ${messageOf(error)}`);
      }
    }
    const sink = new ColumnSink(plan.storage, rowCount);
    try {
      await parquetRead({
        file,
        metadata,
        columns: [plan.name],
        compressors: COMPRESSORS,
        onChunk: ({ columnData, rowStart }) => sink.putBoxed(columnData, rowStart),
      });
    } catch (error) {
      throw corrupt(path, `column "${plan.name}" cannot be decoded: ${messageOf(error)}`);
    }
    nested.set(c, sink.piece());
  }

  // Flat columns are decoded on first use: a run reads the few it needs, the output the rest.
  const columns = plans.map((plan, c): HeldColumn | LazyColumn => nested.has(c)
    ? { name: plan.name, type: plan.type, pieces: [nested.get(c)!] }
    : { name: plan.name, type: plan.type, load: () => [decodeFlatColumn(path, size, plan, chunks[c]!, rowCount)] });
  return new ColumnarTable(path, "parquet", columns, rowCount);
}

/** Where one column chunk's bytes are, and how to name it in an error. */
interface ChunkPlace {
  start: number;
  length: number;
  codec: CompressionCodec;
  values: number;
  groupStart: number;
  rows: number;
  where: string;
}

/**
 * Every column's chunks, row group by row group, checked against the footer before any is
 * read: a flat column needs exactly one chunk per row group, or some of its rows would stay unset.
 */
function locateChunks(path: string, metadata: FileMetaData, plans: ColumnPlan[], groupRows: number[], size: number): ChunkPlace[][] {
  const flatIndex = new Map(plans.map((plan, c) => [plan.name, c] as const));
  const chunks: ChunkPlace[][] = plans.map(() => []);
  let groupStart = 0;
  metadata.row_groups.forEach((group, g) => {
    const chunksOf = new Int32Array(plans.length);
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) throw corrupt(path, `row group ${g + 1} has a column chunk without metadata`);
      const c = flatIndex.get(meta.path_in_schema[0]!);
      if (c === undefined) throw corrupt(path, `row group ${g + 1} holds column "${meta.path_in_schema.join(".")}", which the schema does not list`);
      const plan = plans[c]!;
      chunksOf[c]!++;
      if (chunk.file_path) {
        throw new DataError(`${path}: column "${plan.name}" keeps its data in another file (${chunk.file_path}); this tool reads self-contained Parquet files only.`);
      }
      const where = `column "${plan.name}", row group ${g + 1} (rows ${groupStart + 1}–${groupStart + groupRows[g]!})`;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const length = Number(meta.total_compressed_size);
      if (!(start >= 4 && length >= 0 && start + length <= size - 8)) {
        throw corrupt(path, `${where} cannot be decoded: its bytes ${start}–${start + length} lie outside the file's ${size} bytes`);
      }
      chunks[c]!.push({ start, length, codec: meta.codec, values: Number(meta.num_values), groupStart, rows: groupRows[g]!, where });
    }
    const odd = plans.findIndex((plan, c) => plan.flat && chunksOf[c] !== 1);
    if (odd >= 0) throw corrupt(path, `row group ${g + 1} holds ${chunksOf[odd]} column chunks for column "${plans[odd]!.name}" instead of one`);
    groupStart += groupRows[g]!;
  });
  return chunks;
}

/**
 * Decodes one flat column, chunk by chunk (one positional read each), into one array for the
 * file; with `keepTextBytes`, PLAIN text into a Utf8Column (see ColumnSink).
 */
function decodeFlatColumn(path: string, size: number, plan: ColumnPlan, chunks: ChunkPlace[], rowCount: number, ahead?: ChunkAhead,
  keepTextBytes = false): ColumnPiece {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw new DataError(`${path}: cannot be read again for column "${plan.name}" (${(error as Error).message}).`);
  }
  try {
    if (fstatSync(fd).size !== size) throw new DataError(`${path}: the file changed while it was being read (it was ${size} bytes); let the writer finish, then run again.`);
    const sink = new ColumnSink(plan.storage, rowCount, keepTextBytes);
    const reuse = plan.storage !== "boxed";
    for (const chunk of chunks) {
      try {
        // Text, bytes and dictionaries may stay views into their chunk: those get their own bytes.
        const bytes = ahead?.bytes ?? readInto(fd, reuse ? chunkScratch.get(chunk.length) : new Uint8Array(chunk.length), chunk.start);
        decodeFlatChunk(bytes, plan, chunk.codec, sink, chunk.groupStart, chunk.rows, reuse, ahead);
        if (ahead && reuse) releaseAhead(ahead.bytes);
      } catch (error) {
        throw error instanceof DataError ? error : corrupt(path, `${chunk.where} cannot be decoded: ${messageOf(error)}`);
      }
    }
    return sink.piece();
  } finally {
    closeSync(fd);
  }
}

/** An AsyncBuffer over an open file: each slice is one positional read. */
function fileSlicer(fd: number, size: number): AsyncBuffer {
  return {
    byteLength: size,
    slice(start: number, end: number = size): ArrayBuffer {
      return readInto(fd, new Uint8Array(Math.max(0, end - start)), start).buffer as ArrayBuffer;
    },
  };
}

/** Fills `bytes` from the file, starting at byte `start`. */
function readInto(fd: number, bytes: Uint8Array, start: number): Uint8Array {
  let done = 0;
  while (done < bytes.length) {
    const read = readSync(fd, bytes, done, bytes.length - done, start + done);
    if (read === 0) throw new Error(`the file ends at byte ${start + done}, before byte ${start + bytes.length}`);
    done += read;
  }
  return bytes;
}

function magicAt(file: AsyncBuffer, offset: number): number {
  return new DataView(file.slice(offset, offset + 4) as ArrayBuffer).getUint32(0, true);
}

function checkCodecs(path: string, metadata: FileMetaData): void {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec && codec !== "UNCOMPRESSED" && !COMPRESSORS[codec]) {
        throw new DataError(`${path}: column "${chunk.meta_data!.path_in_schema.join(".")}" is compressed with ${codec}, which this tool cannot read; re-write the file with SNAPPY, ZSTD, GZIP or no compression (pyarrow: compression="snappy").`);
      }
    }
  }
}

function planColumns(path: string, metadata: FileMetaData, hints: ReadonlyMap<string, ArrowSchemaHint>): ColumnPlan[] {
  let root: SchemaTree;
  try {
    root = parquetSchema(metadata);
  } catch (error) {
    throw corrupt(path, `its schema cannot be read: ${messageOf(error)}`);
  }
  const seen = new Set<string>();
  return root.children.map((tree) => {
    const element = tree.element;
    if (seen.has(element.name)) throw new DataError(`${path}: the schema names column "${element.name}" twice; column names must be unique.`);
    seen.add(element.name);
    const flat = tree.children.length === 0 && element.repetition_type !== "REPEATED";
    if (!flat) return { name: element.name, type: OTHER, storage: "boxed", flat, tree, physical: false };
    const refused = unsupportedType(element);
    if (refused) {
      throw new DataError(`${path}: column "${element.name}" has the Parquet type ${refused}, which this tool cannot read; drop the column or convert it before selection.`);
    }
    const { type, storage } = storageOf(element, hints.get(element.name));
    return { name: element.name, type, storage, flat, tree, physical: type.kind === "decimal" };
  });
}

function unsupportedType(element: SchemaElement): string | undefined {
  if (element.converted_type === "BSON" || element.converted_type === "INTERVAL") return element.converted_type;
  if (element.logical_type?.type === "INTERVAL" || element.logical_type?.type === "BSON") return element.logical_type.type;
  return undefined;
}

/** The ColumnType a flat column keeps, and the array its decoded values go into. */
function storageOf(element: SchemaElement, hint: ArrowSchemaHint | undefined): { type: ColumnType; storage: Storage } {
  const { type, converted_type: converted, logical_type: logical } = element;
  if (logical?.type === "TIMESTAMP") {
    const unit = logical.unit === "NANOS" ? "ns" : logical.unit === "MICROS" ? "us" : "ms";
    return { type: timestamp(unit, logical.isAdjustedToUTC ? hint?.timeZone ?? "UTC" : null), storage: "bigint64" };
  }
  // The converted types alone mean an instant in UTC; INT96 (Spark, Impala) is read as
  // pyarrow reads it, nanoseconds with no zone.
  if (converted === "TIMESTAMP_MILLIS") return { type: timestamp("ms", hint?.timeZone ?? "UTC"), storage: "bigint64" };
  if (converted === "TIMESTAMP_MICROS") return { type: timestamp("us", hint?.timeZone ?? "UTC"), storage: "bigint64" };
  if (type === "INT96" && !converted) return { type: timestamp("ns", null), storage: "bigint64" };
  if (converted === "DATE" || logical?.type === "DATE") return { type: { kind: "date" }, storage: "int32" };
  if (logical?.type === "TIME" || converted === "TIME_MILLIS" || converted === "TIME_MICROS") {
    const unit = logical?.type === "TIME" ? (logical.unit === "NANOS" ? "ns" : logical.unit === "MICROS" ? "us" : "ms") : converted === "TIME_MILLIS" ? "ms" : "us";
    // The converted types alone mean adjusted to UTC, as for timestamps.
    const utc = logical?.type === "TIME" ? logical.isAdjustedToUTC : true;
    return { type: { kind: "time", unit, utc }, storage: type === "INT32" ? "int32" : "bigint64" };
  }
  if (converted === "DECIMAL" || logical?.type === "DECIMAL") {
    const precision = element.precision ?? (logical?.type === "DECIMAL" ? logical.precision : 0);
    const scale = element.scale ?? (logical?.type === "DECIMAL" ? logical.scale : 0);
    const storage = type === "INT32" ? "int32" : type === "INT64" ? "bigint64" : "boxed";
    return { type: { kind: "decimal", precision, scale }, storage };
  }
  if (logical?.type === "FLOAT16") return { type: FLOAT, storage: "float32" };
  if (logical?.type === "UUID") return { type: TEXT, storage: "boxed" };
  if (converted === "JSON" || logical?.type === "GEOMETRY" || logical?.type === "GEOGRAPHY") return { type: OTHER, storage: "boxed" };
  const width = integerWidth(element);
  switch (type) {
    case "BOOLEAN": return { type: BOOLEAN, storage: "boxed" };
    case "FLOAT": return { type: FLOAT, storage: "float32" };
    case "DOUBLE": return { type: DOUBLE, storage: "float64" };
    case "INT32":
      if (!width) return { type: INT32, storage: "int32" };
      return { type: integer(width.bits, width.signed), storage: width.bits === 32 && !width.signed ? "uint32" : "int32" };
    case "INT64": return width && !width.signed ? { type: integer(64, false), storage: "biguint64" } : { type: INT64, storage: "bigint64" };
    case "BYTE_ARRAY": return { type: hint?.dictionary ? { kind: "text", dictionary: true } : TEXT, storage: "boxed" };
    default: return { type: OTHER, storage: "boxed" }; // FIXED_LEN_BYTE_ARRAY: raw bytes
  }
}

/** An integer annotation's width and sign (INT_8 … UINT_64, or the INTEGER logical type). */
function integerWidth({ converted_type: converted, logical_type: logical }: SchemaElement): { bits: IntegerBits; signed: boolean } | undefined {
  if (logical?.type === "INTEGER") return { bits: logical.bitWidth as IntegerBits, signed: logical.isSigned };
  const match = converted && /^(U?)INT_(8|16|32|64)$/.exec(converted);
  return match ? { bits: Number(match[2]) as IntegerBits, signed: match[1] === "" } : undefined;
}

/**
 * Decodes one flat column chunk page by page into `sink`, rows [groupStart, groupStart + rows).
 * Mirrors hyparquet's `readColumn` loop without its list assembly.
 */
function decodeFlatChunk(
  bytes: Uint8Array, plan: ColumnPlan, codec: CompressionCodec, sink: ColumnSink, groupStart: number, rows: number, reusePages: boolean,
  ahead?: ChunkAhead,
): void {
  // Decimals decode as their physical type: hyparquet's conversion would round them to doubles.
  const element = plan.physical ? physicalElement(plan.tree.element) : plan.tree.element;
  const dictionaryDecoder: ColumnDecoder = {
    pathInSchema: [plan.name],
    type: element.type!,
    element,
    // The root's tree is not needed: levels depend only on the path's repetition types.
    schemaPath: [{ children: [plan.tree], count: 1, element: { name: "root" }, path: [] }, plan.tree],
    codec,
    parsers: plan.type.kind === "timestamp" || plan.type.kind === "date" ? RAW_TIME_PARSERS : PARSERS,
    compressors: ahead ? withPagesAhead(COMPRESSORS, ahead) : COMPRESSORS,
    utf8: !plan.physical,
  };
  const pageCompressors = ahead ? withPagesAhead(reusePages ? SCRATCH_COMPRESSORS : COMPRESSORS, ahead) : reusePages ? SCRATCH_COMPRESSORS : COMPRESSORS;
  const decoder: ColumnDecoder = { ...dictionaryDecoder, compressors: pageCompressors };
  const maxDefinition = element.repetition_type === "REQUIRED" ? 0 : 1;
  const requiredElement: SchemaElement = { ...element, repetition_type: "REQUIRED" };
  const requiredDecoder: ColumnDecoder = {
    ...decoder,
    element: requiredElement,
    schemaPath: [decoder.schemaPath[0]!, { ...plan.tree, element: requiredElement }],
  };
  // Wide decimals (FIXED_LEN_BYTE_ARRAY, BYTE_ARRAY) arrive as big-endian bytes.
  const unscaled = plan.physical && plan.storage === "boxed"
    ? (values: DecodedArray) => Array.from(values as Uint8Array[], (bytes) => (bytes ? bigEndianSigned(bytes) : bytes))
    : (values: DecodedArray) => values;
  // UTF-8 text stored PLAIN (ids, mostly): decoded straight from the page, see plainStrings.
  const plainText = element.type === "BYTE_ARRAY" && plan.storage === "boxed" && !plan.physical &&
    (element.converted_type === "UTF8" || element.logical_type?.type === "STRING");
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  // Values in a buffer of their own (decompressed, or copied to align them) may become the column as they are; views into reused bytes are copied.
  const ownBuffer = (values: ArrayBufferView) => values.buffer !== bytes.buffer && !pageScratch.holds(values.buffer) && !(ahead && values.buffer === ahead.bytes.buffer);
  let dictionary: DecodedArray | undefined;
  let done = 0;
  while (done < rows) {
    if (reader.offset >= bytes.length) throw new Error(`the chunk ends after ${done} of its ${rows} rows`);
    const header = parquetHeader(reader);
    checkPageHeader(header, reader.offset, bytes.length, rows - done);
    if (header.type === "DICTIONARY_PAGE") {
      const { data } = readPage(reader, header, dictionaryDecoder, undefined, undefined, 0);
      if (data) dictionary = unscaled(convert(data, dictionaryDecoder));
      continue;
    }
    const pageBytes = new Uint8Array(bytes.buffer, bytes.byteOffset + reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    let page;
    let pageRows: number;
    let encoding;
    if (header.type === "DATA_PAGE") {
      const daph = header.data_page_header;
      if (!daph) throw new Error("a data page has no header");
      const raw = decompressPage(pageBytes, header.uncompressed_page_size, codec, pageCompressors);
      const levelBytes = maxDefinition === 1 ? allPresentLevels(raw, daph.num_values) : 0;
      // Every row present (one run of 1s, what pandas, pyarrow and DuckDB write for a column
      // without nulls): decode as a required column, as for version 2 pages below.
      if (plainText && daph.encoding === "PLAIN" && (maxDefinition === 0 || levelBytes > 0)) {
        sink.putPlainText(raw, levelBytes, daph.num_values, groupStart + done, ownBuffer(raw));
        done += daph.num_values;
        continue;
      }
      page = levelBytes > 0 ? readDataPage(raw.subarray(levelBytes), daph, requiredDecoder) : readDataPage(raw, daph, decoder);
      pageRows = daph.num_values;
      encoding = daph.encoding;
    } else if (header.type === "DATA_PAGE_V2") {
      const daph2 = header.data_page_header_v2;
      if (!daph2) throw new Error("a data page has no header");
      if (plainText && daph2.encoding === "PLAIN" && daph2.num_nulls === 0 && daph2.repetition_levels_byte_length === 0) {
        // Text without nulls, as hyparquet-writer writes it: the values follow the (uncompressed) levels.
        const skip = daph2.definition_levels_byte_length;
        const size = header.uncompressed_page_size - skip;
        const data = pageBytes.subarray(skip);
        const raw = daph2.is_compressed !== false && size > 0 ? decompressPage(data, size, codec, pageCompressors) : data;
        sink.putPlainText(raw, 0, daph2.num_values, groupStart + done, ownBuffer(raw));
        done += daph2.num_values;
        continue;
      }
      if (daph2.num_nulls === 0 && maxDefinition > 0 && daph2.repetition_levels_byte_length === 0) {
        // No nulls: drop the definition levels and decode the page as if the column were
        // required, which spares hyparquet building a JS array of levels per page.
        const skip = daph2.definition_levels_byte_length;
        const levelFree = {
          ...header,
          uncompressed_page_size: header.uncompressed_page_size - skip,
          data_page_header_v2: { ...daph2, definition_levels_byte_length: 0 },
        };
        page = readDataPageV2(pageBytes.subarray(skip), levelFree, requiredDecoder);
      } else {
        page = readDataPageV2(pageBytes, header, decoder);
      }
      pageRows = daph2.num_values;
      encoding = daph2.encoding;
    } else {
      continue; // index pages carry nothing to read
    }
    if (encoding.endsWith("_DICTIONARY") && !dictionary) throw new Error("a dictionary-encoded page comes before any dictionary");
    const values = encoding.endsWith("_DICTIONARY")
      ? convertWithDictionary(page.dataPage, dictionary, encoding, decoder)
      : unscaled(convertWithDictionary(page.dataPage, dictionary, encoding, decoder));
    const own = "buffer" in values && ownBuffer(values as Exclude<DecodedArray, unknown[]>);
    sink.put(values, page.definitionLevels, maxDefinition, groupStart + done, pageRows, own);
    done += pageRows;
  }
}

/**
 * `count` PLAIN BYTE_ARRAY values from `at` (each a 4-byte length, then its bytes): calls
 * `each(start, end)` with each value's bytes, in order, without a byte view per value.
 */
function eachPlainValue(page: Uint8Array, at: number, count: number, each: (start: number, end: number, i: number) => void): void {
  for (let i = 0; i < count; i++) {
    if (at + 4 > page.length) throw new Error(`text value ${i + 1} of ${count} runs past its page`);
    const length = (page[at]! | (page[at + 1]! << 8) | (page[at + 2]! << 16) | (page[at + 3]! << 24)) >>> 0;
    const start = at + 4;
    at = start + length;
    if (at > page.length) throw new Error(`text value ${i + 1} of ${count} (${length} bytes) runs past its page`);
    each(start, at, i);
  }
}

/** `count` PLAIN BYTE_ARRAY values from `at` as strings, as hyparquet's parser decodes them. */
function plainStrings(page: Uint8Array, at: number, count: number): string[] {
  const out = new Array<string>(count);
  eachPlainValue(page, at, count, (start, end, i) => { out[i] = textOf(page, start, end); });
  return out;
}

/** The element with only its physical type: no converted or logical type for hyparquet to apply. */
function physicalElement(element: SchemaElement): SchemaElement {
  const { converted_type: _converted, logical_type: _logical, ...physical } = element;
  return physical;
}

/**
 * The byte length of a version 1 page's definition levels (4-byte length and RLE/bit-packed
 * hybrid data, bit width 1) when they are one run of `rows` 1s, i.e. no row is null; else 0.
 */
function allPresentLevels(page: Uint8Array, rows: number): number {
  if (page.length < 6) return 0;
  const length = page[0]! | (page[1]! << 8) | (page[2]! << 16) | (page[3]! << 24);
  if (length < 2 || length > 6 || 4 + length > page.length) return 0;
  // A varint header whose low bit is 0 is an RLE run of header >>> 1 values, then one value byte.
  let header = 0, shift = 0, at = 4;
  while (at < 3 + length) {
    const byte = page[at++]!;
    header += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) break;
  }
  const runs = header % 2 === 0 && header / 2 === rows;
  return runs && at === 3 + length && page[at] === 1 ? 4 + length : 0;
}

/** Walks a column chunk's page headers, checking each as decodeFlatChunk does. */
function checkPageHeaders(bytes: Uint8Array, values: number): void {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  let seen = 0;
  while (seen < values) {
    if (reader.offset >= bytes.length) throw new Error(`the chunk ends after ${seen} of its ${values} values`);
    const header = parquetHeader(reader);
    checkPageHeader(header, reader.offset, bytes.length, values - seen);
    seen += header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? 0;
    reader.offset += header.compressed_page_size;
  }
}

/** Largest page this reader decompresses; Parquet writers keep pages around 1 MiB. */
const MAX_PAGE_BYTES = 1 << 30;

/**
 * Refuses headers that would send the page loop backwards or past its chunk, or make hyparquet
 * allocate and loop over billions of values (a flipped bit in a count is enough).
 */
function checkPageHeader(header: ReturnType<typeof parquetHeader>, offset: number, chunkLength: number, rowsLeft: number): void {
  const { type, compressed_page_size: stored, uncompressed_page_size: size } = header;
  if (type !== "DATA_PAGE" && type !== "DATA_PAGE_V2" && type !== "DICTIONARY_PAGE" && type !== "INDEX_PAGE") {
    throw new Error(`a page header of unknown type (${String(type)})`);
  }
  if (!Number.isInteger(stored) || stored < 0 || offset + stored > chunkLength) {
    throw new Error(`a page of ${stored} bytes runs past its column chunk`);
  }
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_BYTES) {
    throw new Error(`a page claims ${size} bytes once decompressed`);
  }
  const values = header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values;
  if (values !== undefined && !(Number.isInteger(values) && values >= 0 && values <= rowsLeft)) {
    throw new Error(`a page claims ${values} values where ${rowsLeft} rows are left`);
  }
  const v2 = header.data_page_header_v2;
  if (v2 && !(v2.num_nulls >= 0 && v2.num_nulls <= v2.num_values && v2.definition_levels_byte_length >= 0 &&
    v2.repetition_levels_byte_length >= 0 && v2.definition_levels_byte_length + v2.repetition_levels_byte_length <= Math.min(stored, size))) {
    throw new Error("a page header's null count or level lengths do not fit the page");
  }
  const entries = header.dictionary_page_header?.num_values;
  // Even booleans take a bit each, so a page holds at most 8 values per byte.
  if (entries !== undefined && !(Number.isInteger(entries) && entries >= 0 && entries <= size * 8)) {
    throw new Error(`a dictionary page claims ${entries} values in ${size} bytes`);
  }
}

/** Collects one column's values for the whole file into a single array. */
class ColumnSink {
  /** The column's values; typed arrays are made at the first page, which may be the column itself (see put). */
  private held: NumberOrBigIntArray | unknown[] | null = null;
  private missing: Uint8Array | undefined;
  /** Text kept as UTF-8 bytes while every page so far was PLAIN text (putPlainText); null once it is not. */
  private text: { bytes: Uint8Array; used: number; starts: Uint32Array; ends: Uint32Array; rows: number } | null = null;

  /** @param keepTextBytes PLAIN text pages are kept as their bytes (a Utf8Column piece), not as a string per row. */
  constructor(private readonly storage: Storage, private readonly rowCount: number, keepTextBytes = false) {
    if (keepTextBytes && storage === "boxed") {
      this.text = { bytes: new Uint8Array(0), used: 0, starts: new Uint32Array(rowCount), ends: new Uint32Array(rowCount), rows: 0 };
    } else if (storage === "boxed") {
      this.held = new Array(rowCount).fill(null);
    }
  }

  /**
   * Places one PLAIN text page without nulls: `count` values from byte `at`, for rows from
   * `row` on (pages arrive in row order). Kept as bytes while the sink keeps text bytes, else
   * as strings. A page in a buffer of its own (`own`) that holds the whole column is kept as it
   * is rather than copied.
   */
  putPlainText(page: Uint8Array, at: number, count: number, row: number, own: boolean): void {
    const text = this.text;
    if (text === null) {
      this.put(plainStrings(page, at, count), undefined, 0, row, count);
      return;
    }
    if (row !== text.rows) throw new Error(`a text page starts at row ${row} after ${text.rows} rows`);
    // A page of its own that holds the whole column is kept as it is; else its bytes, length prefixes included, join the column's.
    const whole = own && row === 0 && count === this.rowCount;
    const shift = whole ? 0 : this.appendText(page.subarray(at)) - at;
    eachPlainValue(page, at, count, (start, end, i) => {
      text.starts[row + i] = start + shift;
      text.ends[row + i] = end + shift;
    });
    if (whole) {
      text.bytes = page;
      text.used = page.length;
    }
    text.rows += count;
  }

  /** Appends bytes to the text kept; returns where they start. */
  private appendText(bytes: Uint8Array): number {
    const text = this.text!;
    if (text.used + bytes.length > text.bytes.length) {
      const bigger = new Uint8Array(Math.max(text.used + bytes.length, 2 * text.bytes.length));
      bigger.set(text.bytes.subarray(0, text.used));
      text.bytes = bigger;
    }
    text.bytes.set(bytes, text.used);
    text.used += bytes.length;
    return text.used - bytes.length;
  }

  /** Turns the text bytes kept so far into strings: a page of another kind (dictionary, nulls) came. */
  private textToStrings(): void {
    const text = this.text!;
    const column = new Utf8Column(text.bytes, text.starts, text.ends);
    const out = (this.held = new Array(this.rowCount).fill(null));
    for (let r = 0; r < text.rows; r++) out[r] = column.text(r);
    this.text = null;
  }

  private get values(): NumberOrBigIntArray | unknown[] {
    return this.held ??= new STORAGE_ARRAYS[this.storage as Exclude<Storage, "boxed">](this.rowCount);
  }

  /**
   * Places one page: `rows` rows from `at`. With definition levels, a row whose level is below
   * the maximum is null and takes no value; without them, every row has one.
   */
  put(values: DecodedArray, levels: number[] | undefined, maxDefinition: number, at: number, rows: number, own = false): void {
    if (this.text) this.textToStrings();
    if (own && this.held === null && at === 0 && rows === this.rowCount && values.length === rows &&
      values.constructor === STORAGE_ARRAYS[this.storage as Exclude<Storage, "boxed">]) {
      // One page holds the whole column, every row present, in an array of its own of the column's kind: it is the column (no copy).
      this.held = values as NumberOrBigIntArray;
      return;
    }
    if (values.length === rows) {
      // Every row has a value (a flat column has one value per row), whatever the levels say.
      if (this.storage === "boxed") {
        const out = this.values as unknown[];
        for (let i = 0; i < rows; i++) out[at + i] = values[i];
      } else {
        // Typed arrays copy typed arrays and plain arrays of numbers (or bigints) alike.
        (this.values as Float64Array).set(values as ArrayLike<number>, at);
      }
      return;
    }
    if (maxDefinition === 0 || levels === undefined || levels.length !== rows) {
      throw new Error(`a page of ${rows} rows holds ${values.length} values and ${levels?.length ?? 0} definition levels`);
    }
    let v = 0;
    if (this.storage === "boxed") {
      const out = this.values as unknown[];
      for (let i = 0; i < rows; i++) out[at + i] = levels[i] === maxDefinition ? values[v++] : null;
    } else {
      const out = this.values as Float64Array;
      const missing = (this.missing ??= new Uint8Array(this.rowCount));
      for (let i = 0; i < rows; i++) {
        if (levels[i] === maxDefinition) out[at + i] = values[v++] as number;
        else missing[at + i] = 1;
      }
    }
    if (v !== values.length) throw new Error(`a page's definition levels account for ${v} values but it holds ${values.length}`);
  }

  /** Places rows assembled by hyparquet (nested columns), starting at table row `at`. */
  putBoxed(values: DecodedArray, at: number): void {
    const out = this.values as unknown[];
    if (at + values.length > this.rowCount) throw new Error(`rows ${at + 1}–${at + values.length} run past the file's ${this.rowCount} rows`);
    for (let i = 0; i < values.length; i++) out[at + i] = values[i] ?? null;
  }

  piece(): ColumnPiece {
    const text = this.text;
    if (text) {
      if (text.rows !== this.rowCount) throw new Error(`the text pages hold ${text.rows} of the column's ${this.rowCount} rows`);
      return { kind: "utf8", values: new Utf8Column(text.bytes.subarray(0, text.used), text.starts, text.ends) };
    }
    const missing = this.missing;
    switch (this.storage) {
      case "boxed": return { kind: "boxed", values: this.values as unknown[] };
      case "bigint64": case "biguint64": return { kind: "bigint", values: this.values as BigInt64Array, missing };
      default: return { kind: "number", values: this.values as Float64Array, missing };
    }
  }
}

type NumberOrBigIntArray = Float64Array | Float32Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

const STORAGE_ARRAYS = {
  float64: Float64Array, float32: Float32Array, int32: Int32Array, uint32: Uint32Array, bigint64: BigInt64Array, biguint64: BigUint64Array,
} as const;

function corrupt(path: string, what: string): DataError {
  return new DataError(`${path}: ${what}; the file may be truncated or corrupt, so copy it again or re-export it.`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

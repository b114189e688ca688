/**
 * Multi-host runs (SageMaker Processing with several instances and ShardedByS3Key): each host
 * selects *candidates* from its shard (the map), one host selects from every host's candidates
 * (`--job_type merge`). Each strategy's candidate budget and what its merge promises are in its
 * catalog entry (strategies/catalog.ts, `merge`); this file reads the map steps' outputs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { DataError } from "../errors.ts";
import { readChannel } from "../io/channel.ts";
import type { CsvTable, ExtractRequest, Table } from "../io/table.ts";
import { isCsvTable } from "../io/table.ts";

/** Columns a map step adds to each candidate row, after the original columns. */
export const CANDIDATE_COLUMNS = ["selection_score", "selection_rank", "candidate_weight", "candidate_radius"] as const;
/** One host's map output, as the merge reads it. */
export interface HostCandidates {
  host: string;
  tables: Table[];
  metadata: Record<string, unknown>;
  /** Per candidate row (in table order): rows it stands for, and their farthest distance. */
  weights: Float64Array;
  radii: Float64Array;
}

/** The pool rows every host's map step read (the pool a merge's candidates stand for). */
export function rowsSeen(hosts: readonly HostCandidates[]): number {
  return hosts.reduce((n, h) => n + Number(h.metadata.rows_seen ?? 0), 0);
}

/** Reads every host folder under a map step's output; refuses missing or mismatched hosts. */
export async function readMapOutputs(prefix: string): Promise<HostCandidates[]> {
  if (!existsSync(prefix) || !statSync(prefix).isDirectory()) {
    throw new DataError(`merge input ${prefix} is not a directory; pass the map step's output prefix, which holds one folder per host.`);
  }
  const folders = readdirSync(prefix).filter((name) => !name.startsWith(".") && statSync(join(prefix, name)).isDirectory()).sort();
  if (folders.length === 0) throw new DataError(`merge input ${prefix} holds no host folders; it should hold the map step's <output>/<host>/ folders.`);
  const hosts: HostCandidates[] = [];
  for (const host of folders) {
    const dir = join(prefix, host);
    const metadataPath = join(dir, "selection_metadata.json");
    if (!existsSync(metadataPath)) throw new DataError(`host ${host}: ${metadataPath} is missing; the host's map step did not finish (or ran with SAVE_METADATA=false, which a merge needs).`);
    const metadata = JSON.parse(readFileSync(metadataPath, "utf8")) as Record<string, unknown>;
    if (metadata.role !== "map") throw new DataError(`host ${host}: ${metadataPath} is not a map step's output (role ${JSON.stringify(metadata.role)}).`);
    if (metadata.candidates === 0) { hosts.push({ host, tables: [], metadata, weights: new Float64Array(0), radii: new Float64Array(0) }); continue; }
    // Only the selection file: the folder's metadata is not a candidate table (a .json name reads as JSON lines).
    const samples = readdirSync(dir).filter((name) => /^selected_samples\.(csv|parquet)$/.test(name));
    if (samples.length !== 1) throw new DataError(`host ${host}: ${dir} should hold one selected_samples.csv or .parquet, not ${samples.length === 0 ? "none" : samples.join(" and ")}.`);
    const raw = await readChannel(join(dir, samples[0]!), `host ${host} candidates`);
    const tables = raw.map(withoutCandidateColumns);
    const count = raw.reduce((n, t) => n + t.rowCount, 0);
    const weights = new Float64Array(count), radii = new Float64Array(count);
    let at = 0;
    for (const t of raw) {
      const w = t.columns.indexOf("candidate_weight"), r = t.columns.indexOf("candidate_radius");
      for (let row = 0; row < t.rowCount; row++, at++) {
        weights[at] = Number(t.cell(row, w));
        radii[at] = Number(t.cell(row, r));
      }
    }
    hosts.push({ host, tables, metadata, weights, radii });
  }
  // Every host the job had must be here, from one configuration.
  const expected = (hosts[0]!.metadata.hosts as string[] | undefined) ?? [];
  for (const name of expected) {
    if (!folders.includes(name)) throw new DataError(`host ${name}: no candidates under ${prefix} (the job had hosts ${expected.join(", ")}); its map step failed or its output was not uploaded.`);
  }
  const reference = hosts[0]!;
  for (const h of hosts.slice(1)) {
    const a = reference.metadata.map_fingerprint as Record<string, unknown>, b = h.metadata.map_fingerprint as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(key in a) || !(key in b)) continue; // a host without data knows no columns
      if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
        throw new DataError(`host ${h.host}: its candidates come from a different configuration than host ${reference.host} (${key}: ${JSON.stringify(b[key])} vs ${JSON.stringify(a[key])}); run every host's map step with the same settings.`);
      }
    }
  }
  if (hosts.every((h) => h.tables.length === 0)) throw new DataError(`merge input ${prefix}: no host found any rows; check the map step's input channel.`);
  return hosts;
}

/** A map output's table without the four candidate columns, so the merge writes what a single run writes. */
function withoutCandidateColumns(table: Table): Table {
  const n = CANDIDATE_COLUMNS.length;
  const tail = table.columns.slice(-n);
  if (tail.join() !== CANDIDATE_COLUMNS.join()) {
    throw new DataError(`${table.path}: not a map step's candidates (its last columns are ${tail.join(", ")}, expected ${CANDIDATE_COLUMNS.join(", ")}).`);
  }
  const columns = table.columns.slice(0, -n);
  const base = {
    path: table.path, format: table.format, columns, rowCount: table.rowCount,
    columnTypes: table.columnTypes.slice(0, -n),
    extract: (request: ExtractRequest) => table.extract(request),
    cell: (row: number, column: number) => table.cell(row, column),
  };
  if (!isCsvTable(table)) return base;
  // The appended fields are plain numbers (no commas, no quotes): cut before the n-th last comma.
  const cut = (bytes: Uint8Array) => {
    let end = bytes.length, commas = 0;
    while (end > 0 && commas < n) if (bytes[--end] === 0x2c) commas++;
    return bytes.subarray(0, end);
  };
  const csv: CsvTable = {
    ...base, format: "csv", hadBom: table.hadBom, lineEnding: table.lineEnding,
    headerBytes: cut(table.headerBytes),
    recordBytes: (row: number) => cut(table.recordBytes(row)),
  };
  return csv;
}

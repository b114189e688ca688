/**
 * What run.ts does differently as a multi-host map step or merge: the candidate columns, the
 * configuration fingerprint hosts are checked against, the parameters the merge adopts, and
 * the metadata each writes. The candidates themselves: cluster/candidates.ts.
 */
import { UsageError } from "../errors.ts";
import type { Config, ParsedConfig } from "../cli/config.ts";
import type { ExtraColumn } from "../io/output.ts";
import type { Pool } from "../pool/pool.ts";
import type { Selection } from "../strategies/strategy.ts";
import { STRATEGIES } from "../strategies/catalog.ts";
import { rowsSeen, type HostCandidates } from "./candidates.ts";

/** The candidate weight and radius columns of a map step (1 and 0 where a strategy has no coverage). */
export function candidateColumns(selection: Selection): ExtraColumn[] {
  const n = selection.rows.length;
  return [
    { name: "candidate_weight", values: selection.coverage ? Float64Array.from(selection.coverage.sizes) : new Float64Array(n).fill(1) },
    { name: "candidate_radius", values: selection.coverage ? Float64Array.from(selection.coverage.radii) : new Float64Array(n) },
  ];
}

/** What the merge checks hosts against each other with, and reports. */
export function mapMetadata(config: Config, pool: Pool, selection: Selection): Record<string, unknown> {
  return {
    role: "map",
    map_fingerprint: mapFingerprint(config, pool),
    rows_seen: pool.size,
    candidates: selection.rows.length,
    local_covering_radius: selection.coveringRadius ?? null,
  };
}

/** The settings hosts must share; the columns only when the host had data to read. */
export function mapFingerprint(config: Config, pool: Pool | null): Record<string, unknown> {
  const fingerprint: Record<string, unknown> = Object.fromEntries(FINGERPRINT_PARAMS.map((name) => [name, config.values[name]]));
  fingerprint.hosts = config.hosts.all;
  if (pool) { fingerprint.id_column = pool.plan.id; fingerprint.score_columns = pool.plan.scoreColumns; }
  return fingerprint;
}

/** Parameters every host's map step and the merge must share. */
export const FINGERPRINT_PARAMS = ["STRATEGY", "USE_CASE", "BATCH_SIZE", "CONFIDENCE_THRESHOLD", "MAX_SAMPLES", "K_PER_CLASS", "UNCERTAINTY_MODE",
  "METRIC", "MIN_DISTANCE", "CLASS_BALANCE", "BALANCE_COLUMN", "SELECTION_CONFIG", "RANDOM_SEED", "ID_FIELD", "SCORE_FIELD",
  "SCORE_FIELD_PREFIX", "LABEL_FIELD", "LABEL_CLASSES", "VECTOR_PRECISION", "CALIBRATE", "TARGET_PRECISION", "PRECISION_SCOPE", "THRESHOLD_MODE", "TRUE_LABEL_FIELD", "PSEUDO_LABEL_COLUMN", "PREDICTED_LABEL_COLUMN"] as const;

/**
 * The merge runs with the map steps' settings: a parameter the merge does not set is taken
 * from them; one it sets differently is refused (the candidates were chosen for the other).
 */
export function adoptMapParameters<C extends ParsedConfig>(config: C, first: HostCandidates): C {
  const mapValues = (first.metadata.parameters ?? {}) as Record<string, { value: string | number | boolean }>;
  const values = { ...config.values };
  const sources = { ...config.sources };
  for (const name of FINGERPRINT_PARAMS) {
    const theirs = mapValues[name]?.value;
    if (theirs === undefined) continue;
    if (config.sources[name] === "default") { (values as Record<string, unknown>)[name] = theirs; sources[name] = "env"; }
    else if (values[name] !== theirs) {
      throw new UsageError(`${name} is ${JSON.stringify(values[name])} for the merge but ${JSON.stringify(theirs)} in host ${first.host}'s map step; leave it unset (the merge takes the map's settings) or rerun the map.`);
    }
  }
  return { ...config, values, sources, command: "merge" };
}

/**
 * What a merge adds to the metadata. pool_size is the rows the map hosts saw, as one process
 * on the whole pool would report it; the candidates the merge chose from are counted apart.
 */
export function mergeMetadata(hosts: HostCandidates[], selection: Selection, strategy: string,
  base: Record<string, unknown>): Record<string, unknown> {
  const { pool: candidateClasses, ...distribution } = base.class_distribution as Record<string, unknown>;
  const localRadius = Math.max(0, ...hosts.map((h) => Number(h.metadata.local_covering_radius ?? 0)));
  const mergeRadius = selection.coveringRadius ?? null;
  return {
    role: "merge",
    pool_size: rowsSeen(hosts),
    candidates: hosts.reduce((n, h) => n + candidatesOf(h), 0),
    // cluster_margin's hosts also send a sample of their shard for the merge's k-means (weight 0).
    fit_sample_rows: hosts.reduce((n, h) => n + h.weights.length - candidatesOf(h), 0),
    class_distribution: { candidates: candidateClasses, ...distribution, note: "by predicted class (argmax); candidates: every row the hosts sent" },
    hosts: hosts.map((h) => ({ host: h.host, rows_seen: h.metadata.rows_seen, candidates: candidatesOf(h) })),
    guarantee: STRATEGIES[strategy]!.merge.guarantee,
    covering_radius: mergeRadius === null ? null : {
      units: (base.covering_radius as { units?: string } | null)?.units ?? null,
      largest_host_radius: localRadius, merge_radius: mergeRadius, bound: localRadius + mergeRadius,
      note: "every pool row lies within largest_host_radius of a host candidate, and every candidate within merge_radius of a selected or labelled row",
    },
  };
}

/** A host's candidates: the rows it sent that stand for some pool rows (weight > 0). */
function candidatesOf(host: HostCandidates): number {
  return host.weights.reduce((n, w) => n + (w > 0 ? 1 : 0), 0);
}

export function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}


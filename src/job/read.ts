/**
 * Step 2 of a job: the input channels into a pool, the labelled rows, and which pool rows may
 * be selected (duplicate ids, labelled and excluded ids are not).
 */
import type { Config } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import type { HostCandidates } from "../cluster/candidates.ts";
import { columnOptions, planColumns, requireClasses, type ColumnPlan } from "../pool/columns.ts";
import { DataError, UsageError } from "../errors.ts";
import { readChannel } from "../io/channel.ts";
import { excludedIds } from "../io/id-list.ts";
import { readLabeled, type Labeled } from "../io/labeled.ts";
import { buildPool, describeRow, duplicateIds, rowsSharingAnId, rowsThatMayRepeat, type Pool } from "../pool/pool.ts";
import type { SortedIds } from "../pool/id-sort.ts";
import { sortedIds } from "../strategies/id-order.ts";
import { configColumns, configNeedsQuery, configNeedsScores } from "../strategies/selection-config.ts";
import { readQuery } from "../io/query.ts";
import type { Matrix } from "../matrix.ts";
import { STRATEGIES, STRATEGY_NAMES } from "../strategies/catalog.ts";
import type { JobPlan } from "./plan.ts";
import type { Timings } from "./timings.ts";

export interface JobInputs {
  pool: Pool;
  /** Per pool row, 1 when it may be selected. */
  selectable: Uint8Array;
  selectableCount: number;
  labeled: Labeled | null;
  labeledPath: string | null;
  /** Pool rows whose id is labelled or in EXCLUDE_IDS_FILE. */
  excludedCount: number;
  /** Pool rows whose id is in EXCLUDE_IDS_FILE, labelled or not; null without the file. */
  listedCount: number | null;
  /** Selectable rows a pseudo-label gate (THRESHOLD_MODE, TARGET_PRECISION) took out, and its rule; null without a gate. */
  gated: { count: number; rule: string } | null;
  /** The query_data rows' vectors (hybrid's similarity objective), else null. */
  query: Matrix | null;
}

export interface Channels {
  input: string;
  labeled: string | null;
  query?: string | null;
}

export async function readInputs(plan: JobPlan, config: Config, channels: Channels, mergeFrom: HostCandidates[] | null,
  log: Logger, timings: Timings): Promise<JobInputs> {
  const v = config.values;
  let since = performance.now();
  log.info(`reading ${channels.input}`);
  const tables = mergeFrom ? mergeFrom.flatMap((h) => h.tables) : await readChannel(channels.input, "input", log.progress("reading files"), log);
  const columns = planColumns(tables, columnOptions(v));
  if (mergeFrom && columns.labelColumn) sameLabelClasses(mergeFrom);
  log.info(`scores: ${columns.scoreReason}`);
  refuseWithoutScores(columns, plan, v.BALANCE_COLUMN, tables[0]!.path);
  requireClasses(columns, plan.needsClasses);
  const pool = buildPool(tables, columns, {
    needVectors: plan.needVectors, needLeaves: plan.entry.needsLeaves,
    extraColumns: [...(plan.selectionConfig ? configColumns(plan.selectionConfig) : []), ...(v.BUDGET_COLUMN ? [v.BUDGET_COLUMN] : [])],
    float64: v.VECTOR_PRECISION === "float64", renormalise: v.RENORMALIZE_PROBS,
    sumTolerance: v.PROB_SUM_TOLERANCE,
  });
  if (plan.needVectors) log.info(`vectors: ${columns.vectorReason}`);
  timings.end("readMs", since);
  log.info(`pool: ${pool.size} rows from ${tables.length} file(s), ${pool.classes} classes`);

  since = performance.now();
  const selectable = new Uint8Array(pool.size).fill(1);
  // A run that reads vectors or leaves sorts the ids anyway (strategies/id-order.ts): the sort finds the repeats too.
  const byId = plan.needVectors || plan.entry.needsLeaves ? sortedIds(pool.ids) : undefined;
  keepFirstOfEachId(pool, selectable, v.DUPLICATE_IDS, log, byId);
  timings.end("idCheckMs", since);

  since = performance.now();
  const labeled = channels.labeled
    ? await readLabeled(channels.labeled, pool, plan.needVectors, plan.entry.needsLeaves, v.VECTOR_PRECISION === "float64", log)
    : null;
  const { excluded: excludeIds, listed } = await excludedIds(labeled?.ids ?? [], v.EXCLUDE_IDS_FILE, v.ID_FIELD);
  let excludedCount = 0, listedCount = listed ? 0 : null;
  if (excludeIds.size > 0) {
    for (let i = 0; i < pool.size; i++) {
      if (!selectable[i] || !excludeIds.has(pool.ids[i]!)) continue;
      selectable[i] = 0;
      excludedCount++;
      if (listed?.has(pool.ids[i]!)) listedCount!++;
    }
    log.info(`${excludedCount} pool rows are already labelled or excluded and will not be selected`);
  }
  timings.end("labeledMs", since);
  const selectableCount = selectable.reduce((n, s) => n + s, 0);
  const needsQuery = plan.selectionConfig ? configNeedsQuery(plan.selectionConfig) : false;
  if (needsQuery && !channels.query) throw new UsageError(`SELECTION_CONFIG has a similarity objective, which needs the rows to compare with: pass --query DIR (in the container, the query_data channel) with the pool's vector columns.`);
  const query = needsQuery ? (await readQuery(channels.query!, pool, v.VECTOR_PRECISION === "float64", log)).vectors : null;
  return { pool, selectable, selectableCount, labeled, labeledPath: channels.labeled, excludedCount, listedCount, gated: null, query };
}

/**
 * Hosts of a multi-host job that read labels must have had the same classes: a label's
 * probability spreads the rest over the others, so a host that saw fewer labels scored its
 * rows differently from the rest.
 */
function sameLabelClasses(hosts: HostCandidates[]): void {
  const withRows = hosts.filter((h) => Array.isArray(h.metadata.class_names));
  const first = withRows[0];
  for (const h of withRows.slice(1)) {
    const a = first!.metadata.class_names as string[], b = h.metadata.class_names as string[];
    if (a.length !== b.length || a.some((name, i) => name !== b[i])) {
      throw new DataError(`host ${h.host} read the labels ${b.join(", ")} but host ${first!.host} read ${a.join(", ")}: each host's classes were the labels of its own shard. Set LABEL_CLASSES to every class (e.g. LABEL_CLASSES=${[...new Set([...a, ...b])].join(",")}) on every host and run the map again.`);
    }
  }
}

/**
 * Duplicate ids are refused, or (DUPLICATE_IDS=keep_first) every repeat is made unselectable.
 * `byId`: the ids sorted when a sort was made anyway (sortedIds'), else undefined: the ids' hashes
 * find the rows that may repeat.
 */
function keepFirstOfEachId(pool: Pool, selectable: Uint8Array, rule: string, log: Logger, byId: SortedIds | null | undefined): void {
  const mayRepeat = byId === undefined ? rowsThatMayRepeat(pool.ids) : rowsSharingAnId(pool.ids, byId);
  const dupes = duplicateIds(pool.ids, 5, mayRepeat);
  if (dupes.length === 0) return;
  const listed = dupes.map(([id, a, b]) => `"${id}" (${describeRow(pool, a)} and ${describeRow(pool, b)})`).join(", ");
  if (rule === "error") {
    throw new DataError(`duplicate ids in the pool: ${listed}; ids must be unique. Set DUPLICATE_IDS=keep_first to keep each id's first row.`);
  }
  const seen = new Set<string>();
  let dropped = 0;
  for (const i of mayRepeat) {
    if (seen.has(pool.ids[i]!)) { selectable[i] = 0; dropped++; } else seen.add(pool.ids[i]!);
  }
  log.warn(`${dropped} rows repeat an earlier id (first: ${listed}); only each id's first row may be selected.`);
}

/** A pool without score columns runs vector-only strategies; anything that reads scores is refused, saying why. */
function refuseWithoutScores(columns: ColumnPlan, plan: JobPlan, balanceColumn: string, path: string): void {
  if (columns.scoreKind !== "none") return;
  const vectorOnly = STRATEGY_NAMES.filter((s) => !STRATEGIES[s]!.needsScores).join(", ");
  const config = plan.selectionConfig;
  if (config ? configNeedsScores(config) : plan.entry.needsScores) {
    const what = config ? "SELECTION_CONFIG filters on or rewards model scores" : `${plan.strategyName} ranks rows by model scores`;
    throw new DataError(`${path}: ${what}, but there are ${columns.scoreReason.replace(/\.$/, "")}. Without scores use ${vectorOnly}${config ? " (hybrid with diversity, typicality, similarity or weight objectives only)" : ""}.`);
  }
  if (plan.balance.spec !== "none" && !balanceColumn) {
    throw new DataError(`${path}: class balance over the predicted class needs scores, but the pool has none; set BALANCE_COLUMN to a column that holds each row's class, or leave CLASS_BALANCE at none.`);
  }
}

/**
 * Steps 2 and 3 of a job in bounded memory, for the strategies that rank rows by a score of
 * each row alone (the catalog's `streams`): the files are read a part at a time (Parquet row
 * groups, CSV pieces: stream-source.ts); each row is scored as the in-memory strategy scores it
 * and, when the strategy may pick it, offered to a heap of the most rows one quota can take
 * (stream-ranking.ts: BATCH_SIZE, MAX_SAMPLES or K_PER_CLASS; one heap, or one per class),
 * ranked as the strategy ranks them (score, then id, then row). Pseudo-label runs also add up
 * the confidence sums their weights and THRESHOLD_MODE use (in a first pass of their own for
 * THRESHOLD_MODE), and count the rows that pass the threshold. Beyond the heaps, memory holds 8
 * bytes of id hash and 4 of predicted class per row (the duplicate check and the metadata's
 * class counts). With the report, its figures of every row are counted as the rows pass, and
 * the vectors of the rows its scatter uses are kept (src/report/streamed-projection.ts).
 *
 * The strategy then runs on the candidates alone as its pool: they hold every row it can pick,
 * so it picks the rows it picks on the whole pool and the writers write the same bytes. The
 * metadata counts the whole pool.
 *
 * What it cannot do exactly it leaves to the in-memory path, saying why in the log: a repeated
 * id or a bad value found while streaming sends the run there, which reports it as always.
 */
import type { Config } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import { columnOptions, planColumns, requireClasses, type ColumnPlan } from "../pool/columns.ts";
import { DataError } from "../errors.ts";
import type { Notices } from "../io/channel.ts";
import { excludedIds } from "../io/id-list.ts";
import { readLabeled } from "../io/labeled.ts";
import type { Table } from "../io/table.ts";
import { belowEvenShare, buildPool, labelNote, repeatedInSorted, rescaledNote, type Pool } from "../pool/pool.ts";
import { textIds, utf8Ids, type RowIds } from "../pool/row-ids.ts";
import { distinctLabels, parseLabelClasses, sortLabels } from "../pool/labels.ts";
import type { Matrix } from "../matrix.ts";
import type { StreamedPool } from "../report/report-file.ts";
import { ProjectionRows } from "../report/streamed-projection.ts";
import { resolveBalance } from "../strategies/balance.ts";
import type { StrategyOptions } from "../strategies/strategy.ts";
import type { JobPaths } from "./paths.ts";
import type { JobPlan } from "./plan.ts";
import type { JobInputs } from "./read.ts";
import type { Timings } from "./timings.ts";
import { streamRanking, type GateRule, type StreamRanking } from "./stream-ranking.ts";
import { streamHelper, type StreamHelper } from "./stream-helper.ts";
import { newPredictions } from "../engine/uncertainty.ts";
import { readCalibration, type CalibrationData } from "../calibration/calibration-data.ts";
import { mayBeSelected } from "../calibration/conformal-selection.ts";
import { fitTemperature } from "../calibration/temperature.ts";
import { calibrationRows, withTemperature } from "../pseudo-labels/prepare.ts";
import { calibrationOptions, type StreamedCounts } from "../pseudo-labels/step.ts";
import { collectGarbage } from "../io/collect-garbage.ts";
import { NotStreamable, openSource, type Part, type StreamSource } from "./stream-source.ts";
import { classThresholds, confidenceStats, mergeConfidenceStats, passesClassThreshold, type ConfidenceStats } from "../pseudo-labels/adaptive-thresholds.ts";

/** The whole pool as the metadata counts it, and each candidate's row in it. */
export interface PoolSummary {
  /** Every file, the pool's size, plan, normalisation and predicted classes; no ids or scores. */
  pool: Pool;
  /** Per candidate (a row of the streamed inputs' pool), its row in the whole pool. */
  rows: Uint32Array;
  /** What the report charts of every row, counted and kept while streaming; null when no report is written. */
  report: StreamedPool | null;
}

export interface Streamed {
  /** The candidates as the pool the strategy sees, with the whole pool's selectable count. */
  inputs: JobInputs;
  summary: PoolSummary;
  /** SSL: what the pseudo-label step must know of the whole pool (pseudo-labels/step.ts). */
  counts: StreamedCounts;
  /** What the options must say of the whole pool rather than the candidates. */
  adjust(options: StrategyOptions): void;
}

/** Why this run reads the pool whole although its strategy could stream; null when it streams. */
export function whyNotStream(plan: JobPlan, config: Config, paths: JobPaths): string | null {
  const v = config.values;
  if (v.STREAM === "off") return "STREAM=off";
  if (plan.minDistance > 0) return "MIN_DISTANCE measures distances between rows";
  if (plan.needVectors) return "the run needs the vectors";
  if (paths.previous) return "the previous_predictions channel is compared with every row's class";
  if (v.BALANCE_COLUMN) return "BALANCE_COLUMN quotas are over a column's values across the pool";
  return null;
}

/** Whether the job is one the streamed path may take: the strategy streams, one host, and it writes. */
export function mayStream(plan: JobPlan, config: Config, paths: JobPaths): boolean {
  return plan.entry.streams === true && plan.role === "single" && !config.dryRun && paths.output !== null;
}


/**
 * The streamed read and candidate pick, or null (with a log line) when the input or the
 * settings need the in-memory path.
 */
export async function streamInputs(plan: JobPlan, config: Config, paths: JobPaths, log: Logger, timings: Timings): Promise<Streamed | null> {
  const why = whyNotStream(plan, config, paths);
  if (why) {
    log.info(`reading the pool whole: ${why}`);
    return null;
  }
  try {
    return await streamPass(plan, config, paths, log, timings);
  } catch (error) {
    if (!(error instanceof NotStreamable || error instanceof DataError)) throw error;
    // A bad value or a repeated id: the in-memory path reports or handles it as always.
    log.info(`reading the pool whole: ${error instanceof DataError ? "the streamed read met a problem, which the whole read reports" : error.message}`);
    return null;
  }
}

/** A candidate row: what ranks it, its classes' probabilities and its cells. */
interface Candidate {
  score: number;
  id: string;
  row: number;
  file: number;
  fileRow: number;
  part: number;
  partRow: number;
  probs: Float64Array;
  predicted: number;
  confidence: number;
  /** What the source kept of the row (its cells or record bytes), or null until it fetches them (stream-source.ts). */
  kept: unknown;
  /** Its vector for the report's projection, or null when there is none. */
  vector: Float32Array | null;
}

/** True when a ranks before b: higher score, then lower id, then lower row (the strategies' tieBreak). */
function ranksBefore(score: number, id: string, row: number, b: Candidate): boolean {
  return score > b.score || (score === b.score && (id < b.id || (id === b.id && row < b.row)));
}

function before(a: Candidate, b: Candidate): boolean {
  return ranksBefore(a.score, a.id, a.row, b);
}

/** The best `capacity` candidates offered, the worst of them at the root. */
class BoundedHeap {
  readonly items: Candidate[] = [];
  constructor(private readonly capacity: number) {}

  /** Whether a row of this score could enter: if not, its id is not needed (a tie on score needs it to decide). */
  mayAdmit(score: number): boolean {
    return this.capacity > 0 && (this.items.length < this.capacity || score >= this.items[0]!.score);
  }

  /** Whether a row of this score and id would enter (so its cells are worth copying). */
  admits(score: number, id: string, row: number): boolean {
    return this.capacity > 0 && (this.items.length < this.capacity || ranksBefore(score, id, row, this.items[0]!));
  }

  offer(item: Candidate): void {
    const heap = this.items;
    if (heap.length < this.capacity) {
      heap.push(item);
      let i = heap.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!before(heap[p]!, heap[i]!)) break;
        [heap[p], heap[i]] = [heap[i]!, heap[p]!];
        i = p;
      }
      return;
    }
    heap[0] = item;
    let i = 0;
    while (true) {
      const l = 2 * i + 1, r = l + 1;
      let worst = i;
      if (l < heap.length && before(heap[worst]!, heap[l]!)) worst = l;
      if (r < heap.length && before(heap[worst]!, heap[r]!)) worst = r;
      if (worst === i) return;
      [heap[worst], heap[i]] = [heap[i]!, heap[worst]!];
      i = worst;
    }
  }
}

/** The pass's state the row loop adds to (rankPart). */
interface RankPass {
  heaps: BoundedHeap[];
  ranking: StreamRanking;
  excluded: Set<string>;
  /** EXCLUDE_IDS_FILE's ids, or null without it. */
  listed: Set<string> | null;
  /** TARGET_PRECISION: the selectable rows of each predicted class, or null. */
  eligiblePerClass: Float64Array | null;
  /** Rows excluded (labelled or listed), rows in EXCLUDE_IDS_FILE, rows that pass the ranking's gate, and labels below their even share (labelNote). */
  counts: { excluded: number; listed: number; passing: number; belowEven: number };
}

/** A part as the row loop reads it: its pool (the scores' `used` one when temperature-scaled) and where its rows go. */
interface PartToRank {
  pool: Pool;
  used: Pool;
  ids: RowIds;
  scores: Float64Array;
  /** The pool's row of the part's first row. */
  firstRow: number;
  /** Part row r (pool row `row`) as a candidate, when it enters a heap. */
  candidate(r: number, id: string, row: number, score: number): Candidate;
}

/**
 * The row loop of one part: each selectable row that passes offered to its quota's heap, its id's text made only when it may
 * enter. Returns which of the part's rows are selectable. A plain function of its own: inside
 * the async pass, the same loop ran at a third of the speed.
 */
function rankPart(pass: RankPass, part: PartToRank): Uint8Array {
  const { heaps, ranking, excluded, listed, eligiblePerClass, counts } = pass;
  const { pool, ids, scores, firstRow } = part;
  const { predicted, confidence, classes } = pool;
  const rankedConfidence = part.used.confidence;
  const labels = pool.plan.scoreKind === "label";
  // A lookup needs the id's text: 10M of them cost a few tenths of a second with nothing to exclude.
  const excluding = excluded.size > 0;
  const selectable = new Uint8Array(pool.size);
  for (let r = 0; r < pool.size; r++) {
    const row = firstRow + r;
    if (labels && belowEvenShare(confidence[r]!, classes)) counts.belowEven++;
    if (excluding && excluded.has(ids.text(r))) {
      counts.excluded++;
      if (listed?.has(ids.text(r))) counts.listed++;
      continue;
    }
    selectable[r] = 1;
    if (eligiblePerClass) eligiblePerClass[predicted[r]!]!++;
    if (!ranking.passes(rankedConfidence[r]!, predicted[r]!, confidence[r]!)) continue;
    counts.passing++;
    const heap = heaps[ranking.quotaOf(predicted[r]!)]!;
    const score = scores[r]!;
    // Most rows rank below the heap's worst, and need no id.
    if (!heap.mayAdmit(score)) continue;
    const id = ids.text(r);
    if (heap.admits(score, id, row)) heap.offer(part.candidate(r, id, row, score));
  }
  return selectable;
}

async function streamPass(plan: JobPlan, config: Config, paths: JobPaths, log: Logger, timings: Timings): Promise<Streamed> {
  const v = config.values;
  const started = performance.now();
  // The channels' warnings are given once the pass succeeds: on the way to the in-memory path they would be given twice.
  const held: string[] = [];
  const notices = { info: (message: string) => log.info(message), warn: (message: string) => void held.push(message) };
  const source = await openSource(paths.input, notices);
  log.info(`reading ${paths.input} a part at a time (${plan.strategyName} ranks rows by their own scores)`);
  const heads = await source.heads(HEAD_ROWS);
  let columns = planColumns(heads, columnOptions(v));
  // Predicted labels name the classes: every row's, read in a pass of their own (unless LABEL_CLASSES lists them).
  if (columns.labelColumn && parseLabelClasses(v.LABEL_CLASSES).length === 0) {
    columns = planColumns(heads, { ...columnOptions(v), labelsRead: await labelsOf(source, columns.labelColumn) });
  }
  if (columns.scoreKind === "none") throw new NotStreamable("the pool has no score columns");
  log.info(`scores: ${columns.scoreReason}`);
  requireClasses(columns, plan.needsClasses);
  source.decodes([columns.id, ...columns.scoreColumns]);

  const readMs = performance.now() - started;
  let since = performance.now();
  const { excluded, listed, labeled } = await exclusions(paths.labeled, columns, v.EXCLUDE_IDS_FILE, v.ID_FIELD, v.VECTOR_PRECISION === "float64", notices);
  timings.end("labeledMs", since);
  since = performance.now();
  const classes = columns.classNames.length;
  // Pseudo-labels: the calibration rows' temperature and TARGET_PRECISION's gate, known before the first row.
  const calibrated = plan.useCase === "ssl" && paths.calibration ? await streamCalibration(paths.calibration, columns, config, classes) : null;
  if (calibrated) timings.end("calibrationMs", since);
  since = performance.now();

  // The report's scatter: the vectors of the rows it fits and draws (which the pool's size decides), and of every row that enters a heap.
  const vectorColumns = v.SAVE_REPORT ? columns.vectorColumns : [];
  const knownRows = source.knownRows ?? (vectorColumns.length > 0 ? await countRows(source) : null);
  if (knownRows === 0) throw new NotStreamable("the pool has no rows");
  const projected = vectorColumns.length > 0 ? new ProjectionRows(knownRows!, vectorColumns.length, v.RANDOM_SEED) : null;
  let hashes: Float64Array = new Float64Array(knownRows ?? 1 << 20);
  let predictedAll: Int32Array = new Int32Array(knownRows ?? 1 << 20);
  const temperature = calibrated?.temperature ?? null;
  // A second thread when there is one (stream-helper.ts), which ends with the pass: it decompresses the next part (for
  // THRESHOLD_MODE's first pass too) and counts the report's figures of every row.
  using helper = await streamHelper();
  source.decompressWith(helper.decompress);
  const arrays = new PartArrays(helper);
  // Pseudo-labels are weighed (SoftMatch) by sums over every row that may be selected; THRESHOLD_MODE
  // sets the class thresholds from them, so a first pass over the scores adds them up before any row is ranked.
  const adaptive = plan.useCase === "ssl" && v.THRESHOLD_MODE !== "fixed";
  let stats: ConfidenceStats | null = adaptive ? await thresholdPass(source, columns, v, excluded, temperature, arrays) : null;
  const thresholds = adaptive ? classThresholds(v.THRESHOLD_MODE, stats!) : null;
  const gate: GateRule | null = thresholds ? { kind: "final", passes: (c, k) => passesClassThreshold(thresholds, c, k) }
    : calibrated?.mayBeSelected ? { kind: "may-pass", passes: calibrated.mayBeSelected } : null;
  const eligiblePerClass = gate?.kind === "may-pass" ? new Float64Array(classes) : null;
  const ranking = streamRanking(plan, config, classes, gate);
  const heaps = Array.from({ length: ranking.quotas }, () => new BoundedHeap(ranking.capacity));
  const pass: RankPass = { heaps, ranking, excluded, listed, eligiblePerClass, counts: { excluded: 0, listed: 0, passing: 0, belowEven: 0 } };
  let softmaxRows = 0, renormalisedRows = 0, poolClasses = 0;
  let firstNote = "";
  let row = 0;
  const progress = log.progress(`streaming ${plan.strategyName}`);
  for await (const { file: f, index: g, fileRow, table, pool, ids, scoreBuffer } of poolParts(source, columns, v, arrays)) {
    if (row + pool.size > hashes.length) ({ hashes, predictedAll } = grown(hashes, predictedAll, row + pool.size));
    // What the strategy and the report see: the temperature-scaled probabilities when calibration fitted one (the candidates keep the model's own).
    const used = temperature === null ? pool : withTemperature(pool, temperature);
    poolClasses = pool.classes;
    firstNote ||= pool.normalisation.description;
    softmaxRows += pool.normalisation.softmaxRows;
    renormalisedRows += pool.normalisation.renormalisedRows;
    const scores = ranking.scores(used, arrays.rowArrays(pool.size).scores);
    const vectors = projected ? reportVectors(table, vectorColumns) : null;
    projected?.add(vectors!, row, pool.size);
    ids.hashInto(hashes, row);
    predictedAll.set(pool.predicted.subarray(0, pool.size), row); // every row's predicted class, for the whole pool
    const selectable = rankPart(pass, { pool, used, ids, scores, firstRow: row, candidate: (r, id, at, score) => ({
      score, id, row: at, file: f, fileRow: fileRow + r, part: g, partRow: r, predicted: pool.predicted[r]!, confidence: pool.confidence[r]!,
      probs: pool.probs.slice(r * pool.classes, (r + 1) * pool.classes), kept: source.keep(table, r),
      vector: vectors ? vectors.slice(r * vectorColumns.length, (r + 1) * vectorColumns.length) : null,
    }) });
    row += pool.size;
    if (plan.useCase === "ssl" && !adaptive) stats = addStats(stats, used, selectable, v.CONFIDENCE_THRESHOLD);
    // Handed over: nothing reads the part's probabilities after this (the helper gives the array back once counted).
    if (v.SAVE_REPORT) await helper.count(used.probs, pool.classes);
    if (!v.SAVE_REPORT || used.probs !== scoreBuffer) arrays.give(scoreBuffer);
    progress?.(row, knownRows ?? row);
    collectGarbage();
  }
  const confidence = await helper.finish();
  const size = row;
  if (size === 0) throw new NotStreamable("the pool has no rows");
  hashes = hashes.subarray(0, size);
  predictedAll = predictedAll.subarray(0, size);

  timings.ms.readMs = Math.round(readMs + performance.now() - since);
  since = performance.now();
  // Sorted where they are: nothing reads them in row order after this (a copy was 80 MB on 10M rows).
  if (repeatedInSorted(hashes.sort()).size > 0) throw new NotStreamable("ids repeat (or share a hash); the duplicate check needs them all");
  timings.end("idCheckMs", since);
  since = performance.now();
  if (pass.counts.excluded > 0) log.info(`${pass.counts.excluded} pool rows are already labelled or excluded and will not be selected`);

  const candidates = heaps.flatMap((h) => h.items).sort((a, b) => a.row - b.row);
  if (candidates.length === 0) throw new NotStreamable("no row may be selected");
  for (const warning of held) log.warn(warning);
  const places = candidates.map((c) => ({ file: c.file, part: c.part, partRow: c.partRow, kept: c.kept }));
  const picked = await source.picked(places, collectGarbage);
  const files = source.files();
  const probs = new Float64Array(candidates.length * poolClasses);
  candidates.forEach((c, k) => probs.set(c.probs, k * poolClasses));
  // Binary and confidence notes name columns only: any part's note is the pool's.
  const description = columns.scoreKind === "scores" || columns.scoreKind === "probabilities" ? rescaledNote(columns, softmaxRows, renormalisedRows)
    : columns.scoreKind === "label" ? labelNote(columns, pass.counts.belowEven) : firstNote;
  const normalisation = { softmaxRows, renormalisedRows, description };
  const pool: Pool = {
    tables: [picked], tableStarts: [0], size: candidates.length, ids: candidates.map((c) => c.id), plan: columns, classes: poolClasses, probs,
    predicted: Int32Array.from(candidates, (c) => c.predicted), confidence: Float64Array.from(candidates, (c) => c.confidence),
    vectors: null, leaves: null, extra: new Map(), normalisation,
  };
  const whole: Pool = {
    tables: files, tableStarts: [], size, ids: [], plan: columns, classes: poolClasses, probs: new Float64Array(0),
    predicted: predictedAll, confidence: new Float64Array(0), vectors: null, leaves: null, extra: new Map(), normalisation,
  };
  log.info(`pool: ${size} rows from ${files.length} file(s), ${poolClasses} classes; ${candidates.length} candidates kept`);
  timings.end("candidatesMs", since);
  return {
    inputs: {
      pool, selectable: new Uint8Array(candidates.length).fill(1), selectableCount: size - pass.counts.excluded,
      labeled, labeledPath: paths.labeled, excludedCount: pass.counts.excluded,
      listedCount: listed ? pass.counts.listed : null, gated: null, query: null,
    },
    summary: { pool: whole, rows: Uint32Array.from(candidates, (c) => c.row), report: confidence && {
      rows: size, confidence, projection: projected && { kept: projected, candidates: candidateVectors(candidates, vectorColumns.length) },
    } },
    counts: { stats, eligiblePerClass, calibration: calibrated?.data ?? null },
    adjust(options) {
      options.poolRows = size;
      if (ranking.countsPassing) options.passingRows = pass.counts.passing;
      options.describeRow = (k) => `${files[candidates[k]!.file]!.path}: row ${candidates[k]!.fileRow + 1}`;
      // CLASS_BALANCE=pool: shares of the whole pool's rows, not of the candidates'.
      if (options.balance?.mode === "pool") options.balance.shares = resolveBalance("pool", "", whole)!.shares;
    },
  };
}

type Values = Config["values"];

/**
 * The source's parts in pool order, each as a pool of its own rows (probabilities, predicted
 * classes) and its ids: from their bytes when the table holds them so (pool.ids then empty).
 */
async function* poolParts(source: StreamSource, columns: ColumnPlan, v: Values, arrays: PartArrays):
  AsyncGenerator<Part & { pool: Pool; ids: RowIds; scoreBuffer: Float64Array }> {
  for await (const part of source.parts()) {
    if (part.table.rowCount === 0) continue;
    const bytes = utf8Ids(part.table, part.table.columns.indexOf(columns.id));
    const length = part.table.rowCount * columns.scoreColumns.length;
    const scoreBuffer = arrays.take(length) ?? new Float64Array(length);
    const pool = buildPool([part.table], columns, {
      needVectors: false, needLeaves: false, float64: v.VECTOR_PRECISION === "float64", renormalise: v.RENORMALIZE_PROBS,
      sumTolerance: v.PROB_SUM_TOLERANCE, textIds: bytes === null, scoreBuffer, predictionBuffers: arrays.rowArrays(part.table.rowCount).predictions,
    });
    yield { ...part, pool, ids: bytes ?? textIds(pool.ids), scoreBuffer };
  }
}

/**
 * The arrays a part is read into, filled again by a later part: a fresh array per part touched
 * fresh pages, 0.3 M page faults on 10M rows and over half a second of system time. The score
 * columns' arrays come back once the part is done with them or the helper has counted them;
 * the per-row arrays (scores, predictions) are done with when the part is.
 */
class PartArrays {
  private readonly free: Float64Array[] = [];
  private perRow: { rows: number; scores: Float64Array; predictions: ReturnType<typeof newPredictions> } | null = null;
  constructor(private readonly helper: StreamHelper) {}

  /**
   * A free array of exactly `length` values for the score columns, or null. Arrays the helper
   * gives back are kept only at that length: a pool whose probabilities are built from labels or
   * one score column hands it arrays of another shape, which no part could take.
   */
  take(length: number): Float64Array | null {
    for (let back = this.helper.takeCounted(); back; back = this.helper.takeCounted()) if (back.length === length) this.give(back);
    const k = this.free.findIndex((b) => b.length === length);
    return k < 0 ? null : this.free.splice(k, 1)[0]!;
  }

  /** Keeps a few (more would only hold memory: the parts in flight are bounded, but temperature-scaled copies come back too). */
  give(buffer: Float64Array): void {
    if (this.free.length < MAX_FREE_BUFFERS) this.free.push(buffer);
  }

  /** The part's scores and predictions go here: the same arrays for each part of `rows` rows. */
  rowArrays(rows: number): { scores: Float64Array; predictions: ReturnType<typeof newPredictions> } {
    if (this.perRow?.rows !== rows) this.perRow = { rows, scores: new Float64Array(rows), predictions: newPredictions(rows) };
    return this.perRow;
  }
}

const MAX_FREE_BUFFERS = 4;

/** The distinct predicted labels of every row, sorted as the column plan sorts them (a DataError on a row without one). */
async function labelsOf(source: StreamSource, column: string): Promise<string[]> {
  const seen = new Set<string>();
  for await (const part of source.parts()) {
    for (const label of distinctLabels([part.table], column)) seen.add(label);
    collectGarbage();
  }
  return sortLabels([...seen]);
}

/** The pool's size, counted in a pass of its own (a CSV file says it only once read). */
async function countRows(source: StreamSource): Promise<number> {
  let rows = 0;
  for await (const part of source.parts()) rows += part.table.rowCount;
  return rows;
}

/** The per-row arrays with room for at least `rows` rows. */
function grown(hashes: Float64Array, predicted: Int32Array, rows: number): { hashes: Float64Array; predictedAll: Int32Array } {
  const capacity = Math.max(rows, 2 * hashes.length);
  const moreHashes = new Float64Array(capacity), morePredicted = new Int32Array(capacity);
  moreHashes.set(hashes);
  morePredicted.set(predicted);
  return { hashes: moreHashes, predictedAll: morePredicted };
}

/** The confidence sums of a part's selectable rows added to those so far (exact, so the order of the parts does not matter). */
function addStats(stats: ConfidenceStats | null, pool: Pool, selectable: Uint8Array, tau: number): ConfidenceStats {
  const part = confidenceStats(pool.probs, pool.classes, pool.predicted, pool.confidence, selectable, tau);
  return stats ? mergeConfidenceStats(stats, part) : part;
}

/**
 * THRESHOLD_MODE's first pass: the sums over every row that may be selected, from the scores
 * alone, read as the second pass reads (its pages decompressed on the helper thread, into the
 * same arrays).
 */
async function thresholdPass(source: StreamSource, columns: ColumnPlan, v: Values, excluded: Set<string>, temperature: number | null,
  arrays: PartArrays): Promise<ConfidenceStats> {
  let stats: ConfidenceStats | null = null;
  for await (const { pool: raw, ids, scoreBuffer } of poolParts(source, columns, v, arrays)) {
    const pool = temperature === null ? raw : withTemperature(raw, temperature);
    stats = addStats(stats, pool, notExcluded(ids, excluded), v.CONFIDENCE_THRESHOLD);
    arrays.give(scoreBuffer);
    collectGarbage();
  }
  return stats!;
}

/** Which of a part's rows are neither labelled nor excluded; the ids' text is made only when some ids are (as in rankPart). */
function notExcluded(ids: RowIds, excluded: Set<string>): Uint8Array {
  const keep = new Uint8Array(ids.length).fill(1);
  if (excluded.size > 0) for (let r = 0; r < ids.length; r++) if (excluded.has(ids.text(r))) keep[r] = 0;
  return keep;
}

/**
 * The calibration_data channel read as the pseudo-label step reads it (pseudo-labels/step.ts),
 * which is handed the rows: the temperature CALIBRATE=auto fits, and with TARGET_PRECISION
 * which rows BH may select.
 */
async function streamCalibration(path: string, columns: ColumnPlan, config: Config, classes: number): Promise<{
  data: CalibrationData; temperature: number | null; mayBeSelected: ((modelConfidence: number, predicted: number) => boolean) | null;
}> {
  const v = config.values;
  const calibration = await readCalibration(path, { plan: columns } as Pool, calibrationOptions(config));
  return {
    data: calibration,
    temperature: v.CALIBRATE === "auto" ? fitTemperature(calibration.probs, classes, calibration.labels).temperature : null,
    mayBeSelected: v.TARGET_PRECISION > 0 ? mayBeSelected(calibrationRows(calibration), classes, v.TARGET_PRECISION, v.PRECISION_SCOPE) : null,
  };
}

/**
 * A part's vectors as the report's projection reads them (report-file.ts: float32, every
 * value finite). A value it refuses sends the run to the whole read, whose report notes it.
 */
function reportVectors(table: Table, vectorColumns: readonly string[]): Float32Array {
  const out = new Float32Array(table.rowCount * vectorColumns.length);
  try {
    table.extract({ idColumn: null, numeric: [{
      columns: vectorColumns.map((name) => table.columns.indexOf(name)), out, rowStart: 0, stride: vectorColumns.length, offset: 0, kind: "finite",
    }] });
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    throw new NotStreamable("a vector column holds a value the report cannot project; the whole read notes it in the report");
  }
  return out;
}

function candidateVectors(candidates: Candidate[], cols: number): Matrix {
  const data = new Float32Array(candidates.length * cols);
  candidates.forEach((c, k) => data.set(c.vector!, k * cols));
  return { data, rows: candidates.length, cols };
}

const HEAD_ROWS = 200;

/** The labelled ids (the labeled_data channel) and EXCLUDE_IDS_FILE's, with the labelled rows as the in-memory path reads them. */
async function exclusions(labeledPath: string | null, columns: ColumnPlan, excludeFile: string, idField: string, float64: boolean, log: Notices):
  Promise<{ excluded: Set<string>; listed: Set<string> | null; labeled: JobInputs["labeled"] }> {
  const labeled = labeledPath ? await readLabeled(labeledPath, { plan: columns } as Pool, false, false, float64, log) : null;
  return { ...await excludedIds(labeled?.ids ?? [], excludeFile, idField), labeled };
}

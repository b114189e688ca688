/**
 * Reads the labelled rows `simulate` learns from: the id, the true label and the emb_*
 * vectors of every file in the labeled_data channel, put in id order so that file order and
 * sharding never change a result.
 */
import { DataError } from "../errors.ts";
import { allocVectors } from "../engine/kernels/kernels.ts";
import { readChannel } from "../io/channel.ts";
import type { Table } from "../io/table.ts";
import { listNames } from "../list-names.ts";
import { bySuffix } from "../pool/columns.ts";
import { columnMoments, designMatrix } from "./softmax-regression.ts";
import type { LabelledRows } from "./loop.ts";

export interface LabelledSetOptions {
  idField: string;
  labelField: string;
  float64: boolean;
}

export async function readLabelledSet(channel: string, options: LabelledSetOptions): Promise<LabelledRows & { files: string[] }> {
  const tables = await readChannel(channel, "labeled_data");
  const first = tables[0]!;
  const need = (name: string, flag: string, what: string) => {
    if (!first.columns.includes(name)) {
      throw new DataError(`${first.path}: no column "${name}" (${what}); simulate needs it in the labelled rows. Name the column with ${flag}. Columns: ${listNames(first.columns)}.`);
    }
  };
  need(options.idField, "ID_FIELD (--id-field)", "the row id");
  need(options.labelField, "TRUE_LABEL_FIELD (--true-label-field)", "the true label a person gave");
  const vectorColumns = first.columns.filter((c) => c.startsWith("emb_")).sort(bySuffix("emb_"));
  if (vectorColumns.length === 0) {
    throw new DataError(`${first.path}: no emb_* columns; simulate trains its proxy model on the vectors (embeddings) of the labelled rows. Add emb_0, emb_1, … columns.`);
  }
  for (const table of tables.slice(1)) {
    const missing = [options.idField, options.labelField, ...vectorColumns].filter((c) => !table.columns.includes(c));
    if (missing.length > 0) throw new DataError(`${table.path}: lacks ${missing.slice(0, 5).join(", ")}, which ${first.path} has; every file of the channel needs the same columns.`);
  }
  const labelColumns = tables.map((t) => t.columns.indexOf(options.labelField));
  const { ids, vectors: sorted, order, fileRows } = readRowsInIdOrder(tables, options.idField, vectorColumns, (table, t, r) => {
    const value = table.cell(r, labelColumns[t]!);
    const label = value === null || value === undefined ? "" : String(value);
    if (label === "") throw new DataError(`${table.path}: row ${r + 1}, column "${options.labelField}" is empty; every labelled row needs its label (remove the row, or label it).`);
    return label;
  });
  const total = ids.length, dim = vectorColumns.length;
  for (let k = 1; k < total; k++) {
    if (ids[k] === ids[k - 1]) throw new DataError(`${channel}: id "${ids[k]}" appears twice in the labelled rows; ids must be unique.`);
  }
  const fileLabels = fileRows;
  const classNames = [...new Set(fileLabels)].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const classOf = new Map(classNames.map((name, c) => [name, c]));
  const labels = Int32Array.from(order, (i) => classOf.get(fileLabels[i]!)!);
  const vectors = allocVectors(options.float64, total * dim);
  vectors.set(sorted);
  const moments = columnMoments(sorted, total, dim);
  return {
    ids, labels, classNames, vectorColumns, moments,
    vectors: { data: vectors, rows: total, cols: dim },
    design: designMatrix(sorted, total, dim, moments),
    files: tables.map((t) => t.path),
  };
}

/**
 * Every table's ids and `vectorColumns` (finite numbers), and one more value per row from
 * `perRow` if given, with the rows put in id order (code-unit order, stable): file order and
 * sharding never change the result. `order` maps id order → read order, `fileRows` holds
 * perRow's values in read order.
 */
export function readRowsInIdOrder<T>(tables: readonly Table[], idField: string, vectorColumns: readonly string[],
  perRow?: (table: Table, tableIndex: number, row: number) => T): { ids: string[]; vectors: Float64Array; order: number[]; fileRows: T[] } {
  const total = tables.reduce((n, t) => n + t.rowCount, 0);
  const dim = vectorColumns.length;
  const fileVectors = new Float64Array(total * dim);
  const fileIds: string[] = [], fileRows: T[] = [];
  let rowStart = 0;
  tables.forEach((table, t) => {
    const at = (c: string) => table.columns.indexOf(c);
    fileIds.push(...table.extract({ idColumn: at(idField), numeric: [{ columns: vectorColumns.map(at), out: fileVectors, rowStart, stride: dim, offset: 0, kind: "finite" }] }));
    if (perRow) for (let r = 0; r < table.rowCount; r++) fileRows.push(perRow(table, t, r));
    rowStart += table.rowCount;
  });
  const order = Array.from({ length: total }, (_, i) => i).sort((a, b) => (fileIds[a]! < fileIds[b]! ? -1 : fileIds[a]! > fileIds[b]! ? 1 : a - b));
  const vectors = new Float64Array(total * dim);
  order.forEach((i, k) => vectors.set(fileVectors.subarray(i * dim, (i + 1) * dim), k * dim));
  return { ids: order.map((i) => fileIds[i]!), vectors, order, fileRows };
}

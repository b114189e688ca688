/**
 * A side channel (labeled_data, query_data) is measured in the pool's space: it needs every
 * one of the pool's vector (or leaf) columns, and no more of the prefixed ones. emb_0..emb_767
 * beside a pool's emb_0..emb_383 are another embedding, more leaf_* columns another forest;
 * their first columns would otherwise be measured against the pool's as if they were the same.
 */
import { DataError } from "../errors.ts";
import type { Table } from "./table.ts";

export interface ChannelColumns {
  /** The channel's name, for messages: "labeled_data", "query_data". */
  channel: string;
  /** The pool's columns of this kind, in order. */
  poolColumns: readonly string[];
  kind: "vector" | "leaf";
  /** What the channel's rows need them for, for messages: "to count as chosen centers". */
  purpose: string;
}

export function requirePoolColumns(table: Table, { channel, poolColumns, kind, purpose }: ChannelColumns): void {
  const list = (names: readonly string[]) => `${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}`;
  const missing = poolColumns.filter((c) => !table.columns.includes(c));
  if (missing.length > 0) {
    throw new DataError(`${table.path}: the ${channel} channel lacks the ${kind} columns ${list(missing)}; its rows need the pool's ${poolColumns.length} ${kind} columns ${purpose}.`);
  }
  const prefix = kind === "vector" ? "emb_" : "leaf_";
  // Pool vectors that are other numeric columns (no emb_*) say nothing of the channel's emb_* ones.
  if (poolColumns.length === 0 || !poolColumns.every((c) => c.startsWith(prefix))) return;
  const extra = table.columns.filter((c) => c.startsWith(prefix) && !poolColumns.includes(c));
  if (extra.length > 0) {
    const [values, source] = kind === "vector" ? ["vectors", "embedding model"] : ["leaf indices", "trained forest"];
    throw new DataError(`${table.path}: the ${channel} channel has ${prefix}* columns the pool lacks (${list(extra)}): its ${values} have ${poolColumns.length + extra.length} columns, the pool's ${poolColumns.length}. They must come from the same ${source} as the pool's: score its rows with it again.`);
  }
}

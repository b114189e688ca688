/**
 * `active-sampling inspect --input DIR` and `--dry-run`: what the input holds, which columns
 * would play which part and why, the predicted-class mix, and which strategies the data allows.
 */
import type { ParsedConfig } from "./config.ts";
import { columnOptions, planColumns } from "../pool/columns.ts";
import { readChannel } from "../io/channel.ts";
import { buildPool } from "../pool/pool.ts";
import { STRATEGIES } from "../strategies/catalog.ts";
import { parseSelectionConfig } from "../strategies/selection-config.ts";

export async function inspect(input: string, config: ParsedConfig): Promise<string> {
  const v = config.values;
  const notes: string[] = [];
  const tables = await readChannel(input, "input", undefined, { info: (m) => notes.push(m), warn: (m) => notes.push(`warning: ${m}`) });
  const plan = planColumns(tables, columnOptions(v));
  const pool = buildPool(tables, plan, {
    needVectors: false, needLeaves: false, float64: false, renormalise: v.RENORMALIZE_PROBS,
    sumTolerance: v.PROB_SUM_TOLERANCE,
  });
  const { predicted } = pool;
  const counts = new Array(pool.classes).fill(0);
  if (pool.classes > 0) for (let i = 0; i < pool.size; i++) counts[predicted[i]!]++;
  const lines: string[] = [];
  lines.push(`files (${tables.length}):`);
  for (const t of tables) lines.push(`  ${t.path}  ${t.format}, ${t.rowCount} rows, ${t.columns.length} columns`);
  for (const note of notes) lines.push(`  ${note}`);
  lines.push(`rows: ${pool.size}`);
  lines.push(`id column: ${plan.id}`);
  lines.push(`score columns: ${plan.scoreColumns.length > 0 ? plan.scoreColumns.join(", ") : "none"}`);
  lines.push(`  why: ${plan.scoreReason}`);
  lines.push(`  normalisation: ${pool.normalisation.description}`);
  lines.push(`vector columns: ${plan.vectorColumns.length > 0 ? `${plan.vectorColumns.length} (${plan.vectorColumns.slice(0, 4).join(", ")}${plan.vectorColumns.length > 4 ? ", …" : ""})` : "none"}`);
  lines.push(`  why: ${plan.vectorReason}`);
  lines.push(`leaf columns: ${plan.leafColumns.length > 0 ? `${plan.leafColumns.length} trees` : "none"}`);
  if (pool.classes > 0) lines.push(`predicted classes (${plan.labelColumn ? `the "${plan.labelColumn}" labels` : plan.classesRecorded ? "argmax" : "not recorded: only a confidence"}):`);
  const width = Math.max(0, ...plan.classNames.map((n) => n.length));
  plan.classNames.forEach((name, c) => {
    const share = counts[c] / pool.size;
    lines.push(`  ${name.padEnd(width)}  ${String(counts[c]).padStart(9)}  ${(100 * share).toFixed(1).padStart(5)}%  ${"█".repeat(Math.round(share * 40))}`);
  });
  lines.push("strategies:");
  for (const [name, s] of Object.entries(STRATEGIES)) {
    const missing = s.needsVectors && plan.vectorColumns.length === 0 ? "needs emb_* or numeric feature columns"
      : s.needsLeaves && plan.leafColumns.length === 0 ? "needs leaf_* columns"
      : s.needsScores && plan.scoreKind === "none" ? "needs score columns (prob_class_*, an LLM or rule score)"
      : s.needsClasses && !plan.classesRecorded ? "needs the predicted label (LABEL_FIELD): the input holds only a confidence" : null;
    const note = name === "hybrid" && plan.scoreKind === "none" ? " (without scores: diversity, typicality, similarity or weight objectives only)" : "";
    // Without a recorded class, quotas can only be over BALANCE_COLUMN.
    const balance = s.classBalance !== true ? "" : plan.classesRecorded ? "CLASS_BALANCE" : "CLASS_BALANCE with BALANCE_COLUMN";
    const options = [balance, s.minDistance ? "MIN_DISTANCE" : ""].filter(Boolean).join(", ");
    lines.push(`  ${missing ? "✗" : "✓"} ${name.padEnd(22)} ${s.useCase.padEnd(16)} ${missing ?? `${s.summary}${note}${options ? ` [${options}]` : ""}`}`);
  }
  if (config.dryRun) {
    lines.push(`dry run: would run ${v.STRATEGY} with BATCH_SIZE=${v.BATCH_SIZE}, RANDOM_SEED=${v.RANDOM_SEED}; nothing written.`);
    if (STRATEGIES[v.STRATEGY]?.selectionConfig && v.SELECTION_CONFIG) {
      const selection = parseSelectionConfig(v.SELECTION_CONFIG);
      for (const f of selection.filters) lines.push(`  filter: ${f.value} ${f.op} ${f.threshold}`);
      for (const o of selection.objectives) lines.push(`  objective: ${o.type}${o.type === "uncertainty" ? ` (${o.mode})` : o.type === "weight" ? ` (${o.column})` : ""}, strength ${o.strength}`);
      if (selection.classBalance) lines.push(`  class balance: ${JSON.stringify(selection.classBalance)}`);
    }
    if (v.CLASS_BALANCE !== "none") lines.push(`  CLASS_BALANCE=${v.CLASS_BALANCE}${v.BALANCE_COLUMN ? ` over ${v.BALANCE_COLUMN}` : " over the predicted class"}`);
    if (v.MIN_DISTANCE > 0) lines.push(`  MIN_DISTANCE=${v.MIN_DISTANCE} (${v.METRIC})`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Rewrites README.md's multi-host table (candidates per host, what the merge promises) and its
 * pool-shape table (what simulate's unlabelled --input rows do in each strategy) from the
 * strategy catalog, src/strategies/catalog.ts (test/strategies/contract.test.ts and
 * test/strategies/pool-shape.test.ts check they agree). Run after changing a strategy's merge
 * rule or poolShape:  bun scripts/readme-strategies.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { STRATEGIES, type MergeKind } from "../src/strategies/catalog.ts";
import { parseSelectionConfig } from "../src/strategies/selection-config.ts";

const MERGE_TABLE_HEADER = "| strategy | candidates per host | what a host keeps | merge |\n|---|---|---|---|\n";

const KEEPS: Record<MergeKind, string> = {
  top_rows: "its local top rows by the strategy's score (ties by id)",
  core_set: "its local greedy k-center solution, each row with its covering radius",
  oversampled: "k-means‖-style oversampling, each row weighted by the rows nearest it",
  none: "nothing: refused",
};

/** The table's rows, one per strategy, in catalog order. */
function mergeTableRows(): string {
  return Object.entries(STRATEGIES).map(([name, s]) => {
    const factor = s.merge.candidates(1000, { clusterMarginCandidates: 0 }) / 1000;
    const budget = (factor === 0 ? "–" : factor === 1 ? "k" : `${factor}·k`) + (name === "cluster_margin" ? " (`CLUSTER_MARGIN_CANDIDATES`)" : "");
    return `| \`${name}\` | ${budget} | ${KEEPS[s.merge.kind]} | ${s.merge.guarantee} |\n`;
  }).join("");
}

/** README with the multi-host table replaced; throws when README has no such table. */
export function withMergeTable(readme: string): string {
  return withTable(readme, MERGE_TABLE_HEADER, mergeTableRows(), "multi-host");
}

const POOL_SHAPE_TABLE_HEADER = "| strategy | what rows that only shape the pool do (simulate's `--input` rows) |\n|---|---|\n";

/** A hybrid config with a typicality objective: the one hybrid the unlabelled rows shape. */
const TYPICALITY_CONFIG = parseSelectionConfig('{"objectives": [{"type": "typicality"}]}');

/** The pool-shape table's rows, one per strategy, in catalog order. */
function poolShapeTableRows(): string {
  const nothing = "nothing: it reads only the candidates and the labelled rows, and chooses the same rows with them as without them";
  return Object.entries(STRATEGIES).map(([name, s]) => {
    const how = s.selectionConfig ? `with a \`typicality\` objective ${s.poolShape(TYPICALITY_CONFIG)}; without one, ${nothing}` : s.poolShape(null) ?? nothing;
    return `| \`${name}\` | ${how} |\n`;
  }).join("");
}

/** README with the pool-shape table replaced; throws when README has no such table. */
export function withPoolShapeTable(readme: string): string {
  return withTable(readme, POOL_SHAPE_TABLE_HEADER, poolShapeTableRows(), "pool-shape");
}

/** README with the rows (one per strategy, each starting "| `") under `header` replaced by `rows`. */
function withTable(readme: string, header: string, rows: string, name: string): string {
  const start = readme.indexOf(header);
  if (start < 0) throw new Error(`README.md has no ${name} table header`);
  let end = start + header.length;
  while (readme.startsWith("| `", end)) end = readme.indexOf("\n", end) + 1;
  return readme.slice(0, start) + header + rows + readme.slice(end);
}

if (import.meta.main) {
  const path = join(import.meta.dir, "..", "README.md");
  writeFileSync(path, withPoolShapeTable(withMergeTable(readFileSync(path, "utf8"))));
  console.log(`README.md: ${Object.keys(STRATEGIES).length} strategies in the multi-host and pool-shape tables`);
}

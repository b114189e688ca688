/** Prints what a selection chose, from its output directory (make demo). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "out/demo";
const m = JSON.parse(readFileSync(join(dir, "selection_metadata.json"), "utf8"));
const lines = readFileSync(join(dir, "selected_samples.csv"), "utf8").trimEnd().split("\n");
const header = lines[0]!.split(",");
const show = ["id", "selection_score", "selection_rank"].map((c) => header.indexOf(c));
console.log(`${m.strategy} (${m.use_case}): selected ${m.selected_count} of ${m.pool_size} rows in ${m.timings_ms.selectMs} ms on the ${m.blas.backend} backend`);
console.log("first rows:");
for (const line of lines.slice(1, 6)) {
  const cells = line.split(",");
  console.log("  " + show.map((i) => `${header[i]}=${cells[i]}`).join("  "));
}
console.log("predicted classes  pool → selected:");
for (const [name, count] of Object.entries(m.class_distribution.pool as Record<string, number>)) {
  console.log(`  ${name.padStart(3)}  ${String(count).padStart(6)} → ${m.class_distribution.selected[name]}`);
}
console.log(`files: ${["selected_samples.csv", "selection_metadata.json", "selection_report.html"].map((f) => join(dir, f)).join(", ")}`);

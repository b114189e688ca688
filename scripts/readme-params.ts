/**
 * Rewrites the parameter table in README.md from src/cli/params.ts (test/cli.test.ts checks
 * they agree). Run after changing a parameter:  bun scripts/readme-params.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PARAMS } from "../src/cli/params.ts";

const path = join(import.meta.dir, "..", "README.md");
const readme = readFileSync(path, "utf8");
const header = "| environment | flag | default | meaning |\n|---|---|---|---|\n";
const start = readme.indexOf(header);
if (start < 0) throw new Error("README.md has no parameter table header");
let end = start + header.length;
while (readme.startsWith("| `", end)) end = readme.indexOf("\n", end) + 1;
const rows = PARAMS.map((p) => {
  const values = p.kind.type === "choice" ? `: ${p.kind.values.map((v) => `\`${v}\``).join(", ")}` : "";
  const shownDefault = p.default === "" ? "–" : `\`${p.default}\``;
  return `| \`${p.env}\` | \`--${p.flag}\` | ${shownDefault} | ${p.help}${values} |\n`;
}).join("");
writeFileSync(path, readme.slice(0, start) + header + rows + readme.slice(end));
console.log(`README.md: ${PARAMS.length} parameters`);

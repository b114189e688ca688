/**
 * One upstream-input case and its runner, shared by the upstream test files: each case builds
 * an input channel, runs main() on it, and must end with a checked selection or a refusal that
 * names the file and what to do; never a stack trace, never a partial output.
 */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { forbiddenLeftovers, runIn, splitRecords, tempDir, type RunOutcome } from "./harness.ts";

export interface UpstreamCase {
  name: string;
  /** Writes the input channel's files into `dir`. */
  build: (dir: string) => Promise<void> | void;
  args: string[];
  env?: Record<string, string>;
  /** A refusal: exit class, what the message names, and what to do. */
  refused?: { exit: 2 | 3; mentions: string[]; hint: RegExp };
  /** Checks on a run that succeeded: the output rows as records of text fields, the metadata. */
  selected?: (out: { header: string[]; rows: string[][]; metadata: Record<string, unknown>; log: string }) => void;
  /** Each must match the log (stderr): what was skipped, or read differently from its name. */
  log?: RegExp[];
}

/** Output records as fields (no field in these tests holds a comma or quote). */
export function readOutput(o: RunOutcome) {
  const records = splitRecords(readFileSync(join(o.output, "selected_samples.csv"), "latin1"));
  const metadata = JSON.parse(readFileSync(join(o.output, "selection_metadata.json"), "utf8")) as Record<string, unknown>;
  return { header: records[0]!.split(","), rows: records.slice(1).map((r) => r.split(",")), metadata, log: o.log };
}

export const column = (out: { header: string[]; rows: string[][] }, name: string) => {
  const c = out.header.indexOf(name);
  expect(c).toBeGreaterThanOrEqual(0);
  return out.rows.map((r) => r[c]!);
};

/** Runs one case; the checks every case shares (no stack trace, nothing partial) are here. */
export async function runCase(c: UpstreamCase): Promise<void> {
  const input = tempDir("as-upstream-");
  await c.build(input);
  const o = await runIn(input, c.args, c.env ?? {});
  expect(o.log).not.toContain("This is a bug");
  expect(o.log).not.toMatch(/\n\s+at /); // no stack trace
  if (c.refused) {
    const message = o.result.error?.message ?? "";
    expect({ exit: o.result.exitCode, message }).toMatchObject({ exit: c.refused.exit });
    for (const m of c.refused.mentions) expect(message).toContain(m);
    expect(message).toMatch(c.refused.hint);
    expect(o.result.outputs).toEqual([]);
    expect(forbiddenLeftovers(o.left)).toEqual([]);
  } else {
    expect({ exit: o.result.exitCode, error: o.result.error?.message }).toEqual({ exit: 0, error: undefined });
    c.selected?.(readOutput(o));
  }
  for (const pattern of c.log ?? []) expect(o.log).toMatch(pattern);
}


/**
 * The FFI backend must survive `bun build --compile` (bun:ffi is imported dynamically there).
 * Builds a tiny entry into a temporary directory (~0.3 s, ~100 MB), runs it, and removes it.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBlas } from "../../ffi/load.ts";

const directory = mkdtempSync(join(tmpdir(), "active-sampling-compile-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

test("a bun --compile binary loads the same backend as bun itself and multiplies correctly", async () => {
  const binary = join(directory, "compiled_sgemm");
  const entry = join(import.meta.dir, "fixtures", "compiled_sgemm.ts");
  const build = Bun.spawnSync([process.execPath, "build", "--compile", entry, "--outfile", binary]);
  // stderr is shown only when the build fails; warnings alone do not fail the test.
  const failure = build.exitCode === 0 ? null : build.stderr.toString();
  expect({ exitCode: build.exitCode, failure }).toEqual({ exitCode: 0, failure: null });

  const run = Bun.spawnSync([binary, "auto"]);
  expect(run.exitCode).toBe(0);
  const report = JSON.parse(run.stdout.toString());
  const { blas } = await loadBlas({ mode: "auto" });
  expect(report.name).toBe(blas.name);
  expect(report.libraryPath).toBe(blas.libraryPath);
  // A = [1 2 3; 4 5 6], B = [1 0; 0 1; 1 1]
  expect(report.c).toEqual([4, 5, 10, 11]);
}, 30_000);

/**
 * The choice of backend, tested on its own: which backend each mode gives, and that a failed
 * load is loud (one warning in "auto", an error in "openblas") and names what was tried.
 */
import { describe, expect, test } from "bun:test";
import { BlasUnavailableError, loadBlas, openBlasCandidatePaths } from "../../ffi/load.ts";

const bogusPath = "/nonexistent/active-sampling-test/libopenblas.so.0";
const otherBogusPath = "/nonexistent/active-sampling-test/libopenblas.dylib";

describe("loadBlas", () => {
  test('loadBlas({ mode: "off" }) gives the TypeScript backend with no warning', async () => {
    const { blas, warning } = await loadBlas({ mode: "off", libraryPath: bogusPath });
    expect(blas.name).toBe("typescript");
    expect(blas.libraryPath).toBeNull();
    expect(warning).toBeNull();
  });

  test('loadBlas({ mode: "auto" }) falls back to TypeScript with one warning naming a bad libraryPath', async () => {
    const { blas, warning } = await loadBlas({ mode: "auto", libraryPath: bogusPath, candidates: [] });
    expect(blas.name).toBe("typescript");
    expect(warning).toContain(`BLAS_LIBRARY=${bogusPath}`);
    expect(warning).toContain("apt-get install libopenblas0-pthread");
    expect(warning).toContain("BLAS_LIBRARY");
  });

  test('loadBlas({ mode: "auto" }) tries only the libraryPath it is given, not the candidates', async () => {
    const { blas, warning } = await loadBlas({
      mode: "auto", libraryPath: bogusPath, candidates: [otherBogusPath],
    });
    expect(blas.name).toBe("typescript");
    expect(warning).not.toContain(otherBogusPath);
  });

  test('loadBlas({ mode: "auto" }) without a libraryPath names every candidate it tried', async () => {
    const { blas, warning } = await loadBlas({ mode: "auto", candidates: [bogusPath, otherBogusPath] });
    expect(blas.name).toBe("typescript");
    expect(warning).toContain(bogusPath);
    expect(warning).toContain(otherBogusPath);
    expect(warning).toContain("apt-get install libopenblas0-pthread");
  });

  test('loadBlas() treats an empty libraryPath (BLAS_LIBRARY=) as unset and tries the candidates', async () => {
    const { warning } = await loadBlas({ mode: "auto", libraryPath: "", candidates: [bogusPath] });
    expect(warning).toContain(bogusPath);
    expect(warning).not.toContain("BLAS_LIBRARY=");
  });

  test('loadBlas({ mode: "auto" }) with no candidates at all still explains the fallback', async () => {
    const { blas, warning } = await loadBlas({ mode: "auto", candidates: [] });
    expect(blas.name).toBe("typescript");
    expect(warning).toContain("no candidate paths");
  });

  test('loadBlas({ mode: "openblas" }) with a bad libraryPath throws a BlasUnavailableError naming it', async () => {
    const loading = loadBlas({ mode: "openblas", libraryPath: bogusPath, candidates: [] });
    await expect(loading).rejects.toBeInstanceOf(BlasUnavailableError);
    await expect(loadBlas({ mode: "openblas", libraryPath: bogusPath })).rejects.toThrow(bogusPath);
  });

  test("loadBlas() rejects an unknown mode", async () => {
    const mode = "fast" as unknown as "auto";
    await expect(loadBlas({ mode })).rejects.toThrow('unknown BLAS mode "fast"');
  });

  test("openBlasCandidatePaths() lists the Debian x86_64 and arm64 paths and the bare soname", () => {
    const paths = openBlasCandidatePaths();
    expect(paths).toContain("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
    expect(paths).toContain("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0");
    expect(paths).toContain("/usr/lib/aarch64-linux-gnu/libopenblas.so.0");
    expect(paths).toContain("libopenblas.so.0");
    expect(new Set(paths).size).toBe(paths.length);
  });
});

// Where OpenBLAS is installed, "auto" and "openblas" must actually pick it up.
const installed = await loadBlas({ mode: "auto" });
if (installed.blas.name !== "openblas") console.warn(`skipping loads that need OpenBLAS: ${installed.warning}`);
const describeIfInstalled = installed.blas.name === "openblas" ? describe : describe.skip;

describeIfInstalled("loadBlas with OpenBLAS installed", () => {
  test('loadBlas({ mode: "auto" }) picks OpenBLAS from the candidates and records its path', async () => {
    const { blas, warning } = await loadBlas({ mode: "auto" });
    expect(blas.name).toBe("openblas");
    expect(openBlasCandidatePaths()).toContain(blas.libraryPath!);
    expect(warning).toBeNull();
  });

  test('loadBlas({ mode: "openblas" }) loads the libraryPath it is given', async () => {
    const path = installed.blas.libraryPath!;
    const { blas, warning } = await loadBlas({ mode: "openblas", libraryPath: path });
    expect(blas.name).toBe("openblas");
    expect(blas.libraryPath).toBe(path);
    expect(warning).toBeNull();
  });

  test('loadBlas({ mode: "auto" }) skips bad candidates and loads the next one', async () => {
    const path = installed.blas.libraryPath!;
    const { blas, warning } = await loadBlas({ mode: "auto", candidates: [bogusPath, path] });
    expect(blas.libraryPath).toBe(path);
    expect(warning).toBeNull();
  });
});

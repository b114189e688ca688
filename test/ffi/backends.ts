/**
 * Every backend the shared BLAS suite runs on. The TypeScript twin is always there; OpenBLAS is
 * there when it loads from the default candidate paths, and otherwise carries the loader's
 * warning as the reason its block is skipped.
 */
import type { Blas } from "../../ffi/blas.ts";
import { loadBlas } from "../../ffi/load.ts";
import { typescriptBlas } from "../../ffi/typescript.ts";

export interface BackendUnderTest {
  name: string;
  /** null when the backend is unavailable here. */
  blas: Blas | null;
  skipReason: string | null;
}

export async function backendsUnderTest(): Promise<BackendUnderTest[]> {
  const { blas, warning } = await loadBlas({ mode: "auto" });
  const openblas: BackendUnderTest = blas.name === "openblas"
    ? { name: "openblas", blas, skipReason: null }
    : { name: "openblas", blas: null, skipReason: warning };
  return [{ name: "typescript", blas: typescriptBlas, skipReason: null }, openblas];
}

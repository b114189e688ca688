// Temporary: replaced by the OpenBLAS loader (branch ffi).
import type { Blas } from "./blas.ts";
import { typescriptBlas } from "./typescript.ts";
export async function loadBlas(_: { mode: string; libraryPath?: string | null }): Promise<{ blas: Blas; warning: string | null }> {
  return { blas: typescriptBlas, warning: null };
}

/**
 * The numeric backend a job runs on: OpenBLAS, or the TypeScript twin with one warning
 * (ACTIVE_SAMPLING_BLAS, BLAS_LIBRARY). Selections and simulations load it the same way; a
 * backend asked for by name that cannot load is the user's setting to fix, so a usage error.
 */
import type { Blas } from "../../ffi/blas.ts";
import { BlasUnavailableError, loadBlas } from "../../ffi/load.ts";
import type { ParamValues } from "../cli/config.ts";
import type { Logger } from "../cli/log.ts";
import { UsageError } from "../errors.ts";

export async function loadBackend(values: Pick<ParamValues, "ACTIVE_SAMPLING_BLAS" | "BLAS_LIBRARY">, log: Logger): Promise<Blas> {
  const { blas, warning } = await loadBlas({ mode: values.ACTIVE_SAMPLING_BLAS, libraryPath: values.BLAS_LIBRARY || null })
    .catch((error) => { throw error instanceof BlasUnavailableError ? new UsageError(error.message) : error; });
  if (warning) log.warn(warning);
  return blas;
}

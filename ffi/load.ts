/**
 * Chooses the BLAS backend once, at start-up: OpenBLAS when it loads, the TypeScript twin when
 * it does not or is not wanted. A fallback is never silent: "auto" returns one warning naming
 * every path tried, "openblas" throws. The caller records `blas.name` and `blas.libraryPath`
 * in the run metadata.
 *
 * This file reads no environment: the caller passes BLAS_LIBRARY in as `libraryPath`.
 */
import type { Blas } from "./blas.ts";
import { openOpenBlas } from "./openblas.ts";
import { typescriptBlas } from "./typescript.ts";

export type BlasMode = "auto" | "openblas" | "off";

/** OpenBLAS was required but did not load, or the mode is unknown: the caller's usage error. */
export class BlasUnavailableError extends Error {
  override name = "BlasUnavailableError";
}

export interface LoadBlasOptions {
  /**
   * "auto": OpenBLAS if it loads, else TypeScript with a warning.
   * "openblas": OpenBLAS or a thrown BlasUnavailableError.
   * "off": TypeScript, nothing is opened.
   */
  mode: BlasMode;
  /**
   * The library to open (BLAS_LIBRARY); when set it is the only path tried, so a user who
   * names a library never silently gets another. Default null (or ""): try `candidates`.
   */
  libraryPath?: string | null;
  /** Paths tried in order when `libraryPath` is not set. Default `openBlasCandidatePaths()`. */
  candidates?: readonly string[];
}

export interface LoadedBlas {
  blas: Blas;
  /** Why OpenBLAS was wanted but not used, with what to do about it; null otherwise. */
  warning: string | null;
}

/**
 * Where distributions put OpenBLAS, system default first. The bare name lets the dynamic
 * linker search LD_LIBRARY_PATH and its cache, which covers other layouts (e.g. /usr/lib64).
 */
export function openBlasCandidatePaths(): string[] {
  return [
    "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
    "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
    "libopenblas.so.0",
    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib", // Homebrew on Apple silicon
    "/usr/local/opt/openblas/lib/libopenblas.dylib", // Homebrew on Intel
    "libopenblas.dylib",
  ];
}

const INSTALL_HINT = "Install OpenBLAS (Debian/Ubuntu: `apt-get install libopenblas0-pthread`; " +
  "macOS: `brew install openblas`) or set BLAS_LIBRARY to the path of libopenblas.so.0";

/** Picks and opens the backend described by `options`; see `LoadBlasOptions`. */
export async function loadBlas(options: LoadBlasOptions): Promise<LoadedBlas> {
  const { mode } = options;
  if (mode === "off") return { blas: typescriptBlas, warning: null };
  if (mode !== "auto" && mode !== "openblas") {
    throw new BlasUnavailableError(`unknown BLAS mode "${String(mode)}": use auto, openblas or off`);
  }

  // An empty BLAS_LIBRARY= counts as unset; dlopen("") would open the running executable.
  const libraryPath = options.libraryPath || null;
  const paths = libraryPath !== null ? [libraryPath] : [...(options.candidates ?? openBlasCandidatePaths())];
  const failures: string[] = [];
  for (const path of paths) {
    try {
      return { blas: await openOpenBlas(path), warning: null };
    } catch (error) {
      failures.push(`  ${path}: ${reasonOf(error, path)}`);
    }
  }

  const tried = libraryPath !== null
    ? `BLAS_LIBRARY=${libraryPath} could not be loaded:\n${failures.join("\n")}`
    : failures.length === 0
      ? "no candidate paths were given"
      : `tried:\n${failures.join("\n")}`;
  if (mode === "openblas") {
    throw new BlasUnavailableError(`OpenBLAS was required (--blas openblas) but not loaded; ${tried}\n${INSTALL_HINT}.`);
  }
  return {
    blas: typescriptBlas,
    warning: `OpenBLAS not loaded, using the slower TypeScript backend; ${tried}\n${INSTALL_HINT}, ` +
      "or pass --blas off to choose the TypeScript backend without this warning.",
  };
}

/**
 * The dynamic linker's reason, without the runtime's wrapping: Bun says `Failed to open
 * library "P": P: reason`, Deno `Could not open library: ... P: reason`, and the warning
 * already names P once.
 */
function reasonOf(error: unknown, path: string): string {
  const message = (error instanceof Error ? error.message : String(error)).split("\n", 1)[0]!;
  const at = message.lastIndexOf(`${path}: `);
  return at === -1 ? message : message.slice(at + path.length + 2);
}

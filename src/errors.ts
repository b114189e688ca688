/**
 * Errors a caller should catch, each with a class of failure and the exit status it maps to.
 *
 * Exit codes (documented in the README and `--help`):
 *   0  success
 *   2  usage error: an unknown flag, strategy, mode or metric, a parameter out of range, a
 *      strategy that contradicts the use case
 *   3  input data error: a missing, unreadable, malformed or inconsistent input file
 *   4  internal error: a bug; please report it with the command line and metadata
 */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_DATA = 3;
export const EXIT_INTERNAL = 4;

/** A problem with the flags, environment variables or selection config the user gave. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  override name = "UsageError";
}

/** A problem with the input files: names the file, and the row or column where it can. */
export class DataError extends Error {
  readonly exitCode = EXIT_DATA;
  override name = "DataError";
}

/** Maps any thrown value to the process exit status. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof DataError) return error.exitCode;
  return EXIT_INTERNAL;
}

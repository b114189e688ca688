/**
 * SageMaker reads a failed job's reason from /opt/ml/output/message and shows it as the job's
 * ExitMessage/FailureReason (it keeps the first 1024 characters), so a failure there says
 * what stderr says without opening CloudWatch.
 *
 * The message is written only when the file's directory exists. SageMaker creates
 * /opt/ml/output in its containers; on a laptop it is absent and nothing is written, so a local
 * run never needs /opt/ml. Writing it can itself fail (read-only or full disk): that is reported
 * and never hides the error being reported.
 */
import { existsSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes `message` to `path` when its directory exists. Returns null when written or skipped,
 * else why the write failed (for a warning on stderr).
 */
export function writeFailureMessage(path: string | null | undefined, message: string): string | null {
  if (!path || !existsSync(dirname(path))) return null;
  try {
    writeFileSync(path, message.endsWith("\n") ? message : message + "\n");
    return null;
  } catch (error) {
    return `could not write the failure message to ${path}: ${(error as Error).message}`;
  }
}

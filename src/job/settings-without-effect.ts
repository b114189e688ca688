/**
 * Settings that the data read showed to have no effect, for a warning: the run would
 * otherwise go on as if they had worked.
 */
import type { Config } from "../cli/config.ts";
import { listNames } from "../list-names.ts";
import type { Role } from "./plan.ts";
import type { JobInputs } from "./read.ts";

export function settingsWithoutEffect(config: Config, role: Role, inputs: Pick<JobInputs, "pool" | "listedCount">): string[] {
  return [unmatchedExclusions(config, role, inputs.listedCount), unusedLabelClasses(config, inputs.pool)].filter((w): w is string => w !== null);
}

/**
 * EXCLUDE_IDS_FILE set but none of its ids is a pool row's (labelled rows count apart: a
 * labelled pool row says nothing of the file). Ids match only as written, so a list of row
 * numbers, of another column, or of ids without their leading zeros matches nothing. A host of
 * a multi-host job sees one shard, which may hold none of the ids, and a merge reads rows the
 * hosts already filtered: only a single-host run can tell.
 */
function unmatchedExclusions(config: Config, role: Role, listedCount: number | null): string | null {
  const file = config.values.EXCLUDE_IDS_FILE;
  if (!file || role !== "single" || listedCount !== 0) return null;
  return `none of the ids in EXCLUDE_IDS_FILE ${file} is in the pool's "${config.values.ID_FIELD}" column, so no row was excluded; ids match only as written ("007" is not "7"): check that the file lists this pool's ids.`;
}

/** LABEL_CLASSES lists the classes of a predicted-label column; a pool without one takes its classes elsewhere. */
function unusedLabelClasses(config: Config, pool: JobInputs["pool"]): string | null {
  if (!config.values.LABEL_CLASSES || pool.plan.scoreKind === "label") return null;
  const classes = pool.plan.classNames.length > 0 ? `: its classes are those of its score columns (${listNames(pool.plan.classNames)})` : "";
  return `LABEL_CLASSES is set but the pool has no predicted-label column${classes}, and LABEL_CLASSES is ignored.`;
}

/**
 * An EXCLUDE_IDS_FILE that excluded nothing. Ids match only as written, so a list of row
 * numbers, of another column, or of ids without their leading zeros matches no pool row, and
 * the run would select the very rows the user meant to keep out without a word.
 */
import type { Config } from "../cli/config.ts";
import type { Role } from "./plan.ts";

/**
 * The warning when EXCLUDE_IDS_FILE is set but no pool row was excluded (`excludedCount`
 * counts the labelled rows too, so 0 means none of the file's ids matched). A host of a
 * multi-host job sees one shard, which may hold none of the ids, and a merge reads rows the
 * hosts already filtered: only a single-host run can tell.
 */
export function unmatchedExclusionWarning(config: Config, role: Role, excludedCount: number): string | null {
  const file = config.values.EXCLUDE_IDS_FILE;
  if (!file || role !== "single" || excludedCount > 0) return null;
  return `none of the ids in EXCLUDE_IDS_FILE ${file} is in the pool's "${config.values.ID_FIELD}" column, so no row was excluded; ids match only as written ("007" is not "7"): check that the file lists this pool's ids.`;
}

/**
 * A header whose names have spaces around them ("id, prob_class_0": written with sep=", ", or
 * by hand) names no column the tool looks for, since " prob_class_0" is not "prob_class_0":
 * say so, rather than only that the id or score columns are missing.
 */
export function paddedNamesHint(names: readonly string[]): string {
  const padded = names.filter((name) => name !== name.trim());
  if (padded.length === 0) return "";
  const shown = padded.slice(0, 3).map((name) => JSON.stringify(name)).join(", ") + (padded.length > 3 ? ", …" : "");
  return ` The header has names with spaces around them (${shown}): they match no column name written without them. Write the header without the spaces (pandas: df.columns = df.columns.str.strip(), and to_csv with the default sep=",").`;
}

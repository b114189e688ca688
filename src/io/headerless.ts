/**
 * Spark writes CSV without a header unless told (`header` defaults to false): the first data
 * row then names the columns. A header whose names are mostly numbers is most likely such a
 * row, and the refusal says so.
 */
export function headerlessHint(names: readonly string[]): string {
  const numeric = names.filter((name) => name.trim() !== "" && Number.isFinite(Number(name))).length;
  return numeric * 2 >= names.length
    ? ` The first line looks like data, not a header: write the file with a header line (Spark: .option("header", "true")).`
    : "";
}

/**
 * A CSV header read as one column that holds semicolons, tabs or pipes is a file written with
 * another separator (European spreadsheet exports use ";"): say so, rather than only that the
 * id column is missing.
 */
const SEPARATORS: [string, string][] = [[";", "semicolons"], ["\t", "tabs"], ["|", "pipes"]];

export function delimiterHint(names: readonly string[]): string {
  if (names.length !== 1) return "";
  const found = SEPARATORS.find(([separator]) => names[0]!.includes(separator));
  return found
    ? ` The header reads as one column: the file is separated by ${found[1]}, not commas. Write it comma-separated (pandas: to_csv(path, sep=","); Excel: "CSV (comma delimited)").`
    : "";
}

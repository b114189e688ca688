/**
 * Messages for command lines that node:util's parseArgs refuses. Its own words are written for
 * programs with positional arguments ("place it at the end of the command after '--'"); a user
 * of this tool has mistyped a flag (`--batch_size`, `--Strategy`) or given a negative number.
 */
export function flagErrorMessage(error: Error & { code?: string }, flags: readonly string[]): string {
  const token = /'(--?[^' ]+)/.exec(error.message)?.[1] ?? "";
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const guess = closestFlag(token.replace(/^-+/, "").split("=")[0]!, flags);
    return `unknown flag ${token}${guess ? `; did you mean --${guess}?` : ""} (see --help for the flags).`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /ambiguous/.test(error.message)) {
    return `flag ${token} is followed by something that starts with "-"; a value that starts with "-" is written ${token}=VALUE, and a flag needs its value first (see --help).`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && /missing/.test(error.message)) {
    return `flag ${token} needs a value (see --help).`;
  }
  return `${error.message.split("\n")[0]}; see --help for the flags.`;
}

/** The flag a typo most likely meant: same letters with `_` for `-` or another case, or one or two edits away. */
function closestFlag(typed: string, flags: readonly string[]): string | null {
  return nearestName(typed, flags, 2, (name) => name.toLowerCase().replaceAll("_", "-"));
}

/**
 * The name a typed one most likely meant: the first of `names` with the fewest edits between
 * the two as `normal` writes them, when at most `maxEdits`; null when none is that close.
 */
export function nearestName(typed: string, names: readonly string[], maxEdits: number, normal: (name: string) => string): string | null {
  const written = normal(typed);
  let best: string | null = null;
  let bestDistance = maxEdits + 1;
  for (const name of names) {
    const d = editDistance(written, normal(name));
    if (d < bestDistance) { best = name; bestDistance = d; }
  }
  return best;
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

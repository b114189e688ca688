/**
 * Environment variables that look like a mistyped setting (`STRATEGYY`, `BATCHSIZE`,
 * `batch_size`). The environment also holds the shell's and SageMaker's own variables, so an
 * unknown name is never refused; one that is nearly a setting's name gets a warning, since
 * otherwise the run would silently take that setting's default.
 */
import { nearestName } from "./flag-errors.ts";

/** A warning for each variable of `env` that is not in `settings` but nearly spells one of them. */
export function mistypedEnvWarnings(env: Readonly<Record<string, string | undefined>>, settings: readonly string[]): string[] {
  const known = new Set(settings);
  const warnings: string[] = [];
  for (const name of Object.keys(env)) {
    if (known.has(name)) continue;
    const meant = nearestSetting(name, settings);
    if (meant) warnings.push(`env ${name} is not a setting and is ignored; did you mean ${meant}?`);
  }
  return warnings;
}

/**
 * The setting a name most likely meant: the same letters in another case or with other
 * separators, or one edit away (two for names of 8 letters or more). Names under 5 letters
 * match only the first way, so that `HOST` is not taken for `HOSTS`.
 */
function nearestSetting(name: string, settings: readonly string[]): string | null {
  const letters = (text: string) => text.toUpperCase().replace(/[^A-Z0-9]/g, "");
  const length = letters(name).length;
  return nearestName(name, settings, length >= 8 ? 2 : length >= 5 ? 1 : 0, letters);
}

/**
 * Column or class names for an error message: the first few, and how many there are in all when
 * there are more, so a short list never reads as the whole header.
 */
export function listNames(names: readonly string[], limit = 12): string {
  return names.length > limit ? `${names.slice(0, limit).join(", ")}, … (${names.length} in all)` : names.join(", ");
}

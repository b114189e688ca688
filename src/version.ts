/** The product version, from package.json (bundled into the compiled binary). */
import manifest from "../package.json" with { type: "json" };

export const VERSION: string = manifest.version;

/** "bun 1.4.5" or "deno 2.9.6": which runtime ran the selection. */
export function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return "unknown";
}

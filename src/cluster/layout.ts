/**
 * Where each host's files go. With one host the output directory is used as it is, exactly as
 * before hosts existed; with several, each host writes under `<output>/<current host>/`, so
 * instances that upload the same local output path to one S3 prefix never overwrite each
 * other. A later merge step finds the per-host selections at `hostOutputDir(output, …)` for
 * every name in `hosts.all`.
 */
import { join } from "node:path";
import type { Hosts } from "./hosts.ts";

/** The directory this host writes its outputs to. */
export function hostOutputDir(output: string, hosts: Pick<Hosts, "current" | "all">): string {
  return hosts.all.length > 1 ? join(output, hosts.current) : output;
}

/** The library surface: what deno.json exports. Re-exports only. */
export { main, CONTAINER_PATHS, type MainOptions, type RunResult, type Streams } from "./run.ts";
export type { Hosts } from "./cluster/hosts.ts";
export { STRATEGIES, STRATEGY_NAMES, type UseCase } from "./strategies/catalog.ts";
export type { Selection, Strategy, StrategyOptions } from "./strategies/strategy.ts";
export type { Pool } from "./pool/pool.ts";
export { UsageError, DataError, EXIT_OK, EXIT_USAGE, EXIT_DATA, EXIT_INTERNAL } from "./errors.ts";

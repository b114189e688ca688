#!/usr/bin/env bun
/**
 * The binary's entry: the only place that reads argv and the environment and sets the exit
 * status. Everything else is `main` in run.ts.
 */
import process from "node:process";
import { relaunchKeepingFreedMemory } from "../ffi/keep-freed-memory.ts";

// First, before the engine's modules load: this may replace the process (see the file).
await relaunchKeepingFreedMemory(import.meta.main);
const { stopThreads } = await import("./engine/kernels/threads.ts");
const { CONTAINER_PATHS, main } = await import("./run.ts");

const sink = (stream: NodeJS.WriteStream) => ({ write: (text: string) => void stream.write(text), isTTY: Boolean(stream.isTTY) });

const result = await main(CONTAINER_PATHS.input, CONTAINER_PATHS.output, process.env, process.argv.slice(2), {
  stdout: sink(process.stdout),
  stderr: sink(process.stderr),
}, {
  resourceConfig: CONTAINER_PATHS.resourceConfig,
  failureMessage: CONTAINER_PATHS.failureMessage,
});
// The worker threads stay between main() calls (tests make many); the process ends them here
// (Deno waits for running workers before it exits).
stopThreads();
process.exitCode = result.exitCode;

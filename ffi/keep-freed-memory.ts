/**
 * Relaunches the process once (Bun on Linux) with MIMALLOC_PURGE_DELAY=-1: Bun's allocator
 * (mimalloc) then keeps the pages it frees for reuse instead of handing them back to the kernel.
 *
 * Why: mimalloc returns freed pages with madvise, and in a process with more than one thread
 * every such call makes the kernel flush the TLB of each core the process runs on (an
 * interrupt to that core). Bun's allocator thread and the JIT's compiler threads made hundreds
 * of such calls while the engine selected, 0.35–0.8 s of CPU on 1M×128 rows; on one thread that
 * ran on the idle core, on two it took a core from the scans. Keeping the pages: diversity
 * 1M×128 k=1000 on two threads 1.55–1.58 s → 1.37 s (peak unchanged), the streamed 10M-row
 * uncertainty run 2.93 s → 2.30 s (peak 515–552 → 622–687 MiB); the same selections (the
 * allocator never touches a result). README "Every core" has the figures.
 *
 * mimalloc reads the variable once, when the process starts, so it must be in the environment
 * before that: set it in the C environment (Bun's process.env does not reach it) and exec this
 * same program with the same arguments (/proc/self/cmdline), pid, descriptors and unread input
 * kept. A user who sets MIMALLOC_PURGE_DELAY (mimalloc's default is 10 ms) gets theirs, and no
 * relaunch. Deno has its own allocator; elsewhere, or if the exec fails, the run goes on as
 * launched.
 */
import { readFileSync } from "node:fs";

export const PURGE_VARIABLE = "MIMALLOC_PURGE_DELAY";
/** mimalloc's value for "never return freed pages". */
export const KEEP_FREED = "-1";

/**
 * Returns only when the process is not relaunched (see above). `isEntry`: the caller's
 * `import.meta.main`, so that a module imported elsewhere (by `bun test`) never replaces the
 * process it was imported into.
 */
export async function relaunchKeepingFreedMemory(isEntry: boolean): Promise<void> {
  if (!isEntry || typeof Bun === "undefined" || process.platform !== "linux" || process.env[PURGE_VARIABLE] !== undefined) return;
  let commandLine: Buffer;
  try {
    commandLine = readFileSync("/proc/self/cmdline");
  } catch {
    return;
  }
  const { dlopen, ptr } = await import("bun:ffi");
  let libc;
  try {
    libc = dlopen("libc.so.6", {
      setenv: { args: ["ptr", "ptr", "i32"], returns: "i32" },
      execv: { args: ["ptr", "ptr"], returns: "i32" },
    });
  } catch {
    return;
  }
  const cString = (text: string) => Buffer.from(`${text}\0`);
  // The arguments as the kernel passed them: NUL-terminated bytes, whatever their encoding.
  const args: Buffer[] = [];
  for (let start = 0; start < commandLine.length;) {
    const end = commandLine.indexOf(0, start);
    const stop = end < 0 ? commandLine.length : end;
    args.push(Buffer.concat([commandLine.subarray(start, stop), Buffer.alloc(1)]));
    start = stop + 1;
  }
  const argv = new BigUint64Array(args.length + 1);
  args.forEach((arg, i) => { argv[i] = BigInt(ptr(arg)); });
  if (libc.symbols.setenv(cString(PURGE_VARIABLE), cString(KEEP_FREED), 0) !== 0) return;
  libc.symbols.execv(cString("/proc/self/exe"), argv);
  // Only a failed exec returns; `args` stayed referenced until here, so its pointers held.
  void args.length;
}

/** The log's line on the setting in force under Bun; null where none is set (main() called in-process, as the tests do). */
export function freedMemoryNote(env: Readonly<Record<string, string | undefined>>): string | null {
  const value = env[PURGE_VARIABLE];
  if (typeof Bun === "undefined" || value === undefined) return null;
  if (value !== KEEP_FREED) return `memory: ${PURGE_VARIABLE}=${value}, as set`;
  return `memory: freed pages are kept for reuse (${PURGE_VARIABLE}=${KEEP_FREED}; ${PURGE_VARIABLE}=10, mimalloc's default, returns them to the system)`;
}

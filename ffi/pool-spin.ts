/**
 * How long OpenBLAS's pool threads spin after a product before they sleep.
 *
 * By default they spin for 2^28 cycles (about 0.1 s), to be ready for the next product. In the
 * engine the next thing to run is usually the worker threads' kernel (the arg-min after each
 * of the locality order's GEMMs, the centring between the projection's), and the spinning
 * threads take its cores. On 1M×128 rows, two threads, the locality order took 648-707 ms with
 * the default and 488-569 ms with the shortest timeout, its arg-min kernels 152-201 ms against
 * 105-107 ms (718 ms on one thread). A product alone ran as fast either way.
 *
 * OpenBLAS reads OPENBLAS_THREAD_TIMEOUT (log2 of the cycles; 4 is its least) from the C
 * environment once, when the library loads. So before it loads, the shortest timeout is set
 * there, unless the user set one. Bun's process.env does not reach the C environment, so this
 * calls the C library's setenv.
 */
import { openLibrary } from "./dlopen.ts";
import { libcSymbols } from "./symbols.ts";

const VARIABLE = "OPENBLAS_THREAD_TIMEOUT";
/** OpenBLAS's least timeout: 2^4 cycles, so the threads sleep as soon as a product ends. */
const SHORTEST = "4";

/** Where the C library is: glibc on Linux, libSystem on macOS. */
const C_LIBRARIES = ["libc.so.6", "/usr/lib/libSystem.B.dylib"];

const cString = (text: string): Uint8Array => new TextEncoder().encode(`${text}\0`);

let done: Promise<string | null> | null = null;

/**
 * Sets OPENBLAS_THREAD_TIMEOUT to OpenBLAS's least in the C environment unless it is set; call
 * before OpenBLAS loads. Returns the value the library will read, or null when no C library
 * could be opened (the library then spins as it does by default: slower, the same results).
 */
export function shortenPoolSpin(): Promise<string | null> {
  done ??= setTimeoutVariable();
  return done;
}

async function setTimeoutVariable(): Promise<string | null> {
  for (const path of C_LIBRARIES) {
    let libc;
    try {
      libc = await openLibrary(path, libcSymbols);
    } catch {
      continue;
    }
    const current = libc.getenv(cString(VARIABLE));
    if (current !== "") return current;
    libc.setenv(cString(VARIABLE), cString(SHORTEST), 0);
    return libc.getenv(cString(VARIABLE));
  }
  return null;
}

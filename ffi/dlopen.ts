/**
 * Opens a shared library under whichever runtime is running, Bun or Deno, from a symbol table
 * written as plain data (`ffi/symbols.ts`), and returns its functions as plain JS functions.
 *
 * `bun:ffi` is imported dynamically, and Deno's FFI is reached through the `Deno` global, so
 * this file loads unchanged under both runtimes and inside a `bun build --compile` binary.
 * Typed arrays cross as "buffer" in both: the runtime reads the data pointer (byteOffset
 * included) off the view at call time. In Bun that is also about twice as fast per call as
 * `ptr(view)`, and it accepts the empty views that `ptr()` refuses.
 */
import type { CType, SymbolSpec } from "./symbols.ts";

/** The JS value that crosses for one C type. */
type JsValue<T> = T extends "array" ? Float32Array | Float64Array
  : T extends "bytes" ? Uint8Array
  : T extends "string" ? string
  : T extends "void" ? void
  : number;

type JsArgs<A extends readonly CType[]> = { -readonly [I in keyof A]: JsValue<A[I]> };

/** The callable functions of a library opened from the symbol table S. */
export type BoundSymbols<S extends Record<string, SymbolSpec>> = {
  readonly [K in keyof S]: (...args: JsArgs<S[K]["args"]>) => JsValue<S[K]["returns"]>;
};

type AnyFunction = (...args: unknown[]) => unknown;

/** The part of Deno's FFI this file uses; declared here so the file type-checks under Bun too. */
interface DenoFfi {
  dlopen(path: string, symbols: Record<string, { parameters: string[]; result: string }>): {
    symbols: Record<string, AnyFunction>;
  };
  UnsafePointerView: { getCString(pointer: unknown): string };
}

const runtime = globalThis as unknown as { Bun?: unknown; Deno?: DenoFfi };

const bunTypeOf: Record<CType, string> = {
  int: "i32", float: "f32", double: "f64", array: "buffer", string: "cstring", bytes: "buffer", void: "void",
};
const denoTypeOf: Record<CType, string> = {
  int: "i32", float: "f32", double: "f64", array: "buffer", string: "pointer", bytes: "buffer", void: "void",
};

/**
 * Opens `libraryPath` and binds every symbol in `symbols`; throws the runtime's dlopen error
 * (which names the path and the reason, or the first missing symbol) if it cannot.
 */
export async function openLibrary<S extends Record<string, SymbolSpec>>(
  libraryPath: string, symbols: S): Promise<BoundSymbols<S>> {
  if (typeof runtime.Bun !== "undefined") return await openWithBun(libraryPath, symbols);
  if (typeof runtime.Deno !== "undefined") return openWithDeno(runtime.Deno, libraryPath, symbols);
  throw new Error(`cannot open ${libraryPath}: FFI needs Bun or Deno, and this runtime is neither`);
}

/** One symbol as bun:ffi's dlopen takes it (for code that opens a library itself: the worker threads). */
export function bunDefinition(spec: SymbolSpec): { args: string[]; returns: string } {
  return { args: spec.args.map((t) => bunTypeOf[t]), returns: bunTypeOf[spec.returns] };
}

/** One symbol as Deno.dlopen takes it (the worker threads, under Deno). */
export function denoDefinition(spec: SymbolSpec): { parameters: string[]; result: string } {
  return { parameters: spec.args.map((t) => denoTypeOf[t]), result: denoTypeOf[spec.returns] };
}

async function openWithBun<S extends Record<string, SymbolSpec>>(
  libraryPath: string, symbols: S): Promise<BoundSymbols<S>> {
  const ffi = await import("bun:ffi");
  const definitions: Record<string, { args: string[]; returns: string }> = {};
  for (const [name, spec] of Object.entries(symbols)) definitions[name] = bunDefinition(spec);
  // bun:ffi types its definitions as FFIType literals; the table above holds their names.
  const library = ffi.dlopen(libraryPath, definitions as unknown as Parameters<typeof ffi.dlopen>[1]);
  const functions = library.symbols as unknown as Record<string, AnyFunction>;
  return bind(symbols, functions, (value) => (value === null ? "" : String(value)));
}

function openWithDeno<S extends Record<string, SymbolSpec>>(
  deno: DenoFfi, libraryPath: string, symbols: S): BoundSymbols<S> {
  const definitions: Record<string, { parameters: string[]; result: string }> = {};
  for (const [name, spec] of Object.entries(symbols)) definitions[name] = denoDefinition(spec);
  const library = deno.dlopen(libraryPath, definitions);
  return bind(symbols, library.symbols,
    (pointer) => (pointer === null ? "" : deno.UnsafePointerView.getCString(pointer)));
}

/** Hands the runtime's functions out as they are, except string returns, which become JS strings. */
function bind<S extends Record<string, SymbolSpec>>(symbols: S, functions: Record<string, AnyFunction>,
  toString: (returned: unknown) => string): BoundSymbols<S> {
  const bound: Record<string, AnyFunction> = {};
  for (const [name, spec] of Object.entries(symbols)) {
    const call = functions[name]!;
    bound[name] = spec.returns === "string" ? (...args) => toString(call(...args)) : call;
  }
  return bound as BoundSymbols<S>;
}

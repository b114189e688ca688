/**
 * Headless Chromium for the browser tests, driven over the DevTools protocol (CDP) with the
 * runtime's own WebSocket: no npm package, so nothing to keep in step with the browser's
 * version. Chromium listens on a loopback port it picks itself (`--remote-debugging-port=0`)
 * and prints the address on stderr.
 *
 * `openPage` loads one URL and records everything a person would call an error: console
 * errors, uncaught exceptions, browser log errors (CSP violations, failed loads) and every
 * request other than the page itself. Protocol reference: chromedevtools.github.io/devtools-protocol.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The Chromium to run: $CHROMIUM_BIN, else the first of chromium, chromium-browser, google-chrome on PATH. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_BIN;
  if (fromEnv) return fromEnv;
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    const path = Bun.which(name);
    if (path) return path;
  }
  return null;
}

/** Flags for a quiet, offline, throwaway browser (root needs --no-sandbox). */
function flags(userDataDir: string): string[] {
  return [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
    "--mute-audio", "--hide-scrollbars", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
    `--user-data-dir=${userDataDir}`, "about:blank",
  ];
}

export interface PageProblem {
  source: string;
  text: string;
}

export interface LoadedPage {
  /** Console errors, exceptions, log errors, in the order they came. */
  problems: PageProblem[];
  /** URLs requested other than the page's own. */
  otherRequests: string[];
  /** Evaluates an expression in the page (DevTools evaluation is not bound by the page's CSP). */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG of the whole page at the given CSS width. */
  screenshot(width: number): Promise<Uint8Array>;
}

type Listener = (method: string, params: any, sessionId: string | undefined) => void;

class Cdp {
  #ws: WebSocket;
  #nextId = 1;
  #pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void; method: string }>();
  #listeners: Listener[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== undefined) {
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (!waiter) return;
        if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
        else waiter.resolve(message.result);
      } else {
        for (const listener of this.#listeners) listener(message.method, message.params, message.sessionId);
      }
    });
    ws.addEventListener("close", () => {
      for (const waiter of this.#pending.values()) waiter.reject(new Error(`${waiter.method}: connection closed`));
      this.#pending.clear();
    });
  }

  static connect(url: string): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.addEventListener("open", () => resolve(new Cdp(ws)), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<any> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  on(listener: Listener): void {
    this.#listeners.push(listener);
  }

  close(): void {
    this.#ws.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reads the child's stderr until Chromium prints its DevTools address. */
async function devtoolsUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let seen = "";
  for await (const chunk of stderr) {
    seen += decoder.decode(chunk, { stream: true });
    const match = seen.match(/DevTools listening on (ws:\/\/\S+)/);
    if (match) return match[1]!;
  }
  throw new Error(`Chromium exited without a DevTools address; it said:\n${seen.slice(-2000)}`);
}

/**
 * Starts Chromium, runs `use` on a browser that can open pages, and always shuts it down and
 * removes its profile directory.
 */
export async function withChromium<T>(executable: string,
  use: (openPage: (url: string) => Promise<LoadedPage>) => Promise<T>): Promise<T> {
  const userDataDir = mkdtempSync(join(tmpdir(), "active-sampling-chromium-"));
  const child = Bun.spawn([executable, ...flags(userDataDir)], { stdout: "ignore", stderr: "pipe" });
  let cdp: Cdp | null = null;
  try {
    cdp = await Cdp.connect(await withTimeout(devtoolsUrl(child.stderr), 30_000, "Chromium start"));
    const browser = cdp;
    return await use((url) => withTimeout(loadPage(browser, url), 30_000, `loading ${url}`));
  } finally {
    if (cdp) {
      await withTimeout(cdp.send("Browser.close"), 5_000, "Browser.close").catch(() => {});
      cdp.close();
    }
    const exited = await withTimeout(child.exited, 5_000, "Chromium exit").then(() => true, () => false);
    if (!exited) {
      child.kill("SIGKILL");
      await child.exited;
    }
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function loadPage(cdp: Cdp, url: string): Promise<LoadedPage> {
  const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
  const send = (method: string, params: object = {}) => cdp.send(method, params, sessionId);
  const problems: PageProblem[] = [];
  const otherRequests: string[] = [];
  let loaded!: () => void;
  const load = new Promise<void>((resolve) => (loaded = resolve));
  cdp.on((method, params, from) => {
    if (from !== sessionId) return;
    if (method === "Runtime.consoleAPICalled" && (params.type === "error" || params.type === "assert")) {
      problems.push({ source: `console.${params.type}`, text: params.args.map((a: any) => a.value ?? a.description ?? "").join(" ") });
    } else if (method === "Runtime.exceptionThrown") {
      problems.push({ source: "exception", text: params.exceptionDetails.exception?.description ?? params.exceptionDetails.text });
    } else if (method === "Log.entryAdded" && params.entry.level === "error") {
      problems.push({ source: `log.${params.entry.source}`, text: params.entry.text });
    } else if (method === "Network.requestWillBeSent" && params.request.url !== url
      && !params.request.url.startsWith("data:") && params.request.url !== "about:blank") {
      otherRequests.push(params.request.url);
    } else if (method === "Page.loadEventFired") loaded();
  });
  await Promise.all([send("Runtime.enable"), send("Log.enable"), send("Network.enable"), send("Page.enable")]);
  await send("Emulation.setDeviceMetricsOverride", { width: 1200, height: 900, deviceScaleFactor: 1, mobile: false });
  const navigation = await send("Page.navigate", { url });
  if (navigation.errorText) throw new Error(`cannot open ${url}: ${navigation.errorText}`);
  await load;

  return {
    problems,
    otherRequests,
    async evaluate<T>(expression: string): Promise<T> {
      const result = await send("Runtime.evaluate", { expression, returnByValue: true });
      if (result.exceptionDetails) throw new Error(`evaluating ${expression}: ${result.exceptionDetails.text}`);
      return result.result.value as T;
    },
    async screenshot(width: number): Promise<Uint8Array> {
      await send("Emulation.setDeviceMetricsOverride", { width, height: 900, deviceScaleFactor: 1, mobile: false });
      const metrics = await send("Page.getLayoutMetrics");
      const height = Math.ceil(metrics.cssContentSize.height);
      await send("Emulation.setDeviceMetricsOverride", { width, height, deviceScaleFactor: 1, mobile: false });
      const { data } = await send("Page.captureScreenshot", { format: "png" });
      return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    },
  };
}

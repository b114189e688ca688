/**
 * Log lines on stderr: "2026-11-27T17:00:00.000Z info  message" by default, one JSON object a
 * line with --log-format json (CloudWatch-style collectors), only warnings and errors with
 * --quiet. Progress is drawn as a bar only when stderr is a terminal.
 */
export interface Sink {
  write(text: string): void;
  isTTY: boolean;
}

export type Level = "info" | "warn" | "error";

export class Logger {
  #lastDraw = 0;
  readonly warnings: string[] = [];

  constructor(private readonly sink: Sink, private readonly format: "text" | "json", private readonly quiet: boolean) {}

  info(message: string, fields: Record<string, unknown> = {}): void {
    if (!this.quiet) this.#emit("info", message, fields);
  }

  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.warnings.push(message);
    this.#emit("warn", message, fields);
  }

  error(message: string, fields: Record<string, unknown> = {}): void {
    this.#emit("error", message, fields);
  }

  /** A progress callback: a bar on a terminal, nothing otherwise (the start and end are logged). */
  progress(label: string): ((done: number, total: number) => void) | undefined {
    if (!this.sink.isTTY || this.quiet || this.format === "json") return undefined;
    return (done, total) => {
      const now = Date.now();
      if (done < total && now - this.#lastDraw < 100) return;
      this.#lastDraw = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      this.sink.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}${done >= total ? "\n" : ""}`);
    };
  }

  #emit(level: Level, message: string, fields: Record<string, unknown>): void {
    const time = new Date().toISOString();
    if (this.format === "json") this.sink.write(JSON.stringify({ time, level, message, ...fields }) + "\n");
    else this.sink.write(`${time} ${level.padEnd(5)} ${message}\n`);
  }
}

/** Milliseconds spent per step of a job, for the metadata's timings_ms. */
export class Timings {
  readonly ms: Record<string, number> = {};

  /** Records the time since `since` (a performance.now() reading) under `name`. */
  end(name: string, since: number): void {
    this.ms[name] = Math.round(performance.now() - since);
  }
}

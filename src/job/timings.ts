/** Milliseconds spent per step of a job, for the metadata's timings_ms. */
export class Timings {
  /**
   * startMs: from the process's start to the job's first step (runtime and module loading,
   * configuration, the numeric backend), so that the steps add up to the wall time.
   */
  readonly ms: Record<string, number> = { startMs: Math.round(performance.now()) };

  /** Records the time since `since` (a performance.now() reading) under `name`. */
  end(name: string, since: number): void {
    this.ms[name] = Math.round(performance.now() - since);
  }
}

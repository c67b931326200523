/** The contract every `allot reproduce <domain>` implementation follows. */

/** Options every reproducer receives. */
export interface ReproduceOptions {
  /** Folder the report (report.md), SVG plots and JSON results are written to; it exists. */
  readonly outDir: string;
  /** A smaller, faster run (fewer replications or rounds); the report says it is quick. */
  readonly quick: boolean;
  /**
   * A tiny run that only exercises the pipeline end to end (for integration tests); implies `quick`. Its numbers
   * mean nothing.
   */
  readonly smoke: boolean;
  /** Worker threads for simulations (undefined: all cores). */
  readonly workers: number | undefined;
  /** Root seed (default 1). */
  readonly seed: number;
  /** Show a progress bar on stderr (true when stderr is a terminal). */
  readonly progress: boolean;
}

/** What a reproducer returns. */
export interface ReproduceResult {
  /** Path of the markdown report. */
  readonly report: string;
  /** Every file written. */
  readonly files: readonly string[];
  /** A few lines for the terminal: the headline findings. */
  readonly summary: readonly string[];
}

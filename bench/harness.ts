/**
 * A small benchmark harness: medians over timed batches, baseline and candidate interleaved so that machine noise
 * hits both alike, the machine load recorded beside each result. Used by `npm run bench` (bench/run.ts), never by
 * `npm test`.
 */
import { loadavg } from 'node:os';

/** One benchmark measurement. */
export interface Measurement {
  readonly name: string;
  /** Median time of one operation in nanoseconds. */
  readonly nsPerOp: number;
  /** Operations timed in total. */
  readonly ops: number;
  /** 1-minute load average when the measurement ended. */
  readonly load: number;
}

/** A line of the final report. */
export interface BenchRow {
  readonly suite: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly note?: string;
}

/** Accumulates rows for the report. */
export interface Reporter {
  row(r: BenchRow): void;
  readonly rows: readonly BenchRow[];
}

let sink = 0;
/** Consumes a result so the optimiser cannot drop the work. */
export function consume(x: unknown): void {
  if (typeof x === 'number') sink += x;
  else if (x !== null && x !== undefined) sink += 1;
}
/** The sink's value (printed at the end, so it is observable). */
export function sinkValue(): number {
  return sink;
}

function timeBatch(fn: () => unknown, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) consume(fn());
  return Number(process.hrtime.bigint() - t0) / n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/** Picks a batch size so that one batch lasts about `targetMs`. */
function calibrate(fn: () => unknown, targetMs: number): number {
  let n = 1;
  for (;;) {
    const ns = timeBatch(fn, n) * n;
    if (ns >= targetMs * 1e6 || n >= 1 << 24)
      return Math.max(1, Math.round((n * targetMs * 1e6) / Math.max(ns, 1)));
    n *= 4;
  }
}

/** Median ns/op of `fn` over `batches` batches of about `batchMs` each (after a warm-up). */
export function measure(
  name: string,
  fn: () => unknown,
  opts: { batches?: number; batchMs?: number } = {},
): Measurement {
  const batches = opts.batches ?? 15;
  const n = calibrate(fn, opts.batchMs ?? 20);
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) samples.push(timeBatch(fn, n));
  return { name, nsPerOp: median(samples), ops: n * batches, load: loadavg()[0]! };
}

/**
 * Baseline and candidate measured in alternating batches; the ratio is median(baseline)/median(candidate), so a
 * value above 1 means the candidate is faster.
 */
export function compare(
  baseline: { name: string; fn: () => unknown },
  candidate: { name: string; fn: () => unknown },
  opts: { batches?: number; batchMs?: number } = {},
): { baseline: Measurement; candidate: Measurement; speedup: number } {
  const batches = opts.batches ?? 15;
  const nb = calibrate(baseline.fn, opts.batchMs ?? 20);
  const nc = calibrate(candidate.fn, opts.batchMs ?? 20);
  const sb: number[] = [];
  const sc: number[] = [];
  for (let b = 0; b < batches; b++) {
    sb.push(timeBatch(baseline.fn, nb));
    sc.push(timeBatch(candidate.fn, nc));
  }
  const load = loadavg()[0]!;
  const mb = median(sb);
  const mc = median(sc);
  return {
    baseline: { name: baseline.name, nsPerOp: mb, ops: nb * batches, load },
    candidate: { name: candidate.name, nsPerOp: mc, ops: nc * batches, load },
    speedup: mb / mc,
  };
}

/** Wall time of one call of an async or sync function, in milliseconds. */
export async function wallMs(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  consume(await fn());
  return performance.now() - t0;
}

/** Formats nanoseconds with a readable unit. */
export function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

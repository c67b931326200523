/**
 * The replication runner, browser-safe part: runs R replications of `(input, index, rng) => result`, replication i
 * on the stream `createRng(seed).fork(i)`, results in index order. The Node worker-thread pool
 * (`runReplications` in `sim/pool.ts`, reached through the `allot/sim/node` entry) uses exactly the same seeding,
 * so results never depend on the number of workers.
 */
import { createRng, type Rng } from '../core/rng.js';
import { assertInteger } from '../core/validate.js';

/** One replication: pure apart from the `rng` it is given. Its input and result must be structured-cloneable. */
export type ReplicationFn<I, R> = (input: I, index: number, rng: Rng) => R;

/** Options shared by the single-threaded and the pooled runner. */
export interface ReplicationOptions {
  /** Number of replications R >= 1. */
  readonly runs: number;
  /** Root seed; replication i uses `createRng(seed).fork(i)`. */
  readonly seed: number;
  /** Called after each finished replication with (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** The generator replication `index` of a run with root `seed` uses. */
export function replicationRng(seed: number, index: number): Rng {
  return createRng(seed).fork(index);
}

/**
 * Runs R replications in the calling thread.
 *
 * @returns the R results in index order.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_OUT_OF_RANGE for a bad `runs` or `seed`.
 */
export function runReplicationsSync<I, R>(fn: ReplicationFn<I, R>, input: I, opts: ReplicationOptions): R[] {
  assertInteger('runs', opts.runs, 1);
  const root = createRng(opts.seed);
  const out: R[] = new Array(opts.runs);
  for (let i = 0; i < opts.runs; i++) {
    out[i] = fn(input, i, root.fork(i));
    opts.onProgress?.(i + 1, opts.runs);
  }
  return out;
}

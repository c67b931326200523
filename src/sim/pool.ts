/**
 * The replication runner over Node worker threads (Node-only; reached through `allot/sim/node`).
 *
 * A job is named by the URL of an ES module and the name of an exported {@link ReplicationFn}, because functions
 * cannot cross thread boundaries. Each worker imports the module once and runs the indices it is handed, replication
 * i always on `createRng(seed).fork(i)`, so results are identical for any number of workers. Indices are handed out
 * in small chunks as workers free up (dynamic load balancing); results come back in index order.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AllotError } from '../core/errors.js';
import { assertInteger } from '../core/validate.js';
import { type ReplicationFn, type ReplicationOptions, runReplicationsSync } from './replicate.js';

/** Where a replication function lives: `module` is a file URL (use `import.meta.url` of the defining file). */
export interface ReplicationJob {
  readonly module: string;
  readonly name: string;
}

/** Options of {@link runReplications}. */
export interface PoolOptions extends ReplicationOptions {
  /** Worker threads (default: all cores). 1 runs in the calling thread. */
  readonly workers?: number;
  /** Indices per message to a worker (default: about runs / (8 * workers), at least 1). */
  readonly chunk?: number;
  /** When given, filled with the pool's timings as it runs (for benches: how evenly the workers were kept busy). */
  readonly stats?: PoolStats;
}

/**
 * Timings of one {@link runReplications} call, measured on the calling thread: a worker is busy from sending it a chunk
 * until its results arrive (so message latency counts as busy), idle otherwise, including while it starts up.
 */
export interface PoolStats {
  /** Wall time of the whole call, ms (worker start-up included). */
  wallMs: number;
  /** Per worker, time spent on chunks, ms (one entry per worker; the calling thread's when workers = 1). */
  busyMs: number[];
  /** Per worker, replications run. */
  done: number[];
}

/** Messages from a worker. */
type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'done'; readonly start: number; readonly results: unknown[] }
  | { readonly type: 'error'; readonly message: string; readonly code?: string; readonly stack?: string };

/**
 * How to start a pool worker. From the built package the worker is plain JavaScript. When running the TypeScript
 * sources (vitest, tsx) the worker first registers tsx's loader, then imports the TypeScript worker module.
 */
function workerSpawner(): (data: unknown) => Worker {
  if (!import.meta.url.endsWith('.ts')) {
    const url = new URL('./pool-worker.js', import.meta.url);
    return (data) => new Worker(url, { workerData: data });
  }
  const tsWorker = new URL('./pool-worker.ts', import.meta.url).href;
  // require.resolve gives the CommonJS build; the ESM build sits beside it as index.mjs.
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(tsWorker)}); });`;
  return (data) => new Worker(boot, { eval: true, workerData: data });
}

/** The number of cores, the default worker count. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

async function loadJob<I, R>(job: ReplicationJob): Promise<ReplicationFn<I, R>> {
  const mod = (await import(job.module)) as Record<string, unknown>;
  const fn = mod[job.name];
  if (typeof fn !== 'function') {
    throw new AllotError('ALLOT_INTERNAL', `replication job ${job.name} is not exported by ${job.module}`);
  }
  return fn as ReplicationFn<I, R>;
}

/**
 * Runs R replications of a job across worker threads.
 *
 * @param job - module URL and export name of a `(input, index, rng) => result` function.
 * @param input - structured-cloneable input shared by all replications.
 * @returns the R results, in index order; equal for any `workers`.
 * @throws ALLOT_INVALID_ARGUMENT for bad options; rethrows a replication's AllotError.
 */
export async function runReplications<I, R>(job: ReplicationJob, input: I, opts: PoolOptions): Promise<R[]> {
  assertInteger('runs', opts.runs, 1);
  const workers = Math.min(opts.workers ?? defaultWorkers(), opts.runs);
  assertInteger('workers', workers, 1, 256);
  const stats = opts.stats;
  const t0 = performance.now();
  if (workers === 1) {
    const fn = await loadJob<I, R>(job);
    const t1 = performance.now();
    const out = runReplicationsSync(fn, input, opts);
    if (stats !== undefined) {
      stats.wallMs = performance.now() - t0;
      stats.busyMs = [performance.now() - t1];
      stats.done = [opts.runs];
    }
    return out;
  }
  const busyMs = new Array<number>(workers).fill(0);
  const doneBy = new Array<number>(workers).fill(0);
  const sentAt = new Array<number>(workers).fill(0);
  if (stats !== undefined) {
    stats.busyMs = busyMs;
    stats.done = doneBy;
  }
  const chunk = opts.chunk ?? Math.max(1, Math.floor(opts.runs / (8 * workers)));
  const results: R[] = new Array(opts.runs);
  const spawn = workerSpawner();
  let next = 0;
  let done = 0;
  return new Promise<R[]>((resolve, reject) => {
    const pool: Worker[] = [];
    let failed = false;
    const finish = (err?: unknown): void => {
      if (stats !== undefined) stats.wallMs = performance.now() - t0;
      for (const w of pool) void w.terminate();
      if (err !== undefined) reject(err);
      else resolve(results);
    };
    const feed = (w: Worker, k: number): void => {
      if (next >= opts.runs) return;
      const start = next;
      const count = Math.min(chunk, opts.runs - start);
      next += count;
      sentAt[k] = performance.now();
      w.postMessage({ type: 'run', start, count });
    };
    for (let k = 0; k < workers; k++) {
      const w = spawn({ module: job.module, name: job.name, input, seed: opts.seed });
      pool.push(w);
      w.on('message', (m: FromWorker) => {
        if (failed) return;
        if (m.type === 'ready') {
          feed(w, k);
        } else if (m.type === 'done') {
          busyMs[k]! += performance.now() - sentAt[k]!;
          doneBy[k]! += m.results.length;
          for (let i = 0; i < m.results.length; i++) results[m.start + i] = m.results[i] as R;
          done += m.results.length;
          opts.onProgress?.(done, opts.runs);
          if (done === opts.runs) finish();
          else feed(w, k);
        } else {
          failed = true;
          const err =
            m.code !== undefined
              ? new AllotError(m.code as never, m.message)
              : new AllotError(
                  'ALLOT_INTERNAL',
                  `replication failed in a worker: ${m.message}\n${m.stack ?? ''}`,
                );
          finish(err);
        }
      });
      w.on('error', (e) => {
        if (failed) return;
        failed = true;
        finish(new AllotError('ALLOT_INTERNAL', `worker failed: ${e.message}`, { cause: e }));
      });
    }
  });
}

/** Worker-thread side of the replication pool: imports the job once, runs the index ranges it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { isAllotError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import type { ReplicationFn } from './replicate.js';

interface Data {
  readonly module: string;
  readonly name: string;
  readonly input: unknown;
  readonly seed: number;
}

const data = workerData as Data;
const port = parentPort;
if (port === null) throw new Error('pool-worker must run in a worker thread');

const root = createRng(data.seed);
let fn: ReplicationFn<unknown, unknown> | undefined;

try {
  const mod = (await import(data.module)) as Record<string, unknown>;
  fn = mod[data.name] as ReplicationFn<unknown, unknown>;
  if (typeof fn !== 'function') throw new Error(`${data.name} is not exported by ${data.module}`);
  port.postMessage({ type: 'ready' });
} catch (e) {
  port.postMessage({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
}

port.on('message', (m: { type: 'run'; start: number; count: number }) => {
  try {
    const results: unknown[] = new Array(m.count);
    for (let k = 0; k < m.count; k++) {
      const i = m.start + k;
      results[k] = fn!(data.input, i, root.fork(i));
    }
    port.postMessage({ type: 'done', start: m.start, results });
  } catch (e) {
    if (isAllotError(e)) port.postMessage({ type: 'error', message: e.message, code: e.code });
    else port.postMessage({ type: 'error', message: (e as Error).message, stack: (e as Error).stack });
  }
});

/**
 * Reads an agent's log ahead in a worker thread. A replay of a long log spends its time in three steps per row:
 * fetching it from SQLite (the row's body becomes a JS string), parsing the body, and folding the entry. The first
 * needs no JS objects of the replay, so a worker with its own read connection fetches page n + 1 while the caller
 * parses and folds page n. The worker sends a page as its sequence numbers (a transferred Float64Array) and its
 * bodies joined into one JSON array text, which the caller parses with one `JSON.parse` (cheaper than one per row,
 * and a string is copied across threads with one memcpy where parsed objects would be cloned field by field).
 *
 * A reader sees committed rows only, like every reader of a WAL database; each page is its own read transaction,
 * as with repeated `readLog` calls, so the pages are those `readLog(id, after, pageSize)` would return in turn.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { AllotError } from '../../core/errors.js';

/** The worker: plain CommonJS (an `eval` worker runs the same from the sources and from dist). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { readonly: true });
db.pragma('busy_timeout = 5000');
const stmt = db
  .prepare('SELECT seq, body FROM log WHERE agent = ? AND seq > ? ORDER BY seq LIMIT ?')
  .raw(true);
let after = workerData.after;
let credit = workerData.ahead;
let done = false;
const pump = () => {
  while (credit > 0 && !done) {
    let rows;
    try {
      rows = stmt.all(workerData.agent, after, workerData.pageSize);
    } catch (e) {
      done = true;
      parentPort.postMessage({ error: String(e && e.message || e) });
      return;
    }
    if (rows.length === 0) {
      done = true;
      parentPort.postMessage({ end: true });
      return;
    }
    const seqs = new Float64Array(rows.length);
    const bodies = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      seqs[i] = rows[i][0];
      bodies[i] = rows[i][1];
    }
    after = seqs[rows.length - 1];
    credit--;
    parentPort.postMessage({ seqs, text: '[' + bodies.join(',') + ']' }, [seqs.buffer]);
  }
};
parentPort.on('message', (m) => {
  if (m === 'more') { credit++; pump(); }
  else if (m === 'stop') { done = true; db.close(); parentPort.close(); }
});
pump();
`;

/** One page: the rows' sequence numbers and their bodies as one JSON array text. */
export interface RawLogPage {
  readonly seqs: Float64Array;
  readonly text: string;
}

/** A running read-ahead over one agent's log. */
export interface LogReader extends AsyncIterable<RawLogPage> {
  /** Stops the worker (also when the caller stops iterating early). */
  close(): Promise<void>;
}

/**
 * Starts reading `agent`'s log rows with seq > `after` from the database file `path`, `pageSize` rows per page,
 * at most `ahead` pages fetched but not yet taken.
 *
 * @throws ALLOT_STORE_UNAVAILABLE (from the iteration) when the worker cannot open the file or a read fails.
 */
export function startLogReader(
  path: string,
  opts: { agent: string; after: number; pageSize: number; ahead?: number },
): LogReader {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver,
      path,
      agent: opts.agent,
      after: opts.after,
      pageSize: opts.pageSize,
      ahead: opts.ahead ?? 2,
    },
  });
  const queue: Array<RawLogPage | { end: true } | { error: string }> = [];
  let wake: (() => void) | null = null;
  const push = (m: RawLogPage | { end: true } | { error: string }): void => {
    queue.push(m);
    wake?.();
    wake = null;
  };
  worker.on('message', push);
  worker.on('error', (e) => push({ error: String(e.message ?? e) }));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('exit', () => push({ error: 'the log reader stopped' }));
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return exited;
    closed = true;
    worker.postMessage('stop');
    const timeout = setTimeout(() => void worker.terminate(), 1000);
    await exited;
    clearTimeout(timeout);
  };
  return {
    close,
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          if (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          const m = queue.shift()!;
          if ('end' in m) return;
          if ('error' in m) {
            throw new AllotError('ALLOT_STORE_UNAVAILABLE', `reading the log of ${opts.agent}: ${m.error}`);
          }
          worker.postMessage('more');
          yield m;
        }
      } finally {
        await close();
      }
    },
  };
}

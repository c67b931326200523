/**
 * Personalizer compat (issue 16): `npm run bench -- serve` (or `-- serve-personalizer`).
 *
 * autocannon (this thread) against `allot serve`'s app in a worker thread (its own event loop and core): rank and
 * reward through the compat API (`POST /personalizer/v1.0/rank`, `POST /personalizer/v1.0/events/{id}/reward`)
 * for 10 actions with 20 context features (10 numeric, 10 strings, two namespaces) and 10 action features each,
 * on the memory and the SQLite store; beside them, in the same run and on the same worker, the native decide
 * route on a LinUCB agent of the same size (d = 20 shared + 10 per-action features, K = 10) and a Fastify empty
 * route. Throughput (req/s) and p50/p99 latency, then p99 at a fixed 200 rank requests/s.
 * ALLOT_BENCH_SKIP_LONG=1: 2 s runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { consume, type Reporter } from './harness.js';

const SKIP_LONG = process.env['ALLOT_BENCH_SKIP_LONG'] === '1';
const RUN_SECONDS = SKIP_LONG ? 2 : 5;
const CONNECTIONS = 10;
const ACTIONS = 10;
const CONTEXT_FEATURES = 20;
const ACTION_FEATURES = 10;

interface ServerPorts {
  readonly empty: number;
  readonly memory: number;
  readonly sqlite: number;
}

// ------------------------------------------------------------------ the server side (worker thread)
async function startServers(dir: string): Promise<ServerPorts> {
  const { default: Fastify } = await import('fastify');
  const { createApp, registerServePlugin } = await import('../src/serve/app.js');
  const { configurePersonalizer, personalizerPlugin } = await import('../src/serve/personalizer/index.js');
  const { createMemoryStore } = await import('../src/store/memory/index.js');
  const { createSqliteStore } = await import('../src/store/sqlite/index.js');
  registerServePlugin(personalizerPlugin);
  const empty = Fastify({ logger: false });
  empty.get('/empty', async () => ({}));
  await empty.listen({ port: 0, host: '127.0.0.1' });
  const listen = async (store: import('../src/store/store.js').Store): Promise<number> => {
    const app = await createApp({ store, web: false, sweepMs: 0, pollMs: 0 });
    configurePersonalizer(app, { loop: 'loop' });
    const r = await app.inject({
      method: 'PUT',
      url: '/v1/agents/lin',
      payload: {
        policy: { type: 'linucb', d: CONTEXT_FEATURES + ACTION_FEATURES },
        arms: Array.from({ length: ACTIONS }, (_, i) => `a${i}`),
      },
    });
    if (r.statusCode !== 201) throw new Error(`PUT lin: ${r.statusCode} ${r.body}`);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as { port: number }).port;
  };
  return {
    empty: (empty.server.address() as { port: number }).port,
    memory: await listen(createMemoryStore()),
    sqlite: await listen(createSqliteStore({ path: join(dir, 'bench.db') })),
  };
}

if (!isMainThread && (workerData as { allotPersonalizerBench?: string } | null)?.allotPersonalizerBench) {
  startServers((workerData as { allotPersonalizerBench: string }).allotPersonalizerBench).then(
    (ports) => parentPort!.postMessage(ports),
    (e: unknown) => parentPort!.postMessage({ error: String((e as Error)?.stack ?? e) }),
  );
}

// ------------------------------------------------------------------ the client side
interface RunResult {
  readonly rps: number;
  readonly ok: number;
  readonly other: number;
  readonly p50: number;
  readonly p99: number;
  readonly acP99: number;
  readonly load: number;
}

function percentile(xs: Float64Array, n: number, q: number): number {
  const s = xs.subarray(0, n).sort();
  return n === 0 ? Number.NaN : s[Math.min(n - 1, Math.floor(q * n))]!;
}

async function cannon(
  port: number,
  request: { method: 'GET' | 'POST'; path: (i: number) => string; body?: (i: number) => string },
  opts: { seconds?: number; amount?: number; rate?: number } = {},
): Promise<RunResult> {
  let i = 0;
  const times = new Float64Array(1 << 22);
  let n = 0;
  // Typed as the promise overload because of setupRequest; the instance is also an event emitter.
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    ...(opts.amount === undefined ? { duration: opts.seconds ?? RUN_SECONDS } : { amount: opts.amount }),
    ...(opts.rate === undefined ? {} : { overallRate: opts.rate }),
    requests: [
      {
        method: request.method,
        headers: { 'content-type': 'application/json', 'ocp-apim-subscription-key': 'bench' },
        setupRequest: (req: autocannon.Request): autocannon.Request => {
          const k = i++;
          return {
            ...req,
            path: request.path(k),
            ...(request.body === undefined ? {} : { body: request.body(k) }),
          };
        },
      },
    ],
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_c: unknown, _status: number, _bytes: number, ms: number) => {
    if (n < times.length) times[n++] = ms;
  });
  const r = await instance;
  let ok = 0;
  let other = 0;
  for (const [code, v] of Object.entries(r.statusCodeStats as Record<string, { count: number }>)) {
    if (code.startsWith('2')) ok += Number(v.count);
    else other += Number(v.count);
  }
  consume(ok);
  return {
    rps: ok / r.duration,
    ok,
    other: other + r.errors,
    p50: percentile(times, n, 0.5),
    p99: percentile(times, n, 0.99),
    acP99: r.latency.p99,
    load: loadavg()[0]!,
  };
}

/** Seeded request pools: Personalizer rank bodies and the same numbers as native LinUCB contexts. */
function pools(count: number, seed: number): { rank: string[]; native: string[] } {
  let s = seed >>> 0;
  const uni = (): number => {
    // mulberry32: the bench's own inputs (the service under test draws from src/core/rng).
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r3 = (): number => Math.round(uni() * 1000) / 1000;
  const rank: string[] = [];
  const native: string[] = [];
  for (let c = 0; c < count; c++) {
    const user: Record<string, number> = {};
    const env: Record<string, string> = {};
    const shared: number[] = [];
    for (let f = 0; f < CONTEXT_FEATURES / 2; f++) {
      user[`f${f}`] = r3();
      shared.push(user[`f${f}`]!);
    }
    for (let f = 0; f < CONTEXT_FEATURES / 2; f++) {
      env[`g${f}`] = `v${Math.floor(uni() * 5)}`;
      shared.push(Number(env[`g${f}`]!.slice(1)) / 4);
    }
    const actions: Array<{ id: string; features: Array<Record<string, unknown>> }> = [];
    const nativeActions: Record<string, { features: number[] }> = {};
    for (let a = 0; a < ACTIONS; a++) {
      const item: Record<string, number> = {};
      const xs: number[] = [];
      for (let f = 0; f < ACTION_FEATURES; f++) {
        item[`h${f}`] = r3();
        xs.push(item[`h${f}`]!);
      }
      actions.push({ id: `a${a}`, features: [{ item }] });
      nativeActions[`a${a}`] = { features: xs };
    }
    rank.push(JSON.stringify({ contextFeatures: [{ user }, { env }], actions }).slice(1));
    native.push(JSON.stringify({ context: { features: shared, actions: nativeActions } }).slice(1));
  }
  return { rank, native };
}

/** Runs the benchmark (bench/run.ts calls it). */
export async function run(report: Reporter): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'allot-personalizer-bench-'));
  // A worker does not inherit `--import tsx` for a .ts entry: a data: URL bootstrap registers tsx, then loads this file.
  const boot = `const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), {
    workerData: { allotPersonalizerBench: dir },
  });
  try {
    const ports = await new Promise<ServerPorts>((resolve, reject) => {
      worker.once('message', (m: ServerPorts & { error?: string }) =>
        m.error ? reject(new Error(m.error)) : resolve(m),
      );
      worker.once('error', reject);
    });
    const pool = pools(64, 16);
    const empty = { method: 'GET', path: () => '/empty' } as const;
    const note = (x: RunResult) =>
      `p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, ${x.other} non-2xx, load ${x.load.toFixed(1)}`;
    await cannon(ports.empty, empty, { seconds: 1 });
    const label = `${ACTIONS} actions, ${CONTEXT_FEATURES} context + ${ACTION_FEATURES} action features`;
    for (const store of ['memory', 'sqlite'] as const) {
      const port = ports[store];
      const rankReq = (prefix: string) => ({
        method: 'POST' as const,
        path: () => '/personalizer/v1.0/rank',
        body: (i: number) => `{"eventId":"${prefix}-${i}",${pool.rank[i % pool.rank.length]}`,
      });
      const decideReq = (prefix: string) => ({
        method: 'POST' as const,
        path: () => '/v1/agents/lin/decide',
        body: (i: number) => `{"eventId":"${prefix}-${i}",${pool.native[i % pool.native.length]}`,
      });
      // Warm-up (JIT, SQLite page cache), not reported.
      await cannon(port, rankReq(`${store}-w`), { seconds: 1 });
      await cannon(port, decideReq(`${store}-w`), { seconds: 1 });
      // Interleaved in one run: the empty route, native decide + rewards, compat rank + rewards.
      const e = await cannon(ports.empty, empty);
      const d = await cannon(port, decideReq(`${store}-d`));
      const dr = await cannon(
        port,
        {
          method: 'POST',
          path: () => '/v1/agents/lin/rewards',
          body: (i) => `{"eventId":"${store}-d-${i}","reward":${i % 3 === 0 ? 1 : 0}}`,
        },
        { amount: d.ok },
      );
      const r = await cannon(port, rankReq(`${store}-r`));
      const rr = await cannon(
        port,
        {
          method: 'POST',
          path: (i) => `/personalizer/v1.0/events/${store}-r-${i}/reward`,
          body: (i) => `{"value":${i % 3 === 0 ? 1 : 0}}`,
        },
        { amount: r.ok },
      );
      report.row({
        suite: 'personalizer',
        name: `empty route (before ${store})`,
        value: e.rps,
        unit: 'req/s',
        note: note(e),
      });
      report.row({
        suite: 'personalizer',
        name: `native decide ${store} LinUCB d=30 K=10`,
        value: d.rps,
        unit: 'req/s',
        note: note(d),
      });
      report.row({
        suite: 'personalizer',
        name: `native reward ${store} LinUCB d=30 K=10`,
        value: dr.rps,
        unit: 'req/s',
        note: note(dr),
      });
      report.row({
        suite: 'personalizer',
        name: `compat rank ${store} (${label})`,
        value: r.rps,
        unit: 'req/s',
        note: note(r),
      });
      report.row({
        suite: 'personalizer',
        name: `compat reward ${store}`,
        value: rr.rps,
        unit: 'req/s',
        note: note(rr),
      });
      report.row({
        suite: 'personalizer',
        name: `compat rank+reward pairs ${store}`,
        value: 1 / (1 / r.rps + 1 / rr.rps),
        unit: 'pairs/s',
        note: `native decide+reward ${(1 / (1 / d.rps + 1 / dr.rps)).toFixed(0)} pairs/s`,
      });
      report.row({
        suite: 'personalizer',
        name: `compat rank / native decide ${store}`,
        value: r.rps / d.rps,
        unit: 'x',
      });
    }
    const rate = 200;
    for (const store of ['memory', 'sqlite'] as const) {
      const x = await cannon(
        ports[store],
        {
          method: 'POST',
          path: () => '/personalizer/v1.0/rank',
          body: (i) => `{"eventId":"${store}-fixed-${i}",${pool.rank[i % pool.rank.length]}`,
        },
        { rate },
      );
      report.row({
        suite: 'personalizer',
        name: `compat rank ${store} at ${rate} req/s: p99`,
        value: x.p99,
        unit: 'ms',
        note: `p50 ${x.p50.toFixed(2)} ms; autocannon p99 ${x.acP99} ms; achieved ${x.rps.toFixed(0)} req/s; ${x.other} non-2xx; load ${x.load.toFixed(1)}`,
      });
    }
  } finally {
    await worker.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}

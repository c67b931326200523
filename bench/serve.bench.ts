/**
 * Decision service (issue 9): `npm run bench -- serve`.
 *
 * - HTTP: autocannon (this process) against the service in a child process (`allot serve`'s app, its own event
 *   loop and core): decide and reward throughput and latency for UCB1 K=300 and LinUCB d=65 K=25 (per-action
 *   features, a 1,625-number context per decision) on the memory and the SQLite store, each decide run right after
 *   a run of a Fastify empty route (`GET /empty` -> `{}`; also `POST /empty` with the decide body, parsed and
 *   ignored, right after decide) in the same server process, so the ratio decide/empty compares
 *   runs made under the same machine load. Then p50/p99 at a fixed 1,000 requests/s, twice: autocannon's
 *   `overallRate` (bursts: each connection sends its share of a second back to back, then waits) and a paced,
 *   open-loop client (`paced`: one request every millisecond, latency from its scheduled time), the issue's target.
 * - The LinUCB body's floor: `POST /empty-raw`, a route whose JSON parser reads the 10 kB body and discards it
 *   (what receiving it costs before any parse), beside the empty POST that parses it.
 * - Replay: `replayFromLog` over 1,000,000 logged UCB1 rewards (1,000,000 decisions + 1,000,000 rewards) in a SQLite
 *   store, with the log read ahead in a worker (the default for long scans) and, as the same run's baseline, with
 *   every page read in the replaying thread (the rows the Store API writes, with its encoder, in one transaction;
 *   see ALLOT_BENCH_FILL); the same over the memory store
 *   (filled through the Store API), and folding the entries alone; wall and CPU time.
 *
 * Targets (issue 9): decide >= 0.5x the empty route on memory, >= 0.3x on SQLite; p99 < 10 ms at 1,000 req/s;
 * replay of 1,000,000 rewards < 3 s. ALLOT_BENCH_SKIP_LONG=1: 2 s runs and 100,000 rewards (filled through the
 * Store API); ALLOT_BENCH_FILL=api fills the 1,000,000 through the Store API too (a commit per entry: minutes).
 */

import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { consume, type Reporter } from './harness.js';

const SKIP_LONG = process.env['ALLOT_BENCH_SKIP_LONG'] === '1';
const RUN_SECONDS = SKIP_LONG ? 2 : 5;
const CONNECTIONS = 10;
/** Length of each paced (open-loop) latency run. */
const PACED_SECONDS = SKIP_LONG ? 3 : 10;
const REPLAY_REWARDS = SKIP_LONG ? 100_000 : 1_000_000;
/** Fill the replay's SQLite log through the Store API even for 1,000,000 rewards (slow: a commit per entry). */
const FILL_VIA_API = process.env['ALLOT_BENCH_FILL'] === 'api';
const UCB_ARMS = 300;
const LIN_ARMS = 25;
const LIN_D = 65;

interface ServerPorts {
  readonly empty: number;
  readonly memory: number;
  readonly sqlite: number;
}

// ------------------------------------------------------------------ the server side (worker thread)
async function startServers(dir: string): Promise<ServerPorts> {
  const { default: Fastify } = await import('fastify');
  const { createApp } = await import('../src/serve/app.js');
  const { createMemoryStore } = await import('../src/store/memory/index.js');
  const { createSqliteStore } = await import('../src/store/sqlite/index.js');
  const empty = Fastify({ logger: false });
  empty.get('/empty', async () => ({}));
  // The same route for a POST: Fastify parses the JSON body (the decide body), the handler ignores it.
  empty.post('/empty', async () => ({}));
  // The same again with the body read and thrown away, not parsed (the cost of receiving it).
  await empty.register(async (raw) => {
    raw.removeContentTypeParser('application/json');
    raw.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, _body, done) =>
      done(null, {}),
    );
    raw.post('/empty-raw', async () => ({}));
  });
  await empty.listen({ port: 0, host: '127.0.0.1' });
  const listen = async (store: import('../src/store/store.js').Store): Promise<number> => {
    const app = await createApp({ store, web: false, sweepMs: 0, pollMs: 0 });
    for (const [id, config] of [
      ['ucb', { policy: { type: 'ucb1' }, arms: Array.from({ length: UCB_ARMS }, (_, i) => `a${i}`) }],
      [
        'lin',
        { policy: { type: 'linucb', d: LIN_D }, arms: Array.from({ length: LIN_ARMS }, (_, i) => `a${i}`) },
      ],
    ] as const) {
      const r = await app.inject({ method: 'PUT', url: `/v1/agents/${id}`, payload: config });
      if (r.statusCode !== 201) throw new Error(`PUT ${id}: ${r.statusCode} ${r.body}`);
    }
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as { port: number }).port;
  };
  return {
    empty: (empty.server.address() as { port: number }).port,
    memory: await listen(createMemoryStore()),
    sqlite: await listen(createSqliteStore({ path: join(dir, 'bench.db') })),
  };
}

// Child process mode: start the servers, report their ports, serve until killed.
const CHILD_DIR = process.env['ALLOT_SERVE_BENCH_DIR'];
if (CHILD_DIR !== undefined && process.send !== undefined) {
  // The parent asks for the server's CPU time around each run (CPU per request is robust to a shared machine).
  // And for the longest stall of its event loop (and its longest GC pause) since the last ask, around each paced run:
  // a client-side latency tail with a calm server loop is the load generator's, not the service's.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let gcMax = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMax = Math.max(gcMax, e.duration);
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (m) => {
    if (m === 'cpu') process.send!({ cpu: process.cpuUsage() });
    if (m === 'stalls') {
      process.send!({ stalls: { loopMaxMs: loop.max / 1e6, gcMaxMs: gcMax } });
      loop.reset();
      gcMax = 0;
    }
  });
  startServers(CHILD_DIR).then(
    (ports) => process.send!(ports),
    (e: unknown) => process.send!({ error: String((e as Error)?.stack ?? e) }),
  );
}

// ------------------------------------------------------------------ the client side
interface RunResult {
  /** 2xx replies per second. */
  readonly rps: number;
  readonly ok: number;
  readonly other: number;
  /** Latency percentiles in ms from each reply's own time (sub-ms resolution, no coordinated-omission fix). */
  readonly p50: number;
  readonly p99: number;
  /** autocannon's p99 in ms (whole ms; corrected for coordinated omission at a fixed rate). */
  readonly acP99: number;
  readonly load: number;
  /** Server CPU time (user + system) per reply in µs. */
  readonly cpuUs: number;
}

/** Server CPU time in µs so far (set while the server child runs). */
let serverCpu: (() => Promise<number>) | null = null;

function percentile(xs: Float64Array, n: number, q: number): number {
  const s = xs.subarray(0, n).sort();
  return n === 0 ? Number.NaN : s[Math.min(n - 1, Math.floor(q * n))]!;
}

async function cannon(
  port: number,
  request: { method: 'GET' | 'POST'; path: string; body?: (i: number) => string },
  opts: { seconds?: number; amount?: number; rate?: number } = {},
): Promise<RunResult> {
  let i = 0;
  const cpu0 = serverCpu === null ? 0 : await serverCpu();
  const times = new Float64Array(1 << 22);
  let n = 0;
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: CONNECTIONS,
        ...(opts.amount === undefined ? { duration: opts.seconds ?? RUN_SECONDS } : { amount: opts.amount }),
        ...(opts.rate === undefined ? {} : { overallRate: opts.rate }),
        requests: [
          {
            method: request.method,
            path: request.path,
            headers: { 'content-type': 'application/json' },
            ...(request.body === undefined
              ? {}
              : { setupRequest: (req: autocannon.Request) => ({ ...req, body: request.body!(i++) }) }),
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_c: unknown, _status: number, _bytes: number, ms: number) => {
      if (n < times.length) times[n++] = ms;
    });
  });
  let ok = 0;
  let other = 0;
  for (const [code, v] of Object.entries(r.statusCodeStats as Record<string, { count: number }>)) {
    if (code.startsWith('2')) ok += Number(v.count);
    else other += Number(v.count);
  }
  consume(ok);
  const cpu1 = serverCpu === null ? 0 : await serverCpu();
  return {
    cpuUs: (cpu1 - cpu0) / Math.max(1, ok + other),
    // r.duration is whole seconds in `amount` mode: use the run's start and finish times.
    rps: ok / Math.max(1e-3, (r.finish.getTime() - r.start.getTime()) / 1000),
    ok,
    other: other + r.errors,
    p50: percentile(times, n, 0.5),
    p99: percentile(times, n, 0.99),
    acP99: r.latency.p99,
    load: loadavg()[0]!,
  };
}

/**
 * Latency at a fixed arrival rate, open loop: request i is sent at t0 + i/rate whatever the replies before it did
 * (keep-alive sockets, as many as are in flight), and its latency runs from that scheduled time to the end of its
 * reply, so a stalled server is charged for every request that should have gone out meanwhile (no coordinated
 * omission). autocannon's `overallRate` is not this: each connection sends its share of a second back to back at
 * the start of the second and then waits, so "1,000 req/s" over 10 connections is a burst at full speed with 10
 * requests in flight, then idle.
 */
async function paced(
  port: number,
  path: string,
  body: (i: number) => string,
  rate: number,
  seconds: number,
): Promise<{
  p50: number;
  p99: number;
  max: number;
  sent: number;
  clientStallMs: number;
  ok: number;
  other: number;
  load: number;
}> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  // The first second warms up (sockets opened, code compiled) and is not counted.
  const warm = Math.round(rate);
  const total = warm + Math.round(rate * seconds);
  const lat = new Float64Array(total);
  let ok = 0;
  let other = 0;
  let done = 0;
  let sent = 0;
  // The client's own event-loop stalls (its GC included): a request is late by as much when the client stalls.
  const clientLoop = monitorEventLoopDelay({ resolution: 1 });
  clientLoop.enable();
  const t0 = performance.now() + 20;
  await new Promise<void>((resolve) => {
    const send = (i: number): void => {
      const due = t0 + (i * 1000) / rate;
      const payload = body(i);
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            lat[i] = performance.now() - due;
            if (i >= warm) {
              if (res.statusCode !== undefined && res.statusCode < 300) ok++;
              else other++;
            }
            if (++done === total) resolve();
          });
        },
      );
      req.on('error', () => {
        lat[i] = performance.now() - due;
        if (i >= warm) other++;
        if (++done === total) resolve();
      });
      req.end(payload);
    };
    const tick = (): void => {
      // Send every request whose time has come (several when the timer fired late), then wait for the next one.
      const now = performance.now();
      while (sent < total && t0 + (sent * 1000) / rate <= now) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, t0 + (sent * 1000) / rate - performance.now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  clientLoop.disable();
  const sorted = lat.slice(warm).sort();
  const n = sorted.length;
  return {
    p50: sorted[Math.floor(0.5 * n)]!,
    p99: sorted[Math.min(n - 1, Math.floor(0.99 * n))]!,
    max: sorted[n - 1]!,
    sent: n,
    clientStallMs: clientLoop.max / 1e6,
    ok,
    other,
    load: loadavg()[0]!,
  };
}

/** A seeded pool of LinUCB contexts (per-action features), as JSON text after the event id. */
function linContexts(count: number, seed: number): string[] {
  let s = seed >>> 0;
  const uni = (): number => {
    // mulberry32: the bench's own inputs (the service under test draws from src/core/rng).
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const actions: Record<string, { features: number[] }> = {};
    for (let a = 0; a < LIN_ARMS; a++)
      actions[`a${a}`] = { features: Array.from({ length: LIN_D }, () => Math.round(uni() * 1000) / 1000) };
    return JSON.stringify({ context: { actions } }).slice(1);
  });
}

async function httpBench(report: Reporter): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'allot-serve-bench-'));
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ALLOT_SERVE_BENCH_DIR: dir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ports = await new Promise<ServerPorts>((resolve, reject) => {
      child.once('message', (m: ServerPorts & { error?: string }) =>
        m.error ? reject(new Error(m.error)) : resolve(m),
      );
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    });
    serverCpu = () =>
      new Promise<number>((resolve) => {
        child.once('message', (m: { cpu: { user: number; system: number } }) =>
          resolve(m.cpu.user + m.cpu.system),
        );
        child.send('cpu');
      });
    const serverStalls = () =>
      new Promise<{ loopMaxMs: number; gcMaxMs: number }>((resolve) => {
        child.once('message', (m: { stalls: { loopMaxMs: number; gcMaxMs: number } }) => resolve(m.stalls));
        child.send('stalls');
      });
    const ctx = linContexts(64, 1);
    const empty = { method: 'GET', path: '/empty' } as const;
    // Warm-up (JIT, SQLite page cache) on every server, not reported: a first run measured 291 µs of server CPU
    // per empty request after a 1 s warm-up on the loaded machine, 36-46 µs later in the same run.
    await cannon(ports.empty, empty, { seconds: 3 });
    for (const store of ['memory', 'sqlite'] as const) {
      for (const agent of ['ucb', 'lin'] as const) {
        const port = ports[store];
        const label = agent === 'ucb' ? `UCB1 K=${UCB_ARMS}` : `LinUCB d=${LIN_D} K=${LIN_ARMS}`;
        const prefix = `${store}-${agent}`;
        const decideBody =
          agent === 'ucb'
            ? (i: number) => `{"eventId":"${prefix}-w${i}"}`
            : (i: number) => `{"eventId":"${prefix}-w${i}",${ctx[i % ctx.length]}`;
        await cannon(
          port,
          { method: 'POST', path: `/v1/agents/${agent}/decide`, body: decideBody },
          { seconds: 2 },
        );
        // Interleaved: the empty route, then decide, then rewards for the decisions just made.
        const e = await cannon(ports.empty, empty);
        const dBody =
          agent === 'ucb'
            ? (i: number) => `{"eventId":"${prefix}-${i}"}`
            : (i: number) => `{"eventId":"${prefix}-${i}",${ctx[i % ctx.length]}`;
        const d = await cannon(port, { method: 'POST', path: `/v1/agents/${agent}/decide`, body: dBody });
        const ep = await cannon(ports.empty, { method: 'POST', path: '/empty', body: dBody });
        const raw =
          agent === 'lin'
            ? await cannon(ports.empty, { method: 'POST', path: '/empty-raw', body: dBody })
            : null;
        const r = await cannon(
          port,
          {
            method: 'POST',
            path: `/v1/agents/${agent}/rewards`,
            body: (i) => `{"eventId":"${prefix}-${i}","reward":${i % 3 === 0 ? 1 : 0}}`,
          },
          { amount: d.ok },
        );
        const note = (x: RunResult) =>
          `p50 ${x.p50.toFixed(2)} ms, p99 ${x.p99.toFixed(2)} ms, server CPU ${x.cpuUs.toFixed(0)} µs/req, ${x.other} non-2xx, load ${x.load.toFixed(1)}`;
        report.row({
          suite: 'serve',
          name: `empty route (before ${store} ${label})`,
          value: e.rps,
          unit: 'req/s',
          note: note(e),
        });
        report.row({
          suite: 'serve',
          name: `empty POST route, decide body (${store} ${label})`,
          value: ep.rps,
          unit: 'req/s',
          note: `${note(ep)}; decide/empty POST ${(d.rps / ep.rps).toFixed(3)}x, by server CPU ${(ep.cpuUs / d.cpuUs).toFixed(3)}x`,
        });
        if (raw !== null) {
          report.row({
            suite: 'serve',
            name: `empty POST route, decide body read, not parsed (${store} ${label})`,
            value: raw.rps,
            unit: 'req/s',
            note: `${note(raw)}; vs empty GET ${(raw.rps / e.rps).toFixed(3)}x (the ceiling of decide/empty with this body)`,
          });
        }
        report.row({
          suite: 'serve',
          name: `decide ${store} ${label}`,
          value: d.rps,
          unit: 'req/s',
          note: note(d),
        });
        report.row({
          suite: 'serve',
          name: `reward ${store} ${label}`,
          value: r.rps,
          unit: 'req/s',
          note: note(r),
        });
        report.row({
          suite: 'serve',
          name: `decide/empty ${store} ${label}`,
          value: d.rps / e.rps,
          unit: 'x',
          note: `target >= ${store === 'memory' ? 0.5 : 0.3}`,
        });
        report.row({
          suite: 'serve',
          name: `decide/empty by server CPU per request ${store} ${label}`,
          value: e.cpuUs / d.cpuUs,
          unit: 'x',
          note: `empty ${e.cpuUs.toFixed(0)} µs, decide ${d.cpuUs.toFixed(0)} µs of server CPU per request (less sensitive to a shared machine)`,
        });
      }
    }
    // Latency at a fixed 1,000 requests/s.
    const rate = 1000;
    const fixed = await cannon(ports.empty, empty, { rate });
    report.row({
      suite: 'serve',
      name: `empty route at ${rate} req/s: p99`,
      value: fixed.p99,
      unit: 'ms',
      note: `p50 ${fixed.p50.toFixed(2)} ms; autocannon p99 ${fixed.acP99} ms; load ${fixed.load.toFixed(1)}`,
    });
    const emptyPaced = await paced(ports.empty, '/empty', () => '{}', rate, PACED_SECONDS);
    report.row({
      suite: 'serve',
      name: `empty POST route at ${rate} req/s (paced, open loop): p99`,
      value: emptyPaced.p99,
      unit: 'ms',
      note: `p50 ${emptyPaced.p50.toFixed(2)} ms, max ${emptyPaced.max.toFixed(1)} ms; client: longest stall ${emptyPaced.clientStallMs.toFixed(1)} ms; load ${emptyPaced.load.toFixed(1)}`,
    });
    for (const store of ['memory', 'sqlite'] as const) {
      for (const agent of ['ucb', 'lin'] as const) {
        const label = agent === 'ucb' ? `UCB1 K=${UCB_ARMS}` : `LinUCB d=${LIN_D} K=${LIN_ARMS}`;
        const prefix = `${store}-${agent}-fixed`;
        const body =
          agent === 'ucb'
            ? (i: number) => `{"eventId":"${prefix}-${i}"}`
            : (i: number) => `{"eventId":"${prefix}-${i}",${ctx[i % ctx.length]}`;
        const x = await cannon(
          ports[store],
          { method: 'POST', path: `/v1/agents/${agent}/decide`, body },
          { rate },
        );
        report.row({
          suite: 'serve',
          name: `decide ${store} ${label} at ${rate} req/s (autocannon, bursts): p99`,
          value: x.p99,
          unit: 'ms',
          note: `p50 ${x.p50.toFixed(2)} ms; autocannon p99 ${x.acP99} ms; achieved ${x.rps.toFixed(0)} req/s; ${x.other} non-2xx; load ${x.load.toFixed(1)}; each connection sends its share of a second back to back, then waits`,
        });
        const pacedBody =
          agent === 'ucb'
            ? (i: number) => `{"eventId":"${prefix}-paced-${i}"}`
            : (i: number) => `{"eventId":"${prefix}-paced-${i}",${ctx[i % ctx.length]}`;
        await serverStalls();
        const y = await paced(ports[store], `/v1/agents/${agent}/decide`, pacedBody, rate, PACED_SECONDS);
        const st = await serverStalls();
        report.row({
          suite: 'serve',
          name: `decide ${store} ${label} at ${rate} req/s (paced, open loop): p99`,
          value: y.p99,
          unit: 'ms',
          note: `target < 10 ms; p50 ${y.p50.toFixed(2)} ms, max ${y.max.toFixed(1)} ms from each request's scheduled time; ${y.ok} 2xx of ${y.sent}, ${y.other} other; server: longest event-loop stall ${st.loopMaxMs.toFixed(1)} ms, longest GC pause ${st.gcMaxMs.toFixed(1)} ms (warm-up included); client: longest stall ${y.clientStallMs.toFixed(1)} ms; load ${y.load.toFixed(1)}`,
        });
      }
    }
  } finally {
    serverCpu = null;
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ replay
async function replayBench(report: Reporter): Promise<void> {
  const { createAgentRuntime, foldDecision, foldReward, normalizeAgentConfig } = await import(
    '../src/bandits/agent/index.js'
  );
  const { replayFromLog } = await import('../src/serve/agent-service.js');
  const { createMemoryStore } = await import('../src/store/memory/index.js');
  const { createSqliteStore } = await import('../src/store/sqlite/index.js');
  const { encodeDecision, encodeReward } = await import('../src/store/sqlite/codec.js');
  type DecisionEntry = import('../src/store/store.js').DecisionEntry;
  type RewardEntry = import('../src/store/store.js').RewardEntry;
  const K = 10;
  const config = normalizeAgentConfig({
    policy: { type: 'ucb1' },
    arms: Array.from({ length: K }, (_, i) => `a${i}`),
  });
  const dir = mkdtempSync(join(tmpdir(), 'allot-replay-bench-'));
  const path = join(dir, 'replay.db');
  let sqlite = createSqliteStore({ path });
  const memory = createMemoryStore();
  const id = 'default/replay';
  const viaApi = FILL_VIA_API || REPLAY_REWARDS <= 100_000;
  try {
    for (const s of [sqlite, memory]) await s.putAgent(id, config, 0);
    const t0 = performance.now();
    const pair = (i: number): { d: DecisionEntry; r: RewardEntry } => {
      const d: DecisionEntry = {
        kind: 'decision',
        eventId: `e${i}`,
        ts: 1_800_000_000_000 + i,
        version: i,
        user: null,
        candidates: null,
        context: null,
        actions: [`a${i % K}`],
        propensities: [1],
      };
      const r: RewardEntry = {
        kind: 'reward',
        eventId: d.eventId,
        ts: d.ts + 1,
        reward: [(i * 7919) % 3 === 0 ? 1 : 0],
        cost: null,
        applied: true,
        isDefault: false,
        decision: d,
      };
      return { d, r };
    };
    // The SQLite log is filled through the Store API (one transaction per entry), or, for 1,000,000 rewards by
    // default, with the same rows (the bodies appendDecision/appendReward write) in one transaction of a second
    // connection: per-entry commits take minutes on a shared machine, and the replay reads the same file either way.
    const bulk = viaApi ? null : new Database(path);
    const insLog = bulk?.prepare('INSERT INTO log (agent, kind, event_id, body) VALUES (?, ?, ?, ?)');
    const insDec = bulk?.prepare(
      'INSERT INTO decisions (agent, event_id, seq, ts, reward_seq) VALUES (?, ?, ?, ?, ?)',
    );
    bulk?.exec('BEGIN');
    for (let i = 0; i < REPLAY_REWARDS; i++) {
      const { d, r } = pair(i);
      if (bulk === null) {
        await sqlite.appendDecision(id, d);
        await sqlite.appendReward(id, r);
      } else {
        const ds = Number(insLog!.run(id, 'decision', d.eventId, encodeDecision(d)).lastInsertRowid);
        const rs = Number(insLog!.run(id, 'reward', r.eventId, encodeReward(r, ds)).lastInsertRowid);
        insDec!.run(id, d.eventId, ds, d.ts, rs);
      }
    }
    if (bulk !== null) {
      bulk.exec('COMMIT');
      bulk.close();
      // Reopen the store so that it reads the file as written.
      await sqlite.close();
      sqlite = createSqliteStore({ path });
    }
    const fillMs = performance.now() - t0;
    const timed = async (
      f: () => Promise<number> | number,
    ): Promise<{ ms: number; cpuMs: number; rewards: number }> => {
      const c = process.cpuUsage();
      const t = performance.now();
      const rewards = await f();
      const dc = process.cpuUsage(c);
      return { ms: performance.now() - t, cpuMs: (dc.user + dc.system) / 1000, rewards };
    };
    // The SQLite replay runs first, while the process holds nothing else (as `allot agents replay` does): the
    // memory store and the entries below hold 2,000,000 objects, and a replay timed beside them measured the
    // garbage collector marking them (15.5 s of CPU in 11.3 s of wall for this row, load 2.0).
    // The same replay reading every page in this thread (no read-ahead worker) is the baseline of the same run.
    // The two alternate, one-thread first, twice each, and each reports its faster run: the first replay of the
    // process also compiles the fold and the decoder, and the second finds the file in the OS cache.
    const oneThread = createSqliteStore({ path, scanAheadMinRows: Number.POSITIVE_INFINITY });
    const best = (a: Awaited<ReturnType<typeof timed>>, b: Awaited<ReturnType<typeof timed>>) =>
      a.ms <= b.ms ? a : b;
    const replayOne = () => timed(async () => (await replayFromLog(oneThread, id, config)).rt.version);
    const replayAhead = () => timed(async () => (await replayFromLog(sqlite, id, config)).rt.version);
    const one1 = await replayOne();
    const ahead1 = await replayAhead();
    const fromSqliteOneThread = best(one1, await replayOne());
    const fromSqlite = best(ahead1, await replayAhead());
    await oneThread.close();
    const entries: Array<(DecisionEntry | RewardEntry) & { seq: number }> = [];
    for (let i = 0; i < REPLAY_REWARDS; i++) {
      const { d, r } = pair(i);
      const ds = (await memory.appendDecision(id, d))!.seq;
      const rs = (await memory.appendReward(id, r))!.seq;
      entries.push({ ...d, seq: ds }, { ...r, seq: rs });
    }
    const fromMemory = await timed(async () => (await replayFromLog(memory, id, config)).rt.version);
    const foldOnly = await timed(() => {
      const rt = createAgentRuntime(config);
      for (const e of entries) {
        if (e.kind === 'decision') foldDecision(rt, e);
        else foldReward(rt, e.decision, e);
      }
      return rt.version;
    });
    for (const x of [fromSqlite, fromSqliteOneThread, fromMemory, foldOnly]) {
      if (x.rewards !== REPLAY_REWARDS)
        throw new Error(`replay folded ${x.rewards} of ${REPLAY_REWARDS} rewards`);
      consume(x.rewards);
    }
    const load = loadavg()[0]!.toFixed(1);
    const n = REPLAY_REWARDS.toLocaleString('en');
    report.row({
      suite: 'serve',
      name: `replayFromLog SQLite, ${n} UCB1 rewards`,
      value: fromSqlite.ms / 1000,
      unit: 's',
      note: `target < 3 s; faster of 2 runs; CPU ${(fromSqlite.cpuMs / 1000).toFixed(2)} s; ${2 * REPLAY_REWARDS} log entries; filled ${viaApi ? 'through the Store API' : 'in one transaction'} in ${(fillMs / 1000).toFixed(1)} s; load ${load}`,
    });
    report.row({
      suite: 'serve',
      name: `  the same, pages read in the replaying thread (no read-ahead)`,
      value: fromSqliteOneThread.ms / 1000,
      unit: 's',
      note: `faster of 2 runs; CPU ${(fromSqliteOneThread.cpuMs / 1000).toFixed(2)} s; read-ahead ${(fromSqliteOneThread.ms / fromSqlite.ms).toFixed(2)}x faster; load ${load}`,
    });
    report.row({
      suite: 'serve',
      name: `replayFromLog memory, ${n} UCB1 rewards`,
      value: fromMemory.ms / 1000,
      unit: 's',
      note: `CPU ${(fromMemory.cpuMs / 1000).toFixed(2)} s; load ${load}`,
    });
    report.row({
      suite: 'serve',
      name: `fold only (in memory), ${n} UCB1 rewards`,
      value: foldOnly.ms / 1000,
      unit: 's',
      note: `CPU ${(foldOnly.cpuMs / 1000).toFixed(2)} s; load ${load}`,
    });
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the decision-service benchmarks. */
export async function run(report: Reporter): Promise<void> {
  // ALLOT_BENCH_SKIP_HTTP=1: the replay part only.
  if (process.env['ALLOT_BENCH_SKIP_HTTP'] !== '1') await httpBench(report);
  // ALLOT_BENCH_SKIP_REPLAY=1: the HTTP part only.
  if (process.env['ALLOT_BENCH_SKIP_REPLAY'] !== '1') await replayBench(report);
}

#!/usr/bin/env node
/**
 * `npm run chaos` (issue 9): two `allot serve` replicas on one Redis (append-only file, fsync always) under a seeded
 * decide+reward load; one replica is SIGKILLed mid-load and restarted, Redis is shut down and started again on the
 * same AOF folder. Then it checks that
 *   - every reward acknowledged (2xx) is in `/state` ("rewards") on every replica after catch-up, and nothing else is;
 *   - no 5xx happened outside the kill window and the Redis restart window (both counted and reported);
 *   - decisions resume on both replicas within 5 s of Redis answering again;
 *   - `allot agents replay` rebuilds from the log the state the replicas serve.
 * The figures are printed as one JSON document on stdout (progress on stderr); exit 1 when a check fails.
 * Loopback only, bounded in time. Runs the built CLI (`npm run build` first).
 *
 *   node scripts/chaos.mjs [--duration 30] [--seed 1] [--concurrency 8] [--arms 10]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'allot.js');
const { createRng } = await import(join(ROOT, 'dist', 'core', 'rng.js'));

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '8' },
    arms: { type: 'string', default: '10' },
    'redis-server': { type: 'string', default: 'redis-server' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stderr.write(
    'usage: node scripts/chaos.mjs [--duration 30] [--seed 1] [--concurrency 8] [--arms 10]\n\n' +
      'Example:\n  npm run chaos -- --duration 30 --seed 1\n',
  );
  process.exit(0);
}
const DURATION = Number(args.duration) * 1000;
const SEED = Number(args.seed);
const CONCURRENCY = Number(args.concurrency);
const K = Number(args.arms);
if (!(DURATION >= 2000 && DURATION <= 600_000)) throw new Error('--duration must be in [2, 600] seconds');
if (!(Number.isInteger(CONCURRENCY) && CONCURRENCY >= 1 && CONCURRENCY <= 64))
  throw new Error('--concurrency must be an integer in [1, 64]');
if (!(Number.isInteger(K) && K >= 2 && K <= 1000)) throw new Error('--arms must be an integer in [2, 1000]');

/** How long the restart of Redis may take before decisions must be back (issue 9). */
const RESUME_LIMIT_MS = 5000;
const REQUEST_TIMEOUT_MS = 5000;
const AGENT = 'chaos';
const log = (msg) => process.stderr.write(`chaos: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = performance.now();
const now = () => performance.now() - t0;

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------- Redis
const dir = mkdtempSync(join(tmpdir(), 'allot-chaos-'));
const redisPort = await freePort();
const storeUrl = `redis://127.0.0.1:${redisPort}?prefix=chaos${SEED}`;
const children = new Set();

function startRedis() {
  const p = spawn(
    args['redis-server'],
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--dir',
      dir,
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.add(p);
  p.once('exit', () => children.delete(p));
  return p;
}

async function redisReady(deadlineMs) {
  const end = now() + deadlineMs;
  while (now() < end) {
    const r = spawnSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8' });
    if (r.stdout.trim() === 'PONG') return true;
    await sleep(50);
  }
  return false;
}

// ---------------------------------------------------------------- replicas
/** Starts `allot serve` on a free port; resolves with its base URL once it listens. */
function startReplica(name) {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [BIN, 'serve', '--store', storeUrl, '--port', '0', '--host', '127.0.0.1', '--no-web'],
      { stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
    );
    children.add(p);
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${err}`)), 30_000);
    p.stderr.setEncoding('utf8');
    p.stderr.on('data', (chunk) => {
      err += chunk;
      const m = /listening on (http:\/\/[^\s]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ name, url: m[1], proc: p, alive: true });
      }
    });
    p.once('exit', (code, signal) => {
      children.delete(p);
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before listening: ${err}`));
    });
  });
}

function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
// Interrupted (Ctrl-C, or a test runner's timeout): leave no redis-server or replica behind.
for (const [sig, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(sig, () => {
    cleanup();
    process.exit(code);
  });
}

// ---------------------------------------------------------------- HTTP with accounting
const stats = {
  requests: 0,
  byStatus: {},
  connectionErrors: 0,
  timeouts: 0,
  fiveXx: [], // {t, replica, route, status}
};

async function call(replica, method, path, body) {
  const started = now();
  stats.requests++;
  try {
    const res = await fetch(`${replica.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    stats.byStatus[res.status] = (stats.byStatus[res.status] ?? 0) + 1;
    if (res.status >= 500)
      stats.fiveXx.push({ start: started, end: now(), replica: replica.name, path, status: res.status });
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, json };
  } catch (e) {
    if (e?.name === 'TimeoutError') stats.timeouts++;
    else stats.connectionErrors++;
    return { status: 0, json: null, error: String(e?.cause?.code ?? e?.name ?? e) };
  }
}

// ---------------------------------------------------------------- the run
const rng = createRng(SEED);
const means = Array.from({ length: K }, () => 0.1 + 0.8 * rng.uniform());
const events = [];
const result = { seed: SEED, durationSeconds: DURATION / 1000, concurrency: CONCURRENCY, arms: K };
let exitCode = 0;

try {
  startRedis();
  if (!(await redisReady(10_000))) throw new Error('redis-server did not start');
  log(`redis on ${redisPort} (AOF in ${dir}, appendfsync always)`);
  const replicas = [await startReplica('A'), await startReplica('B')];
  log(`replicas ${replicas.map((r) => `${r.name} ${r.url}`).join(', ')}`);
  const put = await call(replicas[0], 'PUT', `/v1/agents/${AGENT}`, {
    policy: { type: 'ucb1' },
    arms: Array.from({ length: K }, (_, i) => `arm${i}`),
    seed: SEED,
  });
  if (put.status !== 201 && put.status !== 200) throw new Error(`PUT agent: ${put.status}`);

  const acked = new Set(); // event ids whose reward got a 2xx
  const unacked = new Map(); // event id -> reward value, for rewards that never got a 2xx
  let decisionsOk = 0;
  let decideAbandoned = 0;
  const lastDecideOk = { A: 0, B: 0 };
  const decideOkTimes = []; // times of successful decides (for resumption)
  let stop = false;

  const alive = () => replicas.filter((r) => r.alive);
  const pickReplica = (wrng) => {
    const a = alive();
    return a[wrng.int(a.length)] ?? replicas[0];
  };

  /** Retries a request on a live replica until it gets a non-5xx reply or `until` passes. */
  async function withRetry(wrng, method, path, body, until) {
    for (;;) {
      const r = pickReplica(wrng);
      const res = await call(r, method, path, body);
      if (res.status >= 200 && res.status < 500) return { ...res, replica: r };
      if (now() > until) return { ...res, replica: r };
      await sleep(50 + wrng.int(100));
    }
  }

  async function worker(w) {
    const wrng = rng.fork(w + 1);
    let n = 0;
    while (!stop) {
      const eventId = `w${w}-${n++}`;
      const d = await withRetry(wrng, 'POST', `/v1/agents/${AGENT}/decide`, { eventId }, now() + 15_000);
      if (d.status !== 200) {
        decideAbandoned++;
        continue;
      }
      decisionsOk++;
      lastDecideOk[d.replica.name] = now();
      decideOkTimes.push({ t: now(), replica: d.replica.name });
      const arm = Number(String(d.json.actions[0]).slice(3));
      const reward = wrng.uniform() < means[arm] ? 1 : 0;
      const r = await withRetry(
        wrng,
        'POST',
        `/v1/agents/${AGENT}/rewards`,
        { eventId, reward },
        now() + 15_000,
      );
      if (r.status === 200) acked.add(eventId);
      else unacked.set(eventId, reward);
    }
  }

  const loadStart = now();
  const at = (f) => loadStart + f * DURATION;
  const workers = Array.from({ length: CONCURRENCY }, (_, w) => worker(w));

  // Fault schedule (fractions of the duration): kill B at 25%, restart it 10% later; Redis down at 55% for 7%.
  const schedule = (async () => {
    await sleep(Math.max(0, at(0.25) - now()));
    const b = replicas[1];
    const killAt = now();
    b.alive = false;
    b.proc.kill('SIGKILL');
    events.push({ t: killAt, event: 'replica B SIGKILL' });
    log(`t=${((killAt - loadStart) / 1000).toFixed(1)}s SIGKILL replica B`);
    await sleep(Math.max(500, at(0.35) - now()));
    const nb = await startReplica('B');
    replicas[1] = nb;
    const restartedAt = now();
    events.push({ t: restartedAt, event: 'replica B listening again' });
    log(`t=${((restartedAt - loadStart) / 1000).toFixed(1)}s replica B back at ${nb.url}`);
    await sleep(Math.max(0, at(0.55) - now()));
    const downAt = now();
    spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown'], { encoding: 'utf8' });
    events.push({ t: downAt, event: 'redis SHUTDOWN' });
    log(`t=${((downAt - loadStart) / 1000).toFixed(1)}s redis shutdown`);
    await sleep(Math.max(500, at(0.62) - now()));
    startRedis();
    if (!(await redisReady(10_000))) throw new Error('redis-server did not restart');
    const upAt = now();
    events.push({ t: upAt, event: 'redis answering again' });
    log(`t=${((upAt - loadStart) / 1000).toFixed(1)}s redis back (same AOF)`);
    return { killAt, restartedAt, downAt, upAt };
  })();

  const times = await schedule;
  // Run until the duration ends, and at least until decisions resumed on both replicas (or the limit passed).
  for (;;) {
    const resumed = ['A', 'B'].every((n) => lastDecideOk[n] > times.upAt);
    if (now() >= at(1) && (resumed || now() > times.upAt + RESUME_LIMIT_MS + 1000)) break;
    await sleep(50);
  }
  stop = true;
  await Promise.all(workers);
  const loadEnd = now();
  log(`load done: ${decisionsOk} decisions, ${acked.size} rewards acknowledged`);

  // Rewards that never got a 2xx: a client would retry them; whatever the store has (duplicate: true) counts.
  let retriedLater = 0;
  for (const [eventId, reward] of unacked) {
    const r = await withRetry(
      rng,
      'POST',
      `/v1/agents/${AGENT}/rewards`,
      { eventId, reward },
      now() + 10_000,
    );
    if (r.status === 200) {
      acked.add(eventId);
      retriedLater++;
    }
  }

  // Catch-up: every replica's /state must reach the acknowledged count.
  const states = {};
  const catchUpStart = now();
  for (const r of replicas) {
    for (;;) {
      const s = await call(r, 'GET', `/v1/agents/${AGENT}/state`);
      states[r.name] = s.json;
      if ((s.status === 200 && s.json.rewards >= acked.size) || now() - catchUpStart > 15_000) break;
      await sleep(100);
    }
  }
  const catchUpMs = now() - catchUpStart;

  // The log rebuilds the state the replicas serve.
  const replay = spawnSync(
    process.execPath,
    [BIN, 'agents', 'replay', '--store', storeUrl, '--agent', AGENT],
    { encoding: 'utf8', cwd: dir },
  );
  let replayed = null;
  try {
    replayed = JSON.parse(replay.stdout);
  } catch {}

  // 5xx inside / outside the fault windows (a request is inside when its lifetime overlaps a window).
  const windows = [
    { name: 'replica kill', from: times.killAt, to: times.restartedAt },
    { name: 'redis restart', from: times.downAt, to: times.upAt + RESUME_LIMIT_MS },
  ];
  const inside = (x) => windows.some((w) => x.end >= w.from && x.start <= w.to);
  const outside = stats.fiveXx.filter((x) => !inside(x));
  const resumeMs = Object.fromEntries(
    ['A', 'B'].map((n) => {
      const first = decideOkTimes.find((d) => d.replica === n && d.t > times.upAt);
      return [n, first === undefined ? null : Math.round(first.t - times.upAt)];
    }),
  );
  const rewardsIn = Object.fromEntries(Object.entries(states).map(([n, s]) => [n, s?.rewards ?? null]));
  const sameState = JSON.stringify(states.A) === JSON.stringify(states.B);

  const checks = {
    rewardsAcknowledgedEqualState: Object.values(rewardsIn).every((x) => x === acked.size),
    replicasServeTheSameState: sameState,
    // Replay from the log == snapshot + log, and it holds the rewards and decisions the replicas serve.
    replayEqualsServedState:
      replay.status === 0 &&
      replayed?.equal === true &&
      replayed.rewards === states.A?.rewards &&
      replayed.decisions === states.A?.decisions,
    no5xxOutsideWindows: outside.length === 0,
    decisionsResumedWithin5s: Object.values(resumeMs).every((x) => x !== null && x <= RESUME_LIMIT_MS),
  };
  const rel = (t) => Math.round(t - loadStart);
  Object.assign(result, {
    redis: { appendonly: 'yes', appendfsync: 'always' },
    loadSeconds: (loadEnd - loadStart) / 1000,
    requests: stats.requests,
    requestsPerSecond: Math.round(stats.requests / ((loadEnd - loadStart) / 1000)),
    byStatus: stats.byStatus,
    connectionErrors: stats.connectionErrors,
    timeouts: stats.timeouts,
    decisions: decisionsOk,
    decisionsAbandoned: decideAbandoned,
    rewardsAcknowledged: acked.size,
    rewardsAcknowledgedOnRetryAfterLoad: retriedLater,
    rewardsNeverAcknowledged: unacked.size - retriedLater,
    rewardsInState: rewardsIn,
    catchUpMs: Math.round(catchUpMs),
    replay: replayed ?? { status: replay.status, stderr: replay.stderr.trim() },
    fiveXx: {
      total: stats.fiveXx.length,
      insideWindows: stats.fiveXx.length - outside.length,
      perWindow: Object.fromEntries(
        windows.map((w) => [w.name, stats.fiveXx.filter((x) => x.end >= w.from && x.start <= w.to).length]),
      ),
      outsideWindows: outside.length,
      outsideExamples: outside.slice(0, 5).map((x) => ({ ...x, start: rel(x.start), end: rel(x.end) })),
    },
    windowsMs: windows.map((w) => ({ name: w.name, from: rel(w.from), to: rel(w.to) })),
    decisionsResumeMsAfterRedis: resumeMs,
    events: events.map((e) => ({ ...e, t: rel(e.t) })),
    checks,
    ok:
      checks.rewardsAcknowledgedEqualState &&
      checks.replicasServeTheSameState &&
      checks.replayEqualsServedState &&
      checks.no5xxOutsideWindows &&
      checks.decisionsResumedWithin5s,
  });
  if (!result.ok) exitCode = 1;
  // Graceful stop of the replicas (SIGTERM: finish in-flight requests, flush, close the store).
  await Promise.all(
    alive().map(
      (r) =>
        new Promise((resolve) => {
          r.proc.once('exit', resolve);
          r.proc.kill('SIGTERM');
          setTimeout(resolve, 5000).unref();
        }),
    ),
  );
} catch (e) {
  result.ok = false;
  result.error = String(e?.stack ?? e);
  exitCode = 1;
} finally {
  cleanup();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(exitCode);

/**
 * End to end through the built CLI: `allot serve` on a SQLite file, a seeded client playing 5,000 decide/reward
 * pairs against a UCB1 agent over 5 Bernoulli arms; most pulls go to the best arm; after a restart on the same file
 * `/state` is unchanged; `allot agents replay` agrees and `allot agents export` writes one row per decision.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { startServer, stopServer } from '../helpers/serve.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'allot.js');

const json = async (
  url: string,
  method = 'GET',
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field below
): Promise<{ status: number; body: Record<string, any> }> => {
  const r = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await r.text();
  return { status: r.status, body: text.length > 0 ? JSON.parse(text) : null };
};

const dir = mkdtempSync(join(tmpdir(), 'allot-e2e-'));
const db = join(dir, 'allot.db');
const procs: ChildProcess[] = [];
afterAll(async () => {
  for (const p of procs) await stopServer(p);
});

describe('allot serve end to end (SQLite)', () => {
  it('learns the best of 5 Bernoulli arms in 5,000 rounds and keeps its state across a restart', {
    timeout: 240_000,
  }, async () => {
    const s1 = await startServer(['--store', `sqlite:${db}`, '--no-web']);
    procs.push(s1.proc);
    const means = [0.1, 0.3, 0.5, 0.7, 0.9];
    const arms = means.map((_, i) => `arm${i}`);
    const created = await json(`${s1.url}/v1/agents/ucb`, 'PUT', {
      policy: { type: 'ucb1', c: 0.5 },
      arms,
      seed: 11,
    });
    expect(created.status).toBe(201);
    const pulls = [0, 0, 0, 0, 0];
    // Ten seeded clients, 500 decide/reward pairs each, concurrently (as real traffic arrives).
    const client = async (k: number): Promise<void> => {
      const rng = createRng(2026).fork(k);
      for (let t = 0; t < 500; t++) {
        const d = await json(`${s1.url}/v1/agents/ucb/decide`, 'POST', { eventId: `c${k}-${t}` });
        expect(d.status).toBe(200);
        const a = arms.indexOf(d.body.actions[0]);
        pulls[a]! += 1;
        const r = await json(`${s1.url}/v1/agents/ucb/rewards`, 'POST', {
          eventId: d.body.eventId,
          reward: rng.uniform() < means[a]! ? 1 : 0,
        });
        expect(r.body.applied).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_, k) => client(k)));
    expect(pulls[4]! / 5000).toBeGreaterThan(0.6);
    const before = await json(`${s1.url}/v1/agents/ucb/state`);
    expect(before.body.rewards).toBe(5000);
    expect(before.body.counts).toEqual(pulls);
    expect(await stopServer(s1.proc)).toBe(0);

    const s2 = await startServer(['--store', `sqlite:${db}`, '--no-web']);
    procs.push(s2.proc);
    const after = await json(`${s2.url}/v1/agents/ucb/state`);
    expect(JSON.stringify(after.body)).toBe(JSON.stringify(before.body));
    expect(await stopServer(s2.proc)).toBe(0);

    const replay = spawnSync(
      process.execPath,
      [BIN, 'agents', 'replay', '--store', `sqlite:${db}`, '--agent', 'ucb'],
      { encoding: 'utf8' },
    );
    expect(replay.status, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({
      agentId: 'ucb',
      equal: true,
      rewards: 5000,
      decisions: 5000,
      entries: 10000,
    });

    const out = join(dir, 'log.csv');
    const exp = spawnSync(
      process.execPath,
      [BIN, 'agents', 'export', '--store', `sqlite:${db}`, '--agent', 'ucb', '--format', 'csv', '--out', out],
      { encoding: 'utf8' },
    );
    expect(exp.status, exp.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'event_id,timestamp,agent_id,version,user,position,action,propensity,reward,cost,candidates,context',
    );
    expect(lines).toHaveLength(5001);
    const nd = spawnSync(
      process.execPath,
      [BIN, 'agents', 'export', '--store', `sqlite:${db}`, '--agent', 'ucb'],
      { encoding: 'utf8' },
    );
    const first = JSON.parse(nd.stdout.split('\n')[0]!);
    expect(first).toMatchObject({ agentId: 'ucb', position: 0, version: 0, propensity: expect.any(Number) });
    const missing = spawnSync(
      process.execPath,
      [BIN, 'agents', 'export', '--store', `sqlite:${db}`, '--agent', 'nobody'],
      { encoding: 'utf8' },
    );
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^allot: ALLOT_UNKNOWN_AGENT: .*\n$/);

    // A stored state that the log does not give (one count changed in the snapshot) is reported, exit 1.
    const db2 = new Database(db);
    const snap = db2.prepare('SELECT state FROM snapshots WHERE agent = ?').get('default/ucb') as {
      state: string;
    };
    const tampered = snap.state.replace(/"counts":\[(\d+)/, (_, n: string) => `"counts":[${Number(n) + 1}`);
    expect(tampered).not.toBe(snap.state);
    db2.prepare('UPDATE snapshots SET state = ? WHERE agent = ?').run(tampered, 'default/ucb');
    db2.close();
    const differs = spawnSync(
      process.execPath,
      [BIN, 'agents', 'replay', '--store', `sqlite:${db}`, '--agent', 'ucb'],
      { encoding: 'utf8' },
    );
    expect(differs.status, differs.stderr).toBe(1);
    expect(JSON.parse(differs.stdout)).toMatchObject({ equal: false, rewards: 5000 });
    expect(differs.stderr).toMatch(/replay DIFFERS from the stored state/);
  });

  it('refuses to bind a non-loopback address without --auth', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'serve', '--host', '0.0.0.0', '--store', 'memory', '--port', '0'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^allot: ALLOT_INVALID_ARGUMENT: --host 0\.0\.0\.0 is not a loopback address/);
  });
});

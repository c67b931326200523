/** The store contract on memory, SQLite (a temporary file, WAL) and a real Redis (127.0.0.1:6379). */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { normalizeAgentConfig } from '../../src/bandits/agent/index.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createRedisStore } from '../../src/store/redis/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import type { DecisionEntry, RewardEntry } from '../../src/store/store.js';
import { runStoreContract } from './store.contract.js';

runStoreContract('memory', () => createMemoryStore());

runStoreContract('sqlite', () =>
  createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db') }),
);

let n = 0;
// Every test gets its own key prefix on the shared Redis, so runs never see each other's keys.
runStoreContract('redis', () =>
  createRedisStore({
    url: 'redis://127.0.0.1:6379',
    prefix: `allot-test-${process.pid}-${Date.now()}-${n++}`,
  }),
);

describe('SQLite log bodies', () => {
  const config = normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ['a', 'b'], seed: 1 });
  const d: DecisionEntry = {
    kind: 'decision',
    eventId: 'e1',
    ts: 10,
    version: 0,
    user: null,
    candidates: null,
    context: null,
    actions: ['b'],
    propensities: [1],
  };
  const r: RewardEntry = {
    kind: 'reward',
    eventId: 'e1',
    ts: 11,
    reward: [1],
    cost: null,
    applied: true,
    isDefault: false,
    decision: d,
  };

  it('joins a reward to its decision when another process reads only the reward', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    const writer = createSqliteStore({ path });
    await writer.putAgent('t/a', config, 1);
    const { seq } = (await writer.appendDecision('t/a', d))!;
    await writer.appendReward('t/a', r);
    const reader = createSqliteStore({ path });
    const page = await reader.readLog('t/a', seq, 10);
    expect(page.map(({ seq: _, ...e }) => e)).toEqual([r]);
    await reader.close();
    await writer.close();
  });

  it('reads logs written with whole entries in each body (the first format)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    const s = createSqliteStore({ path });
    await s.putAgent('t/a', config, 1);
    await s.close();
    const db = new Database(path);
    const ins = db.prepare('INSERT INTO log (agent, kind, event_id, body) VALUES (?, ?, ?, ?)');
    const ds = Number(ins.run('t/a', 'decision', 'e1', JSON.stringify(d)).lastInsertRowid);
    const rs = Number(ins.run('t/a', 'reward', 'e1', JSON.stringify(r)).lastInsertRowid);
    db.prepare('INSERT INTO decisions (agent, event_id, seq, ts, reward_seq) VALUES (?, ?, ?, ?, ?)').run(
      't/a',
      'e1',
      ds,
      10,
      rs,
    );
    db.close();
    const again = createSqliteStore({ path });
    expect((await again.readLog('t/a', 0, 10)).map(({ seq: _, ...e }) => e)).toEqual([d, r]);
    expect(await again.listEvents('t/a', 0, 10)).toEqual([{ seq: ds, decision: d, reward: r }]);
    expect(await again.getDecision('t/a', 'e1')).toEqual(d);
    await again.close();
  });
});

describe('SQLite background checkpoints', () => {
  it('copies the WAL into the database file from a worker (SQLite alone would wait for 1,000 pages)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    const s = createSqliteStore({ path, checkpointMs: 20, checkpointAfterCommits: 1 });
    await s.putAgent('t/a', normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ['a'] }), 1);
    // Until a checkpoint the database file keeps the size it had when the WAL was switched on: the schema and
    // the rows are in the WAL.
    const initial = statSync(path).size;
    for (let i = 0; i < 20; i++) {
      await s.appendDecision('t/a', {
        kind: 'decision',
        eventId: `e${i}`,
        ts: i,
        version: 0,
        user: null,
        candidates: null,
        context: null,
        actions: ['a'],
        propensities: [1],
      });
    }
    const deadline = Date.now() + 5000;
    while (statSync(path).size <= initial && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(statSync(path).size).toBeGreaterThan(initial);
    expect(await s.lastSeq('t/a')).toBeGreaterThan(0);
    await s.close();
    const again = createSqliteStore({ path });
    expect((await again.readLog('t/a', 0, 1000)).length).toBe(20);
    await again.close();
  });
});

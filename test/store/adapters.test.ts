/** The store contract on memory, SQLite (a temporary file, WAL) and a real Redis (127.0.0.1:6379). */
import { mkdtempSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { agentStateToJson, normalizeAgentConfig } from '../../src/bandits/agent/index.js';
import { replayFromLog } from '../../src/serve/agent-service.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createRedisStore } from '../../src/store/redis/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { type DecisionEntry, type RewardEntry, type SequencedEntry, scanLog } from '../../src/store/store.js';
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
    // The decision read by its row carries that row's seq (as a decision shared from the same page does).
    expect(page.map(({ seq: _, ...e }) => e)).toEqual([{ ...r, decision: { ...d, seq } }]);
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
  it('writes bare rows as JSON arrays (format 3) and still reads the object rows of format 2', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    const s = createSqliteStore({ path });
    await s.putAgent('t/a', config, 1);
    const { seq: ds } = (await s.appendDecision('t/a', d))!;
    await s.appendReward('t/a', r);
    // A decision with a user, and a late reward with a cost, keep the object form.
    const rich: DecisionEntry = { ...d, eventId: 'e2', user: 'u1' };
    await s.appendDecision('t/a', rich);
    const late: RewardEntry = { ...r, eventId: 'e2', cost: [0.5], applied: false, decision: rich };
    await s.appendReward('t/a', late);
    await s.close();
    const db = new Database(path);
    const bodies = (db.prepare('SELECT body FROM log ORDER BY seq').all() as Array<{ body: string }>).map(
      (x) => x.body,
    );
    expect(bodies[0]).toBe(`["e1",10,0,["b"],[1]]`);
    expect(bodies[1]).toBe(`[${ds},11,[1]]`);
    expect(bodies[2]!.startsWith('{')).toBe(true);
    expect(bodies[3]!.startsWith('{')).toBe(true);
    // Format 2: the same bare pair as objects, written by an older allot.
    const ins = db.prepare('INSERT INTO log (agent, kind, event_id, body) VALUES (?, ?, ?, ?)');
    const ds3 = Number(
      ins.run(
        't/a',
        'decision',
        'e3',
        JSON.stringify({ eventId: 'e3', ts: 12, version: 0, actions: ['a'], propensities: [1] }),
      ).lastInsertRowid,
    );
    const rs3 = Number(
      ins.run('t/a', 'reward', 'e3', JSON.stringify({ decisionSeq: ds3, ts: 13, reward: [0] }))
        .lastInsertRowid,
    );
    db.prepare('INSERT INTO decisions (agent, event_id, seq, ts, reward_seq) VALUES (?, ?, ?, ?, ?)').run(
      't/a',
      'e3',
      ds3,
      12,
      rs3,
    );
    db.close();
    const again = createSqliteStore({ path });
    const d3: DecisionEntry = { ...d, eventId: 'e3', ts: 12, actions: ['a'] };
    const r3: RewardEntry = { ...r, eventId: 'e3', ts: 13, reward: [0], decision: d3 };
    const log = await again.readLog('t/a', 0, 10);
    expect(log.map((e) => e.kind)).toEqual([
      'decision',
      'reward',
      'decision',
      'reward',
      'decision',
      'reward',
    ]);
    const strip = (e: SequencedEntry): unknown => {
      const { seq: _, ...rest } = e;
      if (rest.kind !== 'reward') return rest;
      const { seq: _d, ...dec } = rest.decision as DecisionEntry & { seq?: number };
      return { ...rest, decision: dec };
    };
    expect(log.map(strip)).toEqual([d, r, rich, late, d3, r3]);
    expect(await again.getDecision('t/a', 'e1')).toEqual(d);
    expect(await again.getDecision('t/a', 'e3')).toEqual(d3);
    expect(await again.listEvents('t/a', 0, 10)).toEqual([
      { seq: ds, decision: d, reward: r },
      { seq: log[2]!.seq, decision: rich, reward: late },
      { seq: ds3, decision: d3, reward: r3 },
    ]);
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

describe('SQLite log scan (read ahead in a worker)', () => {
  const config = normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ['a', 'b', 'c'], seed: 1 });
  const decision = (i: number): DecisionEntry => ({
    kind: 'decision',
    eventId: `e${i}`,
    ts: i,
    version: 0,
    user: i % 2 === 0 ? `u${i}` : null,
    candidates: null,
    context: i % 3 === 0 ? { features: [i, 0.5] } : null,
    actions: [['a', 'b', 'c'][i % 3]!],
    propensities: [1 / 3],
  });
  /** Two agents' interleaved logs; each reward arrives a few decisions later (some across page boundaries). */
  const fill = async (path: string): Promise<void> => {
    const s = createSqliteStore({ path });
    await s.putAgent('t/a', config, 1);
    await s.putAgent('t/b', config, 1);
    for (let i = 0; i < 120; i++) {
      await s.appendDecision('t/a', decision(i));
      await s.appendDecision('t/b', decision(1000 + i));
      if (i >= 3) {
        const d = decision(i - 3);
        await s.appendReward('t/a', {
          kind: 'reward',
          eventId: d.eventId,
          ts: i,
          reward: [(i * 7) % 2],
          cost: null,
          applied: i % 5 !== 0,
          isDefault: false,
          decision: d,
        });
      }
    }
    await s.close();
  };
  const pagesOf = async <T>(it: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const p of it) out.push(p);
    return out;
  };

  it('gives the pages that readLog gives, from any start, with or without the worker', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    await fill(path);
    const ahead = createSqliteStore({ path, scanAheadMinRows: 0 });
    const inline = createSqliteStore({ path, scanAheadMinRows: 1e9 });
    const all = await ahead.readLog('t/a', 0, 10_000);
    expect(all.length).toBe(120 + 117);
    for (const after of [0, all[5]!.seq, all[all.length - 1]!.seq]) {
      const want: SequencedEntry[][] = [];
      for (let seq = after; ; ) {
        const p = await inline.readLog('t/a', seq, 7);
        if (p.length === 0) break;
        want.push(p);
        seq = p[p.length - 1]!.seq;
      }
      expect(await pagesOf(ahead.scanLog!('t/a', after, 7))).toEqual(want);
      expect(await pagesOf(inline.scanLog!('t/a', after, 7))).toEqual(want);
    }
    await ahead.close();
    await inline.close();
  });

  it('replays to the same state as the memory store, and stops its worker when the caller stops early', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    await fill(path);
    const s = createSqliteStore({ path, scanAheadMinRows: 0 });
    const mem = createMemoryStore();
    await mem.putAgent('t/a', config, 1);
    for (const e of await s.readLog('t/a', 0, 10_000)) {
      if (e.kind === 'decision') await mem.appendDecision('t/a', e);
      else if (e.kind === 'reward') await mem.appendReward('t/a', e);
    }
    const fromSqlite = await replayFromLog(s, 't/a', config);
    const fromMemory = await replayFromLog(mem, 't/a', config);
    expect(fromSqlite.entries).toBe(237);
    expect(agentStateToJson(fromSqlite.rt)).toEqual(agentStateToJson(fromMemory.rt));
    // Up to a cut inside the third page: the scan is abandoned mid-way, and the store still closes promptly.
    const cut = (await s.readLog('t/a', 0, 20))[19]!.seq;
    const partial = await replayFromLog(s, 't/a', config, cut);
    expect(partial.entries).toBe(20);
    let pages = 0;
    for await (const _ of scanLog(s, 't/a', 0, 5)) if (++pages === 2) break;
    expect(pages).toBe(2);
    await s.close();
  });

  it('reads in this thread when the worker cannot open the file (here: unlinked after the store opened it)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    await fill(path);
    const s = createSqliteStore({ path, scanAheadMinRows: 0 });
    const want = await s.readLog('t/a', 0, 10_000);
    unlinkSync(path);
    const got: SequencedEntry[] = [];
    for await (const page of scanLog(s, 't/a', 0, 7)) got.push(...page);
    expect(got).toEqual(want);
    await s.close();
  });

  it('reports a database it cannot read as ALLOT_STORE_UNAVAILABLE', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db');
    await fill(path);
    const s = createSqliteStore({ path, scanAheadMinRows: 0 });
    const { startLogReader } = await import('../../src/store/sqlite/log-reader.js');
    const reader = startLogReader(join(path, 'missing.db'), { agent: 't/a', after: 0, pageSize: 5 });
    await expect(pagesOf(reader)).rejects.toThrow(/ALLOT_STORE_UNAVAILABLE|reading the log/);
    await s.close();
  });
});

/**
 * The SQLite store (better-sqlite3 12, WAL): the embedded default of `allot serve`. One file holds every agent.
 * Each call is one transaction; with `synchronous = NORMAL` in WAL mode a committed transaction survives the
 * process being killed (SIGKILL) — it may be lost only to a power failure or an OS crash; `durability: 'full'`
 * (synchronous = FULL) also covers those, at a cost per write.
 */

import Database from 'better-sqlite3';
import type { AgentConfig } from '../../bandits/agent/config.js';
import type {
  AgentRecord,
  DecisionEntry,
  JoinedEvent,
  LogEntry,
  RewardEntry,
  SequencedEntry,
  Snapshot,
  Store,
} from '../store.js';
import { type Checkpointer, startCheckpointer } from './checkpointer.js';
import {
  decodeDecision,
  encodeDecision,
  encodeReward,
  isFullEntry,
  isRewardBody,
  type ParsedBody,
  rewardDecisionSeq,
  toDecision,
  toReward,
} from './codec.js';
import { startLogReader } from './log-reader.js';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file (`:memory:` for a private in-memory database). */
  readonly path: string;
  /** 'normal' (default: survives a killed process) or 'full' (survives power loss). */
  readonly durability?: 'normal' | 'full';
  /**
   * WAL checkpoints in a worker thread every this many ms (default 200; 0: SQLite's automatic checkpoint in the
   * committing call, as before). See ./checkpointer.ts.
   */
  readonly checkpointMs?: number;
  /** Commits before the checkpoint worker starts (default 256: a short-lived store never starts it). */
  readonly checkpointAfterCommits?: number;
  /** `scanLog` reads ahead in a worker from this many rows on (default 50,000; 0: always). See ./log-reader.ts. */
  readonly scanAheadMinRows?: number;
}

/**
 * A scan of at least this many rows (by sequence numbers; other agents' rows count too) reads ahead in a worker
 * thread; below it the worker's start-up (about 20-40 ms: a thread, the driver, a connection) would cost more than
 * it saves.
 */
const SCAN_AHEAD_MIN_ROWS = 50_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS agents (id TEXT PRIMARY KEY, config TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  agent TEXT NOT NULL,
  kind TEXT NOT NULL,
  event_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_agent_seq ON log (agent, seq);
CREATE TABLE IF NOT EXISTS decisions (
  agent TEXT NOT NULL,
  event_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  reward_seq INTEGER,
  PRIMARY KEY (agent, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS decisions_pending ON decisions (agent, reward_seq, ts);
CREATE TABLE IF NOT EXISTS snapshots (agent TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, id));
`;

/**
 * Opens (creating if needed) a SQLite store.
 *
 * @throws whatever better-sqlite3 throws for an unopenable file (the CLI maps it to ALLOT_IO_ERROR).
 */
export function createSqliteStore(opts: SqliteStoreOptions): Store {
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  const synchronous = opts.durability === 'full' ? 'FULL' : 'NORMAL';
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  const checkpointMs = opts.checkpointMs ?? 200;
  let checkpointer: Checkpointer | null = null;
  // The worker starts with the store's 256th commit: a short-lived store (a CLI command, a test) never needs it.
  let commitsBeforeCheckpointer =
    checkpointMs > 0 && opts.path !== ':memory:' && opts.path !== ''
      ? Math.max(1, opts.checkpointAfterCommits ?? 256)
      : -1;
  const startBackgroundCheckpoints = (): void => {
    // The automatic checkpoint stays as a safety net, at 10x SQLite's default (about 40 MB of WAL).
    db.pragma('wal_autocheckpoint = 10000');
    checkpointer = startCheckpointer(opts.path, {
      everyMs: checkpointMs,
      synchronous,
      onFailure: () => {
        if (db.open) db.pragma('wal_autocheckpoint = 1000');
      },
    });
  };

  const q = {
    getAgent: db.prepare<[string], { id: string; config: string; created_at: number }>(
      'SELECT * FROM agents WHERE id = ?',
    ),
    insertAgent: db.prepare('INSERT INTO agents (id, config, created_at) VALUES (?, ?, ?)'),
    listAgents: db.prepare<[string, string], { id: string; config: string; created_at: number }>(
      'SELECT * FROM agents WHERE id >= ? AND id < ? ORDER BY id',
    ),
    delAgent: db.prepare('DELETE FROM agents WHERE id = ?'),
    delLog: db.prepare('DELETE FROM log WHERE agent = ?'),
    delDecisions: db.prepare('DELETE FROM decisions WHERE agent = ?'),
    delSnap: db.prepare('DELETE FROM snapshots WHERE agent = ?'),
    exists: db.prepare<[string], { x: number }>('SELECT 1 AS x FROM agents WHERE id = ?'),
    getDecisionRow: db.prepare<[string, string], { seq: number; reward_seq: number | null }>(
      'SELECT seq, reward_seq FROM decisions WHERE agent = ? AND event_id = ?',
    ),
    body: db.prepare<[number], { body: string }>('SELECT body FROM log WHERE seq = ?'),
    insertLog: db.prepare('INSERT INTO log (agent, kind, event_id, body) VALUES (?, ?, ?, ?)'),
    insertDecision: db.prepare('INSERT INTO decisions (agent, event_id, seq, ts) VALUES (?, ?, ?, ?)'),
    setReward: db.prepare('UPDATE decisions SET reward_seq = ? WHERE agent = ? AND event_id = ?'),
    readLogRaw: db
      .prepare<[string, number, number], [number, string]>(
        'SELECT seq, body FROM log WHERE agent = ? AND seq > ? ORDER BY seq LIMIT ?',
      )
      .raw(true),
    lastSeq: db.prepare<[string], { s: number | null }>('SELECT MAX(seq) AS s FROM log WHERE agent = ?'),
    events: db.prepare<[string, number, number], { seq: number; body: string; reward: string | null }>(
      `SELECT d.seq AS seq, l.body AS body, r.body AS reward FROM decisions d
       JOIN log l ON l.seq = d.seq LEFT JOIN log r ON r.seq = d.reward_seq
       WHERE d.agent = ? AND d.seq > ? ORDER BY d.seq LIMIT ?`,
    ),
    pending: db.prepare<[string, number, number], { body: string }>(
      `SELECT l.body AS body FROM decisions d JOIN log l ON l.seq = d.seq
       WHERE d.agent = ? AND d.reward_seq IS NULL AND d.ts <= ? ORDER BY d.ts LIMIT ?`,
    ),
    getSnap: db.prepare<[string], { seq: number; state: string }>(
      'SELECT seq, state FROM snapshots WHERE agent = ?',
    ),
    putSnap: db.prepare(
      `INSERT INTO snapshots (agent, seq, state) VALUES (?, ?, ?)
       ON CONFLICT (agent) DO UPDATE SET seq = excluded.seq, state = excluded.state WHERE excluded.seq > snapshots.seq`,
    ),
    putRecord: db.prepare(
      'INSERT INTO records (kind, id, value) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value',
    ),
    getRecord: db.prepare<[string, string], { value: string }>(
      'SELECT value FROM records WHERE kind = ? AND id = ?',
    ),
    listRecords: db.prepare<[string, string, string], { id: string; value: string }>(
      'SELECT id, value FROM records WHERE kind = ? AND id >= ? AND id < ? ORDER BY id',
    ),
    delRecord: db.prepare('DELETE FROM records WHERE kind = ? AND id = ?'),
  };

  const toRecord = (r: { id: string; config: string; created_at: number }): AgentRecord => ({
    id: r.id,
    config: JSON.parse(r.config) as AgentConfig,
    createdAt: r.created_at,
  });
  const upper = (prefix: string): string => `${prefix}\uffff`;

  const putAgent = db.transaction((id: string, config: AgentConfig, now: number) => {
    const cur = q.getAgent.get(id);
    const json = JSON.stringify(config);
    if (cur !== undefined) return cur.config === json ? 'same' : 'conflict';
    q.insertAgent.run(id, json, now);
    return 'created';
  });
  const deleteAgent = db.transaction((id: string) => {
    const n = q.delAgent.run(id).changes;
    q.delLog.run(id);
    q.delDecisions.run(id);
    q.delSnap.run(id);
    return n > 0;
  });
  const appendDecision = db.transaction((id: string, d: DecisionEntry) => {
    if (q.exists.get(id) === undefined) return null;
    const cur = q.getDecisionRow.get(id, d.eventId);
    if (cur !== undefined) {
      return { seq: cur.seq, existing: decodeDecision(q.body.get(cur.seq)!.body) };
    }
    const seq = Number(q.insertLog.run(id, 'decision', d.eventId, encodeDecision(d)).lastInsertRowid);
    q.insertDecision.run(id, d.eventId, seq, d.ts);
    return { seq, existing: null };
  });
  const appendReward = db.transaction((id: string, r: RewardEntry) => {
    const cur = q.getDecisionRow.get(id, r.eventId);
    if (cur === undefined) return null;
    if (cur.reward_seq !== null) return { seq: cur.reward_seq, duplicate: true };
    const seq = Number(q.insertLog.run(id, 'reward', r.eventId, encodeReward(r, cur.seq)).lastInsertRowid);
    q.setReward.run(seq, id, r.eventId);
    return { seq, duplicate: false };
  });
  const appendLog = db.transaction((id: string, kind: string, eventId: string, body: string) => {
    if (q.exists.get(id) === undefined) return null;
    return { seq: Number(q.insertLog.run(id, kind, eventId, body).lastInsertRowid) };
  });

  // Group commit: every call joins a queue that runs, in order, inside one transaction per turn of the event loop.
  // A commit is the cost of a write here (~0.3 ms in WAL mode); concurrent requests share it, and a call still
  // resolves only once its transaction has committed (and reads see every write queued before them).
  type Op = { fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void };
  let queue: Op[] = [];
  let scheduled = false;
  const runBatch = db.transaction((ops: Op[]) =>
    ops.map((op) => {
      try {
        return { ok: true as const, value: op.fn() };
      } catch (error) {
        return { ok: false as const, error };
      }
    }),
  );
  const flush = (): void => {
    scheduled = false;
    const ops = queue;
    queue = [];
    if (ops.length === 0) return;
    let results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;
    try {
      results = runBatch(ops);
    } catch (e) {
      for (const op of ops) op.reject(e);
      return;
    }
    if (commitsBeforeCheckpointer > 0 && --commitsBeforeCheckpointer === 0) startBackgroundCheckpoints();
    for (let i = 0; i < ops.length; i++) {
      const r = results[i]!;
      if (r.ok) ops[i]!.resolve(r.value);
      else ops[i]!.reject(r.error);
    }
  };
  const run = <T>(fn: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });

  /**
   * A page of log rows as entries. A compact reward takes its decision from the decisions of the same page (the
   * usual case in a replay) or reads its row by id.
   */
  const decodePage = (rows: Array<[number, string]>): SequencedEntry[] => {
    const seqs = new Float64Array(rows.length);
    const bodies = new Array<ParsedBody>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      seqs[i] = rows[i]![0];
      bodies[i] = JSON.parse(rows[i]![1]) as ParsedBody;
    }
    return decodeBodies(seqs, bodies);
  };
  /** Parsed bodies with their sequence numbers as entries (see {@link decodePage}). */
  const decodeBodies = (seqs: Float64Array, bodies: ParsedBody[]): SequencedEntry[] => {
    const out = new Array<SequencedEntry>(bodies.length);
    // The decisions of this page by row: a reward on the same page shares its decision's entry, seq included (one
    // object per decision instead of a second copy for its reward: 1,000,000 UCB1 rewards replayed with 4.9 s of
    // CPU before, 3.0-3.4 s after, same run). A decision read by id gets its seq too, so every page reads alike.
    const decided = new Map<number, DecisionEntry>();
    for (let i = 0; i < bodies.length; i++) {
      const seq = seqs[i]!;
      const b = bodies[i]!;
      let e: LogEntry & { seq?: number };
      if (isFullEntry(b)) e = b;
      else if (isRewardBody(b)) {
        const dseq = rewardDecisionSeq(b);
        let d = decided.get(dseq);
        if (d === undefined) {
          d = decodeDecision(q.body.get(dseq)!.body);
          (d as { seq?: number }).seq = dseq;
        }
        e = toReward(b, d);
      } else {
        const d = toDecision(b);
        decided.set(seq, d);
        e = d;
      }
      e.seq = seq;
      out[i] = e as SequencedEntry;
    }
    return out;
  };
  const fileBacked = opts.path !== ':memory:' && opts.path !== '';
  const decodeRewardOf = (body: string, decision: DecisionEntry): RewardEntry => {
    const b = JSON.parse(body) as ParsedBody;
    if (isFullEntry(b)) return b as RewardEntry;
    return toReward(b as Parameters<typeof toReward>[0], decision);
  };

  const store: Store = {
    kind: 'sqlite',
    async putAgent(id, config, now) {
      return run(() => putAgent(id, config, now) as 'created' | 'same' | 'conflict');
    },
    async getAgent(id) {
      const r = q.getAgent.get(id);
      return r === undefined ? null : toRecord(r);
    },
    async listAgents(prefix) {
      return q.listAgents.all(prefix, upper(prefix)).map(toRecord);
    },
    async deleteAgent(id) {
      return run(() => deleteAgent(id));
    },
    async appendDecision(id, d) {
      return run(() => appendDecision(id, d));
    },
    async getDecision(id, eventId) {
      return run(() => {
        const cur = q.getDecisionRow.get(id, eventId);
        return cur === undefined ? null : decodeDecision(q.body.get(cur.seq)!.body);
      });
    },
    async appendReward(id, r) {
      return run(() => appendReward(id, r));
    },
    async appendControl(id, c) {
      return run(() => appendLog(id, 'control', c.eventId, JSON.stringify(c)));
    },
    async readLog(id, after, limit) {
      // Hot in replays and catch-ups: rows as arrays; the parsed entry gets its seq in place (a spread copy cost
      // more than the parse).
      return decodePage(q.readLogRaw.all(id, after, limit));
    },
    async *scanLog(id, after, pageSize) {
      // A short tail (the usual catch-up after a snapshot) is read in this thread; a long one is read ahead in a
      // worker (./log-reader.ts). The worker's connection sees committed rows: the writes queued for the next group
      // commit are not acknowledged yet, so no caller expects them.
      let seq = after;
      if (
        fileBacked &&
        (q.lastSeq.get(id)?.s ?? 0) - after >= (opts.scanAheadMinRows ?? SCAN_AHEAD_MIN_ROWS)
      ) {
        const reader = startLogReader(opts.path, { agent: id, after, pageSize });
        try {
          for await (const raw of reader) {
            const page = decodeBodies(raw.seqs, JSON.parse(raw.text) as ParsedBody[]);
            seq = page[page.length - 1]!.seq;
            yield page;
          }
          return;
        } catch {
          // The worker could not read (say a read-only folder without the WAL index): this thread goes on from
          // the last page delivered, below.
        } finally {
          await reader.close();
        }
      }
      for (;;) {
        const page = decodePage(q.readLogRaw.all(id, seq, pageSize));
        if (page.length === 0) return;
        yield page;
        seq = page[page.length - 1]!.seq;
      }
    },
    async lastSeq(id) {
      return q.lastSeq.get(id)?.s ?? 0;
    },
    async listEvents(id, after, limit) {
      return q.events.all(id, after, limit).map((r): JoinedEvent => {
        const decision = decodeDecision(r.body);
        return {
          seq: r.seq,
          decision,
          reward: r.reward === null ? null : decodeRewardOf(r.reward, decision),
        };
      });
    },
    async pendingDecisions(id, olderThan, limit) {
      return q.pending.all(id, olderThan, limit).map((r) => decodeDecision(r.body));
    },
    async saveSnapshot(id, s: Snapshot) {
      const state = JSON.stringify(s.state);
      await run(() => q.putSnap.run(id, s.seq, state));
    },
    async loadSnapshot(id) {
      const r = q.getSnap.get(id);
      return r === undefined ? null : { seq: r.seq, state: JSON.parse(r.state) as Record<string, unknown> };
    },
    async putRecord(kind, id, value) {
      const json = JSON.stringify(value);
      await run(() => q.putRecord.run(kind, id, json));
    },
    async getRecord(kind, id) {
      const r = q.getRecord.get(kind, id);
      return r === undefined ? null : (JSON.parse(r.value) as unknown);
    },
    async listRecords(kind, prefix) {
      return q.listRecords
        .all(kind, prefix, upper(prefix))
        .map((r) => ({ id: r.id, value: JSON.parse(r.value) as unknown }));
    },
    async deleteRecord(kind, id) {
      return run(() => q.delRecord.run(kind, id).changes > 0);
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      flush();
      await checkpointer?.stop();
      checkpointer = null;
      if (db.open) db.close();
    },
  };
  return store;
}

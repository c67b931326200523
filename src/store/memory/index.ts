/**
 * The in-memory store: everything in maps, nothing survives the process. For tests, demos and benchmarks; it keeps
 * the same contract as the durable adapters (the shared contract suite runs against it).
 */
import type { AgentConfig } from '../../bandits/agent/config.js';
import type {
  AgentRecord,
  ControlEntry,
  DecisionEntry,
  JoinedEvent,
  RewardEntry,
  SequencedEntry,
  Snapshot,
  Store,
} from '../store.js';

interface AgentData {
  record: AgentRecord;
  log: SequencedEntry[];
  decisions: Map<string, { seq: number; entry: DecisionEntry; reward: RewardEntry | null }>;
  snapshot: Snapshot | null;
}

/** Creates an empty in-memory store. */
export function createMemoryStore(): Store {
  const agents = new Map<string, AgentData>();
  const records = new Map<string, Map<string, unknown>>();
  let seq = 0;
  // Configs and records are deep-copied, as a real store would serialise them. Log entries are kept by reference:
  // the service builds each entry once and never mutates it (copying a 1,600-number context per decision would
  // cost more than the decision).
  const copy = <T>(x: T): T => (x === null || x === undefined ? x : JSON.parse(JSON.stringify(x)));
  const keep = <T>(x: T): T => x;
  return {
    kind: 'memory',
    async putAgent(id: string, config: AgentConfig, now: number) {
      const cur = agents.get(id);
      if (cur !== undefined)
        return JSON.stringify(cur.record.config) === JSON.stringify(config) ? 'same' : 'conflict';
      agents.set(id, {
        record: { id, config: copy(config), createdAt: now },
        log: [],
        decisions: new Map(),
        snapshot: null,
      });
      return 'created';
    },
    async getAgent(id) {
      const a = agents.get(id);
      return a === undefined ? null : copy(a.record);
    },
    async listAgents(prefix) {
      return [...agents.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((k) => copy(agents.get(k)!.record));
    },
    async deleteAgent(id) {
      return agents.delete(id);
    },
    async appendDecision(id, d) {
      const a = agents.get(id);
      if (a === undefined) return null;
      const cur = a.decisions.get(d.eventId);
      if (cur !== undefined) return { seq: cur.seq, existing: keep(cur.entry) };
      const s = ++seq;
      const entry = keep(d);
      a.log.push({ ...entry, seq: s });
      a.decisions.set(d.eventId, { seq: s, entry, reward: null });
      return { seq: s, existing: null };
    },
    async getDecision(id, eventId) {
      return keep(agents.get(id)?.decisions.get(eventId)?.entry ?? null);
    },
    async appendReward(id, r) {
      const a = agents.get(id);
      const dec = a?.decisions.get(r.eventId);
      if (a === undefined || dec === undefined) return null;
      if (dec.reward !== null) return { seq: dec.seq, duplicate: true };
      const s = ++seq;
      const entry = keep(r);
      dec.reward = entry;
      a.log.push({ ...entry, seq: s });
      return { seq: s, duplicate: false };
    },
    async appendControl(id, c: ControlEntry) {
      const a = agents.get(id);
      if (a === undefined) return null;
      const s = ++seq;
      a.log.push({ ...keep(c), seq: s });
      return { seq: s };
    },
    async readLog(id, after, limit) {
      const log = agents.get(id)?.log ?? [];
      // Binary search for the first entry after `after` (seqs increase).
      let lo = 0;
      let hi = log.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (log[mid]!.seq <= after) lo = mid + 1;
        else hi = mid;
      }
      return log.slice(lo, lo + limit);
    },
    async lastSeq(id) {
      const log = agents.get(id)?.log;
      return log === undefined || log.length === 0 ? 0 : log[log.length - 1]!.seq;
    },
    async listEvents(id, after, limit) {
      const a = agents.get(id);
      if (a === undefined) return [];
      const out: JoinedEvent[] = [];
      for (const e of a.log) {
        if (e.seq <= after || e.kind !== 'decision') continue;
        const d = a.decisions.get(e.eventId)!;
        out.push({ seq: e.seq, decision: d.entry, reward: d.reward });
        if (out.length >= limit) break;
      }
      return out;
    },
    async pendingDecisions(id, olderThan, limit) {
      const a = agents.get(id);
      if (a === undefined) return [];
      const out: DecisionEntry[] = [];
      for (const d of a.decisions.values()) {
        if (d.reward === null && d.entry.ts <= olderThan) out.push(d.entry);
      }
      return out.sort((x, y) => x.ts - y.ts).slice(0, limit);
    },
    async saveSnapshot(id, s) {
      const a = agents.get(id);
      if (a !== undefined && (a.snapshot === null || a.snapshot.seq < s.seq)) a.snapshot = copy(s);
    },
    async loadSnapshot(id) {
      return copy(agents.get(id)?.snapshot ?? null);
    },
    async putRecord(kind, id, value) {
      let m = records.get(kind);
      if (m === undefined) {
        m = new Map();
        records.set(kind, m);
      }
      m.set(id, copy(value));
    },
    async getRecord(kind, id) {
      return copy(records.get(kind)?.get(id) ?? null);
    },
    async listRecords(kind, prefix) {
      const m = records.get(kind) ?? new Map<string, unknown>();
      return [...m.keys()]
        .filter((k) => k.startsWith(prefix))
        .sort()
        .map((k) => ({ id: k, value: copy(m.get(k)) }));
    },
    async deleteRecord(kind, id) {
      return records.get(kind)?.delete(id) ?? false;
    },
    async ping() {},
    async close() {},
  };
}

/**
 * The in-memory store: everything in maps, nothing survives the process. For tests, demos and benchmarks; it keeps
 * the same contract as the durable adapters (the shared contract suite runs against it).
 */
import type { AgentConfig } from '../../bandits/agent/config.js';
import {
  type AgentRecord,
  type ControlEntry,
  type DecisionEntry,
  type JoinedEvent,
  REQUEST_JSON,
  type RewardEntry,
  type SequencedEntry,
  type Snapshot,
  type Store,
} from '../store.js';

type SequencedDecision = DecisionEntry & { readonly seq: number };
type SequencedReward = RewardEntry & { readonly seq: number };

interface AgentData {
  record: AgentRecord;
  log: SequencedEntry[];
  /**
   * Event id -> the decision's log entry (one object per decision, shared with the log: the entries a long-running
   * store keeps are what its garbage collector traces and promotes on every decide).
   */
  decisions: Map<string, KeptDecision>;
  /** Event id -> its reward's log entry (rewarded events only), joined to the decision's log entry. */
  rewards: Map<string, SequencedReward>;
  snapshot: Snapshot | null;
}

/**
 * On a kept decision that came with its request's text ({@link REQUEST_JSON}): that text, in place of the parsed
 * context (whose field is null while it is kept). A parsed LinUCB context is ~50 objects and 1,625 numbers; the
 * collector traces every one of them in every full collection, and a store holding 40,000 of them paused a paced
 * 1,000 decides/s for up to 588 ms. A string is one object it does not look into. Readers get the context parsed
 * again ({@link view}): the request's text parses to the entry's context (the contract of REQUEST_JSON).
 */
const CONTEXT_TEXT: unique symbol = Symbol('allot.memory.contextText');

type KeptDecision = SequencedDecision & { readonly [CONTEXT_TEXT]?: string };

/** The log entry of decision `d` at `seq`, as kept (see {@link CONTEXT_TEXT}). */
function sequenced(d: DecisionEntry, seq: number): KeptDecision {
  const text = d[REQUEST_JSON];
  if (text === undefined) return { ...d, seq };
  const { [REQUEST_JSON]: _text, ...rest } = d;
  if (d.context === null) return { ...rest, seq };
  return { ...rest, context: null, [CONTEXT_TEXT]: text, seq };
}

/** A kept decision as readers see it: its context parsed from the request's text when it was kept as text. */
function view(e: KeptDecision): SequencedDecision {
  const text = e[CONTEXT_TEXT];
  if (text === undefined) return e;
  const { [CONTEXT_TEXT]: _text, ...rest } = e;
  return { ...rest, context: (JSON.parse(text) as { context: DecisionEntry['context'] }).context };
}

/**
 * A decision as given to the store: the log entry without its `seq` (a copy, made only where an entry leaves the
 * store as a decision: a reward joins it, a retry returns it, /events lists it).
 */
function unsequenced(e: KeptDecision): DecisionEntry {
  const { seq: _seq, ...d } = view(e);
  return d;
}

/** A reward as given to the store, joined to its decision as given (see {@link unsequenced}). */
function rewardAsGiven(r: SequencedReward): RewardEntry {
  const { seq: _seq, decision, ...rest } = r;
  return { ...rest, decision: unsequenced(decision as KeptDecision) };
}

/** A log entry as readers see it (a decision, or a reward's decision, kept with its context as text: parsed). */
function logView(e: SequencedEntry): SequencedEntry {
  if (e.kind === 'decision') return view(e);
  if (e.kind === 'reward' && (e.decision as KeptDecision)[CONTEXT_TEXT] !== undefined)
    return { ...e, decision: view(e.decision as KeptDecision) };
  return e;
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
        rewards: new Map(),
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
      if (cur !== undefined) return { seq: cur.seq, existing: unsequenced(cur) };
      const s = ++seq;
      const e = sequenced(d, s);
      a.log.push(e);
      a.decisions.set(d.eventId, e);
      return { seq: s, existing: null };
    },
    async getDecision(id, eventId) {
      const e = agents.get(id)?.decisions.get(eventId);
      return e === undefined ? null : unsequenced(e);
    },
    async appendReward(id, r) {
      const a = agents.get(id);
      const dec = a?.decisions.get(r.eventId);
      if (a === undefined || dec === undefined) return null;
      if (a.rewards.has(r.eventId)) return { seq: dec.seq, duplicate: true };
      const s = ++seq;
      // The log's reward joins the log's decision (the contract allows a reward's decision to carry its seq).
      const e: SequencedReward = { ...r, decision: dec, seq: s };
      a.rewards.set(r.eventId, e);
      a.log.push(e);
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
      return log.slice(lo, lo + limit).map(logView);
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
        const r = a.rewards.get(e.eventId);
        out.push({ seq: e.seq, decision: unsequenced(e), reward: r === undefined ? null : rewardAsGiven(r) });
        if (out.length >= limit) break;
      }
      return out;
    },
    async pendingDecisions(id, olderThan, limit) {
      const a = agents.get(id);
      if (a === undefined) return [];
      const out: DecisionEntry[] = [];
      for (const d of a.decisions.values()) {
        if (d.ts <= olderThan && !a.rewards.has(d.eventId)) out.push(unsequenced(d));
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

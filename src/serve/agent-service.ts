/**
 * The decision loop behind the HTTP routes, independent of HTTP: agents live in memory as runtimes over additive
 * state; every decision and reward is appended to the store's log first and folded into the state in log order.
 *
 * - Local stores (memory, SQLite) are owned by this process: an appended entry is folded at once.
 * - Shared stores (Redis) may have other replicas appending: this replica folds the log in order, reading what it
 *   has not folded yet after each of its own appends and on a background poll; `replicaLag` reports how far
 *   behind the log each agent's state is.
 * A snapshot of the state is saved every `snapshotEvery` folded entries; loading an agent reads its snapshot and
 * folds the log after it, which rebuilds the state exactly (the log is the source of truth).
 */

import { randomUUID } from 'node:crypto';
import {
  type AgentConfig,
  type AgentRuntime,
  agentSpent,
  agentStateToJson,
  budgetExhausted,
  checkReward,
  createAgentRuntime,
  type DecideRequest,
  decideAgent,
  foldDecision,
  foldReward,
  lazyEventRng,
  normalizeAgentConfig,
  pbmBias,
  restoreAgentRuntime,
} from '../bandits/agent/index.js';
import { AllotError } from '../core/errors.js';
import { RecentMap } from '../core/recent-map.js';
import {
  type AgentRecord,
  type DecisionEntry,
  type JoinedEvent,
  type LogEntry,
  REQUEST_JSON,
  type RewardEntry,
  type Store,
  scanLog,
} from '../store/store.js';

/** Hooks the service calls so that metrics can count what happens. */
export interface ServiceEvents {
  decision?(agent: string, seconds: number): void;
  reward?(agent: string, kind: 'applied' | 'late' | 'duplicate' | 'default'): void;
  lag?(agent: string, entries: number): void;
  storeError?(op: string): void;
}

/** Options of {@link createAgentService}. */
export interface AgentServiceOptions {
  readonly store: Store;
  /** Clock in ms (tests inject one). */
  readonly now?: () => number;
  /** Save a snapshot every this many folded entries (default 1000). */
  readonly snapshotEvery?: number;
  readonly events?: ServiceEvents;
}

/** Per-second aggregates kept for the dashboard (`GET /stats`). */
interface Bucket {
  decisions: number;
  rewards: number;
  rewardSum: number;
  rewardSumSq: number;
}

/** A loaded agent. */
interface Live {
  readonly id: string;
  readonly record: AgentRecord;
  readonly rt: AgentRuntime;
  /** Sequence number of the last folded log entry. */
  seq: number;
  /** Entries folded since the last snapshot. */
  sinceSnapshot: number;
  /** Serialises folds of this agent. */
  folding: Promise<void>;
  lastActivity: number | null;
  readonly timeline: Map<number, Bucket>;
  readonly perAction: Map<string, { decisions: number; rewards: number; rewardSum: number }>;
}

/** A decide reply. */
export interface DecideReply {
  readonly eventId: string;
  readonly actions: readonly string[];
  readonly propensities: readonly number[];
  readonly version: number;
  readonly group?: string;
}

/** A reward reply. */
export interface RewardReply {
  readonly eventId: string;
  readonly applied: boolean;
  readonly duplicate: boolean;
}

/** The body of a reward request. */
export interface RewardRequest {
  readonly eventId: string;
  readonly reward: number | readonly number[];
  readonly cost?: number | readonly number[];
}

const MAX_TIMELINE = 3600;
// Recent decisions kept in memory so that a reward rarely needs a store read: the last 5,000 to 10,000 small ones.
// A linear decision with its context weighs ~15-20 kB in memory: they count by their request's size (see
// remember), so that the cache stays within tens of megabytes, not ~150 MB.
const RECENT_DECISIONS = 10_000;

/** The decision service's core. */
export interface AgentService {
  readonly store: Store;
  putAgent(id: string, body: unknown): Promise<{ status: 'created' | 'same'; config: AgentConfig }>;
  getAgent(id: string): Promise<Record<string, unknown>>;
  listAgents(prefix: string): Promise<Array<Record<string, unknown>>>;
  deleteAgent(id: string): Promise<void>;
  /**
   * Decides and logs. `extra.group` / `extra.experiment` are logged with the decision; `extra.policy` decides with
   * another parameterisation of the same policy type over this agent's state (an experiment group's exploration
   * setting on a pooled Phase I state).
   */
  decide(
    id: string,
    body: DecideRequest & { eventId?: string },
    extra?: {
      group?: string;
      experiment?: string;
      policy?: AgentConfig['policy'];
      /** The body's JSON text as received, which a store may log instead of serialising the context again. */
      requestJson?: string;
    },
  ): Promise<DecideReply>;
  reward(id: string, body: RewardRequest): Promise<RewardReply>;
  state(id: string): Promise<Record<string, unknown>>;
  events(id: string, after: number, limit: number): Promise<{ events: JoinedEvent[]; next: number | null }>;
  stats(id: string, buckets: number): Promise<Record<string, unknown>>;
  /** Folds what other replicas appended (every loaded agent); returns the entries folded. */
  poll(): Promise<number>;
  /** Learns the default reward of decisions whose window closed without one; returns how many. */
  sweepDefaults(): Promise<number>;
  /** Entries of the log not yet folded, per loaded agent. */
  lag(): Promise<Map<string, number>>;
  /** The runtime of a loaded agent (catching up first). */
  runtime(id: string): Promise<AgentRuntime>;
  /** Saves a snapshot of every loaded agent. */
  flush(): Promise<void>;
}

/** Rebuilds an agent's state from its whole log (no snapshot): what `agents replay` compares with. */
export async function replayFromLog(
  store: Store,
  id: string,
  config: AgentConfig,
  upTo: number = Number.POSITIVE_INFINITY,
): Promise<{ rt: AgentRuntime; seq: number; entries: number }> {
  let rt = createAgentRuntime(config);
  let seq = 0;
  let entries = 0;
  for await (const page of scanLog(store, id, 0, 5000)) {
    for (const e of page) {
      if (e.seq > upTo) return { rt, seq, entries };
      const from =
        e.kind === 'control'
          ? (e.data['initFrom'] as { agent?: unknown; seq?: unknown } | undefined)
          : undefined;
      if (
        from !== undefined &&
        typeof from.agent === 'string' &&
        typeof from.seq === 'number' &&
        entries === 0
      ) {
        // An agent that started from another's state (an experiment group from the pooled Phase I state): replay
        // that agent's log up to the cut first.
        const base = await store.getAgent(from.agent);
        if (base === null)
          throw new AllotError(
            'ALLOT_UNKNOWN_AGENT',
            `agent ${from.agent} (the start of ${id}) does not exist`,
          );
        const prior = await replayFromLog(store, from.agent, base.config, from.seq);
        rt = restoreAgentRuntime(config, agentStateToJson(prior.rt));
      }
      applyEntry(rt, e);
      seq = e.seq;
      entries++;
    }
  }
  return { rt, seq, entries };
}

/** `T` with its fields writable (an entry built field by field before it is handed over). */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Decision `d` with what a retry answers and a fold reads: the context keeps its shared features and the features
 * and predictions of the chosen actions only (foldReward reads no other action's), and the request's text
 * ({@link REQUEST_JSON}) goes. For a LinUCB decision over 25 actions that is about 1 kB instead of 25 kB: the
 * service's cache of recent decisions lives about a second at 1,000 decisions/s, long enough for every entry to be
 * copied into the old generation and collected there (GC pauses of up to 140 ms at 1,000 LinUCB decides/s on
 * SQLite before). Not a log entry: never written to a store.
 */
export function pruneDecision(d: DecisionEntry): DecisionEntry {
  const ctx = d.context;
  const acts = ctx?.actions;
  let context = ctx;
  if (ctx !== null && acts !== undefined) {
    const kept: Record<string, NonNullable<typeof acts>[string]> = {};
    let all = true;
    for (const k in acts) {
      if (d.actions.includes(k)) kept[k] = acts[k]!;
      else all = false;
    }
    if (!all) context = { ...ctx, actions: kept };
  }
  if (context === ctx && d[REQUEST_JSON] === undefined) return d;
  const out: Mutable<DecisionEntry> = {
    kind: 'decision',
    eventId: d.eventId,
    ts: d.ts,
    version: d.version,
    user: d.user,
    candidates: d.candidates,
    context,
    actions: d.actions,
    propensities: d.propensities,
  };
  if (d.group !== undefined) out.group = d.group;
  if (d.experiment !== undefined) out.experiment = d.experiment;
  return out;
}

function applyEntry(rt: AgentRuntime, e: LogEntry): void {
  if (e.kind === 'decision') foldDecision(rt, e);
  else if (e.kind === 'reward') foldReward(rt, e.decision, e);
}

/**
 * Creates the service over a store.
 */
export function createAgentService(opts: AgentServiceOptions): AgentService {
  const store = opts.store;
  const now = opts.now ?? Date.now;
  const snapshotEvery = opts.snapshotEvery ?? 1000;
  const ev = opts.events ?? {};
  const local = store.kind !== 'redis';
  const live = new Map<string, Live>();
  const loading = new Map<string, Promise<Live | null>>();
  const recent = new RecentMap<string, DecisionEntry>(RECENT_DECISIONS / 2);

  // The memory store answers getDecision from a Map already: a second cache would only cost a key per decide, except
  // for a decision with a request text, whose context the memory store keeps as that text (parsed again on read).
  const cacheDecisions = store.kind !== 'memory';
  // SQLite and memory rewards name their decision (by row, by event id), so the cache may keep a decision pruned to
  // what a retry answers and a fold reads (pruneDecision). A Redis reward carries its decision into the log: there
  // the cache keeps it whole.
  const pruneCached = store.kind === 'sqlite' || store.kind === 'memory';
  const remember = (id: string, d: DecisionEntry): void => {
    if (!cacheDecisions && d[REQUEST_JSON] === undefined) return;
    const key = `${id}\u0000${d.eventId}`;
    if (pruneCached) {
      recent.set(key, pruneDecision(d), 1);
      return;
    }
    // A decision weighs one unit plus one per kilobyte of its request's text (a LinUCB context of 1,625 numbers is
    // about 20 units): the cache keeps 5,000-10,000 small decisions but only a few hundred large ones.
    const text = d[REQUEST_JSON];
    recent.set(key, d, text === undefined ? 1 : 1 + (text.length >>> 10));
  };

  const track = (l: Live, e: LogEntry): void => {
    const sec = Math.floor(e.ts / 1000);
    let b = l.timeline.get(sec);
    if (b === undefined) {
      b = { decisions: 0, rewards: 0, rewardSum: 0, rewardSumSq: 0 };
      l.timeline.set(sec, b);
      if (l.timeline.size > MAX_TIMELINE) l.timeline.delete(l.timeline.keys().next().value as number);
    }
    if (e.kind === 'decision') {
      b.decisions++;
      for (const a of e.actions) {
        const pa = l.perAction.get(a) ?? { decisions: 0, rewards: 0, rewardSum: 0 };
        pa.decisions++;
        l.perAction.set(a, pa);
      }
    } else if (e.kind === 'reward' && e.applied) {
      const total = e.reward.reduce((s, x) => s + x, 0);
      b.rewards++;
      b.rewardSum += total;
      b.rewardSumSq += total * total;
      e.decision.actions.forEach((a, j) => {
        const pa = l.perAction.get(a) ?? { decisions: 0, rewards: 0, rewardSum: 0 };
        pa.rewards++;
        pa.rewardSum += e.reward[j] ?? 0;
        l.perAction.set(a, pa);
      });
    }
    l.lastActivity = Math.max(l.lastActivity ?? 0, e.ts);
  };

  /** Folds entry `e` logged at `seq` (passed apart: a fresh entry is folded without copying it to add its seq). */
  const fold = (l: Live, e: LogEntry, seq: number): void => {
    if (seq <= l.seq) return;
    applyEntry(l.rt, e);
    track(l, e);
    l.seq = seq;
    if (++l.sinceSnapshot >= snapshotEvery) {
      l.sinceSnapshot = 0;
      const snap = { seq: l.seq, state: agentStateToJson(l.rt) };
      store.saveSnapshot(l.id, snap).catch(() => ev.storeError?.('saveSnapshot'));
    }
  };

  /** Reads and folds the log after the agent's cursor, serialised per agent. */
  const catchUp = (l: Live): Promise<void> => {
    const run = async (): Promise<void> => {
      for (;;) {
        const page = await store.readLog(l.id, l.seq, 1000);
        if (page.length === 0) return;
        for (const e of page) fold(l, e, e.seq);
      }
    };
    l.folding = l.folding.then(run, run);
    return l.folding;
  };

  const load = async (id: string): Promise<Live | null> => {
    const cur = live.get(id);
    if (cur !== undefined) return cur;
    let p = loading.get(id);
    if (p === undefined) {
      p = (async () => {
        const record = await store.getAgent(id);
        if (record === null) return null;
        const snap = await store.loadSnapshot(id);
        const rt =
          snap === null
            ? createAgentRuntime(record.config)
            : restoreAgentRuntime(record.config, snap.state as Record<string, unknown>);
        const l: Live = {
          id,
          record,
          rt,
          seq: snap?.seq ?? 0,
          sinceSnapshot: 0,
          folding: Promise.resolve(),
          lastActivity: null,
          timeline: new Map(),
          perAction: new Map(),
        };
        await catchUp(l);
        live.set(id, l);
        return l;
      })().finally(() => loading.delete(id));
      loading.set(id, p);
    }
    return p;
  };

  const mustLoad = async (id: string): Promise<Live> => {
    const l = await load(id);
    if (l === null)
      throw new AllotError(
        'ALLOT_UNKNOWN_AGENT',
        `agent ${JSON.stringify(id.slice(id.indexOf('/') + 1))} does not exist`,
      );
    return l;
  };

  /**
   * After this replica appended entry `seq`: fold it (local store, synchronously: no promise on the decide path) or
   * catch up to it (shared store; the caller awaits the promise).
   */
  const afterAppend = (
    l: Live,
    entry: DecisionEntry | RewardEntry,
    seq: number,
  ): Promise<void> | undefined => {
    if (!local) return catchUp(l);
    fold(l, entry, seq);
    return undefined;
  };

  const summary = (l: Live): Record<string, unknown> => {
    const c = l.record.config;
    return {
      agentId: l.id.slice(l.id.indexOf('/') + 1),
      policy: c.policy,
      arms: c.arms,
      seed: c.seed,
      rewardWindowSeconds: c.rewardWindowSeconds,
      ...(c.defaultReward === undefined ? {} : { defaultReward: c.defaultReward }),
      ...(c.budget === undefined ? {} : { budget: c.budget, spent: agentSpent(l.rt) }),
      decisions: l.rt.decisions,
      rewards: l.rt.version,
      version: l.rt.version,
      createdAt: new Date(l.record.createdAt).toISOString(),
      lastActivity: l.lastActivity === null ? null : new Date(l.lastActivity).toISOString(),
    };
  };

  const decisionReply = (d: DecisionEntry): DecideReply => ({
    eventId: d.eventId,
    actions: d.actions,
    propensities: d.propensities,
    version: d.version,
    ...(d.group === undefined ? {} : { group: d.group }),
  });

  const service: AgentService = {
    store,
    async putAgent(id, body) {
      const config = normalizeAgentConfig(body);
      if (config.defaultReward !== undefined && config.budget !== undefined) {
        throw new AllotError(
          'ALLOT_INVALID_CONFIG',
          'defaultReward is not supported for budgeted agents (a default reward has no cost)',
        );
      }
      const res = await store.putAgent(id, config, now());
      if (res === 'conflict') {
        throw new AllotError(
          'ALLOT_CONFLICT',
          `agent ${JSON.stringify(id.slice(id.indexOf('/') + 1))} exists with another configuration (DELETE it first)`,
        );
      }
      return { status: res, config };
    },
    async getAgent(id) {
      const l = await mustLoad(id);
      if (!local) await catchUp(l);
      return summary(l);
    },
    async listAgents(prefix) {
      const records = await store.listAgents(prefix);
      const out: Array<Record<string, unknown>> = [];
      for (const r of records) {
        const l = await load(r.id);
        if (l !== null) out.push(summary(l));
      }
      return out;
    },
    async deleteAgent(id) {
      const ok = await store.deleteAgent(id);
      live.delete(id);
      recent.deleteWhere((k) => k.startsWith(`${id}\u0000`));
      if (!ok)
        throw new AllotError(
          'ALLOT_UNKNOWN_AGENT',
          `agent ${JSON.stringify(id.slice(id.indexOf('/') + 1))} does not exist`,
        );
    },
    async decide(id, body, extra = {}) {
      const t0 = performance.now();
      // A loaded agent without a promise (the common case: decide's budget is a few microseconds).
      const l = live.get(id) ?? (await mustLoad(id));
      const rt = l.rt;
      // A retry of a logged event returns the stored decision: from memory here, or from the store's
      // insert-if-absent below (no read before every decide).
      if (body.eventId !== undefined) {
        const prior = recent.get(`${id}\u0000${body.eventId}`);
        if (prior !== undefined) return decisionReply(prior);
      }
      if (budgetExhausted(rt)) {
        const prior = body.eventId === undefined ? null : await store.getDecision(id, body.eventId);
        if (prior !== null) return decisionReply(prior);
        throw new AllotError(
          'ALLOT_BUDGET_EXHAUSTED',
          `agent has spent ${agentSpent(rt)} of its budget ${rt.config.budget}`,
        );
      }
      const eventId = body.eventId ?? randomUUID();
      let view = rt;
      if (extra.policy !== undefined) {
        // The counting policies share one state shape (per-arm counts and sums), so an experiment may compare them.
        const counting = ['ucb1', 'epsilon-greedy', 'thompson'];
        const compatible =
          extra.policy.type === rt.config.policy.type ||
          (counting.includes(extra.policy.type) && counting.includes(rt.config.policy.type));
        if (!compatible) {
          throw new AllotError(
            'ALLOT_INVALID_CONFIG',
            `policy ${extra.policy.type} cannot decide on a ${rt.config.policy.type} state`,
          );
        }
        view = { ...rt, config: { ...rt.config, policy: extra.policy } };
      }
      const d = decideAgent(view, body, lazyEventRng(rt.config.seed, eventId));
      // The optional fields are added after the literal (no spread of an empty object on every decide).
      const entry: Mutable<DecisionEntry> = {
        kind: 'decision',
        eventId,
        ts: now(),
        version: rt.version,
        user: body.user ?? null,
        candidates: body.candidates ?? null,
        context: body.context ?? null,
        actions: d.actions.map((a) => rt.config.arms[a]!),
        propensities: d.propensities,
      };
      if (extra.group !== undefined) entry.group = extra.group;
      if (extra.experiment !== undefined) entry.experiment = extra.experiment;
      if (extra.requestJson !== undefined && body.context !== undefined)
        entry[REQUEST_JSON] = extra.requestJson;
      const res = await store.appendDecision(id, entry);
      if (res === null) throw new AllotError('ALLOT_UNKNOWN_AGENT', 'agent was deleted');
      if (res.existing !== null) return decisionReply(res.existing);
      remember(id, entry);
      const caughtUp = afterAppend(l, entry, res.seq);
      if (caughtUp !== undefined) await caughtUp;
      ev.decision?.(id, (performance.now() - t0) / 1000);
      return decisionReply(entry);
    },
    async reward(id, body) {
      const l = live.get(id) ?? (await mustLoad(id));
      const decision =
        recent.get(`${id}\u0000${body.eventId}`) ?? (await store.getDecision(id, body.eventId));
      if (decision === null) {
        throw new AllotError(
          'ALLOT_UNKNOWN_EVENT',
          `no decision of this agent has eventId ${JSON.stringify(body.eventId)}`,
        );
      }
      const { reward, cost } = checkReward(l.rt, decision.actions.length, body.reward, body.cost);
      const t = now();
      const applied = t - decision.ts <= l.rt.config.rewardWindowSeconds * 1000;
      const entry: RewardEntry = {
        kind: 'reward',
        eventId: body.eventId,
        ts: t,
        reward,
        cost,
        applied,
        isDefault: false,
        decision,
      };
      const res = await store.appendReward(id, entry);
      if (res === null)
        throw new AllotError(
          'ALLOT_UNKNOWN_EVENT',
          `no decision of this agent has eventId ${JSON.stringify(body.eventId)}`,
        );
      if (res.duplicate) {
        ev.reward?.(id, 'duplicate');
        return { eventId: body.eventId, applied: false, duplicate: true };
      }
      const caughtUp = afterAppend(l, entry, res.seq);
      if (caughtUp !== undefined) await caughtUp;
      ev.reward?.(id, applied ? 'applied' : 'late');
      return { eventId: body.eventId, applied, duplicate: false };
    },
    async state(id) {
      const l = await mustLoad(id);
      await catchUp(l);
      return agentStateToJson(l.rt);
    },
    async events(id, after, limit) {
      await mustLoad(id);
      const rows = await store.listEvents(id, after, limit + 1);
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      return { events: page, next: more ? page[page.length - 1]!.seq : null };
    },
    async stats(id, buckets) {
      const l = await mustLoad(id);
      if (!local) await catchUp(l);
      const secs = [...l.timeline.keys()].sort((a, b) => a - b);
      const timeline: Array<Record<string, unknown>> = [];
      if (secs.length > 0) {
        const first = secs[0]!;
        const span = Math.max(1, secs[secs.length - 1]! - first + 1);
        const width = Math.max(1, Math.ceil(span / Math.max(1, buckets)));
        const agg = new Map<number, Bucket>();
        for (const s of secs) {
          const k = first + Math.floor((s - first) / width) * width;
          const b = agg.get(k) ?? { decisions: 0, rewards: 0, rewardSum: 0, rewardSumSq: 0 };
          const x = l.timeline.get(s)!;
          b.decisions += x.decisions;
          b.rewards += x.rewards;
          b.rewardSum += x.rewardSum;
          b.rewardSumSq += x.rewardSumSq;
          agg.set(k, b);
        }
        for (const [k, b] of [...agg.entries()].sort((a, b) => a[0] - b[0])) {
          timeline.push({ t: new Date(k * 1000).toISOString(), seconds: width, ...b });
        }
      }
      const actions = l.rt.config.arms.map((a) => ({
        action: a,
        ...(l.perAction.get(a) ?? { decisions: 0, rewards: 0, rewardSum: 0 }),
      }));
      const out: Record<string, unknown> = {
        agentId: summary(l)['agentId'],
        policyType: l.rt.config.policy.type,
        timeline,
        actions,
      };
      if (l.rt.config.policy.type === 'pbm-rank') {
        const st = agentStateToJson(l.rt) as { impressions: number[]; clicks: number[] };
        const q = pbmBias(l.rt);
        // Delta-method interval of the ratio of smoothed click rates (log scale), for the CTR estimator.
        const p0 = (st.clicks[0]! + 0.5) / (st.impressions[0]! + 1);
        const v0 = (1 - p0) / (p0 * (st.impressions[0]! + 1));
        out['positionBias'] = Array.from(q, (x, i) => {
          if ((l.rt.config.policy as Record<string, unknown>)['bias'] !== 'ctr' || i === 0)
            return { position: i, estimate: x, ci95: [x, x] };
          const p = (st.clicks[i]! + 0.5) / (st.impressions[i]! + 1);
          const se = Math.sqrt((1 - p) / (p * (st.impressions[i]! + 1)) + v0);
          return {
            position: i,
            estimate: x,
            ci95: [x * Math.exp(-1.96 * se), Math.min(1, x * Math.exp(1.96 * se))],
          };
        });
      }
      if (l.rt.config.budget !== undefined)
        out['budget'] = { budget: l.rt.config.budget, spent: agentSpent(l.rt) };
      return out;
    },
    async poll() {
      let n = 0;
      for (const l of [...live.values()]) {
        const exists = await store.getAgent(l.id);
        if (exists === null || exists.createdAt !== l.record.createdAt) {
          live.delete(l.id);
          continue;
        }
        const before = l.seq;
        await catchUp(l);
        n += l.seq > before ? 1 : 0;
      }
      return n;
    },
    async sweepDefaults() {
      let n = 0;
      for (const l of [...live.values()]) {
        const c = l.rt.config;
        if (c.defaultReward === undefined) continue;
        const t = now();
        const due = await store.pendingDecisions(l.id, t - c.rewardWindowSeconds * 1000, 1000);
        for (const d of due) {
          const entry: RewardEntry = {
            kind: 'reward',
            eventId: d.eventId,
            ts: t,
            reward: d.actions.map(() => c.defaultReward!),
            cost: null,
            applied: true,
            isDefault: true,
            decision: d,
          };
          const res = await store.appendReward(l.id, entry);
          if (res !== null && !res.duplicate) {
            n++;
            ev.reward?.(l.id, 'default');
            await afterAppend(l, entry, res.seq);
          }
        }
      }
      return n;
    },
    async lag() {
      const out = new Map<string, number>();
      for (const l of live.values()) {
        const last = await store.lastSeq(l.id);
        // Sequence numbers are positions in the agent's log on Redis and a global counter locally (0 lag there).
        const entries = local ? 0 : Math.max(0, last - l.seq);
        out.set(l.id, entries);
        ev.lag?.(l.id, entries);
      }
      return out;
    },
    async runtime(id) {
      const l = await mustLoad(id);
      await catchUp(l);
      return l.rt;
    },
    async flush() {
      for (const l of live.values()) {
        await l.folding;
        await store.saveSnapshot(l.id, { seq: l.seq, state: agentStateToJson(l.rt) });
        l.sinceSnapshot = 0;
      }
    },
  };
  return service;
}

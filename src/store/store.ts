/**
 * The one storage interface of the decision service, owned by its consumer (src/serve). Per agent it holds the
 * configuration, an append-only log of decisions and rewards (idempotent by event id) and snapshots of the additive
 * state. The log is the source of truth: a snapshot at sequence s plus the log entries after s rebuild the state
 * exactly (`allot agents replay` checks it). Adapters: memory (tests), SQLite (embedded default), Redis (replicas).
 *
 * Every method resolves only once what it reports is durable in the adapter's sense (docs/serve.md): a reply sent
 * after `appendReward` resolved acknowledges a reward that survives the process.
 */
import type { AgentConfig } from '../bandits/agent/config.js';
import type { DecideContext } from '../bandits/agent/runtime.js';

/** A stored agent. */
export interface AgentRecord {
  /** Namespaced id (`tenant/agentId`). */
  readonly id: string;
  readonly config: AgentConfig;
  /** Creation time (ms since the epoch). */
  readonly createdAt: number;
}

/** A logged decision. */
export interface DecisionEntry {
  readonly kind: 'decision';
  readonly eventId: string;
  /** Decision time (ms since the epoch). */
  readonly ts: number;
  /** Policy version: rewards folded into the state the decision used. */
  readonly version: number;
  readonly user: string | null;
  /** Candidate arm ids (null: all arms). */
  readonly candidates: readonly string[] | null;
  readonly context: DecideContext | null;
  /** Chosen arm ids in slot order. */
  readonly actions: readonly string[];
  /** Propensity of each chosen action in its slot. */
  readonly propensities: readonly number[];
  /** Experiment group, when the decision was routed through an experiment. */
  readonly group?: string;
  /** Experiment id, when routed through one. */
  readonly experiment?: string;
  /** The request's JSON text, when the service has it ({@link REQUEST_JSON}). */
  readonly [REQUEST_JSON]?: string;
}

/**
 * Optional, on a decision entry: the JSON text of the decide request it answers, exactly as received (a JSON object
 * whose `user`, `candidates` and `context` are the entry's). A store that serialises entries may log this text
 * instead of serialising the context again: a LinUCB context of 1,625 numbers took about 160 µs to stringify, as
 * long as the rest of a decide. A symbol key: JSON.stringify and the HTTP replies never see it.
 */
export const REQUEST_JSON: unique symbol = Symbol('allot.requestJson');

/** A logged reward, joined to its decision by event id. */
export interface RewardEntry {
  readonly kind: 'reward';
  readonly eventId: string;
  readonly ts: number;
  /** One value per slot. */
  readonly reward: readonly number[];
  /** One cost per slot (budgeted agents), else null. */
  readonly cost: readonly number[] | null;
  /** False when it arrived after the agent's reward window: logged, not learned. */
  readonly applied: boolean;
  /** True when the service learned the agent's default reward because the window closed without one. */
  readonly isDefault: boolean;
  /**
   * The decision it joins (so a fold needs no second read). Read back from a log, it may carry the decision's own
   * `seq` (the SQLite adapter shares the decision's entry instead of copying it).
   */
  readonly decision: DecisionEntry;
}

/** A free-form control entry (experiment phase switches and the like). */
export interface ControlEntry {
  readonly kind: 'control';
  readonly ts: number;
  readonly eventId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Any log entry. */
export type LogEntry = DecisionEntry | RewardEntry | ControlEntry;

/** A log entry with its sequence number (increasing within an agent; a cursor, not necessarily contiguous). */
export type SequencedEntry = LogEntry & { readonly seq: number };

/** A snapshot of the state after folding every entry up to `seq`. */
export interface Snapshot {
  readonly seq: number;
  readonly state: Readonly<Record<string, unknown>>;
}

/** One joined row of `GET /events`: a decision and its reward, if any. */
export interface JoinedEvent {
  readonly seq: number;
  readonly decision: DecisionEntry;
  readonly reward: RewardEntry | null;
}

/** The storage the service needs. */
export interface Store {
  /** 'memory', 'sqlite' or 'redis'. */
  readonly kind: string;
  /** Creates the agent, or reports that the same config (`'same'`) or another one (`'conflict'`) is there. */
  putAgent(id: string, config: AgentConfig, now: number): Promise<'created' | 'same' | 'conflict'>;
  getAgent(id: string): Promise<AgentRecord | null>;
  /** Agents whose id starts with `prefix`, by id. */
  listAgents(prefix: string): Promise<AgentRecord[]>;
  /** Deletes the agent with its log and snapshots; false when there was none. */
  deleteAgent(id: string): Promise<boolean>;
  /**
   * Appends a decision unless one with the same event id is there; returns the stored one in that case.
   * Resolves to null when the agent does not exist.
   */
  appendDecision(
    id: string,
    d: DecisionEntry,
  ): Promise<{ seq: number; existing: DecisionEntry | null } | null>;
  getDecision(id: string, eventId: string): Promise<DecisionEntry | null>;
  /**
   * Appends a reward unless the event already has one (`duplicate: true`, nothing written). Resolves to null when
   * the agent or the decision does not exist.
   */
  appendReward(id: string, r: RewardEntry): Promise<{ seq: number; duplicate: boolean } | null>;
  /** Appends a control entry; null when the agent does not exist. */
  appendControl(id: string, c: ControlEntry): Promise<{ seq: number } | null>;
  /** Log entries with seq > `after`, in order, at most `limit`. */
  readLog(id: string, after: number, limit: number): Promise<SequencedEntry[]>;
  /**
   * Optional: the log after `after` as consecutive pages of about `pageSize` entries, the same entries in the same
   * order as repeated {@link readLog} calls, for a reader that takes everything (a replay). A store may read ahead
   * (SQLite fetches the next page in a worker thread while the caller folds this one). Stopping the iteration early
   * releases what the store started. Without it, callers page through `readLog` ({@link scanLog}).
   */
  scanLog?(id: string, after: number, pageSize: number): AsyncIterable<SequencedEntry[]>;
  /** The sequence number of the last entry (0 when empty). */
  lastSeq(id: string): Promise<number>;
  /** Joined decisions with seq > `after`, in order, at most `limit`. */
  listEvents(id: string, after: number, limit: number): Promise<JoinedEvent[]>;
  /** Decisions without a reward made at or before `olderThan` (ms), oldest first, at most `limit`. */
  pendingDecisions(id: string, olderThan: number, limit: number): Promise<DecisionEntry[]>;
  /** Saves a snapshot if it is newer than the stored one. */
  saveSnapshot(id: string, s: Snapshot): Promise<void>;
  loadSnapshot(id: string): Promise<Snapshot | null>;
  /** Free-form records (experiments): put-if-absent semantics are the caller's. */
  putRecord(kind: string, id: string, value: unknown): Promise<void>;
  getRecord(kind: string, id: string): Promise<unknown | null>;
  listRecords(kind: string, prefix: string): Promise<Array<{ id: string; value: unknown }>>;
  deleteRecord(kind: string, id: string): Promise<boolean>;
  /** Resolves when the store answers (health checks); rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The log after `after` in pages: the store's own {@link Store.scanLog} when it has one, else `readLog` pages. */
export async function* scanLog(
  store: Store,
  id: string,
  after: number,
  pageSize: number,
): AsyncGenerator<SequencedEntry[]> {
  if (store.scanLog !== undefined) {
    yield* store.scanLog(id, after, pageSize);
    return;
  }
  for (let seq = after; ; ) {
    const page = await store.readLog(id, seq, pageSize);
    if (page.length === 0) return;
    yield page;
    seq = page[page.length - 1]!.seq;
  }
}

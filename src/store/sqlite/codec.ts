/**
 * The SQLite log's row bodies. Replays read every row, and JSON.parse costs in proportion to the bytes, so a body
 * holds only what the row's columns and the defaults do not: a decision omits `kind` and its null/absent fields; a
 * reward names its decision's row (`decisionSeq`) instead of copying the decision, and the reader takes the decision
 * from the page it is reading or, when it is older, with one read by row id. A reward's event id is its decision's.
 * For a UCB1 decision + reward pair this cut what a replay parses from 156 + 282 bytes to about 95 + 55; a
 * replay of 1,000,000 UCB1 rewards from SQLite measured 3.6 s with the reward's event id in its body and 3.1–3.3 s
 * without it (bench/serve.bench.ts, load 2; 7.0 s of CPU at load 5 with whole entries in every body). Rows written with full entries (`kind` in the
 * body: every row of the first format, and control entries) still decode as they are.
 *
 * Format 3 writes the bare rows, the most common ones (a decision with no user, candidates, context, group or
 * experiment; a reward with no cost that was applied and is not a default), as JSON arrays without keys:
 * `[eventId, ts, version, actions, propensities]` and `[decisionSeq, ts, reward]`. The array text is half the bytes
 * of the object's and parses in 0.24 µs a row instead of 0.39 µs (a page of 5,000 UCB1 rows). Object rows of
 * format 2 and full entries still decode as they are.
 */
import { type DecisionEntry, type LogEntry, REQUEST_JSON, type RewardEntry } from '../store.js';

/** The stored fields of a decision (format 2). */
interface DecisionBody {
  readonly eventId: string;
  readonly ts: number;
  readonly version: number;
  readonly user?: string;
  readonly candidates?: readonly string[];
  readonly context?: DecisionEntry['context'];
  readonly actions: readonly string[];
  readonly propensities: readonly number[];
  readonly group?: string;
  readonly experiment?: string;
  /**
   * The decide request as received (its user, candidates and context), in place of those three fields, when the
   * service kept its text ({@link REQUEST_JSON}).
   */
  readonly request?: {
    readonly user?: string;
    readonly candidates?: readonly string[];
    readonly context?: DecisionEntry['context'];
  };
}

/** The stored fields of a reward (format 2). */
interface RewardBody {
  /** Not stored (it is the decision's); read from rows written before it was dropped. */
  readonly eventId?: string;
  /** The sequence number of its decision's row. */
  readonly decisionSeq: number;
  readonly ts: number;
  readonly reward: readonly number[];
  readonly cost?: readonly number[];
  /** Present (false) only when the reward came after the window. */
  readonly applied?: false;
  /** Present (true) only for a default reward. */
  readonly isDefault?: true;
}

/** A bare decision row of format 3: `[eventId, ts, version, actions, propensities]`. */
type DecisionRow = readonly [string, number, number, readonly string[], readonly number[]];

/** A bare reward row of format 3: `[decisionSeq, ts, reward]` (applied, no cost, not a default). */
type RewardRow = readonly [number, number, readonly number[]];

/**
 * A parsed body: a compact decision or reward (an object, or a bare row as an array), or a full entry (has `kind`).
 */
export type ParsedBody = DecisionBody | RewardBody | DecisionRow | RewardRow | LogEntry;

/** Body of a decision row. */
export function encodeDecision(d: DecisionEntry): string {
  const request = d[REQUEST_JSON];
  if (request !== undefined && d.context !== null) {
    // The request's own text holds user, candidates and context: logged as it came, not serialised again.
    let s = `{"eventId":${JSON.stringify(d.eventId)},"ts":${d.ts},"version":${d.version},"actions":${JSON.stringify(d.actions)},"propensities":${JSON.stringify(d.propensities)}`;
    if (d.group !== undefined) s += `,"group":${JSON.stringify(d.group)}`;
    if (d.experiment !== undefined) s += `,"experiment":${JSON.stringify(d.experiment)}`;
    return `${s},"request":${request}}`;
  }
  if (
    d.user === null &&
    d.candidates === null &&
    d.context === null &&
    d.group === undefined &&
    d.experiment === undefined
  ) {
    return `[${JSON.stringify(d.eventId)},${d.ts},${d.version},${JSON.stringify(d.actions)},${JSON.stringify(d.propensities)}]`;
  }
  const o: Record<string, unknown> = { eventId: d.eventId, ts: d.ts, version: d.version };
  if (d.user !== null) o['user'] = d.user;
  if (d.candidates !== null) o['candidates'] = d.candidates;
  if (d.context !== null) o['context'] = d.context;
  o['actions'] = d.actions;
  o['propensities'] = d.propensities;
  if (d.group !== undefined) o['group'] = d.group;
  if (d.experiment !== undefined) o['experiment'] = d.experiment;
  return JSON.stringify(o);
}

/**
 * Body of a reward row: its decision is named by its row's sequence number (`decisionSeq`), not copied, and its
 * event id is the decision's (the column has it too).
 */
export function encodeReward(r: RewardEntry, decisionSeq: number): string {
  if (r.cost === null && r.applied && !r.isDefault) {
    return `[${decisionSeq},${r.ts},${JSON.stringify(r.reward)}]`;
  }
  const o: Record<string, unknown> = { decisionSeq, ts: r.ts, reward: r.reward };
  if (r.cost !== null) o['cost'] = r.cost;
  if (!r.applied) o['applied'] = false;
  if (r.isDefault) o['isDefault'] = true;
  return JSON.stringify(o);
}

/** A compact body: an object of format 2 or a bare row of format 3. */
type CompactBody = DecisionBody | RewardBody | DecisionRow | RewardRow;

/** True for a full entry (a control entry, or any row of the first format). */
export function isFullEntry(b: ParsedBody): b is LogEntry {
  return (b as { kind?: unknown }).kind !== undefined;
}

/** True for a compact reward body (a bare reward row starts with its decision's seq, a number). */
export function isRewardBody(b: CompactBody): b is RewardBody | RewardRow {
  return Array.isArray(b) ? typeof b[0] === 'number' : (b as RewardBody).reward !== undefined;
}

/** The sequence number of a compact reward's decision row. */
export function rewardDecisionSeq(b: RewardBody | RewardRow): number {
  return Array.isArray(b) ? (b as RewardRow)[0] : (b as RewardBody).decisionSeq;
}

/** A fresh decision entry from a parsed body (a full one is returned as it is). */
export function toDecision(b: ParsedBody): DecisionEntry {
  if (Array.isArray(b)) {
    const row = b as DecisionRow;
    return {
      kind: 'decision',
      eventId: row[0],
      ts: row[1],
      version: row[2],
      user: null,
      candidates: null,
      context: null,
      actions: row[3],
      propensities: row[4],
    };
  }
  if (isFullEntry(b)) return b as DecisionEntry;
  const d = b as DecisionBody;
  const from = d.request ?? d;
  const e: DecisionEntry = {
    kind: 'decision',
    eventId: d.eventId,
    ts: d.ts,
    version: d.version,
    user: from.user ?? null,
    candidates: from.candidates ?? null,
    context: from.context ?? null,
    actions: d.actions,
    propensities: d.propensities,
  };
  if (d.group === undefined && d.experiment === undefined) return e;
  return {
    ...e,
    ...(d.group === undefined ? {} : { group: d.group }),
    ...(d.experiment === undefined ? {} : { experiment: d.experiment }),
  };
}

/** A reward entry from a compact body and its decision. */
export function toReward(b: RewardBody | RewardRow, decision: DecisionEntry): RewardEntry {
  if (Array.isArray(b)) {
    const row = b as RewardRow;
    return {
      kind: 'reward',
      eventId: decision.eventId,
      ts: row[1],
      reward: row[2],
      cost: null,
      applied: true,
      isDefault: false,
      decision,
    };
  }
  const o = b as RewardBody;
  return {
    kind: 'reward',
    eventId: o.eventId ?? decision.eventId,
    ts: o.ts,
    reward: o.reward,
    cost: o.cost ?? null,
    applied: o.applied !== false,
    isDefault: o.isDefault === true,
    decision,
  };
}

/** Parses a decision row's body. */
export function decodeDecision(body: string): DecisionEntry {
  return toDecision(JSON.parse(body) as ParsedBody);
}

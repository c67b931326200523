/**
 * Live experiments of learning agents (Guo et al. 2023, section 3.3): the experiment record a service stores
 * (three groups with shares and agent configurations, a salt, the phase), the deterministic assignment of string
 * user ids, and the readout computed from the logged decisions and rewards: per group users, decisions, rewards
 * per active user and per-index rates; the lift test/control - 1 with a user-level delta-method interval (CUPED on
 * a pre-experiment period when there is one); EI, TD, IU, TE per group from the logged recommendations.
 *
 * Browser-safe and pure: the HTTP route (`GET /v1/experiments/{id}/readout`) and the CLI
 * (`allot experiments readout`) collect the events from a store and call {@link liveReadout}.
 *
 * References: H. Guo, R. Naeff, A. Nikulkov, Z. Zhu, "Optimism Based Exploration in Large-Scale Recommender Systems", 2023,
 * arXiv:2305.11206 (the three groups and two phases: section 3.3, Figure 2; the metrics: section 4.2, Eqs. 2-5).
 * A. Deng, U. Knoblich, J. Lu, "Applying the delta method in metric analytics", KDD 2018, arXiv:1803.06336.
 * A. Deng, Y. Xu, R. Kohavi, T. Walker, "Improving the sensitivity of online controlled experiments by utilizing
 * pre-experiment data", WSDM 2013.
 */
import { type AgentConfig, normalizeAgentConfig } from '../bandits/agent/config.js';
import { agentStateToJson, createAgentRuntime, restoreAgentRuntime } from '../bandits/agent/runtime.js';
import { AllotError } from '../core/errors.js';
import { hashString } from '../core/hash.js';
import { createRng } from '../core/rng.js';
import { type Assignment, assignUser, createAssignment, GROUPS, type GroupName } from './assignment.js';
import {
  betaPosteriorInto,
  createMaxProbabilityWork,
  DEFAULT_KL_IMPUTE,
  type ExplorationMetrics,
  explorationMetricsInto,
  maxProbabilitiesInto,
} from './exploration-metrics.js';
import {
  type CupedGroup,
  type CupedLift,
  cupedLift,
  type Lift,
  liftFromRatios,
  ratioEstimate,
} from './readout.js';

/** One group of a live experiment: its share of users and the configuration of its agent. */
export interface LiveGroupSpec {
  readonly share: number;
  readonly agent: AgentConfig;
}

/** The pre-experiment period used as the CUPED covariate: an existing agent's log before the experiment. */
export interface LivePreSpec {
  /** Agent id (same tenant) whose rewards before the experiment's start are each user's covariate. */
  readonly agent: string;
  /** Length of the pre-period in days before the experiment's creation (default 14). */
  readonly days: number;
}

/** The definition of a live experiment, normalised (what `PUT /v1/experiments/{id}` validates). */
export interface LiveExperimentSpec {
  readonly groups: Readonly<Record<GroupName, LiveGroupSpec>>;
  /** Salt of the assignment (default: the experiment id), hashed to 32 bits. */
  readonly salt: string;
  /** Optional pre-experiment period (CUPED). */
  readonly pre?: LivePreSpec;
}

/** An experiment as stored: its definition and where it stands. */
export interface LiveExperimentRecord extends LiveExperimentSpec {
  readonly id: string;
  /** Creation time (ms since the epoch): day 1 starts here. */
  readonly createdAt: number;
  /** 1 (one pooled state) or 2 (a state per group). */
  readonly phase: 1 | 2;
  /** When Phase II started (ms), null in Phase I. */
  readonly phaseSwitchAt: number | null;
  /** How the Phase II states started: from the pooled state or empty (null in Phase I). */
  readonly start: 'pooled' | 'empty' | null;
  /** Sequence number of the pooled agent's log entry that marks the switch (null in Phase I). */
  readonly pooledSeq: number | null;
}

/** Largest length of an experiment id (its agents are named `exp.<id>.<group>`, at most 128 characters). */
export const MAX_EXPERIMENT_ID = 100;

const EXPERIMENT_ID = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_EXPERIMENT_ID}}$`);
const AGENT_ID = /^[A-Za-z0-9._-]{1,128}$/;

function bad(msg: string): never {
  throw new AllotError('ALLOT_INVALID_CONFIG', msg);
}

/**
 * Validates the body of `PUT /v1/experiments/{id}` and fills the defaults.
 *
 * @remarks
 * The three groups share one state in Phase I, so their agent configurations must agree on everything but the
 * policy's parameters: the policy type, the arms, the seed, the reward window, the default reward and the budget
 * (the test group typically explores, e.g. `{"type": "multitask-ucb", "gamma": 1}`, the others do not,
 * `"gamma": 0`). A group's state must also be able to start from the pooled one (same dimensions).
 *
 * @param id - the experiment id, 1-100 characters of [A-Za-z0-9._-].
 * @param raw - `{groups: {production, control, test: {share, agent}}, salt?, pre?: {agent, days?}}`.
 * @returns the normalised definition.
 * @throws ALLOT_INVALID_ARGUMENT for a bad id; ALLOT_INVALID_CONFIG naming the bad field (agent configs are
 *   validated by normalizeAgentConfig); ALLOT_OUT_OF_RANGE for shares that are not a distribution with positive
 *   control and test shares.
 */
export function normalizeLiveExperiment(id: string, raw: unknown): LiveExperimentSpec {
  if (!EXPERIMENT_ID.test(id))
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `experiment id must match ${EXPERIMENT_ID.source} (got ${JSON.stringify(id)})`,
    );
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('the experiment must be an object');
  const b = raw as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (!['groups', 'salt', 'pre'].includes(k))
      bad(`unknown field ${JSON.stringify(k)} (known: groups, salt, pre)`);
  const g = b['groups'];
  if (g === null || typeof g !== 'object' || Array.isArray(g)) bad('groups must be an object');
  const graw = g as Record<string, unknown>;
  for (const k of Object.keys(graw))
    if (!(GROUPS as readonly string[]).includes(k))
      bad(`groups.${k} is not a group (the groups are production, control, test)`);
  const groups = {} as Record<GroupName, LiveGroupSpec>;
  for (const name of GROUPS) {
    const e = graw[name];
    if (e === null || typeof e !== 'object' || Array.isArray(e)) bad(`groups.${name} must be {share, agent}`);
    const er = e as Record<string, unknown>;
    for (const k of Object.keys(er))
      if (k !== 'share' && k !== 'agent') bad(`groups.${name}.${k} is not a field (known: share, agent)`);
    const share = er['share'];
    if (typeof share !== 'number' || !Number.isFinite(share))
      bad(`groups.${name}.share must be a finite number (got ${JSON.stringify(share)})`);
    let agent: AgentConfig;
    try {
      agent = normalizeAgentConfig(er['agent']);
    } catch (err) {
      if (err instanceof AllotError) throw new AllotError(err.code, `groups.${name}.agent: ${err.message}`);
      throw err;
    }
    groups[name] = { share, agent };
  }
  createAssignment(GROUPS.map((n) => groups[n].share));
  const base = groups.production.agent;
  const same = (c: AgentConfig): string =>
    JSON.stringify([c.policy.type, c.arms, c.seed, c.rewardWindowSeconds, c.defaultReward, c.budget]);
  const empty = agentStateToJson(createAgentRuntime(base));
  for (const name of ['control', 'test'] as const) {
    const c = groups[name].agent;
    if (same(c) !== same(base)) {
      bad(
        `groups.${name}.agent must have the same policy type, arms, seed, rewardWindowSeconds, defaultReward and ` +
          'budget as groups.production.agent (the groups share one state in Phase I; only policy parameters differ)',
      );
    }
    try {
      restoreAgentRuntime(c, empty);
    } catch {
      bad(
        `groups.${name}.agent cannot start from the pooled state (its dimensions differ from production's)`,
      );
    }
  }
  const salt = b['salt'] ?? id;
  if (typeof salt !== 'string' || salt.length < 1 || salt.length > 256)
    bad(`salt must be a string of 1-256 characters (got ${JSON.stringify(salt)})`);
  const out: { -readonly [K in keyof LiveExperimentSpec]: LiveExperimentSpec[K] } = { groups, salt };
  const pre = b['pre'];
  if (pre !== undefined) {
    if (pre === null || typeof pre !== 'object' || Array.isArray(pre)) bad('pre must be {agent, days?}');
    const p = pre as Record<string, unknown>;
    for (const k of Object.keys(p))
      if (k !== 'agent' && k !== 'days') bad(`pre.${k} is not a field (known: agent, days)`);
    if (typeof p['agent'] !== 'string' || !AGENT_ID.test(p['agent']))
      bad(`pre.agent must be an agent id (got ${JSON.stringify(p['agent'])})`);
    const days = p['days'] ?? 14;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365)
      bad(`pre.days must be an integer in [1, 365] (got ${JSON.stringify(days)})`);
    out.pre = { agent: p['agent'], days };
  }
  return out;
}

/**
 * The assignment of an experiment: its shares with the salt string hashed to 32 bits ({@link hashString}).
 *
 * @param spec - the experiment.
 * @returns the validated assignment.
 */
export function liveAssignment(spec: LiveExperimentSpec): Assignment {
  return createAssignment(
    GROUPS.map((n) => spec.groups[n].share),
    hashString(spec.salt) % 4294967296,
  );
}

/**
 * The group of a user: the string id is hashed to a 53-bit integer ({@link hashString}, seed 0), which the
 * experiment's salted hash places ({@link assignUser}). Depends only on (user, salt, shares): the same on every
 * replica, after every restart, whatever the order of arrival.
 *
 * @param a - from {@link liveAssignment}.
 * @param user - the user id (any string).
 * @returns the group name.
 * @example
 * liveGroupOf(liveAssignment(spec), 'user-1') === liveGroupOf(liveAssignment(spec), 'user-1') // true
 */
export function liveGroupOf(a: Assignment, user: string): GroupName {
  return GROUPS[assignUser(a, hashString(user))];
}

/** One logged decision of an experiment with its reward (the readout's input). */
export interface LiveEvent {
  /** 1 when the pooled agent made it, 2 when a group agent did. */
  readonly phase: 1 | 2;
  readonly group: GroupName;
  readonly user: string;
  /** Decision time (ms since the epoch). */
  readonly ts: number;
  /** Chosen arm ids in slot order. */
  readonly actions: readonly string[];
  /** The observed reward, one value per slot; null when none arrived (or only the default reward was learned). */
  readonly reward: readonly number[] | null;
}

/** A pre-period observation (the CUPED covariate): a user's reward before the experiment. */
export interface LivePreEvent {
  readonly user: string;
  /** Sum of the reward vector of one decision. */
  readonly value: number;
}

/** The exploration-efficiency metrics of a group, averaged over user-days. */
export interface LiveExploration extends ExplorationMetrics {
  /** User-days averaged (users with decisions that day). */
  readonly userDays: number;
}

/** Per-group figures of a period. */
export interface LiveGroupReadout {
  /** Users with at least one decision in the period. */
  readonly users: number;
  readonly decisions: number;
  /** Decisions with an observed reward. */
  readonly rewards: number;
  /** Sum of the observed rewards (all slots). */
  readonly rewardSum: number;
  /** rewardSum / users (the metric of the lift). */
  readonly rewardPerUser: number | null;
  /** rewardSum / decisions. */
  readonly rewardPerDecision: number | null;
  /** Per index of the reward vector (slot, or task of a multi-slot decision): mean over rewarded decisions. */
  readonly taskRates: readonly number[];
  /** EI, TD, IU, TE (null when not computed). */
  readonly exploration: LiveExploration | null;
}

/** A lift with the method that produced its interval. */
export interface LiveLift extends Lift {
  /** `delta` (rewards per active user, delta method) or `cuped` (the same after CUPED on the pre-period). */
  readonly method: 'delta' | 'cuped';
}

/** The readout of one phase. */
export interface LivePhaseReadout {
  readonly phase: 1 | 2;
  readonly groups: Record<GroupName, LiveGroupReadout>;
  /** Lift of rewards per active user, test/control - 1 (CUPED when a pre-period exists). */
  readonly lift: LiveLift;
  /** The plain delta-method lift (always). */
  readonly liftDelta: Lift;
  /** The CUPED lift (null without a pre-period). */
  readonly liftCuped: CupedLift | null;
}

/** One day of one phase. */
export interface LiveDay {
  /** Day number: 1 + whole days since the experiment's creation. */
  readonly day: number;
  readonly phase: 1 | 2;
  /** Start of the day (ISO). */
  readonly date: string;
  /** Active control + test users that day. */
  readonly users: number;
  /** The day's figures per group (as {@link LiveGroupReadout}, over that day only). */
  readonly groups: Record<
    GroupName,
    Pick<LiveGroupReadout, 'users' | 'decisions' | 'rewards' | 'rewardPerUser' | 'taskRates' | 'exploration'>
  >;
  /** Cumulative lift from the phase's first day to the end of this one (user-level, delta method). */
  readonly lift: Lift;
  /** The lift of this day alone (per active user that day). */
  readonly dailyLift: Lift;
}

/** Options of {@link liveReadout}. */
export interface LiveReadoutOptions {
  /** Length of a readout day in ms (default 86,400,000). */
  readonly dayMs?: number;
  /** Monte Carlo draws per user-day for P of the exploration metrics (default 200; 0 skips the metrics). */
  readonly samples?: number;
  /** Seed of those draws (default 1). */
  readonly seed?: number;
  /**
   * Skip the metrics when K * samples * user-days exceeds this (default 2e7: about 2 s of Monte Carlo on one core;
   * the computation is synchronous, so a service's event loop waits for it).
   */
  readonly maxWork?: number;
}

/** The readout of {@link liveReadout}. */
export interface LiveReadout {
  readonly experiment: string;
  readonly phase: 1 | 2;
  readonly createdAt: string;
  readonly phaseSwitchAt: string | null;
  readonly start: 'pooled' | 'empty' | null;
  /** The current phase's groups (cumulative over the phase). */
  readonly groups: Record<GroupName, LiveGroupReadout>;
  /** The current phase's lift (Phase I: the lower bound of the paper; Phase II: the upper bound). */
  readonly lift: LiveLift;
  /** Every phase that has events, in order. */
  readonly phases: readonly LivePhaseReadout[];
  readonly days: readonly LiveDay[];
  /** What was computed and how. */
  readonly notes: {
    readonly events: number;
    readonly preUsers: number | null;
    readonly cuped: string;
    readonly exploration: string;
    readonly samples: number;
    readonly seed: number;
  };
}

const DAY_MS = 86_400_000;
const PRIOR_STRENGTH = 2;
const RATE_PSEUDO = 10;

const clampRate = (x: number): number => Math.min(0.99, Math.max(0.01, x));

function meanLift(test: ArrayLike<number>, control: ArrayLike<number>): Lift {
  const ones = (n: number): Float64Array => new Float64Array(n).fill(1);
  return liftFromRatios(
    ratioEstimate(test.length, test, ones(test.length)),
    ratioEstimate(control.length, control, ones(control.length)),
  );
}

/** A CUPED lift and what the covariate did (the explore domain's type). */
export type { CupedLift } from './readout.js';

/**
 * CUPED lift of the live readout: the explore domain's {@link cupedLift} (one implementation of the formula).
 *
 * @param test - per-user metric y and covariate x of the test group (same length).
 * @param control - the same for control.
 * @returns the lift with theta and the variance reduction.
 */
export function liveCupedLift(test: CupedGroup, control: CupedGroup): CupedLift {
  return cupedLift(test, control);
}

interface Acc {
  users: Map<string, number>;
  decisions: number;
  rewards: number;
  rewardSum: number;
  taskSum: number[];
  taskN: number[];
  ei: number;
  td: number;
  iu: number;
  teNum: number;
  teDen: number;
  userDays: number;
}

const newAcc = (): Acc => ({
  users: new Map(),
  decisions: 0,
  rewards: 0,
  rewardSum: 0,
  taskSum: [],
  taskN: [],
  ei: 0,
  td: 0,
  iu: 0,
  teNum: 0,
  teDen: 0,
  userDays: 0,
});

function addEvent(a: Acc, e: LiveEvent): void {
  a.decisions++;
  let v = 0;
  if (e.reward !== null) {
    a.rewards++;
    for (let j = 0; j < e.reward.length; j++) {
      const r = e.reward[j]!;
      v += r;
      a.taskSum[j] = (a.taskSum[j] ?? 0) + r;
      a.taskN[j] = (a.taskN[j] ?? 0) + 1;
    }
    a.rewardSum += v;
  }
  a.users.set(e.user, (a.users.get(e.user) ?? 0) + v);
}

function exploreOf(a: Acc, computed: boolean): LiveExploration | null {
  if (!computed || a.userDays === 0) return null;
  return {
    EI: a.ei / a.userDays,
    TD: a.td / a.userDays,
    IU: a.iu / a.userDays,
    TE: a.teDen > 0 ? a.teNum / a.teDen : 0,
    userDays: a.userDays,
  };
}

function groupOf(a: Acc, computed: boolean): LiveGroupReadout {
  const n = a.users.size;
  return {
    users: n,
    decisions: a.decisions,
    rewards: a.rewards,
    rewardSum: a.rewardSum,
    rewardPerUser: n > 0 ? a.rewardSum / n : null,
    rewardPerDecision: a.decisions > 0 ? a.rewardSum / a.decisions : null,
    taskRates: a.taskSum.map((s, j) => s / (a.taskN[j] ?? 1)),
    exploration: exploreOf(a, computed),
  };
}

/**
 * The readout of a live experiment from its logged events.
 *
 * @remarks
 * - Unit: the user. A user's observed rewards (all slots; late rewards included, default rewards excluded: they
 *   are imputed, not observed) are summed over the period; the metric is rewards per active user (users with a
 *   decision in the period: the service never sees assigned users who do not come). Lift = mean_t / mean_c - 1,
 *   Var ~ (R_t/R_c)^2 (Var R_t / R_t^2 + Var R_c / R_c^2) with Var R = s^2 / n (delta method, Deng et al. 2018);
 *   95 % interval +- 1.96 se. Days are not independent: the cumulative lift of a day sums each user's days first.
 * - Phases are read separately (a decision's phase is that of the agent that made it: the pooled one in Phase I,
 *   the group's in Phase II). Phase I bounds the effect from below, Phase II from above (section 3.3); the top-level
 *   `lift` is the current phase's.
 * - CUPED (Deng et al. 2013) when `pre` is given: x_i = the user's rewards in the pre-period (0 when absent),
 *   y_adj = y - theta (x - xbar) with theta pooled over test and control; `lift` is then the CUPED lift and
 *   `liftDelta` the plain one. Without a pre-period `lift` is the plain delta-method lift and `liftCuped` is null.
 * - Exploration metrics (section 4.2, Eqs. 2-5) per user-day, with the explore domain's kernels: for each user
 *   with decisions that day, P = Pr(arm is the user's most relevant) from Beta posteriors of p(relevant) per arm
 *   built from the user's logged recommendations before that day (relevant: a positive reward in the slot; light
 *   prior of strength 2 from the arm's and the user's smoothed averages, {@link betaPosteriorInto}), estimated by
 *   `samples` seeded Monte Carlo draws ({@link maxProbabilitiesInto}, stream `seed` forked by day); Q = that day's
 *   recommendations per arm ({@link explorationMetricsInto}, missing arms imputed with 1e-3). EI, TD, IU are
 *   averaged over user-days, TE weighted by the user's decisions that day.
 *
 * @param record - the experiment (for its id, creation time, phase and arms).
 * @param events - every logged decision of the experiment's agents with its reward, any order.
 * @param pre - pre-period observations (null or empty: no CUPED).
 * @param opts - day length, metric draws and seed.
 * @returns the readout.
 * @throws ALLOT_OUT_OF_RANGE for a bad option.
 */
export function liveReadout(
  record: LiveExperimentRecord,
  events: readonly LiveEvent[],
  pre: readonly LivePreEvent[] | null = null,
  opts: LiveReadoutOptions = {},
): LiveReadout {
  const dayMs = opts.dayMs ?? DAY_MS;
  const samples = opts.samples ?? 200;
  const seed = opts.seed ?? 1;
  const maxWork = opts.maxWork ?? 2e7;
  if (!(Number.isFinite(dayMs) && dayMs > 0))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `dayMs must be > 0 (got ${dayMs})`);
  if (!(Number.isInteger(samples) && samples >= 0 && samples <= 100_000))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `samples must be an integer in [0, 100000] (got ${samples})`);
  if (!(Number.isFinite(maxWork) && maxWork >= 0))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `maxWork must be >= 0 (got ${maxWork})`);
  if (!(Number.isSafeInteger(seed) && seed >= 0))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `seed must be a non-negative integer (got ${seed})`);
  const arms = record.groups.production.agent.arms;
  const K = arms.length;
  const armIndex = new Map<string, number>();
  for (let k = 0; k < K; k++) armIndex.set(arms[k]!, k);
  const dayOf = (ts: number): number => Math.floor((ts - record.createdAt) / dayMs) + 1;

  // Deterministic order: by time, then phase, group, user, actions (events from several agents interleave).
  const sorted = [...events].sort(
    (a, b) =>
      a.ts - b.ts ||
      a.phase - b.phase ||
      (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) ||
      (a.user < b.user ? -1 : a.user > b.user ? 1 : 0) ||
      (a.actions.join('\u0000') < b.actions.join('\u0000') ? -1 : 1),
  );

  const dayCount = new Set(sorted.map((e) => `${e.user}\u0000${dayOf(e.ts)}`)).size;
  const computeMetrics = samples > 0 && K * samples * Math.max(1, dayCount) <= maxWork;

  const phaseAcc = new Map<1 | 2, Record<GroupName, Acc>>();
  const accsOf = (p: 1 | 2): Record<GroupName, Acc> => {
    let r = phaseAcc.get(p);
    if (r === undefined) {
      r = { production: newAcc(), control: newAcc(), test: newAcc() };
      phaseAcc.set(p, r);
    }
    return r;
  };

  // Per-user history before the current day (for P) and global per-arm counts (topic rates).
  const shown = new Map<string, Float64Array>();
  const relevant = new Map<string, Float64Array>();
  const armShown = new Float64Array(K);
  const armRel = new Float64Array(K);
  const sBuf = new Float64Array(K);
  const rBuf = new Float64Array(K);
  const qBuf = new Float64Array(K);
  const tBuf = new Float64Array(K);
  const aBuf = new Float64Array(K);
  const bBuf = new Float64Array(K);
  const pBuf = new Float64Array(K);
  const work = createMaxProbabilityWork(K);
  const m: ExplorationMetrics = { EI: 0, TD: 0, IU: 0, TE: 0 };
  const rootRng = createRng(seed);

  const days: LiveDay[] = [];
  const cumUsers = new Map<1 | 2, Record<GroupName, Map<string, number>>>();

  let i = 0;
  while (i < sorted.length) {
    const day = dayOf(sorted[i]!.ts);
    let j = i;
    while (j < sorted.length && dayOf(sorted[j]!.ts) === day) j++;
    const today = sorted.slice(i, j);
    // Exploration metrics of the day: P from history before today, Q from today, per (phase, group, user).
    const dayAcc = new Map<1 | 2, Record<GroupName, Acc>>();
    const dAccsOf = (p: 1 | 2): Record<GroupName, Acc> => {
      let r = dayAcc.get(p);
      if (r === undefined) {
        r = { production: newAcc(), control: newAcc(), test: newAcc() };
        dayAcc.set(p, r);
      }
      return r;
    };
    for (const e of today) {
      addEvent(accsOf(e.phase)[e.group], e);
      addEvent(dAccsOf(e.phase)[e.group], e);
    }
    if (computeMetrics) {
      let gS = 0;
      let gR = 0;
      for (let k = 0; k < K; k++) {
        gS += armShown[k]!;
        gR += armRel[k]!;
      }
      const gbar = clampRate(gS > 0 ? gR / gS : 0.3);
      for (let k = 0; k < K; k++)
        tBuf[k] = clampRate((armRel[k]! + RATE_PSEUDO * gbar) / (armShown[k]! + RATE_PSEUDO));
      const q = new Map<string, { phase: 1 | 2; group: GroupName; counts: Float64Array; n: number }>();
      for (const e of today) {
        const key = `${e.phase}\u0000${e.group}\u0000${e.user}`;
        let u = q.get(key);
        if (u === undefined) {
          u = { phase: e.phase, group: e.group, counts: new Float64Array(K), n: 0 };
          q.set(key, u);
        }
        u.n++;
        for (const a of e.actions) {
          const k = armIndex.get(a);
          if (k !== undefined) u.counts[k]! += 1;
        }
      }
      const dayRng = rootRng.fork(day);
      for (const key of [...q.keys()].sort()) {
        const u = q.get(key)!;
        const user = key.slice(key.indexOf('\u0000', key.indexOf('\u0000') + 1) + 1);
        const sh = shown.get(user);
        const re = relevant.get(user);
        let n = 0;
        let r = 0;
        for (let k = 0; k < K; k++) {
          sBuf[k] = sh === undefined ? 0 : sh[k]!;
          rBuf[k] = re === undefined ? 0 : re[k]!;
          n += sBuf[k]!;
          r += rBuf[k]!;
          qBuf[k] = u.counts[k]!;
        }
        let qs = 0;
        for (let k = 0; k < K; k++) qs += qBuf[k]!;
        if (!(qs > 0)) continue;
        const ubar = clampRate((r + RATE_PSEUDO * gbar) / (n + RATE_PSEUDO));
        betaPosteriorInto(K, sBuf, rBuf, 0, tBuf, ubar, gbar, PRIOR_STRENGTH, aBuf, bBuf);
        maxProbabilitiesInto(K, aBuf, bBuf, samples, dayRng, pBuf, 0, work);
        explorationMetricsInto(K, pBuf, 0, qBuf, 0, DEFAULT_KL_IMPUTE, m);
        for (const acc of [accsOf(u.phase)[u.group], dAccsOf(u.phase)[u.group]]) {
          acc.ei += m.EI;
          acc.td += m.TD;
          acc.iu += m.IU;
          acc.teNum += u.n * m.TE;
          acc.teDen += u.n;
          acc.userDays++;
        }
      }
    }
    // Fold today into the history.
    for (const e of today) {
      let sh = shown.get(e.user);
      let re = relevant.get(e.user);
      if (sh === undefined || re === undefined) {
        sh = new Float64Array(K);
        re = new Float64Array(K);
        shown.set(e.user, sh);
        relevant.set(e.user, re);
      }
      e.actions.forEach((a, s) => {
        const k = armIndex.get(a);
        if (k === undefined) return;
        sh[k]! += 1;
        armShown[k]! += 1;
        if (e.reward !== null && (e.reward[s] ?? 0) > 0) {
          re[k]! += 1;
          armRel[k]! += 1;
        }
      });
    }
    for (const p of [...dayAcc.keys()].sort()) {
      const acc = dayAcc.get(p)!;
      let cum = cumUsers.get(p);
      if (cum === undefined) {
        cum = { production: new Map(), control: new Map(), test: new Map() };
        cumUsers.set(p, cum);
      }
      for (const g of GROUPS) for (const [u, v] of acc[g].users) cum[g].set(u, (cum[g].get(u) ?? 0) + v);
      const groups = {} as LiveDay['groups'];
      for (const g of GROUPS) {
        const gr = groupOf(acc[g], computeMetrics);
        groups[g] = {
          users: gr.users,
          decisions: gr.decisions,
          rewards: gr.rewards,
          rewardPerUser: gr.rewardPerUser,
          taskRates: gr.taskRates,
          exploration: gr.exploration,
        };
      }
      days.push({
        day,
        phase: p,
        date: new Date(record.createdAt + (day - 1) * dayMs).toISOString(),
        users: acc.control.users.size + acc.test.users.size,
        groups,
        lift: meanLift([...cum.test.values()], [...cum.control.values()]),
        dailyLift: meanLift([...acc.test.users.values()], [...acc.control.users.values()]),
      });
    }
    i = j;
  }

  const preTotals = new Map<string, number>();
  if (pre !== null) for (const p of pre) preTotals.set(p.user, (preTotals.get(p.user) ?? 0) + p.value);
  // A pre-period without any logged decision carries no information: no CUPED (and the note says so).
  const usePre = preTotals.size > 0;

  const phases: LivePhaseReadout[] = [...phaseAcc.keys()].sort().map((p) => {
    const acc = phaseAcc.get(p)!;
    const groups = {} as Record<GroupName, LiveGroupReadout>;
    for (const g of GROUPS) groups[g] = groupOf(acc[g], computeMetrics);
    const yt = [...acc.test.users.values()];
    const yc = [...acc.control.users.values()];
    const liftDelta = meanLift(yt, yc);
    let liftCuped: CupedLift | null = null;
    if (usePre) {
      const xt = [...acc.test.users.keys()].map((u) => preTotals.get(u) ?? 0);
      const xc = [...acc.control.users.keys()].map((u) => preTotals.get(u) ?? 0);
      liftCuped = liveCupedLift({ y: yt, x: xt }, { y: yc, x: xc });
    }
    const lift: LiveLift =
      liftCuped === null
        ? { ...liftDelta, method: 'delta' }
        : { estimate: liftCuped.estimate, ci95: liftCuped.ci95, se: liftCuped.se, method: 'cuped' };
    return { phase: p, groups, lift, liftDelta, liftCuped };
  });

  const emptyGroups = (): Record<GroupName, LiveGroupReadout> => {
    const z = newAcc();
    return { production: groupOf(z, false), control: groupOf(z, false), test: groupOf(z, false) };
  };
  const current = phases.find((p) => p.phase === record.phase);
  return {
    experiment: record.id,
    phase: record.phase,
    createdAt: new Date(record.createdAt).toISOString(),
    phaseSwitchAt: record.phaseSwitchAt === null ? null : new Date(record.phaseSwitchAt).toISOString(),
    start: record.start,
    groups: current?.groups ?? emptyGroups(),
    lift: current?.lift ?? { estimate: null, ci95: [null, null], se: null, method: 'delta' },
    phases,
    days,
    notes: {
      events: events.length,
      preUsers: pre === null ? null : preTotals.size,
      cuped:
        pre === null
          ? 'no pre-experiment period configured: lift is the plain user-level delta-method lift (liftCuped null)'
          : !usePre
            ? 'the pre-experiment period has no logged decisions: lift is the plain delta-method lift (liftCuped null)'
            : `CUPED on the ${record.pre?.days ?? '?'} days before the experiment (agent ${record.pre?.agent ?? '?'})`,
      exploration: computeMetrics
        ? `EI/TD/IU/TE per user-day, P by ${samples} Monte Carlo draws (seed ${seed})`
        : samples === 0
          ? 'not computed (samples 0)'
          : `not computed: K * samples * user-days = ${K * samples * dayCount} exceeds ${maxWork}`,
      samples,
      seed,
    },
  };
}

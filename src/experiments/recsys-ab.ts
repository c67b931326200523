/**
 * The two-phase, three-group A/B experiment of Guo et al. (2023, section 3.3 and Figure 2) on the simulated
 * short-video recommender: users are hashed into production, control and test; after a burn-in on the production
 * policy, Phase I serves multi-task UCB (Eq. 1) to test only while one reward model is trained daily on the pooled
 * data of all groups; Phase II trains one model per group on that group's data only (upstream sourcing stays on the
 * all-data model, as in the paper). Each day yields per-group metrics (plays, task rates, the exploration-efficiency
 * metrics of section 4.2) and the user-level readout test/control - 1 with a 95 % delta-method interval.
 *
 * The simulation also serves the SAME users from the same random streams with exploration switched off in test
 * (the counterfactual arm, everyone greedy): the paired difference is the ground truth of exploration's effect on the
 * test users, the counterfactual's test/control readout is the A/A test, and the paired difference on the control
 * users is the leakage of test's exploration into control.
 */

import { ucbSelect } from '../bandits/mab/multitask-ucb.js';
import { AllotError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { assertInInterval, assertInteger, assertNonNegative, toFiniteArray } from '../core/validate.js';
import {
  cloneRewardModel,
  createInteractionLog,
  createLogIndex,
  createRewardModel,
  type InteractionLog,
  indexLogInto,
  type LogIndex,
  predictUser,
  type RewardModel,
  type RewardModelOptions,
  trainRewardModel,
} from '../sim/recsys/reward-model.js';
import {
  candidateWeightsInto,
  continues,
  createRecsysWorld,
  drawAvailable,
  drawCandidates,
  drawCandidatesWeighted,
  drawFromCandidates,
  drawSessions,
  driftInterests,
  itemOrderInto,
  itemRelevance,
  launchDays,
  N_TASKS,
  OUTCOME_COMPLETE,
  OUTCOME_LOOP,
  OUTCOME_SKIP,
  pickItemOrdered,
  type RecsysWorld,
  type RecsysWorldConfig,
  relevanceFromLogit,
  resolveWorldConfig,
  respond,
  respondRate,
  sortByWeightInto,
  TASK_COMPLETE,
  TASK_LOOP,
  TASK_SKIP,
  WORLD_PRESET_NAMES,
  WORLD_PRESETS,
} from '../sim/recsys/world.js';
import { assignUser, createAssignment, GROUPS, type GroupName, hashUnit } from './assignment.js';
import { createQuadratureWork, maxProbabilitiesQuadratureInto } from './beta-max.js';
import {
  betaPosteriorInto,
  createMaxProbabilityWork,
  DEFAULT_KL_IMPUTE,
  type ExplorationMetrics,
  explorationMetricsInto,
  maxProbabilitiesInto,
} from './exploration-metrics.js';
import {
  cupedLift,
  type Lift,
  liftFromRatios,
  meanLift,
  type PowerResult,
  pairedLift,
  powerAnalysis,
  ratioEstimate,
} from './readout.js';

/** The module URL of this file, for the worker pool. */
export const JOB_MODULE: string = import.meta.url;

/** Documented maxima of the experiment's sizes (checked before any work starts). */
export const RECSYS_LIMITS = {
  users: 200_000,
  topics: 1024,
  days: 365,
  posteriorSamples: 100_000,
  replications: 100,
  /** users x all days x replications. */
  userDays: 50_000_000,
} as const;

/** Settings of one simulated experiment (all fields but none required; see {@link resolveRecsysExperiment}). */
export interface RecsysExperimentConfig {
  /** Users (default 20000, at most 1,000,000). */
  readonly users: number;
  /** Topics (default 30). */
  readonly topics: number;
  /** Days of production-only history before the experiment (default 14; the pre-period of CUPED). */
  readonly daysBurnin: number;
  /** Days of Phase I (default 21: the paper's 3 weeks). */
  readonly daysPhase1: number;
  /** Days of Phase II (default 14: the paper's 2 weeks). */
  readonly daysPhase2: number;
  /** Shares of production, control, test (default 0.9, 0.05, 0.05). */
  readonly shares: readonly [number, number, number];
  /** UCB exploration scale gamma of the test group (default 1, in units of `gammaScale`). */
  readonly gamma: number;
  /**
   * `spread` (default): gamma is in units of the user's score spread (the sd of sum_T alpha_T rhat across the
   * launched topics, recomputed daily); `absolute`: gamma multiplies the bonus directly, as Eq. 1 is written.
   */
  readonly gammaScale: 'absolute' | 'spread';
  /** The N_{t,a}(C) = 0 rule of the UCB: 0 = infinite bonus, n0 > 0 = bonus with N_{t,a} = n0 (default 1). */
  readonly unseenCount: number;
  /** Daily discount of the UCB counts N_{t,a}, N_t in (0, 1] (default 1: no discount). */
  readonly discount: number;
  /** Task weights alpha_T for complete, loop, skip (default 1, 0.5, -0.5). */
  readonly alpha: readonly [number, number, number];
  /** How P is computed: `quadrature` (default, exact to about 1e-6) or `montecarlo` (posteriorSamples draws). */
  readonly posteriorMethod: 'quadrature' | 'montecarlo';
  /** Posterior draws per user and day for P with `montecarlo` (default 1000). */
  readonly posteriorSamples: number;
  /** Strength (pseudo-impressions) of the light Beta prior of P (default 2). */
  readonly priorStrength: number;
  /** Value imputed for topics missing from Q in the KL divergence (default 1e-3). */
  readonly klImpute: number;
  /** Salt of the hash assignment (default 0). */
  readonly salt: number;
  /** Named world (default `funnel`; `uniform` is the old world; see WORLD_PRESETS). */
  readonly preset: string;
  /** Serve the counterfactual arm (everyone greedy, same users and streams) for the truth and the A/A (default true). */
  readonly truth: boolean;
  /** Environment parameters beyond users and topics (override the preset). */
  readonly world: Partial<Omit<RecsysWorldConfig, 'users' | 'topics'>>;
  /** Reward-model hyper-parameters. */
  readonly model: Partial<RewardModelOptions>;
}

/** Defaults of {@link RecsysExperimentConfig}. */
export const DEFAULT_RECSYS_EXPERIMENT: RecsysExperimentConfig = {
  users: 20000,
  topics: 30,
  daysBurnin: 14,
  daysPhase1: 21,
  daysPhase2: 14,
  shares: [0.9, 0.05, 0.05],
  gamma: 1,
  gammaScale: 'spread',
  unseenCount: 1,
  discount: 1,
  alpha: [1, 0.5, -0.5],
  posteriorMethod: 'quadrature',
  posteriorSamples: 1000,
  priorStrength: 2,
  klImpute: DEFAULT_KL_IMPUTE,
  salt: 0,
  preset: 'funnel',
  truth: true,
  world: {},
  model: {},
};

/** One group's metrics on one day. Rates are per impression; EI, TD, IU, TE are means over the metric users. */
export interface GroupDay {
  /** Active users (at least one impression today). */
  users: number;
  /** Plays per active user. */
  plays: number;
  /** Impressions per active user. */
  impressions: number;
  /** Completion rate (relevant impressions / impressions). */
  complete: number;
  /** Loop rate (loops / impressions). */
  loop: number;
  /** Skip rate (skips / impressions). */
  skip: number;
  /** Play rate (plays / impressions). */
  playRate: number;
  /** Exploration inefficiency KL(P || Q), mean over metric users (Eq. 2). */
  EI: number | null;
  /** Topic diversity |Q|, mean over metric users (Eq. 3). */
  TD: number | null;
  /** Interest uncertainty H(P), mean over metric users (Eq. 4). */
  IU: number | null;
  /** Topic excellence P . Q, mean over metric users weighted by plays (Eq. 5). */
  TE: number | null;
  /** Active users the exploration metrics were computed on. */
  metricUsers: number;
}

/** A plays readout: `{plays: {estimate, ci95, se}}`. */
export interface PlaysLift {
  plays: Lift;
}

/** One day of the experiment. */
export interface ExperimentDay {
  /** Experiment day, 1 = first day of Phase I. */
  day: number;
  /** 1 or 2. */
  phase: 1 | 2;
  groups: Record<GroupName, GroupDay>;
  /** test/control - 1 with 95 % delta-method intervals at the user level (per active user, this day). */
  lift: Record<'plays' | 'impressions' | 'complete' | 'loop' | 'skip' | 'EI' | 'TD' | 'IU' | 'TE', Lift>;
  /** This day's paired truth: plays of the test users with exploration / without - 1 (null without truth). */
  truth: PlaysLift | null;
  /** This day's A/A: test/control - 1 of plays per active user in the counterfactual arm (null without truth). */
  aa: PlaysLift | null;
  /**
   * Cumulative within the phase up to this day: the readout (plays per assigned user, test/control - 1), the paired
   * truth and the A/A, each with a user-level interval.
   */
  cumulative: { lift: PlaysLift; truth: PlaysLift | null; aa: PlaysLift | null };
}

/** The cumulative readout of one phase. */
export interface PhaseReadout {
  phase: 1 | 2;
  /** First and last experiment day of the phase. */
  days: [number, number];
  /** Plays per assigned user over the phase, test/control - 1, user-level delta-method interval. */
  lift: PlaysLift;
  /** The same with CUPED on the burn-in plays (null without burn-in). */
  liftCuped: PlaysLift | null;
  /** The A/A counterpart: the same readout in the counterfactual arm (no exploration anywhere). */
  aa: PlaysLift | null;
  /** The A/A with CUPED. */
  aaCuped: PlaysLift | null;
  /** Paired truth on the test users over the phase. */
  truth: PlaysLift | null;
  /** Paired effect of test's exploration on the CONTROL users over the phase (leakage; 0 when none). */
  leakage: PlaysLift | null;
  /** Share of the variance of per-user plays removed by CUPED. */
  cupedVarianceReduction: number | null;
}

/** Exploration efficiency by user activity (Figure 4): users bucketed by plays over the experiment. */
export interface ActivityBucket {
  /** Bucket by total plays over the experiment: [lo, hi). */
  lo: number;
  hi: number;
  /** Users of the group in the bucket (the distribution of plays per user). */
  users: number;
  /** Per-user averages over the user's active days, then the mean over users of the bucket. */
  EI: number | null;
  TD: number | null;
  IU: number | null;
  TE: number | null;
}

/** The result of one simulated experiment. */
export interface RecsysExperimentResult {
  setting: Record<string, unknown>;
  days: ExperimentDay[];
  buckets: Record<'control' | 'test', ActivityBucket[]>;
  /** Users assigned per group. */
  assigned: Record<GroupName, number>;
  /** How well the production policy knew users' interests when the experiment started (end of the burn-in). */
  diagnostics: StartDiagnostics;
  /** The paired effect of exploration on the test users over all experiment days (null without truth). */
  truth: PlaysLift | null;
  /** Per phase: the cumulative readout, its A/A counterpart, the truth and the leakage. */
  phases: PhaseReadout[];
  /** Power of the whole-experiment readout for the configured shares (cv of per-user plays in control). */
  power: (PowerResult & { cv: number; varianceReductionCuped: number | null }) | null;
}

/** State of knowledge at the start of Phase I, over users with at least one impression (simulator truth). */
export interface StartDiagnostics {
  /** Share of users whose truly most relevant topic had been shown to them at least once. */
  bestTopicShown: number;
  /** Share of users whose most-shown topic is their truly most relevant one. */
  bestTopicIsMostShown: number;
  /** Mean over users of (best true relevance - true relevance of the topic the model ranks first). */
  relevanceGapOfModelTop: number;
  /** Mean number of distinct topics shown per user so far. */
  topicsShown: number;
}

/**
 * Validates settings and fills defaults.
 *
 * @throws ALLOT_OUT_OF_RANGE for zero users or topics, days < 1 (burn-in may be 0), sizes above
 *   {@link RECSYS_LIMITS}, gamma < 0, a discount outside (0, 1], shares not summing to 1 or a zero control/test
 *   share; ALLOT_INVALID_ARGUMENT for non-integers, an unknown preset or method; ALLOT_SHAPE_MISMATCH for shares or
 *   alpha of the wrong length.
 */
export function resolveRecsysExperiment(
  partial: Partial<RecsysExperimentConfig> = {},
): RecsysExperimentConfig {
  const c: RecsysExperimentConfig = { ...DEFAULT_RECSYS_EXPERIMENT, ...partial };
  assertInteger('users', c.users, 1, RECSYS_LIMITS.users);
  assertInteger('topics', c.topics, 1, RECSYS_LIMITS.topics);
  assertInteger('daysBurnin', c.daysBurnin, 0, RECSYS_LIMITS.days);
  assertInteger('daysPhase1', c.daysPhase1, 1, RECSYS_LIMITS.days);
  assertInteger('daysPhase2', c.daysPhase2, 1, RECSYS_LIMITS.days);
  createAssignment(c.shares, c.salt);
  assertNonNegative('gamma', c.gamma);
  if (c.gammaScale !== 'absolute' && c.gammaScale !== 'spread') {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `gammaScale must be one of absolute, spread (got ${JSON.stringify(c.gammaScale)})`,
    );
  }
  assertNonNegative('unseenCount', c.unseenCount);
  assertInInterval('discount', c.discount, 0, 1, true, false);
  if (c.alpha.length !== N_TASKS) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `alpha must have ${N_TASKS} entries (got ${c.alpha.length})`,
    );
  }
  toFiniteArray('alpha', Array.from(c.alpha));
  if (c.posteriorMethod !== 'quadrature' && c.posteriorMethod !== 'montecarlo') {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `posteriorMethod must be one of quadrature, montecarlo (got ${JSON.stringify(c.posteriorMethod)})`,
    );
  }
  assertInteger('posteriorSamples', c.posteriorSamples, 1, RECSYS_LIMITS.posteriorSamples);
  assertInInterval('priorStrength', c.priorStrength, 0, Number.POSITIVE_INFINITY, true);
  assertInInterval('klImpute', c.klImpute, 0, 1, true, true);
  if (!Object.hasOwn(WORLD_PRESETS, c.preset)) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `preset must be one of ${WORLD_PRESET_NAMES.join(', ')} (got ${JSON.stringify(c.preset)})`,
    );
  }
  resolveWorldConfig({ ...WORLD_PRESETS[c.preset], ...c.world, users: c.users, topics: c.topics });
  return c;
}

/** Per-group accumulators of one day. */
interface Acc {
  active: number[];
  eiSum: number;
  tdSum: number;
  iuSum: number;
  teNum: number;
  teDen: number;
  metricUsers: number[];
  /** Slot of each metric user in the day's metric values (4 per slot: EI, TD, IU, TE). */
  metricSlots: number[];
}

function newAcc(): Acc {
  return { active: [], eiSum: 0, tdSum: 0, iuSum: 0, teNum: 0, teDen: 0, metricUsers: [], metricSlots: [] };
}

/** A day whose exploration metrics are computed later (by any thread sharing the memory): what the readout needs. */
interface PendingDay {
  readonly expDay: number;
  readonly phase: 1 | 2;
  readonly day: number;
  readonly accs: Acc[];
  /** Plays today per metric slot. */
  readonly mPlays: Float64Array;
  /** Per group: plays, impressions, completions, loops, skips of the active users. */
  readonly cols: Float64Array[][];
  readonly cumulative: ExperimentDay['cumulative'];
}

/**
 * Shared memory of the exploration metrics of one simulation's experiment arm, so that they can be computed by the
 * experiment's thread and its counterfactual's (whichever is free) instead of by the experiment's thread alone:
 * the experiment arm records each day's inputs (counts before today per launched topic, today's impressions, the
 * prior's rates); units of {@link METRIC_UNIT_SLOTS} metric users of one day are claimed atomically, in day order, as
 * soon as their day is recorded (a helper whose own simulation is done starts on the first days while the experiment
 * arm still simulates the last ones, instead of idling until every day is recorded). The numbers are
 * the same as computed inline (the same kernel on the same inputs). Quadrature P only (Monte Carlo P draws from one
 * stream in user order).
 */
export interface RecsysMetricShared {
  /** Int32 x 4: days recorded (the first d days' inputs are ready), next unit, units done, total units. */
  readonly ctl: SharedArrayBuffer;
  /** Uint32 per <day, slot>: shown before today (K), completions before today (K), shown today (K). */
  readonly input: SharedArrayBuffer;
  /** Float64 per day: the global rate, then the prior topic rate of each launched topic (K + 1). */
  readonly prior: SharedArrayBuffer;
  /** Int32 per day: launched topics, metric users. */
  readonly meta: SharedArrayBuffer;
  /** Float64 per <day, slot>: EI, TD, IU, TE. */
  readonly out: SharedArrayBuffer;
  /** Experiment days, metric users (slots per day), topics. */
  readonly days: number;
  readonly slots: number;
  readonly topics: number;
}

/** Metric users per unit of shared metric work. */
export const METRIC_UNIT_SLOTS = 64;

/** Bytes above which {@link createRecsysMetricShared} declines (the metrics are then computed inline). */
const METRIC_SHARED_MAX_BYTES = 512 * 1024 * 1024;

/**
 * The number of users on whom the exploration metrics are computed: control, test, and a hash-selected panel of
 * production of the control group's expected size (as {@link simulateRecsysArm} selects them).
 */
function metricUserCount(c: RecsysExperimentConfig): number {
  const assignment = createAssignment(c.shares, c.salt);
  const panelShare = Math.min(1, c.shares[1] / Math.max(c.shares[0], 1e-12));
  let n = 0;
  for (let i = 0; i < c.users; i++) {
    const g = assignUser(assignment, i);
    if (g !== 0 || hashUnit(i, (c.salt + 1) >>> 0) < panelShare) n++;
  }
  return n;
}

/**
 * Allocates the shared memory of one simulation's exploration metrics, or returns null when they are computed inline
 * (Monte Carlo P, or more than 512 MB of inputs).
 *
 * @param partial - the simulation's settings.
 * @returns the shared buffers (pass the same object to both arms' jobs), or null.
 * @throws errors of {@link resolveRecsysExperiment}.
 */
export function createRecsysMetricShared(
  partial: Partial<RecsysExperimentConfig>,
): RecsysMetricShared | null {
  const c = resolveRecsysExperiment(partial);
  if (c.posteriorMethod !== 'quadrature') return null;
  const slots = metricUserCount(c);
  const days = c.daysPhase1 + c.daysPhase2;
  const K = c.topics;
  const bytes = days * slots * 3 * K * 4 + days * slots * 32 + days * (K + 1) * 8;
  if (bytes > METRIC_SHARED_MAX_BYTES) return null;
  return {
    ctl: new SharedArrayBuffer(16),
    input: new SharedArrayBuffer(Math.max(4, days * slots * 3 * K * 4)),
    prior: new SharedArrayBuffer(days * (K + 1) * 8),
    meta: new SharedArrayBuffer(days * 2 * 4),
    out: new SharedArrayBuffer(Math.max(8, days * slots * 4 * 8)),
    days,
    slots,
    topics: K,
  };
}

/**
 * Computes unclaimed units of the shared exploration metrics until none is left: units are claimed in day order and
 * a claimed unit waits until the experiment arm has recorded its day. Any number of threads may call it; each unit
 * is computed once, by the same kernel on the same inputs whichever thread claims it.
 *
 * @param shared - from {@link createRecsysMetricShared}.
 * @param partial - the simulation's settings (prior strength, KL imputation).
 */
export function helpRecsysMetrics(
  shared: RecsysMetricShared,
  partial: Partial<RecsysExperimentConfig>,
): void {
  const c = resolveRecsysExperiment(partial);
  const ctl = new Int32Array(shared.ctl);
  const K = shared.topics;
  const S = shared.slots;
  const input = new Uint32Array(shared.input);
  const prior = new Float64Array(shared.prior);
  const meta = new Int32Array(shared.meta);
  const out = new Float64Array(shared.out);
  const perDay = Math.max(1, Math.ceil(S / METRIC_UNIT_SLOTS));
  const total = shared.days * perDay;
  const aBuf = new Float64Array(K);
  const bBuf = new Float64Array(K);
  const pBuf = new Float64Array(K);
  const sBuf = new Float64Array(K);
  const rBuf = new Float64Array(K);
  const qBuf = new Float64Array(K);
  const tBuf = new Float64Array(K);
  const qWork = createQuadratureWork(K);
  const m: ExplorationMetrics = { EI: 0, TD: 0, IU: 0, TE: 0 };
  for (;;) {
    const u = Atomics.add(ctl, 1, 1);
    if (u >= total) break;
    const d = Math.floor(u / perDay);
    // Wait until day d is recorded (the Atomics store of the count publishes the day's inputs).
    for (;;) {
      const ready = Atomics.load(ctl, 0);
      if (ready > d) break;
      Atomics.wait(ctl, 0, ready, 1000);
    }
    const nk = meta[2 * d]!;
    const nm = meta[2 * d + 1]!;
    const gbar = prior[d * (K + 1)]!;
    for (let j = 0; j < nk; j++) tBuf[j] = prior[d * (K + 1) + 1 + j]!;
    const hi = Math.min(nm, ((u % perDay) + 1) * METRIC_UNIT_SLOTS);
    for (let slot = (u % perDay) * METRIC_UNIT_SLOTS; slot < hi; slot++) {
      const base = (d * S + slot) * 3 * K;
      let n = 0;
      let r = 0;
      for (let j = 0; j < nk; j++) {
        const sh = input[base + j]!;
        const re = input[base + K + j]!;
        n += sh;
        r += re;
        sBuf[j] = sh;
        rBuf[j] = re;
        qBuf[j] = input[base + 2 * K + j]!;
      }
      const ubar = Math.min(0.99, Math.max(0.01, (r + 10 * gbar) / (n + 10)));
      betaPosteriorInto(nk, sBuf, rBuf, 0, tBuf, ubar, gbar, c.priorStrength, aBuf, bBuf);
      maxProbabilitiesQuadratureInto(nk, aBuf, bBuf, pBuf, 0, qWork);
      explorationMetricsInto(nk, pBuf, 0, qBuf, 0, c.klImpute, m);
      const o = (d * S + slot) * 4;
      out[o] = m.EI;
      out[o + 1] = m.TD;
      out[o + 2] = m.IU;
      out[o + 3] = m.TE;
    }
    Atomics.add(ctl, 2, 1);
    Atomics.notify(ctl, 2);
  }
}

/**
 * Shared memory of one simulation's burn-in, simulated ONCE by the threads of its two arms together: the burn-in
 * serves the production policy to everyone in both arms (the test group's gamma only applies from Phase I on), on
 * the same world and the same per-user streams, so the two arms' burn-ins are the same numbers. With this, each
 * arm's thread serves half of the users each burn-in day (part 0 the first half, part 1 the rest) and the two
 * exchange the rows they served (and their items' counts) through these buffers; each thread still trains the
 * reward model itself on the whole log (the same numbers in both). The result is the same as each arm simulating
 * the whole burn-in alone (every user's day depends only on its own row, its own stream and the model; item counts
 * are integers, so their sums do not depend on the order).
 */
export interface RecsysBurninShared {
  /** Int32 x 1: the barrier's arrivals (2 per barrier). */
  readonly ctl: SharedArrayBuffer;
  /** Float64 per user row: the per-<user, topic> arrays (impressions, 3 task events, UCB counts). */
  readonly cells: SharedArrayBuffer;
  /** Int32 per user row: the sourcing order. */
  readonly order: SharedArrayBuffer;
  /** Float64 per user: impressions, UCB total, satisfaction, plays, impressions, 3 task events, burn-in plays. */
  readonly users: SharedArrayBuffer;
  /** Float64 per part: the day's impressions and completions per item. */
  readonly items: SharedArrayBuffer;
  readonly nUsers: number;
  readonly topics: number;
  readonly nItems: number;
}

/** Per-<user, topic> Float64 arrays exchanged after a burn-in day (impressions, 3 task events, UCB counts). */
const BURNIN_CELL_ARRAYS = 5;
/** Per-user Float64 arrays exchanged after a burn-in day. */
const BURNIN_USER_ARRAYS = 9;

/**
 * Allocates the shared memory of one simulation's cooperative burn-in ({@link RecsysBurninShared}), or returns null
 * when there is no burn-in. Pass the same object to both arms' jobs, and only when the two arms run on two threads
 * at the same time (each waits for the other once per burn-in day).
 *
 * @param partial - the simulation's settings.
 * @returns the shared buffers, or null.
 * @throws errors of {@link resolveRecsysExperiment}.
 */
export function createRecsysBurninShared(
  partial: Partial<RecsysExperimentConfig>,
): RecsysBurninShared | null {
  const c = resolveRecsysExperiment(partial);
  if (c.daysBurnin === 0) return null;
  const U = c.users;
  const K = c.topics;
  const wc = resolveWorldConfig({ ...WORLD_PRESETS[c.preset], ...c.world, users: U, topics: K });
  const items = K * wc.itemsPerTopic;
  return {
    ctl: new SharedArrayBuffer(4),
    cells: new SharedArrayBuffer(BURNIN_CELL_ARRAYS * U * K * 8),
    order: new SharedArrayBuffer(U * K * 4),
    users: new SharedArrayBuffer(BURNIN_USER_ARRAYS * U * 8),
    items: new SharedArrayBuffer(2 * 2 * items * 8),
    nUsers: U,
    topics: K,
    nItems: items,
  };
}

/** Everything that depends on the policy: one arm of the simulation (the experiment, or its counterfactual). */
interface Arm {
  /** gamma of the test group in Phase I and II (0 in the counterfactual arm). */
  readonly gammaTest: number;
  readonly log: InteractionLog;
  /** The log's cells with impressions, rebuilt before each day's training (shared by the arm's models). */
  readonly logIndex: LogIndex;
  /** User factors of the pooled (all-data) model, and of the per-group models in Phase II. */
  readonly factorsPooled: Float64Array;
  factorsGroup: Float64Array | undefined;
  readonly pooled: RewardModel;
  perGroup: RewardModel[] | undefined;
  /** UCB counts N_{t,a}(C) (discounted when discount < 1) and N_t(C). */
  readonly ucbCounts: Float64Array;
  readonly ucbTotal: Float64Array;
  /** Satisfaction S_i (recent completion rate). */
  readonly sat: Float64Array;
  /** Serving model's sum_T alpha_T rhat per <user, topic>, and the upstream (pooled) model's. */
  readonly exploit: Float64Array;
  readonly upstream: Float64Array;
  /** Spread of the serving and upstream scores per user. */
  readonly spread: Float64Array;
  readonly upSpread: Float64Array;
  /** Today's plays, impressions, task events per user; today's impressions and completions per <user, topic>. */
  readonly dPlays: Float64Array;
  readonly dImp: Float64Array;
  readonly dTask: Float64Array;
  readonly todayShown: Float64Array;
  readonly todayComplete: Float64Array;
  /** Impressions and completions per item over all users (the upstream item ranking's data), K x itemsPerTopic. */
  readonly itemShown: Float64Array;
  readonly itemComplete: Float64Array;
  /** The upstream item ranking's estimate per item, refreshed daily from the data before today. */
  readonly itemEstimate: Float64Array;
  /** Each topic's items by that estimate, best first ({@link itemOrderInto}), K x itemsPerTopic. */
  readonly itemOrder: Int32Array;
  /**
   * The completion probability of each item for the user being served ({@link itemRelevance}), valid where
   * `rhoStamp` equals the user-day's stamp: the logits are fixed during a day, so one exp per item a user is shown
   * that day instead of one per impression.
   */
  readonly rhoCache: Float64Array;
  readonly rhoStamp: Int32Array;
  /** Per user, the topics by yesterday's sourcing weight (the sourcing's visiting order), U x K. */
  readonly sourceOrder: Int32Array;
  /** Plays per user summed per phase: index 0 = burn-in (the pre-period), 1, 2. */
  readonly phasePlays: [Float64Array, Float64Array, Float64Array];
}

function createArm(
  U: number,
  K: number,
  items: number,
  gammaTest: number,
  satInit: number,
  modelOpts: Partial<RewardModelOptions>,
  rng: Rng,
): Arm {
  const T = N_TASKS;
  const pooled = createRewardModel(T, K, modelOpts, rng, [0.3, 0.05, 0.4]);
  const rank = pooled.options.rank;
  return {
    gammaTest,
    log: createInteractionLog(U, K, T),
    logIndex: createLogIndex(U, K),
    factorsPooled: new Float64Array(U * T * rank),
    factorsGroup: undefined,
    pooled,
    perGroup: undefined,
    ucbCounts: new Float64Array(U * K),
    ucbTotal: new Float64Array(U),
    sat: new Float64Array(U).fill(satInit),
    exploit: new Float64Array(U * K),
    upstream: new Float64Array(U * K),
    spread: new Float64Array(U),
    upSpread: new Float64Array(U),
    dPlays: new Float64Array(U),
    dImp: new Float64Array(U),
    dTask: new Float64Array(T * U),
    todayShown: new Float64Array(U * K),
    todayComplete: new Float64Array(U * K),
    itemShown: new Float64Array(items),
    itemComplete: new Float64Array(items),
    itemEstimate: new Float64Array(items),
    itemOrder: new Int32Array(items),
    rhoCache: new Float64Array(items),
    rhoStamp: new Int32Array(items),
    sourceOrder: Int32Array.from({ length: U * K }, (_, j) => j % K),
    phasePlays: [new Float64Array(U), new Float64Array(U), new Float64Array(U)],
  };
}

/** Spread (population sd) of row `i` of `x` over the launched topics. */
function launchedSpread(x: Float64Array, i: number, K: number, launched: Uint8Array): number {
  let s = 0;
  let ss = 0;
  let n = 0;
  for (let k = 0; k < K; k++) {
    if (launched[k] === 0) continue;
    const v = x[i * K + k]!;
    s += v;
    ss += v * v;
    n++;
  }
  if (n === 0) return 0;
  const m = s / n;
  return Math.sqrt(Math.max(0, ss / n - m * m));
}

/**
 * The upstream item ranking's daily refresh (trained on all users' data before today): each item's completion rate
 * smoothed towards its topic's, (c_m + 10 r_k) / (n_m + 10), r_k the topic's rate over its items smoothed towards the
 * global rate. A never-shown item is estimated at its topic's rate.
 */
function refreshItemEstimates(arm: Arm, K: number, ipt: number): void {
  const { itemShown: n, itemComplete: c, itemEstimate: est } = arm;
  let gn = 0;
  let gc = 0;
  for (let m = 0; m < n.length; m++) {
    gn += n[m]!;
    gc += c[m]!;
  }
  const g = gn > 0 ? gc / gn : 0.3;
  for (let k = 0; k < K; k++) {
    const o = k * ipt;
    let tn = 0;
    let tc = 0;
    for (let j = 0; j < ipt; j++) {
      tn += n[o + j]!;
      tc += c[o + j]!;
    }
    const r = (tc + 10 * g) / (tn + 10);
    for (let j = 0; j < ipt; j++) est[o + j] = (c[o + j]! + 10 * r) / (n[o + j]! + 10);
  }
}

/** Picks the values of `users` from `x`. */
function pick(x: Float64Array, users: Int32Array): Float64Array {
  const out = new Float64Array(users.length);
  for (let j = 0; j < users.length; j++) out[j] = x[users[j]!]!;
  return out;
}

const plays = (l: Lift): PlaysLift => ({ plays: l });

/** One arm of a simulated experiment: the experiment itself, or its counterfactual (exploration off in test). */
export interface RecsysArmResult {
  /** gamma of the test group in this arm. */
  gammaTest: number;
  /** Tracked users: the control users, then the test users (ids ascending in each). */
  tracked: Int32Array;
  /** Number of control users at the start of `tracked`. */
  nControl: number;
  /** Plays per tracked user on each experiment day (index day - 1). */
  dailyPlays: Float64Array[];
  /** Impressions per tracked user on each experiment day. */
  dailyImpressions: Float64Array[];
  /** Plays per tracked user during the burn-in (the pre-period of CUPED). */
  prePlays: Float64Array;
  /** Only for the full arm: per-day metrics (truth, aa and their cumulative versions filled by the combination). */
  days: ExperimentDay[] | null;
  buckets: Record<'control' | 'test', ActivityBucket[]> | null;
  diagnostics: StartDiagnostics | null;
  assigned: Record<GroupName, number>;
  setting: Record<string, unknown>;
}

/**
 * Runs one simulated two-phase experiment (and, with `truth`, its counterfactual on the same users).
 *
 * @remarks The two arms are {@link simulateRecsysArm} with the test group's gamma and with gamma = 0 on the same
 * random stream (the same world, the same users, the same per-user daily draws), combined by
 * {@link combineRecsysArms}; the CLI runs the two arms on two worker threads.
 *
 * @param partial - settings (defaults {@link DEFAULT_RECSYS_EXPERIMENT}).
 * @param rng - the run's random source (forked into world, model, per-day and per-user streams).
 * @param onProgress - called after each simulated day with (done, total) (both arms counted).
 * @returns per-day group metrics and lifts, the phase readouts with their A/A and truth, activity buckets, the
 *   settings.
 * @throws errors of {@link resolveRecsysExperiment}.
 */
export function runRecsysExperiment(
  partial: Partial<RecsysExperimentConfig>,
  rng: Rng,
  onProgress?: (done: number, total: number) => void,
): RecsysExperimentResult {
  const c = resolveRecsysExperiment(partial);
  const total = (c.daysBurnin + c.daysPhase1 + c.daysPhase2) * (c.truth ? 2 : 1);
  const main = simulateRecsysArm(c, rng, c.gamma, true, (d) => onProgress?.(d, total));
  const cf = c.truth ? simulateRecsysArm(c, rng, 0, false, (d, t) => onProgress?.(t + d, total)) : undefined;
  return combineRecsysArms(main, cf);
}

/**
 * Simulates one arm of the experiment.
 *
 * @param partial - settings.
 * @param rng - the run's random source: two arms on the same `rng` meet the same world and users with the same
 *   draws (common random numbers).
 * @param gammaTest - gamma of the test group in this arm (the experiment: `gamma`; the counterfactual: 0).
 * @param full - compute the per-day metrics (EI, TD, IU, TE, the readouts) and buckets; false keeps only the plays of
 *   the control and test users (enough for the truth and the A/A).
 * @param onProgress - called after each simulated day with (done, total).
 * @param shared - with `full`: shared memory from {@link createRecsysMetricShared} to compute the exploration metrics
 *   in; this thread records every day, then computes units until none is left and waits for those claimed by other
 *   threads ({@link helpRecsysMetrics}); the result is the same as without it.
 * @param burnin - shared memory from {@link createRecsysBurninShared} and this arm's part (0 or 1): the burn-in is
 *   served half by this thread and half by the thread of the other part, which must run at the same time (each
 *   waits for the other after every burn-in day); the result is the same as without it.
 * @returns the arm.
 * @throws errors of {@link resolveRecsysExperiment}; ALLOT_INVALID_ARGUMENT for shared memory of other settings.
 */
export function simulateRecsysArm(
  partial: Partial<RecsysExperimentConfig>,
  rng: Rng,
  gammaTest: number,
  full: boolean,
  onProgress?: (done: number, total: number) => void,
  shared?: RecsysMetricShared | null,
  burnin?: { readonly shared: RecsysBurninShared; readonly part: 0 | 1 } | null,
): RecsysArmResult {
  const c = resolveRecsysExperiment(partial);
  if (shared != null && (c.posteriorMethod !== 'quadrature' || shared.topics !== c.topics)) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'shared metrics need quadrature P and the same settings');
  }
  const U = c.users;
  const K = c.topics;
  const worldConfig = { ...WORLD_PRESETS[c.preset], ...c.world, users: U, topics: K };
  const world: RecsysWorld = createRecsysWorld(worldConfig, rng.fork(0));
  const wc = world.config;
  const personalised = wc.sourcing === 'personalised';
  const expDays = c.daysPhase1 + c.daysPhase2;
  const launches = launchDays(wc.newTopics, expDays);
  const assignment = createAssignment(c.shares, c.salt);
  const group = new Uint8Array(U);
  const lists: number[][] = [[], [], []];
  // Production metrics are computed on a hash-selected panel of the control group's expected size.
  const panelShare = Math.min(1, c.shares[1] / Math.max(c.shares[0], 1e-12));
  const metricUser = new Uint8Array(U);
  let nMetric = 0;
  for (let i = 0; i < U; i++) {
    const g = assignUser(assignment, i);
    group[i] = g;
    lists[g]!.push(i);
    metricUser[i] = g !== 0 || hashUnit(i, (c.salt + 1) >>> 0) < panelShare ? 1 : 0;
    nMetric += metricUser[i]!;
  }
  if (
    burnin != null &&
    (burnin.shared.nUsers !== U ||
      burnin.shared.topics !== K ||
      burnin.shared.nItems !== K * world.itemsPerTopic)
  ) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'the shared burn-in was allocated for other settings');
  }
  if (shared != null && (shared.slots !== nMetric || shared.days !== expDays)) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'shared metrics were allocated for other settings');
  }
  const allUsers = Int32Array.from({ length: U }, (_, i) => i);
  const groupUsers = lists.map((l) => Int32Array.from(l));
  const alpha = Float64Array.from(c.alpha);
  const ipt = world.itemsPerTopic;
  const main = createArm(U, K, K * ipt, gammaTest, world.referenceRate, c.model, rng.fork(1));
  const tracked = Int32Array.from([...lists[1]!, ...lists[2]!]);
  const dailyPlays: Float64Array[] = [];
  const dailyImpressions: Float64Array[] = [];
  const avail = new Int32Array(K);
  const cand = new Int32Array(K);
  const keys = new Float64Array(K);
  const weights = new Float64Array(K);
  const raceTop = new Float64Array(K);
  const pBuf = new Float64Array(K);
  const aBuf = new Float64Array(K);
  const bBuf = new Float64Array(K);
  const sBuf = new Float64Array(K);
  const rBuf = new Float64Array(K);
  const qBuf = new Float64Array(K);
  const tBuf = new Float64Array(K);
  const topicRate = new Float64Array(K);
  const tShown = new Float64Array(K);
  const mpWork = createMaxProbabilityWork(K);
  const qWork = createQuadratureWork(K);
  const m: ExplorationMetrics = { EI: 0, TD: 0, IU: 0, TE: 0 };
  // Per-user sums over experiment days for the activity buckets.
  const uPlays = new Float64Array(U);
  const uDays = new Float64Array(U);
  const uEI = new Float64Array(U);
  const uTD = new Float64Array(U);
  const uIU = new Float64Array(U);
  const uTE = new Float64Array(U);
  // Metric values of the day per metric slot (EI, TD, IU, TE) and plays per slot, when computed inline.
  const valsBuf = full && shared == null ? new Float64Array(4 * U) : null;
  const mPlaysBuf = new Float64Array(full ? U : 0);
  // With shared memory: the recorded days and typed views of the buffers.
  const sharedView =
    full && shared != null
      ? {
          ctl: new Int32Array(shared.ctl),
          input: new Uint32Array(shared.input),
          prior: new Float64Array(shared.prior),
          meta: new Int32Array(shared.meta),
          out: new Float64Array(shared.out),
          slots: shared.slots,
        }
      : null;
  const pending: PendingDay[] = [];
  const unchangedBuf = new Uint8Array(U);
  const totalDays = c.daysBurnin + expDays;
  const days: ExperimentDay[] = [];
  const maxImp = wc.maxImpressions;
  const UK = U * K;
  const metricRng = rng.fork(3);
  const satW = 1 - 2 ** (-1 / wc.satisfactionHalfLife);
  const beta = wc.activityResponse;
  let diagnostics: StartDiagnostics = {
    bestTopicShown: Number.NaN,
    bestTopicIsMostShown: Number.NaN,
    relevanceGapOfModelTop: Number.NaN,
    topicsShown: Number.NaN,
  };
  const startDiagnostics = (arm: Arm): StartDiagnostics => {
    let n = 0;
    let seen = 0;
    let most = 0;
    let gap = 0;
    let distinct = 0;
    const log = arm.log;
    for (let i = 0; i < U; i++) {
      if (log.shownTotal[i]! <= 0) continue;
      n++;
      let best = -1;
      let top = -1;
      let mostShown = -1;
      for (let k = 0; k < K; k++) {
        if (world.launched[k] === 0) continue;
        const idx = i * K + k;
        if (best < 0 || world.relevance[idx]! > world.relevance[i * K + best]!) best = k;
        if (top < 0 || arm.exploit[idx]! > arm.exploit[i * K + top]!) top = k;
        if (mostShown < 0 || log.shown[idx]! > log.shown[i * K + mostShown]!) mostShown = k;
        if (log.shown[idx]! > 0) distinct++;
      }
      if (log.shown[i * K + best]! > 0) seen++;
      if (mostShown === best) most++;
      gap += world.relevance[i * K + best]! - world.relevance[i * K + top]!;
    }
    return {
      bestTopicShown: seen / n,
      bestTopicIsMostShown: most / n,
      relevanceGapOfModelTop: gap / n,
      topicsShown: distinct / n,
    };
  };

  /**
   * Today's scores of user i (upstream and serving) and their spreads. Called before the user is served, so the
   * user's own row of the log is still the data before today (the same numbers as scoring everyone first).
   */
  const scoreUser = (arm: Arm, phase: number, i: number): void => {
    predictUser(arm.pooled, arm.factorsPooled, arm.log, i, alpha, arm.upstream);
    arm.upSpread[i] = launchedSpread(arm.upstream, i, K, world.launched);
    if (phase === 2) {
      predictUser(arm.perGroup![group[i]!]!, arm.factorsGroup!, arm.log, i, alpha, arm.exploit);
      arm.spread[i] = launchedSpread(arm.exploit, i, K, world.launched);
    } else {
      const up = arm.upstream;
      const ex = arm.exploit;
      for (let k = i * K; k < i * K + K; k++) ex[k] = up[k]!;
      arm.spread[i] = arm.upSpread[i]!;
    }
  };

  /**
   * Daily refresh of the arm's model(s) on the data logged before today; with `scoreAll`, today's scores of every
   * user (otherwise each user is scored when served, only if it has a session today).
   */
  const trainAndScore = (arm: Arm, phase: number, day: number, scoreAll: boolean): void => {
    if (phase === 2 && arm.perGroup === undefined) {
      arm.perGroup = [0, 1, 2].map(() => cloneRewardModel(arm.pooled));
      arm.factorsGroup = arm.factorsPooled.slice();
    }
    if (day > 1) {
      // From day 3 every model was last trained yesterday (a Phase II model is cloned, with the factors, from the
      // pooled one trained yesterday): a user without impressions yesterday keeps its factor in the first user step
      // (the step would give the same numbers).
      let unchanged: Uint8Array | undefined;
      if (day > 2) {
        unchanged = unchangedBuf;
        for (let i = 0; i < U; i++) unchanged[i] = arm.dImp[i]! > 0 ? 0 : 1;
      }
      // The pooled model is trained on everyone's data in every phase: in Phase I it serves everyone, in Phase II
      // it is the upstream sourcing model "trained on the full production data".
      indexLogInto(arm.log, arm.logIndex);
      trainRewardModel(arm.pooled, arm.factorsPooled, arm.log, allUsers, unchanged, arm.logIndex);
      if (phase === 2) {
        for (let g = 0; g < 3; g++) {
          const model = arm.perGroup![g]!;
          trainRewardModel(model, arm.factorsGroup!, arm.log, groupUsers[g]!, unchanged, arm.logIndex);
        }
      }
    }
    if (scoreAll) for (let i = 0; i < U; i++) scoreUser(arm, phase, i);
  };

  /** The stamp of the user-day being served (for the arm's item relevance cache). */
  let rhoStampNext = 0;
  /** Serves one day to the users lo..hi-1 of the arm (every user but in a shared burn-in). */
  const serve = (arm: Arm, phase: number, day: number, scored: boolean, lo: number, hi: number): void => {
    const { log, exploit, upstream, ucbCounts, ucbTotal, dPlays, dImp, dTask, todayShown, todayComplete } =
      arm;
    todayShown.fill(0);
    todayComplete.fill(0);
    dPlays.fill(0);
    dImp.fill(0);
    dTask.fill(0);
    if (c.discount < 1 && day > 1) {
      for (let j = 0; j < UK; j++) ucbCounts[j]! *= c.discount;
      for (let i = 0; i < U; i++) ucbTotal[i]! *= c.discount;
    }
    if (ipt > 1) {
      refreshItemEstimates(arm, K, ipt);
      itemOrderInto(world, arm.itemEstimate, arm.itemOrder);
    }
    // One stream per user and day: a user's randomness does not depend on what other users were shown, and both
    // arms meet the same users with the same draws (common random numbers).
    const dayRoot = rng.fork(100 + day);
    const { rhoCache, rhoStamp } = arm;
    for (let i = lo; i < hi; i++) {
      const g = group[i]!;
      rhoStampNext = rhoStampNext === 2147483647 ? 1 : rhoStampNext + 1;
      if (rhoStampNext === 1) rhoStamp.fill(0);
      const stamp = rhoStampNext;
      const dayRng = dayRoot.fork(i);
      const mult = beta > 0 ? Math.exp(beta * (arm.sat[i]! - world.referenceRate)) : 1;
      const sessions = drawSessions(world, i, dayRng, mult);
      if (sessions > 0 && !scored) scoreUser(arm, phase, i);
      let gamma = phase >= 1 && g === 2 ? arm.gammaTest : 0;
      if (gamma > 0 && c.gammaScale === 'spread') gamma *= arm.spread[i]!;
      const row = i * K;
      const weighted =
        personalised && sessions > 0 && candidateWeightsInto(world, upstream, row, arm.upSpread[i]!, weights);
      if (weighted) sortByWeightInto(world, weights, arm.sourceOrder, row);
      // The user's running totals in locals (the same additions, written back after the user's sessions).
      let total = ucbTotal[i]!;
      let shownTotal = log.shownTotal[i]!;
      let imp = 0;
      let nPlays = 0;
      let nComplete = 0;
      let nLoop = 0;
      let nSkip = 0;
      for (let s = 0; s < sessions; s++) {
        const nCand = !personalised
          ? 0
          : weighted
            ? drawCandidatesWeighted(world, weights, dayRng, keys, cand, raceTop, arm.sourceOrder, row)
            : drawCandidates(world, upstream, row, arm.upSpread[i]!, dayRng, keys, cand);
        for (let n = 0; n < maxImp; n++) {
          const nAvail = personalised
            ? drawFromCandidates(world, cand, nCand, dayRng, avail)
            : drawAvailable(world, dayRng, avail);
          const a = ucbSelect(
            exploit,
            row,
            ucbCounts,
            row,
            total,
            gamma,
            c.unseenCount,
            avail,
            nAvail,
            dayRng,
          );
          let out: number;
          if (ipt > 1) {
            const item = pickItemOrdered(world, a, arm.itemOrder, dayRng);
            let rho: number;
            if (rhoStamp[item] === stamp) {
              rho = rhoCache[item]!;
            } else {
              rho = itemRelevance(world, i, item);
              rhoCache[item] = rho;
              rhoStamp[item] = stamp;
            }
            out = respondRate(world, rho, dayRng);
            arm.itemShown[item]! += 1;
            if (out & OUTCOME_COMPLETE) arm.itemComplete[item]! += 1;
          } else {
            out = respond(world, i, a, dayRng);
          }
          log.shown[row + a]! += 1;
          shownTotal += 1;
          ucbCounts[row + a]! += 1;
          total += 1;
          todayShown[row + a]! += 1;
          imp += 1;
          if (out & OUTCOME_COMPLETE) {
            log.events[TASK_COMPLETE * UK + row + a]! += 1;
            todayComplete[row + a]! += 1;
            nComplete += 1;
          }
          if (out & OUTCOME_LOOP) {
            log.events[TASK_LOOP * UK + row + a]! += 1;
            nLoop += 1;
          }
          if (out & OUTCOME_SKIP) {
            log.events[TASK_SKIP * UK + row + a]! += 1;
            nSkip += 1;
          } else {
            nPlays += 1;
          }
          if (!continues(world, out, dayRng)) break;
        }
      }
      ucbTotal[i] = total;
      log.shownTotal[i] = shownTotal;
      dImp[i] = imp;
      dPlays[i] = nPlays;
      dTask[TASK_COMPLETE * U + i] = nComplete;
      dTask[TASK_LOOP * U + i] = nLoop;
      dTask[TASK_SKIP * U + i] = nSkip;
      if (imp > 0) arm.sat[i]! += satW * (nComplete / imp - arm.sat[i]!);
      arm.phasePlays[phase]![i]! += nPlays;
    }
  };

  /** The item counts before today's serving (impressions, then completions), for the shared burn-in. */
  const itemsBefore = new Float64Array(burnin != null ? 2 * main.itemShown.length : 0);
  /** Barriers passed in the shared burn-in. */
  let barriers = 0;
  /** Waits until both parts have arrived at the next barrier. */
  const barrier = (ctl: Int32Array): void => {
    barriers++;
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    const t0 = Date.now();
    for (;;) {
      const arrived = Atomics.load(ctl, 0);
      if (arrived >= 2 * barriers) return;
      if (Date.now() - t0 > 600_000) {
        throw new AllotError(
          'ALLOT_INTERNAL',
          'the other part of the shared burn-in did not arrive in 10 minutes',
        );
      }
      Atomics.wait(ctl, 0, arrived, 1000);
    }
  };
  /**
   * After a shared burn-in day: publishes the rows [lo, hi) this part served and its items' counts of the day, then
   * copies the other part's rows [oLo, oHi) and adds its item counts (integers: the sums are exact in any order).
   */
  const exchangeBurnin = (
    sh: RecsysBurninShared,
    part: 0 | 1,
    arm: Arm,
    lo: number,
    hi: number,
    oLo: number,
    oHi: number,
  ): void => {
    const ctl = new Int32Array(sh.ctl);
    const cells = new Float64Array(sh.cells);
    const order = new Int32Array(sh.order);
    const users = new Float64Array(sh.users);
    const items = new Float64Array(sh.items);
    const log = arm.log;
    const cellArrays = [
      log.shown,
      log.events.subarray(0, UK),
      log.events.subarray(UK, 2 * UK),
      log.events.subarray(2 * UK, 3 * UK),
      arm.ucbCounts,
    ];
    const userArrays = [
      log.shownTotal,
      arm.ucbTotal,
      arm.sat,
      arm.dPlays,
      arm.dImp,
      arm.dTask.subarray(0, U),
      arm.dTask.subarray(U, 2 * U),
      arm.dTask.subarray(2 * U, 3 * U),
      arm.phasePlays[0],
    ];
    const nItems = arm.itemShown.length;
    for (let a = 0; a < cellArrays.length; a++) {
      cells.set(cellArrays[a]!.subarray(lo * K, hi * K), a * UK + lo * K);
    }
    order.set(arm.sourceOrder.subarray(lo * K, hi * K), lo * K);
    for (let a = 0; a < userArrays.length; a++) users.set(userArrays[a]!.subarray(lo, hi), a * U + lo);
    const mine = part * 2 * nItems;
    for (let m = 0; m < nItems; m++) {
      items[mine + m] = arm.itemShown[m]! - itemsBefore[m]!;
      items[mine + nItems + m] = arm.itemComplete[m]! - itemsBefore[nItems + m]!;
    }
    barrier(ctl);
    for (let a = 0; a < cellArrays.length; a++) {
      cellArrays[a]!.set(cells.subarray(a * UK + oLo * K, a * UK + oHi * K), oLo * K);
    }
    arm.sourceOrder.set(order.subarray(oLo * K, oHi * K), oLo * K);
    for (let a = 0; a < userArrays.length; a++)
      userArrays[a]!.set(users.subarray(a * U + oLo, a * U + oHi), oLo);
    const theirs = (1 - part) * 2 * nItems;
    for (let m = 0; m < nItems; m++) {
      arm.itemShown[m]! += items[theirs + m]!;
      arm.itemComplete[m]! += items[theirs + nItems + m]!;
    }
    // Both parts have read everything before either writes the next day's rows.
    barrier(ctl);
  };

  let curGbar = 0.3;
  for (let day = 1; day <= totalDays; day++) {
    const expDay = day - c.daysBurnin;
    const phase = expDay <= 0 ? 0 : expDay <= c.daysPhase1 ? 1 : 2;
    // The world is shared by both arms: launches and interest drift do not depend on the policy.
    for (let j = 0; j < launches.length; j++)
      if (launches[j] === expDay) world.launched[K - wc.newTopics + j] = 1;
    // With items the serving reads only the logits; the relevance is filled when the diagnostics need it.
    if (day > 1) driftInterests(world, rng.fork(200 + day), ipt === 1);
    // Everyone is scored on the first experiment day (for the start diagnostics); otherwise only users with a session.
    const scoreAll = expDay === 1;
    trainAndScore(main, phase, day, scoreAll);
    if (expDay === 1) {
      if (ipt > 1) relevanceFromLogit(world);
      diagnostics = startDiagnostics(main);
    }
    // Topic and global relevance rates before today (for the light prior of P), over launched topics.
    let gShown = 0;
    let gRel = 0;
    if (phase > 0 && full) {
      topicRate.fill(0);
      tShown.fill(0);
      const log = main.log;
      for (let i = 0; i < U; i++) {
        for (let k = 0; k < K; k++) {
          tShown[k]! += log.shown[i * K + k]!;
          topicRate[k]! += log.events[TASK_COMPLETE * UK + i * K + k]!;
        }
      }
      for (let k = 0; k < K; k++) {
        gShown += tShown[k]!;
        gRel += topicRate[k]!;
      }
      const gbar0 = gShown > 0 ? gRel / gShown : 0.3;
      for (let k = 0; k < K; k++) topicRate[k] = (topicRate[k]! + 10 * gbar0) / (tShown[k]! + 10);
    }
    const gbar = Math.min(0.99, Math.max(0.01, gShown > 0 ? gRel / gShown : 0.3));
    curGbar = gbar;
    for (let k = 0; k < K; k++) topicRate[k] = Math.min(0.99, Math.max(0.01, topicRate[k]! || gbar));
    if (phase === 0 && burnin != null) {
      // The shared burn-in: serve this part's users, then take the other part's rows and item counts.
      const half = Math.floor(U / 2);
      const lo = burnin.part === 0 ? 0 : half;
      const hi = burnin.part === 0 ? half : U;
      itemsBefore.set(main.itemShown);
      itemsBefore.set(main.itemComplete, main.itemShown.length);
      serve(main, phase, day, scoreAll, lo, hi);
      exchangeBurnin(
        burnin.shared,
        burnin.part,
        main,
        lo,
        hi,
        burnin.part === 0 ? hi : 0,
        burnin.part === 0 ? U : lo,
      );
    } else {
      serve(main, phase, day, scoreAll, 0, U);
    }
    if (phase > 0) {
      dailyPlays.push(pick(main.dPlays, tracked));
      dailyImpressions.push(pick(main.dImp, tracked));
      if (full) {
        if (sharedView !== null) {
          pending.push(collectDay(expDay, phase as 1 | 2, day, null));
          // Publish the day: helpers may compute its units from now on.
          Atomics.store(sharedView.ctl, 0, expDay);
          Atomics.notify(sharedView.ctl, 0);
        } else days.push(finishDay(collectDay(expDay, phase as 1 | 2, day, valsBuf!), valsBuf!));
      }
    }
    onProgress?.(day, totalDays);
  }

  /**
   * Collects one day's readout: active users, plays per user, the per-group columns and the cumulative lift (which
   * depend on today's state), and the exploration metrics of the metric users: computed now (into `vals`, 4 per
   * slot) or, with shared memory, their inputs recorded for {@link helpRecsysMetrics}.
   */
  function collectDay(expDay: number, phase: 1 | 2, day: number, vals: Float64Array | null): PendingDay {
    const { log, todayShown, todayComplete, dPlays, dImp, dTask } = main;
    const accs = [newAcc(), newAcc(), newAcc()];
    const dayMetricRng = metricRng.fork(day);
    // Launched topics (P and Q are over the topics that exist today).
    let nk = 0;
    for (let k = 0; k < K; k++) if (world.launched[k] === 1) cand[nk++] = k;
    const d = expDay - 1;
    const rec = vals === null ? sharedView! : null;
    if (rec !== null) {
      rec.prior[d * (K + 1)] = curGbar;
      for (let j = 0; j < nk; j++) rec.prior[d * (K + 1) + 1 + j] = topicRate[cand[j]!]!;
    }
    let slot = 0;
    for (let i = 0; i < U; i++) {
      if (dImp[i]! <= 0) continue;
      const acc = accs[group[i]!]!;
      acc.active.push(i);
      uPlays[i]! += dPlays[i]!;
      if (metricUser[i] === 0) continue;
      acc.metricUsers.push(i);
      acc.metricSlots.push(slot);
      mPlaysBuf[slot] = dPlays[i]!;
      if (rec !== null) {
        // P from data before today; Q from today's recommendations (computed by whichever thread claims the unit).
        const base = (d * rec.slots + slot) * 3 * K;
        for (let j = 0; j < nk; j++) {
          const idx = i * K + cand[j]!;
          rec.input[base + j] = log.shown[idx]! - todayShown[idx]!;
          rec.input[base + K + j] = log.events[TASK_COMPLETE * UK + idx]! - todayComplete[idx]!;
          rec.input[base + 2 * K + j] = todayShown[idx]!;
        }
        slot++;
        continue;
      }
      // P from data before today; Q from today's recommendations.
      let n = 0;
      let r = 0;
      for (let j = 0; j < nk; j++) {
        const idx = i * K + cand[j]!;
        const sh = log.shown[idx]! - todayShown[idx]!;
        const re = log.events[TASK_COMPLETE * UK + idx]! - todayComplete[idx]!;
        n += sh;
        r += re;
        sBuf[j] = sh;
        rBuf[j] = re;
        qBuf[j] = todayShown[idx]!;
        tBuf[j] = topicRate[cand[j]!]!;
      }
      const ubar = Math.min(0.99, Math.max(0.01, (r + 10 * curGbar) / (n + 10)));
      betaPosteriorInto(nk, sBuf, rBuf, 0, tBuf, ubar, curGbar, c.priorStrength, aBuf, bBuf);
      if (c.posteriorMethod === 'quadrature') maxProbabilitiesQuadratureInto(nk, aBuf, bBuf, pBuf, 0, qWork);
      else maxProbabilitiesInto(nk, aBuf, bBuf, c.posteriorSamples, dayMetricRng, pBuf, 0, mpWork);
      explorationMetricsInto(nk, pBuf, 0, qBuf, 0, c.klImpute, m);
      vals![4 * slot] = m.EI;
      vals![4 * slot + 1] = m.TD;
      vals![4 * slot + 2] = m.IU;
      vals![4 * slot + 3] = m.TE;
      slot++;
    }
    if (rec !== null) {
      rec.meta[2 * d] = nk;
      rec.meta[2 * d + 1] = slot;
    }
    const cols: Float64Array[][] = [];
    for (let g = 0; g < 3; g++) {
      const acc = accs[g]!;
      const na = acc.active.length;
      const pl = new Float64Array(na);
      const imp = new Float64Array(na);
      const comp = new Float64Array(na);
      const loop = new Float64Array(na);
      const skip = new Float64Array(na);
      for (let j = 0; j < na; j++) {
        const i = acc.active[j]!;
        pl[j] = dPlays[i]!;
        imp[j] = dImp[i]!;
        comp[j] = dTask[TASK_COMPLETE * U + i]!;
        loop[j] = dTask[TASK_LOOP * U + i]!;
        skip[j] = dTask[TASK_SKIP * U + i]!;
      }
      cols.push([pl, imp, comp, loop, skip]);
    }
    const pp = main.phasePlays[phase];
    const cumulative = {
      lift: plays(meanLift(pick(pp, groupUsers[2]!), pick(pp, groupUsers[1]!))),
      truth: null,
      aa: null,
    };
    return { expDay, phase, day, accs, mPlays: mPlaysBuf.slice(0, slot), cols, cumulative };
  }

  /** The day's readout from its collected state and the metric values of its slots (4 per slot, from `vals`). */
  function finishDay(p: PendingDay, vals: Float64Array): ExperimentDay {
    const { expDay, phase, accs, mPlays } = p;
    for (let g = 0; g < 3; g++) {
      const acc = accs[g]!;
      for (let j = 0; j < acc.metricUsers.length; j++) {
        const i = acc.metricUsers[j]!;
        const o = 4 * acc.metricSlots[j]!;
        const EI = vals[o]!;
        const TD = vals[o + 1]!;
        const IU = vals[o + 2]!;
        const TE = vals[o + 3]!;
        const dp = mPlays[acc.metricSlots[j]!]!;
        acc.eiSum += EI;
        acc.tdSum += TD;
        acc.iuSum += IU;
        acc.teNum += dp * TE;
        acc.teDen += dp;
        uDays[i]! += 1;
        uEI[i]! += EI;
        uTD[i]! += TD;
        uIU[i]! += IU;
        uTE[i]! += TE;
      }
    }
    const groups = {} as Record<GroupName, GroupDay>;
    const ratios: Record<string, ReturnType<typeof ratioEstimate>>[] = [];
    for (let g = 0; g < 3; g++) {
      const acc = accs[g]!;
      const na = acc.active.length;
      const ones = new Float64Array(na).fill(1);
      const [pl, imp, comp, loop, skip] = p.cols[g]! as [
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
        Float64Array,
      ];
      const nm = acc.metricUsers.length;
      const mOnes = new Float64Array(nm).fill(1);
      const ei = new Float64Array(nm);
      const td = new Float64Array(nm);
      const iu = new Float64Array(nm);
      const teY = new Float64Array(nm);
      const teX = new Float64Array(nm);
      for (let j = 0; j < nm; j++) {
        const s = acc.metricSlots[j]!;
        ei[j] = vals[4 * s]!;
        td[j] = vals[4 * s + 1]!;
        iu[j] = vals[4 * s + 2]!;
        teY[j] = mPlays[s]! * vals[4 * s + 3]!;
        teX[j] = mPlays[s]!;
      }
      const r = {
        plays: ratioEstimate(na, pl, ones),
        impressions: ratioEstimate(na, imp, ones),
        complete: ratioEstimate(na, comp, imp),
        loop: ratioEstimate(na, loop, imp),
        skip: ratioEstimate(na, skip, imp),
        EI: ratioEstimate(nm, ei, mOnes),
        TD: ratioEstimate(nm, td, mOnes),
        IU: ratioEstimate(nm, iu, mOnes),
        TE: ratioEstimate(nm, teY, teX),
      };
      ratios.push(r);
      const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
      groups[GROUPS[g]!] = {
        users: na,
        plays: na > 0 ? r.plays.ratio : 0,
        impressions: na > 0 ? r.impressions.ratio : 0,
        complete: orNull(r.complete.ratio) ?? 0,
        loop: orNull(r.loop.ratio) ?? 0,
        skip: orNull(r.skip.ratio) ?? 0,
        playRate: orNull(ratioEstimate(na, pl, imp).ratio) ?? 0,
        EI: nm > 0 ? acc.eiSum / nm : null,
        TD: nm > 0 ? acc.tdSum / nm : null,
        IU: nm > 0 ? acc.iuSum / nm : null,
        TE: acc.teDen > 0 ? acc.teNum / acc.teDen : null,
        metricUsers: nm,
      };
    }
    const lift = {} as ExperimentDay['lift'];
    for (const key of ['plays', 'impressions', 'complete', 'loop', 'skip', 'EI', 'TD', 'IU', 'TE'] as const) {
      lift[key] = liftFromRatios(ratios[2]![key]!, ratios[1]![key]!);
    }
    return { day: expDay, phase, groups, lift, truth: null, aa: null, cumulative: p.cumulative };
  }

  if (full && sharedView !== null) {
    // Every day is recorded (helpers may have computed the first days already): compute what is left with
    // whichever thread is free, then read the days out in order.
    const ctl = sharedView.ctl;
    const total = pending.length * Math.max(1, Math.ceil(sharedView.slots / METRIC_UNIT_SLOTS));
    Atomics.store(ctl, 3, total);
    helpRecsysMetrics(shared!, c);
    for (;;) {
      const doneUnits = Atomics.load(ctl, 2);
      if (doneUnits >= total) break;
      Atomics.wait(ctl, 2, doneUnits, 1000);
    }
    for (const p of pending) {
      const d = p.expDay - 1;
      days.push(
        finishDay(p, sharedView.out.subarray(d * sharedView.slots * 4, (d + 1) * sharedView.slots * 4)),
      );
    }
  }

  return {
    gammaTest,
    tracked,
    nControl: lists[1]!.length,
    dailyPlays,
    dailyImpressions,
    prePlays: pick(main.phasePlays[0], tracked),
    days: full ? days : null,
    buckets: full
      ? {
          control: activityBuckets(groupUsers[1]!, uPlays, uDays, uEI, uTD, uIU, uTE),
          test: activityBuckets(groupUsers[2]!, uPlays, uDays, uEI, uTD, uIU, uTE),
        }
      : null,
    diagnostics: full ? diagnostics : null,
    assigned: { production: lists[0]!.length, control: lists[1]!.length, test: lists[2]!.length },
    setting: { ...c, world: world.config, model: main.pooled.options, launchDays: launches },
  };
}

/** Sums per-user arrays of the days [from, to] (1-based, inclusive) over the index range [lo, hi). */
function sumDays(
  daily: readonly Float64Array[],
  from: number,
  to: number,
  lo: number,
  hi: number,
): Float64Array {
  const out = new Float64Array(hi - lo);
  for (let d = from; d <= to; d++) {
    const x = daily[d - 1]!;
    for (let j = lo; j < hi; j++) out[j - lo]! += x[j]!;
  }
  return out;
}

/** The plays of the users in [lo, hi) who were active that day. */
function activePlays(plays: Float64Array, imp: Float64Array, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let j = lo; j < hi; j++) if (imp[j]! > 0) out.push(plays[j]!);
  return out;
}

/**
 * Combines the experiment arm with its counterfactual (same settings and stream, exploration off in test) into the
 * result: per day the paired truth and the A/A (daily and cumulative within the phase); per phase the cumulative
 * readout (plays per assigned user, user-level delta-method interval), with CUPED on the burn-in plays, its A/A, the
 * paired truth on the test users and the leakage on the control users; the truth over all days; the power.
 *
 * @param main - the full arm (simulated with `full = true`).
 * @param cf - the counterfactual arm, or undefined (then truth, A/A and leakage are null).
 * @returns the experiment result.
 * @throws ALLOT_INVALID_ARGUMENT when `main` is not a full arm or the arms track different users.
 */
export function combineRecsysArms(main: RecsysArmResult, cf?: RecsysArmResult): RecsysExperimentResult {
  if (main.days === null || main.buckets === null || main.diagnostics === null) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'main must be a full arm (simulated with full = true)');
  }
  if (cf !== undefined && (cf.tracked.length !== main.tracked.length || cf.nControl !== main.nControl)) {
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'the arms must come from the same settings and stream');
  }
  const nc = main.nControl;
  const n = main.tracked.length;
  const days = main.days;
  const p1 = days.filter((d) => d.phase === 1).length;
  const nDays = days.length;
  for (const d of days) {
    if (cf === undefined) break;
    const from = d.phase === 1 ? 1 : p1 + 1;
    const mp = main.dailyPlays[d.day - 1]!;
    const cp = cf.dailyPlays[d.day - 1]!;
    d.truth = plays(pairedLift(mp.subarray(nc, n), cp.subarray(nc, n)));
    const ci = cf.dailyImpressions[d.day - 1]!;
    d.aa = plays(meanLift(activePlays(cp, ci, nc, n), activePlays(cp, ci, 0, nc)));
    const mt = sumDays(main.dailyPlays, from, d.day, nc, n);
    const ct = sumDays(cf.dailyPlays, from, d.day, nc, n);
    const cc = sumDays(cf.dailyPlays, from, d.day, 0, nc);
    d.cumulative.truth = plays(pairedLift(mt, ct));
    d.cumulative.aa = plays(meanLift(ct, cc));
  }
  const hasPre = Number(main.setting.daysBurnin) > 0;
  const preT = main.prePlays.subarray(nc, n);
  const preC = main.prePlays.subarray(0, nc);
  const phases: PhaseReadout[] = ([1, 2] as const).map((ph) => {
    const from = ph === 1 ? 1 : p1 + 1;
    const to = ph === 1 ? p1 : nDays;
    const yt = sumDays(main.dailyPlays, from, to, nc, n);
    const yc = sumDays(main.dailyPlays, from, to, 0, nc);
    const cuped = hasPre ? cupedLift({ y: yt, x: preT }, { y: yc, x: preC }) : null;
    const out: PhaseReadout = {
      phase: ph,
      days: [from, to],
      lift: plays(meanLift(yt, yc)),
      liftCuped: cuped === null ? null : plays(stripCuped(cuped)),
      aa: null,
      aaCuped: null,
      truth: null,
      leakage: null,
      cupedVarianceReduction: cuped?.varianceReduction ?? null,
    };
    if (cf !== undefined) {
      const ft = sumDays(cf.dailyPlays, from, to, nc, n);
      const fc = sumDays(cf.dailyPlays, from, to, 0, nc);
      out.aa = plays(meanLift(ft, fc));
      out.aaCuped = hasPre ? plays(stripCuped(cupedLift({ y: ft, x: preT }, { y: fc, x: preC }))) : null;
      out.truth = plays(pairedLift(yt, ft));
      out.leakage = plays(pairedLift(yc, fc));
    }
    return out;
  });
  const allT = sumDays(main.dailyPlays, 1, nDays, nc, n);
  const allC = sumDays(main.dailyPlays, 1, nDays, 0, nc);
  const truth = cf === undefined ? null : plays(pairedLift(allT, sumDays(cf.dailyPlays, 1, nDays, nc, n)));
  let power: RecsysExperimentResult['power'] = null;
  {
    let s = 0;
    let ss = 0;
    for (const v of allC) {
      s += v;
      ss += v * v;
    }
    const m = allC.length;
    const mean = s / Math.max(1, m);
    const sd = m > 1 ? Math.sqrt(Math.max(0, (ss - m * mean * mean) / (m - 1))) : Number.NaN;
    const cv = sd / mean;
    if (Number.isFinite(cv) && cv > 0 && n - nc > 0 && nc > 0) {
      const vr = hasPre ? cupedLift({ y: allT, x: preT }, { y: allC, x: preC }).varianceReduction : null;
      power = {
        cv,
        varianceReductionCuped: vr,
        ...powerAnalysis({ cv, nTest: n - nc, nControl: nc, effect: 0.005 }),
      };
    }
  }
  return {
    setting: main.setting,
    days,
    buckets: main.buckets,
    assigned: main.assigned,
    diagnostics: main.diagnostics,
    truth,
    phases,
    power,
  };
}

function stripCuped(l: Lift): Lift {
  return { estimate: l.estimate, ci95: l.ci95, se: l.se };
}

/** Users bucketed by total plays over the experiment in powers of two; per-user day averages, then means. */
function activityBuckets(
  users: Int32Array,
  plays: Float64Array,
  days: Float64Array,
  ei: Float64Array,
  td: Float64Array,
  iu: Float64Array,
  te: Float64Array,
): ActivityBucket[] {
  const out: ActivityBucket[] = [];
  let maxPlays = 0;
  for (let j = 0; j < users.length; j++) maxPlays = Math.max(maxPlays, plays[users[j]!]!);
  for (let lo = 1; lo <= Math.max(1, maxPlays); lo *= 2) {
    const hi = lo * 2;
    let n = 0;
    let nm = 0;
    let sEI = 0;
    let sTD = 0;
    let sIU = 0;
    let sTE = 0;
    for (let j = 0; j < users.length; j++) {
      const i = users[j]!;
      const p = plays[i]!;
      if (p < lo || p >= hi) continue;
      n++;
      const d = days[i]!;
      if (d <= 0) continue;
      nm++;
      sEI += ei[i]! / d;
      sTD += td[i]! / d;
      sIU += iu[i]! / d;
      sTE += te[i]! / d;
    }
    out.push({
      lo,
      hi,
      users: n,
      EI: nm > 0 ? sEI / nm : null,
      TD: nm > 0 ? sTD / nm : null,
      IU: nm > 0 ? sIU / nm : null,
      TE: nm > 0 ? sTE / nm : null,
    });
  }
  return out;
}

/** Input of {@link recsysExperimentJob}: the settings of every replication. */
export type RecsysJobInput = Partial<RecsysExperimentConfig>;

/**
 * Replication job for the worker pool: one full experiment (both arms, sequentially) on the replication's stream.
 *
 * @param input - settings.
 * @param _index - replication index (the stream already depends on it).
 * @param rng - `createRng(seed).fork(index)`.
 * @returns the experiment result.
 */
export function recsysExperimentJob(input: RecsysJobInput, _index: number, rng: Rng): RecsysExperimentResult {
  return runRecsysExperiment(input, rng);
}

/** Input of {@link recsysArmJob}: settings per simulation and the root seed; job j runs arm j % 2 of simulation j / 2. */
export interface RecsysArmJobInput {
  readonly settings: readonly Partial<RecsysExperimentConfig>[];
  readonly seed: number;
  /** Stream of simulation s: `createRng(seed).fork(streams[s])` (default: 0 for every simulation: the same users). */
  readonly streams?: readonly number[];
  /** Arms per simulation: 2 (default: the experiment and its counterfactual) or 1 (the experiment only). */
  readonly arms?: 1 | 2;
  /**
   * Shared memory of each simulation's exploration metrics ({@link createRecsysMetricShared}; null or absent: computed
   * inline by the experiment arm). With it the counterfactual arm's thread, once done, helps compute them.
   */
  readonly shared?: readonly (RecsysMetricShared | null)[];
  /**
   * Shared memory of each simulation's burn-in ({@link createRecsysBurninShared}; null or absent: each arm simulates
   * the whole burn-in). With it the two arms' threads serve half of the users each; only with `arms` 2 and when the
   * two jobs of a simulation run at the same time (at least 2 workers).
   */
  readonly burnin?: readonly (RecsysBurninShared | null)[];
}

/**
 * Job for the worker pool that runs the two arms of each simulation in parallel: job `j` simulates arm `j % arms`
 * (0 = the experiment with its metrics, 1 = the counterfactual with gamma 0 in test) of simulation `floor(j / arms)`,
 * both on `createRng(seed).fork(stream)`; pair the results with {@link combineRecsysArms}.
 *
 * @param input - settings, seed and streams.
 * @param index - job index.
 * @returns the arm.
 */
export function recsysArmJob(input: RecsysArmJobInput, index: number, _rng: Rng): RecsysArmResult {
  const arms = input.arms ?? 2;
  const s = Math.floor(index / arms);
  const c = resolveRecsysExperiment(input.settings[s]!);
  const rng = createRng(input.seed).fork(input.streams?.[s] ?? 0);
  const shared = input.shared?.[s] ?? null;
  const bs = arms === 2 ? (input.burnin?.[s] ?? null) : null;
  const part = index % arms === 0 ? 0 : 1;
  const burnin = bs === null ? null : { shared: bs, part: part as 0 | 1 };
  if (part === 0) return simulateRecsysArm(c, rng, c.gamma, true, undefined, shared, burnin);
  const cf = simulateRecsysArm(c, rng, 0, false, undefined, null, burnin);
  if (shared !== null) helpRecsysMetrics(shared, c);
  return cf;
}

/** Input of {@link recsysSweepJob}: one settings object per replication index, all on the same seed. */
export interface RecsysSweepInput {
  readonly settings: readonly Partial<RecsysExperimentConfig>[];
  readonly seed: number;
}

/**
 * Replication job for a sweep: replication `index` runs `settings[index]` on the stream of replication 0 of
 * `seed`, so every setting meets the same simulated users (common random numbers).
 *
 * @param input - the settings and the seed.
 * @param index - which setting.
 * @returns the experiment result.
 */
export function recsysSweepJob(input: RecsysSweepInput, index: number, _rng: Rng): RecsysExperimentResult {
  return runRecsysExperiment(input.settings[index]!, createRng(input.seed).fork(0));
}

/**
 * Runs one experiment with root seed `seed` on the stream of replication 0 (the same numbers as replication 0 of
 * a pooled run).
 */
export function simulateRecsysExperiment(
  partial: Partial<RecsysExperimentConfig>,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): RecsysExperimentResult {
  return runRecsysExperiment(partial, createRng(seed).fork(0), onProgress);
}

/**
 * The two-phase, three-group A/B experiment of Guo et al. (2023, section 3.3 and Figure 2) on the simulated
 * short-video recommender: users are hashed into production, control and test; after a burn-in on the production
 * policy, Phase I serves multi-task UCB (Eq. 1) to test only while one reward model is trained daily on the pooled
 * data of all groups; Phase II trains one model per group on that group's data only. Each day yields per-group
 * metrics (plays, task rates, the exploration-efficiency metrics of section 4.2) and the user-level readout
 * test/control - 1 with a 95 % delta-method interval.
 */

import { ucbSelect } from '../bandits/mab/multitask-ucb.js';
import { AllotError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { assertInInterval, assertInteger, assertNonNegative, toFiniteArray } from '../core/validate.js';
import {
  cloneRewardModel,
  createInteractionLog,
  createRewardModel,
  predictUser,
  type RewardModel,
  type RewardModelOptions,
  trainRewardModel,
} from '../sim/recsys/reward-model.js';
import {
  continues,
  createRecsysWorld,
  drawAvailable,
  drawSessions,
  N_TASKS,
  OUTCOME_COMPLETE,
  OUTCOME_LOOP,
  OUTCOME_SKIP,
  type RecsysWorldConfig,
  respond,
  TASK_COMPLETE,
  TASK_LOOP,
  TASK_SKIP,
} from '../sim/recsys/world.js';
import { assignUser, createAssignment, GROUPS, type GroupName, hashUnit } from './assignment.js';
import {
  betaPosteriorInto,
  createMaxProbabilityWork,
  DEFAULT_KL_IMPUTE,
  type ExplorationMetrics,
  explorationMetricsInto,
  maxProbabilitiesInto,
} from './exploration-metrics.js';
import { type Lift, liftFromRatios, ratioEstimate } from './readout.js';

/** The module URL of this file, for the worker pool. */
export const JOB_MODULE: string = import.meta.url;

/** Settings of one simulated experiment (all fields but none required; see {@link resolveRecsysExperiment}). */
export interface RecsysExperimentConfig {
  /** Users (default 20000). */
  readonly users: number;
  /** Topics (default 30). */
  readonly topics: number;
  /** Days of production-only history before the experiment (default 14). */
  readonly daysBurnin: number;
  /** Days of Phase I (default 21: the paper's 3 weeks). */
  readonly daysPhase1: number;
  /** Days of Phase II (default 14: the paper's 2 weeks). */
  readonly daysPhase2: number;
  /** Shares of production, control, test (default 0.9, 0.05, 0.05). */
  readonly shares: readonly [number, number, number];
  /** UCB exploration scale gamma of the test group (default 1). */
  readonly gamma: number;
  /** The N_{t,a}(C) = 0 rule of the UCB: 0 = infinite bonus (default), n0 > 0 = bonus with N_{t,a} = n0. */
  readonly unseenCount: number;
  /** Task weights alpha_T for complete, loop, skip (default 1, 0.5, -0.5). */
  readonly alpha: readonly [number, number, number];
  /** Posterior draws per user and day for P (default 100). */
  readonly posteriorSamples: number;
  /** Strength (pseudo-impressions) of the light Beta prior of P (default 2). */
  readonly priorStrength: number;
  /** Value imputed for topics missing from Q in the KL divergence (default 1e-3). */
  readonly klImpute: number;
  /** Salt of the hash assignment (default 0). */
  readonly salt: number;
  /** Environment parameters beyond users and topics. */
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
  unseenCount: 0,
  alpha: [1, 0.5, -0.5],
  posteriorSamples: 100,
  priorStrength: 2,
  klImpute: DEFAULT_KL_IMPUTE,
  salt: 0,
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

/** One day of the experiment. */
export interface ExperimentDay {
  /** Experiment day, 1 = first day of Phase I. */
  day: number;
  /** 1 or 2. */
  phase: 1 | 2;
  groups: Record<GroupName, GroupDay>;
  /** test/control - 1 with 95 % delta-method intervals at the user level. */
  lift: Record<'plays' | 'impressions' | 'complete' | 'loop' | 'skip' | 'EI' | 'TD' | 'IU' | 'TE', Lift>;
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
 * @throws ALLOT_OUT_OF_RANGE for zero users or topics, days < 1 (burn-in may be 0), gamma < 0, shares not summing
 *   to 1 or a zero control/test share; ALLOT_INVALID_ARGUMENT for non-integers; ALLOT_SHAPE_MISMATCH for shares or
 *   alpha of the wrong length.
 */
export function resolveRecsysExperiment(
  partial: Partial<RecsysExperimentConfig> = {},
): RecsysExperimentConfig {
  const c: RecsysExperimentConfig = { ...DEFAULT_RECSYS_EXPERIMENT, ...partial };
  assertInteger('users', c.users, 1);
  assertInteger('topics', c.topics, 1, 1024);
  assertInteger('daysBurnin', c.daysBurnin, 0);
  assertInteger('daysPhase1', c.daysPhase1, 1);
  assertInteger('daysPhase2', c.daysPhase2, 1);
  createAssignment(c.shares, c.salt);
  assertNonNegative('gamma', c.gamma);
  assertNonNegative('unseenCount', c.unseenCount);
  if (c.alpha.length !== N_TASKS) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `alpha must have ${N_TASKS} entries (got ${c.alpha.length})`,
    );
  }
  toFiniteArray('alpha', Array.from(c.alpha));
  assertInteger('posteriorSamples', c.posteriorSamples, 1);
  assertInInterval('priorStrength', c.priorStrength, 0, Number.POSITIVE_INFINITY, true);
  assertInInterval('klImpute', c.klImpute, 0, 1, true, true);
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
}

function newAcc(): Acc {
  return { active: [], eiSum: 0, tdSum: 0, iuSum: 0, teNum: 0, teDen: 0, metricUsers: [] };
}

/**
 * Runs one simulated two-phase experiment.
 *
 * @param partial - settings (defaults {@link DEFAULT_RECSYS_EXPERIMENT}).
 * @param rng - the run's random source (forked into world, model, assignment-free day streams).
 * @param onProgress - called after each simulated day with (done, total).
 * @returns per-day group metrics and lifts, activity buckets, the settings.
 * @throws errors of {@link resolveRecsysExperiment}.
 */
export function runRecsysExperiment(
  partial: Partial<RecsysExperimentConfig>,
  rng: Rng,
  onProgress?: (done: number, total: number) => void,
): RecsysExperimentResult {
  const c = resolveRecsysExperiment(partial);
  const U = c.users;
  const K = c.topics;
  const world = createRecsysWorld({ ...c.world, users: U, topics: K }, rng.fork(0));
  const assignment = createAssignment(c.shares, c.salt);
  const group = new Uint8Array(U);
  const lists: number[][] = [[], [], []];
  // Production metrics are computed on a hash-selected panel of the control group's expected size.
  const panelShare = Math.min(1, c.shares[1] / Math.max(c.shares[0], 1e-12));
  const metricUser = new Uint8Array(U);
  for (let i = 0; i < U; i++) {
    const g = assignUser(assignment, i);
    group[i] = g;
    lists[g]!.push(i);
    metricUser[i] = g !== 0 || hashUnit(i, (c.salt + 1) >>> 0) < panelShare ? 1 : 0;
  }
  const allUsers = Int32Array.from({ length: U }, (_, i) => i);
  const groupUsers = lists.map((l) => Int32Array.from(l));
  const T = N_TASKS;
  const log = createInteractionLog(U, K, T);
  const modelOpts = c.model;
  const rank = modelOpts.rank ?? 3;
  const factors = new Float64Array(U * T * rank);
  const pooled = createRewardModel(T, K, modelOpts, rng.fork(1), [0.3, 0.05, 0.4]);
  let perGroup: RewardModel[] | undefined;
  const alpha = Float64Array.from(c.alpha);
  const exploit = new Float64Array(U * K);
  const todayShown = new Float64Array(U * K);
  const todayComplete = new Float64Array(U * K);
  const dPlays = new Float64Array(U);
  const dImp = new Float64Array(U);
  const dTask = new Float64Array(T * U);
  const avail = new Int32Array(K);
  const pBuf = new Float64Array(K);
  const aBuf = new Float64Array(K);
  const bBuf = new Float64Array(K);
  const topicRate = new Float64Array(K);
  const mpWork = createMaxProbabilityWork(K);
  const m: ExplorationMetrics = { EI: 0, TD: 0, IU: 0, TE: 0 };
  // Per-user sums over experiment days for the activity buckets.
  const uPlays = new Float64Array(U);
  const uDays = new Float64Array(U);
  const uEI = new Float64Array(U);
  const uTD = new Float64Array(U);
  const uIU = new Float64Array(U);
  const uTE = new Float64Array(U);
  // Per-user metric values of the day (for the lifts of EI, TD, IU, TE).
  const vEI = new Float64Array(U);
  const vTD = new Float64Array(U);
  const vIU = new Float64Array(U);
  const vTE = new Float64Array(U);
  const totalDays = c.daysBurnin + c.daysPhase1 + c.daysPhase2;
  const days: ExperimentDay[] = [];
  const maxImp = world.config.maxImpressions;
  const UK = U * K;
  const metricRng = rng.fork(3);
  let diagnostics: StartDiagnostics = {
    bestTopicShown: Number.NaN,
    bestTopicIsMostShown: Number.NaN,
    relevanceGapOfModelTop: Number.NaN,
    topicsShown: Number.NaN,
  };
  const startDiagnostics = (): StartDiagnostics => {
    let n = 0;
    let seen = 0;
    let most = 0;
    let gap = 0;
    let distinct = 0;
    for (let i = 0; i < U; i++) {
      if (log.shownTotal[i]! <= 0) continue;
      n++;
      let best = 0;
      let top = 0;
      let mostShown = 0;
      for (let k = 0; k < K; k++) {
        const idx = i * K + k;
        if (world.relevance[idx]! > world.relevance[i * K + best]!) best = k;
        if (exploit[idx]! > exploit[i * K + top]!) top = k;
        if (log.shown[idx]! > log.shown[i * K + mostShown]!) mostShown = k;
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
  for (let day = 1; day <= totalDays; day++) {
    const expDay = day - c.daysBurnin;
    const phase = expDay <= 0 ? 0 : expDay <= c.daysPhase1 ? 1 : 2;
    // Daily refresh of the reward model(s) on the data logged before today.
    if (phase === 2 && perGroup === undefined) perGroup = [0, 1, 2].map(() => cloneRewardModel(pooled));
    if (day > 1) {
      if (phase < 2) trainRewardModel(pooled, factors, log, allUsers);
      else for (let g = 0; g < 3; g++) trainRewardModel(perGroup![g]!, factors, log, groupUsers[g]!);
    }
    for (let i = 0; i < U; i++) {
      const model = phase < 2 ? pooled : perGroup![group[i]!]!;
      predictUser(model, factors, log, i, alpha, exploit);
    }
    if (expDay === 1) diagnostics = startDiagnostics();
    // Topic and global relevance rates before today (for the light prior of P).
    let gShown = 0;
    let gRel = 0;
    if (phase > 0) {
      topicRate.fill(0);
      const tShown = new Float64Array(K);
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
    for (let k = 0; k < K; k++) topicRate[k] = Math.min(0.99, Math.max(0.01, topicRate[k]! || gbar));
    // Serve the day.
    todayShown.fill(0);
    todayComplete.fill(0);
    dPlays.fill(0);
    dImp.fill(0);
    dTask.fill(0);
    // One stream per user and day: a user's randomness does not depend on what other users were shown, so
    // settings compared on the same seed meet the same users with the same draws (common random numbers).
    const dayRoot = rng.fork(100 + day);
    for (let i = 0; i < U; i++) {
      const g = group[i]!;
      const gamma = phase >= 1 && g === 2 ? c.gamma : 0;
      const dayRng = dayRoot.fork(i);
      const sessions = drawSessions(world, i, dayRng);
      const row = i * K;
      for (let s = 0; s < sessions; s++) {
        for (let n = 0; n < maxImp; n++) {
          const nAvail = drawAvailable(world, dayRng, avail);
          const a = ucbSelect(
            exploit,
            row,
            log.shown,
            row,
            log.shownTotal[i]!,
            gamma,
            c.unseenCount,
            avail,
            nAvail,
            dayRng,
          );
          const out = respond(world, i, a, dayRng);
          log.shown[row + a]! += 1;
          log.shownTotal[i]! += 1;
          todayShown[row + a]! += 1;
          dImp[i]! += 1;
          if (out & OUTCOME_COMPLETE) {
            log.events[TASK_COMPLETE * UK + row + a]! += 1;
            todayComplete[row + a]! += 1;
            dTask[TASK_COMPLETE * U + i]! += 1;
          }
          if (out & OUTCOME_LOOP) {
            log.events[TASK_LOOP * UK + row + a]! += 1;
            dTask[TASK_LOOP * U + i]! += 1;
          }
          if (out & OUTCOME_SKIP) {
            log.events[TASK_SKIP * UK + row + a]! += 1;
            dTask[TASK_SKIP * U + i]! += 1;
          } else {
            dPlays[i]! += 1;
          }
          if (!continues(world, out, dayRng)) break;
        }
      }
    }
    if (phase > 0) days.push(readDay());
    onProgress?.(day, totalDays);

    function readDay(): ExperimentDay {
      const accs = [newAcc(), newAcc(), newAcc()];
      const dayMetricRng = metricRng.fork(day);
      for (let i = 0; i < U; i++) {
        if (dImp[i]! <= 0) continue;
        const acc = accs[group[i]!]!;
        acc.active.push(i);
        uPlays[i]! += dPlays[i]!;
        if (metricUser[i] === 0) continue;
        // P from data before today; Q from today's recommendations.
        let n = 0;
        let r = 0;
        for (let k = 0; k < K; k++) {
          const idx = i * K + k;
          const sh = log.shown[idx]! - todayShown[idx]!;
          const re = log.events[TASK_COMPLETE * UK + idx]! - todayComplete[idx]!;
          n += sh;
          r += re;
          aBuf[k] = sh;
          bBuf[k] = re;
        }
        const ubar = Math.min(0.99, Math.max(0.01, (r + 10 * gbar) / (n + 10)));
        betaPosteriorInto(K, aBuf, bBuf, 0, topicRate, ubar, gbar, c.priorStrength, aBuf, bBuf);
        maxProbabilitiesInto(K, aBuf, bBuf, c.posteriorSamples, dayMetricRng, pBuf, 0, mpWork);
        explorationMetricsInto(K, pBuf, 0, todayShown, i * K, c.klImpute, m);
        acc.metricUsers.push(i);
        acc.eiSum += m.EI;
        acc.tdSum += m.TD;
        acc.iuSum += m.IU;
        acc.teNum += dPlays[i]! * m.TE;
        acc.teDen += dPlays[i]!;
        vEI[i] = m.EI;
        vTD[i] = m.TD;
        vIU[i] = m.IU;
        vTE[i] = m.TE;
        uDays[i]! += 1;
        uEI[i]! += m.EI;
        uTD[i]! += m.TD;
        uIU[i]! += m.IU;
        uTE[i]! += m.TE;
      }
      const groups = {} as Record<GroupName, GroupDay>;
      const ratios: Record<string, ReturnType<typeof ratioEstimate>>[] = [];
      for (let g = 0; g < 3; g++) {
        const acc = accs[g]!;
        const na = acc.active.length;
        const ones = new Float64Array(na).fill(1);
        const plays = new Float64Array(na);
        const imp = new Float64Array(na);
        const comp = new Float64Array(na);
        const loop = new Float64Array(na);
        const skip = new Float64Array(na);
        for (let j = 0; j < na; j++) {
          const i = acc.active[j]!;
          plays[j] = dPlays[i]!;
          imp[j] = dImp[i]!;
          comp[j] = dTask[TASK_COMPLETE * U + i]!;
          loop[j] = dTask[TASK_LOOP * U + i]!;
          skip[j] = dTask[TASK_SKIP * U + i]!;
        }
        const nm = acc.metricUsers.length;
        const mOnes = new Float64Array(nm).fill(1);
        const ei = new Float64Array(nm);
        const td = new Float64Array(nm);
        const iu = new Float64Array(nm);
        const teY = new Float64Array(nm);
        const teX = new Float64Array(nm);
        for (let j = 0; j < nm; j++) {
          const i = acc.metricUsers[j]!;
          ei[j] = vEI[i]!;
          td[j] = vTD[i]!;
          iu[j] = vIU[i]!;
          teY[j] = dPlays[i]! * vTE[i]!;
          teX[j] = dPlays[i]!;
        }
        const r = {
          plays: ratioEstimate(na, plays, ones),
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
          playRate: orNull(ratioEstimate(na, plays, imp).ratio) ?? 0,
          EI: nm > 0 ? acc.eiSum / nm : null,
          TD: nm > 0 ? acc.tdSum / nm : null,
          IU: nm > 0 ? acc.iuSum / nm : null,
          TE: acc.teDen > 0 ? acc.teNum / acc.teDen : null,
          metricUsers: nm,
        };
      }
      const lift = {} as ExperimentDay['lift'];
      for (const key of [
        'plays',
        'impressions',
        'complete',
        'loop',
        'skip',
        'EI',
        'TD',
        'IU',
        'TE',
      ] as const) {
        lift[key] = liftFromRatios(ratios[2]![key]!, ratios[1]![key]!);
      }
      return { day: expDay, phase: phase as 1 | 2, groups, lift };
    }
  }
  const buckets = {
    control: activityBuckets(groupUsers[1]!, uPlays, uDays, uEI, uTD, uIU, uTE),
    test: activityBuckets(groupUsers[2]!, uPlays, uDays, uEI, uTD, uIU, uTE),
  };
  return {
    setting: { ...c, world: world.config, model: pooled.options },
    days,
    buckets,
    assigned: { production: lists[0]!.length, control: lists[1]!.length, test: lists[2]!.length },
    diagnostics,
  };
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
 * Replication job for the worker pool: one full experiment on the replication's stream.
 *
 * @param input - settings.
 * @param _index - replication index (the stream already depends on it).
 * @param rng - `createRng(seed).fork(index)`.
 * @returns the experiment result.
 */
export function recsysExperimentJob(input: RecsysJobInput, _index: number, rng: Rng): RecsysExperimentResult {
  return runRecsysExperiment(input, rng);
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

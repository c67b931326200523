/**
 * A short-video recommender environment: users with latent topic interests and heavy-tailed activity, daily
 * sessions, a random subset of topics available at each request, and several tasks per impression (complete,
 * loop, skip; a play is an impression that is not skipped) generated from the latent relevance.
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { assertInInterval, assertInteger, assertNonNegative, assertPositive } from '../../core/validate.js';

/** Task indices of an impression's outcome. */
export const TASK_COMPLETE = 0;
/** Loop task (the user watched the video again); only after a completion. */
export const TASK_LOOP = 1;
/** Skip task (swiped away within a few seconds); only when not completed. */
export const TASK_SKIP = 2;
/** Names of the tasks, in index order. */
export const TASK_NAMES: readonly ['complete', 'loop', 'skip'] = ['complete', 'loop', 'skip'];
/** Number of tasks. */
export const N_TASKS = 3;

/** Parameters of the environment (every field has a default). */
export interface RecsysWorldConfig {
  /** Users U >= 1 (default 20000). */
  readonly users: number;
  /** Topics K in [1, 1024] (default 30, the paper's coarse taxonomy). */
  readonly topics: number;
  /** Rank of the shared latent interest structure (default 3). */
  readonly rank: number;
  /** Base relevance logit (default -1.2). */
  readonly baseLogit: number;
  /** Sd of the topic popularity logit b_k (default 0.5). */
  readonly topicSd: number;
  /** Sd of each user-factor coordinate (topic factors are standard normal; default 0.6). */
  readonly userFactorSd: number;
  /** Sd of the idiosyncratic <user, topic> logit, not predictable from other users (default 0.8). */
  readonly idiosyncraticSd: number;
  /** Median sessions per day (default 0.5); activity is log-normal across users (heavy and light users). */
  readonly medianSessions: number;
  /** Sd of log activity (default 1). */
  readonly activitySd: number;
  /** Cap on a user's expected sessions per day (default 8). */
  readonly maxSessionRate: number;
  /** Probability that each topic is available at a request (default 0.5; at least one always is). */
  readonly availability: number;
  /** Probability of a skip when the video is not completed (default 0.6). */
  readonly skipIfIncomplete: number;
  /** Loop probability given completion is loopScale * relevance (default 0.5). */
  readonly loopScale: number;
  /** Probability the session ends after a skip / an incomplete play / a completion (defaults 0.25, 0.12, 0.05). */
  readonly stopAfterSkip: number;
  readonly stopAfterPlay: number;
  readonly stopAfterComplete: number;
  /** Impressions per session at most (default 40). */
  readonly maxImpressions: number;
}

/** The default environment. */
export const DEFAULT_WORLD: RecsysWorldConfig = {
  users: 20000,
  topics: 30,
  rank: 3,
  baseLogit: -1.2,
  topicSd: 0.5,
  userFactorSd: 0.6,
  idiosyncraticSd: 0.8,
  medianSessions: 0.5,
  activitySd: 1,
  maxSessionRate: 8,
  availability: 0.5,
  skipIfIncomplete: 0.6,
  loopScale: 0.5,
  stopAfterSkip: 0.25,
  stopAfterPlay: 0.12,
  stopAfterComplete: 0.05,
  maxImpressions: 40,
};

/** A drawn environment: true relevance per <user, topic> and activity per user. */
export interface RecsysWorld {
  readonly config: RecsysWorldConfig;
  readonly users: number;
  readonly topics: number;
  /** True p(complete) per <user, topic>, U x K row-major. */
  readonly relevance: Float64Array;
  /** Expected sessions per day per user, length U. */
  readonly sessionRate: Float64Array;
}

/**
 * Validates a (partial) world configuration and fills defaults.
 *
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT naming the bad field.
 */
export function resolveWorldConfig(partial: Partial<RecsysWorldConfig> = {}): RecsysWorldConfig {
  const c: RecsysWorldConfig = { ...DEFAULT_WORLD, ...partial };
  assertInteger('users', c.users, 1);
  assertInteger('topics', c.topics, 1, 1024);
  assertInteger('rank', c.rank, 1, 16);
  assertInInterval('baseLogit', c.baseLogit, -20, 20);
  assertNonNegative('topicSd', c.topicSd);
  assertNonNegative('userFactorSd', c.userFactorSd);
  assertNonNegative('idiosyncraticSd', c.idiosyncraticSd);
  assertPositive('medianSessions', c.medianSessions);
  assertNonNegative('activitySd', c.activitySd);
  assertPositive('maxSessionRate', c.maxSessionRate);
  assertInInterval('availability', c.availability, 0, 1, true, false);
  for (const f of [
    'skipIfIncomplete',
    'loopScale',
    'stopAfterSkip',
    'stopAfterPlay',
    'stopAfterComplete',
  ] as const) {
    assertInInterval(f, c[f], 0, 1);
  }
  assertInteger('maxImpressions', c.maxImpressions, 1);
  return c;
}

/**
 * Draws an environment.
 *
 * @remarks
 * Relevance rho_ik = logistic(baseLogit + b_k + u_i . v_k + e_ik) with b_k ~ N(0, topicSd^2), v_k ~ N(0, I_r),
 * u_i ~ N(0, userFactorSd^2 I_r), e_ik ~ N(0, idiosyncraticSd^2): a low-rank part that a model can learn from other
 * users, and an idiosyncratic part that only the user's own impressions reveal. Activity
 * lambda_i = min(maxSessionRate, medianSessions * exp(activitySd * z_i)), sessions per day ~ Poisson(lambda_i).
 *
 * @param partial - configuration (defaults: {@link DEFAULT_WORLD}).
 * @param rng - random source.
 * @returns the world.
 * @throws errors of {@link resolveWorldConfig}.
 */
export function createRecsysWorld(partial: Partial<RecsysWorldConfig>, rng: Rng): RecsysWorld {
  const c = resolveWorldConfig(partial);
  const { users: U, topics: K, rank: r } = c;
  const v = new Float64Array(K * r);
  const b = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    b[k] = rng.normal(0, 1) * c.topicSd;
    for (let j = 0; j < r; j++) v[k * r + j] = rng.normal(0, 1);
  }
  const relevance = new Float64Array(U * K);
  const sessionRate = new Float64Array(U);
  const u = new Float64Array(r);
  for (let i = 0; i < U; i++) {
    for (let j = 0; j < r; j++) u[j] = rng.normal(0, 1) * c.userFactorSd;
    sessionRate[i] = Math.min(c.maxSessionRate, c.medianSessions * Math.exp(c.activitySd * rng.normal(0, 1)));
    for (let k = 0; k < K; k++) {
      let z = c.baseLogit + b[k]! + rng.normal(0, 1) * c.idiosyncraticSd;
      for (let j = 0; j < r; j++) z += u[j]! * v[k * r + j]!;
      relevance[i * K + k] = 1 / (1 + Math.exp(-z));
    }
  }
  return { config: c, users: U, topics: K, relevance, sessionRate };
}

/**
 * Kernel: the topics available at one request, each with probability `availability` (at least one).
 *
 * @param world - the environment.
 * @param rng - random source.
 * @param out - receives the available topic indices (length >= K).
 * @returns how many topics are available.
 */
export function drawAvailable(world: RecsysWorld, rng: Rng, out: Int32Array): number {
  const K = world.topics;
  const p = world.config.availability;
  for (;;) {
    let n = 0;
    if (p === 0.5) {
      // One 32-bit word per 32 topics: each bit is a fair coin.
      for (let w = 0; w < K; w += 32) {
        const bits = rng.uint32();
        const m = Math.min(32, K - w);
        for (let j = 0; j < m; j++) if ((bits >>> j) & 1) out[n++] = w + j;
      }
    } else {
      for (let k = 0; k < K; k++) if (rng.uniform() < p) out[n++] = k;
    }
    if (n > 0) return n;
  }
}

/** Outcome bits of one impression: bit 0 complete, bit 1 loop, bit 2 skip. */
export const OUTCOME_COMPLETE = 1;
/** Loop bit of an outcome. */
export const OUTCOME_LOOP = 2;
/** Skip bit of an outcome. */
export const OUTCOME_SKIP = 4;

/**
 * Kernel: the user's response to one impression of `topic`.
 *
 * @remarks complete ~ Bernoulli(rho); given complete, loop ~ Bernoulli(loopScale * rho); otherwise
 * skip ~ Bernoulli(skipIfIncomplete). A play is an impression that is not skipped.
 *
 * @returns outcome bits ({@link OUTCOME_COMPLETE} | {@link OUTCOME_LOOP} | {@link OUTCOME_SKIP}).
 */
export function respond(world: RecsysWorld, user: number, topic: number, rng: Rng): number {
  const rho = world.relevance[user * world.topics + topic]!;
  if (rng.uniform() < rho) {
    return rng.uniform() < world.config.loopScale * rho ? OUTCOME_COMPLETE | OUTCOME_LOOP : OUTCOME_COMPLETE;
  }
  return rng.uniform() < world.config.skipIfIncomplete ? OUTCOME_SKIP : 0;
}

/** Kernel: whether the session goes on after an impression with `outcome`. */
export function continues(world: RecsysWorld, outcome: number, rng: Rng): boolean {
  const c = world.config;
  const stop =
    outcome & OUTCOME_SKIP
      ? c.stopAfterSkip
      : outcome & OUTCOME_COMPLETE
        ? c.stopAfterComplete
        : c.stopAfterPlay;
  return rng.uniform() >= stop;
}

/** Kernel: the number of sessions of `user` today, Poisson(sessionRate) by inversion. */
export function drawSessions(world: RecsysWorld, user: number, rng: Rng): number {
  const lambda = world.sessionRate[user]!;
  const l = Math.exp(-lambda);
  let k = 0;
  let p = rng.uniform();
  while (p > l) {
    k++;
    p *= rng.uniform();
  }
  return k;
}

/** Throws when `topic` is outside the world (for validated entry points). */
export function checkTopic(world: RecsysWorld, topic: number): void {
  if (!(Number.isInteger(topic) && topic >= 0 && topic < world.topics)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `topic must be an integer in [0, ${world.topics - 1}] (got ${topic})`,
    );
  }
}

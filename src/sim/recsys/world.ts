/**
 * A short-video recommender environment: users with latent topic interests and heavy-tailed activity, daily
 * sessions, candidate topics at each request (from a personalised upstream sourcing stage, or a uniform random
 * subset in the `uniform` preset), several tasks per impression (complete, loop, skip; a play is an impression that
 * is not skipped) generated from the latent relevance, topics launched during the experiment, interest drift and
 * activity that responds to recent satisfaction.
 */
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { sampleNormal } from '../../core/samplers.js';
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
  /**
   * Where a request's candidate topics come from (default `personalised`): `personalised` = an upstream sourcing
   * stage draws `candidates` topics per session by a softmax of its own (pooled, all-data) model's score at
   * temperature `sourcingTemperature` x the user's score spread, plus `randomCandidates` uniform ones, and each of
   * them is available at a request with probability `availability`; `uniform` = every launched topic is available at
   * each request with probability `availability` (the old world).
   */
  readonly sourcing: 'personalised' | 'uniform';
  /** Topics sourced per session by the personalised sourcing (default 8; at most `topics`). */
  readonly candidates: number;
  /** Softmax temperature of the sourcing, in units of the user's score spread across topics (default 0.5). */
  readonly sourcingTemperature: number;
  /** Extra uniformly random candidate topics per session (default 1). */
  readonly randomCandidates: number;
  /**
   * Topics launched during the experiment (default 6, at most topics - 1): the last `newTopics` topic indices are unavailable until
   * their launch day (spread evenly over the experiment days); nobody has data on them at launch, so only
   * exploration (or the model's generalisation) teaches the shared model about them.
   */
  readonly newTopics: number;
  /** Logit offset of launched topics' relevance (default 0.5: new topics are trends, attractive on average). */
  readonly newTopicBoost: number;
  /**
   * Half-life in days of users' interests (default 60; 0 = stationary): user factors and idiosyncratic logits
   * follow a stationary AR(1) with daily coefficient 2^(-1/halfLife), so what was learned about a user goes stale.
   */
  readonly interestHalfLife: number;
  /**
   * Response of activity to satisfaction (default 2): expected sessions are multiplied by
   * exp(activityResponse (S_i - S_0)), S_i the user's recent completion rate (exponentially weighted over active
   * days, half-life `satisfactionHalfLife`), S_0 the completion rate of a uniformly random topic; 0 = fixed activity.
   */
  readonly activityResponse: number;
  /** Half-life in active days of the satisfaction average S_i (default 7). */
  readonly satisfactionHalfLife: number;
  /**
   * Items per topic, 1..32 (default 10: 300 items in 30 topics). The UCB arms are the topics (item clusters); the
   * item served within the chosen topic is picked by the upstream item ranking (the best estimated item among the
   * topic's items available at the request; its estimate is trained on all data). 1 = the topic-only world (each
   * topic is one item; the results are exactly those of the world without items).
   */
  readonly itemsPerTopic: number;
  /** Sd of an item's relevance logit offset around its topic's (default 0.5; item quality shared by all users). */
  readonly itemSd: number;
}

/**
 * Named worlds: `funnel` (the default), `uniform` (the old world: topics only, uniform availability), `no-leakage`,
 * `strong-leakage`, `funnel-topics` (the funnel without the item layer, as before items existed).
 */
export const WORLD_PRESETS: Readonly<Record<string, Partial<RecsysWorldConfig>>> = {
  funnel: {},
  uniform: {
    sourcing: 'uniform',
    newTopics: 0,
    interestHalfLife: 0,
    activityResponse: 0,
    itemsPerTopic: 1,
  },
  'no-leakage': { newTopics: 0, interestHalfLife: 0 },
  'strong-leakage': { newTopics: 12, newTopicBoost: 1, interestHalfLife: 30 },
  'funnel-topics': { itemsPerTopic: 1 },
};

/** The names of {@link WORLD_PRESETS}. */
export const WORLD_PRESET_NAMES: readonly string[] = Object.keys(WORLD_PRESETS);

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
  sourcing: 'personalised',
  candidates: 8,
  sourcingTemperature: 0.5,
  randomCandidates: 1,
  newTopics: 6,
  newTopicBoost: 0.5,
  interestHalfLife: 60,
  activityResponse: 2,
  satisfactionHalfLife: 7,
  itemsPerTopic: 10,
  itemSd: 0.5,
};

/** Documented maximum of `itemsPerTopic` (one 32-bit word of availability bits per request). */
export const MAX_ITEMS_PER_TOPIC = 32;

/** A drawn environment: true relevance per <user, topic> and activity per user. */
export interface RecsysWorld {
  readonly config: RecsysWorldConfig;
  readonly users: number;
  readonly topics: number;
  /** True p(complete) per <user, topic>, U x K row-major. */
  readonly relevance: Float64Array;
  /** Expected sessions per day per user (before the satisfaction response), length U. */
  readonly sessionRate: Float64Array;
  /** Topic popularity logits b_k (launched topics include the boost), length K. */
  readonly topicLogit: Float64Array;
  /** Topic factors v_k, K x rank. */
  readonly topicFactors: Float64Array;
  /** User factors u_i, U x rank (drift in place). */
  readonly userFactors: Float64Array;
  /** Idiosyncratic logits e_ik, U x K (drift in place). */
  readonly idiosyncratic: Float64Array;
  /** 1 when topic k is launched (available), length K; new topics start at 0. */
  readonly launched: Uint8Array;
  /**
   * S_0: the mean relevance over users and topics at creation (completion rate of a random topic; with items, of a
   * uniformly random item).
   */
  readonly referenceRate: number;
  /** Items per topic (item m belongs to topic floor(m / itemsPerTopic)). */
  readonly itemsPerTopic: number;
  /** Relevance logit offset of each item, K x itemsPerTopic (all 0 with one item per topic). */
  readonly itemOffset: Float64Array;
  /** The relevance logit of each <user, topic> (rho = logistic(logit)), U x K; an item adds its offset. */
  readonly logit: Float64Array;
}

/**
 * Validates a (partial) world configuration and fills defaults.
 *
 * @throws ALLOT_OUT_OF_RANGE / ALLOT_INVALID_ARGUMENT naming the bad field.
 */
export function resolveWorldConfig(partial: Partial<RecsysWorldConfig> = {}): RecsysWorldConfig {
  const merged: RecsysWorldConfig = { ...DEFAULT_WORLD, ...partial };
  // Small worlds: at most topics - 1 new topics and `topics` candidates.
  const topics = merged.topics;
  const c: RecsysWorldConfig =
    Number.isInteger(topics) && topics >= 1
      ? {
          ...merged,
          newTopics: Math.min(merged.newTopics, topics - 1),
          candidates: Math.min(merged.candidates, topics),
          randomCandidates: Math.min(merged.randomCandidates, topics),
        }
      : merged;
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
  if (c.sourcing !== 'personalised' && c.sourcing !== 'uniform') {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `sourcing must be one of personalised, uniform (got ${JSON.stringify(c.sourcing)})`,
    );
  }
  assertInteger('candidates', c.candidates, 1, c.topics);
  assertPositive('sourcingTemperature', c.sourcingTemperature);
  assertInteger('randomCandidates', c.randomCandidates, 0, c.topics);
  assertInteger('newTopics', c.newTopics, 0, c.topics - 1);
  assertInInterval('newTopicBoost', c.newTopicBoost, -20, 20);
  assertNonNegative('interestHalfLife', c.interestHalfLife);
  assertInInterval('activityResponse', c.activityResponse, 0, 20);
  assertPositive('satisfactionHalfLife', c.satisfactionHalfLife);
  assertInteger('itemsPerTopic', c.itemsPerTopic, 1, MAX_ITEMS_PER_TOPIC);
  assertInInterval('itemSd', c.itemSd, 0, 10);
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
  const launched = new Uint8Array(K).fill(1);
  for (let k = 0; k < K; k++) {
    b[k] = rng.normal(0, 1) * c.topicSd;
    for (let j = 0; j < r; j++) v[k * r + j] = rng.normal(0, 1);
  }
  for (let k = K - c.newTopics; k < K; k++) {
    b[k]! += c.newTopicBoost;
    launched[k] = 0;
  }
  const relevance = new Float64Array(U * K);
  const sessionRate = new Float64Array(U);
  const u = new Float64Array(U * r);
  const e = new Float64Array(U * K);
  for (let i = 0; i < U; i++) {
    for (let j = 0; j < r; j++) u[i * r + j] = rng.normal(0, 1) * c.userFactorSd;
    sessionRate[i] = Math.min(c.maxSessionRate, c.medianSessions * Math.exp(c.activitySd * rng.normal(0, 1)));
    for (let k = 0; k < K; k++) e[i * K + k] = rng.normal(0, 1) * c.idiosyncraticSd;
  }
  // Items are drawn last, so the rest of the world is the same for any number of items per topic.
  const ipt = c.itemsPerTopic;
  const itemOffset = new Float64Array(K * ipt);
  if (ipt > 1) for (let m = 0; m < K * ipt; m++) itemOffset[m] = rng.normal(0, 1) * c.itemSd;
  const w: RecsysWorld = {
    config: c,
    users: U,
    topics: K,
    relevance,
    sessionRate,
    topicLogit: b,
    topicFactors: v,
    userFactors: u,
    idiosyncratic: e,
    launched,
    referenceRate: 0,
    itemsPerTopic: ipt,
    itemOffset,
    logit: new Float64Array(U * K),
  };
  updateRelevance(w);
  let s = 0;
  if (ipt === 1) {
    for (let i = 0; i < U * K; i++) s += relevance[i]!;
  } else {
    for (let i = 0; i < U * K; i++) {
      const z = w.logit[i]!;
      const o = (i % K) * ipt;
      let t = 0;
      for (let j = 0; j < ipt; j++) t += 1 / (1 + Math.exp(-(z + itemOffset[o + j]!)));
      s += t / ipt;
    }
  }
  return { ...w, referenceRate: s / (U * K) };
}

/**
 * Recomputes rho_ik = logistic(baseLogit + b_k + u_i . v_k + e_ik) for every user and topic.
 *
 * @param world - the world (updated in place).
 * @param withRelevance - false updates only `logit` (callers that read only the logits, e.g. with items, save one
 *   exp per <user, topic>; {@link relevanceFromLogit} fills `relevance` later with the same numbers).
 */
export function updateRelevance(world: RecsysWorld, withRelevance = true): void {
  const { users: U, topics: K } = world;
  const r = world.config.rank;
  const { topicLogit: b, topicFactors: v, userFactors: u, idiosyncratic: e, relevance, logit } = world;
  const base = world.config.baseLogit;
  for (let i = 0; i < U; i++) {
    for (let k = 0; k < K; k++) {
      let z = base + b[k]! + e[i * K + k]!;
      for (let j = 0; j < r; j++) z += u[i * r + j]! * v[k * r + j]!;
      logit[i * K + k] = z;
      if (withRelevance) relevance[i * K + k] = 1 / (1 + Math.exp(-z));
    }
  }
}

/** Fills `relevance` = logistic(`logit`) (after {@link updateRelevance} with `withRelevance` false). */
export function relevanceFromLogit(world: RecsysWorld): void {
  const { relevance, logit } = world;
  for (let i = 0; i < logit.length; i++) relevance[i] = 1 / (1 + Math.exp(-logit[i]!));
}

/**
 * One day of interest drift (a no-op when `interestHalfLife` is 0): x <- phi x + sqrt(1 - phi^2) sd z for every
 * user factor and idiosyncratic logit, phi = 2^(-1/halfLife), z ~ N(0, 1) (stationary: the spread of interests is
 * unchanged, who likes what changes), then the relevance is recomputed.
 *
 * @param world - the world (updated in place).
 * @param rng - the day's drift stream (the same for every policy compared on one world).
 * @param withRelevance - false updates the logits only (see {@link updateRelevance}).
 */
export function driftInterests(world: RecsysWorld, rng: Rng, withRelevance = true): void {
  const h = world.config.interestHalfLife;
  if (!(h > 0)) return;
  const phi = 2 ** (-1 / h);
  const s = Math.sqrt(1 - phi * phi);
  const su = s * world.config.userFactorSd;
  const se = s * world.config.idiosyncraticSd;
  const u = world.userFactors;
  const e = world.idiosyncratic;
  for (let i = 0; i < u.length; i++) u[i] = phi * u[i]! + su * sampleNormal(rng);
  for (let i = 0; i < e.length; i++) e[i] = phi * e[i]! + se * sampleNormal(rng);
  updateRelevance(world, withRelevance);
}

/**
 * The experiment days on which the `newTopics` topics launch: evenly spread, day_j = 1 + floor(j D / n).
 *
 * @param n - number of new topics.
 * @param days - experiment days D (Phase I + Phase II).
 * @returns launch day per new topic (ascending), topic K - n + j launching on entry j.
 */
export function launchDays(n: number, days: number): number[] {
  return Array.from({ length: n }, (_, j) => 1 + Math.floor((j * days) / n));
}

/**
 * Kernel: a session's sourced candidate topics (personalised sourcing): Gumbel-top-M of the upstream score
 * s_k / (T spread) over launched topics (a softmax draw without replacement), then `randomCandidates` uniform
 * launched topics not yet drawn. Consumes exactly K + randomCandidates uniforms.
 *
 * @param world - the environment.
 * @param score - upstream scores, read at `offset + k`.
 * @param offset - the user's row offset in `score`.
 * @param spread - the user's score spread (sd across launched topics; > 0).
 * @param rng - random source.
 * @param keys - scratch of length K.
 * @param out - receives the candidate topics.
 * @returns the number of candidates.
 */
export function drawCandidates(
  world: RecsysWorld,
  score: Float64Array,
  offset: number,
  spread: number,
  rng: Rng,
  keys: Float64Array,
  out: Int32Array,
): number {
  const K = world.topics;
  const c = world.config;
  const inv = 1 / (c.sourcingTemperature * Math.max(spread, 1e-9));
  let nLaunched = 0;
  for (let k = 0; k < K; k++) {
    const u = rng.uniform();
    if (world.launched[k] === 0) {
      keys[k] = Number.NEGATIVE_INFINITY;
      continue;
    }
    nLaunched++;
    // Gumbel key: s / T - ln(-ln u).
    keys[k] = score[offset + k]! * inv - Math.log(-Math.log(u > 0 ? u : Number.MIN_VALUE));
  }
  const m = Math.min(c.candidates, nLaunched);
  let n = 0;
  for (let j = 0; j < m; j++) {
    let best = -1;
    for (let k = 0; k < K; k++)
      if (keys[k]! > Number.NEGATIVE_INFINITY && (best < 0 || keys[k]! > keys[best]!)) best = k;
    out[n++] = best;
    keys[best] = Number.NEGATIVE_INFINITY;
  }
  return addRandomCandidates(world, rng, keys, Number.NEGATIVE_INFINITY, out, n, nLaunched);
}

/**
 * The sourcing's `randomCandidates` uniform extra topics, appended to `out[0..n)`: each is the floor(u * left)-th
 * launched topic not drawn yet, where a drawn topic has `keys[k] === drawn` (and is marked so when added).
 *
 * @returns the number of candidates.
 */
function addRandomCandidates(
  world: RecsysWorld,
  rng: Rng,
  keys: Float64Array,
  drawn: number,
  out: Int32Array,
  n: number,
  nLaunched: number,
): number {
  const K = world.topics;
  for (let j = 0; j < world.config.randomCandidates; j++) {
    const u = rng.uniform();
    if (n >= nLaunched) continue;
    let idx = Math.floor(u * (nLaunched - n));
    for (let k = 0; k < K; k++) {
      if (world.launched[k] === 0 || keys[k] === drawn) continue;
      if (idx-- === 0) {
        out[n++] = k;
        keys[k] = drawn;
        break;
      }
    }
  }
  return n;
}

/**
 * Kernel: the sourcing weights of one user for a day, w_k = exp((s_max - s_k) / (T spread)) over launched topics, for
 * {@link drawCandidatesWeighted}.
 *
 * @returns false when a weight is not finite (a near-zero spread): use {@link drawCandidates} then.
 */
export function candidateWeightsInto(
  world: RecsysWorld,
  score: Float64Array,
  offset: number,
  spread: number,
  weights: Float64Array,
): boolean {
  const K = world.topics;
  const inv = 1 / (world.config.sourcingTemperature * Math.max(spread, 1e-9));
  let smax = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++)
    if (world.launched[k] === 1 && score[offset + k]! > smax) smax = score[offset + k]!;
  for (let k = 0; k < K; k++) {
    if (world.launched[k] === 0) continue;
    const w = Math.exp((smax - score[offset + k]!) * inv);
    if (!(w < Number.POSITIVE_INFINITY)) return false;
    weights[k] = w;
  }
  return true;
}

/** 2^j for j = 0..32. */
const POW2 = Float64Array.from({ length: 33 }, (_, j) => 2 ** j);

/**
 * Kernel: {@link drawCandidates} from precomputed weights (the same candidates in the same order, one logarithm per
 * topic instead of two): the Gumbel key s_k / T - ln(-ln u_k) orders the topics as the exponential race
 * -ln(u_k) w_k does in reverse, so the M smallest race times are the M largest keys. A single pass keeps the M best
 * in order. Consumes exactly K + randomCandidates uniforms, as {@link drawCandidates}.
 *
 * Speed (the same candidates): once M topics are listed, a topic whose lower bound on its race time (from
 * (1 - u)(1 + (1 - u) / 2) and, below u = 1/2, from the binary exponent of u and a cubic in its mantissa) already
 * reaches the M-th time skips the logarithm; the list keeps its times beside the topics. A race time of +Infinity
 * (w_k near the largest double) is still computed exactly. Visiting the likely candidates first (`order`) makes the
 * threshold tight early, so most of the other topics skip their logarithm and the list rarely changes.
 *
 * @param top - optional scratch of length >= M for the listed times (allocated when absent).
 * @param order - optional permutation of the topics to visit them in, read at `orderOffset + j` (see
 *   {@link sortByWeightInto}; default: index order); the result is the same for every permutation.
 */
export function drawCandidatesWeighted(
  world: RecsysWorld,
  weights: Float64Array,
  rng: Rng,
  keys: Float64Array,
  out: Int32Array,
  top?: Float64Array,
  order?: Int32Array,
  orderOffset = 0,
): number {
  const K = world.topics;
  const M = world.config.candidates;
  const launched = world.launched;
  // The race times of the best M so far, in order (top[p] = keys[out[p]]: one load instead of two per comparison).
  const best = top !== undefined && top.length >= M ? top : new Float64Array(M);
  // The uniforms in topic order first (the stream's order), kept in `keys` until each topic's key replaces its own.
  let nLaunched = 0;
  for (let k = 0; k < K; k++) {
    const u = rng.uniform();
    if (launched[k] === 0) {
      keys[k] = Number.POSITIVE_INFINITY;
    } else {
      keys[k] = u;
      nLaunched++;
    }
  }
  let n = 0;
  let thr = Number.POSITIVE_INFINITY; // best[M - 1] once the list is full
  let thrTopic = K; // out[M - 1] once the list is full
  for (let j = 0; j < K; j++) {
    const k = order === undefined ? j : order[orderOffset + j]!;
    if (launched[k] === 0) continue;
    const u = keys[k]!;
    const w = weights[k]!;
    if (n === M && w < 1e300) {
      // -ln u >= v + v^2 / 2 with v = 1 - u (the series -ln u = sum v^j / j): when that lower bound already exceeds
      // the threshold (with a margin far above the rounding of both sides), t = -ln(u) w would not enter the list,
      // so its logarithm is not needed. keys[k] only has to be finite (not drawn) for the random extras.
      const v = 1 - u;
      let lb = v * (1 + 0.5 * v);
      if (u < 0.5) {
        // h = floor(2^32 u) in [2^(31-c), 2^(32-c)) with c = clz32(h) >= 1, so u = 2^-e1 (1 + x) with e1 = c + 1 >= 2,
        // x in [0, 1), and ln(1 + x) <= x - x^2/2 + x^3/3: -ln u >= e1 ln 2 - x (1 - x (1/2 - x/3)) >= 0.55 (within
        // 0.14 of -ln u; the bound above saturates at 1.5). Both sides are computed to within a few ulps.
        const h = (u * 4294967296) >>> 0;
        const e1 = h === 0 ? 32 : Math.clz32(h) + 1; // h = 0: u < 2^-32, and the bound 32 ln 2 still holds
        const x = h === 0 ? 0 : u * POW2[e1]! - 1;
        const lb2 = e1 * Math.LN2 - x * (1 - x * (0.5 - x / 3));
        if (lb2 > lb) lb = lb2;
      }
      if (lb * w >= thr * (1 + 1e-9)) {
        keys[k] = 0;
        continue;
      }
    }
    const t = -Math.log(u > 0 ? u : Number.MIN_VALUE) * w;
    keys[k] = t;
    // Insert into the best-M list out[0..n), sorted by (time, topic): the list the index-order pass with "earlier
    // topic first on ties" keeps, whatever order the topics are visited in.
    if (n === M && !(t < thr || (t === thr && k < thrTopic))) continue;
    let p = n < M ? n++ : M - 1;
    while (p > 0 && (t < best[p - 1]! || (t === best[p - 1]! && k < out[p - 1]!))) {
      out[p] = out[p - 1]!;
      best[p] = best[p - 1]!;
      p--;
    }
    out[p] = k;
    best[p] = t;
    if (n === M) {
      thr = best[M - 1]!;
      thrTopic = out[M - 1]!;
    }
  }
  for (let j = 0; j < n; j++) keys[out[j]!] = Number.POSITIVE_INFINITY;
  return addRandomCandidates(world, rng, keys, Number.POSITIVE_INFINITY, out, n, nLaunched);
}

/**
 * Sorts `order` (a permutation of the topics) by the sourcing weight, launched topics first, smallest weight (the
 * most likely candidate) first: the visiting order for {@link drawCandidatesWeighted}, which then fills its list
 * with likely winners and skips most other topics' logarithms. Any permutation gives the same candidates; a user's
 * weights change little from one day to the next, so yesterday's order is nearly sorted (insertion sort, ~K steps).
 *
 * @param order - a permutation of 0..K-1 at `order[offset .. offset + K)`, sorted in place.
 */
export function sortByWeightInto(
  world: RecsysWorld,
  weights: Float64Array,
  order: Int32Array,
  offset = 0,
): void {
  const K = world.topics;
  const launched = world.launched;
  for (let j = 1; j < K; j++) {
    const k = order[offset + j]!;
    const w = launched[k] === 1 ? weights[k]! : Number.POSITIVE_INFINITY;
    let p = j;
    while (p > 0) {
      const prev = order[offset + p - 1]!;
      const wp = launched[prev] === 1 ? weights[prev]! : Number.POSITIVE_INFINITY;
      if (!(w < wp)) break;
      order[offset + p] = prev;
      p--;
    }
    order[offset + p] = k;
  }
}

/**
 * Kernel: the topics available at one request among a session's candidates, each with probability
 * `availability` (at least one; one 32-bit word per request when there are <= 32 candidates).
 *
 * @returns how many topics are available.
 */
export function drawFromCandidates(
  world: RecsysWorld,
  candidates: Int32Array,
  nCandidates: number,
  rng: Rng,
  out: Int32Array,
): number {
  const p = world.config.availability;
  for (let attempt = 0; ; attempt++) {
    let n = 0;
    if (p === 0.5 && nCandidates <= 32) {
      const bits = rng.uint32();
      // Branch-free compaction (a random bit per candidate mispredicts half the time as a branch): write every
      // candidate, advance past it only when its bit is set. `out` has room for every candidate.
      for (let j = 0; j < nCandidates; j++) {
        out[n] = candidates[j]!;
        n += (bits >>> j) & 1;
      }
    } else {
      for (let j = 0; j < nCandidates; j++) if (rng.uniform() < p) out[n++] = candidates[j]!;
    }
    if (n > 0) return n;
    if (attempt > 64) {
      out[0] = candidates[0]!;
      return 1;
    }
  }
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
    const launched = world.launched;
    if (p === 0.5) {
      // One 32-bit word per 32 topics: each bit is a fair coin.
      for (let w = 0; w < K; w += 32) {
        const bits = rng.uint32();
        const m = Math.min(32, K - w);
        for (let j = 0; j < m; j++) if ((bits >>> j) & 1 && launched[w + j] === 1) out[n++] = w + j;
      }
    } else {
      for (let k = 0; k < K; k++) if (rng.uniform() < p && launched[k] === 1) out[n++] = k;
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
  return respondRate(world, world.relevance[user * world.topics + topic]!, rng);
}

/**
 * Kernel: the response to one impression whose completion probability is `rho` (what {@link respond} and
 * {@link respondItem} draw once they have rho; for callers that keep rho between impressions).
 */
export function respondRate(world: RecsysWorld, rho: number, rng: Rng): number {
  // Exactly two uniforms per impression, so runs that differ only in the policy stay aligned (common random numbers).
  const u1 = rng.uniform();
  const u2 = rng.uniform();
  if (u1 < rho) return u2 < world.config.loopScale * rho ? OUTCOME_COMPLETE | OUTCOME_LOOP : OUTCOME_COMPLETE;
  return u2 < world.config.skipIfIncomplete ? OUTCOME_SKIP : 0;
}

/**
 * Kernel: the item served for `topic` at one request (with more than one item per topic): each of the topic's items
 * is available with probability 1/2 (one 32-bit word per request, whatever the policy, so runs stay aligned), and the
 * upstream item ranking serves the available item with the largest estimate (all items when none is available).
 *
 * @param world - the environment (itemsPerTopic > 1).
 * @param topic - the chosen topic (item cluster).
 * @param estimate - the upstream estimate of each item (higher is better), K x itemsPerTopic.
 * @param rng - random source (one uint32).
 * @returns the item index (topic * itemsPerTopic + j).
 */
export function pickItem(world: RecsysWorld, topic: number, estimate: Float64Array, rng: Rng): number {
  const ipt = world.itemsPerTopic;
  const o = topic * ipt;
  const bits = rng.uint32();
  let best = -1;
  for (let j = 0; j < ipt; j++) {
    if (((bits >>> j) & 1) === 0) continue;
    if (best < 0 || estimate[o + j]! > estimate[o + best]!) best = j;
  }
  if (best < 0) {
    best = 0;
    for (let j = 1; j < ipt; j++) if (estimate[o + j]! > estimate[o + best]!) best = j;
  }
  return o + best;
}

/**
 * The upstream item ranking's order of each topic's items, best first: `order[topic * itemsPerTopic + r]` is the
 * within-topic index of the item of rank r by `estimate` (descending; equal estimates by ascending index, the item
 * {@link pickItem}'s strict comparison keeps). Computed once a day, when the estimates change.
 *
 * @param world - the environment.
 * @param estimate - the upstream estimate of each item, K x itemsPerTopic.
 * @param order - receives the ranks, K x itemsPerTopic.
 */
export function itemOrderInto(world: RecsysWorld, estimate: Float64Array, order: Int32Array): void {
  const ipt = world.itemsPerTopic;
  for (let k = 0; k < world.topics; k++) {
    const o = k * ipt;
    for (let j = 0; j < ipt; j++) {
      // Insertion by (estimate descending, index ascending): j goes after every earlier item with estimate >= its.
      const e = estimate[o + j]!;
      let p = j;
      while (p > 0 && e > estimate[o + order[o + p - 1]!]!) {
        order[o + p] = order[o + p - 1]!;
        p--;
      }
      order[o + p] = j;
    }
  }
}

/**
 * Kernel: {@link pickItem} from the ranks of {@link itemOrderInto} (the same item from the same uint32): the best
 * ranked item whose availability bit is set, else the best item. The scan stops at the first available item (two
 * steps on average) instead of comparing all of the topic's items at unpredictable branches.
 */
export function pickItemOrdered(world: RecsysWorld, topic: number, order: Int32Array, rng: Rng): number {
  const ipt = world.itemsPerTopic;
  const o = topic * ipt;
  const bits = rng.uint32();
  if (ipt < 32 && (bits & ((1 << ipt) - 1)) === 0) return o + order[o]!;
  for (let r = 0; r < ipt; r++) {
    const j = order[o + r]!;
    if ((bits >>> j) & 1) return o + j;
  }
  return o + order[o]!;
}

/**
 * Kernel: the user's response to one impression of `item` (relevance logistic(logit_{user, topic} + offset_item));
 * the same two uniforms as {@link respond}.
 */
export function respondItem(world: RecsysWorld, user: number, item: number, rng: Rng): number {
  return respondRate(world, itemRelevance(world, user, item), rng);
}

/** The completion probability of `item` for `user`: logistic(logit_{user, topic} + offset_item). */
export function itemRelevance(world: RecsysWorld, user: number, item: number): number {
  const topic = Math.floor(item / world.itemsPerTopic);
  return 1 / (1 + Math.exp(-(world.logit[user * world.topics + topic]! + world.itemOffset[item]!)));
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

/**
 * Kernel: the number of sessions of `user` today, Poisson(sessionRate x multiplier) by inversion of ONE uniform
 * (monotone in the rate: a more satisfied user has at least as many sessions on the same draw).
 *
 * @param multiplier - activity multiplier (default 1), the rate is capped at `maxSessionRate`.
 */
export function drawSessions(world: RecsysWorld, user: number, rng: Rng, multiplier = 1): number {
  const lambda = Math.min(world.config.maxSessionRate, world.sessionRate[user]! * multiplier);
  const u = rng.uniform();
  let p = Math.exp(-lambda);
  let cdf = p;
  let k = 0;
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
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

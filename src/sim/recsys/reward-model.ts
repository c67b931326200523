/**
 * The recommender's multi-task reward model: per task, a low-rank linear model of the rate of that task per
 * <user, topic> fitted by alternating ridge least squares on the logged impressions, blended with the user's own
 * history of the topic. Topic parameters are shared by every user the model is trained on, so exploration data
 * from one group of users changes the predictions for another (the leakage the two-phase A/B design controls).
 */

import { choleskyInPlace, choleskySolve } from '../../core/linalg.js';
import type { Rng } from '../../core/rng.js';
import { assertInteger } from '../../core/validate.js';

/** Logged interactions: impressions and task events per <user, topic>, cumulative (additive). */
export interface InteractionLog {
  readonly users: number;
  readonly topics: number;
  readonly tasks: number;
  /** Impressions per <user, topic>, U x K row-major. */
  readonly shown: Float64Array;
  /** Task events per <user, topic>, tasks x U x K: `events[t * U * K + i * K + k]`. */
  readonly events: Float64Array;
  /** Impressions per user (row sums of `shown`). */
  readonly shownTotal: Float64Array;
}

/** An empty log. */
export function createInteractionLog(users: number, topics: number, tasks: number): InteractionLog {
  assertInteger('users', users, 1);
  assertInteger('topics', topics, 1);
  assertInteger('tasks', tasks, 1);
  return {
    users,
    topics,
    tasks,
    shown: new Float64Array(users * topics),
    events: new Float64Array(tasks * users * topics),
    shownTotal: new Float64Array(users),
  };
}

/** Hyper-parameters of the reward model. */
export interface RewardModelOptions {
  /** Rank of the user and topic factors (default 3). */
  readonly rank: number;
  /** Ridge penalty on user factors, in impressions (default 5). */
  readonly lambdaUser: number;
  /** Ridge penalty on topic factors (default 5). */
  readonly lambdaTopic: number;
  /** Ridge penalty pulling topic intercepts to the task's average rate (default 5). */
  readonly lambdaMean: number;
  /** Prior strength, in impressions, of the model's prediction against the user's own history (default 10). */
  readonly kappa: number;
  /** Alternating least-squares sweeps per daily retrain, warm-started from the day before (default 2). */
  readonly sweeps: number;
}

/** Default reward-model hyper-parameters. */
export const DEFAULT_REWARD_MODEL: RewardModelOptions = {
  rank: 3,
  lambdaUser: 5,
  lambdaTopic: 5,
  lambdaMean: 5,
  kappa: 10,
  sweeps: 1,
};

/**
 * One reward model (topic side). User factors live in a {@link UserFactors} array shared by the models, each user
 * fitted by the model that serves it.
 */
export interface RewardModel {
  readonly options: RewardModelOptions;
  readonly tasks: number;
  readonly topics: number;
  /** Topic intercepts mu_{T,k}, tasks x K. */
  readonly mu: Float64Array;
  /** Topic factors q_{T,k}, tasks x K x rank. */
  readonly q: Float64Array;
}

/** User factors p_{T,i} for every user: users x tasks x rank. */
export type UserFactors = Float64Array;

/**
 * A fresh model with small random topic factors (so alternating least squares can leave the zero point).
 *
 * @param tasks - number of tasks.
 * @param topics - number of topics.
 * @param options - hyper-parameters (defaults {@link DEFAULT_REWARD_MODEL}).
 * @param rng - random source for the initial factors.
 * @param initialRate - initial intercepts per task (length tasks).
 */
export function createRewardModel(
  tasks: number,
  topics: number,
  options: Partial<RewardModelOptions>,
  rng: Rng,
  initialRate: ArrayLike<number>,
): RewardModel {
  const o: RewardModelOptions = { ...DEFAULT_REWARD_MODEL, ...options };
  assertInteger('rank', o.rank, 1, 16);
  assertInteger('sweeps', o.sweeps, 1);
  const mu = new Float64Array(tasks * topics);
  const q = new Float64Array(tasks * topics * o.rank);
  for (let t = 0; t < tasks; t++) for (let k = 0; k < topics; k++) mu[t * topics + k] = initialRate[t]!;
  for (let i = 0; i < q.length; i++) q[i] = 0.1 * rng.normal(0, 1);
  return { options: o, tasks, topics, mu, q };
}

/** Copies a model (Phase II starts each group's model from the pooled one). */
export function cloneRewardModel(m: RewardModel): RewardModel {
  return { options: m.options, tasks: m.tasks, topics: m.topics, mu: m.mu.slice(), q: m.q.slice() };
}

/** Scratch space for training, sized for a rank. */
interface Work {
  readonly a: Float64Array;
  readonly l: Float64Array;
  readonly b: Float64Array;
  readonly x: Float64Array;
}

function makeWork(d: number): Work {
  return {
    a: new Float64Array(d * d),
    l: new Float64Array(d * d),
    b: new Float64Array(d),
    x: new Float64Array(d),
  };
}

/** Solves w.a x = w.b into w.x (w.a symmetric positive definite: every system here has a ridge term). */
function solveSpd(d: number, w: Work): void {
  if (!choleskyInPlace(d, w.a, w.l)) {
    w.x.fill(0);
    return;
  }
  choleskySolve(d, w.l, w.b, w.x);
}

/**
 * The user step of one task t for every user in `trainUsers`:
 * p_i = (lambdaUser I + sum_k n_ik q_k q_k')^-1 sum_k (y_ik - n_ik mu_k) q_k. A user with no impressions gets a zero
 * factor when `zeroUnseen`, and is left as is otherwise.
 */
function userStep(
  model: RewardModel,
  factors: UserFactors,
  log: InteractionLog,
  trainUsers: Int32Array,
  t: number,
  wu: Work,
  zeroUnseen: boolean,
  keep?: Uint8Array,
): void {
  const { tasks: T, topics: K } = model;
  const d = model.options.rank;
  if (d === 3) {
    userStep3(model, factors, log, trainUsers, t, zeroUnseen, keep);
    return;
  }
  const lambdaUser = model.options.lambdaUser;
  const ev = log.events;
  const evOff = t * log.users * K;
  for (let j = 0; j < trainUsers.length; j++) {
    const i = trainUsers[j]!;
    const po = (i * T + t) * d;
    if (log.shownTotal[i]! <= 0) {
      if (zeroUnseen) for (let r = 0; r < d; r++) factors[po + r] = 0;
      continue;
    }
    if (keep !== undefined && keep[i] === 1) continue;
    wu.a.fill(0);
    wu.b.fill(0);
    for (let r = 0; r < d; r++) wu.a[r * d + r] = lambdaUser;
    for (let k = 0; k < K; k++) {
      const n = log.shown[i * K + k]!;
      if (n <= 0) continue;
      const qo = (t * K + k) * d;
      const resid = ev[evOff + i * K + k]! - n * model.mu[t * K + k]!;
      for (let r = 0; r < d; r++) {
        const qr = model.q[qo + r]!;
        wu.b[r]! += resid * qr;
        for (let s = 0; s <= r; s++) wu.a[r * d + s]! += n * qr * model.q[qo + s]!;
      }
    }
    for (let r = 0; r < d; r++) for (let s = 0; s < r; s++) wu.a[s * d + r] = wu.a[r * d + s]!;
    solveSpd(d, wu);
    for (let r = 0; r < d; r++) factors[po + r] = wu.x[r]!;
  }
}

/**
 * {@link userStep} for rank 3 (the default) with the 3 x 3 normal equations, Cholesky factor and solves in scalars:
 * the same operations in the same order as the general path (bit-identical results), without the per-user array
 * fills and calls.
 */
function userStep3(
  model: RewardModel,
  factors: UserFactors,
  log: InteractionLog,
  trainUsers: Int32Array,
  t: number,
  zeroUnseen: boolean,
  keep?: Uint8Array,
): void {
  const { tasks: T, topics: K } = model;
  const lambdaUser = model.options.lambdaUser;
  const ev = log.events;
  const shown = log.shown;
  const q = model.q;
  const mu = model.mu;
  const evOff = t * log.users * K;
  const muOff = t * K;
  for (let j = 0; j < trainUsers.length; j++) {
    const i = trainUsers[j]!;
    const po = (i * T + t) * 3;
    if (log.shownTotal[i]! <= 0) {
      if (zeroUnseen) {
        factors[po] = 0;
        factors[po + 1] = 0;
        factors[po + 2] = 0;
      }
      continue;
    }
    if (keep !== undefined && keep[i] === 1) continue;
    let a00 = lambdaUser;
    let a11 = lambdaUser;
    let a22 = lambdaUser;
    let a10 = 0;
    let a20 = 0;
    let a21 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    const row = i * K;
    for (let k = 0; k < K; k++) {
      const n = shown[row + k]!;
      if (n <= 0) continue;
      const qo = (muOff + k) * 3;
      const resid = ev[evOff + row + k]! - n * mu[muOff + k]!;
      const q0 = q[qo]!;
      const q1 = q[qo + 1]!;
      const q2 = q[qo + 2]!;
      b0 += resid * q0;
      a00 += n * q0 * q0;
      b1 += resid * q1;
      const nq1 = n * q1;
      a10 += nq1 * q0;
      a11 += nq1 * q1;
      b2 += resid * q2;
      const nq2 = n * q2;
      a20 += nq2 * q0;
      a21 += nq2 * q1;
      a22 += nq2 * q2;
    }
    solve3Into(a00, a10, a11, a20, a21, a22, b0, b1, b2, factors, po);
  }
}

/**
 * The <user, topic> cells with impressions, per user in ascending topic order (compressed rows over
 * {@link InteractionLog.shown}): the training passes visit only these cells instead of testing every cell.
 */
export interface LogIndex {
  /** Row starts, length users + 1: user i's topics are `topic[start[i] .. start[i + 1])`. */
  readonly start: Int32Array;
  /** Topic indices, users x topics capacity. */
  readonly topic: Int32Array;
}

/** An empty index with room for every cell of a log of `users` x `topics`. */
export function createLogIndex(users: number, topics: number): LogIndex {
  assertInteger('users', users, 1);
  assertInteger('topics', topics, 1);
  return { start: new Int32Array(users + 1), topic: new Int32Array(users * topics) };
}

/**
 * Rebuilds `index` from the log's current impressions (call it after the log changed, before training on it).
 * Branch-free: every topic is written and the cursor advances only past topics with impressions.
 */
export function indexLogInto(log: InteractionLog, index: LogIndex): void {
  const { users: U, topics: K, shown } = log;
  const { start, topic } = index;
  let p = 0;
  for (let i = 0; i < U; i++) {
    start[i] = p;
    const row = i * K;
    for (let k = 0; k < K; k++) {
      topic[p] = k;
      p += shown[row + k]! > 0 ? 1 : 0;
    }
  }
  start[U] = p;
}

/** Scratch of {@link trainRank3Indexed} per task count and topic count (no allocation per call). */
const indexedScratch = new Map<string, { sy: Float64Array; ga: Float64Array; gb: Float64Array }>();

/**
 * {@link trainRewardModel} for rank 3 on an up-to-date {@link LogIndex}: the same operations in the same order for
 * each task (bit-identical results), with the tasks' passes merged (one pass over the users for the task means,
 * one per user step and one per topic accumulation, all tasks at once, instead of one per task) and only the cells
 * with impressions visited (a cell without impressions adds exactly 0 to every sum; it was skipped or added as +0).
 * Tasks are independent (own intercepts, topic and user factors), so interleaving them changes no number.
 */
function trainRank3Indexed(
  model: RewardModel,
  factors: UserFactors,
  log: InteractionLog,
  index: LogIndex,
  trainUsers: Int32Array,
  unchanged: Uint8Array | undefined,
): void {
  const { tasks: T, topics: K } = model;
  const U = log.users;
  const { lambdaTopic, lambdaMean, sweeps } = model.options;
  const key = `${T}x${K}`;
  let scratch = indexedScratch.get(key);
  if (scratch === undefined) {
    scratch = { sy: new Float64Array(T), ga: new Float64Array(T * K * 16), gb: new Float64Array(T * K * 4) };
    indexedScratch.set(key, scratch);
  }
  const { sy, ga, gb } = scratch;
  const ev = log.events;
  const shown = log.shown;
  const shownTotal = log.shownTotal;
  const { start, topic } = index;
  const UK = U * K;
  // Task means gbar_T = events / impressions over the training users (per task: users in order, topics ascending).
  sy.fill(0);
  let sn = 0;
  for (let j = 0; j < trainUsers.length; j++) {
    const i = trainUsers[j]!;
    sn += shownTotal[i]!;
    const row = i * K;
    const e = start[i + 1]!;
    for (let t = 0; t < T; t++) {
      let s = sy[t]!;
      const off = t * UK + row;
      for (let p = start[i]!; p < e; p++) s += ev[off + topic[p]!]!;
      sy[t] = s;
    }
  }
  const wt = makeWork(4);
  for (let sweep = 0; sweep < sweeps; sweep++) {
    userStep3Indexed(model, factors, log, index, trainUsers, true, sweep === 0 ? unchanged : undefined);
    ga.fill(0);
    gb.fill(0);
    for (let j = 0; j < trainUsers.length; j++) {
      const i = trainUsers[j]!;
      if (shownTotal[i]! <= 0) continue;
      const row = i * K;
      const s0 = start[i]!;
      const e = start[i + 1]!;
      for (let t = 0; t < T; t++) {
        const po = (i * T + t) * 3;
        const p0 = factors[po]!;
        const p1 = factors[po + 1]!;
        const p2 = factors[po + 2]!;
        const evOff = t * UK + row;
        const gaT = t * K * 16;
        const gbT = t * K * 4;
        for (let p = s0; p < e; p++) {
          const k = topic[p]!;
          const n = shown[row + k]!;
          const y = ev[evOff + k]!;
          const ao = gaT + k * 16;
          const bo = gbT + k * 4;
          addRank3Cell(ga, ao, gb, bo, n, y, p0, p1, p2);
        }
      }
    }
    for (let t = 0; t < T; t++) {
      const gbar = sn > 0 ? sy[t]! / sn : 0;
      for (let k = 0; k < K; k++) {
        const ao = (t * K + k) * 16;
        const bo = (t * K + k) * 4;
        for (let r = 0; r < 4; r++) {
          for (let s = 0; s <= r; s++) {
            const v = ga[ao + r * 4 + s]!;
            wt.a[r * 4 + s] = v;
            wt.a[s * 4 + r] = v;
          }
          wt.b[r] = gb[bo + r]!;
        }
        wt.a[0]! += lambdaMean;
        wt.b[0]! += lambdaMean * gbar;
        for (let r = 1; r < 4; r++) wt.a[r * 4 + r]! += lambdaTopic;
        solveSpd(4, wt);
        model.mu[t * K + k] = wt.x[0]!;
        for (let r = 0; r < 3; r++) model.q[(t * K + k) * 3 + r] = wt.x[r + 1]!;
      }
    }
  }
  userStep3Indexed(model, factors, log, index, trainUsers, false, undefined);
}

/** {@link userStep3} for every task at once over the indexed cells (the same numbers per task). */
function userStep3Indexed(
  model: RewardModel,
  factors: UserFactors,
  log: InteractionLog,
  index: LogIndex,
  trainUsers: Int32Array,
  zeroUnseen: boolean,
  keep: Uint8Array | undefined,
): void {
  const { tasks: T, topics: K } = model;
  const lambdaUser = model.options.lambdaUser;
  const ev = log.events;
  const shown = log.shown;
  const shownTotal = log.shownTotal;
  const q = model.q;
  const mu = model.mu;
  const UK = log.users * K;
  const { start, topic } = index;
  for (let j = 0; j < trainUsers.length; j++) {
    const i = trainUsers[j]!;
    if (shownTotal[i]! <= 0) {
      if (zeroUnseen) for (let r = i * T * 3; r < (i + 1) * T * 3; r++) factors[r] = 0;
      continue;
    }
    if (keep !== undefined && keep[i] === 1) continue;
    const row = i * K;
    const s0 = start[i]!;
    const e = start[i + 1]!;
    for (let t = 0; t < T; t++) {
      const po = (i * T + t) * 3;
      const evOff = t * UK + row;
      const muOff = t * K;
      let a00 = lambdaUser;
      let a11 = lambdaUser;
      let a22 = lambdaUser;
      let a10 = 0;
      let a20 = 0;
      let a21 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      for (let p = s0; p < e; p++) {
        const k = topic[p]!;
        const n = shown[row + k]!;
        const qo = (muOff + k) * 3;
        const resid = ev[evOff + k]! - n * mu[muOff + k]!;
        const q0 = q[qo]!;
        const q1 = q[qo + 1]!;
        const q2 = q[qo + 2]!;
        b0 += resid * q0;
        a00 += n * q0 * q0;
        b1 += resid * q1;
        const nq1 = n * q1;
        a10 += nq1 * q0;
        a11 += nq1 * q1;
        b2 += resid * q2;
        const nq2 = n * q2;
        a20 += nq2 * q0;
        a21 += nq2 * q1;
        a22 += nq2 * q2;
      }
      solve3Into(a00, a10, a11, a20, a21, a22, b0, b1, b2, factors, po);
    }
  }
}

/**
 * Retrains a model on the logged data of the users in `trainUsers` (one day's refresh).
 *
 * @remarks
 * For each task T, minimises over mu_{T,k}, q_{T,k}, p_{T,i}:
 *   sum_{i in train} sum_k [ sum over impressions (y - mu_{T,k} - p_{T,i} . q_{T,k})^2 ]
 *     + lambdaUser |p_{T,i}|^2 + lambdaTopic |q_{T,k}|^2 + lambdaMean (mu_{T,k} - gbar_T)^2,
 * the impression-level squared loss written with the <user, topic> sufficient statistics (n_ik impressions,
 * y_ik events): the per-impression sum equals n_ik (ybar_ik - m_ik)^2 + const. Alternating exact ridge solves
 * (user step r x r, topic step (r+1) x (r+1), Cholesky), `sweeps` sweeps warm-started from the current factors.
 *
 * @param model - the model (updated in place).
 * @param factors - user factors (updated in place for the users in `trainUsers`).
 * @param log - the logged data (only rows of `trainUsers` are read).
 * @param trainUsers - indices of the users whose data the model may see.
 * @param unchanged - optional, 1 per user whose factor may be kept in the first user step: valid only when the
 *   model's topic side and the user's rows of the log are unchanged since the final user step of the model's last
 *   training (e.g. a user without impressions since then, retrained the next day), so the step would recompute the
 *   same numbers (bit-identical results, less work).
 * @param index - optional, the log's {@link LogIndex} rebuilt since the log last changed ({@link indexLogInto}):
 *   with rank 3 the passes then visit only cells with impressions and all tasks at once (bit-identical results).
 */
export function trainRewardModel(
  model: RewardModel,
  factors: UserFactors,
  log: InteractionLog,
  trainUsers: Int32Array,
  unchanged?: Uint8Array,
  index?: LogIndex,
): void {
  const { tasks: T, topics: K } = model;
  const d = model.options.rank;
  if (d === 3 && index !== undefined) {
    trainRank3Indexed(model, factors, log, index, trainUsers, unchanged);
    return;
  }
  const U = log.users;
  const { lambdaTopic, lambdaMean, sweeps } = model.options;
  const wu = makeWork(d);
  const d1 = d + 1;
  const wt = makeWork(d1);
  // Per-topic normal equations, accumulated over users: K x (d+1)^2 and K x (d+1).
  const ga = new Float64Array(K * d1 * d1);
  const gb = new Float64Array(K * d1);
  const x = new Float64Array(d1);
  for (let t = 0; t < T; t++) {
    const ev = log.events;
    const evOff = t * U * K;
    let sy = 0;
    let sn = 0;
    for (let j = 0; j < trainUsers.length; j++) {
      const i = trainUsers[j]!;
      sn += log.shownTotal[i]!;
      for (let k = 0; k < K; k++) sy += ev[evOff + i * K + k]!;
    }
    const gbar = sn > 0 ? sy / sn : 0;
    for (let sweep = 0; sweep < sweeps; sweep++) {
      // User step: p_i = (lambdaUser I + sum_k n_ik q_k q_k')^-1 sum_k (y_ik - n_ik mu_k) q_k.
      userStep(model, factors, log, trainUsers, t, wu, true, sweep === 0 ? unchanged : undefined);
      // Topic step: theta_k = (mu_k, q_k) with features (1, p_i).
      ga.fill(0);
      gb.fill(0);
      for (let j = 0; j < trainUsers.length; j++) {
        const i = trainUsers[j]!;
        if (log.shownTotal[i]! <= 0) continue;
        const po = (i * T + t) * d;
        if (d === 3) {
          // Rank 3 (the default): the same products and sums in scalars (bit-identical), x = (1, p0, p1, p2).
          const p0 = factors[po]!;
          const p1 = factors[po + 1]!;
          const p2 = factors[po + 2]!;
          const row = i * K;
          for (let k = 0; k < K; k++) {
            const n = log.shown[row + k]!;
            if (n <= 0) continue;
            const y = ev[evOff + row + k]!;
            const ao = k * 16;
            const bo = k * 4;
            addRank3Cell(ga, ao, gb, bo, n, y, p0, p1, p2);
          }
          continue;
        }
        x[0] = 1;
        for (let r = 0; r < d; r++) x[r + 1] = factors[po + r]!;
        for (let k = 0; k < K; k++) {
          const n = log.shown[i * K + k]!;
          if (n <= 0) continue;
          const y = ev[evOff + i * K + k]!;
          const ao = k * d1 * d1;
          const bo = k * d1;
          for (let r = 0; r < d1; r++) {
            const xr = x[r]!;
            gb[bo + r]! += y * xr;
            const nxr = n * xr;
            for (let s = 0; s <= r; s++) ga[ao + r * d1 + s]! += nxr * x[s]!;
          }
        }
      }
      for (let k = 0; k < K; k++) {
        const ao = k * d1 * d1;
        for (let r = 0; r < d1; r++) {
          for (let s = 0; s <= r; s++) {
            const v = ga[ao + r * d1 + s]!;
            wt.a[r * d1 + s] = v;
            wt.a[s * d1 + r] = v;
          }
          wt.b[r] = gb[k * d1 + r]!;
        }
        wt.a[0]! += lambdaMean;
        wt.b[0]! += lambdaMean * gbar;
        for (let r = 1; r < d1; r++) wt.a[r * d1 + r]! += lambdaTopic;
        solveSpd(d1, wt);
        model.mu[t * K + k] = wt.x[0]!;
        for (let r = 0; r < d; r++) model.q[(t * K + k) * d + r] = wt.x[r + 1]!;
      }
    }
    // Final user step so every user's factor matches the final topic side.
    userStep(model, factors, log, trainUsers, t, wu, false);
  }
}

/**
 * Kernel: the model's predictions rhat_a(T, C) of one user for every topic, and their weighted sum.
 *
 * @remarks
 * m_{T,ik} = clip(mu_{T,k} + p_{T,i} . q_{T,k}, 0.001, 0.999) generalises from other users; the prediction blends
 * it with the user's own history of the topic: rhat = (y_ik + kappa m) / (n_ik + kappa), a topic never shown to the
 * user is predicted from the shared part alone.
 *
 * @param model - the serving model.
 * @param factors - user factors.
 * @param log - logged data up to yesterday.
 * @param user - user index.
 * @param alpha - task weights alpha_T.
 * @param exploit - receives sum_T alpha_T rhat(T) at `exploit[user * K + k]`.
 * @param predictions - optional: receives rhat per task, tasks x K (for callers that need each task).
 */
export function predictUser(
  model: RewardModel,
  factors: UserFactors,
  log: InteractionLog,
  user: number,
  alpha: Float64Array,
  exploit: Float64Array,
  predictions?: Float64Array,
): void {
  const { tasks: T, topics: K } = model;
  const d = model.options.rank;
  const kappa = model.options.kappa;
  const U = log.users;
  if (d === 3 && T === 3 && predictions === undefined) {
    predictUser33(model, factors, log, user, alpha, exploit);
    return;
  }
  for (let k = 0; k < K; k++) {
    const n = log.shown[user * K + k]!;
    let e = 0;
    for (let t = 0; t < T; t++) {
      let m = model.mu[t * K + k]!;
      const po = (user * T + t) * d;
      const qo = (t * K + k) * d;
      for (let r = 0; r < d; r++) m += factors[po + r]! * model.q[qo + r]!;
      m = Math.min(0.999, Math.max(0.001, m));
      const rhat = (log.events[t * U * K + user * K + k]! + kappa * m) / (n + kappa);
      if (predictions !== undefined) predictions[t * K + k] = rhat;
      e += alpha[t]! * rhat;
    }
    exploit[user * K + k] = e;
  }
}

/**
 * {@link predictUser} for 3 tasks at rank 3 (the default): the user's nine factor coordinates and the task weights
 * in scalars, the same products and sums in the same order (bit-identical), without the inner loops.
 */
function predictUser33(
  model: RewardModel,
  factors: UserFactors,
  log: InteractionLog,
  user: number,
  alpha: Float64Array,
  exploit: Float64Array,
): void {
  const K = model.topics;
  const kappa = model.options.kappa;
  const UK = log.users * K;
  const { mu, q } = model;
  const { shown, events } = log;
  const po = user * 9;
  const f00 = factors[po]!;
  const f01 = factors[po + 1]!;
  const f02 = factors[po + 2]!;
  const f10 = factors[po + 3]!;
  const f11 = factors[po + 4]!;
  const f12 = factors[po + 5]!;
  const f20 = factors[po + 6]!;
  const f21 = factors[po + 7]!;
  const f22 = factors[po + 8]!;
  const al0 = alpha[0]!;
  const al1 = alpha[1]!;
  const al2 = alpha[2]!;
  const row = user * K;
  for (let k = 0; k < K; k++) {
    const n = shown[row + k]!;
    const den = n + kappa;
    let e = 0;
    let qo = k * 3;
    let m = mu[k]!;
    m += f00 * q[qo]!;
    m += f01 * q[qo + 1]!;
    m += f02 * q[qo + 2]!;
    m = Math.min(0.999, Math.max(0.001, m));
    e += al0 * ((events[row + k]! + kappa * m) / den);
    qo = (K + k) * 3;
    m = mu[K + k]!;
    m += f10 * q[qo]!;
    m += f11 * q[qo + 1]!;
    m += f12 * q[qo + 2]!;
    m = Math.min(0.999, Math.max(0.001, m));
    e += al1 * ((events[UK + row + k]! + kappa * m) / den);
    qo = (2 * K + k) * 3;
    m = mu[2 * K + k]!;
    m += f20 * q[qo]!;
    m += f21 * q[qo + 1]!;
    m += f22 * q[qo + 2]!;
    m = Math.min(0.999, Math.max(0.001, m));
    e += al2 * ((events[2 * UK + row + k]! + kappa * m) / den);
    exploit[row + k] = e;
  }
}

/**
 * Solves the 3-by-3 system A x = b (A symmetric, its lower triangle given) by Cholesky A = L L' and the two
 * triangular solves, in the order choleskyInPlace and choleskySolve take them, into out[o..o+2]; x = 0 when A is not
 * positive definite (a cell without enough impressions keeps a zero factor).
 */
function solve3Into(
  a00: number,
  a10: number,
  a11: number,
  a20: number,
  a21: number,
  a22: number,
  b0: number,
  b1: number,
  b2: number,
  out: Float64Array,
  o: number,
): void {
  let x0 = 0;
  let x1 = 0;
  let x2 = 0;
  if (a00 > 0) {
    const l00 = Math.sqrt(a00);
    const l10 = a10 / l00;
    const l20 = a20 / l00;
    const d1 = a11 - l10 * l10;
    if (d1 > 0) {
      const l11 = Math.sqrt(d1);
      const l21 = (a21 - l20 * l10) / l11;
      let d2 = a22;
      d2 -= l20 * l20;
      d2 -= l21 * l21;
      if (d2 > 0) {
        const l22 = Math.sqrt(d2);
        const y0 = b0 / l00;
        const y1 = (b1 - l10 * y0) / l11;
        const y2 = (b2 - l20 * y0 - l21 * y1) / l22;
        x2 = y2 / l22;
        x1 = (y1 - l21 * x2) / l11;
        x0 = (y0 - l10 * x1 - l20 * x2) / l00;
      }
    }
  }
  out[o] = x0;
  out[o + 1] = x1;
  out[o + 2] = x2;
}

/**
 * Adds one <user, topic> cell to a topic's rank-3 normal equations (x = (1, p0, p1, p2), n impressions, y the
 * summed response): the lower triangle of A += n x x' at ga[ao..ao+15] (row-major 4 x 4) and b += y x at
 * gb[bo..bo+3], term by term in the order of the general loop (bit-identical to it).
 */
function addRank3Cell(
  ga: Float64Array,
  ao: number,
  gb: Float64Array,
  bo: number,
  n: number,
  y: number,
  p0: number,
  p1: number,
  p2: number,
): void {
  gb[bo]! += y;
  ga[ao]! += n;
  gb[bo + 1]! += y * p0;
  const n1 = n * p0;
  ga[ao + 4]! += n1;
  ga[ao + 5]! += n1 * p0;
  gb[bo + 2]! += y * p1;
  const n2 = n * p1;
  ga[ao + 8]! += n2;
  ga[ao + 9]! += n2 * p0;
  ga[ao + 10]! += n2 * p1;
  gb[bo + 3]! += y * p2;
  const n3 = n * p2;
  ga[ao + 12]! += n3;
  ga[ao + 13]! += n3 * p0;
  ga[ao + 14]! += n3 * p1;
  ga[ao + 15]! += n3 * p2;
}

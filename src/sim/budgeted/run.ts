/**
 * Runs of budgeted multiple-play bandits: the budget rule, regret at budget checkpoints, and the replication job the
 * worker pool runs (one replication = every requested policy on its own random stream).
 */
import { type BudgetedPolicySpec, createBudgetedPolicy } from '../../bandits/budgeted/create.js';
import { createKnownMeansPolicy } from '../../bandits/budgeted/known-means.js';
import { createIlfpWorkspace, ilfpOracleInto, ZERO_COST_MAX_REWARD } from '../../bandits/budgeted/oracle.js';
import {
  BUDGETED_POLICY_NAMES,
  type BudgetedContext,
  type BudgetedPolicy,
} from '../../bandits/budgeted/policy.js';
import { createBudgetedStats } from '../../bandits/budgeted/stats.js';
import { AllotError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { replicationRng } from '../replicate.js';
import { type BudgetedEnv, type BudgetedInstance, createBudgetedEnv } from './env.js';

/** The module URL of the replication job, for `runReplications({ module: JOB_MODULE, name })`. */
export const JOB_MODULE: string = import.meta.url;

/** What one episode collected. */
export interface BudgetedEpisode {
  /** Reward collected in the rounds that finished with spent <= checkpoint j. */
  readonly rewardAt: Float64Array;
  /** Same, with each pulled arm's mean reward in place of its realised reward (pseudo-reward). */
  readonly pseudoAt: Float64Array;
  /** Sum of the pulled arms' mean costs over the same rounds (for the gap regret, Eq. 10). */
  readonly pseudoCostAt: Float64Array;
  /** Total reward collected before the budget ran out. */
  readonly reward: number;
  /** Rounds completed within the budget. */
  readonly rounds: number;
  /** Budget spent by the completed rounds. */
  readonly spent: number;
}

/** The stream (of a replication's generator) the per-arm environment streams fork from under common random numbers. */
export const ENV_STREAM = 999_983;

/**
 * Per-arm environment streams for common random numbers: arm i draws from `base.fork(i)`, created on its first pull,
 * so the n-th pull of arm i gives the same reward and cost under every policy that starts from the same `base`.
 */
export interface ArmStreams {
  get(arm: number): Rng;
}

/**
 * Creates lazily forked per-arm streams (see {@link ArmStreams}).
 *
 * @param base - the replication's environment generator (e.g. `rng.fork(ENV_STREAM)`); not advanced.
 * @param K - number of arms.
 * @returns the streams.
 */
export function createArmStreams(base: Rng, K: number): ArmStreams {
  const streams: (Rng | undefined)[] = new Array(K);
  return {
    get(arm: number): Rng {
      let r = streams[arm];
      if (r === undefined) streams[arm] = r = base.fork(arm);
      return r;
    },
  };
}

/** Hard cap on rounds per episode (guards against a policy stuck on zero-cost arms). */
export const MAX_ROUNDS = 100_000_000;

/**
 * Plays one episode until the budget runs out.
 *
 * @remarks
 * The budget rule of Xia et al. 2016, Eq. (1) and Algorithm 3 line 6: after round t the remaining budget is
 * `B_t = B - sum_{s <= t} sum_{i in I_s} c_i(s)`; the rewards of round t count only if `B_t >= 0`, and the first round
 * with `B_t < 0` earns nothing and ends the run. One anytime run serves every checkpoint b <= B: the reward at b is
 * what the rounds that finished with spent <= b collected (the same budget rule applied at b).
 *
 * @param env - the environment sampler.
 * @param policy - the policy (fresh: its statistics start empty).
 * @param budget - B > 0 (not checked).
 * @param checkpoints - ascending budgets <= B.
 * @param rng - the episode's generator (policy draws, and environment draws unless `arms` is given).
 * @param arms - per-arm environment streams (common random numbers), or undefined to draw from `rng`.
 * @returns rewards at the checkpoints and totals.
 * @throws ALLOT_NOT_CONVERGED when the run exceeds {@link MAX_ROUNDS} rounds.
 */
export function runBudgetedEpisode(
  env: BudgetedEnv,
  policy: BudgetedPolicy,
  budget: number,
  checkpoints: ArrayLike<number>,
  rng: Rng,
  arms?: ArmStreams,
): BudgetedEpisode {
  const L = policy.L;
  const state = createBudgetedStats(env.K);
  const chosen = new Int32Array(L);
  const rewards = new Float64Array(L);
  const costs = new Float64Array(L);
  const rc = new Float64Array(2);
  const ncp = checkpoints.length;
  const rewardAt = new Float64Array(ncp);
  const pseudoAt = new Float64Array(ncp);
  const pseudoCostAt = new Float64Array(ncp);
  const ctx: BudgetedContext = { spent: 0 };
  const mu = env.rewardMean;
  const muc = env.costMean;
  let spent = 0;
  let pseudoCost = 0;
  let reward = 0;
  let pseudo = 0;
  let j = 0;
  let rounds = 0;
  for (;;) {
    ctx.spent = spent;
    policy.decide(state, ctx, rng, chosen);
    let roundCost = 0;
    let roundReward = 0;
    let roundPseudo = 0;
    let roundPseudoCost = 0;
    for (let k = 0; k < L; k++) {
      const i = chosen[k]!;
      env.sample(i, arms === undefined ? rng : arms.get(i), rc);
      rewards[k] = rc[0]!;
      costs[k] = rc[1]!;
      roundReward += rc[0]!;
      roundCost += rc[1]!;
      roundPseudo += mu[i]!;
      roundPseudoCost += muc[i]!;
    }
    const after = spent + roundCost;
    if (after > budget) break;
    while (j < ncp && after > checkpoints[j]!) {
      rewardAt[j] = reward;
      pseudoAt[j] = pseudo;
      pseudoCostAt[j] = pseudoCost;
      j++;
    }
    reward += roundReward;
    pseudo += roundPseudo;
    pseudoCost += roundPseudoCost;
    spent = after;
    rounds++;
    policy.learnInto(state, ctx, chosen, rewards, costs, rng);
    if (rounds >= MAX_ROUNDS) {
      throw new AllotError('ALLOT_NOT_CONVERGED', `episode exceeded ${MAX_ROUNDS} rounds (spent ${spent})`);
    }
  }
  for (; j < ncp; j++) {
    rewardAt[j] = reward;
    pseudoAt[j] = pseudo;
    pseudoCostAt[j] = pseudoCost;
  }
  return { rewardAt, pseudoAt, pseudoCostAt, reward, rounds, spent };
}

/**
 * The optimal ratio rho*_L of an instance and its super arm I* (Eq. 2), by the exact oracle on the true means.
 *
 * @param instance - the bandit.
 * @param L - plays per round, in [1, K].
 * @returns rho*_L and the arms of I* (0-based, ascending).
 */
export function optimalRatio(instance: BudgetedInstance, L: number): { rhoStar: number; arms: number[] } {
  const K = instance.K;
  const a = Float64Array.from(instance.rewardMean);
  const b = Float64Array.from(instance.costMean);
  const out = new Int32Array(L);
  const rhoStar = ilfpOracleInto(K, a, b, L, out, createIlfpWorkspace(K), ZERO_COST_MAX_REWARD, false, null);
  return { rhoStar, arms: Array.from(out) };
}

/** Input of {@link budgetedReplication} (structured-cloneable). */
export interface BudgetedJobInput {
  readonly instance: BudgetedInstance;
  /** Plays per round. */
  readonly L: number;
  /** Ascending budgets; the last is the run's budget B. */
  readonly checkpoints: readonly number[];
  /** rho*_L of the instance. */
  readonly rhoStar: number;
  /** Policies to run (eps-first's budget is set per checkpoint by the job). */
  readonly policies: readonly BudgetedPolicySpec[];
  /**
   * Common random numbers: every episode of the replication draws arm i's rewards and costs from the same stream
   * `rng.fork(ENV_STREAM).fork(i)`, so policies and schemes are compared on paired draws (default false: each
   * policy's own stream, the behaviour before this option).
   */
  readonly crn?: boolean;
}

/** One policy's outcome in one replication. */
export interface BudgetedPolicyRun {
  /** b * rho* - reward collected within budget b, per checkpoint. */
  readonly regret: number[];
  /** b * rho* - pseudo-reward within b, per checkpoint. */
  readonly pseudoRegret: number[];
  /**
   * Gap regret within b, per checkpoint: the sum over the rounds played of rho* c(I_t) - r(I_t) with the true means
   * (Xia et al. 2016, Eq. 10); free of the reward and stopping-time noise of the realised regret.
   */
  readonly gapRegret: number[];
  /** Reward collected with the full budget. */
  readonly reward: number;
  /** Rounds played with the full budget. */
  readonly rounds: number;
  /** Compute time of this policy in this replication, seconds. */
  readonly seconds: number;
}

/**
 * The random stream a policy uses inside a replication: fixed by its name and scheme, so a policy's results do not
 * depend on which other policies run beside it.
 */
export function policyStream(spec: BudgetedPolicySpec): number {
  const p = BUDGETED_POLICY_NAMES.indexOf(spec.name);
  const s = spec.scheme === 'R' ? 1 : spec.scheme === 'T' ? 2 : 0;
  return 3 * p + s;
}

/**
 * One policy of one replication on the replication's generator `rng`: the policy draws from
 * `rng.fork(policyStream(spec))` and, under common random numbers, arm i from `rng.fork(ENV_STREAM).fork(i)`. A
 * function of (input, spec, rng) alone, so a replication can run whole ({@link budgetedReplication}) or split into
 * one job per policy ({@link budgetedPolicyJob}) with the same numbers.
 *
 * @param input - instance, L, checkpoints, rho*, crn.
 * @param spec - the policy.
 * @param rng - the replication's generator (not advanced: only forked).
 * @param env - the instance's sampler (`createBudgetedEnv(input.instance)`), shared by the policies of a replication.
 * @returns regret, pseudo- and gap regret at the checkpoints, total reward, rounds and seconds.
 */
export function runPolicyReplication(
  input: Omit<BudgetedJobInput, 'policies'>,
  spec: BudgetedPolicySpec,
  rng: Rng,
  env: BudgetedEnv = createBudgetedEnv(input.instance),
): BudgetedPolicyRun {
  const cps = input.checkpoints;
  const B = cps[cps.length - 1]!;
  const K = input.instance.K;
  const envBase = input.crn === true ? rng.fork(ENV_STREAM) : null;
  const armStreams = (): ArmStreams | undefined =>
    envBase === null ? undefined : createArmStreams(envBase, K);
  const t0 = performance.now();
  const prng = rng.fork(policyStream(spec));
  const regret: number[] = new Array(cps.length);
  const pseudoRegret: number[] = new Array(cps.length);
  const gapRegret: number[] = new Array(cps.length);
  let reward = 0;
  let rounds = 0;
  if (spec.name === 'eps-first') {
    for (let j = 0; j < cps.length; j++) {
      const b = cps[j]!;
      const policy = createBudgetedPolicy({ ...spec, budget: b }, K, input.L);
      const ep = runBudgetedEpisode(env, policy, b, [b], prng.fork(j), armStreams());
      regret[j] = b * input.rhoStar - ep.reward;
      pseudoRegret[j] = b * input.rhoStar - ep.pseudoAt[0]!;
      gapRegret[j] = input.rhoStar * ep.pseudoCostAt[0]! - ep.pseudoAt[0]!;
      reward = ep.reward;
      rounds = ep.rounds;
    }
  } else {
    const policy = createBudgetedPolicy(spec, K, input.L);
    const ep = runBudgetedEpisode(env, policy, B, cps, prng, armStreams());
    for (let j = 0; j < cps.length; j++) {
      regret[j] = cps[j]! * input.rhoStar - ep.rewardAt[j]!;
      pseudoRegret[j] = cps[j]! * input.rhoStar - ep.pseudoAt[j]!;
      gapRegret[j] = input.rhoStar * ep.pseudoCostAt[j]! - ep.pseudoAt[j]!;
    }
    reward = ep.reward;
    rounds = ep.rounds;
  }
  return { regret, pseudoRegret, gapRegret, reward, rounds, seconds: (performance.now() - t0) / 1000 };
}

/**
 * One replication: every policy of `input.policies` on the instance, each on `rng.fork(policyStream(spec))`.
 * Anytime policies run once with the largest budget and are read at every checkpoint; eps-first depends on B, so it
 * runs once per checkpoint b (on stream `fork(j)` of its own stream), with budget b.
 *
 * @param input - instance, L, checkpoints, rho*, policies.
 * @param _index - replication index (the runner derives `rng` from it).
 * @param rng - the replication's generator.
 * @returns per policy, regret and pseudo-regret at the checkpoints, total reward, rounds and seconds.
 */
export function budgetedReplication(
  input: BudgetedJobInput,
  _index: number,
  rng: Rng,
): { policies: BudgetedPolicyRun[] } {
  const env = createBudgetedEnv(input.instance);
  return { policies: input.policies.map((spec) => runPolicyReplication(input, spec, rng, env)) };
}

/** Input of {@link budgetedPolicyJob}: several simulations' (run, policy) pairs as one list of jobs. */
export interface BudgetedPolicyJobsInput {
  /** The simulations (settings), each with its own instance, L, checkpoints, rho*, policies and crn. */
  readonly sims: readonly BudgetedJobInput[];
  /** Root seed per simulation: run r of simulation s uses `createRng(seeds[s]).fork(r)`, as in the pool. */
  readonly seeds: readonly number[];
  /** Job k is (sims index, run, policy index) = (jobs[3k], jobs[3k + 1], jobs[3k + 2]). */
  readonly jobs: Int32Array;
}

/**
 * Job k of a {@link BudgetedPolicyJobsInput}: policy p of run r of simulation s, on `createRng(seeds[s]).fork(r)`, the
 * generator {@link budgetedReplication} gets for run r. So the result equals `budgetedReplication(...).policies[p]`
 * of that run (except `seconds`), whatever the order and grouping of the jobs.
 *
 * @param input - the simulations and the job list.
 * @param index - the job k.
 * @param _rng - unused (the pool's stream of index k; the run's stream is derived from `seed` and r instead).
 * @returns the policy's outcome in that run.
 */
export function budgetedPolicyJob(
  input: BudgetedPolicyJobsInput,
  index: number,
  _rng: Rng,
): BudgetedPolicyRun {
  const s = input.jobs[3 * index]!;
  const r = input.jobs[3 * index + 1]!;
  const p = input.jobs[3 * index + 2]!;
  const sim = input.sims[s]!;
  let envs = ENV_CACHE.get(sim);
  if (envs === undefined) {
    envs = createBudgetedEnv(sim.instance);
    ENV_CACHE.set(sim, envs);
  }
  return runPolicyReplication(sim, sim.policies[p]!, replicationRng(input.seeds[s]!, r), envs);
}

/** One environment per simulation input, per thread (the input object is the worker's copy, kept for its life). */
const ENV_CACHE = new WeakMap<BudgetedJobInput, BudgetedEnv>();

/**
 * One replication of M_g (Algorithm 1: pull I* every round, knowing the means): the regret every policy pays from
 * the randomness of rewards and of the stopping time alone. Stream `rng.fork(1000)`.
 *
 * @param input - instance, L, checkpoints, rho* (`policies` is ignored).
 * @param _index - replication index.
 * @param rng - the replication's generator.
 * @returns regret and pseudo-regret of M_g at the checkpoints, total reward and rounds.
 */
export function knownMeansReplication(
  input: Omit<BudgetedJobInput, 'policies'>,
  _index: number,
  rng: Rng,
): BudgetedPolicyRun {
  const t0 = performance.now();
  const env = createBudgetedEnv(input.instance);
  const cps = input.checkpoints;
  const policy = createKnownMeansPolicy(input.instance.rewardMean, input.instance.costMean, input.L);
  const ep = runBudgetedEpisode(
    env,
    policy,
    cps[cps.length - 1]!,
    cps,
    rng.fork(1000),
    input.crn === true ? createArmStreams(rng.fork(ENV_STREAM), input.instance.K) : undefined,
  );
  return {
    regret: cps.map((b, j) => b * input.rhoStar - ep.rewardAt[j]!),
    pseudoRegret: cps.map((b, j) => b * input.rhoStar - ep.pseudoAt[j]!),
    gapRegret: cps.map((_b, j) => input.rhoStar * ep.pseudoCostAt[j]! - ep.pseudoAt[j]!),
    reward: ep.reward,
    rounds: ep.rounds,
    seconds: (performance.now() - t0) / 1000,
  };
}

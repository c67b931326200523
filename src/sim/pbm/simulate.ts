/**
 * The PBM ranking simulation: one job per (run, policy) over a SINREAL / SINBIN stream, for the replication runner.
 * All policies of one run see the same users and rewards (common random numbers); each job's own randomness
 * (LinTS draws, estimator initialisation, Random choices, Bernoulli examination) comes from the runner's stream.
 *
 * @remarks
 * Beside the cumulative reward, each job tracks an oracle that knows w (θ) and q: each round it puts the L items of
 * highest expected reward μ_{t,k} = E[r_{t,k} | x_{t,k}] at the positions in decreasing q. At each checkpoint it
 * reports
 * - the cumulative (pseudo-)regret Σ_t Σ_ℓ q_ℓ (μ_{t,o_ℓ} − μ_{t,A_ℓ}) against that oracle (expected rewards, so it
 *   carries no reward noise and never decreases),
 * - the cumulative clicks Σ_t Σ_ℓ Z_t^ℓ (expected clicks q_ℓ r under the deterministic discount, realised clicks
 *   under Bernoulli examination), and
 * - NDCG@L of the shown lists with gains μ and discounts 1/log2(1 + rank), averaged over the rounds since the
 *   previous checkpoint (Järvelin and Kekäläinen, "Cumulated gain-based evaluation of IR techniques", ACM TOIS
 *   20(4), 2002).
 */

import { positionsByExamination, topL } from '../../bandits/linear/kernels.js';
import { DEFAULT_ALPHA_SCALE, type LinearAlgorithm } from '../../bandits/linear/linear-bandit.js';
import {
  type BiasRefit,
  createPbmRanker,
  decidePbmUnchecked,
  learnPbmUnchecked,
  randomList,
} from '../../bandits/ranking/pbm-ranker.js';
import type { BiasMethod, ProbitAverage, ProbitModel } from '../../bandits/ranking/position-bias.js';
import { AllotError } from '../../core/errors.js';
import { createRng, type Rng } from '../../core/rng.js';
import { assertInInterval, assertInteger, assertOneOf, assertPositive } from '../../core/validate.js';
import {
  contextualize,
  createSinInstance,
  createSinStream,
  examinationProbabilities,
  SIN_DATASETS,
  type SinDatasetKind,
  type SinInstance,
  type SinStream,
} from './sin-dataset.js';

/** The module URL the worker pool loads this file's jobs from. */
export const JOB_MODULE: string = import.meta.url;

/** One policy of the simulation. */
export interface PbmPolicySpec {
  readonly name: string;
  readonly label: string;
  /** null for Random Selection. */
  readonly algorithm: LinearAlgorithm | null;
  readonly bias: BiasMethod;
}

/** The policies `allot rank simulate --policies` accepts, in the paper's table order. */
export const PBM_POLICIES: readonly PbmPolicySpec[] = [
  { name: 'linucb', label: 'LinUCB', algorithm: 'linucb', bias: 'none' },
  { name: 'linucb-pbm-real', label: 'LinUCB-PBMRank (Real)', algorithm: 'linucb', bias: 'real' },
  { name: 'linucb-pbm-em', label: 'LinUCB-PBMRank (EM)', algorithm: 'linucb', bias: 'em' },
  { name: 'linucb-pbm-pr', label: 'LinUCB-PBMRank (PR)', algorithm: 'linucb', bias: 'probit' },
  { name: 'linucb-pbm-ctr', label: 'LinUCB-PBMRank (CTR)', algorithm: 'linucb', bias: 'ctr' },
  { name: 'lints', label: 'LinTS', algorithm: 'lints', bias: 'none' },
  { name: 'lints-pbm-real', label: 'LinTS-PBMRank (Real)', algorithm: 'lints', bias: 'real' },
  { name: 'lints-pbm-em', label: 'LinTS-PBMRank (EM)', algorithm: 'lints', bias: 'em' },
  { name: 'lints-pbm-pr', label: 'LinTS-PBMRank (PR)', algorithm: 'lints', bias: 'probit' },
  { name: 'lints-pbm-ctr', label: 'LinTS-PBMRank (CTR)', algorithm: 'lints', bias: 'ctr' },
  { name: 'random', label: 'Random', algorithm: null, bias: 'none' },
];

/** Looks a policy up by name. @throws ALLOT_UNKNOWN_OPTION for an unknown name. */
export function pbmPolicy(name: string): PbmPolicySpec {
  const p = PBM_POLICIES.find((s) => s.name === name);
  if (p === undefined) {
    throw new AllotError(
      'ALLOT_UNKNOWN_OPTION',
      `policy must be one of ${PBM_POLICIES.map((s) => s.name).join(', ')} (got ${JSON.stringify(name)})`,
    );
  }
  return p;
}

/** Input of the simulation (structured-cloneable). */
export interface PbmSimInput {
  readonly dataset: SinDatasetKind;
  readonly actions: number;
  readonly positions: number;
  readonly rounds: number;
  readonly policies: readonly string[];
  readonly firstPositionEps: number;
  /** Root seed: the instance comes from it, run r's users from its stream 2^40 + 1 + r. */
  readonly seed: number;
  /** 'deterministic' (Z = q·r, the paper's discount; default) or 'bernoulli' (Z = r·Y, Y ~ Bernoulli(q)). */
  readonly examination: 'deterministic' | 'bernoulli';
  /** Number of evenly spaced checkpoints of the curves (default 50); ignored when `checkpointRounds` is given. */
  readonly checkpoints: number;
  /** Explicit checkpoint rounds (increasing, in [1, rounds]); the last round is always added. */
  readonly checkpointRounds?: readonly number[];
  /** Linear bandit hyperparameters. */
  readonly lambda: number;
  readonly delta: number;
  readonly alphaScale: number;
  readonly alpha0: number;
  readonly beta0: number;
  /** LinTS posterior spread multiplier (default 1). */
  readonly posteriorScale?: number;
  /** How estimated q̂ enters the regression (default 'exact'). */
  readonly biasRefit?: BiasRefit;
  /** Drift of the regression weights that triggers an exact refit (default 0.02; see biasDrift). */
  readonly refitTolerance?: number;
  /** Probit estimator β (default 1) and model (default 'shared'). */
  readonly probitBeta?: number;
  readonly probitModel?: ProbitModel;
  readonly probitAverage?: ProbitAverage;
}

/** Defaults of the optional fields of {@link PbmSimInput}. */
export const PBM_SIM_DEFAULTS: {
  readonly actions: number;
  readonly firstPositionEps: number;
  readonly examination: 'deterministic';
  readonly checkpoints: number;
  readonly lambda: number;
  readonly delta: number;
  readonly alphaScale: number;
  readonly alpha0: number;
  readonly beta0: number;
  readonly posteriorScale: number;
  readonly biasRefit: BiasRefit;
  readonly refitTolerance: number;
  readonly probitBeta: number;
  readonly probitModel: ProbitModel;
} = {
  actions: 25,
  firstPositionEps: 0,
  examination: 'deterministic',
  checkpoints: 50,
  lambda: 1,
  delta: 0.1,
  alphaScale: DEFAULT_ALPHA_SCALE,
  alpha0: 1,
  beta0: 1,
  posteriorScale: 1,
  biasRefit: 'exact',
  refitTolerance: 0.02,
  probitBeta: 1,
  probitModel: 'shared',
};

/** Documented maxima of the simulation's sizes (checked before any work starts). */
export const PBM_SIM_LIMITS: {
  readonly actions: number;
  readonly positions: number;
  readonly rounds: number;
  readonly runs: number;
  readonly checkpoints: number;
  readonly roundsTimesActions: number;
} = {
  actions: 1000,
  positions: 100,
  rounds: 10_000_000,
  runs: 10_000,
  checkpoints: 10_000,
  roundsTimesActions: 50_000_000,
};

/**
 * Validates a simulation input (the CLI's and the reproducer's boundary).
 *
 * @throws ALLOT_OUT_OF_RANGE when positions > actions or a size is out of range; ALLOT_UNKNOWN_OPTION for an unknown
 *   dataset or policy; ALLOT_INVALID_ARGUMENT for an empty policy list.
 */
export function validatePbmSimInput(input: PbmSimInput): void {
  assertOneOf('dataset', input.dataset, SIN_DATASETS);
  assertInteger('actions', input.actions, 1, PBM_SIM_LIMITS.actions);
  assertInteger('positions', input.positions, 1, PBM_SIM_LIMITS.positions);
  if (input.positions > input.actions) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `positions must be <= actions (got ${input.positions} positions for ${input.actions} actions)`,
    );
  }
  assertInteger('rounds', input.rounds, 1, PBM_SIM_LIMITS.rounds);
  if (input.rounds * input.actions > PBM_SIM_LIMITS.roundsTimesActions) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `rounds x actions must be <= ${PBM_SIM_LIMITS.roundsTimesActions} (the pre-drawn rewards of one run; got ${input.rounds} x ${input.actions})`,
    );
  }
  if (input.policies.length === 0)
    throw new AllotError('ALLOT_INVALID_ARGUMENT', 'policies must not be empty');
  for (const p of input.policies) pbmPolicy(p);
  assertInInterval('first-position-eps', input.firstPositionEps, 0, 1, false, true);
  assertOneOf('examination', input.examination, ['deterministic', 'bernoulli'] as const);
  assertInteger('checkpoints', input.checkpoints, 1, PBM_SIM_LIMITS.checkpoints);
  if (input.checkpointRounds !== undefined) {
    const cr = input.checkpointRounds;
    if (cr.length === 0 || cr.length > PBM_SIM_LIMITS.checkpoints) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `checkpoints must list 1 to ${PBM_SIM_LIMITS.checkpoints} rounds (got ${cr.length})`,
      );
    }
    let prev = 0;
    for (const r of cr) {
      assertInteger('checkpoint round', r, 1, input.rounds);
      if (r <= prev)
        throw new AllotError('ALLOT_INVALID_ARGUMENT', `checkpoints must increase (got ${r} after ${prev})`);
      prev = r;
    }
  }
  assertInteger('seed', input.seed, 0);
  assertPositive('lambda', input.lambda);
  assertInInterval('delta', input.delta, 0, 1, true, true);
  assertInInterval('alphaScale', input.alphaScale, 0, Infinity);
  assertPositive('alpha0', input.alpha0);
  assertPositive('beta0', input.beta0);
  if (input.posteriorScale !== undefined)
    assertInInterval('posteriorScale', input.posteriorScale, 0, Infinity);
  if (input.biasRefit !== undefined) assertOneOf('biasRefit', input.biasRefit, ['exact', 'frozen'] as const);
  if (input.refitTolerance !== undefined)
    assertInInterval('refitTolerance', input.refitTolerance, 0, Infinity);
  if (input.probitBeta !== undefined) assertPositive('probitBeta', input.probitBeta);
  if (input.probitModel !== undefined)
    assertOneOf('probitModel', input.probitModel, ['shared', 'per-position'] as const);
}

/** The checkpoint rounds of a simulation: the explicit list (plus T), or `checkpoints` evenly spaced rounds. */
export function pbmCheckpointRounds(input: PbmSimInput): number[] {
  const T = input.rounds;
  if (input.checkpointRounds !== undefined) {
    const out = input.checkpointRounds.filter((r) => r <= T);
    if (out[out.length - 1] !== T) out.push(T);
    return out;
  }
  const nc = Math.min(input.checkpoints, T);
  const out: number[] = [];
  for (let c = 1; c <= nc; c++) out.push(Math.round((c * T) / nc));
  return out;
}

/** Result of one (run, policy) job. */
export interface PbmJobResult {
  readonly run: number;
  readonly policy: string;
  readonly cumulativeReward: number;
  /** Final q̂ (estimators), the true q (Real), or null (naive, Random). */
  readonly positionBias: number[] | null;
  readonly seconds: number;
  /** Cumulative reward after each checkpoint round. */
  readonly curveRounds: number[];
  readonly curve: number[];
  /** Cumulative pseudo-regret against the oracle at each checkpoint. */
  readonly regret: number[];
  /** Cumulative clicks Σ Z at each checkpoint (equal to `curve`; named for click logs). */
  readonly clicks: number[];
  /** Mean NDCG@L of the rounds since the previous checkpoint. */
  readonly ndcg: number[];
  /** The oracle's cumulative expected reward Σ_t Σ_ℓ q_ℓ μ_{t,o_ℓ}. */
  readonly oracleReward: number;
  /** Exact refits of the regression ('exact' mode with an estimated bias; 0 otherwise). */
  readonly refits: number;
  /** SINBIN threshold of the run (null for SINREAL). */
  readonly threshold: number | null;
}

/** The instance stream and run-r stream of a root seed. */
function envRngs(seed: number, run: number): { instance: Rng; users: Rng } {
  const root = createRng(seed);
  return { instance: root.fork(2 ** 40), users: root.fork(2 ** 40 + 1 + run) };
}

/** One run's environment: the instance, its stream, and the oracle's per-round values for one q. */
interface RunEnv {
  readonly key: string;
  readonly inst: SinInstance;
  readonly stream: SinStream;
  /** Oracle values per round for `oracleKey`: Σ_ℓ q_ℓ μ_{t,o_ℓ} and the ideal DCG Σ_j μ_{t,o_j}/log2(j + 2). */
  oracleKey: string;
  oracleReward: Float64Array;
  oracleIdcg: Float64Array;
}

/**
 * The last run environment this thread built. Every policy of a run sees the same users, and the pool hands a
 * worker consecutive job indices (run-major), so most jobs reuse the stream and the oracle of the previous job
 * instead of redrawing T·K rewards and re-ranking every round (read only: the jobs never write to it). Only runs
 * of at most {@link ENV_CACHE_MAX} rewards are kept, so a large `rank simulate` holds no second copy.
 */
let lastEnv: RunEnv | null = null;
const ENV_CACHE_MAX = 4_000_000;

function runEnv(input: PbmSimInput, run: number, q: Float64Array): RunEnv {
  const key = `${input.seed}|${run}|${input.dataset}|${input.rounds}|${input.actions}`;
  let env = lastEnv !== null && lastEnv.key === key ? lastEnv : null;
  if (env === null) {
    const { instance: irng, users } = envRngs(input.seed, run);
    const inst = createSinInstance({ actions: input.actions }, irng);
    const stream = createSinStream(inst, input.dataset, input.rounds, users);
    env = {
      key,
      inst,
      stream,
      oracleKey: '',
      oracleReward: new Float64Array(0),
      oracleIdcg: new Float64Array(0),
    };
  }
  const oracleKey = Array.from(q).join(',');
  if (env.oracleKey !== oracleKey) {
    const T = input.rounds;
    const K = env.inst.actions;
    const L = q.length;
    const mu = env.stream.expected;
    const qOrder = positionsByExamination(L, q, new Int32Array(L));
    const disc = new Float64Array(L);
    for (let l = 0; l < L; l++) disc[l] = 1 / Math.log2(l + 2);
    const muRow = new Float64Array(K);
    const oIdx = new Int32Array(K);
    const oTop = new Int32Array(L);
    const reward = new Float64Array(T);
    const idcgs = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const row = t * K;
      for (let k = 0; k < K; k++) muRow[k] = mu[row + k]!;
      topL(K, L, muRow, oIdx, oTop);
      let oracle = 0;
      let idcg = 0;
      for (let j = 0; j < L; j++) {
        oracle += q[qOrder[j]!]! * muRow[oTop[j]!]!;
        idcg += disc[j]! * muRow[oTop[j]!]!;
      }
      reward[t] = oracle;
      idcgs[t] = idcg;
    }
    env.oracleKey = oracleKey;
    env.oracleReward = reward;
    env.oracleIdcg = idcgs;
  }
  if (input.rounds * input.actions <= ENV_CACHE_MAX) lastEnv = env;
  return env;
}

/**
 * One replication job: index = run·P + p runs policy p on run `run`'s stream.
 *
 * @param input - the validated simulation input.
 * @param index - job index.
 * @param rng - the job's randomness.
 * @returns the job's totals, final position bias and reward curve.
 */
export function runPbmJob(input: PbmSimInput, index: number, rng: Rng): PbmJobResult {
  const P = input.policies.length;
  const run = Math.floor(index / P);
  const spec = pbmPolicy(input.policies[index % P]!);
  const q = examinationProbabilities(input.positions, input.firstPositionEps);
  const env = runEnv(input, run, q);
  const inst = env.inst;
  const stream = env.stream;
  const K = inst.actions;
  const L = input.positions;
  const d = inst.dim;
  const xs = new Float64Array(K * d);
  const list = new Int32Array(L);
  const z = new Float64Array(L);
  const idx = new Int32Array(K);
  const policyRng = rng.fork(0);
  const examRng = rng.fork(1);
  const ranker =
    spec.algorithm === null
      ? null
      : createPbmRanker(
          {
            d,
            actions: K,
            positions: L,
            algorithm: spec.algorithm,
            bias: spec.bias,
            trueBias: q,
            lambda: input.lambda,
            delta: input.delta,
            alphaScale: input.alphaScale,
            alpha0: input.alpha0,
            beta0: input.beta0,
            posteriorScale: input.posteriorScale ?? PBM_SIM_DEFAULTS.posteriorScale,
            biasRefit: input.biasRefit ?? PBM_SIM_DEFAULTS.biasRefit,
            refitTolerance: input.refitTolerance ?? PBM_SIM_DEFAULTS.refitTolerance,
            probitBeta: input.probitBeta ?? PBM_SIM_DEFAULTS.probitBeta,
            probitModel: input.probitModel ?? PBM_SIM_DEFAULTS.probitModel,
            probitAverage: input.probitAverage ?? 'shown',
          },
          policyRng,
        );
  const T = input.rounds;
  const curveRounds = pbmCheckpointRounds(input);
  const curve: number[] = [];
  const regretCurve: number[] = [];
  const ndcgCurve: number[] = [];
  let next = 0;
  const bernoulli = input.examination === 'bernoulli';
  const rewards = stream.rewards;
  const mu = stream.expected;
  // the oracle's per-round reward and ideal DCG (computed once per run and q), log2 discounts
  const oracleReward = env.oracleReward;
  const oracleIdcg = env.oracleIdcg;
  const disc = new Float64Array(L);
  for (let l = 0; l < L; l++) disc[l] = 1 / Math.log2(l + 2);
  const t0 = performance.now();
  let total = 0;
  let regret = 0;
  let oracleTotal = 0;
  let ndcgSum = 0;
  let ndcgRounds = 0;
  for (let t = 0; t < T; t++) {
    if (ranker === null) {
      randomList(K, L, policyRng, idx, list);
    } else {
      contextualize(inst, stream.contexts, t, xs);
      decidePbmUnchecked(ranker, xs, policyRng, list);
    }
    const row = t * K;
    for (let l = 0; l < L; l++) {
      const r = rewards[row + list[l]!]!;
      const v = bernoulli ? (examRng.uniform() < q[l]! ? r : 0) : q[l]! * r;
      z[l] = v;
      total += v;
    }
    // oracle and metrics (expected rewards: no reward noise in the regret)
    const oracle = oracleReward[t]!;
    const idcg = oracleIdcg[t]!;
    let got = 0;
    let dcg = 0;
    for (let j = 0; j < L; j++) {
      const m = mu[row + list[j]!]!;
      got += q[j]! * m;
      dcg += disc[j]! * m;
    }
    oracleTotal += oracle;
    regret += oracle - got;
    ndcgSum += idcg > 0 ? dcg / idcg : 1;
    ndcgRounds++;
    if (ranker !== null) learnPbmUnchecked(ranker, xs, list, z, policyRng);
    if (t + 1 === curveRounds[next]) {
      curve.push(total);
      regretCurve.push(regret);
      ndcgCurve.push(ndcgSum / ndcgRounds);
      ndcgSum = 0;
      ndcgRounds = 0;
      next++;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  let positionBias: number[] | null = null;
  if (ranker !== null && spec.bias !== 'none') positionBias = Array.from(ranker.q);
  return {
    run,
    policy: spec.name,
    cumulativeReward: total,
    positionBias,
    seconds,
    curveRounds,
    curve,
    regret: regretCurve,
    clicks: curve.slice(),
    ndcg: ndcgCurve,
    oracleReward: oracleTotal,
    refits: ranker === null ? 0 : ranker.refits,
    threshold: stream.threshold,
  };
}

/** Per-policy summary over runs. */
export interface PbmPolicySummary {
  readonly name: string;
  readonly label: string;
  readonly cumulativeReward: { readonly mean: number; readonly std: number };
  /** Mean over runs of the final position bias (null for naive and Random). */
  readonly positionBias: number[] | null;
  /** Mean wall-clock seconds of one run. */
  readonly seconds: number;
  readonly perRun: number[];
  readonly curveRounds: number[];
  /** Mean cumulative reward at each checkpoint. */
  readonly curve: number[];
  /** Mean cumulative pseudo-regret against the oracle at each checkpoint. */
  readonly regret: number[];
  /** Final cumulative regret over runs. */
  readonly finalRegret: { readonly mean: number; readonly std: number };
  /** Mean cumulative clicks at each checkpoint. */
  readonly clicks: number[];
  /** Mean (over runs) of the windowed NDCG@L at each checkpoint. */
  readonly ndcg: number[];
  /** Mean oracle cumulative expected reward (the same for every policy of a run). */
  readonly oracleReward: number;
  /** Mean number of exact refits per run. */
  readonly refits: number;
}

function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const n = xs.length;
  let m = 0;
  for (const x of xs) m += x;
  m /= n;
  let v = 0;
  for (const x of xs) v += (x - m) * (x - m);
  return { mean: m, std: n > 1 ? Math.sqrt(v / (n - 1)) : 0 };
}

/**
 * Aggregates job results (in index order) into one summary per policy: mean and sample standard deviation
 * (n − 1) of the cumulative reward over runs, mean final position bias, mean seconds per run, mean curve.
 */
export function summarizePbm(input: PbmSimInput, results: readonly PbmJobResult[]): PbmPolicySummary[] {
  const P = input.policies.length;
  const out: PbmPolicySummary[] = [];
  for (let p = 0; p < P; p++) {
    const spec = pbmPolicy(input.policies[p]!);
    const mine = results.filter((_, i) => i % P === p);
    const totals = mine.map((r) => r.cumulativeReward);
    let bias: number[] | null = null;
    if (mine[0]?.positionBias != null) {
      bias = new Array<number>(input.positions).fill(0);
      for (const r of mine)
        for (let l = 0; l < input.positions; l++) bias[l]! += r.positionBias![l]! / mine.length;
    }
    const curveRounds = mine[0]?.curveRounds ?? [];
    const avg = (f: (r: PbmJobResult) => number[]): number[] =>
      curveRounds.map((_, c) => mine.reduce((s, r) => s + f(r)[c]!, 0) / mine.length);
    const curve = avg((r) => r.curve);
    out.push({
      name: spec.name,
      label: spec.label,
      cumulativeReward: meanStd(totals),
      positionBias: bias,
      seconds: mine.reduce((s, r) => s + r.seconds, 0) / mine.length,
      perRun: totals,
      curveRounds,
      curve,
      regret: avg((r) => r.regret),
      finalRegret: meanStd(mine.map((r) => r.regret[r.regret.length - 1] ?? 0)),
      clicks: avg((r) => r.clicks),
      ndcg: avg((r) => r.ndcg),
      oracleReward: mine.reduce((s, r) => s + r.oracleReward, 0) / mine.length,
      refits: mine.reduce((s, r) => s + r.refits, 0) / mine.length,
    });
  }
  return out;
}

/** Input of {@link runPbmBatchJob}: several simulations with R runs each, flattened into one job list. */
export interface PbmBatchInput {
  readonly sims: readonly PbmSimInput[];
  readonly runs: number;
}

/** The job index range [start, end) of simulation s in a batch, and the total job count. */
export function pbmBatchOffsets(batch: PbmBatchInput): number[] {
  const offsets = [0];
  for (const s of batch.sims) offsets.push(offsets[offsets.length - 1]! + s.policies.length * batch.runs);
  return offsets;
}

/**
 * One job of a batch of simulations (one worker pool for many settings). Job i of simulation s runs exactly as
 * job i of `runPbmJob` under seed `sims[s].seed` (its randomness is `createRng(seed).fork(i)`, not the pool's
 * stream), so a batch reproduces the numbers of separate `allot rank simulate` calls.
 */
export function runPbmBatchJob(
  batch: PbmBatchInput,
  index: number,
  _rng: Rng,
): PbmJobResult & { sim: number } {
  const offsets = pbmBatchOffsets(batch);
  let s = 0;
  while (index >= offsets[s + 1]!) s++;
  const sim = batch.sims[s]!;
  const local = index - offsets[s]!;
  return { ...runPbmJob(sim, local, createRng(sim.seed).fork(local)), sim: s };
}

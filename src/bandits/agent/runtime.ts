/**
 * The agent runtime: one served policy over plain-data additive state. `decideAgent` chooses actions for a request
 * with the randomness of (agent seed, event id) and returns the propensity of each chosen action in its slot;
 * `foldDecision` / `foldReward` add a logged event's delta to the state (learning = adding a delta), so replaying
 * the log in order rebuilds the state exactly; `agentStateToJson` / `agentFromSnapshot` move it as plain JSON.
 *
 * @remarks
 * Propensities (what off-policy evaluation needs), per policy:
 * - deterministic index policies (ucb1, multitask-ucb, linucb, pbm-rank with linucb): ties are broken uniformly at
 *   random, so the probability that an action lands in slot s is 1/m, m the size of the group of equal scores that
 *   covers rank s (exact);
 * - epsilon-greedy: eps/n + (1 - eps)/m for the greedy tie group, eps/n otherwise (exact);
 * - randomised policies (thompson, lints, pbm-rank with lints, bts): a seeded Monte Carlo estimate from
 *   `propensitySamples` independent re-draws (forks 1..n of the decision's stream; the decision itself uses fork 0),
 *   floored at 1/n since the chosen action had positive probability;
 * - mrcb and kube: 1 (their oracle is deterministic; its zero-cost random tie-break has probability 0 with
 *   positive observed costs).
 */
import { AllotError } from '../../core/errors.js';
import { hashString } from '../../core/hash.js';
import { createRng, type Rng } from '../../core/rng.js';
import { type BudgetedPolicy, createBudgetedPolicy } from '../budgeted/index.js';
import { type BudgetedStats, createBudgetedStats } from '../budgeted/stats.js';
import {
  createLinearBandit,
  type LinearBandit,
  linearScores,
  observeLinear,
  refactorLinearBandit,
} from '../linear/linear-bandit.js';
import { addObservation, createLinearStats, type LinearStats } from '../linear/linear-stats.js';
import { type ArmStats, createArmStats } from '../mab/arm-stats.js';
import type { AgentConfig } from './config.js';
import {
  createPersonalizerModel,
  learnPersonalizer,
  type PersonalizerContext,
  type PersonalizerModel,
  type PersonalizerParams,
  refreshPersonalizerModel,
  resetPersonalizerModel,
} from './personalizer.js';

/** Per-action context of one decision. */
export interface ActionContext {
  /** Features of this action (linear and ranking policies). */
  readonly features?: readonly number[];
  /** Per-task reward predictions r̂_a(T, C) (multitask-ucb), one per task weight. */
  readonly predictions?: readonly number[];
}

/** The context of one decision (the `context` of the decide body). */
export interface DecideContext {
  /** Features shared by all candidates. */
  readonly features?: readonly number[];
  /** Per-action features and predictions, by arm id. */
  readonly actions?: Readonly<Record<string, ActionContext>>;
  /** Personalizer-compatible loops: the request's JSON features (policy type `personalizer`, ./personalizer.ts). */
  readonly personalizer?: PersonalizerContext;
}

/** A decision request (the decide body without the event id). */
export interface DecideRequest {
  readonly candidates?: readonly string[];
  readonly slots?: number;
  readonly user?: string;
  readonly context?: DecideContext;
}

/** What a decision chose: arm indices in slot order and the propensity of each in its slot. */
export interface AgentDecision {
  readonly actions: readonly number[];
  readonly propensities: readonly number[];
}

/** The logged part of a decision the fold needs. */
export interface LoggedDecision {
  readonly eventId: string;
  readonly user?: string | null;
  readonly actions: readonly string[];
  readonly candidates?: readonly string[] | null;
  readonly context?: DecideContext | null;
}

/** The logged part of a reward the fold needs. */
export interface LoggedReward {
  readonly eventId: string;
  /** One value per slot. */
  readonly reward: readonly number[];
  /** One cost per slot (budgeted policies). */
  readonly cost?: readonly number[] | null;
  /** False for a reward logged after the join window (it is not learned). */
  readonly applied: boolean;
}

type PolicyState =
  | { readonly kind: 'arms'; readonly stats: ArmStats }
  | { readonly kind: 'multitask'; readonly users: Map<string, Float64Array> }
  | { readonly kind: 'linear'; readonly bandit: LinearBandit }
  | {
      readonly kind: 'pbm';
      readonly perPosition: LinearStats[];
      readonly impressions: Float64Array;
      readonly clicks: Float64Array;
      cache: { version: number; bandit: LinearBandit; order: Int32Array; q: Float64Array } | null;
    }
  | { readonly kind: 'personalizer'; readonly model: PersonalizerModel }
  | {
      readonly kind: 'budgeted';
      readonly stats: BudgetedStats;
      readonly policy: BudgetedPolicy;
      spent: number;
    };

/** A live agent: its configuration, its additive state and the counters of what was folded into it. */
export interface AgentRuntime {
  readonly config: AgentConfig;
  /** Arm id -> index. */
  readonly armIndex: ReadonlyMap<string, number>;
  /** Rewards learned (the policy version). */
  version: number;
  /** Decisions folded. */
  decisions: number;
  /** Rewards folded, learned or not (late ones included). */
  rewardsLogged: number;
  /** @internal the policy's statistics. */
  readonly policyState: PolicyState;
  /** @internal scratch for scores. */
  scratch: Float64Array;
}

function fail(
  code: 'ALLOT_INVALID_ARGUMENT' | 'ALLOT_SHAPE_MISMATCH' | 'ALLOT_OUT_OF_RANGE',
  msg: string,
): never {
  throw new AllotError(code, msg);
}

function linearOptions(p: Record<string, unknown>, algorithm: 'linucb' | 'lints') {
  const o: Record<string, unknown> = { d: p['d'], algorithm, lambda: p['lambda'] };
  for (const k of ['delta', 'alphaScale', 'noiseScale', 'thetaBound', 'alpha0', 'beta0']) {
    if (p[k] !== undefined) o[k] = p[k];
  }
  // The cache is rebuilt from the statistics explicitly (replay and replicas fold the same statistics).
  o['refactorEvery'] = 0;
  return o as unknown as Parameters<typeof createLinearBandit>[0];
}

/**
 * Creates a runtime with empty state for a normalised config.
 *
 * @param config - from {@link normalizeAgentConfig}.
 */
export function createAgentRuntime(config: AgentConfig): AgentRuntime {
  const k = config.arms.length;
  const p = config.policy as Record<string, unknown>;
  const armIndex = new Map<string, number>();
  for (let i = 0; i < config.arms.length; i++) armIndex.set(config.arms[i]!, i);
  let policyState: PolicyState;
  switch (config.policy.type) {
    case 'ucb1':
    case 'epsilon-greedy':
    case 'thompson':
      policyState = { kind: 'arms', stats: createArmStats(k) };
      break;
    case 'multitask-ucb':
      policyState = { kind: 'multitask', users: new Map() };
      break;
    case 'linucb':
    case 'lints':
      policyState = { kind: 'linear', bandit: createLinearBandit(linearOptions(p, config.policy.type)) };
      break;
    case 'pbm-rank': {
      const L = p['positions'] as number;
      const d = p['d'] as number;
      policyState = {
        kind: 'pbm',
        perPosition: Array.from({ length: L }, () => createLinearStats(d)),
        impressions: new Float64Array(L),
        clicks: new Float64Array(L),
        cache: null,
      };
      break;
    }
    case 'personalizer':
      policyState = {
        kind: 'personalizer',
        model: createPersonalizerModel(p as unknown as PersonalizerParams),
      };
      break;
    case 'mrcb':
    case 'bts':
    case 'kube': {
      const spec =
        config.policy.type === 'mrcb'
          ? { name: 'mrcb' as const, kappa: p['kappa'] as number }
          : { name: config.policy.type, scheme: p['scheme'] as 'R' | 'T' };
      policyState = {
        kind: 'budgeted',
        stats: createBudgetedStats(k),
        policy: createBudgetedPolicy(spec, k, p['slots'] as number),
        spent: 0,
      };
      break;
    }
  }
  return {
    config,
    armIndex,
    version: 0,
    decisions: 0,
    rewardsLogged: 0,
    policyState,
    scratch: new Float64Array(k),
  };
}

/** The random stream of one event: fork `hash(eventId)` of the agent's seed. */
export function eventRng(seed: number, eventId: string): Rng {
  // fork() derives from the parent's key only, so one parent per seed serves every event.
  let base = SEED_RNGS.get(seed);
  if (base === undefined) {
    if (SEED_RNGS.size > 1024) SEED_RNGS.clear();
    base = createRng(seed);
    SEED_RNGS.set(seed, base);
  }
  return base.fork(hashString(eventId));
}

const SEED_RNGS = new Map<number, Rng>();

/**
 * {@link eventRng}, made on first use: a deterministic decision that meets no tie draws nothing, and deriving the
 * stream (a hash of the event id and a key expansion, then the fork of decide) was about 3 % of a UCB1 decide's
 * server time. Every call goes to the stream `eventRng(seed, eventId)` would give (a fork is lazy too), so results
 * are the same bit for bit.
 */
export function lazyEventRng(seed: number, eventId: string): Rng {
  return new LazyRng(() => eventRng(seed, eventId));
}

class LazyRng implements Rng {
  #rng: Rng | null = null;
  #make: (() => Rng) | null;
  constructor(make: () => Rng) {
    this.#make = make;
  }
  private get r(): Rng {
    if (this.#rng === null) {
      this.#rng = this.#make!();
      this.#make = null;
    }
    return this.#rng;
  }
  uniform(): number {
    return this.r.uniform();
  }
  uint32(): number {
    return this.r.uint32();
  }
  int(n: number): number {
    return this.r.int(n);
  }
  normal(mu?: number, sigma?: number): number {
    return this.r.normal(mu, sigma);
  }
  gamma(shape: number, scale?: number): number {
    return this.r.gamma(shape, scale);
  }
  beta(a: number, b: number): number {
    return this.r.beta(a, b);
  }
  fork(stream: number): Rng {
    // A bad stream number fails here, as the eager fork would; a fork depends on the key only, not on draws.
    if (!(Number.isSafeInteger(stream) && stream >= 0)) return this.r.fork(stream);
    return new LazyRng(() => this.r.fork(stream));
  }
  getState(): Uint32Array {
    return this.r.getState();
  }
  get key(): Uint32Array {
    return this.r.key;
  }
}

/** Number of slots a request fills (its `slots`, the policy's positions or set size, or 1). */
export function requestSlots(rt: AgentRuntime, req: DecideRequest): number {
  const p = rt.config.policy as Record<string, unknown>;
  const fixed =
    rt.config.policy.type === 'pbm-rank' ? (p['positions'] as number) : (p['slots'] as number | undefined);
  if (fixed !== undefined) {
    if (req.slots !== undefined && req.slots !== fixed) {
      fail(
        'ALLOT_SHAPE_MISMATCH',
        `slots must be ${fixed} for this ${rt.config.policy.type} agent (got ${req.slots})`,
      );
    }
    return fixed;
  }
  return req.slots ?? 1;
}

const ALL_ARMS = new WeakMap<AgentConfig, Int32Array>();

/** Resolves candidate ids to arm indices (all arms when absent). */
export function candidateIndices(
  rt: AgentRuntime,
  candidates: readonly string[] | undefined | null,
): Int32Array {
  const k = rt.config.arms.length;
  if (candidates === undefined || candidates === null) {
    // All arms: built once per agent config (callers only read it).
    let all = ALL_ARMS.get(rt.config);
    if (all === undefined || all.length !== k) {
      all = new Int32Array(k);
      for (let i = 0; i < k; i++) all[i] = i;
      ALL_ARMS.set(rt.config, all);
    }
    return all;
  }
  if (candidates.length === 0)
    fail('ALLOT_INVALID_ARGUMENT', 'candidates must list at least one arm (got 0)');
  const out = new Int32Array(candidates.length);
  const seen = new Set<number>();
  for (let j = 0; j < candidates.length; j++) {
    const i = rt.armIndex.get(candidates[j]!);
    if (i === undefined)
      fail(
        'ALLOT_INVALID_ARGUMENT',
        `candidates[${j}] ${JSON.stringify(candidates[j])} is not an arm of this agent`,
      );
    if (seen.has(i))
      fail('ALLOT_INVALID_ARGUMENT', `candidates[${j}] ${JSON.stringify(candidates[j])} appears twice`);
    seen.add(i);
    out[j] = i;
  }
  return out;
}

/**
 * The feature vector x_a of arm `arm` for the linear policies, written at `out[offset ..)`.
 *
 * @remarks With per-action features, x_a = [shared features, action features]; with shared features only, the
 * disjoint model of Li et al. (2010): x_a = e_a ⊗ shared (block a holds the shared features). The length must be
 * the policy's d.
 */
function featuresInto(
  rt: AgentRuntime,
  ctx: DecideContext | null | undefined,
  arm: number,
  out: Float64Array,
  offset: number,
): void {
  const d = (rt.config.policy as Record<string, unknown>)['d'] as number;
  const id = rt.config.arms[arm]!;
  const shared = ctx?.features;
  const own = ctx?.actions?.[id]?.features;
  if (own !== undefined) {
    const s = shared?.length ?? 0;
    if (s + own.length !== d) {
      fail(
        'ALLOT_SHAPE_MISMATCH',
        `features of action ${JSON.stringify(id)}: shared (${s}) + action (${own.length}) must have d = ${d} entries`,
      );
    }
    for (let i = 0; i < s; i++) out[offset + i] = checkFinite(shared![i], 'context.features', i);
    for (let i = 0; i < own.length; i++)
      out[offset + s + i] = checkFinite(own[i], `context.actions.${id}.features`, i);
    return;
  }
  if (shared === undefined) {
    fail(
      'ALLOT_INVALID_ARGUMENT',
      `context.actions.${id}.features or context.features is required by ${rt.config.policy.type}`,
    );
  }
  const k = rt.config.arms.length;
  if (shared.length * k !== d) {
    fail(
      'ALLOT_SHAPE_MISMATCH',
      `shared features only (disjoint model): ${k} arms x ${shared.length} features must equal d = ${d}; or send per-action features`,
    );
  }
  out.fill(0, offset, offset + d);
  const base = offset + arm * shared.length;
  for (let i = 0; i < shared.length; i++) out[base + i] = checkFinite(shared[i], 'context.features', i);
}

function checkFinite(v: unknown, name: string, i: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail('ALLOT_INVALID_ARGUMENT', `${name}[${i}] must be a finite number (got ${JSON.stringify(v)})`);
  return v;
}

/** Feature matrix (row per candidate) for the linear and ranking policies. */
function candidateFeatures(
  rt: AgentRuntime,
  ctx: DecideContext | null | undefined,
  cand: Int32Array,
): Float64Array {
  const d = (rt.config.policy as Record<string, unknown>)['d'] as number;
  const xs = new Float64Array(cand.length * d);
  for (let j = 0; j < cand.length; j++) featuresInto(rt, ctx, cand[j]!, xs, j * d);
  return xs;
}

/** Examination probabilities q̂ by position (CTR estimator, Ermis et al. 2020 section 4.2: q̂_ℓ = CTR_ℓ / CTR_1). */
export function pbmBias(rt: AgentRuntime): Float64Array {
  const s = rt.policyState;
  if (s.kind !== 'pbm') throw new AllotError('ALLOT_INVALID_ARGUMENT', 'not a pbm-rank agent');
  const p = rt.config.policy as Record<string, unknown>;
  const L = s.impressions.length;
  const q = new Float64Array(L);
  if (p['bias'] === 'known') {
    const given = p['q'] as number[];
    for (let l = 0; l < L; l++) q[l] = given[l]!;
    return q;
  }
  if (p['bias'] === 'none') return q.fill(1);
  // Smoothed click rates (half a click per position a priori) so that an unseen position does not read as 0.
  const ctr0 = (s.clicks[0]! + 0.5) / (s.impressions[0]! + 1);
  q[0] = 1;
  for (let l = 1; l < L; l++) q[l] = Math.min(1, (s.clicks[l]! + 0.5) / (s.impressions[l]! + 1) / ctr0);
  return q;
}

/**
 * The regression of the PBM (Prop. 1 of Ermis et al. 2020) for the current q̂, from per-position statistics:
 * V = λI + Σ_ℓ q̂_ℓ² V_ℓ, b = Σ_ℓ q̂_ℓ b_ℓ, cached until the next learned reward.
 */
function pbmBandit(rt: AgentRuntime): { bandit: LinearBandit; order: Int32Array; q: Float64Array } {
  const s = rt.policyState;
  if (s.kind !== 'pbm') throw new AllotError('ALLOT_INTERNAL', 'not a pbm agent');
  if (s.cache !== null && s.cache.version === rt.version) return s.cache;
  const p = rt.config.policy as Record<string, unknown>;
  const q = pbmBias(rt);
  const d = p['d'] as number;
  const combined = createLinearStats(d);
  for (let l = 0; l < q.length; l++) {
    const st = s.perPosition[l]!;
    const q2 = q[l]! * q[l]!;
    for (let i = 0; i < d * d; i++) combined.gram[i]! += q2 * st.gram[i]!;
    for (let i = 0; i < d; i++) combined.b[i]! += q[l]! * st.b[i]!;
    combined.yy += st.yy;
    combined.n += st.n;
  }
  const bandit = createLinearBandit(linearOptions(p, p['algorithm'] as 'linucb' | 'lints'), combined);
  // Positions by decreasing examination probability: the best item goes to the most examined slot.
  const order = Int32Array.from({ length: q.length }, (_, i) => i).sort((a, b) => q[b]! - q[a]! || a - b);
  s.cache = { version: rt.version, bandit, order, q };
  return s.cache;
}

/** Whether the policy's scores are random (Monte Carlo propensities) or deterministic up to ties (exact). */
function randomizedScores(rt: AgentRuntime): boolean {
  const t = rt.config.policy.type;
  const p = rt.config.policy as Record<string, unknown>;
  return t === 'thompson' || t === 'lints' || t === 'bts' || (t === 'pbm-rank' && p['algorithm'] === 'lints');
}

interface Prepared {
  readonly cand: Int32Array;
  readonly slots: number;
  readonly xs: Float64Array | null;
  readonly predictions: Float64Array | null;
}

function prepare(rt: AgentRuntime, req: DecideRequest): Prepared {
  const type = rt.config.policy.type;
  if (type === 'personalizer')
    fail(
      'ALLOT_INVALID_ARGUMENT',
      'personalizer agents decide through the Personalizer routes (POST /personalizer/v1.0/rank)',
    );
  const slots = requestSlots(rt, req);
  const budgeted = type === 'mrcb' || type === 'bts' || type === 'kube';
  if (budgeted && req.candidates !== undefined && req.candidates.length !== rt.config.arms.length) {
    fail('ALLOT_INVALID_ARGUMENT', `${type} decides over all ${rt.config.arms.length} arms: omit candidates`);
  }
  const cand = candidateIndices(rt, req.candidates);
  if (!Number.isInteger(slots) || slots < 1 || slots > cand.length) {
    fail(
      'ALLOT_OUT_OF_RANGE',
      `slots must be an integer in [1, ${cand.length}] (the number of candidates) (got ${slots})`,
    );
  }
  let xs: Float64Array | null = null;
  let predictions: Float64Array | null = null;
  if (type === 'linucb' || type === 'lints' || type === 'pbm-rank')
    xs = candidateFeatures(rt, req.context, cand);
  if (type === 'multitask-ucb') {
    if (req.user === undefined)
      fail('ALLOT_INVALID_ARGUMENT', 'user is required by multitask-ucb (its counts are per user)');
    const alpha = (rt.config.policy as Record<string, unknown>)['alpha'] as number[];
    const T = alpha.length;
    predictions = new Float64Array(cand.length * T);
    for (let j = 0; j < cand.length; j++) {
      const id = rt.config.arms[cand[j]!]!;
      const pr = req.context?.actions?.[id]?.predictions;
      if (pr === undefined || pr.length !== T) {
        fail(
          'ALLOT_SHAPE_MISMATCH',
          `context.actions.${id}.predictions must hold ${T} task predictions (got ${pr?.length ?? 'none'})`,
        );
      }
      for (let t = 0; t < T; t++)
        predictions[j * T + t] = checkFinite(pr[t], `context.actions.${id}.predictions`, t);
    }
  }
  return { cand, slots, xs, predictions };
}

/** Scores of the candidates (larger is better); random for the randomised policies. */
function scoresInto(rt: AgentRuntime, prep: Prepared, req: DecideRequest, rng: Rng, out: Float64Array): void {
  const s = rt.policyState;
  const p = rt.config.policy as Record<string, unknown>;
  const { cand } = prep;
  const n = cand.length;
  switch (s.kind) {
    case 'arms': {
      const st = s.stats;
      if (rt.config.policy.type === 'ucb1') {
        let total = 0;
        for (let i = 0; i < st.k; i++) total += st.counts[i]!;
        const c = p['c'] as number;
        // ucb1Index inlined with 2 ln n computed once (it is the same for every arm): the same numbers.
        const twoLog = total > 1 ? 2 * Math.log(total) : 0;
        for (let j = 0; j < n; j++) {
          const a = cand[j]!;
          const na = st.counts[a]!;
          out[j] =
            na <= 0
              ? Number.POSITIVE_INFINITY
              : st.sums[a]! / na + (total > 1 ? c * Math.sqrt(twoLog / na) : 0);
        }
      } else if (rt.config.policy.type === 'epsilon-greedy') {
        for (let j = 0; j < n; j++) {
          const a = cand[j]!;
          const c = st.counts[a]!;
          out[j] = c > 0 ? st.sums[a]! / c : Number.POSITIVE_INFINITY;
        }
      } else if (p['likelihood'] === 'bernoulli') {
        const a0 = p['a0'] as number;
        const b0 = p['b0'] as number;
        for (let j = 0; j < n; j++) {
          const a = cand[j]!;
          const succ = st.sums[a]!;
          out[j] = rng.beta(a0 + succ, b0 + Math.max(0, st.counts[a]! - succ));
        }
      } else {
        const p0 = 1 / (p['sd0'] as number) ** 2;
        const pn = 1 / (p['noiseSd'] as number) ** 2;
        const mu0 = p['mu0'] as number;
        for (let j = 0; j < n; j++) {
          const a = cand[j]!;
          const prec = p0 + st.counts[a]! * pn;
          out[j] = (mu0 * p0 + st.sums[a]! * pn) / prec + rng.normal() / Math.sqrt(prec);
        }
      }
      return;
    }
    case 'multitask': {
      const alpha = p['alpha'] as number[];
      const gamma = p['gamma'] as number;
      const unseen = p['unseenCount'] as number;
      const counts = s.users.get(req.user!);
      let total = 0;
      if (counts !== undefined) for (let i = 0; i < counts.length; i++) total += counts[i]!;
      const lnTotal = total > 1 ? Math.log(total) : 0;
      const T = alpha.length;
      for (let j = 0; j < n; j++) {
        let exploit = 0;
        for (let t = 0; t < T; t++) exploit += alpha[t]! * prep.predictions![j * T + t]!;
        let na = counts === undefined ? 0 : counts[cand[j]!]!;
        if (gamma === 0) {
          out[j] = exploit;
          continue;
        }
        if (na <= 0) {
          if (unseen <= 0) {
            out[j] = Number.POSITIVE_INFINITY;
            continue;
          }
          na = unseen;
        }
        // Eq. 1 of Guo et al.: sum_T alpha_T rhat_a(T, C) + gamma sqrt(ln N_t(C) / N_{t,a}(C)).
        out[j] = exploit + (lnTotal > 0 ? gamma * Math.sqrt(lnTotal / na) : 0);
      }
      return;
    }
    case 'linear':
      linearScores(s.bandit, prep.xs!, n, rng, out);
      return;
    case 'pbm': {
      const { bandit } = pbmBandit(rt);
      linearScores(bandit, prep.xs!, n, rng, out);
      return;
    }
    case 'budgeted':
      throw new AllotError('ALLOT_INTERNAL', 'budgeted policies choose sets, not scores');
  }
}

/**
 * Picks `slots` candidates by decreasing score, ties uniformly at random. Per slot: one pass finds the best score
 * and the number m of untaken candidates that share it; when m > 1, one draw `rng.int(m)` picks which of them (the
 * r-th in candidate order). One random number per tied slot, not one per tied candidate: an agent whose arms are all
 * unplayed has every score at +Infinity, and its decisions would otherwise draw K uniforms each. NaN ranks last.
 * Returns candidate positions (indices into `cand`).
 */
function topByScore(scores: Float64Array, n: number, slots: number, rng: Rng): number[] {
  const taken = new Uint8Array(n);
  const out: number[] = [];
  for (let s = 0; s < slots; s++) {
    let first = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    let ties = 0;
    for (let j = 0; j < n; j++) {
      if (taken[j] === 1) continue;
      const v = scores[j]!;
      if (v > bestScore || (first < 0 && v === bestScore)) {
        first = j;
        bestScore = v;
        ties = 1;
      } else if (v === bestScore) {
        ties++;
      }
    }
    let best = first;
    if (first < 0) {
      // Only NaN scores are left: the first untaken one.
      best = taken.indexOf(0);
    } else if (ties > 1) {
      let r = rng.int(ties);
      for (let j = first; j < n; j++) {
        if (taken[j] === 0 && scores[j] === bestScore && r-- === 0) {
          best = j;
          break;
        }
      }
    }
    taken[best] = 1;
    out.push(best);
  }
  return out;
}

/**
 * Exact slot probabilities of a deterministic score ranking with uniform tie-breaking: the probability that
 * candidate j lands in slot s is 1/m when j belongs to the group of m equal scores covering rank s.
 *
 * @returns one Float64Array per slot, over candidate positions.
 */
function tieDistribution(scores: Float64Array, n: number, slots: number): Float64Array[] {
  const dist = Array.from({ length: slots }, () => new Float64Array(n));
  // Selection of the groups covering ranks 0..slots-1 (O(slots x n), no comparator sort: slots is small beside
  // n, and this runs on every decision of a deterministic policy). NaN ranks last, alone in its group.
  const taken = new Uint8Array(n);
  const group = new Int32Array(n);
  let start = 0;
  while (start < slots) {
    let best = -1;
    for (let j = 0; j < n; j++) {
      if (taken[j] === 1) continue;
      const v = scores[j]!;
      if (best < 0 || v > scores[best]! || (Number.isNaN(scores[best]!) && !Number.isNaN(v))) best = j;
    }
    if (best < 0) break;
    const top = scores[best]!;
    let m = 0;
    if (Number.isNaN(top)) {
      group[m++] = best;
      taken[best] = 1;
    } else {
      for (let j = 0; j < n; j++) {
        if (taken[j] !== 1 && scores[j] === top) {
          group[m++] = j;
          taken[j] = 1;
        }
      }
    }
    const end = Math.min(start + m, slots);
    for (let s = start; s < end; s++) {
      const row = dist[s]!;
      for (let r = 0; r < m; r++) row[group[r]!] = 1 / m;
    }
    start += m;
  }
  return dist;
}

/** Budgeted decision: the policy's L arms (ascending), as candidate positions (candidates are all arms). */
function budgetedChoice(rt: AgentRuntime, rng: Rng): number[] {
  const s = rt.policyState;
  if (s.kind !== 'budgeted') throw new AllotError('ALLOT_INTERNAL', 'not budgeted');
  const out = new Int32Array(s.policy.L);
  s.policy.decide(s.stats, { spent: s.spent }, rng, out);
  return Array.from(out);
}

function ensureScratch(rt: AgentRuntime, n: number): Float64Array {
  if (rt.scratch.length < n) rt.scratch = new Float64Array(n);
  return rt.scratch;
}

/** A uniformly random ordered subset of `slots` of the positions 0..n-1 (a partial Fisher–Yates shuffle). */
function randomOrderedSubset(n: number, slots: number, rng: Rng): number[] {
  const idx = Array.from({ length: n }, (_, j) => j);
  for (let s = 0; s < slots; s++) {
    const r = s + rng.int(n - s);
    const t = idx[s]!;
    idx[s] = idx[r]!;
    idx[r] = t;
  }
  return idx.slice(0, slots);
}

/** One draw of the policy's choice (candidate positions in slot order) from `rng`. */
function choose(rt: AgentRuntime, prep: Prepared, req: DecideRequest, rng: Rng): number[] {
  if (rt.policyState.kind === 'budgeted') return budgetedChoice(rt, rng);
  const n = prep.cand.length;
  if (rt.config.policy.type === 'epsilon-greedy') {
    const eps = (rt.config.policy as Record<string, unknown>)['epsilon'] as number;
    if (rng.uniform() < eps) return randomOrderedSubset(n, prep.slots, rng);
  }
  const scores = ensureScratch(rt, n);
  scoresInto(rt, prep, req, rng, scores);
  const picked = topByScore(scores, n, prep.slots, rng);
  if (rt.policyState.kind === 'pbm') {
    // picked[j] is the j-th best item; it goes to the j-th most examined position.
    const { order } = pbmBandit(rt);
    const bySlot = new Array<number>(prep.slots);
    for (let j = 0; j < prep.slots; j++) bySlot[order[j]!] = picked[j]!;
    return bySlot;
  }
  return picked;
}

/** Probability of each candidate (position in `cand`) in each slot. */
function slotDistribution(
  rt: AgentRuntime,
  prep: Prepared,
  req: DecideRequest,
  rng: Rng,
  samples: number,
): Float64Array[] {
  const n = prep.cand.length;
  const type = rt.config.policy.type;
  if (!randomizedScores(rt) && type !== 'mrcb' && type !== 'kube') {
    const scores = new Float64Array(n);
    // Epsilon-greedy's scores are its means (no random numbers drawn).
    scoresInto(rt, prep, req, rng, scores);
    let dist = tieDistribution(scores, n, prep.slots);
    if (rt.policyState.kind === 'pbm') {
      const { order } = pbmBandit(rt);
      const bySlot = new Array<Float64Array>(prep.slots);
      for (let j = 0; j < prep.slots; j++) bySlot[order[j]!] = dist[j]!;
      dist = bySlot;
    }
    if (type === 'epsilon-greedy') {
      const eps = (rt.config.policy as Record<string, unknown>)['epsilon'] as number;
      for (const row of dist) for (let j = 0; j < n; j++) row[j] = Math.min(1, eps / n + (1 - eps) * row[j]!);
    }
    return dist;
  }
  const dist = Array.from({ length: prep.slots }, () => new Float64Array(n));
  if (type === 'mrcb' || type === 'kube') {
    const c = choose(rt, prep, req, rng.fork(0));
    for (let s = 0; s < c.length; s++) dist[s]![c[s]!] = 1;
    return dist;
  }
  for (let i = 0; i < samples; i++) {
    const c = choose(rt, prep, req, rng.fork(i + 1));
    for (let s = 0; s < c.length; s++) dist[s]![c[s]!]! += 1;
  }
  // Counts first, one division at the end: the frequencies of each slot sum to exactly 1 (up to one rounding).
  for (const row of dist) for (let j = 0; j < n; j++) row[j] = row[j]! / samples;
  return dist;
}

/**
 * Chooses actions for one request.
 *
 * @param rt - the agent.
 * @param req - candidates (default all arms), slots, user, context.
 * @param rng - the event's stream ({@link eventRng}); fork 0 draws the decision, forks 1..n the propensity samples.
 * @returns arm indices in slot order and the propensity of each in its slot.
 * @throws ALLOT_INVALID_ARGUMENT / ALLOT_SHAPE_MISMATCH / ALLOT_OUT_OF_RANGE for a request the policy cannot serve.
 */
export function decideAgent(rt: AgentRuntime, req: DecideRequest, rng: Rng): AgentDecision {
  const prep = prepare(rt, req);
  const type = rt.config.policy.type;
  if (!randomizedScores(rt) && rt.policyState.kind !== 'budgeted' && rt.policyState.kind !== 'personalizer') {
    return decideExact(rt, prep, req, rng.fork(0));
  }
  const picked = choose(rt, prep, req, rng.fork(0));
  const p = rt.config.policy as Record<string, unknown>;
  let propensities: number[];
  if (type === 'mrcb' || type === 'kube') {
    propensities = picked.map(() => 1);
  } else if (randomizedScores(rt)) {
    const samples = p['propensitySamples'] as number;
    const dist = slotDistribution(rt, prep, req, rng, samples);
    propensities = picked.map((j, s) => Math.max(dist[s]![j]!, 1 / samples));
  } else if (type === 'epsilon-greedy' && prep.slots === 1 && prep.cand.length > 0) {
    const dist = slotDistribution(rt, prep, req, rng, 0);
    propensities = picked.map((j, s) => dist[s]![j]!);
  } else {
    const dist = slotDistribution(rt, prep, req, rng, 0);
    propensities = picked.map((j, s) => dist[s]![j]!);
  }
  // Sums such as eps/n + (1 - eps) can round one ulp above 1: a probability is never logged above 1.
  for (let s = 0; s < propensities.length; s++) if (propensities[s]! > 1) propensities[s] = 1;
  return { actions: picked.map((j) => prep.cand[j]!), propensities };
}

/**
 * The probability that candidate `j` lands at rank `rank` of a deterministic score ranking with uniform
 * tie-breaking: 1/m when its group of m equal scores covers that rank (the g candidates scoring higher take ranks
 * 0..g-1), else 0. O(n).
 */
function tieProbability(scores: Float64Array, n: number, j: number, rank: number): number {
  const v = scores[j]!;
  let greater = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const x = scores[i]!;
    if (x > v) greater++;
    else if (x === v) m++;
  }
  if (m === 0) return 1; // NaN: alone in its group
  return greater <= rank && rank < greater + m ? 1 / m : 0;
}

/**
 * A decision of a deterministic index policy (ucb1, epsilon-greedy, multitask-ucb, linucb, pbm-rank with linucb):
 * the scores are computed once, for both the choice and its exact propensities. Draws the same random numbers as
 * {@link choose}, so the decision is the one a replay makes.
 */
function decideExact(rt: AgentRuntime, prep: Prepared, req: DecideRequest, rng: Rng): AgentDecision {
  const n = prep.cand.length;
  const slots = prep.slots;
  // The agent's scratch (decisions are synchronous): no allocation per decide.
  const scores = ensureScratch(rt, n);
  let ranked: number[] | null = null;
  let eps = 0;
  if (rt.config.policy.type === 'epsilon-greedy') {
    eps = (rt.config.policy as Record<string, unknown>)['epsilon'] as number;
    if (rng.uniform() < eps) ranked = randomOrderedSubset(n, slots, rng);
  }
  // Epsilon-greedy's scores are its means and draw nothing, so the stream is the one choose() uses.
  scoresInto(rt, prep, req, rng, scores);
  if (ranked === null) ranked = topByScore(scores, n, slots, rng);
  const actions = new Array<number>(slots);
  const propensities = new Array<number>(slots);
  const order = rt.policyState.kind === 'pbm' ? pbmBandit(rt).order : null;
  for (let j = 0; j < slots; j++) {
    const c = ranked[j]!;
    const slot = order === null ? j : order[j]!;
    const p = eps / n + (1 - eps) * tieProbability(scores, n, c, j);
    actions[slot] = prep.cand[c]!;
    propensities[slot] = p > 1 ? 1 : p;
  }
  return { actions, propensities };
}

/**
 * The policy's action distribution for a request: one Float64Array per slot, the probability of each candidate (in
 * `req.candidates` order, all arms when absent) at that slot. Exact for deterministic and epsilon-greedy policies;
 * a seeded Monte Carlo estimate from `simulations` draws for the randomised ones (off-policy evaluation's target
 * probabilities).
 */
export function agentProbabilities(
  rt: AgentRuntime,
  req: {
    readonly candidates: readonly string[];
    readonly slots: number;
    readonly user?: string;
    readonly context?: DecideContext;
  },
  rng: Rng,
  simulations: number,
): Float64Array[] {
  const r: DecideRequest = {
    candidates: req.candidates,
    slots: req.slots,
    ...(req.user === undefined ? {} : { user: req.user }),
    ...(req.context === undefined ? {} : { context: req.context }),
  };
  const prep = prepare(rt, r);
  return slotDistribution(rt, prep, r, rng, Math.max(1, Math.floor(simulations)));
}

/** Checks a reward (and cost) against the decision it joins and returns them as per-slot arrays. */
export function checkReward(
  rt: AgentRuntime,
  slots: number,
  reward: number | readonly number[],
  cost: number | readonly number[] | undefined | null,
): { reward: number[]; cost: number[] | null } {
  const type = rt.config.policy.type;
  const arr = (v: number | readonly number[], name: string): number[] => {
    const a = typeof v === 'number' ? (slots === 1 ? [v] : null) : [...v];
    if (a === null)
      fail(
        'ALLOT_SHAPE_MISMATCH',
        `${name} must be an array of ${slots} values, one per slot (got a number)`,
      );
    if (a.length !== slots)
      fail('ALLOT_SHAPE_MISMATCH', `${name} must have ${slots} values, one per slot (got ${a.length})`);
    for (let i = 0; i < a.length; i++) checkFinite(a[i], name, i);
    return a;
  };
  const r = arr(reward, 'reward');
  const unit =
    type === 'pbm-rank' ||
    type === 'mrcb' ||
    type === 'bts' ||
    type === 'kube' ||
    (type === 'thompson' && (rt.config.policy as Record<string, unknown>)['likelihood'] === 'bernoulli');
  if (unit)
    for (let i = 0; i < r.length; i++)
      if (!(r[i]! >= 0 && r[i]! <= 1))
        fail('ALLOT_OUT_OF_RANGE', `reward[${i}] must be in [0, 1] for ${type} (got ${r[i]})`);
  const budgeted = type === 'mrcb' || type === 'bts' || type === 'kube';
  if (budgeted) {
    if (cost === undefined || cost === null)
      fail('ALLOT_INVALID_ARGUMENT', `cost is required by ${type} (one per arm pulled)`);
    const c = arr(cost, 'cost');
    for (let i = 0; i < c.length; i++)
      if (!(c[i]! >= 0 && c[i]! <= 1))
        fail('ALLOT_OUT_OF_RANGE', `cost[${i}] must be in [0, 1] (got ${c[i]})`);
    return { reward: r, cost: c };
  }
  if (cost !== undefined && cost !== null)
    fail('ALLOT_INVALID_ARGUMENT', `cost is only used by the budgeted policies (policy is ${type})`);
  return { reward: r, cost: null };
}

/** The total budget an agent has spent (0 for unbudgeted agents). */
export function agentSpent(rt: AgentRuntime): number {
  return rt.policyState.kind === 'budgeted' ? rt.policyState.spent : 0;
}

/** True when a budgeted agent cannot afford another round. */
export function budgetExhausted(rt: AgentRuntime): boolean {
  const b = rt.config.budget;
  return b !== undefined && agentSpent(rt) >= b;
}

function armsOf(rt: AgentRuntime, ids: readonly string[]): number[] {
  return ids.map((id) => {
    const i = rt.armIndex.get(id);
    if (i === undefined) throw new AllotError('ALLOT_INTERNAL', `logged action ${id} is not an arm`);
    return i;
  });
}

/** Folds a logged decision into the state (multi-task UCB counts impressions per user; others count it). */
export function foldDecision(rt: AgentRuntime, d: LoggedDecision): void {
  rt.decisions++;
  const s = rt.policyState;
  if (s.kind === 'personalizer' && d.context?.personalizer?.reset === true) resetPersonalizerModel(s.model);
  if (s.kind === 'multitask' && d.user !== undefined && d.user !== null) {
    let counts = s.users.get(d.user);
    if (counts === undefined) {
      counts = new Float64Array(rt.config.arms.length);
      s.users.set(d.user, counts);
    }
    for (const a of armsOf(rt, d.actions)) counts[a]! += 1;
  }
}

/**
 * Folds a logged reward into the state: the learning delta of (decision, reward), added in place.
 *
 * @remarks Per policy: arm statistics add (1, r, r²) per slot; the linear bandit adds x xᵀ and r x (Sherman–Morrison
 * / Cholesky update of its cache); pbm-rank adds x xᵀ and Z x to position ℓ's statistics and counts the click;
 * budgeted policies add the round's counts and sums (BTS's Bernoulli trials draw from the event's own stream).
 */
export function foldReward(rt: AgentRuntime, d: LoggedDecision, r: LoggedReward): void {
  rt.rewardsLogged++;
  if (!r.applied) return;
  const s = rt.policyState;
  if (s.kind === 'personalizer') {
    if (d.context?.personalizer !== undefined)
      learnPersonalizer(s.model, d.context.personalizer, d.actions, r.reward);
    rt.version++;
    return;
  }
  const arms = armsOf(rt, d.actions);
  switch (s.kind) {
    case 'arms':
      for (let j = 0; j < arms.length; j++) {
        const a = arms[j]!;
        const y = r.reward[j]!;
        s.stats.counts[a]! += 1;
        s.stats.sums[a]! += y;
        s.stats.sumSquares[a]! += y * y;
      }
      break;
    case 'multitask':
      break;
    case 'linear': {
      const d0 = s.bandit.config.d;
      const x = new Float64Array(d0);
      for (let j = 0; j < arms.length; j++) {
        featuresInto(rt, d.context, arms[j]!, x, 0);
        observeLinear(s.bandit, x, 0, 1, r.reward[j]!);
      }
      break;
    }
    case 'pbm': {
      const d0 = (rt.config.policy as Record<string, unknown>)['d'] as number;
      const x = new Float64Array(d0);
      for (let l = 0; l < arms.length; l++) {
        featuresInto(rt, d.context, arms[l]!, x, 0);
        addObservation(s.perPosition[l]!, x, 0, 1, r.reward[l]!);
        s.impressions[l]! += 1;
        s.clicks[l]! += r.reward[l]!;
      }
      break;
    }
    case 'budgeted': {
      const order = arms.map((a, j) => [a, j] as const).sort((x, y) => x[0] - y[0]);
      const sortedArms = order.map((o) => o[0]);
      const rew = order.map((o) => r.reward[o[1]]!);
      const cost = order.map((o) => r.cost![o[1]]!);
      s.policy.learnInto(
        s.stats,
        { spent: s.spent },
        sortedArms,
        rew,
        cost,
        eventRng(rt.config.seed, `${r.eventId}\u0000learn`),
      );
      for (const c of cost) s.spent += c;
      break;
    }
  }
  rt.version++;
}

/** After a batch of folds: rebuild the linear cache from the statistics (so replicas and replays agree). */
export function refreshAgent(rt: AgentRuntime): void {
  if (rt.policyState.kind === 'linear') refactorLinearBandit(rt.policyState.bandit);
  if (rt.policyState.kind === 'personalizer') refreshPersonalizerModel(rt.policyState.model);
}

const arr = (x: ArrayLike<number>): number[] => Array.from(x);

/**
 * The additive statistics as plain JSON (`GET /state`), with `rewards` (the count folded in) and `decisions`.
 * Numbers round-trip exactly through JSON.
 */
export function agentStateToJson(rt: AgentRuntime): Record<string, unknown> {
  const s = rt.policyState;
  const base = {
    type: rt.config.policy.type,
    rewards: rt.version,
    rewardsLogged: rt.rewardsLogged,
    decisions: rt.decisions,
  };
  switch (s.kind) {
    case 'arms':
      return {
        ...base,
        counts: arr(s.stats.counts),
        sums: arr(s.stats.sums),
        sumSquares: arr(s.stats.sumSquares),
      };
    case 'multitask': {
      const users: Record<string, number[]> = {};
      for (const u of [...s.users.keys()].sort()) users[u] = arr(s.users.get(u)!);
      return { ...base, users };
    }
    case 'linear': {
      const st = s.bandit.stats;
      return { ...base, d: st.d, gram: arr(st.gram), b: arr(st.b), yy: st.yy, n: st.n };
    }
    case 'personalizer': {
      const st = s.model.bandit.stats;
      return { ...base, d: st.d, gram: arr(st.gram), b: arr(st.b), yy: st.yy, n: st.n };
    }
    case 'pbm':
      return {
        ...base,
        impressions: arr(s.impressions),
        clicks: arr(s.clicks),
        positions: s.perPosition.map((st) => ({ gram: arr(st.gram), b: arr(st.b), yy: st.yy, n: st.n })),
      };
    case 'budgeted':
      return {
        ...base,
        spent: s.spent,
        rounds: s.stats.rounds,
        pulls: arr(s.stats.pulls),
        sumReward: arr(s.stats.sumReward),
        sumCost: arr(s.stats.sumCost),
        trialReward: arr(s.stats.trialReward),
        trialCost: arr(s.stats.trialCost),
      };
  }
}

function copyInto(name: string, target: Float64Array, src: unknown): void {
  if (!Array.isArray(src) || src.length !== target.length) {
    throw new AllotError(
      'ALLOT_INVALID_CONFIG',
      `state.${name} must be an array of ${target.length} numbers`,
    );
  }
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new AllotError('ALLOT_INVALID_CONFIG', `state.${name}[${i}] must be finite`);
    target[i] = v;
  }
}

function numField(o: Record<string, unknown>, name: string): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new AllotError('ALLOT_INVALID_CONFIG', `state.${name} must be a finite number`);
  return v;
}

/**
 * Restores a runtime from a config and state JSON ({@link agentStateToJson}'s output).
 *
 * @throws ALLOT_INVALID_CONFIG when the state does not fit the config.
 */
export function restoreAgentRuntime(config: AgentConfig, state: Record<string, unknown>): AgentRuntime {
  const rt = createAgentRuntime(config);
  if (state['type'] !== config.policy.type) {
    throw new AllotError(
      'ALLOT_INVALID_CONFIG',
      `state is of a ${String(state['type'])} agent, the config is ${config.policy.type}`,
    );
  }
  rt.version = numField(state, 'rewards');
  rt.decisions = numField(state, 'decisions');
  rt.rewardsLogged = state['rewardsLogged'] === undefined ? rt.version : numField(state, 'rewardsLogged');
  const s = rt.policyState;
  switch (s.kind) {
    case 'arms':
      copyInto('counts', s.stats.counts, state['counts']);
      copyInto('sums', s.stats.sums, state['sums']);
      copyInto('sumSquares', s.stats.sumSquares, state['sumSquares']);
      break;
    case 'multitask': {
      const users = state['users'];
      if (users === null || typeof users !== 'object')
        throw new AllotError('ALLOT_INVALID_CONFIG', 'state.users must be an object');
      for (const [u, c] of Object.entries(users as Record<string, unknown>)) {
        const counts = new Float64Array(config.arms.length);
        copyInto(`users.${u}`, counts, c);
        s.users.set(u, counts);
      }
      break;
    }
    case 'linear': {
      const st = s.bandit.stats;
      copyInto('gram', st.gram, state['gram']);
      copyInto('b', st.b, state['b']);
      st.yy = numField(state, 'yy');
      st.n = numField(state, 'n');
      refactorLinearBandit(s.bandit);
      break;
    }
    case 'personalizer': {
      const st = s.model.bandit.stats;
      copyInto('gram', st.gram, state['gram']);
      copyInto('b', st.b, state['b']);
      st.yy = numField(state, 'yy');
      st.n = numField(state, 'n');
      refreshPersonalizerModel(s.model);
      break;
    }
    case 'pbm': {
      copyInto('impressions', s.impressions, state['impressions']);
      copyInto('clicks', s.clicks, state['clicks']);
      const pos = state['positions'];
      if (!Array.isArray(pos) || pos.length !== s.perPosition.length) {
        throw new AllotError(
          'ALLOT_INVALID_CONFIG',
          `state.positions must hold ${s.perPosition.length} entries`,
        );
      }
      pos.forEach((o: Record<string, unknown>, l) => {
        const st = s.perPosition[l]!;
        copyInto(`positions[${l}].gram`, st.gram, o['gram']);
        copyInto(`positions[${l}].b`, st.b, o['b']);
        st.yy = numField(o, 'yy');
        st.n = numField(o, 'n');
      });
      break;
    }
    case 'budgeted':
      s.spent = numField(state, 'spent');
      s.stats.rounds = numField(state, 'rounds');
      copyInto('pulls', s.stats.pulls, state['pulls']);
      copyInto('sumReward', s.stats.sumReward, state['sumReward']);
      copyInto('sumCost', s.stats.sumCost, state['sumCost']);
      copyInto('trialReward', s.stats.trialReward, state['trialReward']);
      copyInto('trialCost', s.stats.trialCost, state['trialCost']);
      break;
  }
  return rt;
}

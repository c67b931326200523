/**
 * An agent's configuration as plain JSON: which policy, over which arms, with which seed and reward-join rules.
 * This is what a client PUTs to the decision service and what a snapshot carries; {@link normalizeAgentConfig}
 * validates it and fills the library's defaults, so two configs that mean the same thing compare equal.
 */
import { AllotError } from '../../core/errors.js';
import { normalizePersonalizerPolicy } from './personalizer.js';

/** Every policy the decision service serves. */
export const AGENT_POLICY_TYPES: readonly AgentPolicyType[] = [
  'ucb1',
  'thompson',
  'epsilon-greedy',
  'multitask-ucb',
  'linucb',
  'lints',
  'pbm-rank',
  'mrcb',
  'bts',
  'kube',
  'personalizer',
];

/** A served policy's name. */
export type AgentPolicyType =
  | 'ucb1'
  | 'thompson'
  | 'epsilon-greedy'
  | 'multitask-ucb'
  | 'linucb'
  | 'lints'
  | 'pbm-rank'
  | 'mrcb'
  | 'bts'
  | 'kube'
  | 'personalizer';

/** A policy as plain data: `type` plus its parameters (the library's names and defaults). */
export interface AgentPolicy {
  readonly type: AgentPolicyType;
  readonly [param: string]: unknown;
}

/** An agent's configuration (the body of `PUT /v1/agents/{id}`), normalised. */
export interface AgentConfig {
  readonly policy: AgentPolicy;
  /** Arm (action) ids, unique, in index order. */
  readonly arms: readonly string[];
  /** Seed of every decision's randomness (with the event id). */
  readonly seed: number;
  /** Rewards later than this after their decision are logged but not learned (default 86400). */
  readonly rewardWindowSeconds: number;
  /** Learned for decisions whose window closes without a reward (none when absent). */
  readonly defaultReward?: number;
  /** Total cost the budgeted policies may spend (required for mrcb, bts, kube). */
  readonly budget?: number;
}

/** Largest number of arms an agent may have. */
export const MAX_ARMS = 10_000;
/** Largest feature dimension of the linear policies. */
export const MAX_DIMENSION = 1024;
/** Largest Monte Carlo sample count for propensities. */
export const MAX_PROPENSITY_SAMPLES = 100_000;
/** Default Monte Carlo sample count for the propensities of randomised policies. */
export const DEFAULT_PROPENSITY_SAMPLES = 1000;

const ARM_ID = /^[A-Za-z0-9._:@/+-]{1,128}$/;

function bad(msg: string): never {
  throw new AllotError('ALLOT_INVALID_CONFIG', msg);
}

function num(
  p: Record<string, unknown>,
  key: string,
  def: number,
  lo: number,
  hi: number,
  open = false,
): number {
  const v = p[key];
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v))
    bad(`policy.${key} must be a finite number (got ${JSON.stringify(v)})`);
  if (open ? !(v > lo && v <= hi) : !(v >= lo && v <= hi)) {
    bad(`policy.${key} must be in ${open ? '(' : '['}${lo}, ${hi}] (got ${v})`);
  }
  return v;
}

function int(
  p: Record<string, unknown>,
  key: string,
  def: number | undefined,
  lo: number,
  hi: number,
): number {
  const v = p[key];
  if (v === undefined) {
    if (def === undefined) bad(`policy.${key} is required`);
    return def;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    bad(`policy.${key} must be an integer in [${lo}, ${hi}] (got ${JSON.stringify(v)})`);
  }
  return v;
}

function str<T extends string>(p: Record<string, unknown>, key: string, def: T, choices: readonly T[]): T {
  const v = p[key];
  if (v === undefined) return def;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    bad(`policy.${key} must be one of ${choices.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return v as T;
}

function numArray(p: Record<string, unknown>, key: string, min: number, max: number): number[] | undefined {
  const v = p[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length < min || v.length > max) {
    bad(`policy.${key} must be an array of ${min} to ${max} numbers`);
  }
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isFinite(x))
      bad(`policy.${key} must hold finite numbers (got ${JSON.stringify(x)})`);
  }
  return v as number[];
}

/**
 * Validates a policy object and returns it with every default filled in (a canonical form: equal meaning, equal
 * JSON).
 *
 * @param raw - `{type, ...params}`.
 * @param arms - number of arms K.
 * @throws ALLOT_INVALID_CONFIG naming the bad field; ALLOT_UNKNOWN_OPTION for an unknown type.
 */
export function normalizePolicy(raw: unknown, arms: number): AgentPolicy {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    bad('policy must be an object with a "type"');
  const p = raw as Record<string, unknown>;
  const type = p['type'];
  if (typeof type !== 'string' || !(AGENT_POLICY_TYPES as readonly string[]).includes(type)) {
    throw new AllotError(
      'ALLOT_UNKNOWN_OPTION',
      `policy.type must be one of ${AGENT_POLICY_TYPES.join(', ')} (got ${JSON.stringify(type)})`,
    );
  }
  const known = (keys: readonly string[]): void => {
    for (const k of Object.keys(p)) {
      if (k !== 'type' && !keys.includes(k))
        bad(`policy.${k} is not a parameter of ${type} (known: ${keys.join(', ') || 'none'})`);
    }
  };
  const samples = (): number =>
    int(p, 'propensitySamples', DEFAULT_PROPENSITY_SAMPLES, 1, MAX_PROPENSITY_SAMPLES);
  const t = type as AgentPolicyType;
  switch (t) {
    case 'ucb1':
      known(['c']);
      return { type: 'ucb1', c: num(p, 'c', 1, 0, 1e6) };
    case 'epsilon-greedy':
      known(['epsilon']);
      return { type: 'epsilon-greedy', epsilon: num(p, 'epsilon', 0.1, 0, 1) };
    case 'thompson': {
      known(['likelihood', 'a0', 'b0', 'mu0', 'sd0', 'noiseSd', 'propensitySamples']);
      const likelihood = str(p, 'likelihood', 'bernoulli', ['bernoulli', 'gaussian'] as const);
      if (likelihood === 'bernoulli') {
        for (const k of ['mu0', 'sd0', 'noiseSd'])
          if (p[k] !== undefined) bad(`policy.${k} is a gaussian parameter`);
        return {
          type: 'thompson',
          likelihood,
          a0: num(p, 'a0', 1, 0, 1e9, true),
          b0: num(p, 'b0', 1, 0, 1e9, true),
          propensitySamples: samples(),
        };
      }
      for (const k of ['a0', 'b0']) if (p[k] !== undefined) bad(`policy.${k} is a bernoulli parameter`);
      return {
        type: 'thompson',
        likelihood,
        mu0: num(p, 'mu0', 0, -1e12, 1e12),
        sd0: num(p, 'sd0', 1, 0, 1e12, true),
        noiseSd: num(p, 'noiseSd', 1, 0, 1e12, true),
        propensitySamples: samples(),
      };
    }
    case 'multitask-ucb': {
      known(['alpha', 'gamma', 'unseenCount']);
      const alpha = numArray(p, 'alpha', 1, 64) ?? [1];
      return {
        type: 'multitask-ucb',
        alpha,
        gamma: num(p, 'gamma', 1, 0, 1e6),
        unseenCount: num(p, 'unseenCount', 0, 0, 1e9),
      };
    }
    case 'linucb':
    case 'lints':
      known([
        'd',
        'lambda',
        'delta',
        'alphaScale',
        'noiseScale',
        'thetaBound',
        'alpha0',
        'beta0',
        'propensitySamples',
      ]);
      return {
        type: t,
        ...linearParams(p, t === 'lints'),
        ...(t === 'lints' ? { propensitySamples: samples() } : {}),
      };
    case 'pbm-rank': {
      known([
        'algorithm',
        'd',
        'positions',
        'bias',
        'q',
        'lambda',
        'delta',
        'alphaScale',
        'noiseScale',
        'thetaBound',
        'alpha0',
        'beta0',
        'propensitySamples',
      ]);
      const algorithm = str(p, 'algorithm', 'linucb', ['linucb', 'lints'] as const);
      const positions = int(p, 'positions', undefined, 1, Math.min(arms, 100));
      const bias = str(p, 'bias', 'ctr', ['ctr', 'known', 'none'] as const);
      const q = numArray(p, 'q', positions, positions);
      if (bias === 'known' && q === undefined)
        bad('policy.q (one examination probability per position) is required with bias "known"');
      if (bias !== 'known' && q !== undefined) bad('policy.q is only used with bias "known"');
      if (q !== undefined)
        for (const x of q) if (!(x > 0 && x <= 1)) bad(`policy.q must hold values in (0, 1] (got ${x})`);
      return {
        type: t,
        algorithm,
        positions,
        bias,
        ...(q === undefined ? {} : { q }),
        ...linearParams(p, algorithm === 'lints'),
        ...(algorithm === 'lints' ? { propensitySamples: samples() } : {}),
      };
    }
    case 'personalizer':
      // Azure AI Personalizer-compatible loops: actions come with each request (see ./personalizer.ts).
      return normalizePersonalizerPolicy(p);
    case 'mrcb':
    case 'bts':
    case 'kube': {
      known(
        t === 'bts'
          ? ['slots', 'scheme', 'propensitySamples']
          : t === 'kube'
            ? ['slots', 'scheme']
            : ['slots', 'kappa'],
      );
      const slots = int(p, 'slots', 1, 1, arms);
      if (t === 'mrcb') return { type: t, slots, kappa: num(p, 'kappa', 2 ** -4, 0, 1e6, true) };
      const scheme = str(p, 'scheme', 'R', ['R', 'T'] as const);
      return t === 'bts'
        ? { type: t, slots, scheme, propensitySamples: samples() }
        : { type: t, slots, scheme };
    }
  }
}

function linearParams(p: Record<string, unknown>, ts: boolean): Record<string, number> {
  const d = int(p, 'd', undefined, 1, MAX_DIMENSION);
  const common = { d, lambda: num(p, 'lambda', 1, 0, 1e12, true) };
  if (ts) {
    for (const k of ['delta', 'alphaScale', 'noiseScale', 'thetaBound'])
      if (p[k] !== undefined) bad(`policy.${k} is a linucb parameter`);
    return {
      ...common,
      alpha0: num(p, 'alpha0', 1, 0, 1e12, true),
      beta0: num(p, 'beta0', 1, 0, 1e12, true),
    };
  }
  for (const k of ['alpha0', 'beta0']) if (p[k] !== undefined) bad(`policy.${k} is a lints parameter`);
  return {
    ...common,
    delta: num(p, 'delta', 0.1, 0, 1, true),
    alphaScale: num(p, 'alphaScale', 0.1, 0, 1e6),
    noiseScale: num(p, 'noiseScale', 1, 0, 1e6, true),
    thetaBound: num(p, 'thetaBound', 1, 0, 1e6, true),
  };
}

/**
 * Validates a raw agent configuration and fills the defaults.
 *
 * @param raw - `{policy, arms?, seed?, rewardWindowSeconds?, defaultReward?, budget?}` (the HTTP body).
 * @returns the normalised configuration.
 * @throws ALLOT_INVALID_CONFIG naming the bad field.
 */
export function normalizeAgentConfig(raw: unknown): AgentConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    bad('the agent config must be an object');
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) {
    if (!['policy', 'arms', 'seed', 'rewardWindowSeconds', 'defaultReward', 'budget'].includes(k)) {
      bad(
        `unknown field ${JSON.stringify(k)} (known: policy, arms, seed, rewardWindowSeconds, defaultReward, budget)`,
      );
    }
  }
  // Personalizer loops take their actions from each request: their arm list may be empty.
  const dynamicArms = (c['policy'] as { type?: unknown } | null)?.type === 'personalizer';
  const arms = c['arms'] ?? (dynamicArms ? [] : undefined);
  if (!Array.isArray(arms) || arms.length < (dynamicArms ? 0 : 1) || arms.length > MAX_ARMS) {
    bad(`arms must be an array of 1 to ${MAX_ARMS} ids`);
  }
  const seen = new Set<string>();
  for (const a of arms) {
    if (typeof a !== 'string' || !ARM_ID.test(a)) {
      bad(`arms must hold ids of 1-128 characters [A-Za-z0-9._:@/+-] (got ${JSON.stringify(a)})`);
    }
    if (seen.has(a)) bad(`arms must be unique (${JSON.stringify(a)} appears twice)`);
    seen.add(a);
  }
  const seed = c['seed'] ?? 1;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    bad(`seed must be a non-negative integer (got ${JSON.stringify(seed)})`);
  }
  const window = c['rewardWindowSeconds'] ?? 86400;
  if (typeof window !== 'number' || !(window > 0 && window <= 31_536_000)) {
    bad(`rewardWindowSeconds must be in (0, 31536000] (got ${JSON.stringify(window)})`);
  }
  const policy = normalizePolicy(c['policy'], arms.length);
  const out: { -readonly [K in keyof AgentConfig]: AgentConfig[K] } = {
    policy,
    arms: arms as string[],
    seed,
    rewardWindowSeconds: window,
  };
  const dr = c['defaultReward'];
  if (dr !== undefined) {
    if (typeof dr !== 'number' || !Number.isFinite(dr))
      bad(`defaultReward must be a finite number (got ${JSON.stringify(dr)})`);
    out.defaultReward = dr;
  }
  const budgeted = policy.type === 'mrcb' || policy.type === 'bts' || policy.type === 'kube';
  const budget = c['budget'];
  if (budget !== undefined) {
    if (!budgeted) bad(`budget is only used by mrcb, bts and kube (policy is ${policy.type})`);
    if (typeof budget !== 'number' || !(budget > 0 && budget <= 1e15))
      bad(`budget must be in (0, 1e15] (got ${JSON.stringify(budget)})`);
    out.budget = budget;
  } else if (budgeted) {
    bad(`budget is required for ${policy.type}`);
  }
  return out;
}

/** The canonical JSON of a config (key order fixed), for "same config" checks. */
export function configKey(c: AgentConfig): string {
  return JSON.stringify(c);
}

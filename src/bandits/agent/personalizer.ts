/**
 * The learner behind allot's Azure AI Personalizer-compatible loops (policy type `personalizer`): JSON features
 * flattened the way Vowpal Wabbit reads them, hashed into a fixed dimension with context × action quadratic
 * interactions, a ridge-regression reward model (the library's linear bandit statistics), and epsilon-greedy
 * exploration whose returned probabilities are the exact sampling probabilities.
 *
 * @remarks
 * Representation of action a in context c (hashing trick of Weinberger et al. 2009, as in VW):
 * x(c, a) = e_bias + Σ_{f ∈ c} v_f s(f) e_{h(f)} + Σ_{g ∈ a} v_g s(g) e_{h(g)} + Σ_{f ∈ c} Σ_{g ∈ a} v_f v_g s(f×g) e_{h(f×g)},
 * with h a 32-bit hash reduced modulo d = 2^bits and s(·) ∈ {−1, +1} a sign hash (collisions cancel in expectation).
 * Features: for every JSON object of `contextFeatures` / an action's `features`, a top-level key whose value is an
 * object is a namespace; nested keys join into a path; strings (and booleans) become indicator features
 * `path=value` of value 1, numbers keep their value, arrays of numbers become `path[i]`, arrays of strings a bag of
 * indicators. Every action also carries an implicit `_action` namespace with its id, so actions without features
 * are still told apart. Multi-slot decisions add each slot's features (and its id) as context namespaces.
 *
 * Model: θ̂ = (λI + Σ x xᵀ)⁻¹ Σ y x (ridge regression, the additive statistics of src/bandits/linear). Decision
 * (epsilon-greedy, Langford & Zhang 2007): with probability ε a uniformly random candidate, otherwise the best by
 * θ̂ᵀx (ties uniformly). The probability of candidate j among n is ε/n + (1 − ε)/m when j is one of the m tied
 * best, ε/n otherwise (exact: this is what off-policy evaluation needs).
 *
 * References: K. Weinberger, A. Dasgupta, J. Langford, A. Smola, J. Attenberg, "Feature Hashing for Large Scale
 * Multitask Learning", ICML 2009, arXiv:0902.2206. J. Langford, T. Zhang, "The Epoch-Greedy Algorithm for
 * Contextual Multi-armed Bandits", NIPS 2007. A. Agarwal et al., "Making Contextual Decisions with Low Technical
 * Debt" (the Decision Service behind Personalizer), arXiv:1606.03966.
 */
import { AllotError } from '../../core/errors.js';
import { hashString } from '../../core/hash.js';
import type { Rng } from '../../core/rng.js';
import {
  createLinearBandit,
  type LinearBandit,
  linearMean,
  observeLinear,
  refactorLinearBandit,
} from '../linear/linear-bandit.js';

/** Default hash bits: d = 2^8 = 256 weights (the Gram matrix is d × d). */
export const PERSONALIZER_DEFAULT_BITS = 8;
/** Largest hash bits (d = 1024, the service's largest linear dimension). */
export const PERSONALIZER_MAX_BITS = 10;
/** Personalizer's limit on the actions of one rank call. */
export const PERSONALIZER_MAX_ACTIONS = 50;
/** Largest number of flattened features of one context or action (bounds the work of one request). */
export const PERSONALIZER_MAX_FEATURES = 2000;
/** Largest number of context × action interaction features of one action (bounds the work of one rank). */
export const PERSONALIZER_MAX_INTERACTIONS = 20_000;
/** Deepest nesting of feature objects. */
const MAX_DEPTH = 8;

/** Personalizer's learning modes. */
export type PersonalizerMode = 'Online' | 'Apprentice' | 'LoggingOnly';

/** An action of a rank request. */
export interface PersonalizerAction {
  readonly id: string;
  readonly features: readonly Record<string, unknown>[];
}

/** A slot of a multi-slot rank request. */
export interface PersonalizerSlot {
  readonly id: string;
  readonly features?: readonly Record<string, unknown>[];
  readonly baselineAction: string;
  /** Actions this slot must not get. */
  readonly excludedActions?: readonly string[];
}

/**
 * What a personalizer decision logs as its context (the `personalizer` field of the decide context): the raw JSON
 * features, so that the log replays the learning exactly and off-policy evaluation sees what the loop saw.
 */
export interface PersonalizerContext {
  readonly contextFeatures: readonly Record<string, unknown>[];
  readonly actions: readonly PersonalizerAction[];
  readonly excludedActions?: readonly string[];
  /** Multi-slot decisions only. */
  readonly slots?: readonly PersonalizerSlot[];
  /** The learning mode the decision was made in (LoggingOnly decisions are not learned). */
  readonly mode: PersonalizerMode;
  /** Exploration probability ε used. */
  readonly epsilon: number;
  /** True when the rank deferred activation. */
  readonly deferred?: boolean;
  /** A model reset marker (DELETE model): the fold zeroes the statistics. */
  readonly reset?: boolean;
  /** Single slot: the ranking returned (so a retried rank with the same event id answers the same). */
  readonly ranking?: ReadonlyArray<{ readonly id: string; readonly probability: number }>;
}

/** Normalised parameters of a `personalizer` policy. */
export interface PersonalizerParams {
  readonly bits: number;
  readonly lambda: number;
  readonly interactions: 'quadratic' | 'none';
}

/** The learner's state: a linear model over hashed features. */
export interface PersonalizerModel {
  readonly params: PersonalizerParams;
  readonly d: number;
  bandit: LinearBandit;
  /** @internal dense scratch of length d. */
  readonly x: Float64Array;
}

/** One decision of {@link decidePersonalizer}: per slot, the chosen action's index and its probability. */
export interface PersonalizerDecision {
  /** Indices into `ctx.actions`, one per slot, in slot order. */
  readonly chosen: readonly number[];
  /** Probability of each chosen action in its slot. */
  readonly propensities: readonly number[];
  /** Single slot: the candidates (indices into `ctx.actions`) in ranking order with their probabilities. */
  readonly ranking: ReadonlyArray<{ readonly index: number; readonly probability: number }>;
}

function bad(msg: string): never {
  throw new AllotError('ALLOT_INVALID_ARGUMENT', msg);
}

/**
 * Validates the parameters of a `personalizer` policy and fills the defaults.
 *
 * @param p - `{type: 'personalizer', bits?, lambda?, interactions?}`.
 * @throws ALLOT_INVALID_CONFIG naming the bad field.
 */
export function normalizePersonalizerPolicy(p: Record<string, unknown>): {
  type: 'personalizer';
  bits: number;
  lambda: number;
  interactions: 'quadratic' | 'none';
} {
  const fail = (m: string): never => {
    throw new AllotError('ALLOT_INVALID_CONFIG', m);
  };
  for (const k of Object.keys(p)) {
    if (!['type', 'bits', 'lambda', 'interactions'].includes(k))
      fail(`policy.${k} is not a parameter of personalizer (known: bits, lambda, interactions)`);
  }
  const bits = p['bits'] ?? PERSONALIZER_DEFAULT_BITS;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 1 || bits > PERSONALIZER_MAX_BITS)
    fail(`policy.bits must be an integer in [1, ${PERSONALIZER_MAX_BITS}] (got ${JSON.stringify(bits)})`);
  const lambda = p['lambda'] ?? 1;
  if (typeof lambda !== 'number' || !(lambda > 0 && lambda <= 1e12))
    fail(`policy.lambda must be in (0, 1e12] (got ${JSON.stringify(lambda)})`);
  const interactions = p['interactions'] ?? 'quadratic';
  if (interactions !== 'quadratic' && interactions !== 'none')
    fail(`policy.interactions must be one of quadratic, none (got ${JSON.stringify(interactions)})`);
  return {
    type: 'personalizer',
    bits: bits as number,
    lambda: lambda as number,
    interactions: interactions as 'quadratic' | 'none',
  };
}

/**
 * Creates an empty model.
 *
 * @param params - normalised parameters ({@link normalizePersonalizerPolicy}).
 */
export function createPersonalizerModel(params: PersonalizerParams): PersonalizerModel {
  const d = 2 ** params.bits;
  return {
    params,
    d,
    bandit: createLinearBandit({ d, algorithm: 'linucb', lambda: params.lambda, refactorEvery: 1000 }),
    x: new Float64Array(d),
  };
}

/** Hashed sparse features: 32-bit hashes and values. */
interface Sparse {
  readonly h: number[];
  readonly v: number[];
}

const h32 = (s: string): number => hashString(s) % 4294967296;

function mix(a: number, b: number): number {
  let z = (Math.imul(a, 0x9e3779b1) ^ b ^ 0x7f4a7c15) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function push(out: Sparse, name: string, value: number, where: string): void {
  if (out.h.length >= PERSONALIZER_MAX_FEATURES)
    bad(`${where} has more than ${PERSONALIZER_MAX_FEATURES} features`);
  out.h.push(h32(name));
  out.v.push(value);
}

function flattenValue(ns: string, path: string, v: unknown, out: Sparse, where: string, depth: number): void {
  if (depth > MAX_DEPTH) bad(`${where} nests deeper than ${MAX_DEPTH} levels`);
  if (v === null || v === undefined) return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) bad(`${where}: ${path} must be a finite number`);
    if (v !== 0) push(out, `${ns}\u0001${path}`, v, where);
    return;
  }
  if (typeof v === 'string' || typeof v === 'boolean') {
    push(out, `${ns}\u0001${path}=${String(v)}`, 1, where);
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      if (typeof e === 'string' || typeof e === 'boolean') flattenValue(ns, path, e, out, where, depth + 1);
      else flattenValue(ns, `${path}[${i}]`, e, out, where, depth + 1);
    }
    return;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>))
      flattenValue(ns, path === '' ? k : `${path}.${k}`, x, out, where, depth + 1);
    return;
  }
  bad(`${where}: ${path} has an unsupported value`);
}

/**
 * Flattens a list of feature objects into hashed features (VW namespaces: a top-level key whose value is an
 * object names a namespace; other top-level keys fall in the default namespace).
 */
function flattenList(list: readonly unknown[], prefix: string, out: Sparse, where: string): void {
  for (let i = 0; i < list.length; i++) {
    const o = list[i];
    if (o === null || typeof o !== 'object' || Array.isArray(o))
      bad(`${where}[${i}] must be a JSON object of features`);
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v))
        flattenValue(`${prefix}${k}`, '', v, out, `${where}[${i}]`, 1);
      else flattenValue(`${prefix}_`, k, v, out, `${where}[${i}]`, 1);
    }
  }
}

/**
 * Checks the shape of feature objects (what {@link decidePersonalizer} would reject), without hashing a model.
 *
 * @throws ALLOT_INVALID_ARGUMENT naming the malformed feature.
 */
export function validatePersonalizerFeatures(list: unknown, where: string): void {
  if (!Array.isArray(list)) bad(`${where} must be an array of JSON objects`);
  flattenList(list, '', { h: [], v: [] }, where);
}

/** Hashed features of the context (plus a slot's features and id). */
function contextSparse(ctx: PersonalizerContext, slot: number): Sparse {
  const out: Sparse = { h: [], v: [] };
  flattenList(ctx.contextFeatures, '', out, 'contextFeatures');
  const s = slot >= 0 ? ctx.slots?.[slot] : undefined;
  if (s !== undefined) {
    push(out, `_slot\u0001id=${s.id}`, 1, 'slots');
    flattenList(s.features ?? [], '_slot.', out, `slots[${slot}].features`);
  }
  return out;
}

function actionSparse(a: PersonalizerAction, i: number): Sparse {
  const out: Sparse = { h: [], v: [] };
  push(out, `_action\u0001id=${a.id}`, 1, `actions[${i}]`);
  flattenList(a.features, '', out, `actions[${i}].features`);
  return out;
}

const BIAS = h32('\u0000bias');

/**
 * Writes the dense hashed vector x(c, a) into `model.x` (see the module remarks).
 */
function vectorInto(model: PersonalizerModel, c: Sparse, a: Sparse): Float64Array {
  const x = model.x;
  x.fill(0);
  const mask = model.d - 1;
  const add = (h: number, v: number): void => {
    const m = mix(h, 0x2545f491);
    x[h & mask]! += (m & 1) === 0 ? v : -v;
  };
  add(BIAS, 1);
  for (let i = 0; i < c.h.length; i++) add(c.h[i]!, c.v[i]!);
  for (let j = 0; j < a.h.length; j++) add(a.h[j]!, a.v[j]!);
  if (model.params.interactions === 'quadratic') {
    if (c.h.length * a.h.length > PERSONALIZER_MAX_INTERACTIONS)
      bad(
        `${c.h.length} context x ${a.h.length} action features make more than ${PERSONALIZER_MAX_INTERACTIONS} interactions`,
      );
    for (let i = 0; i < c.h.length; i++) {
      const hc = c.h[i]!;
      const vc = c.v[i]!;
      for (let j = 0; j < a.h.length; j++) add(mix(hc, a.h[j]!), vc * a.v[j]!);
    }
  }
  return x;
}

function dot(theta: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== 0) s += theta[i]! * v;
  }
  return s;
}

/**
 * Scores θ̂ᵀx(c, a) of the candidate actions (indices into `ctx.actions`) for one slot (-1: single slot).
 *
 * @throws ALLOT_INVALID_ARGUMENT for malformed features.
 */
export function personalizerScores(
  model: PersonalizerModel,
  ctx: PersonalizerContext,
  slot: number,
  candidates: readonly number[],
): Float64Array {
  const theta = linearMean(model.bandit);
  const c = contextSparse(ctx, slot);
  const out = new Float64Array(candidates.length);
  for (let j = 0; j < candidates.length; j++) {
    const a = candidates[j]!;
    out[j] = dot(theta, vectorInto(model, c, actionSparse(ctx.actions[a]!, a)));
  }
  return out;
}

/** Exact epsilon-greedy probabilities over candidates with the given scores (ties share the greedy mass). */
export function epsilonGreedyProbabilities(scores: Float64Array, epsilon: number): Float64Array {
  const n = scores.length;
  let best = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < n; j++) if (scores[j]! > best) best = scores[j]!;
  let m = 0;
  for (let j = 0; j < n; j++) if (scores[j] === best) m++;
  const p = new Float64Array(n);
  for (let j = 0; j < n; j++) p[j] = epsilon / n + (scores[j] === best ? (1 - epsilon) / m : 0);
  return p;
}

/** Draws an index from probabilities `p` with one uniform. */
function sample(p: Float64Array, u: number): number {
  let acc = 0;
  for (let j = 0; j < p.length; j++) {
    acc += p[j]!;
    if (u < acc) return j;
  }
  // Rounding: the last index with positive probability.
  for (let j = p.length - 1; j >= 0; j--) if (p[j]! > 0) return j;
  return p.length - 1;
}

/**
 * Decides a rank (one slot) or a multi-slot rank (one action per slot, none repeated).
 *
 * @remarks Online mode: epsilon-greedy per slot over the actions not excluded and not yet placed, so the
 * probability of slot s's action is exact given the earlier slots. Apprentice and LoggingOnly modes return the
 * baseline (the first non-excluded action, or each slot's `baselineAction`) with probability 1.
 * @param model - the learner.
 * @param ctx - the request (validated: unique action ids, excluded and baseline ids among the actions).
 * @param rng - the decision's stream (one uniform per slot).
 * @returns chosen action indices in slot order with their probabilities; for one slot, the ranking.
 * @throws ALLOT_INVALID_ARGUMENT when no action is left for a slot or a feature is malformed.
 */
export function decidePersonalizer(
  model: PersonalizerModel,
  ctx: PersonalizerContext,
  rng: Rng,
): PersonalizerDecision {
  const excluded = new Set(ctx.excludedActions ?? []);
  const free: number[] = [];
  for (let i = 0; i < ctx.actions.length; i++) if (!excluded.has(ctx.actions[i]!.id)) free.push(i);
  const slots = ctx.slots?.length ?? 0;
  const nSlots = Math.max(1, slots);
  if (free.length < nSlots)
    bad(`${nSlots} slot(s) need at least ${nSlots} non-excluded actions (got ${free.length})`);
  const baseline = ctx.mode !== 'Online';
  const chosen: number[] = [];
  const propensities: number[] = [];
  let ranking: Array<{ index: number; probability: number }> = [];
  for (let s = 0; s < nSlots; s++) {
    const slotEx = slots > 0 ? ctx.slots![s]!.excludedActions : undefined;
    const cand = free.filter((i) => !chosen.includes(i) && !(slotEx?.includes(ctx.actions[i]!.id) ?? false));
    if (cand.length === 0) bad(`no action is left for slot ${slots > 0 ? ctx.slots![s]!.id : 0}`);
    const scores = personalizerScores(model, ctx, slots > 0 ? s : -1, cand);
    let p: Float64Array;
    if (baseline) {
      const id = slots > 0 ? ctx.slots![s]!.baselineAction : ctx.actions[cand[0]!]!.id;
      const j = cand.findIndex((i) => ctx.actions[i]!.id === id);
      if (j < 0) bad(`slots[${s}].baselineAction ${JSON.stringify(id)} is excluded or already placed`);
      p = new Float64Array(cand.length);
      p[j] = 1;
    } else {
      p = epsilonGreedyProbabilities(scores, ctx.epsilon);
    }
    const j = sample(p, rng.uniform());
    chosen.push(cand[j]!);
    propensities.push(p[j]!);
    if (slots === 0) {
      const rest = cand
        .map((index, k) => ({ index, k, probability: p[k]!, score: scores[k]! }))
        .filter((r) => r.k !== j)
        .sort((a, b) => b.score - a.score || a.k - b.k);
      ranking = [
        { index: cand[j]!, probability: p[j]! },
        ...rest.map((r) => ({ index: r.index, probability: r.probability })),
      ];
    }
  }
  return { chosen, propensities, ranking };
}

/**
 * Learns the rewards of a logged decision: for slot s, one ridge observation (x(c + slot s, a_s), r_s).
 * LoggingOnly decisions learn nothing; a reset marker zeroes the model.
 *
 * @param model - updated in place.
 * @param ctx - the logged context.
 * @param actionIds - the chosen action ids in slot order.
 * @param rewards - one reward per slot.
 * @returns whether anything was learned.
 */
export function learnPersonalizer(
  model: PersonalizerModel,
  ctx: PersonalizerContext,
  actionIds: readonly string[],
  rewards: readonly number[],
): boolean {
  if (ctx.mode === 'LoggingOnly') return false;
  const slots = ctx.slots?.length ?? 0;
  for (let s = 0; s < actionIds.length; s++) {
    const i = ctx.actions.findIndex((a) => a.id === actionIds[s]);
    if (i < 0) throw new AllotError('ALLOT_INTERNAL', `logged action ${actionIds[s]} is not in the request`);
    const c = contextSparse(ctx, slots > 0 ? s : -1);
    const x = vectorInto(model, c, actionSparse(ctx.actions[i]!, i));
    observeLinear(model.bandit, x, 0, 1, rewards[s]!);
  }
  return true;
}

/** Zeroes the model (DELETE model). */
export function resetPersonalizerModel(model: PersonalizerModel): void {
  model.bandit = createLinearBandit(model.bandit.config);
}

/** Rebuilds the cache of the model from its statistics (after a restore). */
export function refreshPersonalizerModel(model: PersonalizerModel): void {
  refactorLinearBandit(model.bandit);
}

/**
 * Target policies for off-policy evaluation. A target policy maps a log to its probability of every action at each
 * logged row's position (and, where it has one, its probability of an observed sub-slate). Policies: `uniform`,
 * `bernoulli-ts` (OBP's re-creation of the OBD Thompson sampling policy by Monte Carlo), `epsilon-greedy` over a
 * given ranking, an explicit action distribution (CSV `row,position,action,probability`) and a per-decision adapter
 * (what an allot agent plugs into).
 */
import { AllotError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { prepareBeta, sampleBetaPrepared } from '../core/samplers.js';
import { show } from '../core/validate.js';
import { parseCsv, requireColumns } from './csv.js';
import type { BanditLog, LoggedDecision } from './log.js';

/** What a target policy says about a log. */
export interface TargetDistribution {
  /** `prob[i * K + a]`: the target's probability of action `a` at the position of row `i`, in that row's context. */
  readonly prob: Float64Array;
  /**
   * The target's probability of the observed sub-slate of one impression (the actions of `rows` at their positions,
   * jointly). Absent when the policy only defines per-position marginals.
   */
  readonly slateProbability?: (rows: ArrayLike<number>) => number;
  /** Monte Carlo simulations behind the probabilities (0 when exact). */
  readonly simulations: number;
}

/** A target policy: its probabilities on a given log. */
export interface TargetPolicy {
  /** The policy type (`uniform`, `bernoulli-ts`, ...). */
  readonly type: string;
  /**
   * Computes the target's probabilities on `log`.
   *
   * @throws ALLOT_OUT_OF_RANGE when a logged position is beyond the policy's positions; other codes per policy.
   */
  distribution(log: BanditLog): TargetDistribution;
}

/** Rows of each impression: `rows[start[j]..start[j+1])` are the rows of impression j. */
export interface ImpressionIndex {
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** Groups a log's rows by impression (counting sort, stable). */
export function impressionIndex(log: BanditLog): ImpressionIndex {
  const m = log.nImpressions;
  const start = new Int32Array(m + 1);
  for (let i = 0; i < log.n; i++) start[log.impression[i]! + 1]!++;
  for (let j = 0; j < m; j++) start[j + 1]! += start[j]!;
  const fill = start.slice(0, m);
  const rows = new Int32Array(log.n);
  for (let i = 0; i < log.n; i++) rows[fill[log.impression[i]!]!++] = i;
  return { start, rows };
}

function candidateCount(log: BanditLog, imp: number): number {
  return log.candidates ? log.candidates[imp]!.length : log.actions.length;
}

/** Probability that a uniformly random ordering without replacement of `c` items shows `m` given distinct ones. */
function uniformSlateProbability(c: number, m: number): number {
  let p = 1;
  for (let j = 0; j < m; j++) p /= c - j;
  return p;
}

function beyond(type: string, row: number, position: number, positions: number): AllotError {
  return new AllotError(
    'ALLOT_OUT_OF_RANGE',
    `log row ${row} is at position ${position}, beyond the ${type} policy's ${positions} position${positions === 1 ? '' : 's'} (0..${positions - 1})`,
  );
}

/**
 * The uniform random policy: every candidate equally likely at every position (a uniformly random ordering without
 * replacement, so that a sub-slate of m rows among c candidates has probability 1 / (c (c-1) ... (c-m+1))).
 */
export function uniformPolicy(): TargetPolicy {
  return {
    type: 'uniform',
    distribution(log) {
      const K = log.actions.length;
      const prob = new Float64Array(log.n * K);
      for (let i = 0; i < log.n; i++) {
        const imp = log.impression[i]!;
        if (log.candidates) {
          const c = log.candidates[imp]!;
          for (let j = 0; j < c.length; j++) prob[i * K + c[j]!] = 1 / c.length;
        } else prob.fill(1 / K, i * K, (i + 1) * K);
      }
      return {
        prob,
        simulations: 0,
        slateProbability: (rows) => {
          const imp = log.impression[rows[0]!]!;
          return uniformSlateProbability(candidateCount(log, imp), rows.length);
        },
      };
    },
  };
}

/** Options of {@link bernoulliTsPolicy}. */
export interface BernoulliTsOptions {
  /** Beta prior alpha per item (> 0). */
  readonly alpha: readonly number[];
  /** Beta prior beta per item (> 0), same length. */
  readonly beta: readonly number[];
  /** Positions L the policy fills (the top L of the sampled scores). */
  readonly positions: number;
  /** Monte Carlo simulations (default 100,000, as OBP). */
  readonly simulations?: number;
  /** Seed of the simulations (default 1). */
  readonly seed?: number;
  /** Item ids in the order of alpha/beta (default "0", "1", ...: OBD's item ids). */
  readonly actions?: readonly string[];
}

/** The Monte Carlo result of a Bernoulli Thompson sampling ranker. */
export interface BernoulliTsTable {
  /** `marginal[k * M + m]`: probability that item m is shown at position k. */
  readonly marginal: Float64Array;
  /** `top[s * L + k]`: the item at position k in simulation s. */
  readonly top: Int32Array;
  readonly items: number;
  readonly positions: number;
  readonly simulations: number;
}

/**
 * Simulates a Bernoulli Thompson sampling ranker: each simulation draws theta_m ~ Beta(alpha_m, beta_m) for every
 * item and shows the L items with the largest draws, in decreasing order.
 *
 * @remarks As OBP's `BernoulliTS.compute_batch_action_dist` (Saito et al. 2021, Section 5 and the obp source): the
 *   probability of item m at position k is the share of simulations that put it there; with S simulations its
 *   standard error is at most 0.5 / sqrt(S).
 *
 * References: Y. Saito, S. Aihara, M. Matsutani, Y. Narita, "Open Bandit Dataset and Pipeline: Towards Realistic and
 * Reproducible Off-Policy Evaluation", NeurIPS 2021 Datasets and Benchmarks, arXiv:2008.07146.
 *
 * @param alpha - Beta alpha per item, > 0.
 * @param beta - Beta beta per item, > 0.
 * @param positions - L, 1 <= L <= items.
 * @param simulations - S >= 1.
 * @param seed - seed of the draws.
 * @returns the marginal table and the per-simulation rankings.
 * @throws ALLOT_SHAPE_MISMATCH, ALLOT_OUT_OF_RANGE.
 */
export function simulateBernoulliTs(
  alpha: readonly number[],
  beta: readonly number[],
  positions: number,
  simulations: number,
  seed: number,
): BernoulliTsTable {
  const M = alpha.length;
  if (beta.length !== M)
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `alpha and beta must have the same length (got ${M} and ${beta.length})`,
    );
  for (let m = 0; m < M; m++) {
    if (!(alpha[m]! > 0 && Number.isFinite(alpha[m]!)) || !(beta[m]! > 0 && Number.isFinite(beta[m]!)))
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `alpha[${m}] and beta[${m}] must be finite and > 0 (got ${show(alpha[m])}, ${show(beta[m])})`,
      );
  }
  if (!(Number.isInteger(positions) && positions >= 1 && positions <= M))
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `positions must be an integer in [1, ${M}] (got ${show(positions)})`,
    );
  if (!(Number.isInteger(simulations) && simulations >= 1))
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `simulations must be an integer >= 1 (got ${show(simulations)})`,
    );
  const L = positions;
  const rng = createRng(seed);
  const prep = new Float64Array(4 * M);
  prepareBeta(M, alpha, beta, prep);
  const theta = new Float64Array(M);
  const top = new Int32Array(simulations * L);
  const counts = new Float64Array(L * M);
  const best = new Int32Array(L);
  for (let s = 0; s < simulations; s++) {
    for (let m = 0; m < M; m++) theta[m] = sampleBetaPrepared(rng, alpha[m]!, beta[m]!, prep, m);
    // Partial selection of the L largest, in decreasing order (ties: lower index first).
    for (let k = 0; k < L; k++) {
      let arg = -1;
      let v = Number.NEGATIVE_INFINITY;
      for (let m = 0; m < M; m++) {
        const t = theta[m]!;
        if (t > v) {
          v = t;
          arg = m;
        }
      }
      best[k] = arg;
      theta[arg] = Number.NEGATIVE_INFINITY;
    }
    for (let k = 0; k < L; k++) {
      top[s * L + k] = best[k]!;
      counts[k * M + best[k]!]!++;
    }
  }
  for (let j = 0; j < counts.length; j++) counts[j]! /= simulations;
  return { marginal: counts, top, items: M, positions: L, simulations };
}

/** The Bernoulli Thompson sampling ranker of OBD's `bts` logs, re-created from its Beta parameters by Monte Carlo. */
export function bernoulliTsPolicy(opts: BernoulliTsOptions): TargetPolicy {
  const S = opts.simulations ?? 100_000;
  const table = simulateBernoulliTs(opts.alpha, opts.beta, opts.positions, S, opts.seed ?? 1);
  const ids = opts.actions ?? opts.alpha.map((_, m) => String(m));
  if (ids.length !== opts.alpha.length)
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `actions and alpha must have the same length (got ${ids.length} and ${opts.alpha.length})`,
    );
  return {
    type: 'bernoulli-ts',
    distribution(log) {
      const K = log.actions.length;
      const M = table.items;
      const L = table.positions;
      const itemOf = new Int32Array(K).fill(-1);
      const byId = new Map(ids.map((id, m) => [id, m]));
      for (let a = 0; a < K; a++) itemOf[a] = byId.get(log.actions[a]!) ?? -1;
      const prob = new Float64Array(log.n * K);
      for (let i = 0; i < log.n; i++) {
        const k = log.position[i]!;
        if (k >= L) throw beyond('bernoulli-ts', i, k, L);
        if (itemOf[log.action[i]!]! < 0)
          throw new AllotError(
            'ALLOT_SHAPE_MISMATCH',
            `log action ${JSON.stringify(log.actions[log.action[i]!])} (row ${i}) is not one of the policy's ${M} items`,
          );
        for (let a = 0; a < K; a++) {
          const m = itemOf[a]!;
          if (m >= 0) prob[i * K + a] = table.marginal[k * M + m]!;
        }
      }
      const cache = new Map<string, number>();
      return {
        prob,
        simulations: table.simulations,
        slateProbability: (rows) => {
          if (rows.length === 1) return prob[rows[0]! * K + log.action[rows[0]!]!]!;
          const want = new Int32Array(L).fill(-1);
          for (let j = 0; j < rows.length; j++)
            want[log.position[rows[j]!]!] = itemOf[log.action[rows[j]!]!]!;
          const key = want.join(',');
          let p = cache.get(key);
          if (p === undefined) {
            let c = 0;
            for (let s = 0; s < table.simulations; s++) {
              let ok = true;
              for (let k = 0; k < L && ok; k++)
                if (want[k]! >= 0 && table.top[s * L + k] !== want[k]) ok = false;
              if (ok) c++;
            }
            p = c / table.simulations;
            cache.set(key, p);
          }
          return p;
        },
      };
    },
  };
}

/** Options of {@link epsilonGreedyPolicy}. */
export interface EpsilonGreedyOptions {
  /** The greedy ranking: action ids, best first (restricted to each row's candidates, order kept). */
  readonly ranking: readonly string[];
  /** Exploration probability in [0, 1]: with it the slate is a uniformly random ordering of the candidates. */
  readonly epsilon: number;
}

/**
 * Epsilon-greedy over a fixed ranking: with probability 1 - epsilon show the ranking, otherwise a uniformly random
 * ordering; the probability of action a at position k is (1 - epsilon) 1[a = ranking_k] + epsilon / c.
 */
export function epsilonGreedyPolicy(opts: EpsilonGreedyOptions): TargetPolicy {
  const eps = opts.epsilon;
  if (!(eps >= 0 && eps <= 1))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `epsilon must be in [0, 1] (got ${show(eps)})`);
  if (!Array.isArray(opts.ranking) || opts.ranking.length === 0)
    throw new AllotError('ALLOT_INVALID_CONFIG', 'ranking must be a non-empty array of action ids');
  return {
    type: 'epsilon-greedy',
    distribution(log) {
      const K = log.actions.length;
      const code = new Map(log.actions.map((id, a) => [id, a]));
      const ranked = opts.ranking.map((id) => code.get(String(id)) ?? -1);
      const prob = new Float64Array(log.n * K);
      const greedyAt = (imp: number): Int32Array => {
        if (!log.candidates) return Int32Array.from(ranked.filter((a) => a >= 0));
        const c = new Set(log.candidates[imp]!);
        return Int32Array.from(ranked.filter((a) => c.has(a)));
      };
      let lastImp = -1;
      let g: Int32Array = new Int32Array(0);
      for (let i = 0; i < log.n; i++) {
        const imp = log.impression[i]!;
        if (imp !== lastImp) {
          g = greedyAt(imp);
          lastImp = imp;
        }
        const k = log.position[i]!;
        if (k >= g.length) throw beyond('epsilon-greedy', i, k, g.length);
        const c = candidateCount(log, imp);
        if (log.candidates) {
          const cs = log.candidates[imp]!;
          for (let j = 0; j < cs.length; j++) prob[i * K + cs[j]!] = eps / c;
        } else prob.fill(eps / c, i * K, (i + 1) * K);
        prob[i * K + g[k]!]! += 1 - eps;
      }
      return {
        prob,
        simulations: 0,
        slateProbability: (rows) => {
          const imp = log.impression[rows[0]!]!;
          const gg = greedyAt(imp);
          let match = true;
          for (let j = 0; j < rows.length; j++)
            if (gg[log.position[rows[j]!]!] !== log.action[rows[j]!]) match = false;
          return (match ? 1 - eps : 0) + eps * uniformSlateProbability(candidateCount(log, imp), rows.length);
        },
      };
    },
  };
}

const SUM_TOL = 1e-6;

/**
 * An explicit action distribution: CSV text with columns `row,position,action,probability`, where `row` is the
 * 0-based index of a log row (one line of an OBD CSV, one (decision, slot) row of an allot log), `position` the
 * 0-based slot (a file that never uses 0 but uses the log's last slot number is read as 1-based, OBD style),
 * `action` an action id. For each (row, position) given, the probabilities must sum to 1 (within 1e-6); every log
 * row needs the distribution at its own position.
 *
 * @throws ALLOT_MISSING_COLUMN, ALLOT_PARSE_ERROR, ALLOT_OUT_OF_RANGE (probability outside [0, 1], row beyond the
 *   log, a logged position beyond every position of the file), ALLOT_INVALID_CONFIG (sums not 1, a log row without
 *   a distribution at its position, an unknown action).
 */
export function actionDistPolicy(text: string, what = 'action-dist file'): TargetPolicy {
  const t = parseCsv(text, what);
  const [cr, cp, ca, cq] = requireColumns(t, ['row', 'position', 'action', 'probability'], what) as [
    number,
    number,
    number,
    number,
  ];
  return {
    type: 'action-dist',
    distribution(log) {
      const K = log.actions.length;
      const code = new Map(log.actions.map((id, a) => [id, a]));
      const rowsIn = t.rows.length;
      const rowIdx = new Int32Array(rowsIn);
      const posIdx = new Int32Array(rowsIn);
      let minPos = Number.POSITIVE_INFINITY;
      let maxPos = -1;
      for (let e = 0; e < rowsIn; e++) {
        const r = t.rows[e]!;
        const row = Number(r[cr]!.trim());
        const pos = Number(r[cp]!.trim());
        if (!Number.isInteger(row) || row < 0 || r[cr]!.trim() === '')
          throw new AllotError(
            'ALLOT_PARSE_ERROR',
            `${what}: row of record ${e + 1} must be an integer >= 0 (got ${JSON.stringify(r[cr])})`,
          );
        if (row >= log.n)
          throw new AllotError(
            'ALLOT_OUT_OF_RANGE',
            `${what}: record ${e + 1} names row ${row}, beyond the log's ${log.n} rows (0..${log.n - 1})`,
          );
        if (!Number.isInteger(pos) || pos < 0 || r[cp]!.trim() === '')
          throw new AllotError(
            'ALLOT_PARSE_ERROR',
            `${what}: position of record ${e + 1} must be an integer >= 0 (got ${JSON.stringify(r[cp])})`,
          );
        rowIdx[e] = row;
        posIdx[e] = pos;
        if (pos < minPos) minPos = pos;
        if (pos > maxPos) maxPos = pos;
      }
      const oneBased = rowsIn > 0 && minPos >= 1 && maxPos === log.nPositions;
      const P = Math.max(maxPos + 1, log.nPositions);
      const prob = new Float64Array(log.n * K);
      const sums = new Map<number, number>();
      const covered = new Uint8Array(log.n);
      for (let e = 0; e < rowsIn; e++) {
        const r = t.rows[e]!;
        const a = code.get(r[ca]!.trim());
        if (a === undefined)
          throw new AllotError(
            'ALLOT_INVALID_CONFIG',
            `${what}: record ${e + 1} names action ${JSON.stringify(r[ca])}, which the log does not have`,
          );
        const q = Number(r[cq]!.trim());
        if (!(q >= 0 && q <= 1) || r[cq]!.trim() === '')
          throw new AllotError(
            'ALLOT_OUT_OF_RANGE',
            `${what}: probability of record ${e + 1} must be in [0, 1] (got ${JSON.stringify(r[cq])})`,
          );
        const row = rowIdx[e]!;
        const pos = posIdx[e]! - (oneBased ? 1 : 0);
        const key = row * P + pos;
        sums.set(key, (sums.get(key) ?? 0) + q);
        if (pos === log.position[row]) {
          prob[row * K + a]! += q;
          covered[row] = 1;
        }
      }
      for (const [key, s] of sums) {
        if (Math.abs(s - 1) > SUM_TOL) {
          const row = Math.floor(key / P);
          throw new AllotError(
            'ALLOT_INVALID_CONFIG',
            `${what}: probabilities of row ${row} at position ${(key % P) + (oneBased ? 1 : 0)} sum to ${s}, not 1`,
          );
        }
      }
      const filePositions = oneBased ? maxPos : maxPos + 1;
      for (let i = 0; i < log.n; i++) {
        if (covered[i]) continue;
        if (log.position[i]! >= filePositions)
          throw beyond('action-dist', i, log.position[i]!, filePositions);
        throw new AllotError(
          'ALLOT_INVALID_CONFIG',
          `${what} lacks log row ${i} (no probabilities at its position ${log.position[i]! + (oneBased ? 1 : 0)})`,
        );
      }
      return { prob, simulations: 0 };
    },
  };
}

/**
 * Per-decision probabilities: `probabilities(decision, impression)` returns one array per slot with the
 * probability of each candidate at that slot, in the order of `candidatesOf(decision)` of {@link decisionPolicy}
 * (default `decision.candidates`).
 */
export type DecisionProbabilities = (
  decision: LoggedDecision,
  impression: number,
) => readonly ArrayLike<number>[];

/**
 * A target policy that recomputes each logged decision (an allot agent's snapshot behind an adapter). Needs a log
 * with decisions (an allot log).
 *
 * @throws ALLOT_INVALID_ARGUMENT when the log carries no decisions; ALLOT_OUT_OF_RANGE for a position beyond the
 *   slots the policy returns.
 */
export function decisionPolicy(
  type: string,
  probabilities: DecisionProbabilities,
  simulations = 0,
  candidatesOf: (d: LoggedDecision) => readonly string[] = (d) => d.candidates,
): TargetPolicy {
  return {
    type,
    distribution(log) {
      if (!log.decisions)
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `the ${type} policy needs an allot log (decisions with candidates and context)`,
        );
      const K = log.actions.length;
      const code = new Map(log.actions.map((id, a) => [id, a]));
      const prob = new Float64Array(log.n * K);
      let lastImp = -1;
      let slots: readonly ArrayLike<number>[] = [];
      for (let i = 0; i < log.n; i++) {
        const imp = log.impression[i]!;
        const d = log.decisions[imp]!;
        if (imp !== lastImp) {
          slots = probabilities(d, imp);
          lastImp = imp;
        }
        const k = log.position[i]!;
        if (k >= slots.length) throw beyond(type, i, k, slots.length);
        const p = slots[k]!;
        const cands = candidatesOf(d);
        for (let j = 0; j < cands.length; j++) {
          const a = code.get(cands[j]!);
          if (a !== undefined) prob[i * K + a] = p[j]!;
        }
      }
      return { prob, simulations };
    },
  };
}

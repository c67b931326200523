/**
 * A replication job for the worker pool that computes the exploration-efficiency metrics for a block of synthetic
 * users (used by the benchmark of the metrics at production scale, and usable as a template for real logs).
 */
import type { Rng } from '../core/rng.js';
import { createQuadratureWork, maxProbabilitiesQuadratureInto } from './beta-max.js';
import {
  betaPosteriorInto,
  createMaxProbabilityWork,
  type ExplorationMetrics,
  explorationMetricsInto,
  maxProbabilitiesInto,
} from './exploration-metrics.js';

/** The module URL of this file, for the worker pool. */
export const JOB_MODULE: string = import.meta.url;

/** Input of {@link syntheticMetricsJob}. */
export interface SyntheticMetricsInput {
  /** Users per block (one replication = one block). */
  readonly usersPerBlock: number;
  /** Topics. */
  readonly topics: number;
  /** Posterior draws per user (Monte Carlo only). */
  readonly samples: number;
  /** How P is computed: `quadrature` (default) or `montecarlo`. */
  readonly method?: 'quadrature' | 'montecarlo';
}

/** Sums of the metrics over a block (means are sums / users; TE weighted by plays). */
export interface SyntheticMetricsResult {
  users: number;
  EI: number;
  TD: number;
  IU: number;
  TEnum: number;
  TEden: number;
}

/**
 * Draws a block of synthetic users (log-normal activity, concentrated topic histories, a day of recommendations)
 * and computes P (by quadrature, or Monte Carlo with `method: 'montecarlo'`) and EI, TD, IU, TE for each.
 *
 * @param input - block size, topics, posterior draws.
 * @param _index - block index (the stream depends on it already).
 * @param rng - the block's random source.
 * @returns the sums of the metrics over the block.
 */
export function syntheticMetricsJob(
  input: SyntheticMetricsInput,
  _index: number,
  rng: Rng,
): SyntheticMetricsResult {
  const K = input.topics;
  const shown = new Float64Array(K);
  const rel = new Float64Array(K);
  const share = new Float64Array(K);
  const q = new Float64Array(K);
  const a = new Float64Array(K);
  const b = new Float64Array(K);
  const p = new Float64Array(K);
  const topicRate = new Float64Array(K);
  for (let k = 0; k < K; k++) topicRate[k] = 0.15 + 0.3 * rng.uniform();
  const work = createMaxProbabilityWork(K);
  const qWork = createQuadratureWork(K);
  const m: ExplorationMetrics = { EI: 0, TD: 0, IU: 0, TE: 0 };
  const out: SyntheticMetricsResult = { users: 0, EI: 0, TD: 0, IU: 0, TEnum: 0, TEden: 0 };
  for (let u = 0; u < input.usersPerBlock; u++) {
    const n = Math.round(20 * Math.exp(1.2 * rng.normal()));
    let s = 0;
    for (let k = 0; k < K; k++) {
      share[k] = rng.gamma(0.3);
      s += share[k]!;
    }
    let rs = 0;
    let ns = 0;
    for (let k = 0; k < K; k++) {
      shown[k] = Math.round((n * share[k]!) / s);
      rel[k] = Math.round(shown[k]! * topicRate[k]! * (0.5 + rng.uniform()));
      rel[k] = Math.min(rel[k]!, shown[k]!);
      rs += rel[k]!;
      ns += shown[k]!;
      q[k] = 0;
    }
    const today = 1 + Math.round(10 * rng.uniform());
    for (let j = 0; j < today; j++) {
      let x = rng.uniform() * s;
      let k = 0;
      while (k < K - 1 && x > share[k]!) x -= share[k++]!;
      q[k]! += 1;
    }
    const ubar = Math.min(0.99, Math.max(0.01, (rs + 3) / (ns + 10)));
    betaPosteriorInto(K, shown, rel, 0, topicRate, ubar, 0.3, 2, a, b);
    if (input.method === 'montecarlo') maxProbabilitiesInto(K, a, b, input.samples, rng, p, 0, work);
    else maxProbabilitiesQuadratureInto(K, a, b, p, 0, qWork);
    explorationMetricsInto(K, p, 0, q, 0, 1e-3, m);
    out.users++;
    out.EI += m.EI;
    out.TD += m.TD;
    out.IU += m.IU;
    out.TEnum += today * m.TE;
    out.TEden += today;
  }
  return out;
}

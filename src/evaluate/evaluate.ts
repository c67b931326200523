/** One call from a log and a target policy to every estimate: target probabilities, reward model, estimators. */
import { AllotError } from '../core/errors.js';
import {
  type EstimateOptions,
  estimateValues,
  STANDARD_ESTIMATORS,
  type WeightDiagnostics,
} from './estimators.js';
import type { Estimate } from './intervals.js';
import { Z975 } from './intervals.js';
import type { BanditLog } from './log.js';
import { impressionIndex, type TargetPolicy } from './policies.js';
import { fitRewardModel, type RewardModelOptions } from './reward-model.js';
import { estimateSlate, type SlateEstimator, type SlateResult } from './slate.js';

/** Options of {@link evaluatePolicy}. */
export interface EvaluateOptions extends EstimateOptions {
  /** Also run a slate estimator (reported as `slate-<kind>`). */
  readonly slate?: SlateEstimator;
  /** Reward model of DM and the DR family. */
  readonly rewardModel?: RewardModelOptions;
}

/** The result of {@link evaluatePolicy} (the RESULT.json of `allot evaluate`). */
export interface EvaluationResult {
  /** Rows evaluated. */
  readonly n: number;
  readonly impressions: number;
  /** Input rows left out (no reward joined). */
  readonly skipped: number;
  readonly policy: string;
  /** Monte Carlo simulations behind the target probabilities (0: exact). */
  readonly simulations: number;
  readonly estimates: Record<string, Estimate>;
  readonly diagnostics: WeightDiagnostics & { readonly slate?: SlateResult['diagnostics'] };
  readonly hyper: { readonly switchTau: number | null; readonly drosLambda: number | null };
  readonly rewardModel?: {
    readonly kind: string;
    readonly folds: number;
    readonly l2: number;
    readonly dim: number;
  };
  readonly bootstrap: number;
  /** The resampling scheme used (null without resamples). */
  readonly bootstrapMethod: 'multinomial' | 'poisson' | null;
  readonly clip: number | null;
}

/**
 * Estimates a target policy's expected reward per logged row from logged bandit feedback: computes the target's
 * probabilities, fits the cross-fitted reward model when DM or a DR-type estimator is asked for, and runs the
 * standard estimators (clustered by impression) and, optionally, one slate estimator.
 *
 * @param log - the logged feedback.
 * @param policy - the target policy.
 * @param opts - estimators, clipping, bootstrap, seed, slate estimator, reward model.
 * @returns the estimates with intervals and diagnostics.
 * @throws the codes of the policy, the reward model and the estimators.
 */
export function evaluatePolicy(
  log: BanditLog,
  policy: TargetPolicy,
  opts: EvaluateOptions = {},
): EvaluationResult {
  const names = opts.estimators ?? STANDARD_ESTIMATORS;
  const dist = policy.distribution(log);
  const K = log.actions.length;
  const targetProb = new Float64Array(log.n);
  for (let i = 0; i < log.n; i++) targetProb[i] = dist.prob[i * K + log.action[i]!]!;
  const needModel = names.some((e) => e !== 'ipw' && e !== 'snipw');
  const model = needModel
    ? fitRewardModel(log, dist.prob, { seed: opts.seed ?? 1, ...opts.rewardModel })
    : undefined;
  const std = estimateValues(
    {
      reward: log.reward,
      pscore: log.pscore,
      targetProb,
      ...(model ? { qLogged: model.qLogged, qTarget: model.qTarget } : {}),
      cluster: log.impression,
      nClusters: log.nImpressions,
    },
    { ...opts, estimators: names },
  );
  const estimates: Record<string, Estimate> = { ...std.estimates };
  let slateDiag: SlateResult['diagnostics'] | undefined;
  if (opts.slate !== undefined) {
    const r = estimateSlate(log, dist, impressionIndex(log), opts.slate, {
      ...(opts.clip !== undefined ? { clip: opts.clip } : {}),
      bootstrap: opts.bootstrap ?? 0,
      seed: opts.seed ?? 1,
      ...(opts.bootstrapMethod !== undefined ? { bootstrapMethod: opts.bootstrapMethod } : {}),
    });
    estimates[`slate-${opts.slate}`] = r.estimate;
    slateDiag = r.diagnostics;
  }
  return {
    n: log.n,
    impressions: log.nImpressions,
    skipped: log.skipped,
    policy: policy.type,
    simulations: dist.simulations,
    estimates,
    diagnostics: slateDiag ? { ...std.diagnostics, slate: slateDiag } : std.diagnostics,
    hyper: std.hyper,
    ...(model ? { rewardModel: { kind: model.kind, folds: model.folds, l2: model.l2, dim: model.dim } } : {}),
    bootstrap: opts.bootstrap ?? 0,
    bootstrapMethod: std.bootstrapMethod,
    clip: opts.clip ?? null,
  };
}

/**
 * The on-policy value of a log: its mean reward per row, with the normal 95% interval (clustered by impression).
 * On the log of the policy being evaluated this is the ground truth an off-policy estimate is compared with.
 *
 * @throws ALLOT_INVALID_ARGUMENT for an empty log.
 */
export function onPolicyValue(log: BanditLog): { value: number; se: number; ci95: [number, number] } {
  if (log.n === 0) throw new AllotError('ALLOT_INVALID_ARGUMENT', 'the log has no rows');
  const C = log.nImpressions;
  const sum = new Float64Array(C);
  const cnt = new Float64Array(C);
  let total = 0;
  for (let i = 0; i < log.n; i++) {
    sum[log.impression[i]!]! += log.reward[i]!;
    cnt[log.impression[i]!]! += 1;
    total += log.reward[i]!;
  }
  const v = total / log.n;
  const mc = log.n / C;
  let s2 = 0;
  for (let c = 0; c < C; c++) {
    const psi = (sum[c]! - v * cnt[c]!) / mc;
    s2 += psi * psi;
  }
  const se = C > 1 ? Math.sqrt(s2 / (C - 1) / C) : 0;
  return { value: v, se, ci95: [v - Z975 * se, v + Z975 * se] };
}

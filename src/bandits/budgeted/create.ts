/**
 * One entry point for all budgeted policies, from a plain-data spec (what the simulator and the CLI pass around).
 */
import { AllotError } from '../../core/errors.js';
import { assertOneOf } from '../../core/validate.js';
import { createBts } from './bts.js';
import { createEpsilonFirst } from './epsilon-first.js';
import { createKube } from './kube.js';
import { createMrcb } from './mrcb.js';
import type { OracleTieBreak, ZeroCostTieBreak } from './oracle.js';
import {
  BUDGETED_POLICY_NAMES,
  type BudgetedPolicy,
  type BudgetedPolicyName,
  type BudgetScheme,
} from './policy.js';
import { createUcbBv1 } from './ucb-bv1.js';

/** A policy as plain data (structured-cloneable). Fields a policy does not use are ignored. */
export interface BudgetedPolicySpec {
  readonly name: BudgetedPolicyName;
  /** Scheme for eps-first, kube, bts (default `'R'`); ucb-bv1 is always `'T'`; mrcb has none. */
  readonly scheme?: BudgetScheme;
  /** MRCB's kappa (default 2^-4). */
  readonly kappa?: number;
  /** epsilon-first's exploration share (default 0.1). */
  readonly epsilon?: number;
  /** epsilon-first's budget B (required for eps-first). */
  readonly budget?: number;
  /** UCB-BV1's lower bound on the expected costs (required for ucb-bv1). */
  readonly lambda?: number;
  /** Oracle boundary case |Z0| >= L (default `'random'`). */
  readonly zeroCostTieBreak?: ZeroCostTieBreak;
  /** MRCB's oracle ties at the optimum (default `'index'`). */
  readonly tieBreak?: OracleTieBreak;
}

/**
 * Creates the policy a {@link BudgetedPolicySpec} names.
 *
 * @param spec - the policy and its options.
 * @param K - arms, integer >= 1.
 * @param L - plays per round, integer in [1, K].
 * @returns the policy.
 * @throws ALLOT_UNKNOWN_OPTION for an unknown name or scheme; ALLOT_INVALID_CONFIG when eps-first lacks a budget or
 *   ucb-bv1 a lambda; the option errors of each create function.
 */
export function createBudgetedPolicy(spec: BudgetedPolicySpec, K: number, L: number): BudgetedPolicy {
  const name = assertOneOf('policy', spec.name, BUDGETED_POLICY_NAMES);
  const zc = spec.zeroCostTieBreak === undefined ? {} : { zeroCostTieBreak: spec.zeroCostTieBreak };
  const scheme = spec.scheme === undefined ? {} : { scheme: spec.scheme };
  switch (name) {
    case 'mrcb':
      return createMrcb(K, L, {
        ...zc,
        ...(spec.kappa === undefined ? {} : { kappa: spec.kappa }),
        ...(spec.tieBreak === undefined ? {} : { tieBreak: spec.tieBreak }),
      });
    case 'kube':
      return createKube(K, L, { ...zc, ...scheme });
    case 'bts':
      return createBts(K, L, { ...zc, ...scheme });
    case 'eps-first':
      if (spec.budget === undefined) {
        throw new AllotError('ALLOT_INVALID_CONFIG', 'eps-first needs the budget (spec.budget)');
      }
      return createEpsilonFirst(K, L, {
        ...zc,
        ...scheme,
        budget: spec.budget,
        ...(spec.epsilon === undefined ? {} : { epsilon: spec.epsilon }),
      });
    case 'ucb-bv1':
      if (spec.lambda === undefined) {
        throw new AllotError('ALLOT_INVALID_CONFIG', 'ucb-bv1 needs lambda, a lower bound on the mean costs');
      }
      if (spec.scheme === 'R') {
        throw new AllotError('ALLOT_INVALID_CONFIG', 'ucb-bv1 has Scheme T only (got scheme "R")');
      }
      return createUcbBv1(K, L, { lambda: spec.lambda });
  }
}

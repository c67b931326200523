/** Web Worker: off-policy evaluation of a candidate policy on an agent's joined log, with src/evaluate. */
import {
  type AllotLogRow,
  allotRowsToLog,
  type EvaluationResult,
  evaluatePolicy,
  onPolicyValue,
  policyFromConfig,
} from '../../../src/evaluate/index.js';
import { errorData, onMessage, post } from './post.js';

/** A request: evaluate `policy` (a POLICY.json of `allot evaluate`) on these rows. */
export interface EvaluateRequest {
  readonly id: number;
  readonly rows: readonly AllotLogRow[];
  readonly policy: unknown;
}

/** The answer. */
export type EvaluateMessage =
  | {
      readonly type: 'done';
      readonly id: number;
      readonly result: EvaluationResult;
      readonly onPolicy: { value: number; se: number; ci95: [number, number] };
      readonly actions: number;
      readonly milliseconds: number;
    }
  | { readonly type: 'error'; readonly id: number; readonly code: string; readonly message: string };

onMessage<EvaluateRequest>((req) => {
  try {
    const t0 = performance.now();
    const log = allotRowsToLog(req.rows, 'agent log');
    const policy = policyFromConfig(req.policy, (path) => {
      throw new Error(`the dashboard cannot read files (${path}): give the policy inline`);
    });
    const result = evaluatePolicy(log, policy, { seed: 1 });
    post({
      type: 'done',
      id: req.id,
      result,
      onPolicy: onPolicyValue(log),
      actions: log.actions.length,
      milliseconds: performance.now() - t0,
    } satisfies EvaluateMessage);
  } catch (e) {
    post({ type: 'error', id: req.id, ...errorData(e) });
  }
});

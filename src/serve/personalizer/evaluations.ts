/**
 * Offline evaluations of a Personalizer loop (`POST|GET evaluations`, `GET|DELETE evaluations/{id}`) on the loop's
 * own log, with the estimators of src/evaluate (IPS and SNIPS; the logged propensities are the exact sampling
 * probabilities). Like Personalizer, every evaluation reports the `Online` policy (the logged rewards), `Baseline`
 * (the first non-excluded action) and `Random` (uniform), plus one candidate per requested policy.
 *
 * A candidate's `arguments` are read for `--epsilon X` (VW's flag; default: the loop's explorationPercentage): the
 * candidate is epsilon-greedy with exploration X over the loop's current model. Unlike Personalizer, allot does not
 * retrain a model per candidate on the log: the current model has learned from the same log, so a candidate's
 * estimate is optimistic (in-sample); compare candidates with each other, and against Baseline and Random.
 */
import { randomUUID } from 'node:crypto';
import {
  epsilonGreedyProbabilities,
  type PersonalizerContext,
  type PersonalizerModel,
  personalizerScores,
} from '../../bandits/agent/personalizer.js';
import { estimateValues } from '../../evaluate/estimators.js';
import type { AgentService } from '../agent-service.js';
import { PersonalizerError } from './errors.js';

/** Record kind of evaluations (by `agentKey \0 evaluationId`). */
export const EVALUATION_RECORD = 'personalizer-evaluation';
/** Largest number of logged events one evaluation reads. */
const MAX_ROWS = 200_000;

const bad = (m: string): never => {
  throw new PersonalizerError(400, 'InvalidEvaluationContract', m);
};

interface Candidate {
  readonly name: string;
  readonly arguments: string;
  readonly policySource: 'Online' | 'Baseline' | 'Random' | 'Custom';
  readonly epsilon?: number;
}

/**
 * Runs an evaluation and stores it.
 *
 * @param service - the agent service (log and model).
 * @param key - the loop's agent key.
 * @param body - Personalizer's EvaluationContract `{name, startTime, endTime, policies: [{name, arguments}]}`.
 * @param epsilon - the loop's current explorationPercentage (default of candidates without `--epsilon`).
 * @param now - the time in ms.
 * @throws PersonalizerError 400 `InvalidEvaluationContract`; 400 `NoLogsExistInDateRange` without rewarded events.
 */
export async function createEvaluation(
  service: AgentService,
  key: string,
  body: unknown,
  epsilon: number,
  now: number,
): Promise<Record<string, unknown>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    bad('the evaluation must be a JSON object');
  const b = body as Record<string, unknown>;
  const name = b['name'];
  if (typeof name !== 'string' || name.length === 0 || name.length > 256)
    bad('name must be a string of 1 to 256 characters');
  const start = typeof b['startTime'] === 'string' ? Date.parse(b['startTime'] as string) : Number.NaN;
  const end = typeof b['endTime'] === 'string' ? Date.parse(b['endTime'] as string) : Number.NaN;
  if (Number.isNaN(start) || Number.isNaN(end) || end < start)
    bad('startTime and endTime must be dates with startTime <= endTime');
  const policies = b['policies'] ?? [];
  if (!Array.isArray(policies) || policies.length > 20)
    bad('policies must be an array of at most 20 {"name", "arguments"}');
  const candidates: Candidate[] = [
    { name: 'Online', arguments: '', policySource: 'Online' },
    { name: 'Baseline', arguments: '', policySource: 'Baseline' },
    { name: 'Random', arguments: '', policySource: 'Random' },
  ];
  for (const [i, p] of (policies as unknown[]).entries()) {
    const o = p as Record<string, unknown> | null;
    if (
      o === null ||
      typeof o !== 'object' ||
      typeof o['name'] !== 'string' ||
      typeof o['arguments'] !== 'string'
    )
      bad(`policies[${i}] must be {"name": string, "arguments": string}`);
    const m = /--epsilon\s+([0-9.eE+-]+)/.exec(o!['arguments'] as string);
    const eps = m === null ? epsilon : Number(m[1]);
    if (!(eps >= 0 && eps <= 1)) bad(`policies[${i}].arguments: --epsilon must be in [0, 1] (got ${m?.[1]})`);
    candidates.push({
      name: o!['name'] as string,
      arguments: o!['arguments'] as string,
      policySource: 'Custom',
      epsilon: eps,
    });
  }
  const rt = await service.runtime(key);
  const model = (rt.policyState as { model?: PersonalizerModel }).model;
  if (model === undefined) bad('this agent is not a Personalizer loop');
  // Rewarded single-slot events in the window.
  const rows: Array<{ ctx: PersonalizerContext; action: string; p: number; r: number; ts: number }> = [];
  let after = 0;
  for (;;) {
    const page = await service.events(key, after, 5000);
    for (const e of page.events) {
      const c = e.decision.context?.personalizer;
      const rw = e.reward;
      if (c === undefined || c.reset === true || (c.slots?.length ?? 0) > 0 || rw === null || !rw.applied)
        continue;
      if (e.decision.ts < start || e.decision.ts > end) continue;
      rows.push({
        ctx: c,
        action: e.decision.actions[0]!,
        p: e.decision.propensities[0]!,
        r: rw.reward[0]!,
        ts: e.decision.ts,
      });
      if (rows.length >= MAX_ROWS) break;
    }
    if (page.next === null || rows.length >= MAX_ROWS) break;
    after = page.next;
  }
  if (rows.length === 0)
    throw new PersonalizerError(
      400,
      'NoLogsExistInDateRange',
      'no rewarded rank events of this loop in the date range',
    );
  const n = rows.length;
  const reward = Float64Array.from(rows, (x) => x.r);
  const pscore = Float64Array.from(rows, (x) => x.p);
  const policyResults = candidates.map((cand) => {
    const target = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const ex = new Set(row.ctx.excludedActions ?? []);
      const free: number[] = [];
      for (let a = 0; a < row.ctx.actions.length; a++) if (!ex.has(row.ctx.actions[a]!.id)) free.push(a);
      const j = free.findIndex((a) => row.ctx.actions[a]!.id === row.action);
      if (cand.policySource === 'Online') target[i] = row.p;
      else if (cand.policySource === 'Baseline') target[i] = j === 0 ? 1 : 0;
      else if (cand.policySource === 'Random') target[i] = 1 / free.length;
      else {
        const probs = epsilonGreedyProbabilities(
          personalizerScores(model!, row.ctx, -1, free),
          cand.epsilon!,
        );
        target[i] = j < 0 ? 0 : probs[j]!;
      }
    }
    const est = estimateValues({ reward, pscore, targetProb: target }, { estimators: ['ipw', 'snipw'] });
    let num = 0;
    let den = 0;
    let snDen = 0;
    let sq = 0;
    let nonZero = 0;
    for (let i = 0; i < n; i++) {
      const w = target[i]! / pscore[i]!;
      num += w * reward[i]!;
      den += 1;
      snDen += w;
      sq += (w * reward[i]!) ** 2;
      if (target[i]! > 0) nonZero++;
    }
    const ips = est.estimates['ipw'];
    const summary = {
      timeStamp: new Date(rows[n - 1]!.ts).toISOString(),
      ipsEstimatorNumerator: num,
      ipsEstimatorDenominator: den,
      snipsEstimatorDenominator: snDen,
      aggregateTimeWindow: 'PT0S',
      nonZeroProbability: nonZero,
      sumOfSquares: sq,
      confidenceInterval: ips?.se === null || ips?.se === undefined ? 0 : 1.96 * ips.se,
      averageReward: snDen > 0 ? num / snDen : 0,
    };
    return {
      name: cand.name,
      arguments: cand.arguments,
      policySource: cand.policySource,
      summary: [summary],
      totalSummary: summary,
      // allot's estimates with intervals (src/evaluate), and the weight diagnostics.
      allot: { estimates: est.estimates, diagnostics: est.diagnostics },
    };
  });
  const id = randomUUID();
  const evaluation = {
    id,
    name,
    startTime: new Date(start).toISOString(),
    endTime: new Date(end).toISOString(),
    jobId: id,
    status: 'completed',
    policyResults,
    featureImportance: [],
    evaluationType: 'Manual',
    creationTime: new Date(now).toISOString(),
    events: n,
  };
  await service.store.putRecord(EVALUATION_RECORD, `${key}\u0000${id}`, evaluation);
  return evaluation;
}

/** A stored evaluation, or 404 EvaluationNotFound. */
export async function getEvaluation(service: AgentService, key: string, id: string): Promise<unknown> {
  const v = await service.store.getRecord(EVALUATION_RECORD, `${key}\u0000${id}`);
  if (v === null)
    throw new PersonalizerError(404, 'EvaluationNotFound', `no evaluation ${JSON.stringify(id)}`);
  return v;
}

/** Every evaluation of a loop. */
export async function listEvaluations(service: AgentService, key: string): Promise<unknown[]> {
  return (await service.store.listRecords(EVALUATION_RECORD, `${key}\u0000`)).map((r) => r.value);
}

/** Deletes an evaluation (204 even when absent, as Personalizer does). */
export async function deleteEvaluation(service: AgentService, key: string, id: string): Promise<void> {
  await service.store.deleteRecord(EVALUATION_RECORD, `${key}\u0000${id}`);
}

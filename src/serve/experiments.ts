/**
 * Live experiments as a resource of the service (issue 12; Guo et al. 2023, section 3.3): three groups
 * (production, control, test) with shares and agent configurations, users assigned by a salted deterministic hash
 * of their id, two phases, and a readout from the logs.
 *
 * Agents of experiment `E` (tenant-namespaced like every agent, reachable under `/v1/agents/...` for export and
 * replay): `exp.E.pooled` holds the one shared state of Phase I (created with the production group's
 * configuration; a decide for group g uses g's policy parameters over it, and every group's rewards train it);
 * `exp.E.production`, `exp.E.control`, `exp.E.test` are created at the switch to Phase II, empty or starting from
 * the pooled state at the switch (saved as their seq-0 snapshot), and learn only from their own group's rewards.
 * The experiment record is `putRecord('experiment', tenant/E, ...)`; the switch is logged as a control entry of the
 * pooled agent (with its time and the pooled log position it cut at) and of each group agent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type AgentConfig,
  agentStateToJson,
  createAgentRuntime,
  foldDecision,
  foldReward,
  restoreAgentRuntime,
} from '../bandits/agent/index.js';
import { AllotError } from '../core/errors.js';
import { GROUPS, type GroupName } from '../experiments/assignment.js';
import {
  type LiveEvent,
  type LiveExperimentRecord,
  type LivePreEvent,
  type LiveReadout,
  type LiveReadoutOptions,
  liveAssignment,
  liveGroupOf,
  liveReadout,
  normalizeLiveExperiment,
} from '../experiments/live-readout.js';
import type { Store } from '../store/store.js';
import type { AgentService } from './agent-service.js';
import type { ServeContext } from './app.js';
import { decideBody, decideResponse, rewardBody, rewardResponse } from './schemas.js';

/** Record kind of experiments in the store. */
export const EXPERIMENT_RECORD = 'experiment';

/** The store id of an experiment's agent (`tenant/exp.<id>.<pooled|group>`). */
export function experimentAgentKey(tenant: string, id: string, which: GroupName | 'pooled'): string {
  return `${tenant}/exp.${id}.${which}`;
}

const DAY_MS = 86_400_000;

function notFound(id: string): AllotError {
  return new AllotError('ALLOT_UNKNOWN_AGENT', `experiment ${JSON.stringify(id)} does not exist`);
}

/** Reads an experiment record (null when absent). */
export async function getExperiment(
  store: Store,
  tenant: string,
  id: string,
): Promise<LiveExperimentRecord | null> {
  return (await store.getRecord(EXPERIMENT_RECORD, `${tenant}/${id}`)) as LiveExperimentRecord | null;
}

/** Every joined event of an agent, in log order. */
async function allEvents(store: Store, key: string) {
  const out: Awaited<ReturnType<Store['listEvents']>> = [];
  let after = 0;
  for (;;) {
    const page = await store.listEvents(key, after, 5000);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.seq;
  }
}

/**
 * Collects an experiment's logged events (and its pre-period, if any) from a store: the input of
 * {@link liveReadout}. Decisions made on the experiment's agents directly (not through the experiment routes) carry
 * no experiment id and are left out.
 *
 * @param store - the service's store.
 * @param tenant - the tenant (`default` without auth).
 * @param id - the experiment id.
 * @returns the record, the events and the pre-period observations (null without a pre-period).
 * @throws ALLOT_UNKNOWN_AGENT when the experiment does not exist (the code covers agents and experiments).
 */
export async function collectExperiment(
  store: Store,
  tenant: string,
  id: string,
): Promise<{ record: LiveExperimentRecord; events: LiveEvent[]; pre: LivePreEvent[] | null }> {
  const record = await getExperiment(store, tenant, id);
  if (record === null) throw notFound(id);
  const assignment = liveAssignment(record);
  const events: LiveEvent[] = [];
  for (const which of ['pooled', ...GROUPS] as const) {
    const key = experimentAgentKey(tenant, id, which);
    if ((await store.getAgent(key)) === null) continue;
    for (const e of await allEvents(store, key)) {
      const d = e.decision;
      if (d.experiment !== id || d.user === null) continue;
      const r = e.reward;
      events.push({
        phase: which === 'pooled' ? 1 : 2,
        group: (d.group as GroupName | undefined) ?? liveGroupOf(assignment, d.user),
        user: d.user,
        ts: d.ts,
        actions: d.actions,
        reward: r === null || r.isDefault ? null : r.reward,
      });
    }
  }
  let pre: LivePreEvent[] | null = null;
  if (record.pre !== undefined) {
    pre = [];
    const key = `${tenant}/${record.pre.agent}`;
    const from = record.createdAt - record.pre.days * DAY_MS;
    if ((await store.getAgent(key)) !== null) {
      for (const e of await allEvents(store, key)) {
        const d = e.decision;
        if (d.user === null || d.ts < from || d.ts >= record.createdAt) continue;
        const r = e.reward;
        let v = 0;
        if (r !== null && !r.isDefault) for (const x of r.reward) v += x;
        pre.push({ user: d.user, value: v });
      }
    }
  }
  return { record, events, pre };
}

/**
 * The readout of an experiment straight from a store: what `GET /v1/experiments/{id}/readout` and
 * `allot experiments readout` both return.
 *
 * @param store - the store.
 * @param tenant - the tenant.
 * @param id - the experiment id.
 * @param opts - readout options ({@link liveReadout}).
 * @throws ALLOT_UNKNOWN_AGENT when the experiment does not exist (the code covers agents and experiments).
 */
export async function experimentReadout(
  store: Store,
  tenant: string,
  id: string,
  opts: LiveReadoutOptions = {},
): Promise<LiveReadout> {
  const { record, events, pre } = await collectExperiment(store, tenant, id);
  return liveReadout(record, events, pre, opts);
}

/** The state of an agent after folding its log up to and including `seq` (snapshot at or before it + log). */
async function stateAt(
  store: Store,
  key: string,
  config: AgentConfig,
  seq: number,
): Promise<Record<string, unknown>> {
  const snap = await store.loadSnapshot(key);
  const useSnap = snap !== null && snap.seq <= seq;
  const rt = useSnap
    ? restoreAgentRuntime(config, snap.state as Record<string, unknown>)
    : createAgentRuntime(config);
  let after = useSnap ? snap.seq : 0;
  for (;;) {
    const page = await store.readLog(key, after, 5000);
    if (page.length === 0) break;
    for (const e of page) {
      if (e.seq > seq) return agentStateToJson(rt);
      if (e.kind === 'decision') foldDecision(rt, e);
      else if (e.kind === 'reward') foldReward(rt, e.decision, e);
      after = e.seq;
    }
  }
  return agentStateToJson(rt);
}

/** Folds an agent's log entries with seq in (after, until] into a runtime. */
async function foldLog(
  store: Store,
  key: string,
  rt: ReturnType<typeof createAgentRuntime>,
  after: number,
  until = Number.POSITIVE_INFINITY,
): Promise<number> {
  let entries = 0;
  for (;;) {
    const page = await store.readLog(key, after, 5000);
    if (page.length === 0) return entries;
    for (const e of page) {
      if (e.seq > until) return entries;
      if (e.kind === 'decision') foldDecision(rt, e);
      else if (e.kind === 'reward') foldReward(rt, e.decision, e);
      after = e.seq;
      entries++;
    }
  }
}

/** One agent's line of {@link replayExperiment}. */
export interface ExperimentReplayRow {
  readonly agentId: string;
  /** The state rebuilt from the logs equals the stored one (snapshot + log after it). */
  readonly equal: boolean;
  /** Log entries of this agent folded by the replay. */
  readonly entries: number;
  readonly rewards: number;
  /** What the replay started from: empty, or the pooled log up to the switch. */
  readonly base: 'empty' | 'pooled';
}

/**
 * Rebuilds every state of an experiment from the logs alone and compares it with the stored state: the pooled
 * agent from its whole log; a Phase II group agent from the pooled log up to the switch (`pooledSeq`, when it
 * started from the pooled state) and then its own whole log.
 *
 * @param store - the store.
 * @param tenant - the tenant.
 * @param id - the experiment id.
 * @returns one row per agent and whether all are equal.
 * @throws ALLOT_UNKNOWN_AGENT when the experiment does not exist.
 */
export async function replayExperiment(
  store: Store,
  tenant: string,
  id: string,
): Promise<{ experiment: string; phase: 1 | 2; equal: boolean; agents: ExperimentReplayRow[] }> {
  const r = await getExperiment(store, tenant, id);
  if (r === null) throw notFound(id);
  const rows: ExperimentReplayRow[] = [];
  const pooledKey = experimentAgentKey(tenant, id, 'pooled');
  const stored = async (key: string, config: AgentConfig): Promise<string> => {
    const snap = await store.loadSnapshot(key);
    const rt =
      snap === null
        ? createAgentRuntime(config)
        : restoreAgentRuntime(config, snap.state as Record<string, unknown>);
    await foldLog(store, key, rt, snap?.seq ?? 0);
    return JSON.stringify(agentStateToJson(rt));
  };
  const which: Array<GroupName | 'pooled'> = r.phase === 2 ? ['pooled', ...GROUPS] : ['pooled'];
  for (const w of which) {
    const key = experimentAgentKey(tenant, id, w);
    const rec = await store.getAgent(key);
    if (rec === null) continue;
    let rt = createAgentRuntime(rec.config);
    let base: 'empty' | 'pooled' = 'empty';
    if (w !== 'pooled' && r.start === 'pooled' && r.pooledSeq !== null) {
      const pooled = createAgentRuntime(r.groups.production.agent);
      await foldLog(store, pooledKey, pooled, 0, r.pooledSeq);
      rt = restoreAgentRuntime(rec.config, agentStateToJson(pooled));
      base = 'pooled';
    }
    const entries = await foldLog(store, key, rt, 0);
    rows.push({
      agentId: key.slice(tenant.length + 1),
      equal: JSON.stringify(agentStateToJson(rt)) === (await stored(key, rec.config)),
      entries,
      rewards: rt.version,
      base,
    });
  }
  return { experiment: id, phase: r.phase, equal: rows.every((x) => x.equal), agents: rows };
}

function summary(r: LiveExperimentRecord, tenant: string): Record<string, unknown> {
  const strip = (k: string): string => k.slice(tenant.length + 1);
  const groups: Record<string, unknown> = {};
  for (const g of GROUPS) {
    groups[g] = {
      share: r.groups[g].share,
      agent: r.groups[g].agent,
      ...(r.phase === 2 ? { agentId: strip(experimentAgentKey(tenant, r.id, g)) } : {}),
    };
  }
  return {
    id: r.id,
    phase: r.phase,
    createdAt: new Date(r.createdAt).toISOString(),
    phaseSwitchAt: r.phaseSwitchAt === null ? null : new Date(r.phaseSwitchAt).toISOString(),
    start: r.start,
    salt: r.salt,
    ...(r.pre === undefined ? {} : { pre: r.pre }),
    pooledAgentId: strip(experimentAgentKey(tenant, r.id, 'pooled')),
    groups,
  };
}

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } },
} as const;
const anyObject = { type: 'object', additionalProperties: true } as const;
const err4xx = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 404: { $ref: 'Error#' } };

const putBody = {
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: {
    groups: {
      type: 'object',
      description: '{"production"|"control"|"test": {"share": number, "agent": {...agent config...}}}',
      additionalProperties: true,
    },
    salt: { type: 'string', minLength: 1, maxLength: 256 },
    pre: {
      type: 'object',
      description:
        'pre-experiment period for CUPED: {"agent": existing agent id, "days": 1-365 (default 14)}',
      additionalProperties: true,
    },
  },
} as const;

const phaseBody = {
  type: 'object',
  required: ['phase'],
  additionalProperties: false,
  properties: {
    phase: { type: 'integer', enum: [2] },
    start: { type: 'string', enum: ['pooled', 'empty'] },
  },
} as const;

const readoutQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    samples: { type: 'string', pattern: '^[0-9]{1,6}$' },
    seed: { type: 'string', pattern: '^[0-9]{1,15}$' },
    daySeconds: { type: 'string', pattern: '^[0-9]{1,9}$' },
    maxWork: { type: 'string', pattern: '^[0-9]{1,12}$' },
  },
} as const;

/** Parses the readout query (shared with the CLI's flags). */
export function readoutOptions(q: {
  samples?: string;
  seed?: string;
  daySeconds?: string;
  maxWork?: string;
}): LiveReadoutOptions {
  const o: { samples?: number; seed?: number; dayMs?: number; maxWork?: number } = {};
  if (q.maxWork !== undefined) o.maxWork = Number(q.maxWork);
  if (q.samples !== undefined) o.samples = Number(q.samples);
  if (q.seed !== undefined) o.seed = Number(q.seed);
  if (q.daySeconds !== undefined) {
    const s = Number(q.daySeconds);
    if (!(s >= 1))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `daySeconds must be >= 1 (got ${q.daySeconds})`);
    o.dayMs = s * 1000;
  }
  return o;
}

/** The experiment routes over a service (a route plugin; app.ts registers it for every app). */
export function experimentsPlugin(app: FastifyInstance, ctx: ServeContext): void {
  const service: AgentService = ctx.service;
  const store = service.store;
  const tenantOf = (req: FastifyRequest): string => ctx.tenant(req);
  const idOf = (req: FastifyRequest): string => (req.params as { id: string }).id;
  const readoutCache = new Map<string, { key: string; value: LiveReadout }>();
  const mustGet = async (req: FastifyRequest): Promise<LiveExperimentRecord> => {
    const r = await getExperiment(store, tenantOf(req), idOf(req));
    if (r === null) throw notFound(idOf(req));
    return r;
  };

  app.get(
    '/v1/experiments',
    {
      schema: {
        summary: "List this tenant's experiments",
        tags: ['experiments'],
        response: {
          200: { type: 'object', properties: { experiments: { type: 'array', items: anyObject } } },
          ...err4xx,
        },
      },
    },
    async (req) => {
      const t = tenantOf(req);
      const rows = await store.listRecords(EXPERIMENT_RECORD, `${t}/`);
      return {
        experiments: rows
          .map((r) => summary(r.value as LiveExperimentRecord, t))
          .sort((a, b) => String(a['id']).localeCompare(String(b['id']))),
      };
    },
  );

  app.put(
    '/v1/experiments/:id',
    {
      schema: {
        summary:
          'Create an experiment (201), or confirm the same definition is there (200); another definition is 409',
        tags: ['experiments'],
        params: idParams,
        body: putBody,
        response: { 200: anyObject, 201: anyObject, 409: { $ref: 'Error#' }, ...err4xx },
      },
    },
    async (req, reply) => {
      const t = tenantOf(req);
      const id = idOf(req);
      const spec = normalizeLiveExperiment(id, req.body);
      const prior = await getExperiment(store, t, id);
      const specKey = (s: { groups: unknown; salt: unknown; pre?: unknown }): string =>
        JSON.stringify([s.groups, s.salt, s.pre ?? null]);
      if (prior !== null) {
        if (specKey(prior) !== specKey(spec))
          throw new AllotError(
            'ALLOT_CONFLICT',
            `experiment ${JSON.stringify(id)} exists with another definition (DELETE it first)`,
          );
        reply.code(200);
        return summary(prior, t);
      }
      // The pooled agent first: a conflicting agent of that name fails the creation before the record exists.
      await service.putAgent(experimentAgentKey(t, id, 'pooled'), spec.groups.production.agent);
      const record: LiveExperimentRecord = {
        id,
        ...spec,
        createdAt: ctx.now(),
        phase: 1,
        phaseSwitchAt: null,
        start: null,
        pooledSeq: null,
      };
      await store.putRecord(EXPERIMENT_RECORD, `${t}/${id}`, record);
      reply.code(201);
      return summary(record, t);
    },
  );

  app.get(
    '/v1/experiments/:id',
    {
      schema: {
        summary: 'An experiment: groups, shares, agents, phase',
        tags: ['experiments'],
        params: idParams,
        response: { 200: anyObject, ...err4xx },
      },
    },
    async (req) => summary(await mustGet(req), tenantOf(req)),
  );

  app.delete(
    '/v1/experiments/:id',
    {
      schema: {
        summary: 'Delete an experiment with its agents and their logs',
        tags: ['experiments'],
        params: idParams,
        response: { 204: { type: 'null' }, ...err4xx },
      },
    },
    async (req, reply) => {
      const t = tenantOf(req);
      const id = idOf(req);
      await mustGet(req);
      for (const which of ['pooled', ...GROUPS] as const) {
        await service.deleteAgent(experimentAgentKey(t, id, which)).catch((e: unknown) => {
          if (!(e instanceof AllotError && e.code === 'ALLOT_UNKNOWN_AGENT')) throw e;
        });
      }
      await store.deleteRecord(EXPERIMENT_RECORD, `${t}/${id}`);
      reply.code(204).send();
    },
  );

  app.get(
    '/v1/experiments/:id/assignment',
    {
      schema: {
        summary: "A user's group (deterministic: the salted hash of the user id)",
        tags: ['experiments'],
        params: idParams,
        querystring: {
          type: 'object',
          required: ['user'],
          additionalProperties: false,
          properties: { user: { type: 'string', minLength: 1, maxLength: 256 } },
        },
        response: { 200: anyObject, ...err4xx },
      },
    },
    async (req) => {
      const r = await mustGet(req);
      const user = (req.query as { user: string }).user;
      return { user, group: liveGroupOf(liveAssignment(r), user) };
    },
  );

  app.post(
    '/v1/experiments/:id/decide',
    {
      schema: {
        summary:
          "Decide for a user through the experiment: the user's group's policy (Phase I: over the pooled state)",
        tags: ['experiments'],
        params: idParams,
        body: { ...decideBody, required: ['user'] },
        response: { 200: decideResponse, 409: { $ref: 'Error#' }, ...err4xx },
      },
    },
    async (req) => {
      const r = await mustGet(req);
      const t = tenantOf(req);
      const body = req.body as Parameters<AgentService['decide']>[1] & { user: string };
      const group = liveGroupOf(liveAssignment(r), body.user);
      const pooled = experimentAgentKey(t, r.id, 'pooled');
      if (r.phase === 1) {
        return service.decide(pooled, body, {
          group,
          experiment: r.id,
          policy: r.groups[group].agent.policy,
        });
      }
      // A retry of a Phase I decision after the switch returns the stored one.
      if (body.eventId !== undefined) {
        const prior = await store.getDecision(pooled, body.eventId);
        if (prior !== null)
          return {
            eventId: prior.eventId,
            actions: prior.actions,
            propensities: prior.propensities,
            version: prior.version,
            group: prior.group ?? group,
          };
      }
      return service.decide(experimentAgentKey(t, r.id, group), body, { group, experiment: r.id });
    },
  );

  app.post(
    '/v1/experiments/:id/rewards',
    {
      schema: {
        summary: 'Join a reward to a decision of the experiment (routed to the agent that made the decision)',
        tags: ['experiments'],
        params: idParams,
        body: rewardBody,
        response: { 200: rewardResponse, ...err4xx },
      },
    },
    async (req) => {
      const r = await mustGet(req);
      const t = tenantOf(req);
      const body = req.body as Parameters<AgentService['reward']>[1];
      const pooled = experimentAgentKey(t, r.id, 'pooled');
      if (r.phase === 1) return service.reward(pooled, body);
      const keys = [...GROUPS.map((g) => experimentAgentKey(t, r.id, g)), pooled];
      const found = await Promise.all(keys.map((k) => store.getDecision(k, body.eventId)));
      const i = found.findIndex((d) => d !== null);
      if (i < 0)
        throw new AllotError(
          'ALLOT_UNKNOWN_EVENT',
          `no decision of experiment ${JSON.stringify(r.id)} has eventId ${JSON.stringify(body.eventId)}`,
        );
      return service.reward(keys[i]!, body);
    },
  );

  app.post(
    '/v1/experiments/:id/phase',
    {
      schema: {
        summary:
          'Switch to Phase II: a state per group, started from the pooled state (default) or empty; logged with its time',
        tags: ['experiments'],
        params: idParams,
        body: phaseBody,
        response: { 200: anyObject, 409: { $ref: 'Error#' }, ...err4xx },
      },
    },
    async (req) => {
      const r = await mustGet(req);
      const t = tenantOf(req);
      const start = (req.body as { start?: 'pooled' | 'empty' }).start ?? 'pooled';
      if (r.phase === 2) {
        if (r.start !== start)
          throw new AllotError(
            'ALLOT_CONFLICT',
            `experiment ${JSON.stringify(r.id)} is already in Phase II (started ${r.start})`,
          );
        return {
          phase: 2,
          at: new Date(r.phaseSwitchAt!).toISOString(),
          start: r.start,
          pooledSeq: r.pooledSeq,
        };
      }
      const at = ctx.now();
      const pooled = experimentAgentKey(t, r.id, 'pooled');
      const cut = await store.appendControl(pooled, {
        kind: 'control',
        eventId: `experiment-phase-2-${at}`,
        ts: at,
        data: { type: 'experiment-phase', experiment: r.id, phase: 2, start },
      });
      if (cut === null) throw new AllotError('ALLOT_UNKNOWN_AGENT', `the pooled agent of ${r.id} is gone`);
      const state =
        start === 'pooled' ? await stateAt(store, pooled, r.groups.production.agent, cut.seq) : null;
      for (const g of GROUPS) {
        const key = experimentAgentKey(t, r.id, g);
        await service.putAgent(key, r.groups[g].agent);
        if (state !== null && (await store.lastSeq(key)) === 0)
          await store.saveSnapshot(key, { seq: 0, state });
        await store.appendControl(key, {
          kind: 'control',
          eventId: `experiment-start-${at}`,
          ts: at,
          data: {
            type: 'experiment-start',
            experiment: r.id,
            start,
            pooledSeq: cut.seq,
            // Replay (allot agents replay) rebuilds the start from the pooled log up to the cut.
            ...(start === 'pooled' ? { initFrom: { agent: pooled, seq: cut.seq } } : {}),
          },
        });
      }
      const next: LiveExperimentRecord = { ...r, phase: 2, phaseSwitchAt: at, start, pooledSeq: cut.seq };
      await store.putRecord(EXPERIMENT_RECORD, `${t}/${r.id}`, next);
      return { phase: 2, at: new Date(at).toISOString(), start, pooledSeq: cut.seq };
    },
  );

  app.get(
    '/v1/experiments/:id/state',
    {
      schema: {
        summary: 'The states behind the experiment: the pooled one and, in Phase II, one per group',
        tags: ['experiments'],
        params: idParams,
        response: { 200: anyObject, ...err4xx },
      },
    },
    async (req) => {
      const r = await mustGet(req);
      const t = tenantOf(req);
      const groups: Record<string, unknown> = {};
      if (r.phase === 2)
        for (const g of GROUPS) groups[g] = await service.state(experimentAgentKey(t, r.id, g));
      return {
        phase: r.phase,
        pooled: await service.state(experimentAgentKey(t, r.id, 'pooled')),
        groups,
      };
    },
  );

  app.get(
    '/v1/experiments/:id/readout',
    {
      schema: {
        summary:
          'Readout from the logs: per group users, decisions, rewards per user, task rates, EI/TD/IU/TE; lift test/control - 1 with a user-level 95% interval; per day',
        tags: ['experiments'],
        params: idParams,
        querystring: readoutQuery,
        response: { 200: anyObject, ...err4xx },
      },
    },
    async (req) => {
      const r = await mustGet(req);
      const t = tenantOf(req);
      const q = req.query as { samples?: string; seed?: string; daySeconds?: string; maxWork?: string };
      const opts = readoutOptions(q);
      // The readout is a pure function of the logs: reuse it while no agent of the experiment logged anything new
      // (the dashboard polls it every few seconds).
      const keys = (['pooled', ...GROUPS] as const).map((w) => experimentAgentKey(t, r.id, w));
      if (r.pre !== undefined) keys.push(`${t}/${r.pre.agent}`);
      const seqs = await Promise.all(keys.map((k) => store.lastSeq(k)));
      const cacheKey = JSON.stringify([r, opts, seqs]);
      const cacheId = `${t}/${r.id}`;
      const hit = readoutCache.get(cacheId);
      if (hit !== undefined && hit.key === cacheKey) return hit.value;
      const value = await experimentReadout(store, t, r.id, opts);
      readoutCache.set(cacheId, { key: cacheKey, value });
      if (readoutCache.size > 100) readoutCache.delete(readoutCache.keys().next().value as string);
      return value;
    },
  );
}

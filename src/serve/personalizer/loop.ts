/**
 * Personalizer loops over allot's agent service: a loop is an agent of policy type `personalizer`; a rank is a
 * logged decision (context = the request's JSON features, propensity = the exact epsilon-greedy probability); a
 * reward joins it by event id through the store's idempotent log; the agent service folds the log into the model.
 *
 * Personalizer's semantics, per its REST reference:
 * - `rewardWaitTime`: a reward later than this after the rank (after the activation for deferred events) is not
 *   learned; an event without a reward by then learns `defaultReward` (the sweep appends it).
 * - `deferActivation`: the event is not learned, and its rewards are ignored, until it is activated; an event
 *   never activated within `rewardWaitTime` is closed unlearned.
 * - `rewardAggregation`: `earliest` learns the first reward at once (later ones change nothing); `average` keeps
 *   every reward of the wait time and learns their mean when it ends. A multi-slot event is learned when every slot
 *   has its reward (earliest) or when the wait time ends (missing slots get the default reward).
 * - `learningMode`: Online explores and learns; Apprentice returns the baseline action and learns from it;
 *   LoggingOnly returns the baseline and learns nothing.
 */
import { randomUUID } from 'node:crypto';
import type { AgentRuntime } from '../../bandits/agent/index.js';
import {
  decidePersonalizer,
  PERSONALIZER_MAX_ACTIONS,
  type PersonalizerAction,
  type PersonalizerContext,
  type PersonalizerModel,
  type PersonalizerSlot,
  validatePersonalizerFeatures,
} from '../../bandits/agent/personalizer.js';
import { eventRng } from '../../bandits/agent/runtime.js';
import { AllotError, isAllotError } from '../../core/errors.js';
import type { DecisionEntry, RewardEntry } from '../../store/store.js';
import type { AgentService } from '../agent-service.js';
import {
  CONFIG_RECORD,
  defaultServiceConfiguration,
  durationSeconds,
  mergeServiceConfiguration,
  type ServiceConfiguration,
} from './config.js';
import { PersonalizerError } from './errors.js';

/** Record kind of activations of deferred events (`{ts}` by `agentKey \0 eventId`). */
export const ACTIVATION_RECORD = 'personalizer-activation';
/** Record kind of rewards waiting for aggregation (`{slots: {slotId: number[]}}` by `agentKey \0 eventId`). */
export const PENDING_RECORD = 'personalizer-pending';

/** A rank reply (201). */
export interface RankReply {
  readonly ranking: ReadonlyArray<{ readonly id: string; readonly probability: number }>;
  readonly eventId: string;
  readonly rewardActionId: string;
}

/** A multi-slot rank reply (201). */
export interface MultiSlotRankReply {
  readonly slots: ReadonlyArray<{
    readonly id: string;
    readonly rewardActionId: string;
    readonly probability: number;
  }>;
  readonly eventId: string;
}

/** The loops of one app. */
export interface PersonalizerLoops {
  /** Makes sure the loop's agent exists (created with Personalizer's defaults) and is a personalizer agent. */
  ensure(key: string): Promise<void>;
  rank(key: string, body: unknown): Promise<RankReply>;
  multiSlotRank(key: string, body: unknown): Promise<MultiSlotRankReply>;
  reward(key: string, eventId: string, body: unknown): Promise<void>;
  multiSlotReward(key: string, eventId: string, body: unknown): Promise<void>;
  activate(key: string, eventId: string, multiSlot: boolean): Promise<void>;
  getConfiguration(key: string): Promise<ServiceConfiguration>;
  putConfiguration(key: string, body: unknown): Promise<ServiceConfiguration>;
  /** The model as JSON: the agent config, the additive statistics and the service configuration. */
  exportModel(key: string): Promise<Record<string, unknown>>;
  resetModel(key: string): Promise<void>;
  deleteLogs(key: string): Promise<void>;
  /** Closes events whose wait time ended (default rewards, averages, unactivated events); returns how many. */
  sweep(): Promise<number>;
}

const badRank = (m: string): never => {
  throw new PersonalizerError(400, 'InvalidRankRequest', m);
};
const badReward = (m: string): never => {
  throw new PersonalizerError(400, 'InvalidRewardRequest', m);
};
const notFound = (m: string): never => {
  throw new PersonalizerError(404, 'ResourceNotFound', m);
};

const ID_MAX = 256;

function checkId(v: unknown, where: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > ID_MAX)
    badRank(`${where} must be a string of 1 to ${ID_MAX} characters (got ${JSON.stringify(v)})`);
  return v as string;
}

function featureList(v: unknown, where: string): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  try {
    validatePersonalizerFeatures(v, where);
  } catch (e) {
    if (isAllotError(e)) badRank(e.message);
    throw e;
  }
  return v as Record<string, unknown>[];
}

/** Validates a rank or multi-slot rank body into a decision context (without mode and epsilon). */
function parseRank(
  body: unknown,
  multiSlot: boolean,
): {
  contextFeatures: Record<string, unknown>[];
  actions: PersonalizerAction[];
  excludedActions: string[];
  slots: PersonalizerSlot[] | undefined;
  eventId: string | undefined;
  deferred: boolean;
} {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    badRank('the request must be a JSON object');
  const b = body as Record<string, unknown>;
  const known = multiSlot
    ? ['contextFeatures', 'actions', 'slots', 'eventId', 'deferActivation']
    : ['contextFeatures', 'actions', 'excludedActions', 'eventId', 'deferActivation'];
  for (const k of Object.keys(b))
    if (!known.includes(k)) badRank(`unknown field ${JSON.stringify(k)} (known: ${known.join(', ')})`);
  const contextFeatures = featureList(b['contextFeatures'], 'contextFeatures');
  const raw = b['actions'];
  if (!Array.isArray(raw) || raw.length === 0)
    badRank('actions must be a non-empty array of {"id", "features"}');
  const list = raw as unknown[];
  if (list.length > PERSONALIZER_MAX_ACTIONS)
    badRank(`actions must hold at most ${PERSONALIZER_MAX_ACTIONS} actions (got ${list.length})`);
  const ids = new Set<string>();
  const actions: PersonalizerAction[] = list.map((a, i) => {
    if (a === null || typeof a !== 'object' || Array.isArray(a)) badRank(`actions[${i}] must be an object`);
    const o = a as Record<string, unknown>;
    for (const k of Object.keys(o))
      if (k !== 'id' && k !== 'features') badRank(`actions[${i}] has an unknown field ${JSON.stringify(k)}`);
    const id = checkId(o['id'], `actions[${i}].id`);
    if (ids.has(id))
      badRank(`actions[${i}].id ${JSON.stringify(id)} appears twice: action ids must be unique`);
    ids.add(id);
    return { id, features: featureList(o['features'], `actions[${i}].features`) };
  });
  const excludedActions: string[] = [];
  const ex = b['excludedActions'];
  if (ex !== undefined && ex !== null) {
    if (!Array.isArray(ex)) badRank('excludedActions must be an array of action ids');
    for (const [i, x] of (ex as unknown[]).entries()) {
      const id = checkId(x, `excludedActions[${i}]`);
      if (!ids.has(id))
        badRank(`excludedActions[${i}] ${JSON.stringify(id)} is not an action of the request`);
      excludedActions.push(id);
    }
    if (new Set(excludedActions).size === ids.size) badRank('every action is excluded');
  }
  let slots: PersonalizerSlot[] | undefined;
  if (multiSlot) {
    const s = b['slots'];
    if (!Array.isArray(s) || s.length === 0)
      badRank('slots must be a non-empty array of {"id", "baselineAction"}');
    const sl = s as unknown[];
    if (sl.length > PERSONALIZER_MAX_ACTIONS)
      badRank(`slots must hold at most ${PERSONALIZER_MAX_ACTIONS} slots (got ${sl.length})`);
    if (sl.length > actions.length)
      badRank(`${sl.length} slots need at least as many actions (got ${actions.length})`);
    const slotIds = new Set<string>();
    const baselines = new Set<string>();
    slots = sl.map((x, i) => {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) badRank(`slots[${i}] must be an object`);
      const o = x as Record<string, unknown>;
      for (const k of Object.keys(o))
        if (!['id', 'features', 'excludedActions', 'baselineAction'].includes(k))
          badRank(`slots[${i}] has an unknown field ${JSON.stringify(k)}`);
      const id = checkId(o['id'], `slots[${i}].id`);
      if (slotIds.has(id)) badRank(`slots[${i}].id ${JSON.stringify(id)} appears twice`);
      slotIds.add(id);
      const baselineAction = checkId(o['baselineAction'], `slots[${i}].baselineAction`);
      if (!ids.has(baselineAction))
        badRank(
          `slots[${i}].baselineAction ${JSON.stringify(baselineAction)} is not an action of the request`,
        );
      if (baselines.has(baselineAction))
        badRank(
          `slots[${i}].baselineAction ${JSON.stringify(baselineAction)} is the baseline of another slot`,
        );
      baselines.add(baselineAction);
      const slotEx: string[] = [];
      if (o['excludedActions'] !== undefined && o['excludedActions'] !== null) {
        if (!Array.isArray(o['excludedActions'])) badRank(`slots[${i}].excludedActions must be an array`);
        for (const [j, e] of (o['excludedActions'] as unknown[]).entries()) {
          const eid = checkId(e, `slots[${i}].excludedActions[${j}]`);
          if (!ids.has(eid)) badRank(`slots[${i}].excludedActions[${j}] is not an action of the request`);
          if (eid === baselineAction) badRank(`slots[${i}].baselineAction must not be excluded`);
          slotEx.push(eid);
        }
      }
      return {
        id,
        features: featureList(o['features'], `slots[${i}].features`),
        baselineAction,
        ...(slotEx.length > 0 ? { excludedActions: slotEx } : {}),
      };
    });
  }
  let eventId: string | undefined;
  if (b['eventId'] !== undefined && b['eventId'] !== null) eventId = checkId(b['eventId'], 'eventId');
  const d = b['deferActivation'];
  if (d !== undefined && d !== null && typeof d !== 'boolean') badRank('deferActivation must be a boolean');
  return { contextFeatures, actions, excludedActions, slots, eventId, deferred: d === true };
}

function modelOf(rt: AgentRuntime): PersonalizerModel {
  const s = rt.policyState as { kind: string; model?: PersonalizerModel };
  if (s.kind !== 'personalizer' || s.model === undefined)
    throw new PersonalizerError(
      400,
      'InvalidRequest',
      `this agent is a ${rt.config.policy.type} agent, not a Personalizer loop (create one with policy type "personalizer")`,
    );
  return s.model;
}

function personalizerOf(d: DecisionEntry): PersonalizerContext {
  const c = d.context?.personalizer;
  if (c === undefined) notFound(`event ${JSON.stringify(d.eventId)} is not a Personalizer event`);
  return c as PersonalizerContext;
}

/** Options of {@link createPersonalizerLoops}. */
export interface PersonalizerLoopsOptions {
  readonly service: AgentService;
  /** Clock in ms. */
  readonly now: () => number;
  /** Called after each rank (metrics). */
  readonly onDecision?: (key: string, seconds: number) => void;
  /** Called after each learned or dropped reward (metrics). */
  readonly onReward?: (key: string, kind: 'applied' | 'late' | 'duplicate' | 'default') => void;
}

/** Creates the loop operations over an agent service. */
export function createPersonalizerLoops(opts: PersonalizerLoopsOptions): PersonalizerLoops {
  const { service, now } = opts;
  const store = service.store;
  const known = new Set<string>();
  const configCache = new Map<string, ServiceConfiguration>();

  const getConfiguration = async (key: string): Promise<ServiceConfiguration> => {
    const cached = configCache.get(key);
    if (cached !== undefined && store.kind !== 'redis') return cached;
    const rec = (await store.getRecord(CONFIG_RECORD, key)) as ServiceConfiguration | null;
    const cfg = rec ?? defaultServiceConfiguration(now());
    configCache.set(key, cfg);
    return cfg;
  };

  const ensure = async (key: string): Promise<void> => {
    if (known.has(key)) return;
    const rec = await store.getAgent(key);
    if (rec === null) {
      await service.putAgent(key, { policy: { type: 'personalizer' }, arms: [] });
      if ((await store.getRecord(CONFIG_RECORD, key)) === null)
        await store.putRecord(CONFIG_RECORD, key, defaultServiceConfiguration(now()));
    } else if (rec.config.policy.type !== 'personalizer') {
      throw new PersonalizerError(
        400,
        'InvalidRequest',
        `agent ${JSON.stringify(key.slice(key.indexOf('/') + 1))} is a ${rec.config.policy.type} agent, not a Personalizer loop`,
      );
    }
    known.add(key);
  };

  const waitMs = (cfg: ServiceConfiguration): number => durationSeconds(cfg.rewardWaitTime) * 1000;

  const decide = async (
    key: string,
    body: unknown,
    multiSlot: boolean,
  ): Promise<{ entry: DecisionEntry; ctx: PersonalizerContext; ranking: RankReply['ranking'] }> => {
    const t0 = performance.now();
    const req = parseRank(body, multiSlot);
    await ensure(key);
    if (req.eventId !== undefined) {
      const prior = await store.getDecision(key, req.eventId);
      if (prior !== null) return replay(prior);
    }
    let rt: AgentRuntime;
    try {
      rt = await service.runtime(key);
    } catch (e) {
      if (!isUnknownAgent(e)) throw e;
      // Deleted through the native API since this process last saw it: create it again, as on a first request.
      known.delete(key);
      await ensure(key);
      rt = await service.runtime(key);
    }
    const model = modelOf(rt);
    const cfg = await getConfiguration(key);
    const eventId = req.eventId ?? randomUUID().replace(/-/g, '');
    const ctx: PersonalizerContext = {
      contextFeatures: req.contextFeatures,
      actions: req.actions,
      ...(req.excludedActions.length > 0 ? { excludedActions: req.excludedActions } : {}),
      ...(req.slots === undefined ? {} : { slots: req.slots }),
      mode: cfg.learningMode,
      epsilon: cfg.explorationPercentage,
      ...(req.deferred ? { deferred: true } : {}),
    };
    let d: ReturnType<typeof decidePersonalizer>;
    try {
      d = decidePersonalizer(model, ctx, eventRng(rt.config.seed, eventId).fork(0));
    } catch (e) {
      if (isAllotError(e)) badRank(e.message);
      throw e;
    }
    const ranking = d.ranking.map((r) => ({ id: req.actions[r.index]!.id, probability: r.probability }));
    const logged: PersonalizerContext = multiSlot ? ctx : { ...ctx, ranking };
    const excluded = new Set(req.excludedActions);
    const entry: DecisionEntry = {
      kind: 'decision',
      eventId,
      ts: now(),
      version: rt.version,
      user: null,
      candidates: req.actions.filter((a) => !excluded.has(a.id)).map((a) => a.id),
      context: { personalizer: logged },
      actions: d.chosen.map((i) => req.actions[i]!.id),
      propensities: d.propensities,
    };
    const res = await store.appendDecision(key, entry);
    if (res === null) notFound('the loop was deleted');
    if (res!.existing !== null) return replay(res!.existing);
    // Fold what was appended, so the agent's counters (GET /v1/agents/{id}, the dashboard) are current.
    await service.runtime(key);
    opts.onDecision?.(key, (performance.now() - t0) / 1000);
    return { entry, ctx: logged, ranking };
  };

  const replay = (prior: DecisionEntry) => {
    const ctx = personalizerOf(prior);
    const ranking = (ctx as PersonalizerContext & { ranking?: RankReply['ranking'] }).ranking ?? [];
    return { entry: prior, ctx, ranking };
  };

  /** Appends the event's (aggregated) reward; returns false when the event already had one. */
  const close = async (
    key: string,
    d: DecisionEntry,
    reward: number[],
    applied: boolean,
    isDefault: boolean,
  ): Promise<boolean> => {
    const entry: RewardEntry = {
      kind: 'reward',
      eventId: d.eventId,
      ts: now(),
      reward,
      cost: null,
      applied,
      isDefault,
      decision: d,
    };
    const res = await store.appendReward(key, entry);
    if (res === null || res.duplicate) return false;
    await store.deleteRecord(PENDING_RECORD, `${key}\u0000${d.eventId}`).catch(() => false);
    // Learn it before the reply: a reward acknowledged is a reward in the model.
    await service.runtime(key);
    opts.onReward?.(key, isDefault ? 'default' : applied ? 'applied' : 'late');
    return true;
  };

  /** The start of an event's wait time (its activation for deferred events; null when not activated). */
  const startOf = async (key: string, d: DecisionEntry, ctx: PersonalizerContext): Promise<number | null> => {
    if (ctx.deferred !== true) return d.ts;
    const a = (await store.getRecord(ACTIVATION_RECORD, `${key}\u0000${d.eventId}`)) as { ts: number } | null;
    return a === null ? null : a.ts;
  };

  const slotRewards = async (
    key: string,
    eventId: string,
    values: Array<{ slot: number; value: number }>,
  ): Promise<void> => {
    await ensure(key);
    const d = await store.getDecision(key, eventId);
    if (d === null) notFound(`no rank of this loop has eventId ${JSON.stringify(eventId)}`);
    const dec = d as DecisionEntry;
    const ctx = personalizerOf(dec);
    if (ctx.reset === true) notFound(`no rank of this loop has eventId ${JSON.stringify(eventId)}`);
    const cfg = await getConfiguration(key);
    const start = await startOf(key, dec, ctx);
    if (start === null) return; // not activated: Personalizer ignores the reward
    const slots = dec.actions.length;
    const t = now();
    if (t - start > waitMs(cfg)) {
      // The wait time is over: the event gets its default reward (if the sweep has not closed it yet).
      await closeDue(key, dec, ctx, cfg);
      opts.onReward?.(key, 'late');
      return;
    }
    if (cfg.rewardAggregation === 'earliest' && slots === 1) {
      const done = await close(key, dec, [values[0]!.value], true, false);
      if (!done) opts.onReward?.(key, 'duplicate');
      return;
    }
    const pk = `${key}\u0000${eventId}`;
    const pending = ((await store.getRecord(PENDING_RECORD, pk)) as {
      slots: Record<string, number[]>;
    } | null) ?? {
      slots: {},
    };
    for (const { slot, value } of values) {
      const k = String(slot);
      const list = pending.slots[k] ?? [];
      if (cfg.rewardAggregation === 'earliest' && list.length > 0) continue;
      list.push(value);
      pending.slots[k] = list;
    }
    const complete = Array.from(
      { length: slots },
      (_, s) => (pending.slots[String(s)]?.length ?? 0) > 0,
    ).every(Boolean);
    if (cfg.rewardAggregation === 'earliest' && complete) {
      await close(
        key,
        dec,
        Array.from({ length: slots }, (_, s) => pending.slots[String(s)]![0]!),
        true,
        false,
      );
      return;
    }
    await store.putRecord(PENDING_RECORD, pk, pending);
  };

  /** Closes an event whose wait time ended: aggregated rewards, default for missing slots, unlearned if unactivated. */
  const closeDue = async (
    key: string,
    d: DecisionEntry,
    ctx: PersonalizerContext,
    cfg: ServiceConfiguration,
  ): Promise<boolean> => {
    const slots = d.actions.length;
    if (ctx.reset === true) return close(key, d, [], false, false);
    const start = await startOf(key, d, ctx);
    if (start === null)
      return close(
        key,
        d,
        d.actions.map(() => 0),
        false,
        false,
      );
    const pending = (await store.getRecord(PENDING_RECORD, `${key}\u0000${d.eventId}`)) as {
      slots: Record<string, number[]>;
    } | null;
    const reward: number[] = [];
    let any = false;
    for (let s = 0; s < slots; s++) {
      const list = pending?.slots[String(s)] ?? [];
      if (list.length === 0) reward.push(cfg.defaultReward);
      else {
        any = true;
        reward.push(
          cfg.rewardAggregation === 'average' ? list.reduce((a, b) => a + b, 0) / list.length : list[0]!,
        );
      }
    }
    return close(key, d, reward, true, !any);
  };

  const checkValue = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < -1 || v > 1)
      badReward(`${where} must be a number in [-1, 1] (got ${JSON.stringify(v)})`);
    return v as number;
  };

  return {
    ensure,
    async rank(key, body) {
      const { entry, ranking } = await decide(key, body, false);
      return { ranking, eventId: entry.eventId, rewardActionId: entry.actions[0]! };
    },
    async multiSlotRank(key, body) {
      const { entry, ctx } = await decide(key, body, true);
      const slots = ctx.slots ?? [];
      return {
        slots: slots.map((s, i) => ({
          id: s.id,
          rewardActionId: entry.actions[i]!,
          probability: entry.propensities[i]!,
        })),
        eventId: entry.eventId,
      };
    },
    async reward(key, eventId, body) {
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        badReward('the reward must be a JSON object {"value": number}');
      const b = body as Record<string, unknown>;
      for (const k of Object.keys(b))
        if (k !== 'value') badReward(`unknown field ${JSON.stringify(k)} (known: value)`);
      const value = checkValue(b['value'], 'value');
      const d = await store.getDecision(key, eventId);
      if (d !== null && (personalizerOf(d).slots?.length ?? 0) > 0)
        badReward(
          `event ${JSON.stringify(eventId)} is a multi-slot event: use multislot/events/{eventId}/reward`,
        );
      await slotRewards(key, eventId, [{ slot: 0, value }]);
    },
    async multiSlotReward(key, eventId, body) {
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        badReward('the reward must be a JSON object {"reward": [{"slotId", "value"}]}');
      const b = body as Record<string, unknown>;
      for (const k of Object.keys(b))
        if (k !== 'reward') badReward(`unknown field ${JSON.stringify(k)} (known: reward)`);
      const list = b['reward'];
      if (!Array.isArray(list) || list.length === 0)
        badReward('reward must be a non-empty array of {"slotId", "value"}');
      await ensure(key);
      const d = await store.getDecision(key, eventId);
      if (d === null) notFound(`no rank of this loop has eventId ${JSON.stringify(eventId)}`);
      const slots = personalizerOf(d as DecisionEntry).slots;
      if (slots === undefined)
        badReward(`event ${JSON.stringify(eventId)} is not a multi-slot event: use events/{eventId}/reward`);
      const seen = new Set<number>();
      const values = (list as unknown[]).map((r, i) => {
        if (r === null || typeof r !== 'object' || Array.isArray(r))
          badReward(`reward[${i}] must be an object`);
        const o = r as Record<string, unknown>;
        for (const k of Object.keys(o))
          if (k !== 'slotId' && k !== 'value')
            badReward(`reward[${i}] has an unknown field ${JSON.stringify(k)}`);
        const slot = slots!.findIndex((s) => s.id === o['slotId']);
        if (slot < 0)
          badReward(`reward[${i}].slotId ${JSON.stringify(o['slotId'])} is not a slot of the event`);
        if (seen.has(slot)) badReward(`reward[${i}].slotId ${JSON.stringify(o['slotId'])} appears twice`);
        seen.add(slot);
        return { slot, value: checkValue(o['value'], `reward[${i}].value`) };
      });
      await slotRewards(key, eventId, values);
    },
    async activate(key, eventId, multiSlot) {
      await ensure(key);
      const d = await store.getDecision(key, eventId);
      if (d === null)
        throw new PersonalizerError(
          404,
          'ResourceNotFound',
          `no rank of this loop has eventId ${JSON.stringify(eventId)}`,
        );
      const ctx = personalizerOf(d as DecisionEntry);
      if ((ctx.slots !== undefined) !== multiSlot)
        throw new PersonalizerError(
          400,
          'InvalidEventIdToActivate',
          `event ${JSON.stringify(eventId)} is ${multiSlot ? 'not ' : ''}a multi-slot event`,
        );
      if (ctx.deferred !== true) return;
      const rk = `${key}\u0000${eventId}`;
      if ((await store.getRecord(ACTIVATION_RECORD, rk)) === null)
        await store.putRecord(ACTIVATION_RECORD, rk, { ts: now() });
    },
    getConfiguration: async (key) => {
      await ensure(key);
      return getConfiguration(key);
    },
    async putConfiguration(key, body) {
      await ensure(key);
      const next = mergeServiceConfiguration(await getConfiguration(key), body, now());
      await store.putRecord(CONFIG_RECORD, key, next);
      configCache.set(key, next);
      return next;
    },
    async exportModel(key) {
      await ensure(key);
      const rt = await service.runtime(key);
      modelOf(rt);
      return {
        format: 'allot-personalizer-model/1',
        agentId: key.slice(key.indexOf('/') + 1),
        config: rt.config,
        serviceConfiguration: await getConfiguration(key),
        state: await service.state(key),
      };
    },
    async resetModel(key) {
      await ensure(key);
      const rt = await service.runtime(key);
      modelOf(rt);
      // The reset is a log entry, so replaying the log rebuilds the reset model too.
      const marker: DecisionEntry = {
        kind: 'decision',
        eventId: `reset-${randomUUID()}`,
        ts: now(),
        version: rt.version,
        user: null,
        candidates: [],
        context: {
          personalizer: { contextFeatures: [], actions: [], mode: 'LoggingOnly', epsilon: 0, reset: true },
        },
        actions: [],
        propensities: [],
      };
      const res = await store.appendDecision(key, marker);
      if (res === null) notFound('the loop was deleted');
      await close(key, marker, [], false, false);
      await service.runtime(key);
    },
    async deleteLogs(key) {
      await ensure(key);
      const rec = await store.getAgent(key);
      if (rec === null) notFound('the loop was deleted');
      const state = await service.state(key);
      const cfg = await getConfiguration(key);
      // The log is allot's source of truth: deleting it keeps the model as a snapshot the new log starts from.
      await service.deleteAgent(key);
      await service.putAgent(key, rec!.config);
      await store.saveSnapshot(key, { seq: 0, state });
      await store.putRecord(CONFIG_RECORD, key, cfg);
      known.delete(key);
    },
    async sweep() {
      let n = 0;
      const keys = new Set(known);
      for (const key of keys) {
        let cfg: ServiceConfiguration;
        try {
          cfg = await getConfiguration(key);
        } catch {
          continue;
        }
        const t = now();
        const due = await store.pendingDecisions(key, t - waitMs(cfg), 500);
        for (const d of due) {
          const ctx = d.context?.personalizer;
          if (ctx === undefined) continue;
          if (ctx.deferred === true && ctx.reset !== true) {
            const start = await startOf(key, d, ctx);
            if (start !== null && t - start <= waitMs(cfg)) continue;
          }
          if (await closeDue(key, d, ctx, cfg)) n++;
        }
      }
      return n;
    },
  };
}

/** True when an error means the loop's agent does not exist. */
export function isUnknownAgent(e: unknown): boolean {
  return e instanceof AllotError && e.code === 'ALLOT_UNKNOWN_AGENT';
}

/**
 * @module
 * An Azure AI Personalizer-compatible surface of `allot serve` (Personalizer was retired on 2026-10-01): the
 * official clients work unchanged once their endpoint points at allot. Routes live at the server root,
 * `/personalizer/v1.0/...` and `/personalizer/v1.1-preview.3/...` (the clients drop any path of the endpoint), and at
 * `/compat/{agentId}/personalizer/...` for clients that keep endpoint paths. Errors have Personalizer's shape.
 *
 * The loop reached is, in order: the `{agentId}` of a compat path; with `--auth`, the `personalizer` field of the
 * token entry of the key sent in `Ocp-Apim-Subscription-Key`; the loop of `allot serve --personalizer AGENT`
 * (default `personalizer`). A loop that does not exist is created with Personalizer's defaults.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServeContext, ServePlugin } from '../app.js';
import { lookupToken } from '../auth.js';
import { PersonalizerError, toPersonalizerError } from './errors.js';
import { createEvaluation, deleteEvaluation, getEvaluation, listEvaluations } from './evaluations.js';
import { createPersonalizerLoops, type PersonalizerLoops } from './loop.js';

export {
  defaultServiceConfiguration,
  durationSeconds,
  formatDuration,
  mergeServiceConfiguration,
  type ServiceConfiguration,
} from './config.js';
export { PersonalizerError, type PersonalizerErrorBody, toPersonalizerError } from './errors.js';
export {
  createPersonalizerLoops,
  type MultiSlotRankReply,
  type PersonalizerLoops,
  type PersonalizerLoopsOptions,
  type RankReply,
} from './loop.js';

/** The loop used when none is named (no `--personalizer`, no token entry field, no compat path). */
export const DEFAULT_PERSONALIZER_LOOP = 'personalizer';

/** Runtime settings of the compat surface of one app ({@link configurePersonalizer}). */
export interface PersonalizerSettings {
  /** The loop of `allot serve --personalizer AGENT`. */
  loop: string;
  /** Clock in ms (tests inject one). */
  now: () => number;
  /** Whether the background sweep (every second) closes events whose wait time ended (tests turn it off). */
  sweep: boolean;
  /** The loops (rank, reward, sweep, ...). */
  readonly loops: PersonalizerLoops;
}

declare module 'fastify' {
  interface FastifyInstance {
    personalizer: PersonalizerSettings;
  }
  interface FastifyContextConfig {
    /** The Personalizer code of a 400 on this route. */
    badRequest?: string;
  }
}

/**
 * Sets the default loop (and, in tests, the clock) of an app created with the compat plugin registered.
 *
 * @param app - from createApp.
 * @param o - `loop`: the agent id of `--personalizer`; `now`: a clock in ms; `sweep`: run the background sweep.
 * @throws PersonalizerError 400 for a loop name that is not an agent id.
 */
export function configurePersonalizer(
  app: FastifyInstance,
  o: { loop?: string; now?: () => number; sweep?: boolean },
): void {
  if (o.sweep !== undefined) app.personalizer.sweep = o.sweep;
  if (o.loop !== undefined) {
    if (!AGENT_ID.test(o.loop))
      throw new PersonalizerError(
        400,
        'BadRequest',
        `--personalizer must be an agent id [A-Za-z0-9._-]{1,128} (got ${JSON.stringify(o.loop)})`,
      );
    app.personalizer.loop = o.loop;
  }
  if (o.now !== undefined) app.personalizer.now = o.now;
}

const AGENT_ID = /^[A-Za-z0-9._-]{1,128}$/;
const VERSIONS = ['v1.0', 'v1.1-preview.3'] as const;
/** Interval of the sweep that closes events whose reward wait time ended. */
const SWEEP_MS = 1000;

function subscriptionKey(req: FastifyRequest): string | undefined {
  const k = req.headers['ocp-apim-subscription-key'];
  if (typeof k === 'string' && k.length > 0) return k;
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

/**
 * The route plugin (register it with `registerServePlugin` before createApp; src/serve/index.ts does).
 */
export const personalizerPlugin: ServePlugin = async (app: FastifyInstance, ctx: ServeContext) => {
  const settings: PersonalizerSettings = {
    loop: DEFAULT_PERSONALIZER_LOOP,
    now: Date.now,
    sweep: true,
    loops: createPersonalizerLoops({
      service: ctx.service,
      now: () => settings.now(),
      onDecision: (k, s) => ctx.metrics.events.decision?.(k, s),
      onReward: (k, kind) => ctx.metrics.events.reward?.(k, kind),
    }),
  };
  app.decorate('personalizer', settings);
  const loops = settings.loops;

  /** The loop's agent key for a request (after auth). */
  const loopKey = (req: FastifyRequest): string => {
    const fromPath = (req.params as { agentId?: string }).agentId;
    if (fromPath !== undefined) {
      if (!AGENT_ID.test(fromPath))
        throw new PersonalizerError(400, 'BadRequest', `agentId must match [A-Za-z0-9._-]{1,128}`);
      return ctx.agentKey(req, fromPath);
    }
    const fromToken = (req as FastifyRequest & { personalizerLoop?: string }).personalizerLoop;
    return ctx.agentKey(req, fromToken ?? settings.loop);
  };

  await app.register(async (child) => {
    // The v1.0 client sends activate with `Content-Type: application/json` and no body: an empty JSON body is {}.
    const json = child.getDefaultJsonParser('error', 'error');
    child.removeContentTypeParser('application/json');
    child.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
      if (body === '' || (typeof body === 'string' && body.trim() === '')) done(null, {});
      else json(req, body as string, done);
    });
    child.setErrorHandler((err, req, reply) => {
      const code =
        (req.routeOptions.config as { badRequest?: string } | undefined)?.badRequest ?? 'BadRequest';
      const { status, body } = toPersonalizerError(err, code);
      if (status === 503) ctx.metrics.events.storeError?.('personalizer');
      reply.code(status).send(body);
    });
    child.addHook('onRequest', async (req) => {
      if (ctx.auth === null) return;
      const entry = lookupToken(ctx.auth, subscriptionKey(req));
      if (entry === null)
        throw new PersonalizerError(
          401,
          '401',
          'Access denied due to invalid subscription key (send it in Ocp-Apim-Subscription-Key).',
        );
      req.tenant = entry.tenant;
      if (entry.personalizer !== undefined)
        (req as FastifyRequest & { personalizerLoop?: string }).personalizerLoop = entry.personalizer;
    });

    const routes = (prefix: string): void => {
      const post = (
        path: string,
        badRequest: string,
        status: number,
        fn: (req: FastifyRequest, key: string) => Promise<unknown>,
      ): void => {
        child.post(
          `${prefix}${path}`,
          { config: { badRequest }, schema: { hide: prefix.startsWith('/compat'), tags: ['personalizer'] } },
          async (req: FastifyRequest, reply: FastifyReply) => {
            const out = await fn(req, loopKey(req));
            reply.code(status);
            return status === 204 ? reply.send() : out;
          },
        );
      };
      const ev = (req: FastifyRequest): string => {
        const id = (req.params as { eventId: string }).eventId;
        if (id.length === 0 || id.length > 256)
          throw new PersonalizerError(400, 'BadRequest', 'eventId must have 1 to 256 characters');
        return id;
      };
      post('/rank', 'InvalidRankRequest', 201, (req, key) => loops.rank(key, req.body));
      post('/events/:eventId/reward', 'InvalidRewardRequest', 204, (req, key) =>
        loops.reward(key, ev(req), req.body),
      );
      post('/events/:eventId/activate', 'InvalidEventIdToActivate', 204, (req, key) =>
        loops.activate(key, ev(req), false),
      );
      post('/multislot/rank', 'InvalidRankRequest', 201, (req, key) => loops.multiSlotRank(key, req.body));
      post('/multislot/events/:eventId/reward', 'InvalidRewardRequest', 204, (req, key) =>
        loops.multiSlotReward(key, ev(req), req.body),
      );
      post('/multislot/events/:eventId/activate', 'InvalidEventIdToActivate', 204, (req, key) =>
        loops.activate(key, ev(req), true),
      );
      const opts = (badRequest: string) => ({
        config: { badRequest },
        schema: { hide: prefix.startsWith('/compat'), tags: ['personalizer'] },
      });
      child.get(`${prefix}/configurations/service`, opts('InvalidServiceConfiguration'), async (req) =>
        loops.getConfiguration(loopKey(req)),
      );
      child.put(`${prefix}/configurations/service`, opts('InvalidServiceConfiguration'), async (req) =>
        loops.putConfiguration(loopKey(req), req.body),
      );
      child.get(`${prefix}/configurations/policy`, opts('BadRequest'), async (req) => {
        const m = (await loops.exportModel(loopKey(req))) as { config: { policy: Record<string, unknown> } };
        const p = m.config.policy;
        return {
          name: 'allot personalizer',
          arguments: `--cb_explore_adf --epsilon-greedy --bits ${p['bits']} --lambda ${p['lambda']} --interactions ${p['interactions']}`,
        };
      });
      child.get(`${prefix}/model`, opts('BadRequest'), async (req) => loops.exportModel(loopKey(req)));
      child.delete(`${prefix}/model`, opts('ModelResetFailed'), async (req, reply) => {
        await loops.resetModel(loopKey(req));
        return reply.code(204).send();
      });
      child.post(`${prefix}/evaluations`, opts('InvalidEvaluationContract'), async (req, reply) => {
        const key = loopKey(req);
        const cfg = await loops.getConfiguration(key);
        const ev = await createEvaluation(
          ctx.service,
          key,
          req.body,
          cfg.explorationPercentage,
          settings.now(),
        );
        reply.code(201);
        return ev;
      });
      child.get(`${prefix}/evaluations`, opts('BadRequest'), async (req) => {
        const key = loopKey(req);
        await loops.ensure(key);
        return listEvaluations(ctx.service, key);
      });
      child.get(`${prefix}/evaluations/:evaluationId`, opts('BadRequest'), async (req) =>
        getEvaluation(ctx.service, loopKey(req), (req.params as { evaluationId: string }).evaluationId),
      );
      child.delete(`${prefix}/evaluations/:evaluationId`, opts('BadRequest'), async (req, reply) => {
        await deleteEvaluation(
          ctx.service,
          loopKey(req),
          (req.params as { evaluationId: string }).evaluationId,
        );
        return reply.code(204).send();
      });
      child.delete(`${prefix}/logs`, opts('BadRequest'), async (req, reply) => {
        await loops.deleteLogs(loopKey(req));
        return reply.code(204).send();
      });
    };
    for (const v of VERSIONS) {
      routes(`/personalizer/${v}`);
      routes(`/compat/:agentId/personalizer/${v}`);
    }
  });

  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping || !settings.sweep) return;
    sweeping = true;
    loops
      .sweep()
      .catch(() => ctx.metrics.events.storeError?.('personalizer-sweep'))
      .finally(() => {
        sweeping = false;
      });
  }, SWEEP_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
};

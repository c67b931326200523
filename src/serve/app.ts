/**
 * The HTTP service (Fastify 5): agents (create, decide, reward, state, events), health, OpenAPI and Prometheus
 * metrics, tenant auth, and the dashboard's static files. Every body, query and path parameter is validated by the
 * JSON schemas of ./schemas.ts, which also generate `/openapi.json`; every error is
 * `{"error": {"code", "message"}}` with the status of ./errors.ts (bad input is always 4xx).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AllotError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { type AgentService, createAgentService } from './agent-service.js';
import { DEFAULT_TENANT, lookupToken, type TokenEntry } from './auth.js';
import { toHttpError } from './errors.js';
import { experimentsPlugin } from './experiments.js';
import { createMetrics, type ServeMetrics } from './metrics.js';
import {
  agentParams,
  agentSummary,
  BODY_LIMIT,
  decideBody,
  decideResponse,
  errorSchema,
  eventsQuery,
  MAX_PAGE,
  putAgentBody,
  rewardBody,
  rewardResponse,
  statsQuery,
} from './schemas.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  readonly store: Store;
  /** Token entries (`--auth`); without them every request is tenant `default`. */
  readonly auth?: readonly TokenEntry[];
  /** Clock in ms (tests). */
  readonly now?: () => number;
  /** Replica poll interval in ms for shared stores (default 100; 0 disables). */
  readonly pollMs?: number;
  /** Default-reward sweep interval in ms (default 1000; 0 disables). */
  readonly sweepMs?: number;
  /** Snapshot every this many folded entries (default 1000). */
  readonly snapshotEvery?: number;
  /** Serve the dashboard from web/dist when it is built (default true). */
  readonly web?: boolean;
  /** Folder of `allot reproduce` outputs shown by the dashboard (default out/reproduce). */
  readonly reportsDir?: string;
  /** Request body limit in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
}

/** What route plugins (experiments, Personalizer compat) share. */
export interface ServeContext {
  readonly service: AgentService;
  readonly metrics: ServeMetrics;
  readonly auth: readonly TokenEntry[] | null;
  /** The namespaced store id of an agent for this request's tenant. */
  agentKey(req: FastifyRequest, agentId: string): string;
  /** The tenant of a request (after the auth hook). */
  tenant(req: FastifyRequest): string;
  /** The service's clock in ms (the app's `now` option; tests inject one). */
  now(): number;
}

declare module 'fastify' {
  interface FastifyInstance {
    allot: ServeContext;
  }
  interface FastifyRequest {
    tenant: string;
    /** The JSON body's text as received (null without a JSON body). */
    bodyText: string | null;
  }
}

/** Route plugins registered after the core routes (experiments, compat); each receives the shared context. */
export type ServePlugin = (app: FastifyInstance, ctx: ServeContext) => Promise<void> | void;

const plugins: ServePlugin[] = [experimentsPlugin];

/** Registers a route plugin for every app created afterwards (src/serve/index.ts wires the built-in ones). */
export function registerServePlugin(p: ServePlugin): void {
  if (!plugins.includes(p)) plugins.push(p);
}

const bearer = (req: FastifyRequest): string | undefined => {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
};

/**
 * Whether a JSON text could hold a key `__proto__` or `constructor`: only if it has one of them literally or a
 * `\u` escape (JSON's other escapes, \" \\ \/ \b \f \n \r \t, make no letter or underscore). A text for which
 * this is false needs no prototype-poisoning scan.
 */
export function mayPoisonPrototype(text: string): boolean {
  return text.includes('\\u') || text.includes('__proto__') || text.includes('constructor');
}

/**
 * Builds the app (not listening). Close it with `app.close()`; the store is the caller's to close.
 */
export async function createApp(opts: AppOptions): Promise<FastifyInstance> {
  const metrics = createMetrics();
  const service = createAgentService({
    store: opts.store,
    ...(opts.now === undefined ? {} : { now: opts.now }),
    ...(opts.snapshotEvery === undefined ? {} : { snapshotEvery: opts.snapshotEvery }),
    events: metrics.events,
  });
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? BODY_LIMIT,
    return503OnClosing: true,
    // Agent ids are at most 128 characters (the params schema answers 400 beyond); the router's limit sits above.
    routerOptions: { maxParamLength: 512 },
    // Router errors (bad percent-encoding, over-long path parameters) in the service's error format, not Fastify's.
    frameworkErrors: (err, _req, reply) => {
      sendError(reply as FastifyReply, err);
    },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  const auth = opts.auth && opts.auth.length > 0 ? opts.auth : null;
  const ctx: ServeContext = {
    service,
    metrics,
    auth,
    tenant: (req) => req.tenant ?? DEFAULT_TENANT,
    agentKey: (req, agentId) => `${req.tenant ?? DEFAULT_TENANT}/${agentId}`,
    now: opts.now ?? Date.now,
  };
  // JSON only: a text/plain body is 415, not a string handed to the schema.
  app.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser (same limits, same prototype-poisoning checks), keeping the text on the request: a
  // decide logs its request's text instead of serialising the context again (REQUEST_JSON in src/store/store.ts).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    // A byte-order mark is not JSON: Fastify's parser skips it, and so does the text a store logs or keeps.
    const raw = body as string;
    const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    req.bodyText = text;
    if (!mayPoisonPrototype(text)) {
      // No key of this text can be __proto__ or constructor: Fastify's checks (two regular expressions over the
      // whole text, ~5 % of a 10 kB LinUCB decide) have nothing to find, and JSON.parse gives the same value.
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        // Not JSON (or empty): Fastify's parser reports it, with its own code and message.
        return parseJson(req, text, done);
      }
      return done(null, value);
    }
    parseJson(req, text, done);
  });
  app.decorateRequest('bodyText', null);
  app.decorate('allot', ctx);
  app.decorateRequest('tenant', DEFAULT_TENANT);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'allot decision service',
        version: '1',
        description:
          'Decide, log with propensities, join rewards by event id, learn. Errors are {"error": {"code", "message"}}; codes in docs/errors.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(auth ? { security: [{ bearer: [] }] } : {}),
    },
  });
  app.addSchema(errorSchema);

  app.setErrorHandler((err, _req, reply) => {
    const { status, body } = toHttpError(err);
    if (status === 503) metrics.events.storeError?.('request');
    reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      error: { code: 'ALLOT_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` },
    });
  });

  // Callback-style hooks (no promise per request), and the auth hook only when there are tokens: these run on
  // every request, and the decide route's budget is a few tens of microseconds.
  if (auth !== null) {
    app.addHook('onRequest', (req, _reply, done) => {
      if (!req.url.startsWith('/v1/')) return done();
      const entry = lookupToken(auth, bearer(req));
      if (entry === null) {
        return done(
          new AllotError('ALLOT_UNAUTHORIZED', 'missing or unknown API token (Authorization: Bearer TOKEN)'),
        );
      }
      req.tenant = entry.tenant;
      done();
    });
  }
  app.addHook('onResponse', (req, reply, done) => {
    // Fastify's own clock (started when the request arrived) measures the latency.
    metrics.observeHttp(
      req.method,
      req.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  // A POST without a body is an empty object (decide needs nothing).
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.method === 'POST' && req.body === undefined) (req as { body: unknown }).body = {};
    done();
  });

  const err4xx = { 400: { $ref: 'Error#' }, 401: { $ref: 'Error#' }, 404: { $ref: 'Error#' } };
  const key = (req: FastifyRequest): string => ctx.agentKey(req, (req.params as { agentId: string }).agentId);

  const health = { type: 'object', properties: { status: { type: 'string' } } } as const;
  app.get(
    '/healthz',
    { schema: { summary: 'Liveness and store health', response: { 200: health, 503: health } } },
    async (_req, reply) => {
      try {
        await opts.store.ping();
        return { status: 'ok' };
      } catch (e) {
        reply.code(503);
        return { status: `store unavailable: ${(e as Error).message}` };
      }
    },
  );
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text exposition format)' } },
    async (_req, reply) => {
      await service.lag().catch(() => metrics.events.storeError?.('lag'));
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );

  app.get(
    '/v1/agents',
    {
      schema: {
        summary: "List this tenant's agents",
        tags: ['agents'],
        response: {
          200: { type: 'object', properties: { agents: { type: 'array', items: agentSummary } } },
          ...err4xx,
        },
      },
    },
    async (req) => ({ agents: await service.listAgents(`${ctx.tenant(req)}/`) }),
  );

  app.put(
    '/v1/agents/:agentId',
    {
      schema: {
        summary: 'Create an agent (201), or confirm the same config is there (200); another config is 409',
        tags: ['agents'],
        params: agentParams,
        body: putAgentBody,
        response: { 200: agentSummary, 201: agentSummary, 409: { $ref: 'Error#' }, ...err4xx },
      },
    },
    async (req, reply) => {
      const { status } = await service.putAgent(key(req), req.body);
      reply.code(status === 'created' ? 201 : 200);
      return service.getAgent(key(req));
    },
  );

  app.get(
    '/v1/agents/:agentId',
    {
      schema: {
        summary: 'An agent: config and counters',
        tags: ['agents'],
        params: agentParams,
        response: { 200: agentSummary, ...err4xx },
      },
    },
    async (req) => service.getAgent(key(req)),
  );

  app.delete(
    '/v1/agents/:agentId',
    {
      schema: {
        summary: 'Delete an agent with its log and state',
        tags: ['agents'],
        params: agentParams,
        response: { 204: { type: 'null' }, ...err4xx },
      },
    },
    async (req, reply) => {
      await service.deleteAgent(key(req));
      reply.code(204).send();
    },
  );

  app.post(
    '/v1/agents/:agentId/decide',
    {
      schema: {
        summary: 'Decide: chosen actions in slot order with the propensity of each (logged before the reply)',
        tags: ['agents'],
        params: agentParams,
        body: decideBody,
        response: { 200: decideResponse, 409: { $ref: 'Error#' }, ...err4xx },
      },
    },
    async (req) =>
      service.decide(
        key(req),
        req.body as Parameters<AgentService['decide']>[1],
        req.bodyText === null ? {} : { requestJson: req.bodyText },
      ),
  );

  app.post(
    '/v1/agents/:agentId/rewards',
    {
      schema: {
        summary:
          'Join a reward to its decision by event id (idempotent; late rewards are logged, not learned)',
        tags: ['agents'],
        params: agentParams,
        body: rewardBody,
        response: { 200: rewardResponse, ...err4xx },
      },
    },
    async (req) => service.reward(key(req), req.body as Parameters<AgentService['reward']>[1]),
  );

  app.get(
    '/v1/agents/:agentId/state',
    {
      schema: {
        summary: 'The additive statistics as plain JSON, with "rewards" (the count folded in)',
        tags: ['agents'],
        params: agentParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...err4xx },
      },
    },
    async (req) => service.state(key(req)),
  );

  app.get(
    '/v1/agents/:agentId/snapshot',
    {
      schema: {
        summary: 'Config and state in one document (input of `allot evaluate` with an agent policy)',
        tags: ['agents'],
        params: agentParams,
        response: { 200: { type: 'object', additionalProperties: true }, ...err4xx },
      },
    },
    async (req) => {
      const agentId = (req.params as { agentId: string }).agentId;
      const rt = await service.runtime(key(req));
      return { agentId, config: rt.config, state: await service.state(key(req)) };
    },
  );

  app.get(
    '/v1/agents/:agentId/events',
    {
      schema: {
        summary: 'Joined log: decisions with their rewards, paged by cursor',
        tags: ['agents'],
        params: agentParams,
        querystring: eventsQuery,
        response: { 200: { type: 'object', additionalProperties: true }, ...err4xx },
      },
    },
    async (req) => {
      const q = req.query as { after?: string; limit?: string };
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (limit < 1 || limit > MAX_PAGE)
        throw new AllotError('ALLOT_OUT_OF_RANGE', `limit must be in [1, ${MAX_PAGE}] (got ${limit})`);
      const page = await service.events(key(req), q.after === undefined ? 0 : Number(q.after), limit);
      return { events: page.events.map(joinedRow), next: page.next === null ? null : String(page.next) };
    },
  );

  app.get(
    '/v1/agents/:agentId/stats',
    {
      schema: {
        summary: 'Dashboard aggregates: reward timeline, per-action counts, position bias, spend',
        tags: ['agents'],
        params: agentParams,
        querystring: statsQuery,
        response: { 200: { type: 'object', additionalProperties: true }, ...err4xx },
      },
    },
    async (req) => {
      const b = (req.query as { buckets?: string }).buckets;
      const buckets = b === undefined ? 60 : Number(b);
      if (buckets < 1 || buckets > 1000)
        throw new AllotError('ALLOT_OUT_OF_RANGE', `buckets must be in [1, 1000] (got ${buckets})`);
      return service.stats(key(req), buckets);
    },
  );

  for (const p of plugins) await p(app, ctx);

  if (opts.web !== false) {
    const webRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));
    const webModule = './web.js';
    if (existsSync(webRoot)) {
      try {
        const mod = (await import(webModule)) as {
          webPlugin?: (a: FastifyInstance, o: { webRoot: string; reportsDir?: string }) => Promise<void>;
        };
        if (mod.webPlugin)
          await mod.webPlugin(app, {
            webRoot,
            ...(opts.reportsDir === undefined ? {} : { reportsDir: opts.reportsDir }),
          });
      } catch (e) {
        if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
      }
    }
  }

  const timers: NodeJS.Timeout[] = [];
  const pollMs = opts.pollMs ?? 100;
  let polling = false;
  if (opts.store.kind === 'redis' && pollMs > 0) {
    timers.push(
      setInterval(() => {
        if (polling) return;
        polling = true;
        service
          .poll()
          .catch(() => metrics.events.storeError?.('poll'))
          .finally(() => {
            polling = false;
          });
      }, pollMs),
    );
  }
  const sweepMs = opts.sweepMs ?? 1000;
  let sweeping = false;
  if (sweepMs > 0) {
    timers.push(
      setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        service
          .sweepDefaults()
          .catch(() => metrics.events.storeError?.('sweep'))
          .finally(() => {
            sweeping = false;
          });
      }, sweepMs),
    );
  }
  for (const t of timers) t.unref();
  app.addHook('onClose', async () => {
    for (const t of timers) clearInterval(t);
    await service.flush().catch(() => metrics.events.storeError?.('flush'));
  });
  return app;
}

/** A joined event as `GET /events` returns it. */
export function joinedRow(e: {
  seq: number;
  decision: import('../store/store.js').DecisionEntry;
  reward: import('../store/store.js').RewardEntry | null;
}): Record<string, unknown> {
  const d = e.decision;
  const r = e.reward;
  return {
    cursor: String(e.seq),
    eventId: d.eventId,
    timestamp: new Date(d.ts).toISOString(),
    version: d.version,
    user: d.user,
    candidates: d.candidates,
    context: d.context,
    actions: d.actions,
    propensities: d.propensities,
    ...(d.group === undefined ? {} : { group: d.group }),
    reward: r === null ? null : r.reward,
    cost: r === null ? null : r.cost,
    rewardTimestamp: r === null ? null : new Date(r.ts).toISOString(),
    applied: r === null ? null : r.applied,
    defaultReward: r === null ? null : r.isDefault,
  };
}

/** Replies with an error body (for plugins that answer outside the error handler). */
export function sendError(reply: FastifyReply, e: unknown): FastifyReply {
  const { status, body } = toHttpError(e);
  return reply.code(status).send(body);
}

/**
 * The JSON schemas of the HTTP API: Fastify validates every body, query and path parameter with them, and the same
 * objects generate the OpenAPI 3 document served at `/openapi.json`.
 */

import { AGENT_POLICY_TYPES } from '../bandits/agent/config.js';

/** Largest request body in bytes (checked before parsing). */
/** A JSON schema object. */
export type Schema = Readonly<Record<string, unknown>>;

export const BODY_LIMIT: number = 1_048_576;
/** Largest page of `GET /events`. */
export const MAX_PAGE: number = 10_000;

const finite = { type: 'number' } as const;
const id = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } as const;
const armId = { type: 'string', minLength: 1, maxLength: 128 } as const;
const numbers = (max: number) => ({ type: 'array', items: finite, maxItems: max }) as const;

/** `{ "error": { "code", "message" } }`. */
export const errorSchema: Schema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/** Path parameters of every agent route. */
export const agentParams: Schema = {
  type: 'object',
  required: ['agentId'],
  properties: { agentId: id },
} as const;

/** Body of `PUT /v1/agents/{agentId}` (parameters are validated by the library, which names the bad field). */
export const putAgentBody: Schema = {
  type: 'object',
  required: ['policy', 'arms'],
  additionalProperties: false,
  properties: {
    policy: {
      type: 'object',
      required: ['type'],
      properties: {
        type: {
          type: 'string',
          enum: [...AGENT_POLICY_TYPES],
        },
      },
      additionalProperties: true,
    },
    // minItems 0: personalizer loops take their actions from each request (others need >= 1, checked by the library).
    arms: { type: 'array', items: armId, minItems: 0, maxItems: 10000 },
    seed: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    rewardWindowSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 31536000 },
    defaultReward: finite,
    budget: { type: 'number', exclusiveMinimum: 0 },
  },
} as const;

/** The per-request context of a decision. */
export const contextSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    features: numbers(4096),
    actions: {
      type: 'object',
      maxProperties: 10000,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { features: numbers(4096), predictions: numbers(64) },
      },
    },
  },
} as const;

/** Body of `POST /v1/agents/{agentId}/decide`. */
export const decideBody: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    eventId: { type: 'string', minLength: 1, maxLength: 256 },
    user: { type: 'string', minLength: 1, maxLength: 256 },
    slots: { type: 'integer', minimum: 1, maximum: 10000 },
    candidates: { type: 'array', items: armId, minItems: 1, maxItems: 10000 },
    context: contextSchema,
  },
} as const;

/** Response of decide. */
export const decideResponse: Schema = {
  type: 'object',
  required: ['eventId', 'actions', 'propensities', 'version'],
  properties: {
    eventId: { type: 'string' },
    actions: { type: 'array', items: { type: 'string' } },
    propensities: { type: 'array', items: { type: 'number' } },
    version: { type: 'integer' },
    group: { type: 'string' },
  },
} as const;

const rewardValue = {
  anyOf: [finite, { type: 'array', items: finite, minItems: 1, maxItems: 10000 }],
} as const;

/** Body of `POST /v1/agents/{agentId}/rewards`. */
export const rewardBody: Schema = {
  type: 'object',
  required: ['eventId', 'reward'],
  additionalProperties: false,
  properties: {
    eventId: { type: 'string', minLength: 1, maxLength: 256 },
    reward: rewardValue,
    cost: rewardValue,
  },
} as const;

/** Response of rewards. */
export const rewardResponse: Schema = {
  type: 'object',
  required: ['eventId', 'applied', 'duplicate'],
  properties: { eventId: { type: 'string' }, applied: { type: 'boolean' }, duplicate: { type: 'boolean' } },
} as const;

/** Agent summary (`GET /v1/agents/{agentId}` and list rows). */
export const agentSummary: Schema = {
  type: 'object',
  required: ['agentId', 'policy', 'decisions', 'rewards', 'version'],
  properties: {
    agentId: { type: 'string' },
    policy: { type: 'object', additionalProperties: true },
    arms: { type: 'array', items: { type: 'string' } },
    seed: { type: 'integer' },
    rewardWindowSeconds: { type: 'number' },
    defaultReward: { type: 'number' },
    budget: { type: 'number' },
    spent: { type: 'number' },
    decisions: { type: 'integer' },
    rewards: { type: 'integer' },
    version: { type: 'integer' },
    createdAt: { type: 'string' },
    lastActivity: { type: ['string', 'null'] },
  },
} as const;

/** Query of `GET /events`: cursors are decimal strings. */
export const eventsQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^[0-9]{1,15}$' },
    limit: { type: 'string', pattern: '^[0-9]{1,6}$' },
  },
} as const;

/** Query of `GET /stats`. */
export const statsQuery: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: { buckets: { type: 'string', pattern: '^[0-9]{1,4}$' } },
} as const;

/**
 * API tokens (`allot serve --auth FILE`): each token belongs to a tenant, and agents are namespaced per tenant
 * (`tenant/agentId` in the store), so one tenant never sees another's agents.
 *
 * The file is JSON: `{"tokens": [{"token": "...", "tenant": "acme", "personalizer"?: "loop-agent-id"}]}`.
 */
import { timingSafeEqual } from 'node:crypto';
import { AllotError } from '../core/errors.js';

/** One token's entry. */
export interface TokenEntry {
  readonly token: string;
  readonly tenant: string;
  /** The Personalizer-compatible loop (agent id) this key reaches (issue: Personalizer compat). */
  readonly personalizer?: string;
}

/** The tenant of requests when the server runs without `--auth`. */
export const DEFAULT_TENANT = 'default';

const TENANT = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Validates parsed auth-file JSON.
 *
 * @throws ALLOT_INVALID_CONFIG naming the bad entry.
 */
export function parseAuth(raw: unknown): TokenEntry[] {
  const tokens = (raw as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new AllotError(
      'ALLOT_INVALID_CONFIG',
      'auth file must be {"tokens": [{"token": "...", "tenant": "..."}, ...]} with at least one token',
    );
  }
  const seen = new Set<string>();
  return tokens.map((t: unknown, i) => {
    const e = t as Record<string, unknown> | null;
    if (e === null || typeof e !== 'object')
      throw new AllotError('ALLOT_INVALID_CONFIG', `tokens[${i}] must be an object`);
    if (typeof e['token'] !== 'string' || e['token'].length < 16) {
      throw new AllotError(
        'ALLOT_INVALID_CONFIG',
        `tokens[${i}].token must be a string of at least 16 characters`,
      );
    }
    if (typeof e['tenant'] !== 'string' || !TENANT.test(e['tenant'])) {
      throw new AllotError('ALLOT_INVALID_CONFIG', `tokens[${i}].tenant must match ${TENANT.source}`);
    }
    if (seen.has(e['token']))
      throw new AllotError('ALLOT_INVALID_CONFIG', `tokens[${i}].token appears twice`);
    seen.add(e['token']);
    const p = e['personalizer'];
    if (p !== undefined && (typeof p !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(p))) {
      throw new AllotError('ALLOT_INVALID_CONFIG', `tokens[${i}].personalizer must be an agent id`);
    }
    return {
      token: e['token'],
      tenant: e['tenant'],
      ...(p === undefined ? {} : { personalizer: p as string }),
    };
  });
}

/** Finds a token's entry in constant time per candidate (no early exit on the first differing byte). */
export function lookupToken(entries: readonly TokenEntry[], token: string | undefined): TokenEntry | null {
  if (token === undefined || token.length === 0) return null;
  const given = Buffer.from(token);
  let found: TokenEntry | null = null;
  for (const e of entries) {
    const want = Buffer.from(e.token);
    if (want.length === given.length && timingSafeEqual(want, given)) found = e;
  }
  return found;
}

/** True for loopback addresses (what the server may bind without `--auth`). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

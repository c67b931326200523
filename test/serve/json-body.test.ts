/**
 * The JSON body parser's shortcut: a text that cannot hold a `__proto__` or `constructor` key skips Fastify's
 * prototype-poisoning scan. Checked both ways: every text whose parse has such a key (however escaped) is sent to
 * the full parser, and the service answers poisoned bodies with 400 as before.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp, mayPoisonPrototype } from '../../src/serve/app.js';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';

/** Whether a parsed JSON value has an own key `__proto__` or `constructor` at any depth. */
function hasPoisonKey(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  for (const k of Object.keys(v)) {
    if (k === '__proto__' || k === 'constructor') return true;
    if (hasPoisonKey((v as Record<string, unknown>)[k])) return true;
  }
  return false;
}

/** Writes `s` as a JSON string literal with some characters \u-escaped (`mask` picks which). */
function escapedKey(s: string, mask: number): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    out += (mask >> (i % 30)) & 1 ? `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}` : s[i];
  }
  return `${out}"`;
}

describe('mayPoisonPrototype', () => {
  it('is true for every text that parses to a __proto__ or constructor key', () => {
    const key = fc.constantFrom('__proto__', 'constructor', 'proto', 'a', '_');
    fc.assert(
      fc.property(fc.jsonValue(), key, fc.integer({ min: 0, max: 2 ** 30 - 1 }), (value, k, mask) => {
        const text = `{${escapedKey(k, mask)}:${JSON.stringify(value)}}`;
        if (hasPoisonKey(JSON.parse(text))) expect(mayPoisonPrototype(text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        if (hasPoisonKey(JSON.parse(text))) expect(mayPoisonPrototype(text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is false for a plain decide body', () => {
    expect(mayPoisonPrototype('{"eventId":"e1","context":{"features":[0.5,1e-3]}}')).toBe(false);
  });

  it('leaves poisoned bodies to the full parser: 400, nothing decided', async () => {
    const app = await createApp({ store: createMemoryStore(), web: false, sweepMs: 0, pollMs: 0 });
    try {
      await app.inject({
        method: 'PUT',
        url: '/v1/agents/a',
        payload: { policy: { type: 'ucb1' }, arms: ['x', 'y'] },
      });
      for (const body of [
        '{"__proto__":{"slots":1}}',
        '{"\\u005f_proto__":{"slots":1}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"\\u0063onstructor":{"prototype":{"x":1}}}',
        '{"context":{"actions":{"__proto__":{"features":[1]}}}}',
      ]) {
        const r = await app.inject({
          method: 'POST',
          url: '/v1/agents/a/decide',
          payload: body,
          headers: { 'content-type': 'application/json' },
        });
        expect(r.statusCode, body).toBe(400);
        expect(JSON.parse(r.body).error.code).toMatch(/^ALLOT_/);
      }
      // Malformed and empty bodies still get the full parser's answer; a byte-order mark is still accepted.
      for (const body of ['{"eventId":', '', ' ']) {
        const r = await app.inject({
          method: 'POST',
          url: '/v1/agents/a/decide',
          payload: body,
          headers: { 'content-type': 'application/json' },
        });
        expect(r.statusCode, JSON.stringify(body)).toBe(400);
      }
      const bom = await app.inject({
        method: 'POST',
        url: '/v1/agents/a/decide',
        payload: '\uFEFF{"eventId":"bom"}',
        headers: { 'content-type': 'application/json' },
      });
      expect(bom.statusCode).toBe(200);
      const agent = JSON.parse((await app.inject({ method: 'GET', url: '/v1/agents/a' })).body);
      expect(agent.decisions).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('logs a context sent after a byte-order mark so that it reads back (memory and SQLite)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allot-bom-'));
    try {
      for (const make of [() => createMemoryStore(), () => createSqliteStore({ path: join(dir, 'b.db') })]) {
        const app = await createApp({ store: make(), web: false, sweepMs: 0, pollMs: 0 });
        try {
          await app.inject({
            method: 'PUT',
            url: '/v1/agents/lin',
            payload: { policy: { type: 'linucb', d: 2 }, arms: ['x', 'y'] },
          });
          const context = { actions: { x: { features: [1, 0.5] }, y: { features: [0, 2] } } };
          const d = await app.inject({
            method: 'POST',
            url: '/v1/agents/lin/decide',
            payload: `\uFEFF${JSON.stringify({ eventId: 'b1', context })}`,
            headers: { 'content-type': 'application/json' },
          });
          expect(d.statusCode, d.body).toBe(200);
          const r = await app.inject({
            method: 'POST',
            url: '/v1/agents/lin/rewards',
            payload: { eventId: 'b1', reward: 1 },
          });
          expect(r.statusCode, r.body).toBe(200);
          const ev = JSON.parse((await app.inject({ method: 'GET', url: '/v1/agents/lin/events' })).body);
          expect(ev.events[0].context).toEqual(context);
          expect(ev.events[0].reward).toEqual([1]);
        } finally {
          await app.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

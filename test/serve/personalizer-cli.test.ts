/**
 * `allot serve --personalizer LOOP` through the built CLI: the official v1.0 client, pointed at the server root,
 * reaches the named loop (created with Personalizer's defaults), and a bad `--personalizer` is one stderr line.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PersonalizerClient } from '@azure/cognitiveservices-personalizer';
import { ApiKeyCredentials } from '@azure/ms-rest-js';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stopServer } from '../helpers/serve.js';

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'allot.js');
const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const s of stops) await s();
});

describe('allot serve --personalizer', () => {
  it('serves the named loop to the official client', { timeout: 60_000 }, async () => {
    const s = await startServer(['--store', 'memory', '--no-web', '--personalizer', 'news-loop']);
    stops.push(() => stopServer(s.proc));
    const client = new PersonalizerClient(
      new ApiKeyCredentials({ inHeader: { 'Ocp-Apim-Subscription-Key': 'unused-without-auth' } }),
      s.url,
    );
    const r = await client.rank({
      contextFeatures: [{ user: { device: 'phone' } }],
      actions: [
        { id: 'a', features: [{ topic: 'news' }] },
        { id: 'b', features: [{ topic: 'sports' }] },
      ],
      eventId: 'cli-1',
    });
    expect(r.eventId).toBe('cli-1');
    await client.events.reward('cli-1', { value: 1 });
    const agent = (await (await fetch(`${s.url}/v1/agents/news-loop`)).json()) as Record<string, unknown>;
    expect(agent['policy']).toEqual({ type: 'personalizer', bits: 8, lambda: 1, interactions: 'quadratic' });
    expect(agent['rewards']).toBe(1);
    const cfg = (await (
      await fetch(`${s.url}/personalizer/v1.1-preview.3/configurations/service`)
    ).json()) as {
      explorationPercentage: number;
    };
    expect(cfg.explorationPercentage).toBe(0.2);
  });

  it('refuses a loop name that is not an agent id', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'serve', '--store', 'memory', '--port', '0', '--personalizer', 'a b'],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^allot: ALLOT_INVALID_ARGUMENT: --personalizer must be an agent id/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

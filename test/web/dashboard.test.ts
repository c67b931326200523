/**
 * The dashboard in a real browser against a real `allot serve`: every view loads without a console error (with a
 * screenshot each, in out/screenshots/), an agent created through the API appears and its chart follows the rewards,
 * the dp view's in-browser solve equals `allot dp solve`, the forecast allocation totals K, and the first page load
 * stays under 1 MB on the wire.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildDpReport } from '../../src/reports/index.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { api, launchBrowser, type Server, screenshot, startServer, watchErrors } from './browser.js';

let server: Server;
let browser: Browser;
vi.setConfig({ testTimeout: 150_000, hookTimeout: 120_000 });

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  // The dp report as `allot reproduce dp` writes it (report.json), built by the same builder, for the Reproductions view.
  const reference = JSON.parse(
    readFileSync(join(REPO_ROOT, 'fixtures', 'dp', 'notebook-reference.json'), 'utf8'),
  );
  const report = buildDpReport({
    reference,
    referencePath: 'fixtures/dp/notebook-reference.json',
    generatedAt: new Date().toISOString(),
  });
  mkdirSync(join(server.reportsDir, 'dp'), { recursive: true });
  writeFileSync(
    join(server.reportsDir, 'dp', 'report.json'),
    JSON.stringify({
      ...report,
      generatedAt: new Date().toISOString(),
      quick: false,
      command: 'npx allot reproduce dp',
    }),
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(
  path: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  // Generous waits: the suite shares 2 cores with the rest of npm test.
  page.setDefaultTimeout(60_000);
  const errors = watchErrors(page);
  await page.goto(`${server.url}${path}`);
  return { page, errors };
}

/** Waits until every chart container on the page has been drawn at least once. */
async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const boxes = Array.from(document.querySelectorAll<HTMLElement>('[data-testid="chart"]')).filter(
      (b) => b.offsetParent !== null,
    );
    return (
      boxes.length > 0 &&
      boxes.every(
        (b) =>
          b.dataset['empty'] !== undefined || (b.dataset['rendered'] !== undefined && b.querySelector('svg')),
      )
    );
  });
}

describe('dashboard views', () => {
  const VIEWS: [string, string, (page: Page) => Promise<unknown>][] = [
    [
      'agents',
      '/agents',
      (p) => p.waitForFunction(() => (window as never as { __allot?: { agents?: unknown } }).__allot?.agents),
    ],
    ['experiments', '/experiments', (p) => p.waitForSelector('[role="status"] .notice, table')],
    ['evaluate', '/evaluate', (p) => p.waitForSelector('[data-testid="evaluate-agent"]')],
    [
      'forecasts',
      '/forecasts',
      (p) =>
        p
          .waitForFunction(
            () => document.querySelector('[data-testid="forecast-total"]')?.textContent !== '–',
          )
          .then(() => chartsDrawn(p)),
    ],
    [
      'dp',
      '/dp',
      (p) =>
        p
          .waitForFunction(() => document.querySelector('[data-testid="dp-iterations"]')?.textContent !== '–')
          .then(() => chartsDrawn(p)),
    ],
    [
      'reproductions',
      '/reproductions',
      (p) =>
        p
          .waitForFunction(
            () =>
              (window as never as { __allot?: { reports?: { dp?: string } } }).__allot?.reports?.dp ===
              'server',
          )
          .then(() => chartsDrawn(p)),
    ],
    ['reproductions-rank', '/reproductions/rank', (p) => p.waitForSelector('.notice')],
  ];

  for (const [name, path, ready] of VIEWS) {
    it(`${path} loads with no console error and keeps its view on reload`, async () => {
      const { page, errors } = await open(path);
      await ready(page);
      expect(new URL(page.url()).pathname).toBe(path);
      await expect(page.locator('header nav a[aria-current="page"]').count()).resolves.toBe(1);
      await screenshot(page, name, !name.startsWith('reproductions'));
      await page.reload();
      await page.waitForSelector('header nav a[aria-current="page"]');
      expect(new URL(page.url()).pathname).toBe(path);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('/ opens /agents', async () => {
    const { page, errors } = await open('/');
    await page.waitForURL(/\/agents$/);
    const res = await fetch(`${server.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/agents');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('leaves the API paths to the service', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.headers.get('content-type')).toMatch(/json/);
    const missing = await fetch(`${server.url}/v1/agents/no-such-agent`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toMatch(/^ALLOT_/);
  });
});

describe('agents view', () => {
  it('lists an agent created through the API, and its chart changes after rewards are posted', async () => {
    const id = `web-test-${Date.now()}`;
    await api(server.url, 'PUT', `/v1/agents/${id}`, {
      policy: { type: 'ucb1' },
      arms: ['a', 'b', 'c'],
      seed: 3,
    });
    const list = await open('/agents');
    const row = list.page.locator(`[data-testid="agent-row"][data-agent-id="${id}"]`);
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('ucb1');
    // Keyboard: the focused link keeps its focus across refreshes (1.5 s polls), and Enter opens the agent.
    const page = list.page;
    await row.locator('a').focus();
    await page.waitForTimeout(3500);
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(id);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname, { timeout: 60_000 }).toBe(`/agents/${id}`);
    const rounds = async (n: number, reward: (action: string) => number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const d = (await api(server.url, 'POST', `/v1/agents/${id}/decide`, {})) as {
          eventId: string;
          actions: string[];
        };
        await api(server.url, 'POST', `/v1/agents/${id}/rewards`, {
          eventId: d.eventId,
          reward: reward(d.actions[0]!),
        });
      }
    };
    await rounds(10, () => 0);
    await page.waitForFunction(
      (want) =>
        (
          window as never as { __allot: { agent?: { stats: { timeline: { rewards: number }[] } } } }
        ).__allot.agent?.stats.timeline.reduce((a, b) => a + b.rewards, 0) === want,
      10,
    );
    await chartsDrawn(page);
    const rate = page.locator('[data-testid="chart"]').first();
    const before = await rate.innerHTML();
    await rounds(40, (a) => (a === 'b' ? 1 : 0));
    await page.waitForFunction(
      (want) =>
        (
          window as never as { __allot: { agent?: { stats: { timeline: { rewards: number }[] } } } }
        ).__allot.agent?.stats.timeline.reduce((a, b) => a + b.rewards, 0) === want,
      50,
    );
    await chartsDrawn(page);
    await expect.poll(() => rate.innerHTML(), { timeout: 60_000 }).not.toBe(before);
    await screenshot(page, 'agent');
    expect(list.errors).toEqual([]);
    await page.close();
  });

  it('is readable on a phone (no horizontal scroll of the page)', async () => {
    const { page, errors } = await open('/agents', { width: 390, height: 844 });
    await page.waitForFunction(() => (window as never as { __allot?: { agents?: unknown } }).__allot?.agents);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(page, 'agents-phone');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('experiments view', () => {
  it('shows an experiment run through the API: its phase, the lift with its interval and the groups', async () => {
    const agent = (epsilon: number) => ({
      policy: { type: 'epsilon-greedy', epsilon },
      arms: ['a', 'b', 'c'],
    });
    await api(server.url, 'PUT', '/v1/experiments/web-exp', {
      groups: {
        production: { share: 0.5, agent: agent(0) },
        control: { share: 0.25, agent: agent(0) },
        test: { share: 0.25, agent: agent(0.3) },
      },
    });
    for (let i = 0; i < 80; i++) {
      const d = (await api(server.url, 'POST', '/v1/experiments/web-exp/decide', { user: `u${i % 40}` })) as {
        eventId: string;
        actions: string[];
      };
      await api(server.url, 'POST', '/v1/experiments/web-exp/rewards', {
        eventId: d.eventId,
        reward: d.actions[0] === 'b' ? 1 : 0,
      });
    }
    const list = await open('/experiments');
    await list.page.locator('[data-testid="experiment-row"][data-experiment-id="web-exp"]').waitFor();
    await list.page.close();
    const { page, errors } = await open('/experiments/web-exp');
    await expect
      .poll(() => page.getByTestId('experiment-lift').textContent(), { timeout: 60_000 })
      .toMatch(/%/);
    await chartsDrawn(page);
    await expect(page.locator('table[aria-label="Groups"] thead').textContent()).resolves.toMatch(
      /control.*test/,
    );
    await screenshot(page, 'experiment');
    expect(errors).toEqual([...list.errors]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('dp view', () => {
  interface DpHook {
    iterations: number;
    value: number[];
  }
  const cliSolve = (config: string): { iterations: number; value: number[] } => {
    // The built CLI, as a user runs it.
    const r = spawnSync(process.execPath, ['bin/allot.js', 'dp', 'solve', '--config', config], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout) as { iterations: number; value: number[] };
  };
  /** Largest |a - b| / max(1, |b|): V is about -234 at the smallest cake, so 1e-12 is relative there. */
  const maxDiff = (a: readonly number[], b: readonly number[]): number => {
    expect(a.length).toBe(b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++)
      m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
    return m;
  };

  it('solves the notebook deterministic case in the browser: 134 iterations, the value function of allot dp solve to 1e-12 (relative)', async () => {
    const { page, errors } = await open('/dp');
    const iters = page.getByTestId('dp-iterations');
    await expect.poll(() => iters.textContent(), { timeout: 60_000 }).toBe('134');
    const got = (await page.evaluate(
      () => (window as never as { __allot: { dp: DpHook } }).__allot.dp,
    )) as DpHook;
    const cli = cliSolve(join(REPO_ROOT, 'fixtures', 'dp', 'deterministic.json'));
    expect(cli.iterations).toBe(134);
    expect(got.iterations).toBe(134);
    expect(maxDiff(got.value, cli.value)).toBeLessThanOrEqual(1e-12);

    // The form drives the solve: beta 0.5 gives the CLI's numbers for beta 0.5.
    await page.getByTestId('dp-beta').fill('0.5');
    await page.getByTestId('dp-solve').click();
    await expect.poll(() => iters.textContent(), { timeout: 60_000 }).not.toBe('134');
    const got5 = (await page.evaluate(
      () => (window as never as { __allot: { dp: DpHook } }).__allot.dp,
    )) as DpHook;
    const dir = tempDir();
    const cfgPath = join(dir, 'beta05.json');
    const cfg = JSON.parse(
      readFileSync(join(REPO_ROOT, 'fixtures', 'dp', 'deterministic.json'), 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, beta: 0.5 }));
    const cli5 = cliSolve(cfgPath);
    expect(await iters.textContent()).toBe(String(cli5.iterations));
    expect(maxDiff(got5.value, cli5.value)).toBeLessThanOrEqual(1e-12);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('forecasts view', () => {
  it('allocates exactly K across the locations of the bundled FluSight sample', async () => {
    const { page, errors } = await open('/forecasts');
    const total = page.getByTestId('forecast-total');
    await expect.poll(() => total.textContent(), { timeout: 60_000 }).not.toBe('–');
    const hook = (await page.evaluate(
      () => (window as never as { __allot: { forecast: { K: number; total: number } } }).__allot.forecast,
    )) as {
      K: number;
      total: number;
    };
    expect(Number(await total.textContent())).toBe(hook.K);
    expect(Math.abs(hook.total - hook.K)).toBeLessThanOrEqual(1e-9 * hook.K);
    await page.getByTestId('forecast-k').fill('20000');
    await page.getByTestId('forecast-k').press('Enter');
    await page.getByTestId('forecast-k').blur();
    await expect.poll(() => total.textContent(), { timeout: 60_000 }).toBe('20000');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('bundle budget', () => {
  /** Bytes on the wire (compressed bodies + headers) of every request a first visit of `path` makes until idle. */
  async function firstLoad(
    path: string,
    ready: (page: Page) => Promise<unknown>,
  ): Promise<{ bytes: number; gzipped: number; requests: number }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const finished: Promise<{ body: number; headers: number; gz: boolean }>[] = [];
    page.on('requestfinished', (req) => {
      finished.push(
        (async () => {
          const s = await req.sizes();
          const res = await req.response();
          return {
            body: s.responseBodySize,
            headers: s.responseHeadersSize,
            gz: res?.headers()['content-encoding'] === 'gzip',
          };
        })(),
      );
    });
    await page.goto(`${server.url}${path}`);
    await ready(page);
    await page.waitForLoadState('networkidle');
    const sizes = await Promise.all(finished);
    await context.close();
    return {
      bytes: sizes.reduce((a, s) => a + s.body + s.headers, 0),
      gzipped: sizes.filter((s) => s.gz).length,
      requests: sizes.length,
    };
  }

  it('the first page load (the Agents list, and an agent with its charts) transfers under 1 MB, assets gzipped', async () => {
    await api(server.url, 'PUT', '/v1/agents/budget-probe', { policy: { type: 'ucb1' }, arms: ['x', 'y'] });
    for (let i = 0; i < 5; i++) {
      const d = (await api(server.url, 'POST', '/v1/agents/budget-probe/decide', {})) as { eventId: string };
      await api(server.url, 'POST', '/v1/agents/budget-probe/rewards', { eventId: d.eventId, reward: i % 2 });
    }
    const list = await firstLoad('/', (p) =>
      p.waitForFunction(() => (window as never as { __allot?: { agents?: unknown } }).__allot?.agents),
    );
    const agent = await firstLoad('/agents/budget-probe', (p) =>
      p.waitForSelector('[data-testid="chart"] svg'),
    );
    console.log(
      `dashboard first load: /agents ${(list.bytes / 1024).toFixed(1)} KiB in ${list.requests} requests; ` +
        `/agents/:id with charts ${(agent.bytes / 1024).toFixed(1)} KiB in ${agent.requests} requests`,
    );
    expect(list.bytes).toBeLessThan(1_000_000);
    expect(agent.bytes).toBeLessThan(1_000_000);
    expect(agent.gzipped).toBeGreaterThan(0);
  });
});

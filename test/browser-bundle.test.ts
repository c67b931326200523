/**
 * Isomorphism guard: every browser-safe entry bundles for the browser with esbuild and contains no Node built-in and
 * no server driver.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ENTRIES = [
  'index',
  'core/index',
  'dp/index',
  'forecast/index',
  'bandits/index',
  'sim/index',
  'experiments/index',
  'reports/index',
];
const MUST_NOT_APPEAR = [
  /from\s*["']node:/,
  /require\(["']node:/,
  /better-sqlite3/,
  /ioredis/,
  /worker_threads/,
  /fastify/,
];

describe('browser bundle', () => {
  for (const entry of ENTRIES) {
    it(`src/${entry}.ts bundles for the browser without Node-only imports`, async () => {
      const res = await build({
        entryPoints: [new URL(`../src/${entry}.ts`, import.meta.url).pathname],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        write: false,
        logLevel: 'silent',
      });
      const code = res.outputFiles[0]!.text;
      for (const bad of MUST_NOT_APPEAR) expect(code).not.toMatch(bad);
    });
  }

  it('the dashboard build (web/dist, the library chunks included) has no Node-only import', async () => {
    const { existsSync, readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../web/dist/assets/', import.meta.url);
    expect(existsSync(dir), 'web/dist is missing: run npm run build').toBe(true);
    const chunks = readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(chunks.some((f) => f.startsWith('dp.worker-'))).toBe(true);
    for (const f of chunks) {
      const code = readFileSync(new URL(f, dir), 'utf8');
      for (const bad of MUST_NOT_APPEAR) expect(code, f).not.toMatch(bad);
    }
  });

  it('no library code calls Math.random', async () => {
    const { execSync } = await import('node:child_process');
    const hits = execSync('grep -rln "Math\\.random" src || true', {
      cwd: new URL('..', import.meta.url).pathname,
      encoding: 'utf8',
    });
    expect(hits.trim()).toBe('');
  });
});

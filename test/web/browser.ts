/**
 * Shared setup of the dashboard's browser tests: a real `allot serve` (the built CLI) on a free port, and Debian's
 * Chromium driven by playwright-core, headless, with no background networking.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

/** Where the browser tests write their screenshots. */
export const SCREENSHOTS: string = join(REPO_ROOT, 'out', 'screenshots');

/** Debian's Chromium (`.ci/run` installs the `chromium` package when it is missing). */
export const CHROMIUM: string = process.env['ALLOT_CHROMIUM'] ?? '/usr/bin/chromium';

/** A running `allot serve`. */
export interface Server {
  readonly url: string;
  readonly reportsDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the built CLI's `allot serve --port 0 --store memory` and waits for its "listening on" line.
 *
 * @throws when the dashboard or the CLI is not built, or the server does not start within 60 s
 */
export async function startServer(extra: readonly string[] = []): Promise<Server> {
  for (const f of ['bin/allot.js', 'dist/cli/main.js', 'web/dist/index.html']) {
    if (!existsSync(join(REPO_ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
  }
  const reportsDir = tempDir('allot-web-reports-');
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/allot.js', 'serve', '--port', '0', '--store', 'memory', '--reports', reportsDir, ...extra],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`allot serve did not start in 60 s:\n${stderr}`)),
      20_000,
    );
    child.stderr!.on('data', (b: Buffer) => {
      stderr += b.toString('utf8');
      const m = /allot: listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace(/\/$/, ''));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`allot serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    url,
    reportsDir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/** Launches headless Chromium with a fresh profile and no background traffic. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set ALLOT_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Console errors and uncaught exceptions of a page, collected from its creation on. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return errors;
}

/** Saves a screenshot (the whole page, or the viewport for very long pages) under out/screenshots/NAME.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Sends JSON to the service and returns the parsed answer (throws on a non-2xx status). */
export async function api(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text.length > 0 ? JSON.parse(text) : null;
}

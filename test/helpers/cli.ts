/**
 * Runs the built `allot` CLI (bin/allot.js over dist/, as `npm test` builds it first), as a user would, and captures its
 * output. Spawning the built CLI instead of the TypeScript sources through tsx halves the cost of each run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'bin', 'allot.js');

/** The result of one CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `allot ...args` with the repository root as cwd (or `cwd`); `env` adds to the environment. */
export function runCli(
  args: readonly string[],
  opts: { cwd?: string; input?: string; env?: Readonly<Record<string, string>> } = {},
): CliResult {
  const r = spawnSync(process.execPath, [ENTRY, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...opts.env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder for a test's outputs. */
export function tempDir(prefix = 'allot-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The repository root (absolute). */
export const REPO_ROOT: string = ROOT;

/** The shared folder beside the repository (`../shared`), where the papers' data and reference numbers live. */
export const SHARED: string = join(ROOT, '..', 'shared');

type Main = (argv: readonly string[]) => Promise<number>;
let mainOf: Promise<Main> | undefined;

/**
 * Runs `allot ...args` inside this test process: `main(argv)` of the BUILT CLI (dist/cli/main.js, what bin/allot.js
 * runs) with stdout and stderr captured and the exit code it returns. It checks the same output as {@link runCli}
 * without a Node start-up and module load per call (~0.4-1 s each on 2 busy cores); keep {@link runCli} for what
 * needs a real process (signals, the binary itself, determinism across processes).
 */
export async function runMain(args: readonly string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  mainOf ??= import(join(ROOT, 'dist', 'cli', 'main.js')).then((m: { main: Main }) => m.main);
  const main = await mainOf;
  let stdout = '';
  let stderr = '';
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const capture =
    (append: (s: string) => void) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    };
  const cwd = process.cwd();
  process.stdout.write = capture((s) => {
    stdout += s;
  }) as typeof process.stdout.write;
  process.stderr.write = capture((s) => {
    stderr += s;
  }) as typeof process.stderr.write;
  try {
    process.chdir(opts.cwd ?? ROOT);
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.chdir(cwd);
  }
}

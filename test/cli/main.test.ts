import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

describe('allot CLI shell', () => {
  it('prints help listing every domain and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    for (const d of ['dp', 'forecast', 'budget', 'rank', 'explore', 'reproduce'])
      expect(r.stdout).toContain(d);
  });

  it('prints the package version', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('rejects an unknown command with one line and exit 2', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^allot: ALLOT_UNKNOWN_OPTION: /);
  });

  it('lists in --help exactly the terms and descriptions the command modules register, without loading them', async () => {
    const mod = (await import(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) as {
      COMMAND_INDEX: Record<string, { term: string; description: string }>;
      buildProgram: (load?: readonly string[]) => Promise<import('commander').Command>;
    };
    const full = await mod.buildProgram();
    const help = full.createHelp();
    // COMMAND_INDEX in src/cli/main.ts copies each command's help term and description: update it with the module.
    expect(
      Object.fromEntries(
        full.commands.map((c) => [c.name(), { term: help.subcommandTerm(c), description: c.description() }]),
      ),
    ).toEqual(
      Object.fromEntries(
        Object.entries(mod.COMMAND_INDEX).map(([n, e]) => [n, { term: e.term, description: e.description }]),
      ),
    );
    const lazy = await mod.buildProgram([]);
    expect(lazy.helpInformation()).toBe(full.helpInformation());
  });

  it('loads no command module for --help, and the one asked about for help <command>', () => {
    // --help and --version answer without the domains (@stdlib is ~800 CommonJS files).
    const r = runCli(['--help'], { env: { NODE_DEBUG: 'module' } });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/@stdlib/);
    const h = runCli(['help', 'dp']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/^Usage: allot dp \[options\] \[command\]/);
    expect(h.stdout).toContain('tauchen');
  });

  it('rejects an unknown reproduce domain with one line and exit 2', () => {
    const r = runCli(['reproduce', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^allot: ALLOT_UNKNOWN_OPTION: domain must be one of dp, forecast, budget, rank, explore, [a-z, ]*all \(got "nope"\)\n$/,
    );
  });
});

/** Leaf commands and, for the ones another engineer owns and has not brought in line yet, the reason. */
const HELP_CASES: readonly (readonly [string, string | null])[] = [
  ['dp solve', null],
  ['dp tauchen', null],
  ['dp simulate', null],
  ['forecast allocate', null],
  ['forecast score', null],
  ['budget oracle', null],
  ['budget simulate', null],
  ['rank simulate', null],
  ['rank bias', null],
  ['explore simulate', null],
  ['evaluate', null],
  ['reproduce', null],
  ['serve', null],
  ['agents replay', null],
  ['agents snapshot', null],
  ['agents export', null],
];

describe('--help of every command (built CLI, in-process)', () => {
  const main = join(REPO_ROOT, 'dist', 'cli', 'main.js');
  const helpOf = async (cmd: string): Promise<string> => {
    const mod = (await import(main)) as { main: (argv: readonly string[]) => Promise<number> };
    let text = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      text += String(s);
      return true;
    });
    try {
      expect(await mod.main([...cmd.split(' '), '--help'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    return text;
  };
  for (const [cmd, todo] of HELP_CASES) {
    const body = async (): Promise<void> => {
      expect(existsSync(main), 'npm run build first').toBe(true);
      const h = await helpOf(cmd);
      // Ends with one example, in the npx form a new user can paste.
      expect(h).toMatch(/Example:\n\s+(npx allot|echo .*npx allot)[^\n]*\n(\s+[^\n]*\n)*$/);
      // Numeric defaults are numbers, not quoted strings.
      expect(h).not.toMatch(/default: "-?[0-9][0-9.e+-]*"/);
    };
    if (todo === null) it(`${cmd}: ends with an example and shows numeric defaults as numbers`, body);
    else it.fails(`${cmd}: ends with an example, numeric defaults as numbers [known failure: ${todo}]`, body);
  }

  it('marks the required options of the commands it owns as (required)', async () => {
    expect(await helpOf('dp solve')).toMatch(/--config <file>[\s\S]*\(required\)/);
    expect(await helpOf('budget oracle')).toMatch(/--slots <L>[^\n]*\(required/);
    expect(await helpOf('forecast score')).toMatch(/--truth <file>[\s\S]*\(required\)/);
  });

  it('accepts --quiet before or after the command, and it silences the summary on stderr', async () => {
    const mod = (await import(main)) as { main: (argv: readonly string[]) => Promise<number> };
    for (const argv of [
      ['--quiet', 'budget', 'oracle', '--a', '1,2', '--b', '0,0', '--slots', '1'],
      ['budget', 'oracle', '--a', '1,2', '--b', '0,0', '--slots', '1', '--quiet'],
    ]) {
      let err = '';
      const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
        err += String(s);
        return true;
      });
      try {
        expect(await mod.main(argv)).toBe(0);
      } finally {
        o.mockRestore();
        e.mockRestore();
      }
      expect(err).toBe('');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

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

  it('rejects an unknown reproduce domain with one line and exit 2', () => {
    const r = runCli(['reproduce', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "allot: ALLOT_UNKNOWN_OPTION: domain must be one of dp, forecast, budget, rank, explore, all (got "nope")
      "
    `);
  });
});

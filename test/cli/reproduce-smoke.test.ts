/**
 * `allot reproduce all --smoke` end to end: a tiny run of every domain through the real CLI, each writing its report,
 * plots and results JSON into its own subfolder (the full runs take minutes and live in `allot reproduce`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const DOMAINS = ['dp', 'forecast', 'budget', 'rank', 'explore'];

describe('allot reproduce all --smoke', () => {
  it('writes report.md, SVG plots and a results JSON for every domain, and prints each report path', () => {
    const out = tempDir('allot-smoke-');
    const r = runCli(['reproduce', 'all', '--smoke', '--workers', '1', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(DOMAINS.map((d) => join(out, d, 'report.md')));
    for (const d of DOMAINS) {
      expect(r.stderr).toContain(`reproduce ${d} (smoke)`);
      const dir = join(out, d);
      const report = readFileSync(join(dir, 'report.md'), 'utf8');
      expect(report.length).toBeGreaterThan(500);
      expect(report).not.toMatch(/\bNaN\b|undefined/);
      const files = readdirSync(dir);
      const svgs = files.filter((f) => f.endsWith('.svg'));
      expect(svgs.length).toBeGreaterThan(0);
      for (const f of svgs) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<svg/);
      const json = files.filter((f) => f.endsWith('.json'));
      expect(json.length).toBeGreaterThan(0);
      for (const f of json) expect(() => JSON.parse(readFileSync(join(dir, f), 'utf8'))).not.toThrow();
    }
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('allot reproduce forecast --quick', () => {
  it('writes the report, results and plots, with propriety holding and section 7.2 impropriety shown', () => {
    const out = tempDir();
    const r = runCli(['reproduce', 'forecast', '--quick', '--out', out, '--seed', '3']);
    expect(r.code).toBe(0);
    for (const f of [
      'report.md',
      'results.json',
      'impropriety.svg',
      'propriety.svg',
      'flusight-2025-02-01.svg',
    ]) {
      expect(existsSync(join(out, f))).toBe(true);
    }
    const res = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      flusight: { complete: number; incomplete: number };
      propriety: { holds: boolean; mcHolds: boolean };
      impropriety: { improper: boolean };
      exponential: { rows: { maxRelErrExact: number }[] };
    };
    expect(res.flusight.complete).toBe(189);
    expect(res.flusight.incomplete).toBe(61);
    expect(res.propriety.holds).toBe(true);
    expect(res.impropriety.improper).toBe(true);
    for (const row of res.exponential.rows) expect(row.maxRelErrExact).toBeLessThan(1e-12);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/Quick run/);
  });
});

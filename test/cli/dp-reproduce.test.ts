/** `allot reproduce dp`: the notebook's three solves, the report and the plots. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('allot reproduce dp', () => {
  it('writes the report, results and value/policy plots, and reproduces the printed numbers', () => {
    const dir = tempDir();
    const r = runCli(['reproduce', 'dp', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(join(dir, 'report.md'));
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('## Summary');
    expect(report).not.toContain('NOT reproduced');
    expect(report).toContain('Only beta = 0.3 reproduces all 14 printed distances');
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      firstStep: { wPrime: number; value: number; nfev: number; reproduced: boolean };
      markov: { iterations: number; maxRelativeErrorVsPrinted: number };
      markovAsWritten: { iterations: number };
      deterministic: { maxRelativeErrorVsPrinted: number };
      iid: { maxRelativeErrorVsPrinted: number };
      betaReproducingPrintedMarkovRun: number[];
    };
    expect(res.firstStep).toMatchObject({
      wPrime: 2.05675794339993,
      value: 0.9519492043004409,
      nfev: 10,
      reproduced: true,
    });
    expect(res.markov.iterations).toBe(14);
    expect(res.markovAsWritten.iterations).toBeGreaterThan(100);
    expect(res.deterministic.maxRelativeErrorVsPrinted).toBeLessThan(1e-8);
    expect(res.iid.maxRelativeErrorVsPrinted).toBeLessThan(1e-8);
    expect(res.betaReproducingPrintedMarkovRun).toEqual([0.3]);
    for (const name of ['deterministic', 'iid', 'markov']) {
      for (const kind of ['value', 'policy']) {
        const svg = readFileSync(join(dir, `${name}-${kind}.svg`), 'utf8');
        expect(svg.startsWith('<svg')).toBe(true);
      }
    }
    const policy = readFileSync(join(dir, 'iid-policy.svg'), 'utf8');
    expect(policy).toContain('45-degree line');
    expect(policy).toContain('eps5 = 1.4');
    expect(r.stderr).toMatch(/Markov shocks: beta 0.3 -> 14 iterations/);
  });
});

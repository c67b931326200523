import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('allot budget oracle', () => {
  it('prints {"arms", "ratio"} with 0-based arms', () => {
    const r = runCli(['budget', 'oracle', '--a', '0.3,0.9,0.5', '--b', '0.2,0.7,0.1', '--L', '2']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { arms: number[]; ratio: number };
    expect(out).toEqual({ arms: [0, 2], ratio: expect.closeTo(0.8 / 0.3, 12) });
    expect(Object.keys(out)).toEqual(['arms', 'ratio']);
  });

  it('solves the Scheme-T counterexample exactly', () => {
    const r = runCli(['budget', 'oracle', '--a', '1,0.001,1', '--b', '0.1,0.0005,0.11', '--L', '2']);
    expect(JSON.parse(r.stdout)).toEqual({ arms: [0, 1], ratio: expect.closeTo(1.001 / 0.1005, 12) });
  });

  it('writes null for an infinite ratio (L zero-cost arms) and says why on stderr', () => {
    const r = runCli(['budget', 'oracle', '--a', '1,2,3', '--b', '0,0.5,0', '--L', '2']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ arms: [0, 2], ratio: null });
    expect(r.stderr).toMatch(/\+Infinity/);
  });

  it.each([
    [['--a', '1,2', '--b', '1,1', '--L', '3'], /--L must be in \[1, K\] = \[1, 2\] \(got 3\)/],
    [['--a', '1,2', '--b', '1,1', '--L', '0'], /--L must be in \[1, K\]/],
    [['--a', '1,0', '--b', '1,1', '--L', '1'], /--a\[1\] must be > 0 \(got 0\)/],
    [['--a', '1,-2', '--b', '1,1', '--L', '1'], /--a\[1\] must be > 0 \(got -2\)/],
    [['--a', '1,2', '--b', '1,-1', '--L', '1'], /--b\[1\] must be >= 0 \(got -1\)/],
    [['--a', '1,2,3', '--b', '1,1', '--L', '1'], /--a and --b must have the same length \(got 3 and 2\)/],
    [['--a', '1,x', '--b', '1,1', '--L', '1'], /--a must be a number/],
    [['--a', '1,2', '--b', '1,1', '--L', '1.5'], /--L must be an integer/],
  ])('rejects %j with one line and exit 2', (args, msg) => {
    const r = runCli(['budget', 'oracle', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
  });

  it('names the bad input in one line (snapshot)', () => {
    const r = runCli(['budget', 'oracle', '--a', '0.3,0.9,0.5', '--b', '0.2,0.7,0.1', '--L', '4']);
    expect(r.stderr).toMatchInlineSnapshot(`
      "allot: ALLOT_OUT_OF_RANGE: --L must be in [1, K] = [1, 3] (got 4)
      "
    `);
  });
});

interface Result {
  setting: Record<string, unknown>;
  rhoStar: number;
  policies: {
    name: string;
    scheme: string | null;
    checkpoints: number[];
    regret: { mean: number[]; std: number[] };
    finalRegretMean: number;
    finalRegretStd: number;
    rewardMean: number;
    seconds: number;
  }[];
}

describe('allot budget simulate', () => {
  const base = [
    'budget',
    'simulate',
    '--arms',
    '10',
    '--plays',
    '3',
    '--budget',
    '2000',
    '--runs',
    '3',
    '--seed',
    '1',
  ];

  it('writes RESULT.json with one entry per (policy, scheme), MRCB with scheme null', () => {
    const dir = tempDir();
    const out = join(dir, 'result.json');
    const r = runCli([
      ...base,
      '--dist',
      'multinomial',
      '--policies',
      'mrcb,bts,kube,eps-first,ucb-bv1',
      '--scheme',
      'both',
      '--workers',
      '2',
      '--checkpoints',
      '500,1000,1500,2000',
      '--out',
      out,
      '--plot',
      join(dir, 'fig'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const res = JSON.parse(readFileSync(out, 'utf8')) as Result;
    expect(res.setting).toMatchObject({
      dist: 'multinomial',
      arms: 10,
      plays: 3,
      budget: 2000,
      runs: 3,
      seed: 1,
    });
    expect(res.rhoStar).toBeGreaterThan(0);
    expect(res.policies.map((p) => [p.name, p.scheme])).toEqual([
      ['mrcb', null],
      ['bts', 'R'],
      ['bts', 'T'],
      ['kube', 'R'],
      ['kube', 'T'],
      ['eps-first', 'R'],
      ['eps-first', 'T'],
      ['ucb-bv1', 'T'],
    ]);
    for (const p of res.policies) {
      expect(p.checkpoints).toEqual([500, 1000, 1500, 2000]);
      expect(p.regret.mean).toHaveLength(4);
      expect(p.regret.std).toHaveLength(4);
      expect(p.finalRegretMean).toBe(p.regret.mean[3]);
      expect(p.finalRegretStd).toBe(p.regret.std[3]);
      expect(p.rewardMean).toBeGreaterThan(0);
      expect(p.seconds).toBeGreaterThanOrEqual(0);
    }
    expect(readFileSync(join(dir, 'fig-regret.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('defaults: Scheme R, ten checkpoints up to the budget, JSON on stdout; same seed, same numbers', () => {
    const args = [
      ...base,
      '--dist',
      'beta',
      '--policies',
      'mrcb,kube,ucb-bv1',
      '--instance-seed',
      '4',
      '--workers',
      '1',
    ];
    const r = runCli(args);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as Result;
    expect(res.policies.map((p) => [p.name, p.scheme])).toEqual([
      ['mrcb', null],
      ['kube', 'R'],
      ['ucb-bv1', 'T'],
    ]);
    expect(res.policies[0]!.checkpoints).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000]);
    const again = JSON.parse(runCli(args).stdout) as Result;
    expect(again.policies.map((p) => p.regret)).toEqual(res.policies.map((p) => p.regret));
  });

  it.each([
    [['--plays', '11'], /--plays must be <= --arms = 10 \(got 11\)/],
    [['--plays', '0'], /--plays must be >= 1 \(got 0\)/],
    [['--budget', '0'], /--budget must be > 0 \(got 0\)/],
    [['--budget', '-5'], /--budget must be > 0 \(got -5\)/],
    [['--dist', 'gauss'], /--dist must be one of multinomial, beta, bernoulli \(got "gauss"\)/],
    [
      ['--policies', 'mrcb,greedy'],
      /--policies must be one of mrcb, bts, kube, eps-first, ucb-bv1 \(got "greedy"\)/,
    ],
    [['--scheme', 'X'], /--scheme must be one of R, T, both/],
    [['--kappa', '0'], /--kappa must be > 0/],
    [['--checkpoints', '100,5000'], /checkpoints\[1\] must be <= budget 2000/],
    [['--runs', '0'], /--runs must be >= 1/],
  ])('rejects %j with one line and exit 2, writing nothing', (extra, msg) => {
    const dir = tempDir();
    const out = join(dir, 'r.json');
    const args = [...base];
    // Later flags override the base ones.
    const r = runCli([...args, '--policies', 'mrcb', ...extra, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
    expect(existsSync(out)).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runMain, tempDir } from '../helpers/cli.js';

describe('allot budget oracle', () => {
  it('prints {"arms", "ratio"} with 0-based arms', async () => {
    const r = await runMain(['budget', 'oracle', '--a', '0.3,0.9,0.5', '--b', '0.2,0.7,0.1', '--L', '2']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { arms: number[]; ratio: number };
    expect(out).toEqual({ arms: [0, 2], ratio: expect.closeTo(0.8 / 0.3, 12) });
    expect(Object.keys(out)).toEqual(['arms', 'ratio']);
  });

  it('solves the Scheme-T counterexample exactly', async () => {
    const r = await runMain(['budget', 'oracle', '--a', '1,0.001,1', '--b', '0.1,0.0005,0.11', '--L', '2']);
    expect(JSON.parse(r.stdout)).toEqual({ arms: [0, 1], ratio: expect.closeTo(1.001 / 0.1005, 12) });
  });

  it('writes null for an infinite ratio (L zero-cost arms) and says why on stderr', async () => {
    const r = await runMain(['budget', 'oracle', '--a', '1,2,3', '--b', '0,0.5,0', '--L', '2']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ arms: [0, 2], ratio: null });
    expect(r.stderr).toMatch(/\+Infinity/);
  });

  // Bad oracle options are in test/cli/bad-input.test.ts (batched in one process of the built CLI).

  it('names the bad input in one line (snapshot)', async () => {
    const r = await runMain(['budget', 'oracle', '--a', '0.3,0.9,0.5', '--b', '0.2,0.7,0.1', '--L', '4']);
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

  it('writes RESULT.json with one entry per (policy, scheme), MRCB with scheme null', async () => {
    const dir = tempDir();
    const out = join(dir, 'result.json');
    const r = await runMain([
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

  it('defaults: Scheme R, ten checkpoints up to the budget, JSON on stdout; same seed, same numbers', async () => {
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
    const r = await runMain(args);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as Result;
    expect(res.policies.map((p) => [p.name, p.scheme])).toEqual([
      ['mrcb', null],
      ['kube', 'R'],
      ['ucb-bv1', 'T'],
    ]);
    expect(res.policies[0]!.checkpoints).toEqual([200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000]);
    // A second, real process: same seed, same numbers across processes.
    const again = JSON.parse(runCli(args).stdout) as Result;
    expect(again.policies.map((p) => p.regret)).toEqual(res.policies.map((p) => p.regret));
  });

  // Bad simulate options are in test/cli/bad-input.test.ts (batched in one process of the built CLI).
});

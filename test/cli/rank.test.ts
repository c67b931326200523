import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIXTURE = join(REPO_ROOT, 'fixtures', 'rank', 'obd-random-men-2000.csv');

describe('allot rank simulate', () => {
  it('writes RESULT.json with setting, true bias and one entry per policy', () => {
    const dir = tempDir();
    const out = join(dir, 'result.json');
    const r = runCli([
      'rank',
      'simulate',
      '--dataset',
      'sinbin',
      '--positions',
      '3',
      '--actions',
      '10',
      '--rounds',
      '200',
      '--runs',
      '2',
      '--seed',
      '1',
      '--policies',
      'linucb,lints-pbm-em,linucb-pbm-real,random',
      '--workers',
      '1',
      '--out',
      out,
      '--plot',
      join(dir, 'p'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.setting).toMatchObject({
      dataset: 'sinbin',
      positions: 3,
      actions: 10,
      rounds: 200,
      runs: 2,
      seed: 1,
    });
    expect(j.truePositionBias).toHaveLength(3);
    expect(j.truePositionBias[0]).toBe(1);
    expect(j.truePositionBias[1]).toBeCloseTo(Math.exp(-1), 15);
    expect(j.policies.map((p: { name: string }) => p.name)).toEqual([
      'linucb',
      'lints-pbm-em',
      'linucb-pbm-real',
      'random',
    ]);
    for (const p of j.policies) {
      expect(Number.isFinite(p.cumulativeReward.mean)).toBe(true);
      expect(Number.isFinite(p.cumulativeReward.std)).toBe(true);
      expect(p.seconds).toBeGreaterThanOrEqual(0);
    }
    expect(j.policies[0].positionBias).toBeNull();
    expect(j.policies[1].positionBias).toHaveLength(3);
    expect(j.policies[2].positionBias).toEqual(j.truePositionBias);
    expect(existsSync(join(dir, 'p-reward.svg'))).toBe(true);
    expect(existsSync(join(dir, 'p-bias.svg'))).toBe(true);
  });

  it('is reproducible: same seed, same numbers, any worker count', () => {
    const args = [
      'rank',
      'simulate',
      '--dataset',
      'sinreal',
      '--positions',
      '2',
      '--rounds',
      '150',
      '--runs',
      '2',
      '--seed',
      '4',
      '--policies',
      'lints,linucb-pbm-ctr',
    ];
    const a = JSON.parse(runCli([...args, '--workers', '1']).stdout);
    const b = JSON.parse(runCli([...args, '--workers', '2']).stdout);
    expect(a.policies.map((p: { cumulativeReward: unknown }) => p.cumulativeReward)).toEqual(
      b.policies.map((p: { cumulativeReward: unknown }) => p.cumulativeReward),
    );
  });

  it('rejects positions > actions with one line and exit 2', () => {
    const r = runCli([
      'rank',
      'simulate',
      '--dataset',
      'sinreal',
      '--positions',
      '30',
      '--rounds',
      '10',
      '--runs',
      '1',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "allot: ALLOT_OUT_OF_RANGE: --positions must be <= --actions (got 30 positions for 25 actions)
      "
    `);
  });

  it('rejects an unknown policy, an unknown dataset and a bad epsilon', () => {
    const bad = [
      ['--policies', 'linucb,greedy'],
      ['--dataset', 'sinfoo'],
      ['--first-position-eps', '1.5'],
    ];
    const codes = ['ALLOT_UNKNOWN_OPTION', 'ALLOT_UNKNOWN_OPTION', 'ALLOT_OUT_OF_RANGE'];
    bad.forEach((flags, i) => {
      const base = new Map([
        ['--dataset', 'sinreal'],
        ['--positions', '2'],
        ['--rounds', '10'],
        ['--runs', '1'],
      ]);
      base.set(flags[0]!, flags[1]!);
      const r = runCli(['rank', 'simulate', ...[...base].flat()]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(codes[i]);
    });
    const r = runCli([
      'rank',
      'simulate',
      '--dataset',
      'sinreal',
      '--positions',
      '2',
      '--policies',
      'greedy',
    ]);
    expect(r.stderr).toContain('greedy');
  });
});

describe('allot rank bias', () => {
  it('estimates q on the OBD fixture with bootstrap and Wilson intervals', () => {
    const r = runCli(['rank', 'bias', '--log', FIXTURE, '--resamples', '50', '--seed', '3']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ method: 'ctr', rows: 2000, positions: 3, ctrInterval: 'Wilson score' });
    expect(j.interval).toMatchObject({
      method: 'percentile bootstrap over log rows',
      level: 0.95,
      resamples: 50,
      seed: 3,
    });
    expect(j.q[0]).toBe(1);
    // fixture README: 2 / 6 / 2 clicks at positions 1 / 2 / 3
    expect(j.byPosition.map((p: { clicks: number }) => p.clicks)).toEqual([2, 6, 2]);
    const imp = j.byPosition.map((p: { impressions: number }) => p.impressions);
    expect(imp.reduce((a: number, b: number) => a + b, 0)).toBe(2000);
    expect(j.q[1]).toBeCloseTo(6 / imp[1] / (2 / imp[0]), 12);
    for (const p of j.byPosition) expect(p.ctrLower).toBeLessThanOrEqual(p.ctr);
  });

  it('runs EM and probit on the OBD fixture', () => {
    const log = FIXTURE;
    for (const method of ['em', 'probit']) {
      const r = runCli(['rank', 'bias', '--log', log, '--method', method, '--resamples', '5']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.method).toBe(method);
      expect(j.q).toHaveLength(3);
      expect(j.q.every((v: number) => Number.isFinite(v) && v > 0)).toBe(true);
    }
  });

  it('reports a log without the needed columns in one line, exit 2', () => {
    const dir = tempDir();
    const f = join(dir, 'log.csv');
    writeFileSync(f, 'item_id,slot,click\n1,1,0\n2,2,1\n');
    const r = runCli(['rank', 'bias', '--log', f]);
    expect(r.code).toBe(2);
    expect(r.stderr.replace(f, 'LOG')).toMatchInlineSnapshot(`
      "allot: ALLOT_MISSING_COLUMN: --log LOG lacks column position (needed by --method ctr; has 3 columns)
      "
    `);
    const em = runCli(['rank', 'bias', '--log', f.replace('log.csv', 'x.csv')]);
    expect(em.code).toBe(2);
    expect(em.stderr).toContain('ALLOT_FILE_NOT_FOUND');
  });

  it('rejects non-finite values and rows of the wrong length', () => {
    const dir = tempDir();
    const nan = join(dir, 'nan.csv');
    writeFileSync(nan, 'item_id,position,click\n1,1,0\n2,NaN,1\n');
    const r1 = runCli(['rank', 'bias', '--log', nan]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('ALLOT_NOT_FINITE');
    expect(r1.stderr).toContain('line 3: position');
    const ragged = join(dir, 'ragged.csv');
    writeFileSync(ragged, 'item_id,position,click\n1,1,0\n2,2\n');
    const r2 = runCli(['rank', 'bias', '--log', ragged]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('ALLOT_SHAPE_MISMATCH');
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    const method = runCli(['rank', 'bias', '--log', ragged, '--method', 'mle']);
    expect(method.code).toBe(2);
    expect(method.stderr).toContain('ALLOT_UNKNOWN_OPTION');
  });
});

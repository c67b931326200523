import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPaperTables } from '../../src/cli/reproduce/rank.js';
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
    expect(existsSync(join(dir, 'p-regret.svg'))).toBe(true);
    expect(existsSync(join(dir, 'p-bias.svg'))).toBe(true);
    // regret against the oracle: non-negative, non-decreasing; NDCG in [0, 1]; clicks = the reward curve
    expect(j.oracle.cumulativeReward).toBeGreaterThan(0);
    for (const p of j.policies) {
      const reg: number[] = p.checkpoints.regret;
      expect(reg).toHaveLength(p.checkpoints.rounds.length);
      for (let i = 0; i < reg.length; i++) {
        expect(reg[i]).toBeGreaterThanOrEqual(-1e-9);
        if (i > 0) expect(reg[i]).toBeGreaterThanOrEqual(reg[i - 1]! - 1e-9);
      }
      for (const v of p.checkpoints.ndcg) expect(v >= 0 && v <= 1 + 1e-12).toBe(true);
      expect(p.checkpoints.clicks).toEqual(p.curve.mean);
      expect(p.regret.mean).toBeCloseTo(reg[reg.length - 1]!, 9);
      // oracle reward = policy's expected reward + regret (deterministic discount)
      expect(p.cumulativeReward.mean + p.regret.mean).toBeLessThanOrEqual(j.oracle.cumulativeReward + 50);
    }
  });

  it('takes the canonical --slots/--arms/--runs and the old --positions/--actions/--replications alike, and a checkpoint list', () => {
    const common = ['rank', 'simulate', '--dataset', 'sinreal', '--rounds', '120', '--seed', '2'];
    const pol = ['--policies', 'linucb-pbm-em,random', '--workers', '1'];
    const a = runCli([
      ...common,
      '--slots',
      '2',
      '--arms',
      '6',
      '--runs',
      '1',
      ...pol,
      '--checkpoints',
      '40,100',
    ]);
    const b = runCli([
      ...common,
      '--positions',
      '2',
      '--actions',
      '6',
      '--replications',
      '1',
      ...pol,
      '--checkpoints',
      '40,100',
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const ja = JSON.parse(a.stdout);
    expect(ja.policies[0].checkpoints.rounds).toEqual([40, 100, 120]);
    expect(ja).toEqual(
      expect.objectContaining({ setting: expect.objectContaining({ positions: 2, actions: 6, runs: 1 }) }),
    );
    const jb = JSON.parse(b.stdout);
    expect(jb.policies.map((p: { perRun: number[] }) => p.perRun)).toEqual(
      ja.policies.map((p: { perRun: number[] }) => p.perRun),
    );
    const both = runCli([...common, '--slots', '2', '--positions', '3', ...pol]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--slots and --positions');
    const none = runCli([...common, ...pol]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--slots');
  });

  it('checks documented maxima before any work starts', () => {
    const cases: [string[], string][] = [
      [['--slots', '1e9'], '--slots must be <= 100'],
      [['--slots', '2', '--arms', '1e6'], '--arms must be <= 1000'],
      [['--slots', '2', '--runs', '1e8'], '--runs must be <= 10000'],
      [['--slots', '2', '--rounds', '1e9'], '--rounds must be <= 10000000'],
      [['--slots', '2', '--rounds', '5000000', '--arms', '1000'], '--rounds x --arms must be <= 50000000'],
      [['--slots', '2', '--checkpoints', '10,5'], '--checkpoints must increase'],
    ];
    for (const [flags, msg] of cases) {
      const r = runCli(['rank', 'simulate', '--dataset', 'sinbin', ...flags]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(msg);
    }
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
      "allot: ALLOT_OUT_OF_RANGE: --positions must be <= --arms (got 30 positions for 25 actions)
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

  it('warns on stderr when so few clicks leave the interval uninformative; --quiet silences it', () => {
    const r = runCli(['rank', 'bias', '--log', FIXTURE, '--resamples', '20']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.some((l) => l.startsWith('allot: warning: only 2 clicks at position 1'))).toBe(true);
    expect(JSON.parse(r.stdout).warnings.length).toBeGreaterThan(0);
    const q = runCli(['--quiet', 'rank', 'bias', '--log', FIXTURE, '--resamples', '20']);
    expect(q.code).toBe(0);
    expect(q.stderr).toBe('');
  });

  it('weights by the propensity column when present (uniform policy: the same q) and accepts --positions', () => {
    const w = JSON.parse(runCli(['rank', 'bias', '--log', FIXTURE, '--resamples', '0']).stdout);
    const u = JSON.parse(
      runCli(['rank', 'bias', '--log', FIXTURE, '--resamples', '0', '--unweighted', '--positions', '3'])
        .stdout,
    );
    expect(w.weighting.scheme).toContain('inverse propensity');
    expect(w.weighting.minWeight).toBeCloseTo(34, 9);
    expect(u.weighting).toBeNull();
    for (let l = 0; l < 3; l++) expect(w.q[l]).toBeCloseTo(u.q[l], 12);
  });

  it('fails fast on sizes above the documented maxima (option and log column)', () => {
    const dir = tempDir();
    const big = join(dir, 'big.csv');
    writeFileSync(big, 'item_id,position,click\n1,1,0\n2,1000000000,1\n');
    const r1 = runCli(['rank', 'bias', '--log', big]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('ALLOT_OUT_OF_RANGE');
    expect(r1.stderr).toContain('column position must be an integer in [1, 1000]');
    const r2 = runCli(['rank', 'bias', '--log', FIXTURE, '--slots', '1e9']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatchInlineSnapshot(`
      "allot: ALLOT_OUT_OF_RANGE: --slots must be <= 1000 (got 1e9)
      "
    `);
    const r3 = runCli(['rank', 'bias', '--log', FIXTURE, '--positions', '2']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('is above --positions 2');
    const badProp = join(dir, 'prop.csv');
    writeFileSync(badProp, 'item_id,position,click,propensity_score\n1,1,0,0.5\n2,2,1,0\n');
    const r4 = runCli(['rank', 'bias', '--log', badProp]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('propensity_score must be a probability');
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

describe('allot reproduce rank: paper tables', () => {
  it('reads $ALLOT_SHARED first and ships a copy of the tables in fixtures/rank', () => {
    const shipped = join(REPO_ROOT, 'fixtures', 'rank', 'pbm-paper-tables.json');
    const shared = join(REPO_ROOT, '..', 'shared', 'reference', 'pbm-paper-tables.json');
    if (existsSync(shared)) expect(readFileSync(shipped, 'utf8')).toBe(readFileSync(shared, 'utf8'));
    const dir = tempDir();
    const ref = join(dir, 'reference');
    mkdirSync(ref, { recursive: true });
    writeFileSync(join(ref, 'pbm-paper-tables.json'), readFileSync(shipped, 'utf8'));
    const before = process.env['ALLOT_SHARED'];
    process.env['ALLOT_SHARED'] = dir;
    try {
      const { path, tables } = loadPaperTables();
      expect(path).toBe(join(ref, 'pbm-paper-tables.json'));
      expect(tables.table1_SINREAL_cumulative_reward['Random']).toHaveLength(4);
    } finally {
      if (before === undefined) delete process.env['ALLOT_SHARED'];
      else process.env['ALLOT_SHARED'] = before;
    }
  });
});

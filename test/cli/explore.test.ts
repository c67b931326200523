import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSimulateOptions } from '../../src/cli/commands/explore.js';
import { toJson } from '../../src/cli/io.js';
import { simulateRecsysExperiment } from '../../src/experiments/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

const SMALL = ['--users', '500', '--days-burnin', '3', '--days-phase1', '3', '--days-phase2', '2'];

const DEFAULTS = {
  users: '20000',
  topics: '30',
  daysBurnin: '14',
  daysPhase1: '21',
  daysPhase2: '14',
  shares: '0.9,0.05,0.05',
  gamma: '1',
  seed: '1',
  replications: '1',
  posteriorSamples: '100',
};

describe('explore simulate option parsing (the same checks the CLI runs)', () => {
  it('names the flag, the condition and the value', () => {
    const bad: [Partial<typeof DEFAULTS>, RegExp][] = [
      [{ topics: '0' }, /--topics must be >= 1 \(got 0\)/],
      [{ daysPhase2: '0' }, /--days-phase2 must be >= 1 \(got 0\)/],
      [{ shares: '0.5,0.5' }, /--shares must list 3 shares production,control,test \(got 2\)/],
      [{ shares: '1,0,0' }, /--shares must give control and test a share > 0/],
      [{ shares: '1.2,-0.1,-0.1' }, /--shares must each be in \[0, 1\]/],
      [{ gamma: 'abc' }, /--gamma must be a number \(got "abc"\)/],
      [{ users: '2.5' }, /--users must be an integer/],
    ];
    for (const [o, re] of bad) expect(() => parseSimulateOptions({ ...DEFAULTS, ...o })).toThrow(re);
    // Documented maxima, checked before any work starts (ALLOT_OUT_OF_RANGE naming the option and the maximum).
    const { replications: _r, ...noRuns } = DEFAULTS;
    const limits: [Record<string, string>, RegExp][] = [
      [{ users: '1e9' }, /--users must be <= 200000 \(got 1e9\)/],
      [{ daysPhase1: '1e9' }, /--days-phase1 must be <= 365/],
      [{ daysBurnin: '1e9' }, /--days-burnin must be <= 365/],
      [{ replications: '1e6' }, /--replications must be <= 100/],
      [{ runs: '1e6' }, /--runs must be <= 100/],
      [{ posteriorSamples: '1e9' }, /--posterior-samples must be <= 100000/],
      [{ users: '200000', daysPhase1: '300' }, /--users x .* must be <= 50000000/],
      [{ preset: 'mars' }, /--preset must be one of funnel, uniform, no-leakage, strong-leakage/],
      [{ discount: '0' }, /--discount must be in \(0, 1\]/],
      [{ gammaScale: 'log' }, /--gamma-scale must be one of spread, absolute/],
      [{ runs: '2', replications: '3' }, /--runs and --replications name the same option/],
      [{ itemsPerTopic: '0' }, /--items-per-topic must be >= 1 \(got 0\)/],
      [{ itemsPerTopic: '33' }, /--items-per-topic must be <= 32 \(got 33\)/],
      [{ itemsPerTopic: '2.5' }, /--items-per-topic must be an integer/],
      [{ itemSd: '-1' }, /--item-sd must be in \[0, 10\] \(got -1\)/],
      [{ itemSd: 'x' }, /--item-sd must be a number/],
      [{ shares: '0.9,0.05,0.04' }, /--shares must sum to 1 \(got 0\.99\)/],
      [{ users: '0' }, /--users must be >= 1 \(got 0\)/],
      [{ gamma: '-0.5' }, /--gamma must be >= 0 \(got -0\.5\)/],
      [{ daysPhase1: '0' }, /--days-phase1 must be >= 1 \(got 0\)/],
    ];
    for (const [o, re] of limits) {
      expect(() => parseSimulateOptions({ ...noRuns, ...o } as typeof DEFAULTS)).toThrow(re);
    }
    const alias = parseSimulateOptions({ ...noRuns, replications: '3' } as typeof DEFAULTS);
    expect(alias.replications).toBe(3);
    const items = parseSimulateOptions({
      ...DEFAULTS,
      itemsPerTopic: '1',
      itemSd: '0.25',
    } as typeof DEFAULTS);
    expect(items.config.world).toEqual({ itemsPerTopic: 1, itemSd: 0.25 });
    const ok = parseSimulateOptions(DEFAULTS);
    expect(ok.config).toMatchObject({ users: 20000, topics: 30, daysPhase1: 21, daysPhase2: 14, gamma: 1 });
    expect(ok.config.shares).toEqual([0.9, 0.05, 0.05]);
  });
});

describe('allot explore simulate', () => {
  // Each spawn costs a Node start-up and a simulation: checks share spawns (5 in all), and everything that does not
  // need the built CLI (option messages, seeds that differ) is checked in-process above or in the library tests.
  it('writes RESULT.json with per-day group metrics and the plays lift, and the plots; the same run prints the same JSON to stdout', () => {
    const dir = tempDir();
    const out = join(dir, 'result.json');
    const args = ['explore', 'simulate', ...SMALL, '--seed', '3'];
    const r = runCli([...args, '--out', out, '--plot', join(dir, 'fig')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    const res = JSON.parse(text);
    expect(res.setting.users).toBe(500);
    expect(res.setting.gamma).toBe(1);
    expect(res.setting.seed).toBe(3);
    expect(res.setting.world.itemsPerTopic).toBe(10);
    expect(res.days).toHaveLength(5);
    expect(res.days.map((d: { phase: number }) => d.phase)).toEqual([1, 1, 1, 2, 2]);
    expect(res.days.map((d: { day: number }) => d.day)).toEqual([1, 2, 3, 4, 5]);
    for (const d of res.days) {
      for (const g of ['production', 'control', 'test']) {
        const m = d.groups[g];
        for (const f of ['users', 'plays', 'EI', 'TD', 'IU', 'TE', 'complete', 'loop', 'skip']) {
          expect(m, `${g}.${f}`).toHaveProperty(f);
        }
        expect(m.users).toBeGreaterThan(0);
        expect(m.plays).toBeGreaterThan(0);
      }
      const lift = d.lift.plays;
      expect(lift.estimate).toBeCloseTo(d.groups.test.plays / d.groups.control.plays - 1, 12);
      expect(lift.ci95[0]).toBeLessThan(lift.estimate);
      expect(lift.ci95[1]).toBeGreaterThan(lift.estimate);
    }
    // The truth (paired, same users without exploration) and the per-phase readouts with their A/A.
    expect(res.truth.plays.ci95).toHaveLength(2);
    expect(typeof res.truth.plays.estimate).toBe('number');
    expect(res.phases.map((p: { phase: number }) => p.phase)).toEqual([1, 2]);
    for (const p of res.phases) {
      for (const f of ['lift', 'aa', 'truth', 'leakage', 'liftCuped']) {
        expect(p[f].plays, f).toHaveProperty('estimate');
        expect(p[f].plays.ci95, f).toHaveLength(2);
      }
    }
    expect(res.days[0].truth.plays).toHaveProperty('estimate');
    expect(res.days[0].cumulative.lift.plays).toHaveProperty('ci95');
    expect(res.power.mde80).toBeGreaterThan(0);
    for (const f of ['plays-lift', 'activity', 'efficiency-lift', 'tasks-lift', 'EI', 'TE', 'TD', 'truth']) {
      const svg = join(dir, `fig-${f}.svg`);
      expect(existsSync(svg), svg).toBe(true);
      expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    }
    // Deterministic for a seed, and printed to stdout without --out (seeds that differ: library tests).
    const again = runCli(args);
    expect(again.code, again.stderr).toBe(0);
    expect(`${again.stdout}`.trim()).toBe(text.trim());
  });

  it('runs replications on the worker pool; replication 0 equals the single run of the same seed', () => {
    const flags = { users: 200, daysBurnin: 2, daysPhase1: 2, daysPhase2: 1, itemsPerTopic: 3 };
    const two = runCli([
      'explore',
      'simulate',
      '--users',
      '200',
      '--days-burnin',
      '2',
      '--days-phase1',
      '2',
      '--days-phase2',
      '1',
      '--items-per-topic',
      '3',
      '--seed',
      '4',
      '--replications',
      '2',
      '--workers',
      '2',
    ]);
    expect(two.code, two.stderr).toBe(0);
    const b = JSON.parse(two.stdout);
    const { itemsPerTopic, ...rest } = flags;
    const one = simulateRecsysExperiment({ ...rest, world: { itemsPerTopic } }, 4);
    expect(b.days).toEqual(JSON.parse(toJson(one.days)));
    expect(b.setting.world.itemsPerTopic).toBe(3);
    expect(b.replications.runs).toBe(2);
    expect(b.replications.lifts).toHaveLength(2);
    expect(b.replications.liftByDay).toHaveLength(3);
  });

  it('rejects bad input with one line on stderr and exit code 2, writing nothing', () => {
    const dir = tempDir();
    const out = join(dir, 'never.json');
    // The messages of every other bad option are checked in-process by the option-parsing test above.
    const cases: [string[], RegExp][] = [
      [['--shares', '0.9,0.05,0.04'], /^allot: ALLOT_OUT_OF_RANGE: --shares must sum to 1 \(got 0\.99\)\n$/],
      [
        ['--items-per-topic', '33'],
        /^allot: ALLOT_OUT_OF_RANGE: --items-per-topic must be <= 32 \(got 33\)\n$/,
      ],
    ];
    for (const [args, re] of cases) {
      const r = runCli(['explore', 'simulate', ...SMALL, ...args, '--out', out]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(re);
    }
    expect(existsSync(out)).toBe(false);
  });
});

/**
 * The rank commands through the BUILT CLI. Two cases spawn `bin/allot.js` itself (a run that writes files, and a
 * bad input: the process's exit code and stderr); every other case runs in ONE child process that calls the built
 * `main(argv)` once per case with stdout and stderr captured (as test/cli/bad-input.test.ts does), so the file
 * costs one process start for some thirty CLI calls instead of one each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPaperTables } from '../../src/cli/reproduce/rank.js';
import { type CliResult, REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIXTURE = join(REPO_ROOT, 'fixtures', 'rank', 'obd-random-men-2000.csv');

/** The child: runs each argv through the built main() in-process, stdout/stderr captured per case. */
const RUNNER = `
import { readFileSync, writeFileSync } from 'node:fs';
const { main } = await import(process.env.ALLOT_MAIN_URL);
const cases = JSON.parse(readFileSync(0, 'utf8'));
const ow = process.stdout.write.bind(process.stdout);
const ew = process.stderr.write.bind(process.stderr);
const capture = (add) => (chunk, ...rest) => { add(String(chunk)); const cb = rest.find((x) => typeof x === 'function'); if (cb) cb(); return true; };
const out = [];
for (const argv of cases) {
  let stdout = '';
  let stderr = '';
  process.stdout.write = capture((s) => { stdout += s; });
  process.stderr.write = capture((s) => { stderr += s; });
  let code;
  try { code = await main(argv); } catch (e) { code = -1; stderr += 'runner: ' + e + '\\n'; }
  process.stdout.write = ow;
  process.stderr.write = ew;
  out.push({ code, stdout, stderr });
}
writeFileSync(process.env.ALLOT_RESULTS, JSON.stringify(out));
process.exit(0);
`;

/** Every batched case, registered at collection time by {@link cli}; run once in beforeAll. */
const cases: string[][] = [];
const results: CliResult[] = [];

/** Registers `allot ...argv` for the batch; the returned function gives its result inside a test. */
function cli(argv: readonly string[]): () => CliResult {
  const i = cases.push([...argv]) - 1;
  return () => {
    const r = results[i];
    if (r === undefined) throw new Error(`batched case ${i} did not run: ${argv.join(' ')}`);
    return r;
  };
}

beforeAll(() => {
  const dir = tempDir();
  const resultsFile = join(dir, 'results.json');
  // a file, not --eval: worker threads inherit the process's execArgv, and --input-type is not valid for them
  const runner = join(dir, 'runner.mjs');
  writeFileSync(runner, RUNNER);
  const r = spawnSync(process.execPath, [runner], {
    cwd: REPO_ROOT,
    input: JSON.stringify(cases),
    encoding: 'utf8',
    env: {
      ...process.env,
      ALLOT_MAIN_URL: pathToFileURL(join(REPO_ROOT, 'dist', 'cli', 'main.js')).href,
      ALLOT_RESULTS: resultsFile,
      ALLOT_QUIET: '',
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`batch runner failed (${r.status}): ${r.stderr}`);
  results.push(...(JSON.parse(readFileSync(resultsFile, 'utf8')) as CliResult[]));
}, 320_000);

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

  const common = ['rank', 'simulate', '--dataset', 'sinreal', '--rounds', '120', '--seed', '2'];
  const pol = ['--policies', 'linucb-pbm-em,random', '--workers', '1'];
  const canonical = cli([
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
  const old = cli([
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
  const both = cli([...common, '--slots', '2', '--positions', '3', ...pol]);
  const none = cli([...common, ...pol]);
  it('takes the canonical --slots/--arms/--runs and the old --positions/--actions/--replications alike, and a checkpoint list', () => {
    const a = canonical();
    const b = old();
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
    expect(both().code).toBe(2);
    expect(both().stderr).toContain('--slots and --positions');
    expect(none().code).toBe(2);
    expect(none().stderr).toContain('--slots');
  });

  const maxima = (
    [
      [['--slots', '1e9'], '--slots must be <= 100'],
      [['--slots', '2', '--arms', '1e6'], '--arms must be <= 1000'],
      [['--slots', '2', '--runs', '1e8'], '--runs must be <= 10000'],
      [['--slots', '2', '--rounds', '1e9'], '--rounds must be <= 10000000'],
      [['--slots', '2', '--rounds', '5000000', '--arms', '1000'], '--rounds x --arms must be <= 50000000'],
      [['--slots', '2', '--checkpoints', '10,5'], '--checkpoints must increase'],
    ] as [string[], string][]
  ).map(([flags, msg]) => [cli(['rank', 'simulate', '--dataset', 'sinbin', ...flags]), msg] as const);
  it('checks documented maxima before any work starts', () => {
    for (const [run, msg] of maxima) {
      const r = run();
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(msg);
    }
  });

  const repro = [
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
  const oneWorker = cli([...repro, '--workers', '1']);
  const twoWorkers = cli([...repro, '--workers', '2']);
  it('is reproducible: same seed, same numbers, any worker count', () => {
    const a = JSON.parse(oneWorker().stdout);
    const b = JSON.parse(twoWorkers().stdout);
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

  const bad = [
    ['--policies', 'linucb,greedy'],
    ['--dataset', 'sinfoo'],
    ['--first-position-eps', '1.5'],
  ].map((flags) => {
    const base = new Map([
      ['--dataset', 'sinreal'],
      ['--positions', '2'],
      ['--rounds', '10'],
      ['--runs', '1'],
    ]);
    base.set(flags[0]!, flags[1]!);
    return cli(['rank', 'simulate', ...[...base].flat()]);
  });
  const greedy = cli([
    'rank',
    'simulate',
    '--dataset',
    'sinreal',
    '--positions',
    '2',
    '--policies',
    'greedy',
  ]);
  it('rejects an unknown policy, an unknown dataset and a bad epsilon', () => {
    const codes = ['ALLOT_UNKNOWN_OPTION', 'ALLOT_UNKNOWN_OPTION', 'ALLOT_OUT_OF_RANGE'];
    bad.forEach((run, i) => {
      const r = run();
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(codes[i]);
    });
    expect(greedy().stderr).toContain('greedy');
  });
});

describe('allot rank bias', () => {
  const estimate = cli(['rank', 'bias', '--log', FIXTURE, '--resamples', '50', '--seed', '3']);
  it('estimates q on the OBD fixture with bootstrap and Wilson intervals', () => {
    const r = estimate();
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

  const warned = cli(['rank', 'bias', '--log', FIXTURE, '--resamples', '20']);
  const quiet = cli(['--quiet', 'rank', 'bias', '--log', FIXTURE, '--resamples', '20']);
  it('warns on stderr when so few clicks leave the interval uninformative; --quiet silences it', () => {
    const r = warned();
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.some((l) => l.startsWith('allot: warning: only 2 clicks at position 1'))).toBe(true);
    expect(JSON.parse(r.stdout).warnings.length).toBeGreaterThan(0);
    const q = quiet();
    expect(q.code).toBe(0);
    expect(q.stderr).toBe('');
  });

  const weighted = cli(['rank', 'bias', '--log', FIXTURE, '--resamples', '0']);
  const unweighted = cli([
    'rank',
    'bias',
    '--log',
    FIXTURE,
    '--resamples',
    '0',
    '--unweighted',
    '--positions',
    '3',
  ]);
  it('weights by the propensity column when present (uniform policy: the same q) and accepts --positions', () => {
    const w = JSON.parse(weighted().stdout);
    const u = JSON.parse(unweighted().stdout);
    expect(w.weighting.scheme).toContain('inverse propensity');
    expect(w.weighting.minWeight).toBeCloseTo(34, 9);
    expect(u.weighting).toBeNull();
    for (let l = 0; l < 3; l++) expect(w.q[l]).toBeCloseTo(u.q[l], 12);
  });

  // input files of the batched cases below, written at collection time (before the batch runs)
  const dir = tempDir();
  const big = join(dir, 'big.csv');
  writeFileSync(big, 'item_id,position,click\n1,1,0\n2,1000000000,1\n');
  const badProp = join(dir, 'prop.csv');
  writeFileSync(badProp, 'item_id,position,click,propensity_score\n1,1,0,0.5\n2,2,1,0\n');
  const noPosition = join(dir, 'log.csv');
  writeFileSync(noPosition, 'item_id,slot,click\n1,1,0\n2,2,1\n');
  const nan = join(dir, 'nan.csv');
  writeFileSync(nan, 'item_id,position,click\n1,1,0\n2,NaN,1\n');
  const ragged = join(dir, 'ragged.csv');
  writeFileSync(ragged, 'item_id,position,click\n1,1,0\n2,2\n');

  const tooBig = cli(['rank', 'bias', '--log', big]);
  const slots = cli(['rank', 'bias', '--log', FIXTURE, '--slots', '1e9']);
  const positions2 = cli(['rank', 'bias', '--log', FIXTURE, '--positions', '2']);
  const propZero = cli(['rank', 'bias', '--log', badProp]);
  it('fails fast on sizes above the documented maxima (option and log column)', () => {
    const r1 = tooBig();
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('ALLOT_OUT_OF_RANGE');
    expect(r1.stderr).toContain('column position must be an integer in [1, 1000]');
    const r2 = slots();
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatchInlineSnapshot(`
      "allot: ALLOT_OUT_OF_RANGE: --slots must be <= 1000 (got 1e9)
      "
    `);
    const r3 = positions2();
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('is above --positions 2');
    const r4 = propZero();
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('propensity_score must be a probability');
  });

  const methods = ['em', 'probit'].map(
    (method) =>
      [method, cli(['rank', 'bias', '--log', FIXTURE, '--method', method, '--resamples', '5'])] as const,
  );
  it('runs EM and probit on the OBD fixture', () => {
    for (const [method, run] of methods) {
      const r = run();
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.method).toBe(method);
      expect(j.q).toHaveLength(3);
      expect(j.q.every((v: number) => Number.isFinite(v) && v > 0)).toBe(true);
    }
  });

  const missing = cli(['rank', 'bias', '--log', noPosition]);
  const absent = cli(['rank', 'bias', '--log', noPosition.replace('log.csv', 'x.csv')]);
  it('reports a log without the needed columns in one line, exit 2', () => {
    const r = missing();
    expect(r.code).toBe(2);
    expect(r.stderr.replace(noPosition, 'LOG')).toMatchInlineSnapshot(`
      "allot: ALLOT_MISSING_COLUMN: --log LOG lacks column position (needed by --method ctr; has 3 columns)
      "
    `);
    const em = absent();
    expect(em.code).toBe(2);
    expect(em.stderr).toContain('ALLOT_FILE_NOT_FOUND');
  });

  const nanRun = cli(['rank', 'bias', '--log', nan]);
  const raggedRun = cli(['rank', 'bias', '--log', ragged]);
  const mle = cli(['rank', 'bias', '--log', ragged, '--method', 'mle']);
  it('rejects non-finite values and rows of the wrong length', () => {
    const r1 = nanRun();
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain('ALLOT_NOT_FINITE');
    expect(r1.stderr).toContain('line 3: position');
    const r2 = raggedRun();
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('ALLOT_SHAPE_MISMATCH');
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    const method = mle();
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

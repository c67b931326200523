import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, SHARED, tempDir } from '../helpers/cli.js';

const FIX = join(REPO_ROOT, 'fixtures', 'forecast');
const MO = join(FIX, 'model-output.csv');
const TD = join(FIX, 'target-data.csv');
const HUB = join(SHARED, 'data', 'forecast-hub');

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

describe('allot forecast allocate', () => {
  it('writes one row per (model, date, K, location) of every complete forecast with the contract columns', () => {
    const r = runCli(['forecast', 'allocate', '--forecasts', MO, '--truth', TD, '--K', '20000,40000']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'model_id,reference_date,K,location,allocation,tau,observation,shortfall,score_total,score_oracle,score_adjusted,status',
    );
    const rows = parseCsv(r.stdout);
    // 3 complete models × 2 K × 52 locations; CEPH (no 72) and CADPH (06 only) are incomplete and listed on stderr
    expect(rows.length).toBe(3 * 2 * 52);
    expect(new Set(rows.map((x) => x.model_id))).toEqual(
      new Set(['FluSight-baseline', 'FluSight-ensemble', 'UM-DeepOutbreak']),
    );
    expect(r.stderr).toMatch(
      /skipped incomplete forecast CEPH-Rtrend_fluH 2025-02-01: missing location 72 of 52/,
    );
    expect(r.stderr).toMatch(
      /skipped incomplete forecast CADPH-FluCAT_Ensemble 2025-02-01: missing locations/,
    );
    expect(rows[0]!.location).toBe('01');
    expect(r.stdout).not.toMatch(/NaN|Infinity|undefined/);
    for (const K of [20000, 40000]) {
      for (const m of ['FluSight-baseline', 'FluSight-ensemble']) {
        const g = rows.filter((x) => x.model_id === m && Number(x.K) === K);
        const s = g.reduce((a, x) => a + Number(x.allocation), 0);
        expect(Math.abs(s - K)).toBeLessThan(1e-9 * K);
        const ysum = g.reduce((a, x) => a + Number(x.observation), 0);
        const short = g.reduce((a, x) => a + Number(x.shortfall), 0);
        expect(Number(g[0]!.score_total)).toBeCloseTo(short, 6);
        expect(Number(g[0]!.score_oracle)).toBe(Math.max(0, ysum - K));
        expect(Number(g[0]!.score_adjusted)).toBeCloseTo(
          Number(g[0]!.score_total) - Number(g[0]!.score_oracle),
          6,
        );
      }
    }
  });

  it('leaves the score columns empty without --truth, scales scores by --L, and filters', () => {
    const r = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      MO,
      '--K',
      '5000',
      '--model',
      'FluSight-ensemble',
      '--reference-date',
      '2025-02-01',
      '--target',
      'wk inc flu hosp',
      '--horizon',
      '1',
      '--locations',
      '01,6,72',
    ]);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows.map((x) => x.location)).toEqual(['01', '06', '72']);
    expect(rows.every((x) => x.observation === '' && x.score_total === '' && x.status === 'ok')).toBe(true);
    const out = join(tempDir(), 'a.csv');
    const a = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      MO,
      '--truth',
      TD,
      '--K',
      '30000',
      '--L',
      '2',
      '--out',
      out,
      '--model',
      'FluSight-baseline',
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe('');
    const b = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      MO,
      '--truth',
      TD,
      '--K',
      '30000',
      '--model',
      'FluSight-baseline',
    ]);
    const ra = parseCsv(readFileSync(out, 'utf8'));
    const rb = parseCsv(b.stdout);
    expect(Number(ra[0]!.score_total)).toBeCloseTo(2 * Number(rb[0]!.score_total), 8);
    expect(ra[0]!.allocation).toBe(rb[0]!.allocation);
  });

  it('flags degenerate forecasts (bounded point-mass supports) in the status column', () => {
    const r = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      MO,
      '--K',
      '1000000',
      '--model',
      'UM-DeepOutbreak',
    ]);
    expect(r.code).toBe(0);
    expect(parseCsv(r.stdout).every((x) => x.status === 'degenerate')).toBe(true);
    expect(r.stderr).toMatch(/degenerate/);
  });

  it('lists incomplete forecasts as rows with a status on request (--include-incomplete)', () => {
    const r = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      MO,
      '--truth',
      TD,
      '--K',
      '20000',
      '--include-incomplete',
      '--quiet',
      '--model',
      'CEPH-Rtrend_fluH,CADPH-FluCAT_Ensemble,FluSight-baseline',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').slice(1);
    const inc = lines.filter((l) => l.includes('incomplete: missing location'));
    expect(inc.length).toBe(51 + 1);
    expect(lines.length).toBe(52 + 51 + 1);
    expect(
      inc.find((l) => l.startsWith('CADPH-FluCAT_Ensemble,2025-02-01,20000,06,,,3676,,,,,')),
    ).toBeDefined();
  });

  it('rejects bad input with one line and exit 2', () => {
    const neg = runCli(['forecast', 'allocate', '--forecasts', MO, '--K', '-5']);
    expect(neg.code).toBe(2);
    expect(neg.stderr).toMatchInlineSnapshot(`
      "allot: ALLOT_OUT_OF_RANGE: --K must be >= 0 (got -5)
      "
    `);
    const none = runCli(['forecast', 'allocate', '--forecasts', MO, '--K', '5', '--model', 'nope']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^allot: ALLOT_NO_MATCH: no quantile forecast in --forecasts .* matches --model nope/,
    );
    expect(none.stderr.trim().split('\n').length).toBe(1);
    const d = tempDir();
    const bad = (name: string, body: string): string => {
      const p = join(d, name);
      writeFileSync(p, body);
      return p;
    };
    const H =
      'reference_date,target,horizon,location,target_end_date,output_type,output_type_id,value,model_id';
    const lvl = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      bad('l.csv', `${H}\n2025-01-04,t,1,01,2025-01-11,quantile,1.5,3,m\n`),
      '--K',
      '5',
    ]);
    expect(lvl.code).toBe(2);
    expect(lvl.stderr).toMatch(
      /ALLOT_OUT_OF_RANGE: .*line 2: output_type_id \(quantile level\) must be a number in \(0, 1\) \(got "1.5"\)/,
    );
    const nn = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      bad('n.csv', `${H}\n2025-01-04,t,1,01,2025-01-11,quantile,0.5,abc,m\n`),
      '--K',
      '5',
    ]);
    expect(nn.code).toBe(2);
    expect(nn.stderr).toMatch(/ALLOT_PARSE_ERROR: .*line 2: value must be a number \(got "abc"\)/);
    const mc = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      bad('c.csv', 'reference_date,location,value\n'),
      '--K',
      '5',
    ]);
    expect(mc.code).toBe(2);
    expect(mc.stderr).toMatch(
      /ALLOT_MISSING_COLUMN: .*lacks columns target, horizon, output_type, output_type_id, model_id/,
    );
    const two = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      bad(
        't.csv',
        `${H}\n2025-01-04,a,1,01,2025-01-11,quantile,0.5,3,m\n2025-01-04,b,1,01,2025-01-11,quantile,0.5,3,m\n`,
      ),
      '--K',
      '5',
    ]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/several targets \("a", "b"\): choose one with --target/);
    const nf = runCli(['forecast', 'allocate', '--forecasts', join(d, 'missing.csv'), '--K', '5']);
    expect(nf.code).toBe(2);
    expect(nf.stderr).toMatch(/ALLOT_FILE_NOT_FOUND/);
  });

  it('runs the whole FluSight subset (288,696 rows) with a K grid', () => {
    const out = join(tempDir(), 'all.csv');
    const r = runCli([
      'forecast',
      'allocate',
      '--forecasts',
      join(HUB, 'model-output.csv'),
      '--truth',
      join(HUB, 'target-data.csv'),
      '--K',
      '10000,30000',
      '--out',
      out,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows.length - 1).toBe(189 * 2 * 52);
  });
});

describe('allot forecast score', () => {
  it('writes WIS rows per (model, date, location) and a per-model summary with relative skill', () => {
    const d = tempDir();
    const sum = join(d, 'summary.csv');
    const pin = join(d, 'pinball.csv');
    const r = runCli([
      'forecast',
      'score',
      '--forecasts',
      MO,
      '--truth',
      TD,
      '--baseline',
      'FluSight-baseline',
      '--summary',
      sum,
      '--pinball',
      pin,
    ]);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(Object.keys(rows[0]!)).toEqual([
      'model_id',
      'reference_date',
      'target',
      'horizon',
      'location',
      'target_end_date',
      'observation',
      'wis',
      'dispersion',
      'overprediction',
      'underprediction',
      'ae_median',
      'coverage_50',
      'coverage_95',
      'status',
    ]);
    expect(rows.length).toBe(52 * 3 + 51 + 1);
    for (const x of rows) {
      expect(Number(x.wis)).toBeCloseTo(
        Number(x.dispersion) + Number(x.overprediction) + Number(x.underprediction),
        9,
      );
    }
    const s = parseCsv(readFileSync(sum, 'utf8'));
    expect(s.find((x) => x.model_id === 'FluSight-baseline')!.relative_wis).toBe('1');
    expect(s.length).toBe(5);
    expect(r.stderr).toMatch(/per-model summary \(relative skill vs FluSight-baseline/);
    expect(readFileSync(pin, 'utf8').trim().split('\n').length - 1).toBe(rows.length * 23);
    const nb = runCli(['forecast', 'score', '--forecasts', MO, '--truth', TD, '--baseline', 'nobody']);
    expect(nb.code).toBe(2);
    expect(nb.stderr).toMatch(/baseline model "nobody" has no scored forecasts/);
    const nt = runCli(['forecast', 'score', '--forecasts', MO]);
    expect(nt.code).toBe(2);
    expect(nt.stderr).toMatch(/--truth/);
  });
});

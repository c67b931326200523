import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, runMain, SHARED, tempDir } from '../helpers/cli.js';

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
  it('writes one row per (model, date, K, location) of every complete forecast with the contract columns', async () => {
    // A real process (the others call the built CLI's main() in this one): the CSV is piped through stdout.
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

  it('leaves the score columns empty without --truth, scales scores by --L, and filters', async () => {
    const r = await runMain([
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
    const a = await runMain([
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
    const b = await runMain([
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

  it('flags degenerate forecasts (bounded point-mass supports) in the status column', async () => {
    const r = await runMain([
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

  it('lists incomplete forecasts as rows with a status on request (--include-incomplete)', async () => {
    const r = await runMain([
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

  // Bad input (negative K, no match, bad level, non-numeric value, missing columns, several targets, missing file)
  // is covered in test/cli/bad-input.test.ts, batched in one process of the built CLI.

  it('runs the whole FluSight subset (288,696 rows) with a K grid', async () => {
    const out = join(tempDir(), 'all.csv');
    const r = await runMain([
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
  it('writes WIS rows per (model, date, location) and a per-model summary with relative skill', async () => {
    const d = tempDir();
    const sum = join(d, 'summary.csv');
    const pin = join(d, 'pinball.csv');
    const r = await runMain([
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
    const nb = await runMain(['forecast', 'score', '--forecasts', MO, '--truth', TD, '--baseline', 'nobody']);
    expect(nb.code).toBe(2);
    expect(nb.stderr).toMatch(/baseline model "nobody" has no scored forecasts/);
    const nt = await runMain(['forecast', 'score', '--forecasts', MO]);
    expect(nt.code).toBe(2);
    expect(nt.stderr).toMatch(/--truth/);
  });
});

/** Integration tests of `allot dp ...`: the built CLI's main() in this process (runMain), one spawned run (runCli). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, runMain, SHARED, tempDir } from '../helpers/cli.js';

const REF = JSON.parse(readFileSync(join(SHARED, 'reference', 'dp-notebook.json'), 'utf8')) as {
  distance_sequence_deterministic_first_24: number[];
  markov_shocks: { distance_sequence: number[] };
};

function writeConfig(dir: string, cfg: unknown, name = 'config.json'): string {
  const p = join(dir, name);
  writeFileSync(p, typeof cfg === 'string' ? cfg : JSON.stringify(cfg));
  return p;
}

describe('allot dp solve', () => {
  it('solves the notebook deterministic config to RESULT.json on stdout', async () => {
    const r = await runMain([
      'dp',
      'solve',
      '--config',
      join(REPO_ROOT, 'fixtures', 'dp', 'deterministic.json'),
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(res).sort()).toEqual(
      ['converged', 'distances', 'grid', 'iterations', 'policy', 'seconds', 'value'].sort(),
    );
    expect(res['converged']).toBe(true);
    const d = res['distances'] as number[];
    expect(d).toHaveLength(res['iterations'] as number);
    REF.distance_sequence_deterministic_first_24.forEach((v, i) => {
      expect(Math.abs(d[i]! - v) / v).toBeLessThan(1e-8);
    });
    expect(res['grid'] as number[]).toHaveLength(30);
    expect((res['value'] as number[]).every((v) => typeof v === 'number')).toBe(true);
    expect(res['policy'] as number[]).toHaveLength(30);
    expect(typeof res['seconds']).toBe('number');
    expect(r.stderr).toMatch(/converged after \d+ iterations/);
  });

  it('writes --out and --plot files; with shocks value and policy are [grid][shock]', async () => {
    const dir = tempDir();
    const cfg = JSON.parse(readFileSync(join(REPO_ROOT, 'fixtures', 'dp', 'markov.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    cfg['beta'] = 0.3;
    const out = join(dir, 'result.json');
    const r = await runMain([
      'dp',
      'solve',
      '--config',
      writeConfig(dir, cfg),
      '--out',
      out,
      '--plot',
      join(dir, 'mk'),
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const res = JSON.parse(readFileSync(out, 'utf8')) as {
      iterations: number;
      converged: boolean;
      value: number[][];
      policy: number[][];
      distances: number[];
      shocks: number[];
    };
    expect(res.iterations).toBe(14);
    expect(res.converged).toBe(true);
    expect(res.value).toHaveLength(30);
    expect(res.value[0]).toHaveLength(5);
    expect(res.policy[29]).toHaveLength(5);
    expect(res.shocks).toEqual([-1.4, -0.55, 0, 0.55, 1.4]);
    expect(Math.abs(res.distances[13]! - REF.markov_shocks.distance_sequence[13]!) / 2.2e-9).toBeLessThan(
      1e-6,
    );
    for (const f of ['mk-value.svg', 'mk-policy.svg']) {
      const svg = readFileSync(join(dir, f), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
    }
    expect(readFileSync(join(dir, 'mk-policy.svg'), 'utf8')).toContain('45-degree line');
  });

  it('hitting the iteration cap is converged: false with exit 0', async () => {
    const dir = tempDir();
    const r = await runMain(['dp', 'solve', '--config', writeConfig(dir, { stop: { maxIterations: 3 } })]);
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as { converged: boolean; iterations: number };
    expect(res).toMatchObject({ converged: false, iterations: 3 });
  });

  // Config errors (not increasing, not positive, beta, probabilities, shapes, too few points, 1e999, unknown keys,
  // invalid JSON) are in test/cli/bad-input.test.ts, batched in one process of the built CLI.

  it('rejects a transition row not summing to 1, naming the row exactly', async () => {
    const dir = tempDir();
    const r = await runMain([
      'dp',
      'solve',
      '--config',
      writeConfig(dir, {
        shocks: {
          values: [0, 1],
          transition: [
            [0.5, 0.5],
            [0.2, 0.7],
          ],
        },
      }),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "allot: ALLOT_OUT_OF_RANGE: shocks.transition[1] must sum to 1 within 1e-9 (got sum 0.8999999999999999)
      "
    `);
  });

  it('a missing config file and a missing --config are exit 2', async () => {
    const r = await runMain(['dp', 'solve', '--config', '/nonexistent/cfg.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^allot: ALLOT_FILE_NOT_FOUND: --config \/nonexistent\/cfg.json cannot be read/);
    const r2 = await runMain(['dp', 'solve']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--config/);
  });
});

describe('allot dp tauchen and dp simulate', () => {
  it('tauchen prints states and a stochastic transition matrix usable as shocks', async () => {
    const r = await runMain(['dp', 'tauchen', '--states', '7', '--rho', '0.8', '--sigma', '0.3']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as { values: number[]; transition: number[][] };
    expect(c.values).toHaveLength(7);
    for (const row of c.transition) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    const bad = await runMain(['dp', 'tauchen', '--states', '7', '--rho', '1.5', '--sigma', '0.3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^allot: ALLOT_OUT_OF_RANGE: --rho must be in \(-1, 1\) \(got 1.5\)/);
  });

  it('simulate prints a seeded, feasible path', async () => {
    const cfg = join(REPO_ROOT, 'fixtures', 'dp', 'iid.json');
    const a = await runMain([
      'dp',
      'simulate',
      '--config',
      cfg,
      '--w0',
      '6',
      '--periods',
      '10',
      '--seed',
      '5',
    ]);
    const b = runCli(['dp', 'simulate', '--config', cfg, '--w0', '6', '--periods', '10', '--seed', '5']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout); // b is a real process: same seed, same path across processes
    const p = JSON.parse(a.stdout) as { cake: number[]; consumption: number[]; shocks: number[] };
    expect(p.cake).toHaveLength(11);
    expect(p.cake[0]).toBe(6);
    for (let t = 0; t < 10; t++) expect(p.cake[t + 1]!).toBeLessThanOrEqual(p.cake[t]!);
    const bad = await runMain(['dp', 'simulate', '--config', cfg, '--w0', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--w0 must be > 0/);
  });
});

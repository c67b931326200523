/**
 * The package as a new user gets it: `npm pack` (the "files" of package.json, nothing else), unpacked into an empty
 * project's node_modules, then `npx allot reproduce all --smoke` and a library import run there, with no shared
 * folder in reach (ALLOT_SHARED unset). The dependencies are linked from this repository's node_modules, so the test
 * needs no network; what it checks is that the tarball itself carries everything the CLI and the library load.
 * It also carries the per-domain checks of the smoke run (one run of `reproduce all --smoke` for both).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const DOMAINS = ['dp', 'forecast', 'budget', 'rank', 'explore', 'evaluate'];
/** Domains whose smoke run does not work from the installed package yet (owner, reason). */
const KNOWN_FAILING: Readonly<Record<string, string>> = {};

let proj = '';
let smoke: { code: number | null; stdout: string; stderr: string } = { code: null, stdout: '', stderr: '' };

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete e['ALLOT_SHARED'];
  delete e['ALLOT_OBD_DIR'];
  return e;
}

beforeAll(() => {
  const dir = tempDir('allot-pack-');
  // --ignore-scripts: `npm test` has just built dist/; `prepare` would rebuild it.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string }[];
  proj = join(dir, 'proj');
  const pkgDir = join(proj, 'node_modules', 'allot');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, packed[0]!.filename), '-C', pkgDir, '--strip-components=1']);
  // The dependencies, as `npm install` would have put them beside the package.
  const nm = join(REPO_ROOT, 'node_modules');
  for (const e of readdirSync(nm)) {
    if (e === 'allot' || e === '.bin') continue;
    symlinkSync(join(nm, e), join(proj, 'node_modules', e));
  }
  mkdirSync(join(proj, 'node_modules', '.bin'));
  symlinkSync(join('..', 'allot', 'bin', 'allot.js'), join(proj, 'node_modules', '.bin', 'allot'));
  writeFileSync(join(proj, 'package.json'), '{ "name": "new-user", "private": true, "type": "module" }\n');
  const r = spawnSync(
    'npx',
    ['--no-install', 'allot', 'reproduce', 'all', '--smoke', '--workers', '1', '--out', 'out'],
    {
      cwd: proj,
      env: env(),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  smoke = { code: r.status, stdout: r.stdout, stderr: r.stderr };
}, 300_000);

describe('the packed and installed package', () => {
  it('ships no test, source map of missing sources or repository-only folder', () => {
    const files: string[] = [];
    const walk = (d: string, rel: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
        else files.push(join(rel, e.name));
      }
    };
    walk(join(proj, 'node_modules', 'allot'), '');
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('bench/'))).toBe(
      false,
    );
    expect(files).toContain(join('bin', 'allot.js'));
    expect(files).toContain(join('dist', 'index.js'));
  });

  it('a library import works from the installed package (root entry and a domain entry)', () => {
    // The README's quick start, verbatim in substance.
    const code = [
      "import * as allot from 'allot';",
      "import { budgeted, linear } from 'allot/bandits';",
      "import { createRng } from 'allot/core';",
      "import { createQuantileDistribution, solveAllocation } from 'allot/forecast';",
      "const bandit = linear.createLinearBandit({ d: 2, algorithm: 'linucb' });",
      'const xs = Float64Array.from([1, 0, 0, 1, 0.7, 0.7]);',
      'const chosen = linear.decideLinearTopL(bandit, xs, 3, 1, createRng(1));',
      'linear.observeLinear(bandit, xs, chosen[0] * 2, 1, 1);',
      'const theta = Array.from(linear.linearMean(bandit));',
      'const sol = budgeted.solveIlfp([0.9, 0.5, 0.4], [0.5, 0.2, 0.1], 2);',
      'if (allot.bandits.budgeted.solveIlfp !== budgeted.solveIlfp) throw new Error("two copies of the module");',
      'const levels = [0.1, 0.5, 0.9];',
      'const F = [createQuantileDistribution(levels, [10, 20, 35]), createQuantileDistribution(levels, [1, 4, 9])];',
      'const x = Array.from(solveAllocation(F, [30])[0].x);',
      'console.log(JSON.stringify({ chosen: Array.from(chosen), theta, arms: sol.arms, x }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: proj,
      env: env(),
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const got = JSON.parse(r.stdout) as { chosen: number[]; theta: number[]; arms: number[]; x: number[] };
    expect(got.chosen).toEqual([0]);
    expect(got.theta).toEqual([0.5, 0]);
    expect(got.arms).toEqual([1, 2]);
    // docs/forecast.md: x = [24.54, 5.46], summing to K = 30.
    expect(got.x[0]).toBeCloseTo(24.539445, 5);
    expect(got.x[0]! + got.x[1]!).toBeCloseTo(30, 9);
  });

  for (const d of DOMAINS) {
    const body = (): void => {
      expect(smoke.stderr).toContain(`reproduce ${d} (smoke)`);
      const dir = join(proj, 'out', d);
      const report = readFileSync(join(dir, 'report.md'), 'utf8');
      expect(report.length).toBeGreaterThan(500);
      expect(report).not.toMatch(/\bNaN\b|undefined/);
      const files = readdirSync(dir);
      const svgs = files.filter((f) => f.endsWith('.svg'));
      expect(svgs.length).toBeGreaterThan(0);
      for (const f of svgs) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^<svg/);
      const json = files.filter((f) => f.endsWith('.json'));
      expect(json.length).toBeGreaterThan(0);
      for (const f of json) expect(() => JSON.parse(readFileSync(join(dir, f), 'utf8'))).not.toThrow();
    };
    const reason = KNOWN_FAILING[d];
    if (reason === undefined)
      it(`npx allot reproduce all --smoke writes the ${d} report, plots and JSON`, body);
    else it.fails(`npx allot reproduce all --smoke writes the ${d} report [known failure: ${reason}]`, body);
  }

  const allOk = (): void => {
    expect(smoke.stderr).not.toMatch(/allot: ALLOT_/);
    expect(smoke.code).toBe(0);
    expect(smoke.stdout.trim().split('\n')).toEqual(DOMAINS.map((d) => join(proj, 'out', d, 'report.md')));
  };
  if (Object.keys(KNOWN_FAILING).length === 0)
    it('reproduce all --smoke exits 0 and prints every report path', allOk);
  else
    it.fails('reproduce all --smoke exits 0 and prints every report path [known failure: see above]', allOk);
});

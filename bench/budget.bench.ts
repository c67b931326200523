/**
 * Budget domain: the exact ILFP oracle against the paper's method (the Charnes–Cooper LP, here solved by
 * javascript-lp-solver's simplex, used only in this bench), one MRCB run, and the full Table 2 reproduction.
 */
import { loadavg } from 'node:os';
import lpSolver from 'javascript-lp-solver';
import { createMrcb } from '../src/bandits/budgeted/mrcb.js';
import { createIlfpWorkspace, ilfpOracleInto, ZERO_COST_MAX_REWARD } from '../src/bandits/budgeted/oracle.js';
import { runBudgetSimulations } from '../src/cli/commands/budget.js';
import { createRng } from '../src/core/rng.js';
import { createBudgetedEnv, generateBudgetedInstance } from '../src/sim/budgeted/env.js';
import { runBudgetedEpisode } from '../src/sim/budgeted/run.js';
import type { PoolStats } from '../src/sim/pool.js';
import { compare, consume, type Reporter, wallMs } from './harness.js';

// The package's CommonJS entry and its ESM typings disagree on the default export's shape under NodeNext.
const solver = lpSolver as unknown as { Solve(model: unknown): unknown };

/**
 * Algorithm 2 of the paper with an LP solver: max a'y s.t. sum y - L z = 0, b'y = 1, 0 <= y_i <= z, z >= 0; then
 * I = {y_i = z} completed from F = {0 < y_i < z}. Returns the chosen arms.
 */
function lpOracle(a: Float64Array, b: Float64Array, L: number): number[] {
  const K = a.length;
  const constraints: Record<string, { equal?: number; max?: number }> = {
    sum: { equal: 0 },
    norm: { equal: 1 },
  };
  const variables: Record<string, Record<string, number>> = { z: { sum: -L } };
  for (let i = 0; i < K; i++) {
    constraints[`cap${i}`] = { max: 0 };
    variables['z']![`cap${i}`] = -1;
    variables[`y${i}`] = { obj: a[i]!, sum: 1, norm: b[i]!, [`cap${i}`]: 1 };
  }
  const res = solver.Solve({ optimize: 'obj', opType: 'max', constraints, variables }) as Record<
    string,
    number
  >;
  const z = res['z'] ?? 0;
  const full: number[] = [];
  const frac: number[] = [];
  for (let i = 0; i < K; i++) {
    const y = res[`y${i}`] ?? 0;
    if (Math.abs(y - z) <= 1e-9 * Math.max(1, z)) full.push(i);
    else if (y > 1e-12) frac.push(i);
  }
  return [...full, ...frac].slice(0, L).sort((x, y) => x - y);
}

export async function run(report: Reporter): Promise<void> {
  const K = 50;
  const L = 5;
  const rng = createRng(11);
  // 64 random instances (positive costs, as in MRCB's rounds after initialisation), cycled through.
  const insts = Array.from({ length: 64 }, () => ({
    a: Float64Array.from({ length: K }, () => 0.05 + 0.95 * rng.uniform()),
    b: Float64Array.from({ length: K }, () => 0.01 + 0.99 * rng.uniform()),
  }));
  const ws = createIlfpWorkspace(K);
  const out = new Int32Array(L);
  // Both methods must agree before they are timed.
  let agree = 0;
  for (const { a, b } of insts) {
    ilfpOracleInto(K, a, b, L, out, ws, ZERO_COST_MAX_REWARD, false, null);
    if (lpOracle(a, b, L).join(',') === Array.from(out).join(',')) agree++;
  }
  let k1 = 0;
  let k2 = 0;
  const c = compare(
    {
      name: 'lp',
      fn: () => {
        const x = insts[k1++ & 63]!;
        return lpOracle(x.a, x.b, L).length;
      },
    },
    {
      name: 'dinkelbach',
      fn: () => {
        const x = insts[k2++ & 63]!;
        return ilfpOracleInto(K, x.a, x.b, L, out, ws, ZERO_COST_MAX_REWARD, false, null);
      },
    },
    { batches: 9 },
  );
  report.row({
    suite: 'budget',
    name: `ILFP oracle O(a,b,L), K=${K}, L=${L} (Dinkelbach)`,
    value: c.candidate.nsPerOp / 1e3,
    unit: 'µs/op',
    note: `same answer as the LP on ${agree}/64 instances`,
  });
  report.row({
    suite: 'budget',
    name: '  Charnes–Cooper LP (javascript-lp-solver simplex)',
    value: c.baseline.nsPerOp / 1e3,
    unit: 'µs/op',
  });
  report.row({
    suite: 'budget',
    name: '  speed-up of the exact oracle over the LP',
    value: c.speedup,
    unit: 'x',
    note: `load ${c.candidate.load.toFixed(2)}`,
  });

  const instance = generateBudgetedInstance({ dist: 'multinomial', K, seed: 1 });
  const env = createBudgetedEnv(instance);
  const times: number[] = [];
  let rounds = 0;
  for (let r = 0; r < 5; r++) {
    times.push(
      await wallMs(() => {
        const ep = runBudgetedEpisode(env, createMrcb(K, L), 50_000, [50_000], createRng(r));
        rounds = ep.rounds;
        return ep.reward;
      }),
    );
  }
  times.sort((x, y) => x - y);
  report.row({
    suite: 'budget',
    name: `MRCB run, K=${K}, L=${L}, B=50,000 (multinomial; median of 5)`,
    value: times[2]!,
    unit: 'ms',
    note: `${rounds} rounds, ${((times[2]! * 1e3) / rounds).toFixed(2)} µs/round`,
  });

  // The full Table 2 reproduction: 2 settings x 5 policies x 100 runs on 2 worker threads, on one pool (minutes;
  // set ALLOT_BENCH_SKIP_LONG=1 to skip it, ALLOT_BENCH_BUDGET_RUNS=n for n runs per setting).
  if (process.env['ALLOT_BENCH_SKIP_LONG']) return;
  const runs = Number(process.env['ALLOT_BENCH_BUDGET_RUNS'] ?? 100);
  const settings = [10, 50].map((arms) => ({
    dist: 'multinomial' as const,
    arms,
    plays: 1,
    budget: 50_000,
    instanceSeed: 1,
    runs,
    seed: 1,
    policies: ['mrcb', 'bts', 'kube', 'eps-first', 'ucb-bv1'],
    scheme: 'R' as const,
    kappa: 0.0625,
    epsilon: 0.1,
    correlation: 0,
    checkpoints: Array.from({ length: 10 }, (_, k) => 5000 * (k + 1)),
  }));
  const stats: PoolStats = { wallMs: 0, busyMs: [], done: [] };
  const load0 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  let results: Awaited<ReturnType<typeof runBudgetSimulations>> = [];
  const t2 = await wallMs(async () => {
    results = await runBudgetSimulations(settings, { workers: 2, progress: false, stats });
    consume(results);
  });
  const cpu = process.cpuUsage(cpu0);
  const load = `load ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}`;
  report.row({
    suite: 'budget',
    name: `Table 2 reproduction (2 settings x 5 policies x ${runs} runs), 2 workers`,
    value: t2 / 1000,
    unit: 's',
    note: `target < 120 s at 100 runs; ${load}`,
  });
  report.row({
    suite: 'budget',
    name: '  CPU of the process (all threads, user + system)',
    value: (cpu.user + cpu.system) / 1e6,
    unit: 's',
  });
  stats.busyMs.forEach((b, k) => {
    report.row({
      suite: 'budget',
      name: `  worker ${k + 1} busy (${stats.done[k]} (run, policy) jobs)`,
      value: b / 1000,
      unit: 's',
      note: `idle ${(((stats.wallMs - b) / stats.wallMs) * 100).toFixed(1)} % of the pool's ${(stats.wallMs / 1000).toFixed(1)} s`,
    });
  });
  for (const [k, res] of results.entries()) {
    const total = res.policies.reduce((a, p) => a + p.seconds, 0);
    report.row({
      suite: 'budget',
      name: `  K = ${settings[k]!.arms}: job time summed over runs (worker wall)`,
      value: total,
      unit: 's',
      note: res.policies.map((p) => `${p.name} ${((100 * p.seconds) / total).toFixed(0)} %`).join(', '),
    });
  }
}

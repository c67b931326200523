/**
 * dp: the cake-eating notebook's three solves (deterministic, i.i.d. shocks, Markov shocks) against the notebook's
 * own Python/scipy code timed in the same run (when Debian's python3-numpy and python3-scipy are installed; otherwise
 * against the figures stated in the issue, labelled as such), and the scale case: a 1,000-point grid with 7 Markov
 * states from Tauchen's method.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { type CakeEatingConfig, matrixRows, solveCakeEating, tauchen } from '../src/dp/index.js';
import { consume, measure, type Reporter, wallMs } from './harness.js';

const EPS = [-1.4, -0.55, 0, 0.55, 1.4];
const PROB = [0.1, 0.2, 0.4, 0.2, 0.1];
const TRANSITION = [
  [0.4, 0.28, 0.18, 0.1, 0.04],
  [0.2, 0.4, 0.2, 0.13, 0.07],
  [0.1, 0.2, 0.4, 0.2, 0.1],
  [0.07, 0.13, 0.2, 0.4, 0.2],
  [0.04, 0.1, 0.18, 0.28, 0.4],
];

/** The notebook's three solves (the Markov one at the beta that reproduces its printed run, and as written). */
const CASES: { key: string; name: string; cfg: CakeEatingConfig; issueSeconds?: number }[] = [
  { key: 'det', name: 'deterministic (beta 0.9)', cfg: {}, issueSeconds: 0.7 },
  {
    key: 'iid',
    name: 'i.i.d. shocks (beta 0.9)',
    cfg: { shocks: { values: EPS, probabilities: PROB } },
    issueSeconds: 4.2,
  },
  {
    key: 'markov0.3',
    name: 'Markov shocks (beta 0.3, printed run)',
    cfg: { beta: 0.3, shocks: { values: EPS, transition: TRANSITION } },
  },
  {
    key: 'markov0.9',
    name: 'Markov shocks (beta 0.9, as written)',
    cfg: { shocks: { values: EPS, transition: TRANSITION } },
  },
];

/** The notebook's code (cells In [2], [14], the i.i.d. cell and In [33]), prints suppressed, timed per solve. */
const NOTEBOOK_PY = `
import time, json, sys
import numpy as np
import scipy.optimize as opt
import scipy.interpolate as intpl
beta = 0.9; gamma = 2.2; W_min = 0.1; W_max = 10.0; W_size = 30
W_vec = np.linspace(W_min, W_max, W_size)
def util_CRRA(W, W_pr, gamma):
    c = W - W_pr
    return (c ** (1 - gamma) - 1) / (1 - gamma)
def neg_V(W_pr, *args):
    W_init, util, V_t_interp, gamma, beta = args
    return -(util(W_init, W_pr, gamma) + beta * V_t_interp(W_pr))
def neg_V_iid(W_pr, *args):
    W, eps, util, Exp_V_t_interp, gamma, beta = args
    return -(np.exp(eps) * util(W, W_pr, gamma) + beta * Exp_V_t_interp(W_pr))
eps_vec = np.array([-1.40, -0.55, 0.0, 0.55, 1.4]); eps_prob = np.array([0.1, 0.2, 0.4, 0.2, 0.1]); eps_size = 5
trans_mat = np.array([[0.40, 0.28, 0.18, 0.10, 0.04], [0.20, 0.40, 0.20, 0.13, 0.07], [0.10, 0.20, 0.40, 0.20, 0.10],
                      [0.07, 0.13, 0.20, 0.40, 0.20], [0.04, 0.10, 0.18, 0.28, 0.40]])
def det(beta):
    V_init = np.log(W_vec); V_new = V_init.copy(); VF_iter = 0; VF_dist = 10
    while (VF_iter < 200) and (VF_dist > 1e-8):
        VF_iter += 1
        V_init = V_new.copy(); V_new = np.zeros(W_size); psi_vec = np.zeros(W_size)
        V_init_interp = intpl.interp1d(W_vec, V_init, kind='cubic', fill_value='extrapolate')
        for W_ind in range(W_size):
            W_init = W_vec[W_ind]
            r = opt.minimize_scalar(neg_V, bounds=(1e-10, W_init - 1e-10), args=(W_init, util_CRRA, V_init_interp, gamma, beta), method='bounded')
            V_new[W_ind] = -r.fun; psi_vec[W_ind] = r.x
        VF_dist = ((V_init - V_new) ** 2).sum()
    return VF_iter, VF_dist
def iid(beta):
    V_init = np.zeros((W_size, eps_size)); V_new = V_init.copy(); VF_iter = 0; VF_dist = 10
    while (VF_iter < 200) and (VF_dist > 1e-8):
        VF_iter += 1
        V_init = V_new.copy(); V_new = np.zeros((W_size, eps_size)); psi_mat = np.zeros((W_size, eps_size))
        Exp_V = V_init @ eps_prob.reshape((eps_size, 1))
        Exp_V_interp = intpl.interp1d(W_vec, Exp_V.flatten(), kind='cubic', fill_value='extrapolate')
        for eps_ind in range(eps_size):
            for W_ind in range(W_size):
                W = W_vec[W_ind]; eps = eps_vec[eps_ind]
                r = opt.minimize_scalar(neg_V_iid, bounds=(1e-10, W - 1e-10), args=(W, eps, util_CRRA, Exp_V_interp, gamma, beta), method='bounded')
                V_new[W_ind, eps_ind] = -r.fun; psi_mat[W_ind, eps_ind] = r.x
        VF_dist = ((V_init - V_new) ** 2).sum()
    return VF_iter, VF_dist
def markov(beta):
    V_init = np.zeros((W_size, eps_size)); V_new = V_init.copy(); VF_iter = 0; VF_dist = 10
    while (VF_iter < 200) and (VF_dist > 1e-8):
        VF_iter += 1
        V_init = V_new.copy(); V_new = np.zeros((W_size, eps_size)); psi_mat = np.zeros((W_size, eps_size))
        for eps_ind in range(eps_size):
            Exp_V = V_init @ trans_mat[eps_ind, :].reshape((eps_size, 1))
            Exp_V_interp = intpl.interp1d(W_vec, Exp_V.flatten(), kind='cubic', fill_value='extrapolate')
            for W_ind in range(W_size):
                W = W_vec[W_ind]; eps = eps_vec[eps_ind]
                r = opt.minimize_scalar(neg_V_iid, bounds=(1e-10, W - 1e-10), args=(W, eps, util_CRRA, Exp_V_interp, gamma, beta), method='bounded')
                V_new[W_ind, eps_ind] = -r.fun; psi_mat[W_ind, eps_ind] = r.x
        VF_dist = ((V_init - V_new) ** 2).sum()
    return VF_iter, VF_dist
out = {}
for key in sys.argv[1:]:
    t0 = time.perf_counter()
    if key == 'det': it, d = det(0.9)
    elif key == 'iid': it, d = iid(0.9)
    else: it, d = markov(float(key[6:]))
    out[key] = {'seconds': time.perf_counter() - t0, 'iterations': it, 'distance': d}
print(json.dumps(out))
`;

interface PyTiming {
  readonly seconds: number;
  readonly iterations: number;
  readonly distance: number;
}

/** Times the notebook's Python code, or null (with the reason) when numpy/scipy are missing. */
function timePython(keys: readonly string[]): { timings: Record<string, PyTiming> | null; reason: string } {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import numpy, scipy; print(scipy.__version__)'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0)
    return { timings: null, reason: '/usr/bin/python3 with numpy and scipy not available' };
  const r = spawnSync('/usr/bin/python3', ['-', ...keys], {
    input: NOTEBOOK_PY,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0)
    return { timings: null, reason: `python run failed: ${r.stderr.trim().split('\n').at(-1)}` };
  return {
    timings: JSON.parse(r.stdout) as Record<string, PyTiming>,
    reason: `scipy ${probe.stdout.trim()}`,
  };
}

/**
 * One solve of the deterministic case in a fresh Node process, as `allot dp solve` does it: the module is loaded, then
 * only the solve is timed (wall and process CPU, the JIT's compiler threads included).
 */
const ONE_SHOT = `
const { solveCakeEating } = await import(process.env.ALLOT_DP_CAKE);
const c0 = process.cpuUsage();
const t0 = performance.now();
const s = solveCakeEating({});
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1e3, iterations: s.iterations }));
`;

/** Cold (fresh process) against warm (this process, after calibration) solves of the deterministic case. */
function oneShotVsWarm(report: Reporter): void {
  const cake = new URL('../src/dp/cake.ts', import.meta.url).href;
  const cold: number[] = [];
  const coldCpu: number[] = [];
  const warm: number[] = [];
  const warmCpu: number[] = [];
  for (let r = 0; r < 7; r++) {
    const p = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ONE_SHOT], {
      encoding: 'utf8',
      env: { ...process.env, ALLOT_DP_CAKE: cake },
    });
    if (p.status !== 0) throw new Error(`one-shot solve failed: ${p.stderr}`);
    const o = JSON.parse(p.stdout) as { ms: number; cpuMs: number };
    cold.push(o.ms);
    coldCpu.push(o.cpuMs);
    // Interleaved: a warm median right after each cold run, under the same load.
    warm.push(
      measure('det', () => solveCakeEating({}).iterations, { batches: 3, batchMs: 40 }).nsPerOp / 1e6,
    );
    // CPU time per warm solve: on a shared machine it moves less with the load than wall time does.
    const c0 = process.cpuUsage();
    for (let k = 0; k < 10; k++) consume(solveCakeEating({}).iterations);
    const c = process.cpuUsage(c0);
    warmCpu.push((c.user + c.system) / 1e4);
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  report.row({
    suite: 'dp',
    name: 'one-shot solve (fresh process, as allot dp solve), deterministic',
    value: med(cold),
    unit: 'ms',
    note: `median of 7; process CPU ${med(coldCpu).toFixed(1)} ms (JIT threads included), load ${loadavg()[0]!.toFixed(2)}`,
  });
  report.row({
    suite: 'dp',
    name: '  warm solve in this process, interleaved',
    value: med(warm),
    unit: 'ms',
    note: `process CPU ${med(warmCpu).toFixed(1)} ms per solve`,
  });
  report.row({
    suite: 'dp',
    name: '  one-shot / warm, wall',
    value: med(cold) / med(warm),
    unit: 'x',
    note: 'target <= 2x; bounded by V8 tier-up: the first iterations run interpreted until TurboFan code is ready',
  });
  report.row({
    suite: 'dp',
    name: '  one-shot / warm, process CPU',
    value: med(coldCpu) / med(warmCpu),
    unit: 'x',
  });
}

export async function run(report: Reporter): Promise<void> {
  oneShotVsWarm(report);
  // allot first (warmed up by measure's calibration), then Python, then allot again: the better of the two medians
  // is compared, so neither side is favoured by a load change during the long Python run.
  const tsBefore: Record<string, Record<string, number>> = {};
  for (const kernel of ['exact', 'fast'] as const) {
    tsBefore[kernel] = {};
    for (const c of CASES) {
      const cfg = { ...c.cfg, kernel };
      tsBefore[kernel]![c.key] =
        measure(c.key, () => solveCakeEating(cfg).iterations, { batches: 7, batchMs: 60 }).nsPerOp / 1e6;
    }
  }
  const py = timePython(CASES.map((c) => c.key));
  const loadAfterPython = loadavg()[0]!;
  for (const kernel of ['exact', 'fast'] as const) {
    for (const c of CASES) {
      const cfg = { ...c.cfg, kernel };
      const again =
        measure(c.key, () => solveCakeEating(cfg).iterations, { batches: 7, batchMs: 60 }).nsPerOp / 1e6;
      const ms = Math.min(again, tsBefore[kernel]![c.key]!);
      const sol = solveCakeEating(cfg);
      report.row({
        suite: 'dp',
        name: `notebook ${c.name}, allot ${kernel} kernel`,
        value: ms,
        unit: 'ms',
        note: `${sol.iterations} iterations, load ${loadavg()[0]!.toFixed(2)}`,
      });
      const pyT = py.timings?.[c.key];
      if (pyT !== undefined) {
        if (kernel === 'exact') {
          report.row({
            suite: 'dp',
            name: `notebook ${c.name}, Python/scipy (measured)`,
            value: pyT.seconds * 1e3,
            unit: 'ms',
            note: `${pyT.iterations} iterations, ${py.reason}, load ${loadAfterPython.toFixed(2)}`,
          });
        }
        report.row({
          suite: 'dp',
          name: `  speed-up of allot ${kernel} vs Python/scipy (measured)`,
          value: (pyT.seconds * 1e3) / ms,
          unit: 'x',
          note: 'target >= 100x',
        });
      } else if (c.issueSeconds !== undefined) {
        report.row({
          suite: 'dp',
          name: `  speed-up of allot ${kernel} vs the issue's stated ${c.issueSeconds} s (not measured)`,
          value: (c.issueSeconds * 1e3) / ms,
          unit: 'x',
          note: py.reason,
        });
      }
    }
  }

  if (process.env['ALLOT_BENCH_SKIP_LONG']) return; // the scale case takes tens of seconds

  // Scale: 1,000 grid points x 7 Markov states (Tauchen, rho 0.9, sigma 0.1), sup-norm stop at 1e-6. The notebook's
  // cubic spline extrapolated below the grid does not settle on so fine a grid (the end cubic is continued over ten
  // grid steps down to W' = 1e-10), so the converging variants clamp the spline below the grid or use PCHIP; the
  // notebook's own setting is timed too, with its 200-iteration cap, and reported as not converged if so.
  const chain = tauchen(7, 0.9, 0.1);
  const variants: { name: string; cfg: CakeEatingConfig }[] = [
    { name: 'cubic, clamped below the grid, exact kernel', cfg: { extrapolation: 'clamp', kernel: 'exact' } },
    { name: 'cubic, clamped below the grid, fast kernel', cfg: { extrapolation: 'clamp', kernel: 'fast' } },
    { name: 'pchip, exact kernel', cfg: { interpolation: 'pchip', kernel: 'exact' } },
    {
      name: "cubic extrapolated (notebook's setting), 200-iteration cap",
      cfg: { kernel: 'exact', stop: { metric: 'sup', tolerance: 1e-6, maxIterations: 200 } },
    },
  ];
  for (const v of variants) {
    const cfg: CakeEatingConfig = {
      grid: { min: 0.1, max: 10, size: 1000 },
      shocks: { values: Array.from(chain.values), transition: matrixRows(7, chain.transition) },
      stop: { metric: 'sup', tolerance: 1e-6, maxIterations: 1000 },
      ...v.cfg,
    };
    let iterations = 0;
    let converged = false;
    let last = 0;
    const ms = await wallMs(() => {
      const s = solveCakeEating(cfg);
      iterations = s.iterations;
      converged = s.converged;
      last = s.distances.at(-1)!;
      consume(s.value[0]);
    });
    report.row({
      suite: 'dp',
      name: `scale: 1,000 x 7 Markov, ${v.name}`,
      value: ms,
      unit: 'ms',
      note:
        `${iterations} iterations, ${converged ? 'converged' : 'NOT converged'} (sup distance ${last.toExponential(2)}), ` +
        `${(((ms / iterations) * 1e3) / 7000).toFixed(2)} us per grid point and shock, load ${loadavg()[0]!.toFixed(2)}`,
    });
  }
}

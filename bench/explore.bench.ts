/**
 * explore: one multi-task UCB decision over 300 topics against a naive implementation (measured interleaved in the
 * same run), P for one user by quadrature against 1,000 Monte Carlo draws, the hand-written incomplete Beta against
 * @stdlib's, the exploration-efficiency metrics at 100,000 users x 30 topics (P by quadrature) on the worker pool,
 * and the default simulation (20,000 users, 300 items in 30 topics, 14 + 21 + 14 days, the experiment and its
 * counterfactual) end to end, beside the same world with one item per topic. Wall times with the load average and
 * the process's CPU time (all threads).
 */
import { availableParallelism, loadavg } from 'node:os';
import { createMultiTaskUcb, multiTaskUcbSelect } from '../src/bandits/mab/index.js';
import { runExploreReplications } from '../src/cli/commands/explore.js';
import { betaCdf } from '../src/core/dist.js';
import { createRng } from '../src/core/rng.js';
import {
  betaPosteriorInto,
  createMaxProbabilityWork,
  createQuadratureWork,
  lnBeta,
  METRICS_JOB_MODULE,
  maxProbabilitiesInto,
  maxProbabilitiesQuadratureInto,
  regularizedIncompleteBeta,
  type SyntheticMetricsInput,
  type SyntheticMetricsResult,
} from '../src/experiments/index.js';
import { runReplications } from '../src/sim/pool.js';
import { compare, consume, type Reporter, wallMs } from './harness.js';

/** The straightforward version: arrays of objects, a closure per arm, Math.log recomputed per arm. */
interface NaiveArm {
  arm: number;
  predictions: number[];
  count: number;
}

function naiveDecide(
  arms: NaiveArm[],
  alpha: number[],
  available: number[],
  total: number,
  gamma: number,
): number {
  const scored = arms
    .filter((a) => available.includes(a.arm))
    .map((a) => ({
      arm: a.arm,
      score:
        a.predictions.reduce((s, r, t) => s + alpha[t]! * r, 0) +
        (a.count === 0 ? Number.POSITIVE_INFINITY : gamma * Math.sqrt(Math.log(total) / a.count)),
    }));
  scored.sort((x, y) => y.score - x.score);
  return scored[0]!.arm;
}

export async function run(report: Reporter): Promise<void> {
  // 1. One decision over K = 300 topics, 3 tasks, 150 available.
  const K = 300;
  const T = 3;
  const rng = createRng(1);
  const alpha = [1, 0.5, -0.5];
  const policy = createMultiTaskUcb({ k: K, alpha, gamma: 1 });
  const predictions = new Float64Array(T * K);
  for (let i = 0; i < predictions.length; i++) predictions[i] = rng.uniform();
  const counts = new Float64Array(K);
  let total = 0;
  for (let a = 0; a < K; a++) {
    counts[a] = 1 + rng.int(50);
    total += counts[a]!;
  }
  const state = { counts, total };
  const availableList: number[] = [];
  for (let a = 0; a < K; a++) if (rng.uniform() < 0.5) availableList.push(a);
  const available = Int32Array.from(availableList);
  const arms: NaiveArm[] = [];
  for (let a = 0; a < K; a++) {
    arms.push({
      arm: a,
      predictions: [predictions[a]!, predictions[K + a]!, predictions[2 * K + a]!],
      count: counts[a]!,
    });
  }
  const tieRng = createRng(2);
  const check = naiveDecide(arms, alpha, availableList, total, 1);
  if (check !== multiTaskUcbSelect(policy, predictions, state, available, available.length, tieRng)) {
    throw new Error('naive and typed-array multi-task UCB disagree');
  }
  const c = compare(
    { name: 'naive', fn: () => naiveDecide(arms, alpha, availableList, total, 1) },
    {
      name: 'multiTaskUcbSelect',
      fn: () => multiTaskUcbSelect(policy, predictions, state, available, available.length, tieRng),
    },
  );
  report.row({
    suite: 'explore',
    name: 'multi-task UCB decision, 300 topics x 3 tasks (150 available)',
    value: c.candidate.nsPerOp,
    unit: 'ns/op',
    note: `load ${c.candidate.load.toFixed(2)}`,
  });
  report.row({
    suite: 'explore',
    name: '  naive arrays-of-objects baseline',
    value: c.baseline.nsPerOp,
    unit: 'ns/op',
  });
  report.row({ suite: 'explore', name: '  speed-up vs naive', value: c.speedup, unit: 'x' });

  // 2a. P for one user (30 topics, 1,000 draws): the prepared Marsaglia–Tsang sampler vs @stdlib's beta.
  const k30 = 30;
  const a = new Float64Array(k30);
  const b = new Float64Array(k30);
  const shown = new Float64Array(k30);
  const rel = new Float64Array(k30);
  const topicRate = new Float64Array(k30).fill(0.3);
  for (let k = 0; k < k30; k++) {
    shown[k] = k < 12 ? 5 + rng.int(60) : 0;
    rel[k] = Math.round(shown[k]! * (0.1 + 0.5 * rng.uniform()));
  }
  betaPosteriorInto(k30, shown, rel, 0, topicRate, 0.3, 0.3, 2, a, b);
  const p = new Float64Array(k30);
  const work = createMaxProbabilityWork(k30);
  const prng = createRng(3);
  const cp = compare(
    {
      name: 'stdlib beta',
      fn: () => {
        p.fill(0);
        for (let s = 0; s < 1000; s++) {
          let best = 0;
          let bx = -1;
          for (let k = 0; k < k30; k++) {
            const x = prng.beta(a[k]!, b[k]!);
            if (x > bx) {
              bx = x;
              best = k;
            }
          }
          p[best]! += 1;
        }
        return p[0];
      },
    },
    {
      name: 'maxProbabilitiesInto',
      fn: () => {
        maxProbabilitiesInto(k30, a, b, 1000, prng, p, 0, work);
        return p[0];
      },
    },
    { batches: 7, batchMs: 40 },
  );
  report.row({
    suite: 'explore',
    name: 'P for one user, 30 topics x 1,000 draws',
    value: cp.candidate.nsPerOp / 1e3,
    unit: 'µs/op',
    note: `load ${cp.candidate.load.toFixed(2)}`,
  });
  report.row({ suite: 'explore', name: '  speed-up vs @stdlib beta draws', value: cp.speedup, unit: 'x' });

  // 2a'. P for one user by quadrature against 1,000 Monte Carlo draws (interleaved in the same run), and the error
  // of each against a fine-grid quadrature reference.
  const qWork = createQuadratureWork(k30);
  const pq = new Float64Array(k30);
  const ref = new Float64Array(k30);
  maxProbabilitiesQuadratureInto(k30, a, b, ref, 0, qWork, { maxStep: 0.02, stepSd: 0.02 });
  const cq = compare(
    {
      name: 'maxProbabilitiesInto 1,000 draws',
      fn: () => {
        maxProbabilitiesInto(k30, a, b, 1000, prng, p, 0, work);
        return p[0];
      },
    },
    {
      name: 'maxProbabilitiesQuadratureInto',
      fn: () => {
        maxProbabilitiesQuadratureInto(k30, a, b, pq, 0, qWork);
        return pq[0];
      },
    },
    { batches: 7, batchMs: 40 },
  );
  let errQ = 0;
  let errMc = 0;
  for (let k = 0; k < k30; k++) {
    errQ = Math.max(errQ, Math.abs(pq[k]! - ref[k]!));
    errMc = Math.max(errMc, Math.abs(p[k]! - ref[k]!));
  }
  report.row({
    suite: 'explore',
    name: 'P for one user, 30 topics, quadrature',
    value: cq.candidate.nsPerOp / 1e3,
    unit: 'µs/op',
    note: `load ${cq.candidate.load.toFixed(2)}; max error ${errQ.toExponential(1)} (1,000 draws: ${errMc.toExponential(1)})`,
  });
  report.row({
    suite: 'explore',
    name: '  speed-up vs 1,000 Monte Carlo draws',
    value: cq.speedup,
    unit: 'x',
  });

  // 2a''. The lower end of the quadrature: the hand-written incomplete Beta (continued fraction) vs @stdlib's.
  const ibA: number[] = [];
  const ibB: number[] = [];
  const ibX: number[] = [];
  const ibL: number[] = [];
  const ibRng = createRng(4);
  for (let j = 0; j < 256; j++) {
    const aj = Math.exp(6 * ibRng.uniform() - 2);
    const bj = Math.exp(6 * ibRng.uniform() - 2);
    ibA.push(aj);
    ibB.push(bj);
    ibX.push(ibRng.uniform() ** 2);
    ibL.push(lnBeta(aj, bj));
  }
  let ibJ = 0;
  const cib = compare(
    {
      name: '@stdlib betaCdf',
      fn: () => {
        ibJ = (ibJ + 1) & 255;
        return betaCdf(ibX[ibJ]!, ibA[ibJ]!, ibB[ibJ]!);
      },
    },
    {
      name: 'regularizedIncompleteBeta',
      fn: () => {
        ibJ = (ibJ + 1) & 255;
        return regularizedIncompleteBeta(ibX[ibJ]!, ibA[ibJ]!, ibB[ibJ]!, ibL[ibJ]!);
      },
    },
  );
  report.row({
    suite: 'explore',
    name: 'incomplete Beta I_x(a, b), shapes 0.14..55 (hand-written)',
    value: cib.candidate.nsPerOp,
    unit: 'ns/op',
    note: `load ${cib.candidate.load.toFixed(2)}`,
  });
  report.row({ suite: 'explore', name: '  speed-up vs @stdlib betaCdf', value: cib.speedup, unit: 'x' });

  if (process.env['ALLOT_BENCH_SKIP_LONG']) return; // the rows below take minutes

  // 2b. Metrics for 100,000 users x 30 topics on the worker pool (100 blocks of 1,000 users), P by quadrature.
  const workers = availableParallelism();
  let res: SyntheticMetricsResult[] = [];
  const cpu0 = process.cpuUsage();
  const ms = await wallMs(async () => {
    res = await runReplications<SyntheticMetricsInput, SyntheticMetricsResult>(
      { module: METRICS_JOB_MODULE, name: 'syntheticMetricsJob' },
      { usersPerBlock: 1000, topics: 30, samples: 1000, method: 'quadrature' },
      { runs: 100, seed: 1, workers },
    );
  });
  const users = res.reduce((s, r) => s + r.users, 0);
  consume(res.reduce((s, r) => s + r.EI, 0));
  report.row({
    suite: 'explore',
    name: `metrics EI/TD/IU/TE, ${users} users x 30 topics, P by quadrature`,
    value: ms / 1000,
    unit: 's',
    note: `${workers} workers, load ${loadavg()[0]!.toFixed(2)}, process CPU ${(process.cpuUsage(cpu0).user / 1e6).toFixed(1)} s`,
  });

  // 3. The default simulation end to end: the experiment and its counterfactual arm on two workers, as the CLI runs
  // it; then the same world with one item per topic (the cost of the item layer, same process).
  for (const [label, config] of [
    ['default simulation, 20,000 users, 300 items, 14 + 21 + 14 days, both arms', {}],
    ['  the same, one item per topic (funnel-topics)', { preset: 'funnel-topics' }],
  ] as const) {
    const load0 = loadavg()[0]!;
    const cpuSim = process.cpuUsage();
    const simMs = await wallMs(() => runExploreReplications(config, 1, 1, undefined));
    report.row({
      suite: 'explore',
      name: label,
      value: simMs / 1000,
      unit: 's',
      note: `${workers} workers, load ${load0.toFixed(2)} -> ${loadavg()[0]!.toFixed(2)}, process CPU ${(process.cpuUsage(cpuSim).user / 1e6).toFixed(1)} s`,
    });
  }
}

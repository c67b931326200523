/**
 * Evaluate domain: every standard estimator with 1,000 bootstrap resamples on a 1,000,000-row synthetic log
 * (rows x resamples per second), the whole `evaluatePolicy` (target probabilities, cross-fitted reward model,
 * estimators, bootstrap), and a vectorised numpy IPW/SNIPW/DR with the same bootstrap on the same arrays, timed in
 * the same run when python3 with numpy is available (bench/evaluate_numpy.py).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/core/rng.js';
import {
  type BanditLog,
  estimateValues,
  evaluatePolicy,
  fitRewardModel,
  type TargetPolicy,
} from '../src/evaluate/index.js';
import { consume, type Reporter } from './harness.js';

const SKIP_LONG = process.env['ALLOT_BENCH_SKIP_LONG'] === '1';
const N = SKIP_LONG ? 100_000 : 1_000_000;
const B = 1000;
const K = 10;
const D = 5;

/** A synthetic log: K actions, D context features, a context-dependent softmax logger, logistic rewards. */
function syntheticLog(n: number, seed: number): { log: BanditLog; target: Float64Array } {
  const rng = createRng(seed);
  const theta = Float64Array.from({ length: K * D }, () => rng.normal(0, 0.5));
  const ctx = new Float64Array(n * D);
  const action = new Int32Array(n);
  const reward = new Float64Array(n);
  const pscore = new Float64Array(n);
  const target = new Float64Array(n * K);
  const logits = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) ctx[i * D + j] = rng.normal(0, 1);
    let z = 0;
    let best = 0;
    for (let a = 0; a < K; a++) {
      let s = 0;
      for (let j = 0; j < D; j++) s += theta[a * D + j]! * ctx[i * D + j]!;
      logits[a] = s;
      if (s > logits[best]!) best = a;
      z += Math.exp(s);
    }
    let u = rng.uniform() * z;
    let a = 0;
    while (a < K - 1 && u >= Math.exp(logits[a]!)) u -= Math.exp(logits[a++]!);
    action[i] = a;
    pscore[i] = Math.exp(logits[a]!) / z;
    reward[i] = rng.uniform() < 1 / (1 + Math.exp(-(logits[a]! - 2))) ? 1 : 0;
    // Target: 80% on the logger's best action, the rest uniform.
    for (let b = 0; b < K; b++) target[i * K + b] = 0.2 / K + (b === best ? 0.8 : 0);
  }
  return {
    log: {
      n,
      actions: Array.from({ length: K }, (_, a) => String(a)),
      nPositions: 1,
      action,
      position: new Int32Array(n),
      reward,
      pscore,
      impression: Int32Array.from({ length: n }, (_, i) => i),
      nImpressions: n,
      context: { dim: D, data: ctx },
      skipped: 0,
    },
    target,
  };
}

export async function run(report: Reporter): Promise<void> {
  const { log, target } = syntheticLog(N, 1);
  const policy: TargetPolicy = { type: 'synthetic', distribution: () => ({ prob: target, simulations: 0 }) };
  const targetProb = Float64Array.from({ length: N }, (_, i) => target[i * K + log.action[i]!]!);
  const model = fitRewardModel(log, target, { seed: 1 });
  const arrays = {
    reward: log.reward,
    pscore: log.pscore,
    targetProb,
    qLogged: model.qLogged,
    qTarget: model.qTarget,
  };

  // 1. All seven estimators (with Switch-DR / DRos tuning) and B bootstrap resamples, reward model given.
  let t0 = performance.now();
  consume(estimateValues(arrays, { bootstrap: B, seed: 1 }).estimates['dr']!.value);
  const allMs = performance.now() - t0;
  report.row({
    suite: 'evaluate',
    name: `7 estimators + ${B} bootstrap (auto: Poisson), ${N.toLocaleString('en-US')} rows`,
    value: (N * B) / (allMs / 1000),
    unit: 'row-resamples/s',
    note: `${(allMs / 1000).toFixed(2)} s, ${(N / (allMs / 1000)).toFixed(0)} rows/s, load ${loadavg()[0]!.toFixed(2)}`,
  });

  // 1b. The multinomial bootstrap (random access per draw) on the first 100,000 rows, for comparison.
  const M = Math.min(N, 100_000);
  const head = {
    reward: arrays.reward.subarray(0, M),
    pscore: arrays.pscore.subarray(0, M),
    targetProb: arrays.targetProb.subarray(0, M),
    qLogged: arrays.qLogged.subarray(0, M),
    qTarget: arrays.qTarget.subarray(0, M),
  };
  t0 = performance.now();
  consume(
    estimateValues(head, { bootstrap: B, seed: 1, bootstrapMethod: 'multinomial' }).estimates['dr']!.value,
  );
  const multiMs = performance.now() - t0;
  report.row({
    suite: 'evaluate',
    name: `7 estimators + ${B} multinomial bootstrap, ${M.toLocaleString('en-US')} rows`,
    value: (M * B) / (multiMs / 1000),
    unit: 'row-resamples/s',
    note: `${(multiMs / 1000).toFixed(2)} s, load ${loadavg()[0]!.toFixed(2)}`,
  });

  // 2. The whole evaluatePolicy: target probabilities, 3-fold cross-fitted logistic model, 7 estimators, bootstrap.
  t0 = performance.now();
  consume(evaluatePolicy(log, policy, { bootstrap: B, seed: 1 }).estimates['dr']!.value);
  const fullMs = performance.now() - t0;
  report.row({
    suite: 'evaluate',
    name: `evaluatePolicy (model fit + 7 estimators + ${B} bootstrap)`,
    value: N / (fullMs / 1000),
    unit: 'rows/s',
    note: `${(fullMs / 1000).toFixed(2)} s, load ${loadavg()[0]!.toFixed(2)}`,
  });

  // 3. IPW/SNIPW/DR + bootstrap: allot against numpy on the same arrays, interleaved (allot, numpy, allot).
  const dir = mkdtempSync(join(tmpdir(), 'allot-bench-eval-'));
  try {
    const file = join(dir, 'log.f64');
    const buf = new Float64Array(5 * N);
    [log.reward, log.pscore, targetProb, model.qLogged, model.qTarget].forEach((a, j) => {
      buf.set(a, j * N);
    });
    writeFileSync(file, new Uint8Array(buf.buffer));
    const script = fileURLToPath(new URL('./evaluate_numpy.py', import.meta.url));
    const allot3 = (): number => {
      const s = performance.now();
      consume(
        estimateValues(arrays, { estimators: ['ipw', 'snipw', 'dr'], bootstrap: B, seed: 1 }).estimates['dr']!
          .value,
      );
      return performance.now() - s;
    };
    const a1 = allot3();
    const numpy = (method: string) =>
      spawnSync('python3', [script, file, String(N), String(B), '1', method], { encoding: 'utf8' });
    const pyMulti = numpy('multinomial');
    const a2 = allot3();
    const pyPoisson = numpy('poisson');
    report.row({
      suite: 'evaluate',
      name: `allot IPW+SNIPW+DR + ${B} bootstrap (Poisson, one pass)`,
      value: Math.min(a1, a2) / 1000,
      unit: 's',
      note: `runs ${(a1 / 1000).toFixed(2)} and ${(a2 / 1000).toFixed(2)} s, load ${loadavg()[0]!.toFixed(2)}`,
    });
    // Each numpy run is compared with the allot run just before it (load changes over a long run).
    for (const [label, py, allotRun] of [
      ['multinomial gather', pyMulti, a1],
      ['Poisson counts', pyPoisson, a2],
    ] as const) {
      if (py.status === 0) {
        const res = JSON.parse(py.stdout.trim().split('\n').pop()!) as { seconds: number; dr: number };
        report.row({
          suite: 'evaluate',
          name: `numpy IPW+SNIPW+DR + ${B} bootstrap (${label})`,
          value: res.seconds,
          unit: 's',
          note: `DR ${res.dr.toPrecision(6)}, load ${loadavg()[0]!.toFixed(2)}`,
        });
        report.row({
          suite: 'evaluate',
          name: `allot speed-up over numpy ${label} (adjacent runs)`,
          value: res.seconds / (allotRun / 1000),
          unit: 'x',
        });
      } else {
        report.row({
          suite: 'evaluate',
          name: `numpy baseline (${label})`,
          value: Number.NaN,
          unit: '',
          note: `python3/numpy unavailable: ${(py.stderr || py.error?.message || '').split('\n')[0]}`,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

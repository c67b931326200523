/**
 * `allot rank simulate` (SINREAL / SINBIN ranking simulations of the PBM bandits) and `allot rank bias` (position
 * bias of a click log such as the Open Bandit Dataset's).
 */
import type { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { type ClickLog, estimateLogPositionBias, LOG_BIAS_METHODS } from '../../bandits/ranking/log-bias.js';
import { lineChart } from '../../core/chart.js';
import { AllotError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { assertOneOf } from '../../core/validate.js';
import {
  examinationProbabilities,
  JOB_MODULE,
  PBM_POLICIES,
  PBM_SIM_DEFAULTS,
  type PbmJobResult,
  type PbmPolicySummary,
  type PbmSimInput,
  SIN_DATASETS,
  type SinDatasetKind,
  summarizePbm,
  validatePbmSimInput,
} from '../../sim/pbm/index.js';
import { runReplications } from '../../sim/pool.js';
import { createProgress } from '../../sim/progress.js';
import { emit, info, parseInteger, parseNameList, parseNumber, readText, toJson } from '../io.js';
import { writeSvg } from '../svg.js';

/** Output of `allot rank simulate` (RESULT.json). */
export interface RankSimulateOutput {
  readonly setting: Record<string, unknown>;
  readonly truePositionBias: number[];
  readonly policies: {
    readonly name: string;
    readonly label: string;
    readonly cumulativeReward: { readonly mean: number; readonly std: number };
    readonly positionBias: number[] | null;
    readonly seconds: number;
    readonly perRun: number[];
    readonly curve: { readonly rounds: number[]; readonly mean: number[] };
  }[];
}

/**
 * Runs a PBM simulation over the worker pool and summarises it (shared by the CLI and `allot reproduce rank`).
 *
 * @throws the input validation errors of {@link validatePbmSimInput}.
 */
export async function simulateRank(
  input: PbmSimInput,
  runs: number,
  workers: number | undefined,
  progress: boolean,
): Promise<{ summaries: PbmPolicySummary[]; results: PbmJobResult[] }> {
  validatePbmSimInput(input);
  const bar = createProgress(`rank ${input.dataset} L=${input.positions}`, progress);
  try {
    const results = await runReplications<PbmSimInput, PbmJobResult>(
      { module: JOB_MODULE, name: 'runPbmJob' },
      input,
      {
        runs: runs * input.policies.length,
        seed: input.seed,
        ...(workers === undefined ? {} : { workers }),
        onProgress: (d, t) => bar.update(d, t),
      },
    );
    return { summaries: summarizePbm(input, results), results };
  } finally {
    bar.stop();
  }
}

/** The RESULT.json document of a simulation. */
export function rankSimulateOutput(
  input: PbmSimInput,
  runs: number,
  summaries: readonly PbmPolicySummary[],
  results: readonly PbmJobResult[],
): RankSimulateOutput {
  const th = results.map((r) => r.threshold).filter((t): t is number => t !== null);
  return {
    setting: {
      dataset: input.dataset,
      actions: input.actions,
      positions: input.positions,
      rounds: input.rounds,
      runs,
      seed: input.seed,
      firstPositionEps: input.firstPositionEps,
      examination: input.examination,
      dimension: 65,
      actionDim: 5,
      contextDim: 10,
      sparsity: 0.1,
      noise: 0.1,
      sinbinThreshold: th.length === 0 ? null : th.reduce((a, b) => a + b, 0) / th.length,
      lambda: input.lambda,
      delta: input.delta,
      alphaScale: input.alphaScale,
      alpha0: input.alpha0,
      beta0: input.beta0,
    },
    truePositionBias: Array.from(examinationProbabilities(input.positions, input.firstPositionEps)),
    policies: summaries.map((s) => ({
      name: s.name,
      label: s.label,
      cumulativeReward: s.cumulativeReward,
      positionBias: s.positionBias,
      seconds: s.seconds,
      perRun: s.perRun,
      curve: { rounds: s.curveRounds, mean: s.curve },
    })),
  };
}

/** Reads a click log (OBD layout: position 1-based, click 0/1, item_id, optional user_feature_* and affinities). */
export function readClickLog(path: string, method: string, positionsOpt: number | undefined): ClickLog {
  const text = readText(path, '--log');
  let records: string[][];
  try {
    records = parseCsv(text, { skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      throw new AllotError('ALLOT_SHAPE_MISMATCH', `--log ${path}: ${err.message}`);
    }
    throw new AllotError('ALLOT_PARSE_ERROR', `--log ${path} is not valid CSV: ${err.message}`);
  }
  const header = records[0];
  if (header === undefined || records.length < 2) {
    throw new AllotError('ALLOT_PARSE_ERROR', `--log ${path} has no data rows`);
  }
  const need = method === 'ctr' ? ['position', 'click'] : ['position', 'click', 'item_id'];
  const missing = need.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new AllotError(
      'ALLOT_MISSING_COLUMN',
      `--log ${path} lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (needed by --method ${method}; has ${header.length} columns)`,
    );
  }
  const iPos = header.indexOf('position');
  const iClk = header.indexOf('click');
  const iItem = header.indexOf('item_id');
  const userCols = header.map((h, i) => (h.startsWith('user_feature_') ? i : -1)).filter((i) => i >= 0);
  const n = records.length - 1;
  const position = new Int32Array(n);
  const click = new Float64Array(n);
  const item = new Int32Array(n);
  const num = (r: number, c: number, name: string): number => {
    const raw = records[r]![c]!;
    const v = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(v)) {
      throw new AllotError(
        'ALLOT_NOT_FINITE',
        `--log ${path} line ${r + 1}: ${name} must be a finite number (got ${JSON.stringify(raw)})`,
      );
    }
    return v;
  };
  let maxPos = 0;
  let nItems = 0;
  for (let r = 1; r <= n; r++) {
    const p = num(r, iPos, 'position');
    if (!(Number.isInteger(p) && p >= 1)) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `--log ${path} line ${r + 1}: position must be an integer >= 1 (got ${p})`,
      );
    }
    const c = num(r, iClk, 'click');
    if (c !== 0 && c !== 1) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `--log ${path} line ${r + 1}: click must be 0 or 1 (got ${c})`,
      );
    }
    position[r - 1] = p - 1;
    click[r - 1] = c;
    if (p > maxPos) maxPos = p;
    if (iItem >= 0) {
      const it = num(r, iItem, 'item_id');
      if (!(Number.isInteger(it) && it >= 0)) {
        throw new AllotError(
          'ALLOT_OUT_OF_RANGE',
          `--log ${path} line ${r + 1}: item_id must be an integer >= 0 (got ${it})`,
        );
      }
      item[r - 1] = it;
      if (it + 1 > nItems) nItems = it + 1;
    }
  }
  const L = positionsOpt ?? maxPos;
  if (maxPos > L) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `--positions ${L} is smaller than the largest position in the log (${maxPos})`,
    );
  }
  // Probit features: one-hot item, one-hot user features, log(1 + affinity of the shown item).
  let dim = 0;
  let features = new Float64Array(0);
  if (method === 'probit') {
    const cats = userCols.map((c) => {
      const m = new Map<string, number>();
      for (let r = 1; r <= n; r++) {
        const v = records[r]![c]!;
        if (!m.has(v)) m.set(v, m.size);
      }
      return m;
    });
    const offsets: number[] = [];
    dim = nItems;
    for (const m of cats) {
      offsets.push(dim);
      dim += m.size;
    }
    const affCol = header.map((h) => h.startsWith('user-item_affinity_'));
    const hasAff = affCol.some((x) => x);
    const affStart = dim;
    if (hasAff) dim += 1;
    features = new Float64Array(n * dim);
    for (let r = 1; r <= n; r++) {
      const o = (r - 1) * dim;
      features[o + item[r - 1]!] = 1;
      for (let j = 0; j < userCols.length; j++)
        features[o + offsets[j]! + cats[j]!.get(records[r]![userCols[j]!]!)!] = 1;
      if (hasAff) {
        const ci = header.indexOf(`user-item_affinity_${item[r - 1]}`);
        if (ci >= 0) {
          const a = num(r, ci, `user-item_affinity_${item[r - 1]}`);
          features[o + affStart] = Math.log1p(Math.max(0, a));
        }
      }
    }
  }
  return { positions: L, position, click, item, items: nItems, features, dim };
}

interface SimulateFlags {
  dataset: string;
  positions: string;
  actions: string;
  rounds: string;
  runs: string;
  seed: string;
  policies: string;
  firstPositionEps: string;
  examination: string;
  workers?: string;
  out?: string;
  plot?: string;
  lambda: string;
  delta: string;
  alphaScale: string;
  alpha0: string;
  beta0: string;
  checkpoints: string;
}

/** Registers the `rank` commands on the program. */
export function registerRank(program: Command): void {
  const rank = program
    .command('rank')
    .description(
      'ranking under position bias: PBM bandit simulations and position-bias estimation from logs',
    );

  rank
    .command('simulate')
    .description(
      'run LinUCB/LinTS(-PBMRank) policies on SINREAL or SINBIN and report cumulative rewards (JSON)',
    )
    .requiredOption('--dataset <name>', `dataset: ${SIN_DATASETS.join(' | ')}`)
    .requiredOption('--positions <L>', 'list length L (<= actions)')
    .option('--actions <K>', 'number of actions K', String(PBM_SIM_DEFAULTS.actions))
    .option('--rounds <T>', 'rounds per run', '50000')
    .option('--runs <R>', 'independent runs (users and noise redrawn; instance fixed by --seed)', '5')
    .option('--seed <n>', 'root seed', '1')
    .option(
      '--policies <list>',
      `comma-separated: ${PBM_POLICIES.map((p) => p.name).join(',')}`,
      PBM_POLICIES.map((p) => p.name).join(','),
    )
    .option('--first-position-eps <eps>', 'examination (1 - eps)/exp(position), eps in [0, 1)', '0')
    .option(
      '--examination <mode>',
      'deterministic (Z = q r, the paper) | bernoulli (Z = r Y, Y ~ Bernoulli(q))',
      'deterministic',
    )
    .option('--workers <n>', 'worker threads (default: all cores)')
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option('--plot <prefix>', 'also write <prefix>-reward.svg and <prefix>-bias.svg')
    .option('--lambda <x>', 'ridge / prior precision lambda', String(PBM_SIM_DEFAULTS.lambda))
    .option('--delta <x>', 'LinUCB confidence delta', String(PBM_SIM_DEFAULTS.delta))
    .option('--alpha-scale <x>', 'LinUCB multiplier of the OFUL radius', String(PBM_SIM_DEFAULTS.alphaScale))
    .option('--alpha0 <x>', 'LinTS Inverse-Gamma shape', String(PBM_SIM_DEFAULTS.alpha0))
    .option('--beta0 <x>', 'LinTS Inverse-Gamma scale', String(PBM_SIM_DEFAULTS.beta0))
    .option(
      '--checkpoints <n>',
      'points of the cumulative-reward curve',
      String(PBM_SIM_DEFAULTS.checkpoints),
    )
    .action(async (o: SimulateFlags) => {
      const dataset = assertOneOf('--dataset', o.dataset, SIN_DATASETS) as SinDatasetKind;
      const runs = parseInteger('--runs', o.runs, 1);
      const input: PbmSimInput = {
        dataset,
        actions: parseInteger('--actions', o.actions, 1),
        positions: parseInteger('--positions', o.positions, 1),
        rounds: parseInteger('--rounds', o.rounds, 1),
        policies: parseNameList('--policies', o.policies),
        firstPositionEps: parseNumber('--first-position-eps', o.firstPositionEps),
        seed: parseInteger('--seed', o.seed, 0),
        examination: assertOneOf('--examination', o.examination, ['deterministic', 'bernoulli'] as const),
        checkpoints: parseInteger('--checkpoints', o.checkpoints, 1),
        lambda: parseNumber('--lambda', o.lambda),
        delta: parseNumber('--delta', o.delta),
        alphaScale: parseNumber('--alpha-scale', o.alphaScale),
        alpha0: parseNumber('--alpha0', o.alpha0),
        beta0: parseNumber('--beta0', o.beta0),
      };
      if (input.positions > input.actions) {
        throw new AllotError(
          'ALLOT_OUT_OF_RANGE',
          `--positions must be <= --actions (got ${input.positions} positions for ${input.actions} actions)`,
        );
      }
      for (const p of input.policies) {
        if (!PBM_POLICIES.some((s) => s.name === p)) {
          throw new AllotError(
            'ALLOT_UNKNOWN_OPTION',
            `--policies: unknown policy ${JSON.stringify(p)} (known: ${PBM_POLICIES.map((s) => s.name).join(', ')})`,
          );
        }
      }
      validatePbmSimInput(input);
      const workers = o.workers === undefined ? undefined : parseInteger('--workers', o.workers, 1);
      const { summaries, results } = await simulateRank(input, runs, workers, process.stderr.isTTY === true);
      const output = rankSimulateOutput(input, runs, summaries, results);
      if (o.plot !== undefined) await writeRankPlots(o.plot, output);
      emit(toJson(output), o.out);
      for (const p of output.policies) {
        info(
          `${p.label.padEnd(24)} ${p.cumulativeReward.mean.toFixed(2)} ± ${p.cumulativeReward.std.toFixed(2)}`,
        );
      }
    });

  rank
    .command('bias')
    .description(
      'estimate the position bias q of a click log (e.g. the Open Bandit Dataset), with intervals (JSON)',
    )
    .requiredOption('--log <file>', 'CSV with columns position (1-based), click (0/1), item_id (em, probit)')
    .option('--method <m>', `estimator: ${LOG_BIAS_METHODS.join(' | ')}`, 'ctr')
    .option('--positions <L>', 'number of positions (default: the largest in the log)')
    .option('--resamples <B>', 'bootstrap resamples for the intervals (0 = none)', '200')
    .option('--level <p>', 'interval level', '0.95')
    .option('--seed <n>', 'bootstrap seed', '1')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .action(
      (o: {
        log: string;
        method: string;
        positions?: string;
        resamples: string;
        level: string;
        seed: string;
        out?: string;
      }) => {
        const method = assertOneOf('--method', o.method, LOG_BIAS_METHODS);
        const positions = o.positions === undefined ? undefined : parseInteger('--positions', o.positions, 1);
        const resamples = parseInteger('--resamples', o.resamples, 0);
        const level = parseNumber('--level', o.level);
        const seed = parseInteger('--seed', o.seed, 0);
        const log = readClickLog(o.log, method, positions);
        const res = estimateLogPositionBias(log, { method, resamples, level, seed }, createRng(seed));
        emit(toJson({ log: o.log, ...res }), o.out);
        info(
          `${method}: q = ${res.q.map((v) => v.toFixed(3)).join(', ')} (${res.rows} rows, ${res.byPosition
            .map((p) => `${p.clicks} clicks`)
            .join(' / ')})`,
        );
      },
    );
}

/** Writes `<prefix>-reward.svg` (mean cumulative reward over rounds) and `<prefix>-bias.svg` (true vs estimated q). */
export async function writeRankPlots(prefix: string, output: RankSimulateOutput): Promise<string[]> {
  const setting = output.setting;
  const files = [`${prefix}-reward.svg`, `${prefix}-bias.svg`];
  await writeSvg(
    files[0]!,
    lineChart({
      title: `Cumulative reward, ${String(setting['dataset'])}, L = ${String(setting['positions'])}`,
      xLabel: 'round',
      yLabel: 'cumulative reward (mean over runs)',
      series: output.policies.map((p) => ({ name: p.label, x: p.curve.rounds, y: p.curve.mean })),
    }),
  );
  const pos = output.truePositionBias.map((_, i) => i + 1);
  await writeSvg(
    files[1]!,
    lineChart({
      title: `True vs estimated position bias, ${String(setting['dataset'])}`,
      xLabel: 'position',
      yLabel: 'examination probability q',
      points: true,
      yZero: true,
      series: [
        { name: 'true', x: pos, y: output.truePositionBias, dashed: true },
        ...output.policies
          .filter((p) => p.positionBias !== null && !p.name.endsWith('-real'))
          .map((p) => ({ name: p.label, x: pos, y: p.positionBias! })),
      ],
    }),
  );
  return files;
}

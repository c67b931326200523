/**
 * `allot rank simulate` (SINREAL / SINBIN ranking simulations of the PBM bandits) and `allot rank bias` (position
 * bias of a click log such as the Open Bandit Dataset's).
 */
import type { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  type ClickLog,
  estimateLogPositionBias,
  LOG_BIAS_LIMITS,
  LOG_BIAS_METHODS,
} from '../../bandits/ranking/log-bias.js';
import { BIAS_REFITS } from '../../bandits/ranking/pbm-ranker.js';
import { PROBIT_MODELS } from '../../bandits/ranking/position-bias.js';
import { lineChart } from '../../core/chart.js';
import { AllotError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { assertOneOf } from '../../core/validate.js';
import {
  examinationProbabilities,
  JOB_MODULE,
  PBM_POLICIES,
  PBM_SIM_DEFAULTS,
  PBM_SIM_LIMITS,
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
import {
  aliasOption,
  assertMax,
  checkOutputPath,
  info,
  numberOption,
  type OutputSpec,
  output,
  parseInteger,
  parseNameList,
  parseNumber,
  parseNumberList,
  pickAlias,
  readText,
  requiredOption,
  toJson,
  warn,
  writeOutputs,
} from '../io.js';
import { renderSvg } from '../svg.js';

/** Output of `allot rank simulate` (RESULT.json). */
export interface RankSimulateOutput {
  readonly setting: Record<string, unknown>;
  readonly truePositionBias: number[];
  /** The oracle that knows w and q: its cumulative expected reward (mean over runs). */
  readonly oracle: { readonly description: string; readonly cumulativeReward: number };
  readonly policies: {
    readonly name: string;
    readonly label: string;
    readonly cumulativeReward: { readonly mean: number; readonly std: number };
    /** Final cumulative pseudo-regret against the oracle. */
    readonly regret: { readonly mean: number; readonly std: number };
    readonly positionBias: number[] | null;
    readonly seconds: number;
    readonly perRun: number[];
    readonly curve: { readonly rounds: number[]; readonly mean: number[] };
    /** Means over runs at each checkpoint: cumulative regret, cumulative clicks, NDCG@L of the window. */
    readonly checkpoints: {
      readonly rounds: number[];
      readonly regret: number[];
      readonly clicks: number[];
      readonly ndcg: number[];
    };
    /** Mean exact refits per run (estimated bias with biasRefit 'exact'). */
    readonly refits: number;
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
      posteriorScale: input.posteriorScale ?? PBM_SIM_DEFAULTS.posteriorScale,
      biasRefit: input.biasRefit ?? PBM_SIM_DEFAULTS.biasRefit,
      refitTolerance: input.refitTolerance ?? PBM_SIM_DEFAULTS.refitTolerance,
      probitBeta: input.probitBeta ?? PBM_SIM_DEFAULTS.probitBeta,
      probitModel: input.probitModel ?? PBM_SIM_DEFAULTS.probitModel,
    },
    truePositionBias: Array.from(examinationProbabilities(input.positions, input.firstPositionEps)),
    oracle: {
      description:
        'knows w and q; each round shows the L items of highest expected reward, best at the most examined position',
      cumulativeReward: summaries[0]?.oracleReward ?? 0,
    },
    policies: summaries.map((s) => ({
      name: s.name,
      label: s.label,
      cumulativeReward: s.cumulativeReward,
      regret: s.finalRegret,
      positionBias: s.positionBias,
      seconds: s.seconds,
      perRun: s.perRun,
      curve: { rounds: s.curveRounds, mean: s.curve },
      checkpoints: { rounds: s.curveRounds, regret: s.regret, clicks: s.clicks, ndcg: s.ndcg },
      refits: s.refits,
    })),
  };
}

/** Largest item index a click log may use (EM keeps one relevance per item). */
export const LOG_MAX_ITEM_ID = 1_000_000;
/** Largest rows x features matrix the probit estimator builds from a log. */
export const LOG_MAX_PROBIT_ENTRIES = 50_000_000;

/** How {@link readClickLog} finds weights: the propensity column (if present) or none. */
export interface ClickLogWeighting {
  /** Column of logged propensities (default 'propensity_score'); used when present unless `unweighted`. */
  readonly column?: string;
  /** Ignore the propensity column. */
  readonly unweighted?: boolean;
  /** The option that set `positionsOpt`, for messages (default '--slots'). */
  readonly slotsFlag?: string;
}

/**
 * Reads a click log (OBD layout: position 1-based, click 0/1, item_id, optional user_feature_*, affinities and
 * propensity_score). Rows weigh 1/propensity when the propensity column is present.
 *
 * @throws ALLOT_OUT_OF_RANGE for a position above the maximum ({@link LOG_BIAS_LIMITS}) or above `--slots`, an
 *   item_id above {@link LOG_MAX_ITEM_ID} or a propensity outside (0, 1]; ALLOT_MISSING_COLUMN, ALLOT_NOT_FINITE,
 *   ALLOT_PARSE_ERROR, ALLOT_SHAPE_MISMATCH for a malformed file.
 */
export function readClickLog(
  path: string,
  method: string,
  positionsOpt: number | undefined,
  weighting: ClickLogWeighting = {},
): ClickLog {
  const slotsFlag = weighting.slotsFlag ?? '--slots';
  if (positionsOpt !== undefined) assertMax(slotsFlag, positionsOpt, LOG_BIAS_LIMITS.positions);
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
  const propCol = weighting.column ?? 'propensity_score';
  const iProp = weighting.unweighted === true ? -1 : header.indexOf(propCol);
  const userCols = header.map((h, i) => (h.startsWith('user_feature_') ? i : -1)).filter((i) => i >= 0);
  const n = records.length - 1;
  const position = new Int32Array(n);
  const click = new Float64Array(n);
  const item = new Int32Array(n);
  const weight = iProp >= 0 ? new Float64Array(n) : undefined;
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
    if (!(Number.isInteger(p) && p >= 1 && p <= LOG_BIAS_LIMITS.positions)) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `--log ${path} line ${r + 1}: column position must be an integer in [1, ${LOG_BIAS_LIMITS.positions}] (got ${p})`,
      );
    }
    if (positionsOpt !== undefined && p > positionsOpt) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `--log ${path} line ${r + 1}: position ${p} is above ${slotsFlag} ${positionsOpt}`,
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
      if (!(Number.isInteger(it) && it >= 0 && it <= LOG_MAX_ITEM_ID)) {
        throw new AllotError(
          'ALLOT_OUT_OF_RANGE',
          `--log ${path} line ${r + 1}: column item_id must be an integer in [0, ${LOG_MAX_ITEM_ID}] (got ${it})`,
        );
      }
      item[r - 1] = it;
      if (it + 1 > nItems) nItems = it + 1;
    }
    if (weight !== undefined) {
      const pr = num(r, iProp, propCol);
      if (!(pr > 0 && pr <= 1)) {
        throw new AllotError(
          'ALLOT_OUT_OF_RANGE',
          `--log ${path} line ${r + 1}: column ${propCol} must be a probability in (0, 1] (got ${pr})`,
        );
      }
      weight[r - 1] = 1 / pr;
    }
  }
  const L = positionsOpt ?? maxPos;
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
    if (n * dim > LOG_MAX_PROBIT_ENTRIES) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `--log ${path}: the probit features (rows x features = ${n} x ${dim}) must have <= ${LOG_MAX_PROBIT_ENTRIES} entries; use --method ctr or em, or fewer rows`,
      );
    }
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
  return {
    positions: L,
    position,
    click,
    item,
    items: nItems,
    features,
    dim,
    ...(weight === undefined ? {} : { weight }),
  };
}

interface SimulateFlags {
  dataset: string;
  slots?: string;
  positions?: string;
  arms?: string;
  actions?: string;
  rounds: string;
  runs?: string;
  replications?: string;
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
  posteriorScale: string;
  biasRefit: string;
  refitTolerance: string;
  probitBeta: string;
  probitModel: string;
  checkpoints: string;
}

/**
 * Parses `--checkpoints`: a comma-separated list of rounds, or one number N = N evenly spaced checkpoints (its
 * former meaning).
 */
export function parseCheckpoints(raw: string, rounds: number): { count: number; rounds?: number[] } {
  if (!raw.includes(',')) {
    return { count: parseInteger('--checkpoints', raw, 1, PBM_SIM_LIMITS.checkpoints) };
  }
  const list = parseNumberList('--checkpoints', raw, PBM_SIM_LIMITS.checkpoints);
  let prev = 0;
  for (const r of list) {
    if (!Number.isInteger(r) || r < 1 || r > rounds) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `--checkpoints rounds must be integers in [1, --rounds = ${rounds}] (got ${r})`,
      );
    }
    if (r <= prev) {
      throw new AllotError('ALLOT_INVALID_ARGUMENT', `--checkpoints must increase (got ${r} after ${prev})`);
    }
    prev = r;
  }
  return { count: list.length, rounds: list };
}

/** Registers the `rank` commands on the program. */
export function registerRank(program: Command): void {
  const rank = program
    .command('rank')
    .description(
      'ranking under position bias: PBM bandit simulations and position-bias estimation from logs',
    );

  const D = PBM_SIM_DEFAULTS;
  rank
    .command('simulate')
    .description(
      'run LinUCB/LinTS(-PBMRank) policies on SINREAL or SINBIN; cumulative reward, regret against an oracle, clicks and NDCG@L (JSON)',
    )
    .addOption(requiredOption('--dataset <name>', `dataset: ${SIN_DATASETS.join(' | ')}`))
    .option(
      '--slots <L>',
      `list length L, 1 <= L <= --arms, <= ${PBM_SIM_LIMITS.positions} (required; alias: --positions)`,
    )
    .addOption(aliasOption('--positions <L>'))
    .option(
      '--arms <K>',
      `candidate actions K per round, <= ${PBM_SIM_LIMITS.actions} (default: ${D.actions}; alias: --actions)`,
    )
    .addOption(aliasOption('--actions <K>'))
    .addOption(
      numberOption(
        '--rounds <T>',
        `rounds per run, <= ${PBM_SIM_LIMITS.rounds} (and rounds x arms <= ${PBM_SIM_LIMITS.roundsTimesActions})`,
        50000,
      ),
    )
    .option(
      '--runs <R>',
      `independent runs (users and noise redrawn; instance fixed by --seed), <= ${PBM_SIM_LIMITS.runs} (default: 5; alias: --replications)`,
    )
    .addOption(aliasOption('--replications <R>'))
    .addOption(numberOption('--seed <n>', 'root seed', 1))
    .option(
      '--policies <list>',
      `comma-separated: ${PBM_POLICIES.map((p) => p.name).join(',')}`,
      PBM_POLICIES.map((p) => p.name).join(','),
    )
    .addOption(
      numberOption('--first-position-eps <eps>', 'examination (1 - eps)/exp(position), eps in [0, 1)', 0),
    )
    .option(
      '--examination <mode>',
      'deterministic (Z = q r, the paper) | bernoulli (Z = r Y, Y ~ Bernoulli(q))',
      'deterministic',
    )
    .option('--workers <n>', 'worker threads (default: all cores)')
    .option('--out <file>', 'write RESULT.json here instead of stdout')
    .option('--plot <prefix>', 'also write <prefix>-reward.svg, <prefix>-regret.svg and <prefix>-bias.svg')
    .addOption(numberOption('--lambda <x>', 'ridge / prior precision lambda', D.lambda))
    .addOption(numberOption('--delta <x>', 'LinUCB confidence delta', D.delta))
    .addOption(
      numberOption(
        '--alpha-scale <x>',
        'LinUCB multiplier of the OFUL radius (1 = the theoretical radius; docs/rank.md has the sweep)',
        D.alphaScale,
      ),
    )
    .addOption(numberOption('--alpha0 <x>', 'LinTS Inverse-Gamma shape', D.alpha0))
    .addOption(numberOption('--beta0 <x>', 'LinTS Inverse-Gamma scale', D.beta0))
    .addOption(
      numberOption(
        '--posterior-scale <x>',
        'LinTS multiplier of the posterior draw spread',
        D.posteriorScale,
      ),
    )
    .option(
      '--bias-refit <mode>',
      `estimated q: ${BIAS_REFITS.join(' (rebuild V and b from per-position statistics when q moves) | ')} (keep each update's q)`,
      D.biasRefit,
    )
    .addOption(
      numberOption(
        '--refit-tolerance <x>',
        'refit when sum |q^2 - q_fit^2| / sum q_fit^2 exceeds this',
        D.refitTolerance,
      ),
    )
    .addOption(numberOption('--probit-beta <x>', 'probit (PR) estimator noise scale beta', D.probitBeta))
    .option('--probit-model <m>', `probit estimator: ${PROBIT_MODELS.join(' | ')}`, D.probitModel)
    .addOption(
      numberOption(
        '--checkpoints <list>',
        'comma-separated rounds of the curves, or one number N = N evenly spaced rounds',
        D.checkpoints,
      ),
    )
    .addHelpText(
      'after',
      '\nExample:\n  npx allot rank simulate --dataset sinbin --slots 5 --rounds 10000 --runs 3 --out out/rank.json --plot out/rank',
    )
    .action(async (o: SimulateFlags) => {
      const dataset = assertOneOf('--dataset', o.dataset, SIN_DATASETS) as SinDatasetKind;
      const slotsRaw = pickAlias(['--slots', '--positions'], [o.slots, o.positions], undefined);
      if (slotsRaw === undefined) {
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          "required option '--slots <L>' not specified (see --help)",
        );
      }
      const slotsFlag = o.slots === undefined ? '--positions' : '--slots';
      const armsFlag = o.arms === undefined && o.actions !== undefined ? '--actions' : '--arms';
      const runsFlag = o.runs === undefined && o.replications !== undefined ? '--replications' : '--runs';
      const arms = parseInteger(
        armsFlag,
        pickAlias(['--arms', '--actions'], [o.arms, o.actions], String(D.actions)),
        1,
        PBM_SIM_LIMITS.actions,
      );
      const positions = parseInteger(slotsFlag, slotsRaw, 1, PBM_SIM_LIMITS.positions);
      const runs = parseInteger(
        runsFlag,
        pickAlias(['--runs', '--replications'], [o.runs, o.replications], '5'),
        1,
        PBM_SIM_LIMITS.runs,
      );
      const rounds = parseInteger('--rounds', o.rounds, 1, PBM_SIM_LIMITS.rounds);
      assertMax('--rounds x --arms', rounds * arms, PBM_SIM_LIMITS.roundsTimesActions);
      const cps = parseCheckpoints(o.checkpoints, rounds);
      const input: PbmSimInput = {
        dataset,
        actions: arms,
        positions,
        rounds,
        policies: parseNameList('--policies', o.policies),
        firstPositionEps: parseNumber('--first-position-eps', o.firstPositionEps),
        seed: parseInteger('--seed', o.seed, 0),
        examination: assertOneOf('--examination', o.examination, ['deterministic', 'bernoulli'] as const),
        checkpoints: cps.count,
        ...(cps.rounds === undefined ? {} : { checkpointRounds: cps.rounds }),
        lambda: parseNumber('--lambda', o.lambda),
        delta: parseNumber('--delta', o.delta),
        alphaScale: parseNumber('--alpha-scale', o.alphaScale),
        alpha0: parseNumber('--alpha0', o.alpha0),
        beta0: parseNumber('--beta0', o.beta0),
        posteriorScale: parseNumber('--posterior-scale', o.posteriorScale),
        biasRefit: assertOneOf('--bias-refit', o.biasRefit, BIAS_REFITS),
        refitTolerance: parseNumber('--refit-tolerance', o.refitTolerance),
        probitBeta: parseNumber('--probit-beta', o.probitBeta),
        probitModel: assertOneOf('--probit-model', o.probitModel, PROBIT_MODELS),
      };
      if (input.positions > input.actions) {
        throw new AllotError(
          'ALLOT_OUT_OF_RANGE',
          `${slotsFlag} must be <= ${armsFlag} (got ${input.positions} positions for ${input.actions} actions)`,
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
      const workers = o.workers === undefined ? undefined : parseInteger('--workers', o.workers, 1, 256);
      // fail on an unwritable output before the simulation, not after it
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      if (o.plot !== undefined) for (const f of rankPlotFiles(o.plot)) checkOutputPath(f, '--plot');
      const { summaries, results } = await simulateRank(input, runs, workers, process.stderr.isTTY === true);
      const result = rankSimulateOutput(input, runs, summaries, results);
      const outs: OutputSpec[] = [output(toJson(result), o.out)];
      if (o.plot !== undefined) outs.push(...(await rankPlots(o.plot, result)));
      writeOutputs(outs);
      info(`${'oracle'.padEnd(24)} ${result.oracle.cumulativeReward.toFixed(2)}`);
      for (const p of result.policies) {
        info(
          `${p.label.padEnd(24)} ${p.cumulativeReward.mean.toFixed(2)} ± ${p.cumulativeReward.std.toFixed(2)}  regret ${p.regret.mean.toFixed(1)}`,
        );
      }
    });

  rank
    .command('bias')
    .description(
      'estimate the position bias q of a click log (e.g. the Open Bandit Dataset), with intervals (JSON)',
    )
    .addOption(
      requiredOption(
        '--log <file>',
        'CSV with columns position (1-based), click (0/1), item_id (em, probit), optional propensity_score',
      ),
    )
    .option('--method <m>', `estimator: ${LOG_BIAS_METHODS.join(' | ')}`, 'ctr')
    .option(
      '--slots <L>',
      `number of positions, <= ${LOG_BIAS_LIMITS.positions} (default: the largest in the log; alias: --positions)`,
    )
    .addOption(aliasOption('--positions <L>'))
    .addOption(
      numberOption(
        '--resamples <B>',
        `bootstrap resamples for the intervals (0 = none), <= ${LOG_BIAS_LIMITS.resamples}`,
        200,
      ),
    )
    .addOption(numberOption('--level <p>', 'interval level', 0.95))
    .addOption(numberOption('--seed <n>', 'bootstrap seed', 1))
    .option(
      '--propensity-column <name>',
      'logged propensities; rows weigh 1/propensity when the column is present',
      'propensity_score',
    )
    .option('--unweighted', 'ignore the propensity column (every row weighs 1)')
    .addOption(numberOption('--probit-beta <x>', 'probit noise scale beta', 1))
    .option('--probit-model <m>', `probit model: ${PROBIT_MODELS.join(' | ')}`, 'shared')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .addHelpText(
      'after',
      '\nExample:\n  npx allot rank bias --log fixtures/rank/obd-random-men-2000.csv --method em --out out/bias.json',
    )
    .action(
      (o: {
        log: string;
        method: string;
        slots?: string;
        positions?: string;
        resamples: string;
        level: string;
        seed: string;
        propensityColumn: string;
        unweighted?: boolean;
        probitBeta: string;
        probitModel: string;
        out?: string;
      }) => {
        const method = assertOneOf('--method', o.method, LOG_BIAS_METHODS);
        const slotsFlag = o.slots === undefined && o.positions !== undefined ? '--positions' : '--slots';
        const slotsRaw = pickAlias(['--slots', '--positions'], [o.slots, o.positions], undefined);
        const positions =
          slotsRaw === undefined
            ? undefined
            : parseInteger(slotsFlag, slotsRaw, 1, LOG_BIAS_LIMITS.positions);
        const resamples = parseInteger('--resamples', o.resamples, 0, LOG_BIAS_LIMITS.resamples);
        const level = parseNumber('--level', o.level);
        const seed = parseInteger('--seed', o.seed, 0);
        const probitBeta = parseNumber('--probit-beta', o.probitBeta);
        const probitModel = assertOneOf('--probit-model', o.probitModel, PROBIT_MODELS);
        if (o.out !== undefined) checkOutputPath(o.out, '--out');
        const log = readClickLog(o.log, method, positions, {
          column: o.propensityColumn,
          unweighted: o.unweighted === true,
          slotsFlag,
        });
        const res = estimateLogPositionBias(
          log,
          { method, resamples, level, seed, probitBeta, probitModel },
          createRng(seed),
        );
        writeOutputs([output(toJson({ log: o.log, ...res }), o.out)]);
        for (const w of res.warnings) warn(w);
        info(
          `${method}: q = ${res.q.map((v) => v.toFixed(3)).join(', ')} (${res.rows} rows, ${res.byPosition
            .map((p) => `${p.clicks} clicks`)
            .join(' / ')}${res.weighting === null ? '' : ', weighted by 1/propensity'})`,
        );
      },
    );
}

/** The files `--plot PREFIX` writes. */
export function rankPlotFiles(prefix: string): string[] {
  return [`${prefix}-reward.svg`, `${prefix}-regret.svg`, `${prefix}-bias.svg`];
}

/**
 * Renders `<prefix>-reward.svg` (mean cumulative reward over rounds), `<prefix>-regret.svg` (mean cumulative regret
 * against the oracle) and `<prefix>-bias.svg` (true vs estimated q) as outputs for {@link writeOutputs}.
 */
export async function rankPlots(prefix: string, result: RankSimulateOutput): Promise<OutputSpec[]> {
  const setting = result.setting;
  const [rewardFile, regretFile, biasFile] = rankPlotFiles(prefix) as [string, string, string];
  const title = `${String(setting['dataset'])}, L = ${String(setting['positions'])}`;
  const reward = await renderSvg(
    lineChart({
      title: `Cumulative reward, ${title}`,
      xLabel: 'round',
      yLabel: 'cumulative reward (mean over runs)',
      series: result.policies.map((p) => ({ name: p.label, x: p.curve.rounds, y: p.curve.mean })),
    }),
  );
  const regret = await renderSvg(
    lineChart({
      title: `Cumulative regret against the oracle, ${title}`,
      xLabel: 'round',
      yLabel: 'cumulative regret (mean over runs)',
      series: result.policies.map((p) => ({
        name: p.label,
        x: p.checkpoints.rounds,
        y: p.checkpoints.regret,
        dashed: p.name.startsWith('linucb'),
      })),
    }),
  );
  const pos = result.truePositionBias.map((_, i) => i + 1);
  const bias = await renderSvg(
    lineChart({
      title: `True vs estimated position bias, ${String(setting['dataset'])}`,
      xLabel: 'position',
      yLabel: 'examination probability q',
      points: true,
      yZero: true,
      series: [
        { name: 'true', x: pos, y: result.truePositionBias, dashed: true },
        ...result.policies
          .filter((p) => p.positionBias !== null && !p.name.endsWith('-real'))
          .map((p) => ({ name: p.label, x: pos, y: p.positionBias! })),
      ],
    }),
  );
  return [
    { path: rewardFile, data: reward, flag: '--plot' },
    { path: regretFile, data: regret, flag: '--plot' },
    { path: biasFile, data: bias, flag: '--plot' },
  ];
}

/**
 * `allot evaluate`: off-policy evaluation of a target policy on logged bandit feedback (an Open Bandit Dataset CSV
 * or allot's own exported log), with the standard estimators, an optional slate estimator, bootstrap and normal
 * intervals and weight diagnostics.
 */
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { AllotError } from '../../core/errors.js';
import {
  type BanditLog,
  type EvaluationResult,
  evaluatePolicy,
  parseAllotLog,
  parseObdLog,
  policyFromConfig,
  SLATE_ESTIMATORS,
  type SlateEstimator,
  STANDARD_ESTIMATORS,
  type StandardEstimator,
} from '../../evaluate/index.js';
import {
  checkOutputPath,
  emit,
  info,
  numberOption,
  parseInteger,
  parseNameList,
  parseNumber,
  readJson,
  readText,
  toJson,
} from '../io.js';

/** Raw options of `allot evaluate`. */
interface EvaluateCliOptions {
  log: string;
  format?: string;
  policy: string;
  estimators: string;
  slate?: string;
  clip?: string;
  bootstrap: string;
  bootstrapMethod: string;
  seed: string;
  out?: string;
  folds: string;
  l2: string;
  model: string;
  switchTau?: string;
  drosLambda?: string;
}

/** Reads a log file in the given format (`obd`, `allot`) or, without one, the format its name or content says. */
export function readLog(path: string, format: string | undefined): BanditLog {
  const text = readText(path, 'log');
  const ext = extname(path).toLowerCase();
  const json = ext === '.ndjson' || ext === '.jsonl' || ext === '.json';
  let fmt = format;
  if (fmt === undefined) {
    if (json || text.trimStart().startsWith('{')) fmt = 'allot';
    else {
      const header = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length);
      fmt = /(^|,)event_id(,|$)/.test(header) ? 'allot' : 'obd';
    }
  }
  if (fmt === 'obd') return parseObdLog(text, `log ${path}`);
  if (fmt === 'allot') {
    const kind = json ? 'ndjson' : ext === '.csv' ? 'csv' : undefined;
    return parseAllotLog(text, kind, `log ${path}`);
  }
  throw new AllotError(
    'ALLOT_UNKNOWN_OPTION',
    `--format must be obd or allot (got ${JSON.stringify(format)})`,
  );
}

/** A human summary of a result, for stderr. */
export function formatEvaluation(r: EvaluationResult): string[] {
  const f = (x: number | null | undefined): string =>
    x === null || x === undefined ? 'n/a' : x.toPrecision(4);
  const lines = [
    `${r.n} rows, ${r.impressions} impressions${r.skipped ? `, ${r.skipped} rows without reward skipped` : ''}; target ${r.policy}`,
    `${'estimator'.padEnd(18)}${'value'.padStart(11)}${'se'.padStart(11)}   95% interval`,
  ];
  for (const [k, e] of Object.entries(r.estimates))
    lines.push(
      `${k.padEnd(18)}${f(e.value).padStart(11)}${f(e.se).padStart(11)}   [${f(e.ci95[0])}, ${f(e.ci95[1])}]`,
    );
  const d = r.diagnostics;
  lines.push(
    `weights: ESS ${d.ess.toFixed(1)} of ${r.n}, max ${f(d.maxWeight)}, mean ${f(d.meanWeight)}, zero target support ${(100 * d.zeroSupport).toFixed(2)}% of rows`,
  );
  return lines;
}

/** Registers `allot evaluate`. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      "estimate a target policy's expected reward per logged row from logged bandit feedback (off-policy evaluation)",
    )
    .requiredOption(
      '--log <file>',
      'the log: an Open Bandit Dataset CSV, or an `allot agents export` file (.ndjson/.csv)',
    )
    .option('--format <fmt>', 'obd | allot (default: from the file name and header)')
    .requiredOption(
      '--policy <file>',
      'target policy JSON: {"type":"uniform"} | {"type":"bernoulli-ts","alpha":[..],"beta":[..],"positions":3,"simulations":100000,"seed":1} | {"type":"epsilon-greedy","ranking":[..],"epsilon":0.1} | {"type":"action-dist","file":"dist.csv"} | {"type":"agent","snapshot":"snapshot.json"}',
    )
    .option(
      '--estimators <list>',
      `comma-separated, of ${STANDARD_ESTIMATORS.join(',')}`,
      STANDARD_ESTIMATORS.join(','),
    )
    .option(
      '--slate <kind>',
      `also run a slate estimator: ${SLATE_ESTIMATORS.join(' | ')} (pi = pseudo-inverse)`,
    )
    .option('--clip <w>', 'clip importance weights at w (default: no clipping)')
    .addOption(
      numberOption(
        '--bootstrap <b>',
        'bootstrap resamples for the percentile intervals (0: normal intervals)',
        1000,
      ),
    )
    .option(
      '--bootstrap-method <m>',
      'auto | multinomial | poisson (auto: multinomial below 100,000 impressions, Poisson from there on)',
      'auto',
    )
    .addOption(numberOption('--seed <n>', 'seed of the bootstrap and the cross-fitting folds', 1))
    .option('--out <file>', 'write RESULT.json here (default: stdout)')
    .addOption(numberOption('--folds <k>', 'cross-fitting folds of the reward model (1: in-sample)', 3))
    .addOption(numberOption('--l2 <lambda>', 'ridge penalty of the reward model', 1))
    .option('--model <kind>', 'reward model: auto | linear | logistic', 'auto')
    .option('--switch-tau <tau>', 'Switch-DR threshold (default: tuned by estimated MSE)')
    .option('--dros-lambda <lambda>', 'DRos shrinkage (default: tuned by estimated MSE)')
    .addHelpText(
      'after',
      '\nThe value is the expected reward per row (OBD: the click rate per shown item), comparable with the on-policy\n' +
        'mean reward of another log. RESULT.json: {"n", "estimates": {"ipw": {"value", "se", "ci95": [lo, hi]}, ...},\n' +
        '"diagnostics": {"ess", "maxWeight", "zeroSupport"}}. Relative paths in POLICY.json are resolved from its folder.\n\n' +
        'Example:\n' +
        '  npx allot evaluate --log ../shared/data/obd/random/men/men.csv --format obd \\\n' +
        '    --policy fixtures/evaluate/bts-men.json --bootstrap 1000 --seed 1 --out result.json',
    )
    .action((o: EvaluateCliOptions) => {
      const estimators = parseNameList('--estimators', o.estimators).map((e) => {
        if (!(STANDARD_ESTIMATORS as readonly string[]).includes(e))
          throw new AllotError(
            'ALLOT_UNKNOWN_OPTION',
            `--estimators must name some of ${STANDARD_ESTIMATORS.join(', ')} (got ${JSON.stringify(e)})`,
          );
        return e as StandardEstimator;
      });
      if (o.slate !== undefined && !(SLATE_ESTIMATORS as readonly string[]).includes(o.slate))
        throw new AllotError(
          'ALLOT_UNKNOWN_OPTION',
          `--slate must be one of ${SLATE_ESTIMATORS.join(', ')} (got ${JSON.stringify(o.slate)})`,
        );
      if (o.format !== undefined && o.format !== 'obd' && o.format !== 'allot')
        throw new AllotError(
          'ALLOT_UNKNOWN_OPTION',
          `--format must be obd or allot (got ${JSON.stringify(o.format)})`,
        );
      const clip = o.clip === undefined ? undefined : parseNumber('--clip', o.clip);
      if (clip !== undefined && !(clip > 0))
        throw new AllotError('ALLOT_OUT_OF_RANGE', `--clip must be > 0 (got ${clip})`);
      const bootstrap = parseInteger('--bootstrap', o.bootstrap, 0);
      if (bootstrap > 1_000_000)
        throw new AllotError('ALLOT_OUT_OF_RANGE', `--bootstrap must be <= 1000000 (got ${bootstrap})`);
      if (!['auto', 'multinomial', 'poisson'].includes(o.bootstrapMethod))
        throw new AllotError(
          'ALLOT_UNKNOWN_OPTION',
          `--bootstrap-method must be auto, multinomial or poisson (got ${JSON.stringify(o.bootstrapMethod)})`,
        );
      const seed = parseInteger('--seed', o.seed, 0);
      const folds = parseInteger('--folds', o.folds, 1);
      const l2 = parseNumber('--l2', o.l2);
      if (!(l2 > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--l2 must be > 0 (got ${l2})`);
      if (!['auto', 'linear', 'logistic'].includes(o.model))
        throw new AllotError(
          'ALLOT_UNKNOWN_OPTION',
          `--model must be auto, linear or logistic (got ${JSON.stringify(o.model)})`,
        );
      const switchTau = o.switchTau === undefined ? undefined : parseNumber('--switch-tau', o.switchTau);
      if (switchTau !== undefined && !(switchTau >= 0))
        throw new AllotError('ALLOT_OUT_OF_RANGE', `--switch-tau must be >= 0 (got ${switchTau})`);
      const drosLambda = o.drosLambda === undefined ? undefined : parseNumber('--dros-lambda', o.drosLambda);
      if (drosLambda !== undefined && !(drosLambda >= 0))
        throw new AllotError('ALLOT_OUT_OF_RANGE', `--dros-lambda must be >= 0 (got ${drosLambda})`);
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      const cfg = readJson(o.policy, 'policy file');
      const base = dirname(resolve(o.policy));
      const policy = policyFromConfig(cfg, (p, what) => readText(isAbsolute(p) ? p : resolve(base, p), what));
      const log = readLog(o.log, o.format);
      const t0 = performance.now();
      const r = evaluatePolicy(log, policy, {
        estimators,
        ...(o.slate !== undefined ? { slate: o.slate as SlateEstimator } : {}),
        ...(clip !== undefined ? { clip } : {}),
        bootstrap,
        bootstrapMethod: o.bootstrapMethod as 'auto' | 'multinomial' | 'poisson',
        seed,
        ...(switchTau !== undefined ? { switchTau } : {}),
        ...(drosLambda !== undefined ? { drosLambda } : {}),
        rewardModel: { folds, l2, kind: o.model as 'auto' | 'linear' | 'logistic', seed },
      });
      for (const line of formatEvaluation(r)) info(line);
      info(`evaluate: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      emit(toJson(r), o.out);
    });
}

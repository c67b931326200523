/** `allot forecast allocate|score`: allocation Bayes acts and scores of hub quantile forecasts. */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { AllotError } from '../../core/errors.js';
import type {
  ModelOutputParserOptions,
  ModelOutputTable,
  QuantileScoreRow,
  TailFamily,
  TargetData,
} from '../../forecast/index.js';
import {
  checkInputFile,
  checkOutputPath,
  info,
  MAX_INPUT_BYTES,
  numberOption,
  type OutputSpec,
  output,
  parseNameList,
  parseNumber,
  parseNumberList,
  readText,
  requiredOption,
  warn,
  writeOutputs,
} from '../io.js';

type ForecastLib = typeof import('../../forecast/index.js');
let forecastLib: ForecastLib | undefined;

/**
 * The forecast library, imported by the first action: its distributions load @stdlib (~500 CommonJS files), which
 * `--help` and bad flags do not need.
 */
async function loadForecast(): Promise<ForecastLib> {
  forecastLib ??= await import('../../forecast/index.js');
  return forecastLib;
}

/** The library once an action has loaded it. */
function lib(): ForecastLib {
  if (forecastLib === undefined) throw new AllotError('ALLOT_INTERNAL', 'the forecast library is not loaded');
  return forecastLib;
}

/** Documented maxima of `allot forecast` (docs/cli.md lists them). */
export const FORECAST_LIMITS: { readonly inputBytes: number; readonly stocks: number } = {
  /** Size of --forecasts and --truth, bytes. */
  inputBytes: MAX_INPUT_BYTES,
  /** Entries of --K. */
  stocks: 1_000,
};

/** Formats a CSV cell: numbers in shortest round-trip form, null as empty, strings quoted when needed. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const out: string[] = [columns.join(',')];
  for (const r of rows) {
    let line = '';
    for (let j = 0; j < columns.length; j++) {
      if (j > 0) line += ',';
      line += cell(r[columns[j]!]);
    }
    out.push(line);
  }
  return `${out.join('\n')}\n`;
}

/** Reads model output by streaming the file through the parser. */
async function readModelOutput(path: string, opts: ModelOutputParserOptions): Promise<ModelOutputTable> {
  checkInputFile(path, '--forecasts', FORECAST_LIMITS.inputBytes);
  const m = /^\d{4}-\d{2}-\d{2}-(.+)\.csv$/.exec(basename(path));
  const parser = lib().createModelOutputParser({
    ...opts,
    source: `--forecasts ${path}`,
    ...(m !== null && opts.modelId === undefined ? { modelId: m[1]! } : {}),
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream) parser.push(chunk as string);
  return parser.end();
}

interface CommonOpts {
  forecasts: string;
  truth?: string;
  model?: string;
  referenceDate?: string;
  target?: string;
  horizon?: string;
  locations?: string;
  tail: string;
  out?: string;
  quiet?: boolean;
}

function filterOptions(o: CommonOpts): ModelOutputParserOptions {
  const f: {
    models?: string[];
    referenceDates?: string[];
    target?: string;
    horizon?: number;
    locations?: string[];
  } = {};
  if (o.model !== undefined) f.models = parseNameList('--model', o.model);
  if (o.referenceDate !== undefined) {
    const ds = parseNameList('--reference-date', o.referenceDate);
    for (const d of ds) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) {
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `--reference-date must be YYYY-MM-DD (got ${JSON.stringify(d)})`,
        );
      }
    }
    f.referenceDates = ds;
  }
  if (o.target !== undefined) f.target = o.target;
  if (o.horizon !== undefined) f.horizon = parseNumber('--horizon', o.horizon);
  if (o.locations !== undefined)
    f.locations = parseNameList('--locations', o.locations).map(lib().normalizeLocation);
  return f;
}

function tailOption(raw: string): TailFamily {
  if (raw !== 'normal' && raw !== 'lognormal') {
    throw new AllotError(
      'ALLOT_UNKNOWN_OPTION',
      `--tail must be normal or lognormal (got ${JSON.stringify(raw)})`,
    );
  }
  return raw;
}

/** Applies the defaults for target and horizon: the file's only value, else an error naming the choices. */
function checkSingle(table: ModelOutputTable, o: CommonOpts, path: string): void {
  const describe = (): string => {
    const parts: string[] = [];
    if (o.model !== undefined) parts.push(`--model ${o.model}`);
    if (o.referenceDate !== undefined) parts.push(`--reference-date ${o.referenceDate}`);
    if (o.target !== undefined) parts.push(`--target ${JSON.stringify(o.target)}`);
    if (o.horizon !== undefined) parts.push(`--horizon ${o.horizon}`);
    if (o.locations !== undefined) parts.push(`--locations ${o.locations}`);
    return parts.length === 0 ? 'output_type quantile' : parts.join(' ');
  };
  if (table.kept === 0) {
    throw new AllotError(
      'ALLOT_NO_MATCH',
      `no quantile forecast in --forecasts ${path} matches ${describe()} (${table.rows} rows read)`,
    );
  }
  if (table.targets.length > 1) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `--forecasts holds several targets (${table.targets.map((t) => JSON.stringify(t)).join(', ')}): choose one with --target`,
    );
  }
  if (table.horizons.length > 1) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `--forecasts holds several horizons (${table.horizons.join(', ')}): choose one with --horizon`,
    );
  }
}

function readTruth(path: string): TargetData {
  return lib().parseTargetData(readText(path, '--truth'), `--truth ${path}`);
}

const ALLOCATE_COLUMNS = [
  'model_id',
  'reference_date',
  'K',
  'location',
  'allocation',
  'tau',
  'observation',
  'shortfall',
  'score_total',
  'score_oracle',
  'score_adjusted',
  'status',
] as const;

const SCORE_COLUMNS = [
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
] as const;

const SUMMARY_COLUMNS = [
  'model_id',
  'n',
  'wis',
  'dispersion',
  'overprediction',
  'underprediction',
  'ae_median',
  'coverage_50',
  'coverage_95',
  'relative_wis',
  'relative_ae',
] as const;

function withCommon(cmd: Command): Command {
  return cmd
    .addOption(requiredOption('--forecasts <file>', 'hubverse model_output CSV (quantile rows are used)'))
    .option('--model <ids>', 'keep these model_id values (comma-separated)')
    .option('--reference-date <dates>', 'keep these reference dates, YYYY-MM-DD (comma-separated)')
    .option('--target <name>', 'target (default: the one target in the file; an error if several)')
    .option('--horizon <h>', 'horizon (default: the one horizon in the file; an error if several)')
    .option(
      '--locations <codes>',
      'required location codes, e.g. 01,02 (default: every location forecast that date)',
    )
    .option(
      '--tail <family>',
      'tail family of the distributions: normal (distfromq default) or lognormal',
      'normal',
    )
    .option('--out <file>', 'write the CSV here (atomically) instead of stdout')
    .option('--quiet', 'print no warnings or summaries on stderr (same as the global --quiet)', false);
}

/** Registers the `forecast` commands on the program. */
export function registerForecast(program: Command): void {
  const fc = program
    .command('forecast')
    .description('quantile forecasts → allocations of a stock K across locations, allocation scores, WIS');

  withCommon(
    fc
      .command('allocate')
      .description(
        'allocation Bayes act per forecast (distfromq distributions; sum of allocations = K exactly) and, with --truth, its allocation scores',
      ),
  )
    .option('--truth <file>', 'target data CSV (location, target_end_date|date, observation|value)')
    .addOption(
      requiredOption(
        '--K <values>',
        `stock(s) to allocate, comma-separated, each >= 0, at most ${FORECAST_LIMITS.stocks} (forecast's K, not --arms)`,
      ),
    )
    .addOption(
      numberOption(
        '--L <loss>',
        "loss per unit of shortage (scales the scores; forecast's L, not --slots)",
        1,
      ),
    )
    .option(
      '--include-incomplete',
      'also write rows (no allocation, status "incomplete: <reason>") for the present locations of incomplete forecasts',
      false,
    )
    .addHelpText(
      'after',
      '\nExample:\n  npx allot forecast allocate --forecasts fixtures/forecast/model-output.csv --K 100 --out out/alloc.csv',
    )
    .action(async (o: CommonOpts & { K: string; L: string; includeIncomplete: boolean }) => {
      const { allocationRows, checkForecasts } = await loadForecast();
      if (o.out !== undefined) checkOutputPath(o.out, '--out');
      const Ks = parseNumberList('--K', o.K, FORECAST_LIMITS.stocks);
      for (const k of Ks) {
        if (k < 0) throw new AllotError('ALLOT_OUT_OF_RANGE', `--K must be >= 0 (got ${k})`);
      }
      const L = parseNumber('--L', o.L);
      if (!(L > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `--L must be > 0 (got ${L})`);
      const tail = tailOption(o.tail);
      const filters = filterOptions(o);
      const truth = o.truth === undefined ? undefined : readTruth(o.truth);
      const table = await readModelOutput(o.forecasts, filters);
      checkSingle(table, o, o.forecasts);
      const { complete, incomplete } = checkForecasts(
        table,
        filters.locations === undefined ? {} : { locations: filters.locations },
      );
      if (!o.quiet) {
        for (const f of incomplete) {
          warn(`skipped incomplete forecast ${f.model} ${f.referenceDate}: ${f.reason}`);
        }
      }
      if (complete.length === 0) {
        throw new AllotError(
          'ALLOT_NO_MATCH',
          `no complete forecast in --forecasts ${o.forecasts} (${incomplete.length} incomplete; first: ${incomplete[0]?.model} ${incomplete[0]?.referenceDate}: ${incomplete[0]?.reason})`,
        );
      }
      const rows: Record<string, unknown>[] = [];
      const warned = new Set<string>();
      const warnOnce = (key: string, msg: string): void => {
        if (o.quiet || warned.has(key)) return;
        warned.add(key);
        warn(msg);
      };
      for (const f of complete) {
        const r = allocationRows(f, Ks, { L, tail, ...(truth === undefined ? {} : { truth }) });
        for (const row of r.rows) {
          rows.push(row as unknown as Record<string, unknown>);
          if (row.status === 'ok') continue;
          for (const flag of row.status.split(';')) {
            const id = `${row.model_id} ${row.reference_date}`;
            if (flag === 'degenerate') {
              warnOnce(
                `${id} ${row.K} d`,
                `${id} K=${row.K}: degenerate (K is not reachable for tau in (0, 1); see docs/forecast.md)`,
              );
            } else if (flag !== 'partial_observations') {
              warnOnce(`${id} ${row.location} ${flag}`, `${id} location ${row.location}: ${flag}`);
            }
          }
        }
      }
      if (o.includeIncomplete) {
        // Rows for the present locations of incomplete forecasts: no allocation, status "incomplete: <reason>".
        for (const g of incomplete) {
          const raw = table.forecasts.find(
            (x) =>
              x.model === g.model &&
              x.referenceDate === g.referenceDate &&
              x.target === g.target &&
              x.horizon === g.horizon,
          );
          if (raw === undefined) continue;
          const locs = [...raw.locations.keys()].sort();
          for (const K of Ks) {
            for (const loc of locs) {
              rows.push({
                model_id: g.model,
                reference_date: g.referenceDate,
                K,
                location: loc,
                observation: truth?.get(raw.targetEndDate, loc, raw.target) ?? null,
                status: `incomplete: ${g.reason}`,
              });
            }
          }
        }
      }
      writeOutputs([output(toCsv(ALLOCATE_COLUMNS, rows), o.out)]);
      if (!o.quiet) {
        info(
          `allot: ${complete.length} complete forecast(s) × ${Ks.length} K allocated; ${incomplete.length} incomplete ${o.includeIncomplete ? 'listed with status "incomplete"' : 'skipped'}`,
        );
      }
    });

  withCommon(
    fc
      .command('score')
      .description(
        'WIS (dispersion/over/underprediction), 50%/95% coverage and median AE per (model, reference date, location), plus a per-model summary with pairwise relative skill',
      ),
  )
    .addOption(
      requiredOption('--truth <file>', 'target data CSV (location, target_end_date|date, observation|value)'),
    )
    .option(
      '--baseline <model>',
      'model_id that relative skill is scaled by (default: unscaled geometric mean ratio)',
    )
    .option('--summary <file>', 'write the per-model summary CSV here (it is always printed on stderr)')
    .option('--pinball <file>', 'write the pinball loss per quantile level (long CSV) here')
    .addHelpText(
      'after',
      '\nAll outputs (stdout or --out, --summary, --pinball) are written together or not at all.' +
        '\n\nExample:\n  npx allot forecast score --forecasts fixtures/forecast/model-output.csv ' +
        '--truth fixtures/forecast/target-data.csv --out out/scores.csv --summary out/summary.csv',
    )
    .action(
      async (o: CommonOpts & { truth: string; baseline?: string; summary?: string; pinball?: string }) => {
        const { quantileScoreRows, summarizeScores } = await loadForecast();
        if (o.out !== undefined) checkOutputPath(o.out, '--out');
        if (o.summary !== undefined) checkOutputPath(o.summary, '--summary');
        if (o.pinball !== undefined) checkOutputPath(o.pinball, '--pinball');
        tailOption(o.tail);
        const filters = filterOptions(o);
        const truth = readTruth(o.truth);
        const table = await readModelOutput(o.forecasts, filters);
        checkSingle(table, o, o.forecasts);
        const rows = quantileScoreRows(table, truth);
        const summary = summarizeScores(rows, o.baseline);
        const noObs = rows.filter((r) => r.status === 'no_observation').length;
        if (!o.quiet) {
          for (const r of rows) {
            if (r.status.startsWith('invalid')) warn(`${r.model_id} ${r.reference_date}: ${r.status}`);
          }
          if (noObs > 0) warn(`${noObs} forecast row(s) have no observation in --truth (scores left empty)`);
          for (const w of thinSupportWarnings(rows, summary)) warn(w);
        }
        // Render every output, then write them all or none (stdout last).
        const outs: OutputSpec[] = [
          output(toCsv(SCORE_COLUMNS, rows as unknown as Record<string, unknown>[]), o.out),
        ];
        const sumCsv = toCsv(SUMMARY_COLUMNS, summary as unknown as Record<string, unknown>[]);
        if (o.summary !== undefined) outs.push({ path: o.summary, data: sumCsv, flag: '--summary' });
        if (o.pinball !== undefined)
          outs.push({ path: o.pinball, data: pinballCsv(rows), flag: '--pinball' });
        writeOutputs(outs);
        if (!o.quiet) info(formatSummary(summary, o.baseline));
      },
    );
}

/**
 * Warnings for relative skill the data cannot support: a model scored on a single location, or on fewer than half
 * the rows of the best-covered model, is ranked on a pairwise comparison over very few common forecasts.
 */
function thinSupportWarnings(
  rows: readonly QuantileScoreRow[],
  summary: ReturnType<ForecastLib['summarizeScores']>,
): string[] {
  if (summary.length < 2) return [];
  const locs = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.wis === null) continue;
    let s = locs.get(r.model_id);
    if (s === undefined) {
      s = new Set();
      locs.set(r.model_id, s);
    }
    s.add(r.location);
  }
  let maxN = 0;
  for (const m of summary) maxN = Math.max(maxN, m.n);
  const out: string[] = [];
  for (const m of summary) {
    const nLoc = locs.get(m.model_id)?.size ?? 0;
    if (nLoc <= 1 || m.n < maxN / 2) {
      out.push(
        `model ${m.model_id} is scored on ${m.n} row(s) in ${nLoc} location(s) (best-covered model: ${maxN} rows): ` +
          'its relative WIS and AE rest on few common forecasts',
      );
    }
  }
  return out;
}

function pinballCsv(rows: readonly QuantileScoreRow[]): string {
  const out = ['model_id,reference_date,location,level,quantile,observation,pinball'];
  for (const r of rows) {
    if (r.pinball === null) continue;
    const { levels, values, loss } = r.pinball;
    for (let k = 0; k < levels.length; k++) {
      out.push(
        [r.model_id, r.reference_date, r.location, levels[k], values[k], r.observation, loss[k]]
          .map(cell)
          .join(','),
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function formatSummary(
  rows: ReturnType<ForecastLib['summarizeScores']>,
  baseline: string | undefined,
): string {
  const f = (x: number | null, d = 3): string => (x === null ? '-' : x.toFixed(d));
  const w = Math.max(8, ...rows.map((r) => r.model_id.length));
  const lines = [
    `per-model summary (relative skill ${baseline === undefined ? 'unscaled' : `vs ${baseline}`}; lower is better):`,
    `${'model_id'.padEnd(w)}  ${'n'.padStart(5)}  ${'WIS'.padStart(10)}  ${'rel.WIS'.padStart(8)}  ${'rel.AE'.padStart(8)}  ${'cov50'.padStart(6)}  ${'cov95'.padStart(6)}`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.model_id.padEnd(w)}  ${String(r.n).padStart(5)}  ${f(r.wis, 2).padStart(10)}  ${f(r.relative_wis).padStart(8)}  ${f(r.relative_ae).padStart(8)}  ${f(r.coverage_50, 2).padStart(6)}  ${f(r.coverage_95, 2).padStart(6)}`,
    );
  }
  return lines.join('\n');
}

/**
 * From hub files to decisions and scores: checks each forecast (complete, crossing, missing levels), builds its
 * distributions once, allocates every K and scores against observations. The CLI and the reproduction are thin
 * shells over these functions.
 */
import { AllotError } from '../core/errors.js';
import { type Allocation, solveAllocation } from './allocate.js';
import { createQuantileDistribution, type QuantileDistribution, type TailFamily } from './distribution.js';
import type { ModelOutputTable, RawForecast, RawLocation, TargetData } from './hub.js';
import { type RelativeSkill, relativeSkill } from './relative-skill.js';
import { oracleAllocation, scoreQuantiles } from './scores.js';

/** A location's quantiles after checks. */
export interface PreparedLocation {
  readonly location: string;
  /** Levels, increasing, missing values dropped. */
  readonly levels: Float64Array;
  /** Values at those levels, as given (may decrease when `crossing`). */
  readonly values: Float64Array;
  /** Values decrease somewhere with the level (distfromq sorts them; reported, not rejected). */
  readonly crossing: boolean;
  /** Fewer levels than the forecast's other locations, or missing ("NA") values dropped. */
  readonly missingLevels: boolean;
}

/** A forecast with every required location. */
export interface PreparedForecast {
  readonly model: string;
  readonly referenceDate: string;
  readonly target: string;
  readonly horizon: string;
  readonly targetEndDate: string;
  /** Locations, sorted. */
  readonly locations: readonly PreparedLocation[];
}

/** A forecast left out, with the reason. */
export interface IncompleteForecast {
  readonly model: string;
  readonly referenceDate: string;
  readonly target: string;
  readonly horizon: string;
  readonly reason: string;
}

function prepareLocation(raw: RawLocation, nLevels: number): PreparedLocation | string {
  const idx: number[] = [];
  for (let k = 0; k < raw.levels.length; k++) idx.push(k);
  let sorted = true;
  for (let k = 1; k < raw.levels.length; k++) if (raw.levels[k]! < raw.levels[k - 1]!) sorted = false;
  if (!sorted) idx.sort((a, b) => raw.levels[a]! - raw.levels[b]!);
  const lv: number[] = [];
  const va: number[] = [];
  let dropped = false;
  for (const k of idx) {
    const p = raw.levels[k]!;
    const v = raw.values[k]!;
    if (lv.length > 0 && lv[lv.length - 1] === p) {
      const prev = va[va.length - 1]!;
      if (prev === v || (Number.isNaN(prev) && Number.isNaN(v))) continue;
      return `location ${raw.location} gives level ${p} twice with different values (${prev} and ${v})`;
    }
    lv.push(p);
    va.push(v);
  }
  const levels: number[] = [];
  const values: number[] = [];
  for (let k = 0; k < lv.length; k++) {
    if (Number.isNaN(va[k]!)) {
      dropped = true;
      continue;
    }
    levels.push(lv[k]!);
    values.push(va[k]!);
  }
  if (values.length === 0) return `location ${raw.location} has no quantile values (all missing)`;
  let crossing = false;
  for (let k = 1; k < values.length; k++) if (values[k]! < values[k - 1]!) crossing = true;
  return {
    location: raw.location,
    levels: Float64Array.from(levels),
    values: Float64Array.from(values),
    crossing,
    missingLevels: dropped || levels.length < nLevels,
  };
}

/**
 * Splits the forecasts of a parsed model-output table into complete ones (every required location, each with
 * usable quantiles) and incomplete ones with the reason.
 *
 * @param table - the parsed model output
 * @param opts - `locations`: the required location set (default: for each reference date, target and horizon, every
 *   location any model forecast)
 * @returns complete forecasts (locations sorted) and the incomplete ones with reasons
 * @throws never for data problems (they become reasons)
 */
export function checkForecasts(
  table: ModelOutputTable,
  opts: { locations?: readonly string[] } = {},
): { complete: PreparedForecast[]; incomplete: IncompleteForecast[] } {
  const required = new Map<string, string[]>();
  if (opts.locations === undefined) {
    const sets = new Map<string, Set<string>>();
    for (const f of table.forecasts) {
      const key = groupKey(f);
      let s = sets.get(key);
      if (s === undefined) {
        s = new Set();
        sets.set(key, s);
      }
      for (const l of f.locations.keys()) s.add(l);
    }
    for (const [k, s] of sets) required.set(k, [...s].sort());
  }
  const complete: PreparedForecast[] = [];
  const incomplete: IncompleteForecast[] = [];
  for (const f of table.forecasts) {
    const need = opts.locations !== undefined ? [...opts.locations].sort() : required.get(groupKey(f))!;
    const missing = need.filter((l) => !f.locations.has(l));
    const base = { model: f.model, referenceDate: f.referenceDate, target: f.target, horizon: f.horizon };
    if (missing.length > 0) {
      const shown = missing.slice(0, 6).join(', ') + (missing.length > 6 ? `, ... (${missing.length})` : '');
      incomplete.push({
        ...base,
        reason: `missing location${missing.length > 1 ? 's' : ''} ${shown} of ${need.length}`,
      });
      continue;
    }
    let nLevels = 0;
    for (const l of need) {
      const raw = f.locations.get(l)!;
      const distinct = countDistinct(raw.levels);
      if (distinct > nLevels) nLevels = distinct;
    }
    const locs: PreparedLocation[] = [];
    let reason: string | null = null;
    for (const l of need) {
      const p = prepareLocation(f.locations.get(l)!, nLevels);
      if (typeof p === 'string') {
        reason = p;
        break;
      }
      locs.push(p);
    }
    if (reason !== null) incomplete.push({ ...base, reason });
    else complete.push({ ...base, targetEndDate: f.targetEndDate, locations: locs });
  }
  return { complete, incomplete };
}

/** Distinct values of a (usually sorted) list. */
function countDistinct(xs: readonly number[]): number {
  let sorted = true;
  for (let k = 1; k < xs.length; k++) if (xs[k]! <= xs[k - 1]!) sorted = false;
  return sorted ? xs.length : new Set(xs).size;
}

function groupKey(f: RawForecast): string {
  return `${f.referenceDate}\u0000${f.target}\u0000${f.horizon}`;
}

/**
 * Builds the distfromq distribution of every location of a forecast (once per forecast, reused for every K).
 *
 * @param f - a complete forecast
 * @param tail - tail family (default normal)
 * @returns one distribution per location, in the forecast's location order
 * @throws ALLOT_OUT_OF_RANGE for negative values with lognormal tails
 */
export function forecastDistributions(
  f: PreparedForecast,
  tail: TailFamily = 'normal',
): QuantileDistribution[] {
  return f.locations.map((l) => createQuantileDistribution(l.levels, l.values, { tail }));
}

/** One output row of {@link allocationRows} (the `allot forecast allocate` CSV). */
export interface AllocationRow {
  readonly model_id: string;
  readonly reference_date: string;
  readonly K: number;
  readonly location: string;
  readonly allocation: number;
  readonly tau: number;
  readonly observation: number | null;
  readonly shortfall: number | null;
  readonly score_total: number | null;
  readonly score_oracle: number | null;
  readonly score_adjusted: number | null;
  readonly status: string;
}

/** Options of {@link allocationRows}. */
export interface AllocationRowsOptions {
  /** Loss per unit of shortage (default 1). */
  readonly L?: number;
  /** Tail family of the distributions (default normal). */
  readonly tail?: TailFamily;
  /** Observations; without them the score columns are null. */
  readonly truth?: TargetData;
}

/**
 * Allocates every K for one complete forecast and scores it when observations are given.
 *
 * @remarks
 * Rows are (model, reference date, K, location). score_total is the raw allocation score L·sum_i (y_i − x_i)_+ of
 * the whole forecast (repeated on its rows), score_oracle L·max(0, sum y − K), score_adjusted their difference.
 * status: `ok`, or `;`-joined flags: `crossing`, `missing_levels` (location), `degenerate` (K not reachable for tau
 * in (0, 1)), `no_observation` (this location; then the forecast's scores are null) and `partial_observations`
 * (another location lacks one).
 *
 * @param f - a complete forecast
 * @param Ks - stocks (each >= 0)
 * @param opts - L, tail family, observations
 * @returns the rows (K-major, then locations in order) and the allocations
 * @throws ALLOT_OUT_OF_RANGE for a negative K or L <= 0
 */
export function allocationRows(
  f: PreparedForecast,
  Ks: readonly number[],
  opts: AllocationRowsOptions = {},
): { rows: AllocationRow[]; allocations: Allocation[] } {
  const L = opts.L ?? 1;
  if (!(Number.isFinite(L) && L > 0)) throw new AllotError('ALLOT_OUT_OF_RANGE', `L must be > 0 (got ${L})`);
  const dists = forecastDistributions(f, opts.tail ?? 'normal');
  const allocations = solveAllocation(dists, Ks, { loss: L });
  const n = f.locations.length;
  const y: (number | undefined)[] = [];
  let allObs = opts.truth !== undefined;
  for (const l of f.locations) {
    const v = opts.truth?.get(f.targetEndDate, l.location, f.target);
    y.push(v);
    if (v === undefined) allObs = false;
  }
  const rows: AllocationRow[] = [];
  for (const a of allocations) {
    let total: number | null = null;
    let oracle: number | null = null;
    if (allObs) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const d = y[i]! - a.x[i]!;
        if (d > 0) s += d;
      }
      total = L * s;
      const ox = oracleAllocation(y as number[], a.K);
      let so = 0;
      for (let i = 0; i < n; i++) {
        const d = y[i]! - ox[i]!;
        if (d > 0) so += d;
      }
      oracle = L * so;
    }
    for (let i = 0; i < n; i++) {
      const l = f.locations[i]!;
      const flags: string[] = [];
      if (l.crossing) flags.push('crossing');
      if (l.missingLevels) flags.push('missing_levels');
      if (a.degenerate) flags.push('degenerate');
      const yi = y[i];
      if (opts.truth !== undefined) {
        if (yi === undefined) flags.push('no_observation');
        else if (!allObs) flags.push('partial_observations');
      }
      const x = a.x[i]!;
      rows.push({
        model_id: f.model,
        reference_date: f.referenceDate,
        K: a.K,
        location: l.location,
        allocation: x,
        tau: a.tau[i]!,
        observation: yi ?? null,
        shortfall: yi === undefined ? null : Math.max(0, yi - x),
        score_total: total,
        score_oracle: oracle,
        score_adjusted: total === null || oracle === null ? null : total - oracle,
        status: flags.length === 0 ? 'ok' : flags.join(';'),
      });
    }
  }
  return { rows, allocations };
}

/** One output row of {@link quantileScoreRows} (the `allot forecast score` CSV). */
export interface QuantileScoreRow {
  readonly model_id: string;
  readonly reference_date: string;
  readonly target: string;
  readonly horizon: string;
  readonly location: string;
  readonly target_end_date: string;
  readonly observation: number | null;
  readonly wis: number | null;
  readonly dispersion: number | null;
  readonly overprediction: number | null;
  readonly underprediction: number | null;
  readonly ae_median: number | null;
  readonly coverage_50: number | null;
  readonly coverage_95: number | null;
  readonly status: string;
  /** Pinball loss per level (not a CSV column; for the long pinball output). */
  readonly pinball: {
    readonly levels: Float64Array;
    readonly values: Float64Array;
    readonly loss: Float64Array;
  } | null;
}

/**
 * Scores every location of every forecast (complete or not) with WIS, its parts, coverage and median error.
 *
 * @param table - parsed model output
 * @param truth - observations
 * @returns one row per (model, reference date, target, horizon, location), and locations that could not be
 *   scored with the reason (they still get a row with null scores and the reason as status)
 * @throws never for data problems
 */
export function quantileScoreRows(table: ModelOutputTable, truth: TargetData): QuantileScoreRow[] {
  const rows: QuantileScoreRow[] = [];
  for (const f of table.forecasts) {
    const locNames = [...f.locations.keys()].sort();
    let nLevels = 0;
    for (const l of f.locations.values()) nLevels = Math.max(nLevels, countDistinct(l.levels));
    for (const name of locNames) {
      const p = prepareLocation(f.locations.get(name)!, nLevels);
      const y = truth.get(f.targetEndDate, name, f.target);
      const base = {
        model_id: f.model,
        reference_date: f.referenceDate,
        target: f.target,
        horizon: f.horizon,
        location: name,
        target_end_date: f.targetEndDate,
        observation: y ?? null,
      };
      const empty = {
        wis: null,
        dispersion: null,
        overprediction: null,
        underprediction: null,
        ae_median: null,
        coverage_50: null,
        coverage_95: null,
        pinball: null,
      };
      if (typeof p === 'string') {
        rows.push({ ...base, ...empty, status: `invalid: ${p}` });
        continue;
      }
      if (y === undefined) {
        rows.push({ ...base, ...empty, status: 'no_observation' });
        continue;
      }
      const s = scoreQuantiles(p.levels, p.values, y);
      const flags: string[] = [];
      if (p.crossing) flags.push('crossing');
      if (p.missingLevels) flags.push('missing_levels');
      rows.push({
        ...base,
        wis: s.wis,
        dispersion: s.dispersion,
        overprediction: s.overprediction,
        underprediction: s.underprediction,
        ae_median: s.aeMedian,
        coverage_50: s.coverage50,
        coverage_95: s.coverage95,
        status: flags.length === 0 ? 'ok' : flags.join(';'),
        pinball: { levels: p.levels, values: p.values, loss: s.pinball },
      });
    }
  }
  return rows;
}

/** One per-model summary row. */
export interface ModelSummaryRow {
  readonly model_id: string;
  /** Scored (reference date, location) units. */
  readonly n: number;
  readonly wis: number;
  readonly dispersion: number;
  readonly overprediction: number;
  readonly underprediction: number;
  readonly ae_median: number | null;
  readonly coverage_50: number | null;
  readonly coverage_95: number | null;
  /** Pairwise relative WIS (scaled by the baseline when given; else the unscaled geometric mean ratio). */
  readonly relative_wis: number | null;
  /** Pairwise relative absolute error of the median, same convention. */
  readonly relative_ae: number | null;
}

/**
 * Per-model means of the score rows and pairwise relative skill (WIS and median AE).
 *
 * @param rows - rows from {@link quantileScoreRows} (rows with null WIS are skipped)
 * @param baseline - baseline model for scaling the relative skill (optional)
 * @returns one row per model, sorted by relative WIS (then name)
 * @throws ALLOT_INVALID_ARGUMENT when the baseline has no scored rows
 */
export function summarizeScores(rows: readonly QuantileScoreRow[], baseline?: string): ModelSummaryRow[] {
  const scored = rows.filter((r) => r.wis !== null);
  const unit = (r: QuantileScoreRow): string => `${r.reference_date}|${r.target}|${r.horizon}|${r.location}`;
  const relW = new Map<string, RelativeSkill>();
  for (const r of relativeSkill(
    scored.map((r) => ({ model: r.model_id, unit: unit(r), score: r.wis! })),
    baseline,
  ))
    relW.set(r.model, r);
  const aeRows = scored.filter((r) => r.ae_median !== null);
  const relA = new Map<string, RelativeSkill>();
  if (aeRows.length > 0 && (baseline === undefined || aeRows.some((r) => r.model_id === baseline))) {
    for (const r of relativeSkill(
      aeRows.map((r) => ({ model: r.model_id, unit: unit(r), score: r.ae_median! })),
      baseline,
    ))
      relA.set(r.model, r);
  }
  const by = new Map<string, QuantileScoreRow[]>();
  for (const r of scored) {
    let a = by.get(r.model_id);
    if (a === undefined) {
      a = [];
      by.set(r.model_id, a);
    }
    a.push(r);
  }
  const mean = (xs: (number | null)[]): number | null => {
    let s = 0;
    let c = 0;
    for (const x of xs) {
      if (x === null) continue;
      s += x;
      c++;
    }
    return c === 0 ? null : s / c;
  };
  const out: ModelSummaryRow[] = [];
  for (const [m, rs] of by) {
    const rw = relW.get(m);
    const ra = relA.get(m);
    out.push({
      model_id: m,
      n: rs.length,
      wis: mean(rs.map((r) => r.wis))!,
      dispersion: mean(rs.map((r) => r.dispersion))!,
      overprediction: mean(rs.map((r) => r.overprediction))!,
      underprediction: mean(rs.map((r) => r.underprediction))!,
      ae_median: mean(rs.map((r) => r.ae_median)),
      coverage_50: mean(rs.map((r) => r.coverage_50)),
      coverage_95: mean(rs.map((r) => r.coverage_95)),
      relative_wis: rw === undefined ? null : baseline === undefined ? rw.theta : rw.relative,
      relative_ae: ra === undefined ? null : baseline === undefined ? ra.theta : ra.relative,
    });
  }
  out.sort(
    (a, b) =>
      (a.relative_wis ?? Number.POSITIVE_INFINITY) - (b.relative_wis ?? Number.POSITIVE_INFINITY) ||
      (a.model_id < b.model_id ? -1 : 1),
  );
  return out;
}

/**
 * The cake-eating problem's configuration: the JSON schema of `allot dp solve --config` and of
 * {@link solveCakeEating}, validated into a normalised {@link CakeProblem}. Every bad input gives one AllotError
 * whose message names the field (`shocks.transition[2]`), the condition and the value.
 */
import { AllotError } from '../core/errors.js';
import { assertInInterval, assertInteger, assertPositive, show, toFiniteArray } from '../core/validate.js';
import { linspace } from './grid.js';
import {
  assertStrictlyIncreasing,
  EXTRAPOLATIONS,
  type Extrapolation,
  INTERPOLATION_KINDS,
  type InterpolationKind,
} from './interpolate.js';

/** Stop rule metric: sum of squared differences (the notebook) or sup norm. */
export type StopMetric = 'sse' | 'sup';
/** Arithmetic of the inner loop: scipy-faithful ('exact') or faster with rounding-level differences ('fast'). */
export type KernelMode = 'exact' | 'fast';

/** The configuration as JSON data (every field optional; defaults are the notebook's). */
export interface CakeEatingConfig {
  /** Discount factor in (0, 1) (default 0.9). */
  readonly beta?: number;
  /** CRRA utility `(c^(1-gamma) - 1)/(1-gamma)`, `gamma = 1` is log (default gamma 2.2); or `{type: 'log'}`. */
  readonly utility?: { readonly type: 'crra' | 'log'; readonly gamma?: number };
  /** Cake-size grid: `linspace(min, max, size)` (default 0.1, 10, 30) or explicit strictly increasing points > 0. */
  readonly grid?:
    | { readonly min?: number; readonly max?: number; readonly size?: number }
    | { readonly points: ArrayLike<number> };
  /** Initial guess: 'log' (default without shocks), 'zero' (default with shocks), values, or [grid][shock] values. */
  readonly initial?: 'log' | 'zero' | ArrayLike<number> | ArrayLike<ArrayLike<number>>;
  /** Utility shocks eps entering as exp(eps) u: i.i.d. (`probabilities`) or Markov (`transition`, rows = today). */
  readonly shocks?:
    | { readonly values: ArrayLike<number>; readonly probabilities: ArrayLike<number> }
    | { readonly values: ArrayLike<number>; readonly transition: ArrayLike<ArrayLike<number>> };
  /** Interpolation of the (expected) value function (default 'cubic', not-a-knot). */
  readonly interpolation?: InterpolationKind;
  /** Outside the grid: continue the end polynomial (default) or clamp. */
  readonly extrapolation?: Extrapolation;
  /** W' is searched in [lowerOffset, W - upperOffset] (defaults 1e-10, 1e-10). */
  readonly bounds?: { readonly lowerOffset?: number; readonly upperOffset?: number };
  /** Brent options (defaults xatol 1e-5, maxiter 500: scipy's). */
  readonly minimizer?: { readonly xatol?: number; readonly maxiter?: number };
  /**
   * 'exact' (default): scipy-faithful arithmetic (C-style pow in the utility, de Boor evaluation of the spline), which
   * reproduces the notebook's numbers to the last bits; 'fast': exp(p log c) for the power and Horner evaluation of
   * the spline in power form, about 1.5x faster, equal to 'exact' up to about 1e-14 relative in V.
   */
  readonly kernel?: KernelMode;
  /** Stop when the distance <= tolerance or after maxIterations (defaults sse, 1e-8, 200). */
  readonly stop?: {
    readonly metric?: StopMetric;
    readonly tolerance?: number;
    readonly maxIterations?: number;
  };
}

/** Shocks after validation. */
export interface CakeShocks {
  /** Shock values eps (length S). */
  readonly values: Float64Array;
  /** i.i.d. probabilities (length S), or null for Markov shocks. */
  readonly probabilities: Float64Array | null;
  /** Markov transition matrix, row-major S x S (row = current state), or null for i.i.d. shocks. */
  readonly transition: Float64Array | null;
}

/** A validated, normalised cake-eating problem. */
export interface CakeProblem {
  readonly beta: number;
  /** CRRA coefficient (1 = log utility). */
  readonly gamma: number;
  readonly grid: Float64Array;
  readonly shocks: CakeShocks | null;
  /** Initial value, row-major [grid][shock] (n x S, S = 1 without shocks). */
  readonly initial: Float64Array;
  readonly interpolation: InterpolationKind;
  readonly extrapolation: Extrapolation;
  readonly lowerOffset: number;
  readonly upperOffset: number;
  readonly xatol: number;
  readonly maxiter: number;
  readonly metric: StopMetric;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly kernel: KernelMode;
}

const MIN_POINTS: Readonly<Record<InterpolationKind, number>> = { cubic: 4, natural: 3, pchip: 2, linear: 2 };

function bad(message: string): AllotError {
  return new AllotError('ALLOT_INVALID_CONFIG', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function checkObject(name: string, v: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (!isObject(v)) throw bad(`${name} must be an object (got ${show(v)})`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      throw bad(
        `${name === 'config' ? '' : `${name}.`}${k} is not a known key (known: ${allowed.join(', ')})`,
      );
    }
  }
  return v;
}

/**
 * Documented maxima of a cake-eating problem (checked by {@link normalizeCakeConfig} before any work; docs/dp.md and
 * docs/cli.md list them).
 */
export const DP_LIMITS = {
  /** grid.size or the length of grid.points. */
  gridPoints: 100_000,
  /** Shock states (shocks.values; the transition matrix is S x S). */
  shockStates: 1_000,
  /** Grid points x shock states (the size of the value function). */
  states: 1_000_000,
  /** stop.maxIterations. */
  maxIterations: 100_000,
  /** minimizer.maxiter (Brent iterations per grid point). */
  minimizerMaxiter: 10_000,
} as const;

/** `v` when given, `{}` when absent (null stays null, so checkObject rejects it rather than taking the defaults). */
function orEmpty(v: unknown): unknown {
  return v === undefined ? {} : v;
}

function maxLength(name: string, v: unknown, max: number): void {
  if (isArrayLike(v) && v.length > max) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must have <= ${max} entries (got ${v.length})`);
  }
}

function num(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') throw bad(`${name} must be a number (got ${show(v)})`);
  if (!Number.isFinite(v))
    throw new AllotError('ALLOT_NOT_FINITE', `${name} must be a finite number (got ${v})`);
  return v;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function numberArray(name: string, v: unknown): Float64Array {
  if (!isArrayLike(v)) throw bad(`${name} must be an array of numbers (got ${show(v)})`);
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (typeof e !== 'number' && e !== null) throw bad(`${name}[${i}] must be a number (got ${show(e)})`);
  }
  return toFiniteArray(name, v);
}

function matrix(
  name: string,
  v: unknown,
  rows: number,
  cols: number,
  rowsName: string,
  colsName: string,
): Float64Array {
  if (!isArrayLike(v)) throw bad(`${name} must be an array of arrays of numbers (got ${show(v)})`);
  if (v.length !== rows) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${name} must have ${rows} rows (${rowsName}) (got ${v.length})`,
    );
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = numberArray(`${name}[${i}]`, v[i]);
    if (row.length !== cols) {
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `${name}[${i}] must have ${cols} entries (${colsName}) (got ${row.length})`,
      );
    }
    out.set(row, i * cols);
  }
  return out;
}

function probabilityRow(name: string, p: Float64Array, off: number, len: number): void {
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = p[off + i]!;
    if (v < 0 || v > 1)
      throw new AllotError('ALLOT_OUT_OF_RANGE', `${name}[${i}] must be in [0, 1] (got ${v})`);
    s += v;
  }
  if (Math.abs(s - 1) > 1e-9) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `${name} must sum to 1 within 1e-9 (got sum ${s})`);
  }
}

/**
 * Validates a cake-eating configuration and fills in the notebook's defaults.
 *
 * @param raw - the configuration (parsed JSON or a {@link CakeEatingConfig}).
 * @returns the normalised problem.
 * @throws ALLOT_INVALID_CONFIG (unknown key, wrong type), ALLOT_NOT_FINITE (non-finite number),
 *   ALLOT_OUT_OF_RANGE (beta outside (0, 1), gamma <= 0, grid point <= 0, probabilities or transition rows not summing
 *   to 1 within 1e-9, bounds that leave no room at the smallest grid point, ...), ALLOT_SHAPE_MISMATCH (lengths or
 *   shapes that disagree, fewer points than the interpolation needs), ALLOT_INVALID_ARGUMENT (grid not strictly
 *   increasing), ALLOT_UNKNOWN_OPTION (unknown interpolation, extrapolation, metric or utility type).
 */
export function normalizeCakeConfig(raw: unknown): CakeProblem {
  if (raw === null) throw bad('config must be an object (got null); use {} for the defaults');
  const cfg = checkObject('config', raw === undefined ? {} : raw, [
    'beta',
    'utility',
    'grid',
    'initial',
    'shocks',
    'interpolation',
    'extrapolation',
    'bounds',
    'minimizer',
    'kernel',
    'stop',
  ]);
  const beta = num('beta', cfg['beta'], 0.9);
  assertInInterval('beta', beta, 0, 1, true, true);

  let gamma = 2.2;
  if (cfg['utility'] !== undefined) {
    const u = checkObject('utility', cfg['utility'], ['type', 'gamma']);
    const type = u['type'] ?? 'crra';
    if (type !== 'crra' && type !== 'log') {
      throw new AllotError(
        'ALLOT_UNKNOWN_OPTION',
        `utility.type must be one of crra, log (got ${show(type)})`,
      );
    }
    if (type === 'log') {
      gamma = num('utility.gamma', u['gamma'], 1);
      if (gamma !== 1)
        throw new AllotError('ALLOT_OUT_OF_RANGE', `utility.gamma must be 1 for log utility (got ${gamma})`);
    } else {
      gamma = num('utility.gamma', u['gamma'], 2.2);
      assertPositive('utility.gamma', gamma);
    }
  }

  const interpolation = oneOf('interpolation', cfg['interpolation'], INTERPOLATION_KINDS, 'cubic');
  const extrapolation = oneOf('extrapolation', cfg['extrapolation'], EXTRAPOLATIONS, 'extrapolate');

  let grid: Float64Array;
  const g = cfg['grid'];
  if (g !== undefined && isObject(g) && 'points' in g) {
    const go = checkObject('grid', g, ['points']);
    maxLength('grid.points', go['points'], DP_LIMITS.gridPoints);
    grid = numberArray('grid.points', go['points']);
  } else {
    const go = checkObject('grid', orEmpty(g), ['min', 'max', 'size', 'points']);
    const min = num('grid.min', go['min'], 0.1);
    const max = num('grid.max', go['max'], 10);
    const size = num('grid.size', go['size'], 30);
    assertInteger('grid.size', size, 2, DP_LIMITS.gridPoints);
    if (!(max > min))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `grid.max must be > grid.min (got min ${min}, max ${max})`);
    grid = linspace(min, max, size);
  }
  const gridName = g !== undefined && isObject(g) && 'points' in g ? 'grid.points' : 'grid';
  const n = grid.length;
  const minPts = MIN_POINTS[interpolation];
  if (n < minPts) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `${gridName} must have at least ${minPts} points for ${interpolation} interpolation (got ${n})`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!(grid[i]! > 0))
      throw new AllotError('ALLOT_OUT_OF_RANGE', `${gridName}[${i}] must be > 0 (got ${grid[i]})`);
  }
  assertStrictlyIncreasing(gridName, grid);

  let shocks: CakeShocks | null = null;
  if (cfg['shocks'] !== undefined) {
    const so = checkObject('shocks', cfg['shocks'], ['values', 'probabilities', 'transition']);
    if (so['values'] === undefined) throw bad('shocks.values is required');
    maxLength('shocks.values', so['values'], DP_LIMITS.shockStates);
    const values = numberArray('shocks.values', so['values']);
    const S = values.length;
    if (n * S > DP_LIMITS.states) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `grid points x shock states must be <= ${DP_LIMITS.states} (got ${n} x ${S} = ${n * S})`,
      );
    }
    if (S < 1)
      throw new AllotError('ALLOT_SHAPE_MISMATCH', 'shocks.values must have at least 1 entry (got 0)');
    const hasP = so['probabilities'] !== undefined;
    const hasT = so['transition'] !== undefined;
    if (hasP === hasT)
      throw bad('shocks must have exactly one of probabilities (i.i.d.) or transition (Markov)');
    if (hasP) {
      const p = numberArray('shocks.probabilities', so['probabilities']);
      if (p.length !== S) {
        throw new AllotError(
          'ALLOT_SHAPE_MISMATCH',
          `shocks.probabilities must have one entry per shock value (${S}) (got ${p.length})`,
        );
      }
      probabilityRow('shocks.probabilities', p, 0, S);
      shocks = { values, probabilities: p, transition: null };
    } else {
      const t = matrix(
        'shocks.transition',
        so['transition'],
        S,
        S,
        'one per shock value',
        'one per shock value',
      );
      for (let j = 0; j < S; j++) probabilityRow(`shocks.transition[${j}]`, t, j * S, S);
      shocks = { values, probabilities: null, transition: t };
    }
  }
  const S = shocks === null ? 1 : shocks.values.length;

  const init = cfg['initial'] === undefined ? (shocks === null ? 'log' : 'zero') : cfg['initial'];
  const initial = new Float64Array(n * S);
  if (init === 'log') {
    for (let i = 0; i < n; i++) initial.fill(Math.log(grid[i]!), i * S, (i + 1) * S);
  } else if (init === 'zero') {
    // already zero
  } else if (typeof init === 'string' || !isArrayLike(init)) {
    throw bad(
      `initial must be "log", "zero", an array (one value per grid point) or an array of arrays [grid][shock] (got ${show(init)})`,
    );
  } else if (init.length > 0 && isArrayLike(init[0])) {
    initial.set(matrix('initial', init, n, S, 'one per grid point', 'one per shock state'));
  } else {
    const v = numberArray('initial', init);
    if (v.length !== n) {
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `initial must have one value per grid point (${n}) (got ${v.length})`,
      );
    }
    for (let i = 0; i < n; i++) initial.fill(v[i]!, i * S, (i + 1) * S);
  }

  const bo = checkObject('bounds', orEmpty(cfg['bounds']), ['lowerOffset', 'upperOffset']);
  const lowerOffset = num('bounds.lowerOffset', bo['lowerOffset'], 1e-10);
  const upperOffset = num('bounds.upperOffset', bo['upperOffset'], 1e-10);
  if (lowerOffset < 0)
    throw new AllotError('ALLOT_OUT_OF_RANGE', `bounds.lowerOffset must be >= 0 (got ${lowerOffset})`);
  assertPositive('bounds.upperOffset', upperOffset);
  if (!(lowerOffset < grid[0]! - upperOffset)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `bounds leave no room at the smallest grid point: need lowerOffset < ${gridName}[0] - upperOffset (got ${lowerOffset} and ${grid[0]! - upperOffset})`,
    );
  }

  const mo = checkObject('minimizer', orEmpty(cfg['minimizer']), ['xatol', 'maxiter']);
  const xatol = num('minimizer.xatol', mo['xatol'], 1e-5);
  assertPositive('minimizer.xatol', xatol);
  const maxiter = num('minimizer.maxiter', mo['maxiter'], 500);
  assertInteger('minimizer.maxiter', maxiter, 1, DP_LIMITS.minimizerMaxiter);

  const st = checkObject('stop', orEmpty(cfg['stop']), ['metric', 'tolerance', 'maxIterations']);
  const metric = oneOf('stop.metric', st['metric'], ['sse', 'sup'] as const, 'sse');
  const tolerance = num('stop.tolerance', st['tolerance'], 1e-8);
  if (tolerance < 0)
    throw new AllotError('ALLOT_OUT_OF_RANGE', `stop.tolerance must be >= 0 (got ${tolerance})`);
  const maxIterations = num('stop.maxIterations', st['maxIterations'], 200);
  assertInteger('stop.maxIterations', maxIterations, 1, DP_LIMITS.maxIterations);

  const kernel = oneOf('kernel', cfg['kernel'], ['exact', 'fast'] as const, 'exact');

  return {
    kernel,
    beta,
    gamma,
    grid,
    shocks,
    initial,
    interpolation,
    extrapolation,
    lowerOffset,
    upperOffset,
    xatol,
    maxiter,
    metric,
    tolerance,
    maxIterations,
  };
}

function oneOf<T extends string>(name: string, v: unknown, choices: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new AllotError(
      'ALLOT_UNKNOWN_OPTION',
      `${name} must be one of ${choices.join(', ')} (got ${show(v)})`,
    );
  }
  return v as T;
}

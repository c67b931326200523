/**
 * The A/B readout at the user level: test/control - 1 for a ratio metric, with a 95 % confidence interval by the
 * delta method.
 */
import { normalCdf } from '../core/dist.js';
import { AllotError } from '../core/errors.js';

/** A lift estimate: test/control - 1 and its 95 % interval (null when undefined, e.g. no active users). */
export interface Lift {
  readonly estimate: number | null;
  readonly ci95: [number | null, number | null];
  /** Standard error of the estimate (delta method). */
  readonly se: number | null;
}

/** A ratio estimate R = sum(y) / sum(x) over users and its delta-method variance. */
export interface RatioEstimate {
  readonly ratio: number;
  readonly variance: number;
  readonly n: number;
}

/**
 * Kernel: the ratio-of-sums estimate over users and its delta-method (linearisation) variance.
 *
 * @remarks
 * R = sum_i y_i / sum_i x_i; Var(R) ~ sum_i (y_i - R x_i)^2 / ((n - 1) n xbar^2) (Deng, Knoblich and Lu 2018).
 * With x_i = 1 this is the mean of y and its squared standard error. Users are the unit: their days, plays and
 * impressions are summed into (y_i, x_i) first.
 * References: A. Deng, U. Knoblich, J. Lu, "Applying the delta method in metric analytics", KDD 2018.
 * arXiv:1803.06336.
 *
 * @param n - number of users.
 * @param y - numerator per user (read at indices[0..n) when given, else 0..n).
 * @param x - denominator per user (same indexing).
 * @returns the ratio (NaN when sum x = 0) and its variance (NaN when n < 2).
 */
export function ratioEstimate(n: number, y: ArrayLike<number>, x: ArrayLike<number>): RatioEstimate {
  let sy = 0;
  let sx = 0;
  for (let i = 0; i < n; i++) {
    sy += y[i]!;
    sx += x[i]!;
  }
  if (!(sx > 0)) return { ratio: Number.NaN, variance: Number.NaN, n };
  const r = sy / sx;
  if (n < 2) return { ratio: r, variance: Number.NaN, n };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const e = y[i]! - r * x[i]!;
    ss += e * e;
  }
  const xbar = sx / n;
  return { ratio: r, variance: ss / ((n - 1) * n * xbar * xbar), n };
}

/**
 * The lift test/control - 1 of two ratio estimates with a 95 % delta-method interval.
 *
 * @remarks
 * L = R_t / R_c - 1, Var(L) ~ (R_t/R_c)^2 (Var R_t / R_t^2 + Var R_c / R_c^2) (independent groups), interval
 * L +- 1.959964 sqrt(Var L). Undefined pieces are null.
 *
 * @param test - the test group's ratio estimate.
 * @param control - the control group's ratio estimate.
 * @returns the lift.
 */
export function liftFromRatios(test: RatioEstimate, control: RatioEstimate): Lift {
  if (!(Number.isFinite(test.ratio) && Number.isFinite(control.ratio) && control.ratio !== 0)) {
    return { estimate: null, ci95: [null, null], se: null };
  }
  const q = test.ratio / control.ratio;
  const est = q - 1;
  const relVar =
    (test.ratio !== 0 ? test.variance / (test.ratio * test.ratio) : Number.NaN) +
    control.variance / (control.ratio * control.ratio);
  const v = q * q * relVar;
  if (!Number.isFinite(v)) return { estimate: est, ci95: [null, null], se: null };
  const se = Math.sqrt(v);
  return { estimate: est, ci95: [est - 1.959963984540054 * se, est + 1.959963984540054 * se], se };
}

/**
 * User-level lift of a ratio metric, test/control - 1, with a 95 % delta-method interval.
 *
 * @param test - per-user numerators `y` and denominators `x` of the test group (same length).
 * @param control - the same for the control group.
 * @returns the lift (nulls when undefined).
 * @throws ALLOT_SHAPE_MISMATCH when y and x differ in length.
 */
export function userLevelLift(
  test: { readonly y: ArrayLike<number>; readonly x: ArrayLike<number> },
  control: { readonly y: ArrayLike<number>; readonly x: ArrayLike<number> },
): Lift {
  for (const [name, g] of [
    ['test', test],
    ['control', control],
  ] as const) {
    if (g.y.length !== g.x.length) {
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `${name}.y and ${name}.x must have the same length (got ${g.y.length} and ${g.x.length})`,
      );
    }
  }
  return liftFromRatios(
    ratioEstimate(test.y.length, test.y, test.x),
    ratioEstimate(control.y.length, control.y, control.x),
  );
}

/** z_{0.975}: the two-sided 95 % normal quantile. */
const Z975 = 1.959963984540054;

/** A lift with its interval, in the shape of RESULT.json (`{estimate, ci95, se}`). */
function liftOf(est: number, se: number): Lift {
  if (!Number.isFinite(est)) return { estimate: null, ci95: [null, null], se: null };
  if (!Number.isFinite(se)) return { estimate: est, ci95: [null, null], se: null };
  return { estimate: est, ci95: [est - Z975 * se, est + Z975 * se], se };
}

/**
 * The cumulative readout of a metric summed per user: mean(test)/mean(control) - 1 over ASSIGNED users (users
 * with no activity count as 0), with a 95 % delta-method interval.
 *
 * @remarks
 * Each user contributes one number, the metric summed over all days of the period (plays, rewards), so a user seen
 * on many days is one unit, not many: the interval accounts for the same users across days (days are not
 * independent). It is {@link liftFromRatios} of two means (x = 1 per user). For the service: pass, per group, the
 * per-user totals of the logged rewards over the days of the readout.
 *
 * @param test - per-user totals of the test group.
 * @param control - per-user totals of the control group.
 * @returns the lift (nulls when undefined).
 */
export function meanLift(test: ArrayLike<number>, control: ArrayLike<number>): Lift {
  const ones = (n: number): Float64Array => new Float64Array(n).fill(1);
  return liftFromRatios(
    ratioEstimate(test.length, test, ones(test.length)),
    ratioEstimate(control.length, control, ones(control.length)),
  );
}

/**
 * The paired effect on the same users: sum(treated) / sum(counterfactual) - 1 with a 95 % delta-method interval.
 *
 * @remarks
 * In a simulation the same users can be served twice from the same random streams, by the policy and by its
 * counterfactual (e.g. greedy): the ground truth of the policy's effect on them. R = sum y_i / sum x_i with
 * y_i = treated total and x_i = counterfactual total of user i; Var(R) ~ sum (y_i - R x_i)^2 / (n (n - 1) xbar^2)
 * (the ratio estimator of {@link ratioEstimate}: pairing removes the between-user variance). The interval is over
 * the sampling of users, not over the simulation's randomness given the users.
 *
 * @param treated - per-user totals under the policy.
 * @param counterfactual - per-user totals of the same users under the counterfactual, same order.
 * @returns the lift.
 * @throws ALLOT_SHAPE_MISMATCH for different lengths.
 */
export function pairedLift(treated: ArrayLike<number>, counterfactual: ArrayLike<number>): Lift {
  if (treated.length !== counterfactual.length) {
    throw new AllotError(
      'ALLOT_SHAPE_MISMATCH',
      `treated and counterfactual must have the same length (got ${treated.length} and ${counterfactual.length})`,
    );
  }
  const r = ratioEstimate(treated.length, treated, counterfactual);
  return liftOf(r.ratio - 1, Math.sqrt(r.variance));
}

/** Per-group data of a CUPED readout: the metric y and the pre-period covariate x of each user (same order). */
export interface CupedGroup {
  readonly y: ArrayLike<number>;
  readonly x: ArrayLike<number>;
}

/** A CUPED lift and how much variance the covariate removed. */
export interface CupedLift extends Lift {
  /** theta = cov(y, x) / var(x), pooled over both groups. */
  readonly theta: number | null;
  /** Squared correlation of y and x (the share of variance removed, 1 - Var(y_adj) / Var(y)). */
  readonly varianceReduction: number | null;
}

/**
 * CUPED (Deng, Xu, Kohavi and Walker 2013): the lift of means after regressing out a pre-period covariate.
 *
 * @remarks
 * y_adj,i = y_i - theta (x_i - xbar), theta = cov(y, x) / var(x) pooled over both groups, xbar the pooled mean of x.
 * The adjusted group means are unbiased for the group means (x is pre-treatment, independent of the assignment);
 * their variances are Var(y_adj) / n. Lift = mean_t(y_adj) / mean_c(y_adj) - 1 with the delta-method interval of
 * {@link liftFromRatios}. With x = the user's plays in the weeks before the experiment this removes the
 * between-user variance of activity that the assignment cannot balance in small groups.
 * References: A. Deng, Y. Xu, R. Kohavi, T. Walker, "Improving the sensitivity of online controlled experiments by
 * utilizing pre-experiment data", WSDM 2013.
 *
 * @param test - y and x of the test users.
 * @param control - y and x of the control users.
 * @returns the lift, theta and the variance reduction (nulls when undefined, e.g. a constant covariate: then the
 *   plain {@link meanLift} is returned with theta 0).
 * @throws ALLOT_SHAPE_MISMATCH when y and x differ in length.
 */
export function cupedLift(test: CupedGroup, control: CupedGroup): CupedLift {
  for (const [name, g] of [
    ['test', test],
    ['control', control],
  ] as const) {
    if (g.y.length !== g.x.length) {
      throw new AllotError(
        'ALLOT_SHAPE_MISMATCH',
        `${name}.y and ${name}.x must have the same length (got ${g.y.length} and ${g.x.length})`,
      );
    }
  }
  const n = test.y.length + control.y.length;
  let sx = 0;
  let sy = 0;
  for (const g of [test, control]) {
    for (let i = 0; i < g.y.length; i++) {
      sx += g.x[i]!;
      sy += g.y[i]!;
    }
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const g of [test, control]) {
    for (let i = 0; i < g.y.length; i++) {
      const dx = g.x[i]! - mx;
      const dy = g.y[i]! - my;
      sxx += dx * dx;
      sxy += dx * dy;
      syy += dy * dy;
    }
  }
  const theta = sxx > 0 ? sxy / sxx : 0;
  const adjust = (g: CupedGroup): Float64Array => {
    const out = new Float64Array(g.y.length);
    for (let i = 0; i < out.length; i++) out[i] = g.y[i]! - theta * (g.x[i]! - mx);
    return out;
  };
  const l = meanLift(adjust(test), adjust(control));
  return {
    ...l,
    theta: n > 1 ? theta : null,
    varianceReduction: sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : null,
  };
}

/** Inputs of {@link powerAnalysis}. */
export interface PowerInput {
  /** Coefficient of variation (sd / mean) of the per-user metric, e.g. from the control group or the pre-period. */
  readonly cv: number;
  /** Users in the test group. */
  readonly nTest: number;
  /** Users in the control group. */
  readonly nControl: number;
  /** Share of variance removed by CUPED, in [0, 1) (default 0). */
  readonly varianceReduction?: number;
  /** Effect (relative lift) whose power to report (default 0.005, the paper's +0.5 %). */
  readonly effect?: number;
}

/** The result of {@link powerAnalysis}. */
export interface PowerResult {
  /** Standard error of the relative lift under no effect. */
  readonly se: number;
  /** Minimal detectable relative lift at 80 % power and a two-sided 5 % level: (z_0.975 + z_0.8) se. */
  readonly mde80: number;
  /** Power to detect `effect` at a two-sided 5 % level. */
  readonly power: number;
  /** The effect the power refers to. */
  readonly effect: number;
  /** Users per group (test = control) needed for 80 % power at `effect` with the same cv and variance reduction. */
  readonly usersPerGroupFor80: number;
}

/**
 * Power of the user-level lift test for the configured group sizes.
 *
 * @remarks
 * Under no effect the relative lift has se = cv sqrt((1 - rho^2)(1/n_t + 1/n_c)) (delta method, equal means;
 * rho^2 the CUPED variance reduction). MDE_80 = (z_0.975 + z_0.8) se with z_0.8 = 0.8416; the power for an effect
 * d is Phi(d / se - z_0.975) + Phi(-d / se - z_0.975).
 *
 * @param input - cv, group sizes, optional variance reduction and effect.
 * @returns se, MDE at 80 % power, power at the effect, users per group for 80 % power.
 * @throws ALLOT_OUT_OF_RANGE for a non-positive cv or group size, or a variance reduction outside [0, 1).
 */
export function powerAnalysis(input: PowerInput): PowerResult {
  const { cv, nTest, nControl } = input;
  const vr = input.varianceReduction ?? 0;
  const d = input.effect ?? 0.005;
  if (!(cv > 0 && Number.isFinite(cv)))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `cv must be > 0 (got ${cv})`);
  if (!(nTest >= 1 && nControl >= 1)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `nTest and nControl must be >= 1 (got ${nTest} and ${nControl})`,
    );
  }
  if (!(vr >= 0 && vr < 1))
    throw new AllotError('ALLOT_OUT_OF_RANGE', `varianceReduction must be in [0, 1) (got ${vr})`);
  const z80 = 0.8416212335729143;
  const v = cv * cv * (1 - vr);
  const se = Math.sqrt(v * (1 / nTest + 1 / nControl));
  const phi = (x: number): number => normalCdf(x);
  const power = phi(Math.abs(d) / se - Z975) + phi(-Math.abs(d) / se - Z975);
  return {
    se,
    mde80: (Z975 + z80) * se,
    power,
    effect: d,
    usersPerGroupFor80: Math.ceil((2 * v * (Z975 + z80) ** 2) / (d * d)),
  };
}

/** One user's record for one day, as logged by a service (the input of {@link readoutFromRecords}). */
export interface UserDayRecord {
  /** User id. */
  readonly user: string | number;
  /** The user's group. */
  readonly group: 'production' | 'control' | 'test';
  /** Day index: days >= 1 are the experiment; days <= 0 the pre-period (the CUPED covariate). */
  readonly day: number;
  /** The metric of the day (plays, or the summed reward). */
  readonly value: number;
  /** Decisions (impressions) of the day (default 0; used for rates). */
  readonly decisions?: number;
}

/** Per-group summary of {@link readoutFromRecords}. */
export interface GroupReadout {
  /** Users with at least one record in the period. */
  readonly users: number;
  /** Decisions over the period. */
  readonly decisions: number;
  /** Metric per user over the period (users with a record). */
  readonly valuePerUser: number | null;
  /** Metric per decision. */
  readonly valuePerDecision: number | null;
}

/** The readout of {@link readoutFromRecords}. */
export interface RecordsReadout {
  readonly groups: Record<'production' | 'control' | 'test', GroupReadout>;
  /** Cumulative lift of the metric per user, test/control - 1 ({@link meanLift}). */
  readonly lift: Lift;
  /** The same with CUPED on the pre-period (days <= 0), null without pre-period records. */
  readonly liftCuped: CupedLift | null;
  /** Per experiment day: the daily lift of the metric per active user. */
  readonly days: { day: number; lift: Lift; users: Record<'control' | 'test', number> }[];
}

/**
 * The readout of an experiment from plain per-user, per-day records (what a service logs): per group users,
 * decisions and the metric per user; the cumulative lift test/control - 1 with a user-level delta-method interval;
 * CUPED on the pre-period when records with day <= 0 exist; the daily lift per active user.
 *
 * @remarks
 * Users are the unit: a user's values over the days [from, to] are summed first. Users who appear only in the
 * pre-period count in the cumulative readout with a 0 (they were assigned but inactive). Records of one user must
 * all carry the same group.
 *
 * @param records - per user and day.
 * @param opts - `from`/`to`: experiment days of the readout (default all days >= 1).
 * @returns the readout.
 * @throws ALLOT_INVALID_ARGUMENT when a user appears in two groups; ALLOT_NOT_FINITE for a non-finite value.
 */
export function readoutFromRecords(
  records: readonly UserDayRecord[],
  opts: { readonly from?: number; readonly to?: number } = {},
): RecordsReadout {
  const from = opts.from ?? 1;
  const to = opts.to ?? Number.POSITIVE_INFINITY;
  const users = new Map<string | number, { g: string; y: number; x: number; d: number; inPeriod: boolean }>();
  const byDay = new Map<number, Map<string | number, { g: string; v: number }>>();
  let hasPre = false;
  for (const r of records) {
    if (!Number.isFinite(r.value))
      throw new AllotError('ALLOT_NOT_FINITE', `value of user ${r.user} on day ${r.day} must be finite`);
    let u = users.get(r.user);
    if (u === undefined) {
      u = { g: r.group, y: 0, x: 0, d: 0, inPeriod: false };
      users.set(r.user, u);
    } else if (u.g !== r.group) {
      throw new AllotError(
        'ALLOT_INVALID_ARGUMENT',
        `user ${r.user} appears in two groups (${u.g} and ${r.group})`,
      );
    }
    if (r.day <= 0) {
      u.x += r.value;
      hasPre = true;
    } else if (r.day >= from && r.day <= to) {
      u.y += r.value;
      u.d += r.decisions ?? 0;
      u.inPeriod = true;
      let m = byDay.get(r.day);
      if (m === undefined) {
        m = new Map();
        byDay.set(r.day, m);
      }
      const e = m.get(r.user);
      if (e === undefined) m.set(r.user, { g: r.group, v: r.value });
      else e.v += r.value;
    }
  }
  const per: Record<string, { y: number[]; x: number[]; n: number; dec: number; sum: number }> = {
    production: { y: [], x: [], n: 0, dec: 0, sum: 0 },
    control: { y: [], x: [], n: 0, dec: 0, sum: 0 },
    test: { y: [], x: [], n: 0, dec: 0, sum: 0 },
  };
  for (const u of users.values()) {
    const p = per[u.g]!;
    p.y.push(u.y);
    p.x.push(u.x);
    if (u.inPeriod) p.n++;
    p.dec += u.d;
    p.sum += u.y;
  }
  const groups = {} as RecordsReadout['groups'];
  for (const g of ['production', 'control', 'test'] as const) {
    const p = per[g]!;
    groups[g] = {
      users: p.n,
      decisions: p.dec,
      valuePerUser: p.n > 0 ? p.sum / p.n : null,
      valuePerDecision: p.dec > 0 ? p.sum / p.dec : null,
    };
  }
  const t = per.test!;
  const c = per.control!;
  const days = [...byDay.keys()]
    .sort((a, b) => a - b)
    .map((day) => {
      const yt: number[] = [];
      const yc: number[] = [];
      for (const e of byDay.get(day)!.values()) {
        if (e.g === 'test') yt.push(e.v);
        else if (e.g === 'control') yc.push(e.v);
      }
      return { day, lift: meanLift(yt, yc), users: { control: yc.length, test: yt.length } };
    });
  return {
    groups,
    lift: meanLift(t.y, c.y),
    liftCuped: hasPre ? cupedLift({ y: t.y, x: t.x }, { y: c.y, x: c.x }) : null,
    days,
  };
}

/**
 * Relative skill of models by the pairwise tournament of the COVID-19 Forecast Hub evaluations: geometric means of
 * ratios of mean scores over the forecasts both models made.
 */
import { AllotError } from '../core/errors.js';

/** One scored forecast unit: which model, which unit (e.g. `reference_date|location`), and its score. */
export interface ScoredUnit {
  readonly model: string;
  readonly unit: string;
  readonly score: number;
}

/** Relative skill of one model. */
export interface RelativeSkill {
  readonly model: string;
  /** Units this model scored. */
  readonly n: number;
  /** Mean score over its units. */
  readonly mean: number;
  /** theta_m = geometric mean over the models m' it shares units with (itself included) of the pairwise ratios. */
  readonly theta: number | null;
  /** theta_m / theta_baseline (null without a baseline, or when the baseline shares nothing). */
  readonly relative: number | null;
  /** Models compared with (itself included). */
  readonly comparisons: number;
}

/**
 * Relative skill by pairwise comparison.
 *
 * @remarks
 * For each pair (m, m'), R(m, m') = mean score of m / mean score of m' over the units both scored (Cramer et al.
 * 2022, "Evaluation of individual and ensemble probabilistic forecasts of COVID-19 mortality in the United States",
 * PNAS 119(15), doi:10.1073/pnas.2113561119; the `pairwise_comparison` of scoringutils). theta_m is the geometric
 * mean of R(m, m') over all m' with at least one shared unit and a positive mean score for both (R(m, m) = 1
 * included); the relative skill is theta_m / theta_baseline. Lower is better.
 *
 * @param units - scored units (a model's unit must appear once; finite scores >= 0)
 * @param baseline - name of the baseline model, or undefined for unscaled theta only
 * @returns one entry per model, sorted by name
 * @throws ALLOT_INVALID_ARGUMENT for a repeated (model, unit) pair or a baseline with no units; ALLOT_NOT_FINITE
 *   for a non-finite score.
 */
export function relativeSkill(units: readonly ScoredUnit[], baseline?: string): RelativeSkill[] {
  const byModel = new Map<string, Map<string, number>>();
  for (const u of units) {
    if (!Number.isFinite(u.score)) {
      throw new AllotError(
        'ALLOT_NOT_FINITE',
        `score of ${u.model} at ${u.unit} must be finite (got ${u.score})`,
      );
    }
    let m = byModel.get(u.model);
    if (m === undefined) {
      m = new Map();
      byModel.set(u.model, m);
    }
    if (m.has(u.unit)) {
      throw new AllotError('ALLOT_INVALID_ARGUMENT', `unit ${u.unit} of model ${u.model} is scored twice`);
    }
    m.set(u.unit, u.score);
  }
  if (baseline !== undefined && !byModel.has(baseline)) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `baseline model ${JSON.stringify(baseline)} has no scored forecasts (models: ${[...byModel.keys()].slice(0, 8).join(', ')}${byModel.size > 8 ? ', ...' : ''})`,
    );
  }
  const models = [...byModel.keys()].sort();
  const theta = new Map<string, number | null>();
  const comps = new Map<string, number>();
  for (const a of models) {
    const sa = byModel.get(a)!;
    let logSum = 0;
    let c = 0;
    for (const b of models) {
      const sb = byModel.get(b)!;
      let ta = 0;
      let tb = 0;
      let k = 0;
      for (const [unit, v] of sa) {
        const w = sb.get(unit);
        if (w === undefined) continue;
        ta += v;
        tb += w;
        k++;
      }
      if (k === 0 || !(ta > 0) || !(tb > 0)) continue;
      logSum += Math.log(ta / tb);
      c++;
    }
    theta.set(a, c > 0 ? Math.exp(logSum / c) : null);
    comps.set(a, c);
  }
  const tb = baseline === undefined ? null : (theta.get(baseline) ?? null);
  return models.map((m) => {
    const s = byModel.get(m)!;
    let sum = 0;
    for (const v of s.values()) sum += v;
    const t = theta.get(m) ?? null;
    return {
      model: m,
      n: s.size,
      mean: sum / s.size,
      theta: t,
      relative: t !== null && tb !== null && tb > 0 ? t / tb : null,
      comparisons: comps.get(m) ?? 0,
    };
  });
}

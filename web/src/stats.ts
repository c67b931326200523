/** Interval estimates for the live views: the reward rate per time bucket with a 95 % interval. */
import type { RatePoint } from '../../src/reports/index.js';

const Z95 = 1.959963984540054;

/**
 * Mean of n rewards with a 95 % interval: Wilson's score interval when every reward was 0 or 1 (sum of squares
 * equals the sum), else the normal interval with the sample standard deviation.
 *
 * @param n - rewards in the bucket
 * @param sum - their sum
 * @param sumSq - the sum of their squares
 */
export function meanInterval(
  n: number,
  sum: number,
  sumSq: number,
): { mean: number; lower: number; upper: number } | null {
  if (!(n > 0)) return null;
  const mean = sum / n;
  const binary = Math.abs(sumSq - sum) <= 1e-9 * Math.max(1, sum) && mean >= 0 && mean <= 1;
  if (binary) {
    const z2 = Z95 * Z95;
    const den = 1 + z2 / n;
    const centre = (mean + z2 / (2 * n)) / den;
    const half = (Z95 * Math.sqrt((mean * (1 - mean)) / n + z2 / (4 * n * n))) / den;
    return { mean, lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
  }
  if (n < 2) return { mean, lower: Number.NaN, upper: Number.NaN };
  const s2 = Math.max(0, (sumSq - n * mean * mean) / (n - 1));
  const half = Z95 * Math.sqrt(s2 / n);
  return { mean, lower: mean - half, upper: mean + half };
}

/** The timeline of GET /stats as rate points (buckets without rewards are gaps). */
export function ratePoints(
  timeline: readonly { t: string; rewards: number; rewardSum: number; rewardSumSq: number }[],
): RatePoint[] {
  return timeline.map((b) => {
    const m = meanInterval(b.rewards, b.rewardSum, b.rewardSumSq);
    return {
      t: b.t,
      rate: m?.mean ?? null,
      lower: m && Number.isFinite(m.lower) ? m.lower : null,
      upper: m && Number.isFinite(m.upper) ? m.upper : null,
      n: b.rewards,
    };
  });
}

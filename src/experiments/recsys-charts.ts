/**
 * Chart specs (Vega-Lite, pure data) of a simulated two-phase experiment: analogues of Figures 3–6 of Guo et al.
 * (2023). Rendering to SVG happens in the CLI.
 */
import { type ChartSpec, lineChart, type Series } from '../core/chart.js';
import type { ActivityBucket, ExperimentDay, GroupDay } from './recsys-ab.js';

function liftSeries(days: readonly ExperimentDay[], key: keyof ExperimentDay['lift'], name: string): Series {
  const x = days.map((d) => d.day);
  const pct = (v: number | null): number => (v === null ? Number.NaN : 100 * v);
  return {
    name,
    x,
    y: days.map((d) => pct(d.lift[key].estimate)),
    lower: days.map((d) => pct(d.lift[key].ci95[0])),
    upper: days.map((d) => pct(d.lift[key].ci95[1])),
  };
}

function zeroLine(days: readonly ExperimentDay[]): Series {
  const x = days.map((d) => d.day);
  return { name: 'no effect', x, y: x.map(() => 0), dashed: true };
}

/** Figure 3 analogue: the lift of plays per active user, test/control - 1 in %, with its 95 % band, by day. */
export function playsLiftChart(
  days: readonly ExperimentDay[],
  title = 'Effect on plays (test/control - 1)',
): ChartSpec {
  const p1 = days.filter((d) => d.phase === 1).length;
  return lineChart({
    title: `${title}; Phase II from day ${p1 + 1}`,
    xLabel: 'experiment day',
    yLabel: 'lift of plays per active user (%)',
    series: [liftSeries(days, 'plays', 'plays'), zeroLine(days)],
    points: true,
  });
}

/** Figure 4 analogue: EI, IU, TE, TD by user-activity bucket (total plays over the experiment, log scale). */
export function activityChart(buckets: readonly ActivityBucket[], title: string): ChartSpec {
  const rows = buckets.filter((b) => b.EI !== null);
  const x = rows.map((b) => Math.sqrt(b.lo * b.hi));
  const total = rows.reduce((s, b) => s + b.users, 0) || 1;
  return lineChart({
    title,
    xLabel: 'plays per user over the experiment (bucket centre, log scale)',
    yLabel: 'metric (TE x 10; share of users x 10)',
    xScale: 'log',
    series: [
      { name: 'EI (KL, nats)', x, y: rows.map((b) => b.EI ?? Number.NaN) },
      { name: 'IU (H(P), nats)', x, y: rows.map((b) => b.IU ?? Number.NaN) },
      { name: 'TE x 10', x, y: rows.map((b) => 10 * (b.TE ?? Number.NaN)) },
      { name: 'TD (topics/day)', x, y: rows.map((b) => b.TD ?? Number.NaN) },
      { name: 'share of users x 10', x, y: rows.map((b) => (10 * b.users) / total), dashed: true },
    ],
    points: true,
  });
}

/** Figure 5 analogue: EI, TD and TE lifts (test/control - 1, %) by day. */
export function efficiencyLiftChart(days: readonly ExperimentDay[]): ChartSpec {
  return lineChart({
    title: 'Effect on exploration efficiency (test/control - 1)',
    xLabel: 'experiment day',
    yLabel: 'lift (%)',
    series: [
      liftSeries(days, 'EI', 'exploration inefficiency EI'),
      liftSeries(days, 'TD', 'topic diversity TD'),
      liftSeries(days, 'TE', 'topic excellence TE'),
      zeroLine(days),
    ],
  });
}

/** Figure 5 companion: EI, TD, TE levels in control and test by day. */
export function efficiencyLevelChart(
  days: readonly ExperimentDay[],
  metric: 'EI' | 'TD' | 'TE' | 'IU',
): ChartSpec {
  const x = days.map((d) => d.day);
  const val = (g: GroupDay): number => g[metric] ?? Number.NaN;
  return lineChart({
    title: `${metric} by group and day`,
    xLabel: 'experiment day',
    yLabel: metric,
    series: [
      { name: 'control', x, y: days.map((d) => val(d.groups.control)) },
      { name: 'test', x, y: days.map((d) => val(d.groups.test)) },
      { name: 'production', x, y: days.map((d) => val(d.groups.production)), dashed: true },
    ],
  });
}

/** Figure 6 analogue: loop-rate and skip-rate lifts (test/control - 1, %) by day. */
export function taskLiftChart(days: readonly ExperimentDay[]): ChartSpec {
  return lineChart({
    title: 'Effect on loop and skip rates (test/control - 1)',
    xLabel: 'experiment day',
    yLabel: 'lift (%)',
    series: [
      liftSeries(days, 'loop', 'loop rate'),
      liftSeries(days, 'skip', 'skip rate'),
      liftSeries(days, 'complete', 'completion rate'),
      zeroLine(days),
    ],
  });
}

/**
 * The truth beside the readouts, by day (cumulative within each phase, in %): the paired effect of exploration on
 * the test users, the A/B readout test/control - 1 (plays per assigned user) and its A/A counterpart.
 */
export function truthChart(
  days: readonly ExperimentDay[],
  title = 'Truth and readouts (cumulative within the phase)',
): ChartSpec {
  const x = days.map((d) => d.day);
  const pct = (v: number | null | undefined): number =>
    v === null || v === undefined ? Number.NaN : 100 * v;
  const p1 = days.filter((d) => d.phase === 1).length;
  const band = (
    name: string,
    get: (d: ExperimentDay) => { estimate: number | null; ci95: [number | null, number | null] } | undefined,
  ): Series => ({
    name,
    x,
    y: days.map((d) => pct(get(d)?.estimate)),
    lower: days.map((d) => pct(get(d)?.ci95[0])),
    upper: days.map((d) => pct(get(d)?.ci95[1])),
  });
  return lineChart({
    title: `${title}; Phase II from day ${p1 + 1}`,
    xLabel: 'experiment day',
    yLabel: 'effect on plays (%)',
    series: [
      band('truth (paired, test users)', (d) => d.cumulative.truth?.plays),
      band('A/B readout (test/control - 1)', (d) => d.cumulative.lift.plays),
      band('A/A (no exploration anywhere)', (d) => d.cumulative.aa?.plays),
      zeroLine(days),
    ],
    points: true,
  });
}

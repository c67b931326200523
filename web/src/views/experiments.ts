/**
 * Experiments: the fair three-group, two-phase A/B tests the service runs (issue 12): per group users, decisions
 * and rewards per user; the lift of test over control with its interval, per day and cumulative.
 */
import { barChart, lineChart } from '../../../src/core/chart.js';
import { ApiError, getJson, poll } from '../api.js';
import { chartBox, renderChart } from '../chart.js';
import { fmt, h, notice, syncRows } from '../dom.js';
import type { View } from '../main.js';

interface Lift {
  readonly estimate: number;
  readonly ci95: readonly [number, number];
}
interface Readout {
  readonly phase: number;
  readonly groups: Record<string, Record<string, unknown>>;
  readonly lift: Lift | null;
  readonly days?: readonly Record<string, unknown>[];
  readonly [key: string]: unknown;
}

/** Whether the service documents a path (avoids probing missing routes, which browsers log as errors). */
async function hasPath(path: string, signal: AbortSignal): Promise<boolean> {
  try {
    const doc = await getJson<{ paths?: Record<string, unknown> }>('/openapi.json', signal);
    return Object.keys(doc.paths ?? {}).some((p) => p === path || p.startsWith(`${path}/`));
  } catch {
    return false;
  }
}

function scalar(v: unknown): string {
  if (typeof v === 'number') return fmt(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number'))
    return v.length === 2 ? `[${fmt(v[0])}, ${fmt(v[1])}]` : v.map((x) => fmt(x)).join(', ');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['estimate'] === 'number')
      return `${fmt(o['estimate'] as number)}${Array.isArray(o['ci95']) ? ` ${scalar(o['ci95'])}` : ''}`;
    return Object.entries(o)
      .filter(([, x]) => typeof x === 'number')
      .map(([k, x]) => `${k} ${fmt(x as number)}`)
      .join(', ');
  }
  return '–';
}

/** One level of nesting flattened (`exploration.EI`), so nested metrics get their own rows. */
function flatten(g: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(g)) {
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof (v as Record<string, unknown>)['estimate'] !== 'number'
    ) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) out[`${k}.${k2}`] = v2;
    } else out[k] = v;
  }
  return out;
}

function groupTable(raw: Readout['groups']): HTMLElement {
  const groups: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries(raw)) groups[k] = flatten(v);
  const names = Object.keys(groups);
  const keys = [...new Set(names.flatMap((g) => Object.keys(groups[g] ?? {})))];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'aria-label': 'Groups' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'metric'),
          ...names.map((g) => h('th', { scope: 'col', class: 'num' }, g)),
        ),
      ),
      h(
        'tbody',
        {},
        ...keys.map((k) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, k),
            ...names.map((g) => h('td', { class: 'num' }, scalar(groups[g]?.[k]))),
          ),
        ),
      ),
    ),
  );
}

export const experimentsView: View = (root, params) => {
  const id = params['id'];
  const ctrl = new AbortController();
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const body = h('div', {});
  root.append(
    h('h1', {}, id ? `Experiment ${id}` : 'Experiments'),
    h(
      'p',
      { class: 'lead' },
      'Users split by a salted hash into production, control and test; Phase I trains one model on everyone, Phase II ' +
        'one model per group. The readout compares test with control per user, with a user-level interval.',
    ),
    id ? h('p', {}, h('a', { href: '/experiments' }, '← all experiments')) : '',
    status,
    body,
  );
  let stop: (() => void) | undefined;
  void (async () => {
    if (!(await hasPath('/v1/experiments', ctrl.signal))) {
      if (ctrl.signal.aborted) return;
      status.replaceChildren(
        notice('warn', 'This service does not offer experiments (no /v1/experiments in its /openapi.json).'),
      );
      return;
    }
    if (ctrl.signal.aborted) return;
    if (!id) {
      const tbody = h('tbody', {});
      body.replaceChildren(
        h(
          'div',
          { class: 'card table-wrap' },
          h(
            'table',
            { 'aria-label': 'Experiments' },
            h(
              'thead',
              {},
              h('tr', {}, h('th', { scope: 'col' }, 'experiment'), h('th', { scope: 'col' }, 'phase')),
            ),
            tbody,
          ),
        ),
      );
      stop = poll(
        async (signal) => {
          const { experiments } = await getJson<{ experiments: { id: string; phase: number }[] }>(
            '/v1/experiments',
            signal,
          );
          status.replaceChildren(
            experiments.length === 0
              ? notice(
                  'info',
                  'No experiments yet: create one with ',
                  h('code', {}, 'PUT /v1/experiments/{id}'),
                  '.',
                )
              : '',
          );
          syncRows(
            tbody,
            experiments,
            (e) => e.id,
            (e) => [
              h('td', {}, h('a', { href: `/experiments/${encodeURIComponent(e.id)}` }, e.id)),
              h('td', {}, String(e.phase)),
            ],
            (e) => ({ 'data-testid': 'experiment-row', 'data-experiment-id': e.id }),
          );
        },
        2000,
        (e) =>
          status.replaceChildren(
            notice('error', e instanceof ApiError ? `${e.code}: ${e.message}` : String(e)),
          ),
      );
      return;
    }
    const liftEl = h('span', { class: 'v', 'data-testid': 'experiment-lift' }, '–');
    const phaseEl = h('span', { class: 'v' }, '–');
    const liftBox = chartBox('Lift of test over control per day with 95% interval');
    const perUserBox = chartBox('Rewards per user by group');
    const tableBox = h('div', {});
    body.replaceChildren(
      h(
        'div',
        { class: 'kpis' },
        h('div', { class: 'kpi' }, phaseEl, h('div', { class: 'k' }, 'phase')),
        h('div', { class: 'kpi' }, liftEl, h('div', { class: 'k' }, 'lift test / control − 1 [95% CI]')),
      ),
      h(
        'div',
        { class: 'grid' },
        h('section', { class: 'card' }, liftBox),
        h('section', { class: 'card' }, perUserBox),
      ),
      h('section', { class: 'card', style: 'margin-top:14px' }, h('h2', {}, 'Groups (cumulative)'), tableBox),
    );
    let last = '';
    stop = poll(
      async (signal) => {
        const r = await getJson<Readout>(`/v1/experiments/${encodeURIComponent(id)}/readout`, signal);
        status.replaceChildren();
        const key = JSON.stringify(r);
        if (key === last) return;
        last = key;
        phaseEl.textContent = String(r.phase);
        liftEl.textContent = r.lift
          ? `${(100 * r.lift.estimate).toFixed(1)} % [${(100 * r.lift.ci95[0]).toFixed(1)}, ${(100 * r.lift.ci95[1]).toFixed(1)}]`
          : '–';
        tableBox.replaceChildren(groupTable(r.groups));
        const days = (r.days ?? [])
          .map((d) => ({
            day: Number(d['day']),
            lift: (d['lift'] ?? null) as Lift | null,
            daily: (d['dailyLift'] ?? null) as Lift | null,
          }))
          .filter((d) => Number.isFinite(d.day) && d.lift !== null);
        if (days.length > 0) {
          const x = days.map((d) => d.day);
          void renderChart(
            liftBox,
            lineChart({
              title: 'Lift test / control − 1 in rewards per user, cumulative to each day (95% interval)',
              xLabel: 'experiment day',
              yLabel: 'lift',
              points: true,
              series: [
                {
                  name: 'lift',
                  x,
                  y: days.map((d) => d.lift!.estimate),
                  lower: days.map((d) => d.lift!.ci95[0]),
                  upper: days.map((d) => d.lift!.ci95[1]),
                },
                ...(days.some((d) => d.daily !== null)
                  ? [{ name: 'that day alone', x, y: days.map((d) => d.daily?.estimate ?? Number.NaN) }]
                  : []),
                { name: 'no effect', x: [x[0]!, x[x.length - 1]!], y: [0, 0], dashed: true },
              ],
            }),
          );
        } else liftBox.replaceChildren(notice('info', 'No per-day readout yet.'));
        const bars = Object.entries(r.groups)
          .filter(([, g]) => typeof g['rewardPerUser'] === 'number')
          .map(([name, g]) => ({
            group: 'rewards per user',
            label: name,
            value: g['rewardPerUser'] as number,
          }));
        if (bars.length > 0)
          void renderChart(
            perUserBox,
            barChart({ title: 'Rewards per user', yLabel: 'rewards per user', bars, width: 280 }),
          );
      },
      2000,
      (e) =>
        status.replaceChildren(
          notice(
            e instanceof ApiError && e.status === 404 ? 'warn' : 'error',
            e instanceof ApiError ? `${e.code}: ${e.message}` : String(e),
          ),
        ),
    );
  })();
  return () => {
    ctrl.abort();
    stop?.();
  };
};

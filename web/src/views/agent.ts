/**
 * One agent, live: reward rate over time with a 95 % interval, decision shares per action, position-bias estimates
 * (ranking agents), spend against budget (budgeted agents) and the latest joined events.
 */
import { type Bar, barChart } from '../../../src/core/chart.js';
import { rateChart } from '../../../src/reports/index.js';
import {
  type AgentDetail,
  type AgentStats,
  ApiError,
  type EventRow,
  type EventsPage,
  getJson,
  poll,
} from '../api.js';
import { chartBox, emptyChart, renderChart } from '../chart.js';
import { ago, fmt, h, hooks, notice } from '../dom.js';
import type { View } from '../main.js';
import { meanInterval, ratePoints } from '../stats.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

function kpi(label: string): { box: HTMLDivElement; v: HTMLSpanElement } {
  const v = h('span', { class: 'v' }, '–');
  return { box: h('div', { class: 'kpi' }, v, h('div', { class: 'k' }, label)), v };
}

function list(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' ? fmt(x) : String(x))).join(', ');
  return typeof v === 'number' ? fmt(v) : String(v);
}

function eventCells(e: EventRow): string[] {
  const time = (e['timestamp'] ?? e['decidedAt'] ?? e['time'] ?? e['ts'] ?? '') as string;
  const actions = e.actions ? e.actions.join(' › ') : (e.action ?? '');
  const prop = list(e.propensities ?? e.propensity);
  const reward = e.reward === null ? 'pending' : list(e.reward);
  const flags = [
    e['applied'] === false ? 'late (not learned)' : '',
    e['defaultReward'] === true ? 'default' : '',
  ]
    .filter((x) => x !== '')
    .join(', ');
  return [
    time ? new Date(time).toLocaleTimeString('en-GB') : '',
    e.eventId,
    actions,
    prop,
    flags ? `${reward} (${flags})` : reward,
    e['cost'] === undefined || e['cost'] === null ? '' : list(e['cost']),
    e.version === undefined ? '' : String(e.version),
  ];
}

function policyText(p: Record<string, unknown>): string {
  const rest = Object.entries(p)
    .filter(([k]) => k !== 'type')
    .map(([k, v]) => `${k} = ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return rest.length > 0 ? `${String(p['type'])} (${rest.join(', ')})` : String(p['type']);
}

export const agentView: View = (root, params) => {
  const id = params['id'] ?? '';
  const enc = encodeURIComponent(id);
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const policyEl = h('p', { class: 'lead' }, '…');
  const k = {
    decisions: kpi('decisions'),
    rewards: kpi('rewards'),
    version: kpi('version'),
    rate: kpi('mean reward (all)'),
    last: kpi('last activity'),
  };
  const rateBox = chartBox('Reward rate over time with 95% interval');
  const trafficBox = chartBox('Decisions and rewards per interval');
  const sharesBox = chartBox('Decision shares per action');
  const biasSection = h('section', { class: 'card', hidden: true, 'aria-label': 'Position bias' });
  const biasBox = chartBox('Position-bias estimates with 95% intervals');
  biasSection.append(biasBox);
  const budgetSection = h('section', { class: 'card', hidden: true, 'aria-label': 'Budget' });
  const budgetText = h('p', {});
  const budgetBox = chartBox('Spend against budget');
  budgetSection.append(h('h2', {}, 'Budget'), budgetText, budgetBox);
  const actionsTable = h('div', { class: 'table-wrap' });
  const eventsBody = h('tbody', {});

  root.append(
    h(
      'p',
      {},
      h('a', { href: '/agents' }, '← all agents'),
      ' · ',
      h('a', { href: `/evaluate?agent=${enc}` }, 'evaluate a candidate policy on this log'),
    ),
    h('h1', {}, `Agent ${id}`),
    policyEl,
    status,
    h('div', { class: 'kpis' }, ...Object.values(k).map((x) => x.box)),
    h(
      'div',
      { class: 'grid' },
      h('section', { class: 'card', 'aria-label': 'Reward rate' }, rateBox),
      h('section', { class: 'card', 'aria-label': 'Decision shares' }, sharesBox),
      h('section', { class: 'card', 'aria-label': 'Traffic' }, trafficBox),
      h('section', { class: 'card', 'aria-label': 'Actions' }, h('h2', {}, 'Actions'), actionsTable),
      biasSection,
      budgetSection,
    ),
    h(
      'section',
      { class: 'card', style: 'margin-top:14px', 'aria-label': 'Latest events' },
      h('h2', {}, 'Latest events ', h('small', { class: 'muted' }, '(decisions joined with their rewards)')),
      h(
        'div',
        { class: 'table-wrap scroll' },
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['time', 'event', 'action(s)', 'propensity', 'reward', 'cost', 'version'].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          eventsBody,
        ),
      ),
    ),
  );

  let lastStats = '';
  let renders = 0;
  let cursor: string | null = null;
  const recent: EventRow[] = [];
  const seen = new Set<string>();

  async function tick(signal: AbortSignal): Promise<void> {
    const [agent, stats] = await Promise.all([
      getJson<AgentDetail>(`/v1/agents/${enc}`, signal),
      getJson<AgentStats>(`/v1/agents/${enc}/stats?buckets=60`, signal),
    ]);
    status.replaceChildren();
    const p = agent.policy;
    policyEl.textContent = `Policy ${policyText(p)}${agent.arms ? ` · ${agent.arms.length} arms` : ''}`;
    k.decisions.v.textContent = fmt(agent.decisions);
    k.rewards.v.textContent = fmt(agent.rewards);
    k.version.v.textContent = fmt(agent.version);
    k.last.v.textContent = ago(
      agent.lastActivity ?? stats.timeline.filter((b) => b.decisions > 0).at(-1)?.t ?? null,
    );
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (const b of stats.timeline) {
      n += b.rewards;
      s += b.rewardSum;
      s2 += b.rewardSumSq;
    }
    const all = meanInterval(n, s, s2);
    k.rate.v.textContent = all ? `${fmt(all.mean)} [${fmt(all.lower)}, ${fmt(all.upper)}]` : '–';
    const key = JSON.stringify(stats);
    hooks().agent = { id, stats, renders };
    if (key !== lastStats) {
      lastStats = key;
      await draw(stats);
      renders++;
      hooks().agent = { id, stats, renders };
    }
    await tail(signal);
  }

  async function draw(stats: AgentStats): Promise<void> {
    const jobs: Promise<void>[] = [];
    const points = ratePoints(stats.timeline);
    if (points.some((p) => p.rate !== null)) {
      jobs.push(
        renderChart(
          rateBox,
          rateChart(points, { title: 'Reward rate per interval (95% interval)', yLabel: 'mean reward' }),
        ),
      );
    } else emptyChart(rateBox, 'Reward rate: no reward joined yet.');
    const traffic = stats.timeline.flatMap((b) => [
      { t: b.t, series: 'decisions', n: b.decisions },
      { t: b.t, series: 'rewards', n: b.rewards },
    ]);
    if (stats.timeline.length === 0) emptyChart(trafficBox, 'Traffic: no decision yet.');
    else
      jobs.push(
        renderChart(trafficBox, {
          $schema: SCHEMA,
          title: 'Traffic per interval',
          width: 480,
          height: 200,
          data: { values: traffic },
          mark: { type: 'line', interpolate: 'step-after' },
          encoding: {
            x: {
              field: 't',
              type: 'temporal',
              title: null,
              axis: { format: '%H:%M:%S', labelOverlap: true },
            },
            y: { field: 'n', type: 'quantitative', title: 'count' },
            color: { field: 'series', type: 'nominal', title: null },
          },
        }),
      );
    const total = stats.actions.reduce((a, x) => a + x.decisions, 0);
    const shareBars: Bar[] = stats.actions.map((a) => ({
      group: 'share of decisions',
      label: a.action,
      value: total > 0 ? a.decisions / total : 0,
    }));
    if (total === 0) emptyChart(sharesBox, 'Decision shares: no decision yet.');
    else if (shareBars.length > 0) {
      const wide = Math.max(320, Math.min(900, 26 * shareBars.length));
      jobs.push(
        renderChart(
          sharesBox,
          barChart({ title: 'Decision shares per action', yLabel: 'share', bars: shareBars, width: wide }),
        ),
      );
    }
    actionsTable.replaceChildren(
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'action'),
            h('th', { scope: 'col', class: 'num' }, 'decisions'),
            h('th', { scope: 'col', class: 'num' }, 'share'),
            h('th', { scope: 'col', class: 'num' }, 'rewards'),
            h('th', { scope: 'col', class: 'num' }, 'mean reward'),
          ),
        ),
        h(
          'tbody',
          {},
          ...[...stats.actions]
            .sort((a, b) => b.decisions - a.decisions)
            .slice(0, 50)
            .map((a) =>
              h(
                'tr',
                {},
                h('td', {}, a.action),
                h('td', { class: 'num' }, fmt(a.decisions)),
                h('td', { class: 'num' }, total > 0 ? `${((100 * a.decisions) / total).toFixed(1)} %` : '–'),
                h('td', { class: 'num' }, fmt(a.rewards)),
                h('td', { class: 'num' }, a.rewards > 0 ? fmt(a.rewardSum / a.rewards) : '–'),
              ),
            ),
        ),
      ),
    );
    if (stats.positionBias && stats.positionBias.length > 0) {
      biasSection.hidden = false;
      jobs.push(
        renderChart(
          biasBox,
          barChart({
            title: 'Position-bias estimates (examination probability per slot, 95% interval)',
            yLabel: 'estimate',
            bars: stats.positionBias.map((b) => ({
              group: 'position',
              label: `slot ${b.position + 1}`,
              value: b.estimate,
              lower: b.ci95[0],
              upper: b.ci95[1],
            })),
            width: Math.max(240, 60 * stats.positionBias.length),
          }),
        ),
      );
    }
    if (stats.budget) {
      budgetSection.hidden = false;
      const { budget, spent } = stats.budget;
      budgetText.textContent = `Spent ${fmt(spent)} of ${fmt(budget)} (${budget > 0 ? ((100 * spent) / budget).toFixed(1) : '–'} %); ${
        spent >= budget
          ? 'exhausted: decide answers 409 ALLOT_BUDGET_EXHAUSTED'
          : `${fmt(budget - spent)} left`
      }.`;
      jobs.push(
        renderChart(budgetBox, {
          $schema: SCHEMA,
          title: 'Spend against budget',
          width: 480,
          height: 70,
          data: { values: [{ what: 'spent', v: spent, budget }] },
          layer: [
            {
              mark: { type: 'bar', color: '#dfe5ee' },
              encoding: { x: { field: 'budget', type: 'quantitative', title: 'cost' } },
            },
            {
              mark: { type: 'bar', color: '#2457a6', height: 18 },
              encoding: { x: { field: 'v', type: 'quantitative' } },
            },
            {
              mark: { type: 'rule', color: '#b3261e', strokeWidth: 2 },
              encoding: { x: { field: 'budget', type: 'quantitative' } },
            },
          ],
        }),
      );
    }
    await Promise.all(jobs);
  }

  async function tail(signal: AbortSignal): Promise<void> {
    for (let page = 0; page < 5; page++) {
      const q = cursor === null ? '' : `after=${encodeURIComponent(cursor)}&`;
      const res = await getJson<EventsPage>(`/v1/agents/${enc}/events?${q}limit=200`, signal);
      for (const e of res.events) {
        const key = `${e.eventId}|${JSON.stringify(e.reward ?? null)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        recent.push(e);
      }
      if (res.next === null) break;
      cursor = res.next;
    }
    if (recent.length > 25) recent.splice(0, recent.length - 25);
    if (seen.size > 5000) seen.clear();
    eventsBody.replaceChildren(
      ...[...recent].reverse().map((e) => h('tr', {}, ...eventCells(e).map((c) => h('td', {}, String(c))))),
    );
  }

  return poll(tick, 1500, (e) => {
    status.replaceChildren(
      notice(
        e instanceof ApiError && e.status === 404 ? 'warn' : 'error',
        e instanceof ApiError ? `${e.code}: ${e.message}` : `cannot load the agent: ${String(e)}`,
      ),
    );
  });
};

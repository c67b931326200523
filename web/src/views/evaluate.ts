/**
 * Evaluate: pick a logged agent and a candidate policy; off-policy estimates of the candidate's value (mean reward
 * per logged row) with 95 % intervals, computed in this browser (a Web Worker running src/evaluate) from the agent's
 * joined log (GET /v1/agents/{id}/events), beside the logging policy's own on-policy value.
 */
import { type Bar, barChart } from '../../../src/core/chart.js';
import type { AllotLogRow } from '../../../src/evaluate/index.js';
import { type AgentStats, type AgentSummary, ApiError, type EventsPage, getJson } from '../api.js';
import { chartBox, renderChart } from '../chart.js';
import { field, fmt, h, hooks, notice } from '../dom.js';
import type { View } from '../main.js';
import type { EvaluateMessage } from '../workers/evaluate.worker.js';

function clampRounding(p: number): number {
  return p > 1 && p <= 1 + 1e-9 ? 1 : p;
}

/** The joined rows of GET /events, one per decision, as the evaluator's rows (one per decision and slot). */
function toLogRows(events: EventsPage['events']): AllotLogRow[] {
  const out: AllotLogRow[] = [];
  for (const e of events) {
    const actions = e.actions ?? (e.action === undefined ? [] : [e.action]);
    const props = e.propensities ?? (e.propensity === undefined ? [] : [e.propensity]);
    const rw = e.reward as number | number[] | null | undefined;
    actions.forEach((a, k) => {
      const reward =
        rw === null || rw === undefined ? null : Array.isArray(rw) ? (rw[k] ?? null) : k === 0 ? rw : 0;
      out.push({
        eventId: e.eventId,
        position: k,
        action: a,
        // The service's propensities can exceed 1 by a rounding error (1 + 7e-16 seen); the evaluator wants (0, 1].
        propensity: clampRounding(props[k] ?? Number.NaN),
        reward,
        ...(e.candidates ? { candidates: e.candidates } : {}),
        ...(e.context !== undefined && e.context !== null ? { context: e.context } : {}),
      });
    });
  }
  return out;
}

const NAMES: Record<string, string> = {
  dm: 'direct method',
  ipw: 'inverse propensity weighting',
  snipw: 'self-normalised IPW',
  dr: 'doubly robust',
  sndr: 'self-normalised DR',
  'switch-dr': 'switch DR',
  dros: 'DR with optimistic shrinkage',
};

export const evaluateView: View = (root) => {
  const ctrl = new AbortController();
  const worker = new Worker(new URL('../workers/evaluate.worker.ts', import.meta.url), { type: 'module' });
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const agentSel = h('select', { name: 'agent', 'data-testid': 'evaluate-agent' });
  const candSel = h('select', { name: 'candidate', 'data-testid': 'evaluate-policy' });
  const eps = h('input', { type: 'number', name: 'epsilon', min: 0, max: 1, step: 'any', value: '0.1' });
  const maxRows = h('input', { type: 'number', name: 'max', min: 100, step: 100, value: '5000' });
  const custom = h('textarea', { name: 'policy', rows: 3, spellcheck: 'false' }, '{"type": "uniform"}');
  const customField = field('Candidate policy (POLICY.json of allot evaluate)', custom);
  const runBtn = h('button', { type: 'submit', 'data-testid': 'evaluate-run' }, 'Evaluate');
  const resultBox = h('div', {});
  const chart = chartBox('Off-policy estimates with 95% intervals');
  let agents: AgentSummary[] = [];
  let reqId = 0;

  const form = h(
    'form',
    { class: 'card controls', 'aria-label': 'Logged agent and candidate policy' },
    field('Logged agent', agentSel),
    field('Candidate policy', candSel),
    field('epsilon', eps, 'for epsilon-greedy'),
    field('Decisions (latest)', maxRows),
    runBtn,
  );
  root.append(
    h('h1', {}, 'Evaluate a candidate policy'),
    h(
      'p',
      { class: 'lead' },
      'Off-policy evaluation: what would a different policy have earned on the traffic an agent logged? The ' +
        'estimators reweight the logged rewards by the candidate’s probability over the propensity the service logged ' +
        'with each decision (IPW), model the reward (DM), or both (DR). It runs in this browser on the agent’s joined log.',
    ),
    form,
    customField,
    status,
    resultBox,
    h('section', { class: 'card' }, chart),
  );
  customField.hidden = true;

  async function candidates(): Promise<void> {
    const id = agentSel.value;
    const opts: [string, string][] = [
      ['uniform', 'uniform over the candidates'],
      ['greedy', 'epsilon-greedy on the logged mean rewards'],
    ];
    for (const a of agents)
      opts.push([
        `agent:${a.agentId}`,
        `agent ${a.agentId} as it is now${a.agentId === id ? ' (the logger)' : ''}`,
      ]);
    opts.push(['custom', 'custom JSON…']);
    const cur = candSel.value;
    candSel.replaceChildren(...opts.map(([v, l]) => h('option', { value: v, selected: v === cur }, l)));
  }

  async function policyConfig(agentId: string): Promise<unknown> {
    const v = candSel.value;
    if (v === 'uniform') return { type: 'uniform' };
    if (v === 'custom') return JSON.parse(custom.value) as unknown;
    if (v === 'greedy') {
      const st = await getJson<AgentStats>(
        `/v1/agents/${encodeURIComponent(agentId)}/stats?buckets=1`,
        ctrl.signal,
      );
      const ranking = [...st.actions]
        .sort(
          (a, b) =>
            (b.rewards > 0 ? b.rewardSum / b.rewards : -1) - (a.rewards > 0 ? a.rewardSum / a.rewards : -1),
        )
        .map((a) => a.action);
      return { type: 'epsilon-greedy', ranking, epsilon: eps.valueAsNumber };
    }
    const other = v.slice('agent:'.length);
    const snapshot = await getJson<unknown>(`/v1/agents/${encodeURIComponent(other)}/snapshot`, ctrl.signal);
    return { type: 'agent', snapshot, simulations: 2000, seed: 1 };
  }

  async function fetchRows(
    agentId: string,
    max: number,
  ): Promise<{ rows: AllotLogRow[]; decisions: number }> {
    const events: EventsPage['events'][number][] = [];
    let after: string | null = null;
    for (;;) {
      const q: string = after === null ? '' : `after=${encodeURIComponent(after)}&`;
      const page: EventsPage = await getJson<EventsPage>(
        `/v1/agents/${encodeURIComponent(agentId)}/events?${q}limit=1000`,
        ctrl.signal,
      );
      events.push(...page.events);
      if (events.length > max) events.splice(0, events.length - max);
      if (page.next === null) break;
      after = page.next;
    }
    return { rows: toLogRows(events), decisions: events.length };
  }

  async function run(): Promise<void> {
    const agentId = agentSel.value;
    if (!agentId) return;
    runBtn.disabled = true;
    status.replaceChildren(notice('info', `Reading ${agentId}’s log…`));
    try {
      const [{ rows, decisions }, policy] = await Promise.all([
        fetchRows(agentId, Math.max(100, maxRows.valueAsNumber || 5000)),
        policyConfig(agentId),
      ]);
      status.replaceChildren(notice('info', `Evaluating on ${decisions} decisions (${rows.length} rows)…`));
      const id = ++reqId;
      worker.postMessage({ id, rows, policy });
    } catch (e) {
      runBtn.disabled = false;
      status.replaceChildren(notice('error', e instanceof ApiError ? `${e.code}: ${e.message}` : String(e)));
    }
  }

  worker.onmessage = (ev: MessageEvent<EvaluateMessage>) => {
    const m = ev.data;
    if (m.id !== reqId) return;
    runBtn.disabled = false;
    if (m.type === 'error') {
      status.replaceChildren(notice('error', `${m.code}: ${m.message}`));
      return;
    }
    const r = m.result;
    status.replaceChildren(
      notice(
        'info',
        `${r.n} rows in ${r.impressions} decisions (${r.skipped} without a reward left out), ${m.actions} actions; ` +
          `candidate ${r.policy}${r.simulations > 0 ? ` (probabilities from ${r.simulations} simulations)` : ''}; ` +
          `${(m.milliseconds / 1000).toFixed(2)} s.`,
      ),
    );
    hooks()['evaluate'] = { n: r.n, estimates: r.estimates, onPolicy: m.onPolicy };
    const d = r.diagnostics;
    resultBox.replaceChildren(
      h(
        'div',
        { class: 'kpis' },
        h(
          'div',
          { class: 'kpi' },
          h(
            'span',
            { class: 'v' },
            `${fmt(m.onPolicy.value)} [${fmt(m.onPolicy.ci95[0])}, ${fmt(m.onPolicy.ci95[1])}]`,
          ),
          h('div', { class: 'k' }, 'logging policy (on-policy)'),
        ),
        h(
          'div',
          { class: 'kpi' },
          h('span', { class: 'v' }, fmt(d.ess, 1)),
          h('div', { class: 'k' }, 'effective sample size'),
        ),
        h(
          'div',
          { class: 'kpi' },
          h('span', { class: 'v' }, fmt(d.maxWeight, 2)),
          h('div', { class: 'k' }, 'largest weight'),
        ),
        h(
          'div',
          { class: 'kpi' },
          h('span', { class: 'v' }, `${(100 * d.zeroSupport).toFixed(1)} %`),
          h('div', { class: 'k' }, 'rows outside the candidate’s support'),
        ),
      ),
      h(
        'div',
        { class: 'card table-wrap' },
        h(
          'table',
          { 'aria-label': 'Estimates' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'estimator'),
              h('th', { scope: 'col', class: 'num' }, 'value'),
              h('th', { scope: 'col', class: 'num' }, '95% interval'),
              h('th', { scope: 'col', class: 'num' }, 's.e.'),
            ),
          ),
          h(
            'tbody',
            {},
            ...Object.entries(r.estimates).map(([k, e]) =>
              h(
                'tr',
                { 'data-testid': 'evaluate-estimate', 'data-estimator': k },
                h('td', {}, `${k} `, h('span', { class: 'muted' }, NAMES[k] ?? '')),
                h('td', { class: 'num' }, fmt(e.value)),
                h('td', { class: 'num' }, `[${fmt(e.ci95[0])}, ${fmt(e.ci95[1])}]`),
                h('td', { class: 'num' }, fmt(e.se)),
              ),
            ),
          ),
        ),
      ),
    );
    const bars: Bar[] = [
      {
        group: 'value per row',
        label: 'logger (on-policy)',
        value: m.onPolicy.value,
        lower: m.onPolicy.ci95[0],
        upper: m.onPolicy.ci95[1],
      },
    ];
    for (const [k, e] of Object.entries(r.estimates)) {
      if (e.value === null) continue;
      bars.push({
        group: 'value per row',
        label: k,
        value: e.value,
        ...(e.ci95[0] !== null && e.ci95[1] !== null ? { lower: e.ci95[0], upper: e.ci95[1] } : {}),
      });
    }
    void renderChart(
      chart,
      barChart({
        title: 'Estimated value of the candidate (95% intervals) beside the logger',
        yLabel: 'mean reward per row',
        bars,
        width: 520,
      }),
    );
  };

  candSel.addEventListener('change', () => {
    customField.hidden = candSel.value !== 'custom';
  });
  agentSel.addEventListener('change', () => void candidates());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });

  void (async () => {
    try {
      agents = (await getJson<{ agents: AgentSummary[] }>('/v1/agents', ctrl.signal)).agents;
    } catch (e) {
      if ((e as Error).name !== 'AbortError') status.replaceChildren(notice('error', String(e)));
      return;
    }
    const logged = agents.filter((a) => a.rewards > 0);
    if (logged.length === 0) {
      status.replaceChildren(
        notice('info', 'No agent has joined rewards yet: there is nothing to evaluate on.'),
      );
    }
    const want = new URLSearchParams(location.search).get('agent');
    agentSel.replaceChildren(
      ...agents.map((a) =>
        h(
          'option',
          { value: a.agentId, selected: a.agentId === want },
          `${a.agentId} (${a.policy.type}, ${a.rewards} rewards)`,
        ),
      ),
    );
    await candidates();
  })();
  return () => {
    ctrl.abort();
    worker.terminate();
  };
};

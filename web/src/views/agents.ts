/** Agents: every agent of the service with its policy, traffic and freshness, updated live. */
import { type AgentSummary, ApiError, getJson, poll } from '../api.js';
import { ago, fmt, h, hooks, notice, syncRows } from '../dom.js';
import type { View } from '../main.js';

function policyLabel(p: AgentSummary['policy']): string {
  const extra = Object.entries(p)
    .filter(
      ([k, v]) => k !== 'type' && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'),
    )
    .map(([k, v]) => `${k} ${v}`)
    .slice(0, 3);
  return extra.length > 0 ? `${p.type} (${extra.join(', ')})` : p.type;
}

export const agentsView: View = (root) => {
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody', {});
  const count = h('span', { class: 'pill' }, '…');
  const prev = new Map<string, number>();

  root.append(
    h('h1', {}, 'Agents ', count),
    h(
      'p',
      { class: 'lead' },
      'Every learning agent the service runs: its policy, the decisions it made and the rewards joined to them, the ' +
        'policy version (rewards folded into its state) and when it last saw traffic. Open one to watch it learn.',
    ),
    status,
    h(
      'div',
      { class: 'card table-wrap' },
      h(
        'table',
        { 'aria-label': 'Agents' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'agent'),
            h('th', { scope: 'col' }, 'policy'),
            h('th', { scope: 'col', class: 'num' }, 'decisions'),
            h('th', { scope: 'col', class: 'num' }, 'rewards'),
            h('th', { scope: 'col', class: 'num hide-narrow' }, 'version'),
            h('th', { scope: 'col', class: 'num hide-narrow' }, 'decisions / s'),
            h('th', { scope: 'col', class: 'num hide-narrow' }, 'spent / budget'),
            h('th', { scope: 'col' }, 'last activity'),
          ),
        ),
        tbody,
      ),
    ),
  );

  let last = Date.now();
  const stop = poll(
    async (signal) => {
      const { agents } = await getJson<{ agents: AgentSummary[] }>('/v1/agents', signal);
      const now = Date.now();
      const dt = Math.max(1e-3, (now - last) / 1000);
      last = now;
      status.replaceChildren(
        agents.length === 0
          ? notice(
              'info',
              'No agents yet. Create one with ',
              h('code', {}, 'PUT /v1/agents/{id}'),
              ' (see docs/serve.md), or start the service with ',
              h('code', {}, 'allot serve --demo'),
              ' to watch simulated traffic.',
            )
          : '',
      );
      count.textContent = String(agents.length);
      hooks().agents = agents.map((a) => a.agentId);
      const sorted = [...agents].sort((a, b) => a.agentId.localeCompare(b.agentId));
      const rates = new Map<string, number | null>();
      for (const a of sorted) {
        const p = prev.get(a.agentId);
        rates.set(a.agentId, p === undefined ? null : Math.max(0, (a.decisions - p) / dt));
        prev.set(a.agentId, a.decisions);
      }
      syncRows(
        tbody,
        sorted,
        (a) => a.agentId,
        (a) => {
          const rate = rates.get(a.agentId) ?? null;
          const live = a.lastActivity != null && now - Date.parse(a.lastActivity) < 10_000;
          return [
            h('td', {}, h('a', { href: `/agents/${encodeURIComponent(a.agentId)}` }, a.agentId)),
            h('td', {}, policyLabel(a.policy)),
            h('td', { class: 'num' }, fmt(a.decisions)),
            h('td', { class: 'num' }, fmt(a.rewards)),
            h('td', { class: 'num hide-narrow' }, fmt(a.version)),
            h('td', { class: 'num hide-narrow' }, rate === null ? '–' : fmt(rate, 1)),
            h(
              'td',
              { class: 'num hide-narrow' },
              typeof a['budget'] === 'number'
                ? `${fmt(a['spent'] as number | undefined)} / ${fmt(a['budget'])}`
                : '–',
            ),
            h(
              'td',
              {},
              h('span', { class: `pill ${live ? 'live' : 'idle'}` }, live ? 'live' : 'idle'),
              ' ',
              h('span', { class: 'muted' }, ago(a.lastActivity, now)),
            ),
          ];
        },
        (a) => ({ 'data-testid': 'agent-row', 'data-agent-id': a.agentId }),
      );
    },
    1500,
    (e) => {
      status.replaceChildren(
        notice(
          'error',
          e instanceof ApiError ? `${e.code}: ${e.message}` : `cannot load agents: ${String(e)}`,
        ),
      );
    },
  );
  return stop;
};

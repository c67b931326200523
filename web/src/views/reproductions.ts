/**
 * Reproductions: every domain's report (tables with the paper's numbers beside ours, and the charts), built by the
 * same code that writes `allot reproduce`'s files. Reports the CLI wrote under out/reproduce/<domain>/ are served by
 * `allot serve`; dp and forecast can also be built right here, in a Web Worker, with the library.
 */
import type { ChartSpec } from '../../../src/core/chart.js';
import type { Report } from '../../../src/reports/index.js';
import { ApiError, getJson } from '../api.js';
import { chartBox, renderChart } from '../chart.js';
import { h, hooks, notice } from '../dom.js';
import type { View } from '../main.js';
import { renderMarkdown } from '../markdown.js';
import type { ReportMessage } from '../workers/report.worker.js';

const DOMAINS = [
  {
    id: 'dp',
    label: 'Dynamic programming',
    paper: 'Evans (2019), Dynamic Programming with Interpolation',
    browser: true,
  },
  {
    id: 'forecast',
    label: 'Forecast allocation',
    paper: 'Gerding, Reich, Rogers, Ray (2023), allocation scoring rules',
    browser: true,
  },
  { id: 'budget', label: 'Budgeted bandits', paper: 'budgeted multiple-play bandits', browser: false },
  { id: 'rank', label: 'Ranking (PBM)', paper: 'position-based-model ranking bandits', browser: false },
  {
    id: 'explore',
    label: 'Exploration A/B',
    paper: 'multi-task UCB recommender, fair A/B test',
    browser: false,
  },
] as const;

/** GET /reports/index.json (src/serve/web.ts). */
interface ReportsIndex {
  readonly dir: string;
  readonly domains: Record<
    string,
    { readonly json: boolean; readonly md: boolean; readonly modified: string | null }
  >;
}

/** report.json as the CLI writes it. */
interface ServedReport extends Report {
  readonly generatedAt?: string;
  readonly command?: string;
  readonly quick?: boolean;
}

function showReport(target: HTMLElement, report: ServedReport, base: string | null, origin: string): void {
  const specs = new Map<string, ChartSpec>(report.charts.map((c) => [c.file, c.spec]));
  const boxes = new Map<string, HTMLElement>();
  const box = (file: string): HTMLElement | null => {
    const spec = specs.get(file);
    if (!spec) return null;
    let b = boxes.get(file);
    if (!b) {
      b = chartBox(file);
      b.id = `chart-${file}`;
      boxes.set(file, b);
    }
    return b;
  };
  const shown = new Set<string>();
  const { el, used } = renderMarkdown(report.markdown, {
    chart: (f) => {
      if (shown.has(f)) return null;
      const b = box(f);
      if (b) shown.add(f);
      return b;
    },
    has: (f) => specs.has(f),
    url: (t) => (/^https?:/.test(t) ? t : base ? `${base}/${t}` : null),
  });
  const rest = report.charts.filter((c) => !used.has(c.file));
  target.replaceChildren(
    notice(
      'info',
      origin,
      report.generatedAt ? ` · built ${report.generatedAt.replace('T', ' ').slice(0, 19)} UTC` : '',
      report.command ? ' · regenerate with ' : '',
      report.command ? h('code', {}, report.command) : '',
    ),
    report.summary.length > 0
      ? h('ul', { class: 'card', 'aria-label': 'Summary' }, ...report.summary.map((s) => h('li', {}, s)))
      : '',
    h('article', { class: 'card' }, el),
    rest.length > 0 ? h('h2', {}, 'More charts') : '',
    ...rest.map((c) => {
      const b = box(c.file)!;
      return h('section', { class: 'card' }, b);
    }),
  );
  for (const [file, b] of boxes) void renderChart(b, specs.get(file)!);
}

export const reproductionsView: View = (root, params) => {
  const domain = DOMAINS.find((d) => d.id === params['domain']) ?? DOMAINS[0];
  const body = h('div', {});
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  let worker: Worker | null = null;
  const ctrl = new AbortController();

  root.append(
    h('h1', {}, 'Reproductions'),
    h(
      'p',
      { class: 'lead' },
      'Each seed paper’s tables with the paper’s numbers beside ours, and the charts. The same report builders write ',
      h('code', {}, 'allot reproduce <domain>'),
      '’s report.md and SVGs.',
    ),
    h(
      'nav',
      { class: 'tabs', 'aria-label': 'Domains' },
      ...DOMAINS.map((d) =>
        h(
          'a',
          {
            class: 'tab',
            href: `/reproductions/${d.id}`,
            'aria-current': d.id === domain.id ? 'page' : null,
            title: d.paper,
          },
          d.label,
        ),
      ),
    ),
    status,
    body,
  );

  function buildHere(): void {
    worker?.terminate();
    worker = new Worker(new URL('../workers/report.worker.ts', import.meta.url), { type: 'module' });
    status.replaceChildren(notice('info', `Building the ${domain.id} report in this browser…`));
    const btns = root.querySelectorAll<HTMLButtonElement>('button[data-build]');
    for (const b of btns) b.disabled = true;
    worker.onmessage = (ev: MessageEvent<ReportMessage>) => {
      for (const b of btns) b.disabled = false;
      const m = ev.data;
      if (m.type === 'error') {
        status.replaceChildren(notice('error', `${m.code}: ${m.message}`));
        return;
      }
      status.replaceChildren();
      showReport(
        body,
        { ...m.report, generatedAt: m.generatedAt },
        null,
        `Built in this browser in ${(m.milliseconds / 1000).toFixed(1)} s${domain.id === 'forecast' ? ' (quick run on the bundled FluSight sample)' : ''}`,
      );
      hooks().reports = { ...(hooks().reports ?? {}), [domain.id]: 'browser' };
      body.prepend(buildButton('Rebuild in this browser'));
    };
    worker.postMessage({ id: 1, domain: domain.id });
  }

  function buildButton(label: string): HTMLElement {
    const b = h('button', { type: 'button', class: 'secondary', 'data-build': domain.id }, label);
    b.addEventListener('click', buildHere);
    return h('p', {}, b);
  }

  async function load(): Promise<void> {
    let idx: ReportsIndex | null = null;
    try {
      idx = await getJson<ReportsIndex>('/reports/index.json', ctrl.signal);
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      if (!(e instanceof ApiError)) throw e;
    }
    const entry = idx?.domains[domain.id];
    const base = `/reports/${domain.id}`;
    if (entry?.json) {
      const rep = await getJson<ServedReport>(`${base}/report.json`, ctrl.signal);
      showReport(body, rep, base, `From ${idx!.dir}/${domain.id}/report.json`);
      hooks().reports = { ...(hooks().reports ?? {}), [domain.id]: 'server' };
      if (domain.browser) body.prepend(buildButton('Build it again in this browser'));
      return;
    }
    if (entry?.md) {
      const res = await fetch(`${base}/report.md`, { signal: ctrl.signal });
      const md = await res.text();
      showReport(
        body,
        { domain: domain.id, title: '', markdown: md, charts: [], results: {}, summary: [] },
        base,
        `From ${idx!.dir}/${domain.id}/report.md`,
      );
      hooks().reports = { ...(hooks().reports ?? {}), [domain.id]: 'server-md' };
      return;
    }
    const cmd = `npx allot reproduce ${domain.id}`;
    if (domain.browser) {
      body.replaceChildren(
        notice(
          'info',
          'No report from the CLI on this server yet (',
          h('code', {}, cmd),
          ' writes one); building it here instead.',
        ),
      );
      buildHere();
    } else {
      body.replaceChildren(
        notice(
          'warn',
          `No ${domain.label} report on this server yet. `,
          h('code', {}, cmd),
          ` generates it (${domain.paper}) under ${idx?.dir ?? 'out/reproduce'}/${domain.id}/; this page shows it once it is there.`,
        ),
      );
      hooks().reports = { ...(hooks().reports ?? {}), [domain.id]: 'missing' };
    }
  }

  load().catch((e) => status.replaceChildren(notice('error', `cannot load the report: ${String(e)}`)));
  return () => {
    ctrl.abort();
    worker?.terminate();
  };
};

/**
 * Forecasts: a hub's quantile forecasts (the bundled FluSight sample, or an uploaded model_output CSV) turned into
 * allocations of K units across locations (the Bayes act of the allocation score), beside the observed need and the
 * shortfall, with every model's allocation score and WIS side by side. The library runs in this page.
 */
import { type Bar, barChart } from '../../../src/core/chart.js';
import {
  type AllocationRow,
  allocationRows,
  checkForecasts,
  type IncompleteForecast,
  type ModelOutputTable,
  type PreparedForecast,
  parseModelOutput,
  parseTargetData,
  quantileScoreRows,
  splitCsvLine,
  summarizeScores,
  type TailFamily,
  type TargetData,
} from '../../../src/forecast/index.js';
import { allocationChart } from '../../../src/reports/index.js';
import { chartBox, renderChart } from '../chart.js';
import { field, fmt, h, hooks, notice } from '../dom.js';
import type { View } from '../main.js';

interface Hub {
  readonly label: string;
  readonly table: ModelOutputTable;
  readonly truth: TargetData | null;
  readonly names: Map<string, string>;
  readonly complete: PreparedForecast[];
  readonly incomplete: IncompleteForecast[];
}

function locationNames(csv: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = csv.split('\n');
  const head = splitCsvLine(lines[0] ?? '');
  const il = head.indexOf('location');
  const inm = head.indexOf('location_name');
  if (il < 0 || inm < 0) return out;
  for (let i = 1; i < lines.length; i++) {
    const f = splitCsvLine(lines[i]!.replace(/\r$/, ''));
    if (f.length === head.length) out.set(f[il]!, f[inm]!);
  }
  return out;
}

async function bundled(): Promise<{ output: string; truth: string }> {
  const [o, t] = await Promise.all([
    import('../../../fixtures/forecast/model-output.csv?raw'),
    import('../../../fixtures/forecast/target-data.csv?raw'),
  ]);
  return { output: o.default, truth: t.default };
}

function load(label: string, output: string, truthCsv: string | null, modelId?: string): Hub {
  const table = parseModelOutput(output, { source: label, ...(modelId ? { modelId } : {}) });
  if (table.kept === 0) throw new Error(`${label}: no quantile rows found (${table.rows} rows read)`);
  const truth = truthCsv === null ? null : parseTargetData(truthCsv);
  const { complete, incomplete } = checkForecasts(table);
  return {
    label,
    table,
    truth,
    names: truthCsv === null ? new Map() : locationNames(truthCsv),
    complete,
    incomplete,
  };
}

export const forecastsView: View = (root) => {
  let hub: Hub | null = null;
  let truthText: string | null = null;
  const sel = { date: '', target: '', horizon: '', model: '', K: Number.NaN, tail: 'normal' as TailFamily };

  const status = h(
    'div',
    { role: 'status', 'aria-live': 'polite' },
    notice('info', 'Loading the FluSight sample…'),
  );
  const controls = h('form', { class: 'card controls', 'aria-label': 'Forecast and stock' });
  const totalEl = h('span', { class: 'v', 'data-testid': 'forecast-total' }, '–');
  const kEl = h('span', { class: 'v' }, '–');
  const scoreEl = h('span', { class: 'v' }, '–');
  const shortEl = h('span', { class: 'v' }, '–');
  const allocBox = chartBox('Allocation per location beside the observed need');
  const scoreBox = chartBox('Allocation score per model');
  const wisBox = chartBox('Mean WIS per model');
  const locTable = h('div', { class: 'table-wrap scroll' });
  const modelTable = h('div', { class: 'table-wrap' });
  const incompleteEl = h('div', {});

  const fileInput = h('input', { type: 'file', accept: '.csv,text/csv', name: 'model-output' });
  const truthInput = h('input', { type: 'file', accept: '.csv,text/csv', name: 'target-data' });
  const resetBtn = h('button', { type: 'button', class: 'secondary' }, 'Use the bundled FluSight sample');

  function forecastsFor(date: string, target: string, horizon: string): PreparedForecast[] {
    return hub!.complete.filter(
      (f) => f.referenceDate === date && f.target === target && f.horizon === horizon,
    );
  }

  function sumObserved(f: PreparedForecast): number | null {
    if (hub?.truth == null) return null;
    let s = 0;
    for (const l of f.locations) {
      const y = hub.truth.get(f.targetEndDate, l.location, f.target);
      if (y === undefined) return null;
      s += y;
    }
    return s;
  }

  function rebuildControls(): void {
    if (hub === null) return;
    const t = hub.table;
    const dates = [...new Set(hub.complete.map((f) => f.referenceDate))].sort();
    if (!dates.includes(sel.date)) sel.date = dates.at(-1) ?? '';
    const targets = [
      ...new Set(hub.complete.filter((f) => f.referenceDate === sel.date).map((f) => f.target)),
    ];
    if (!targets.includes(sel.target)) sel.target = targets[0] ?? '';
    const horizons = [
      ...new Set(
        hub.complete
          .filter((f) => f.referenceDate === sel.date && f.target === sel.target)
          .map((f) => f.horizon),
      ),
    ];
    if (!horizons.includes(sel.horizon)) sel.horizon = horizons[0] ?? '';
    const models = forecastsFor(sel.date, sel.target, sel.horizon).map((f) => f.model);
    if (!models.includes(sel.model))
      sel.model = models.includes('FluSight-ensemble') ? 'FluSight-ensemble' : (models[0] ?? '');
    const f = forecastsFor(sel.date, sel.target, sel.horizon).find((x) => x.model === sel.model);
    if (!Number.isFinite(sel.K) && f) sel.K = Math.round(sumObserved(f) ?? 10000);

    const select = (
      name: string,
      values: readonly string[],
      cur: string,
      on: (v: string) => void,
    ): HTMLSelectElement => {
      const el = h(
        'select',
        { name },
        ...values.map((v) => h('option', { value: v, selected: v === cur }, v)),
      );
      el.addEventListener('change', () => {
        on(el.value);
        rebuildControls();
        compute();
      });
      return el;
    };
    const kInput = h('input', {
      type: 'number',
      name: 'K',
      min: 0,
      step: 'any',
      value: String(sel.K),
      'data-testid': 'forecast-k',
    });
    kInput.addEventListener('change', () => {
      if (Number.isFinite(kInput.valueAsNumber) && kInput.valueAsNumber >= 0) {
        sel.K = kInput.valueAsNumber;
        compute();
      }
    });
    const sumY = f ? sumObserved(f) : null;
    controls.replaceChildren(
      field(
        'Reference date',
        select('date', dates, sel.date, (v) => (sel.date = v)),
      ),
      targets.length > 1
        ? field(
            'Target',
            select('target', targets, sel.target, (v) => (sel.target = v)),
          )
        : '',
      horizons.length > 1
        ? field(
            'Horizon',
            select('horizon', horizons, sel.horizon, (v) => (sel.horizon = v)),
          )
        : '',
      field(
        'Model',
        select('model', models, sel.model, (v) => (sel.model = v)),
      ),
      field('K (units to allocate)', kInput, sumY === null ? undefined : `sum of observations: ${fmt(sumY)}`),
      field(
        'Tails',
        select('tail', ['normal', 'lognormal'], sel.tail, (v) => (sel.tail = v as TailFamily)),
      ),
      sumY === null
        ? ''
        : (() => {
            const b = h('button', { type: 'button', class: 'secondary' }, 'K = sum of observations');
            b.addEventListener('click', () => {
              sel.K = Math.round(sumY);
              rebuildControls();
              compute();
            });
            return b;
          })(),
    );
    void t;
  }

  function compute(): void {
    if (hub === null) return;
    const group = forecastsFor(sel.date, sel.target, sel.horizon);
    const f = group.find((x) => x.model === sel.model);
    if (!f) return;
    const opts = { tail: sel.tail, ...(hub.truth ? { truth: hub.truth } : {}) };
    let rows: AllocationRow[];
    try {
      rows = allocationRows(f, [sel.K], opts).rows;
    } catch (e) {
      status.replaceChildren(notice('error', String((e as Error).message ?? e)));
      return;
    }
    status.replaceChildren();
    let total = 0;
    let shortfall = 0;
    for (const r of rows) {
      total += r.allocation;
      shortfall += r.shortfall ?? 0;
    }
    const shown = Math.round(total * 1e6) / 1e6;
    totalEl.textContent = String(shown);
    totalEl.dataset['value'] = String(total);
    kEl.textContent = fmt(sel.K);
    const r0 = rows[0]!;
    scoreEl.textContent = r0.score_adjusted === null ? '–' : fmt(r0.score_adjusted, 1);
    shortEl.textContent = hub.truth ? fmt(shortfall, 1) : '–';
    hooks().forecast = { model: f.model, date: f.referenceDate, K: sel.K, total };
    const name = (loc: string): string => hub!.names.get(loc) ?? loc;
    void renderChart(
      allocBox,
      allocationChart(
        rows.map((r) => ({
          location: name(r.location),
          allocation: r.allocation,
          observation: r.observation,
        })),
        `${f.model}, ${f.referenceDate} (${f.target}, horizon ${f.horizon}): K = ${fmt(sel.K)} allocated; ticks = observed need, red = shortfall`,
      ),
    );
    locTable.replaceChildren(
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'location'),
            h('th', { scope: 'col', class: 'num' }, 'allocation'),
            h('th', { scope: 'col', class: 'num' }, 'observed'),
            h('th', { scope: 'col', class: 'num' }, 'shortfall'),
            h('th', { scope: 'col', class: 'num hide-narrow' }, 'level tau'),
            h('th', { scope: 'col', class: 'hide-narrow' }, 'status'),
          ),
        ),
        h(
          'tbody',
          {},
          ...[...rows]
            .sort((a, b) => b.allocation - a.allocation)
            .map((r) =>
              h(
                'tr',
                {},
                h('td', {}, `${name(r.location)} (${r.location})`),
                h('td', { class: 'num' }, fmt(r.allocation, 1)),
                h('td', { class: 'num' }, fmt(r.observation)),
                h('td', { class: 'num' }, fmt(r.shortfall, 1)),
                h('td', { class: 'num hide-narrow' }, r.tau.toFixed(4)),
                h('td', { class: 'hide-narrow' }, r.status),
              ),
            ),
        ),
      ),
    );
    compareModels(group);
  }

  function compareModels(group: PreparedForecast[]): void {
    if (hub === null) return;
    const alloc = new Map<string, AllocationRow>();
    for (const f of group) {
      try {
        alloc.set(
          f.model,
          allocationRows(f, [sel.K], { tail: sel.tail, ...(hub.truth ? { truth: hub.truth } : {}) }).rows[0]!,
        );
      } catch {
        // a model whose distributions cannot be built with these tails is shown without a score
      }
    }
    let wis = new Map<string, { wis: number; rel: number | null; cov95: number | null; n: number }>();
    if (hub.truth) {
      const sub = {
        ...hub.table,
        forecasts: hub.table.forecasts.filter(
          (f) => f.referenceDate === sel.date && f.target === sel.target && f.horizon === sel.horizon,
        ),
      };
      const rows = quantileScoreRows(sub, hub.truth);
      const hasBase = rows.some((r) => r.model_id === 'FluSight-baseline' && r.wis !== null);
      try {
        wis = new Map(
          summarizeScores(rows, hasBase ? 'FluSight-baseline' : undefined).map((s) => [
            s.model_id,
            { wis: s.wis, rel: s.relative_wis, cov95: s.coverage_95, n: s.n },
          ]),
        );
      } catch {
        wis = new Map();
      }
    }
    const models = [...new Set([...alloc.keys(), ...wis.keys()])].sort(
      (a, b) => (alloc.get(a)?.score_adjusted ?? Infinity) - (alloc.get(b)?.score_adjusted ?? Infinity),
    );
    modelTable.replaceChildren(
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'model'),
            h('th', { scope: 'col', class: 'num' }, 'allocation score'),
            h('th', { scope: 'col', class: 'num' }, 'oracle'),
            h('th', { scope: 'col', class: 'num' }, 'adjusted'),
            h('th', { scope: 'col', class: 'num' }, 'mean WIS'),
            h('th', { scope: 'col', class: 'num' }, 'relative WIS'),
            h('th', { scope: 'col', class: 'num hide-narrow' }, '95% coverage'),
            h('th', { scope: 'col', class: 'num hide-narrow' }, 'locations scored'),
          ),
        ),
        h(
          'tbody',
          {},
          ...models.map((m) => {
            const a = alloc.get(m);
            const w = wis.get(m);
            return h(
              'tr',
              { 'aria-current': m === sel.model ? 'true' : null },
              h('td', {}, m === sel.model ? h('strong', {}, m) : m),
              h('td', { class: 'num' }, fmt(a?.score_total, 1)),
              h('td', { class: 'num' }, fmt(a?.score_oracle, 1)),
              h('td', { class: 'num' }, a ? fmt(a.score_adjusted, 1) : 'incomplete'),
              h('td', { class: 'num' }, fmt(w?.wis, 1)),
              h('td', { class: 'num' }, fmt(w?.rel)),
              h('td', { class: 'num hide-narrow' }, fmt(w?.cov95)),
              h('td', { class: 'num hide-narrow' }, w ? String(w.n) : '–'),
            );
          }),
        ),
      ),
      h(
        'p',
        { class: 'muted' },
        'Allocation score: L · Σ (y − x)+ with L = 1, the shortfall of the allocation x at K; oracle: the best possible, ' +
          'max(0, Σ y − K); adjusted = score − oracle (lower is better). WIS: weighted interval score of the quantiles, ' +
          'averaged over locations; relative WIS is pairwise, scaled by FluSight-baseline.',
      ),
    );
    const aBars: Bar[] = [];
    const wBars: Bar[] = [];
    for (const m of models) {
      const a = alloc.get(m);
      if (a?.score_adjusted != null)
        aBars.push({ group: `K = ${fmt(sel.K)}`, label: m, value: a.score_adjusted });
      const w = wis.get(m);
      if (w) wBars.push({ group: sel.date, label: m, value: w.wis });
    }
    if (aBars.length > 0) {
      void renderChart(
        scoreBox,
        barChart({
          title: 'Oracle-adjusted allocation score (lower is better)',
          yLabel: 'adjusted score',
          bars: aBars,
          width: 320,
        }),
      );
    }
    if (wBars.length > 0) {
      void renderChart(
        wisBox,
        barChart({ title: 'Mean WIS (lower is better)', yLabel: 'mean WIS', bars: wBars, width: 320 }),
      );
    }
    incompleteEl.replaceChildren(
      ...(hub.incomplete.length === 0
        ? []
        : [
            h('h3', {}, 'Left out (incomplete forecasts)'),
            h(
              'ul',
              {},
              ...hub.incomplete.map((f) => h('li', {}, `${f.model}, ${f.referenceDate}: ${f.reason}`)),
            ),
          ]),
    );
  }

  function use(next: Hub): void {
    hub = next;
    sel.K = Number.NaN;
    status.replaceChildren(
      notice(
        'info',
        `${next.label}: ${next.table.kept} quantile rows, ${next.table.models.length} models, ${next.complete.length} complete forecasts` +
          `${next.truth ? '' : ' (no observations: upload target data to score)'}.`,
      ),
    );
    rebuildControls();
    compute();
  }

  async function loadBundled(): Promise<void> {
    try {
      const b = await bundled();
      truthText = b.truth;
      use(load('FluSight sample (2025-02-01, 1 week ahead)', b.output, b.truth));
    } catch (e) {
      status.replaceChildren(notice('error', `could not load the bundled sample: ${(e as Error).message}`));
    }
  }

  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    try {
      const text = await file.text();
      const m = /^\d{4}-\d{2}-\d{2}-(.+)\.csv$/.exec(file.name);
      use(load(file.name, text, truthText, m?.[1]));
    } catch (e) {
      status.replaceChildren(notice('error', `${file.name}: ${(e as Error).message}`));
    }
  });
  truthInput.addEventListener('change', async () => {
    const file = truthInput.files?.[0];
    if (!file || hub === null) return;
    try {
      truthText = await file.text();
      const t = parseTargetData(truthText, file.name);
      use({ ...hub, truth: t, names: locationNames(truthText) });
    } catch (e) {
      status.replaceChildren(notice('error', `${file.name}: ${(e as Error).message}`));
    }
  });
  resetBtn.addEventListener('click', () => void loadBundled());
  // Enter in the K field submits the form: apply K instead of reloading the page.
  controls.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const k = controls.querySelector<HTMLInputElement>('input[name="K"]');
    if (k && Number.isFinite(k.valueAsNumber) && k.valueAsNumber >= 0) {
      sel.K = k.valueAsNumber;
      compute();
    }
  });

  root.append(
    h('h1', {}, 'Forecasts: allocate K across locations'),
    h(
      'p',
      { class: 'lead' },
      'Each model’s quantile forecasts become distributions (distfromq); the allocation that minimises the expected ' +
        'shortfall gives every location the same quantile level tau with Σ x = K (Gerding et al. 2023). Scored against ' +
        'what was observed.',
    ),
    h(
      'details',
      { class: 'card' },
      h('summary', {}, 'Load a hub file'),
      h(
        'div',
        { class: 'controls', style: 'margin-top:8px' },
        field('model_output CSV (hubverse, quantile rows)', fileInput),
        field('target data CSV (optional)', truthInput),
        resetBtn,
      ),
    ),
    status,
    controls,
    h(
      'div',
      { class: 'kpis' },
      h('div', { class: 'kpi' }, totalEl, h('div', { class: 'k' }, 'total allocated')),
      h('div', { class: 'kpi' }, kEl, h('div', { class: 'k' }, 'K')),
      h('div', { class: 'kpi' }, shortEl, h('div', { class: 'k' }, 'total shortfall')),
      h('div', { class: 'kpi' }, scoreEl, h('div', { class: 'k' }, 'adjusted allocation score')),
    ),
    h('section', { class: 'card', 'aria-label': 'Allocation per location' }, allocBox),
    h(
      'div',
      { class: 'grid' },
      h(
        'section',
        { class: 'card', 'aria-label': 'Models' },
        h('h2', {}, 'Models side by side'),
        modelTable,
        incompleteEl,
      ),
      h('section', { class: 'card', 'aria-label': 'Scores' }, scoreBox, wisBox),
    ),
    h('section', { class: 'card', 'aria-label': 'Locations' }, h('h2', {}, 'Per location'), locTable),
  );
  void loadBundled();
  return undefined;
};

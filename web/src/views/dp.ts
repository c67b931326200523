/**
 * Dynamic programming: the cake-eating notebook's parameters in a form; Solve runs value function iteration in a
 * Web Worker (the page stays responsive) and plots the value function and the policy with the CLI's chart specs.
 */

import deterministic from '../../../fixtures/dp/deterministic.json';
import iid from '../../../fixtures/dp/iid.json';
import markov from '../../../fixtures/dp/markov.json';
import type { CakeEatingConfig } from '../../../src/dp/index.js';
import { EXTRAPOLATIONS, INTERPOLATION_KINDS } from '../../../src/dp/index.js';
import { chartBox, renderChart } from '../chart.js';
import { field, fmt, h, hooks, notice } from '../dom.js';
import type { View } from '../main.js';
import type { DpMessage } from '../workers/dp.worker.js';

type Preset = 'deterministic' | 'iid' | 'markov';

interface FormState {
  beta: number;
  gamma: number;
  min: number;
  max: number;
  size: number;
  shocks: 'none' | 'iid' | 'markov';
  values: string;
  probabilities: string;
  transition: string;
  interpolation: string;
  extrapolation: string;
  initial: 'log' | 'zero';
  tolerance: number;
  maxIterations: number;
}

function fromConfig(c: Record<string, unknown>, beta?: number): FormState {
  const grid = c['grid'] as { min: number; max: number; size: number };
  const shocks = c['shocks'] as
    | { values: number[]; probabilities?: number[]; transition?: number[][] }
    | undefined;
  const stop = c['stop'] as { tolerance: number; maxIterations: number };
  return {
    beta: beta ?? (c['beta'] as number),
    gamma: (c['utility'] as { gamma: number }).gamma,
    min: grid.min,
    max: grid.max,
    size: grid.size,
    shocks: shocks === undefined ? 'none' : shocks.transition ? 'markov' : 'iid',
    values: shocks ? shocks.values.join(', ') : '-1.4, -0.55, 0, 0.55, 1.4',
    probabilities: shocks?.probabilities ? shocks.probabilities.join(', ') : '0.1, 0.2, 0.4, 0.2, 0.1',
    transition: shocks?.transition
      ? shocks.transition.map((r) => r.join(', ')).join('\n')
      : (markov.shocks.transition as number[][]).map((r) => r.join(', ')).join('\n'),
    interpolation: (c['interpolation'] as string) ?? 'cubic',
    extrapolation: 'extrapolate',
    initial: (c['initial'] as 'log' | 'zero') ?? 'log',
    tolerance: stop.tolerance,
    maxIterations: stop.maxIterations,
  };
}

const PRESETS: Record<Preset, { label: string; state: () => FormState }> = {
  deterministic: { label: 'Notebook: deterministic', state: () => fromConfig(deterministic) },
  iid: { label: 'Notebook: i.i.d. shocks', state: () => fromConfig(iid) },
  markov: { label: 'Notebook: Markov shocks (printed run, beta 0.3)', state: () => fromConfig(markov, 0.3) },
};

function numbers(raw: string): number[] {
  return raw
    .split(/[\s,;]+/)
    .filter((s) => s.length > 0)
    .map(Number);
}

/** The form as a CakeEatingConfig (the JSON of `allot dp solve --config`). */
function toConfig(s: FormState): CakeEatingConfig {
  const base = {
    beta: s.beta,
    utility: { type: 'crra' as const, gamma: s.gamma },
    grid: { min: s.min, max: s.max, size: s.size },
    initial: s.initial,
    interpolation: s.interpolation as CakeEatingConfig['interpolation'] & string,
    extrapolation: s.extrapolation as CakeEatingConfig['extrapolation'] & string,
    bounds: { lowerOffset: 1e-10, upperOffset: 1e-10 },
    minimizer: { xatol: 1e-5, maxiter: 500 },
    stop: { metric: 'sse' as const, tolerance: s.tolerance, maxIterations: s.maxIterations },
  };
  if (s.shocks === 'none') return base;
  const values = numbers(s.values);
  if (s.shocks === 'iid') return { ...base, shocks: { values, probabilities: numbers(s.probabilities) } };
  const transition = s.transition
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map(numbers);
  return { ...base, shocks: { values, transition } };
}

export const dpView: View = (root) => {
  let preset: Preset = 'deterministic';
  let state = PRESETS[preset].state();
  const worker = new Worker(new URL('../workers/dp.worker.ts', import.meta.url), { type: 'module' });
  let reqId = 0;

  const num = (key: keyof FormState, attrs: Record<string, string | number> = {}): HTMLInputElement => {
    const el = h('input', { type: 'number', step: 'any', name: key, value: String(state[key]), ...attrs });
    el.addEventListener('input', () => {
      (state as unknown as Record<string, unknown>)[key] = el.valueAsNumber;
    });
    return el;
  };
  const sel = (key: keyof FormState, options: readonly string[]): HTMLSelectElement => {
    const el = h(
      'select',
      { name: key },
      ...options.map((o) => h('option', { value: o, selected: state[key] === o }, o)),
    );
    el.addEventListener('change', () => {
      (state as unknown as Record<string, unknown>)[key] = el.value;
      if (key === 'shocks') syncShocks();
    });
    return el;
  };
  const area = (key: keyof FormState, rows: number): HTMLTextAreaElement => {
    const el = h('textarea', { name: key, rows, spellcheck: 'false' }, String(state[key]));
    el.addEventListener('input', () => {
      (state as unknown as Record<string, unknown>)[key] = el.value;
    });
    return el;
  };

  const form = h('form', { class: 'card', 'aria-label': 'Cake-eating problem' });
  const iterEl = h('span', { 'data-testid': 'dp-iterations', class: 'v' }, '–');
  const statusEl = h('span', { class: 'k', role: 'status', 'aria-live': 'polite' }, 'not solved yet');
  const bar = h('div', {});
  const distEl = h('span', { class: 'v' }, '–');
  const timeEl = h('span', { class: 'v' }, '–');
  const errBox = h('div', {});
  const valueBox = chartBox('Value function V(W)');
  const policyBox = chartBox("Policy W' = psi(W)");
  const distBox = chartBox('Distance per iteration');
  const shockFields = h('div', { class: 'controls' });
  const solveBtn = h('button', { type: 'submit', 'data-testid': 'dp-solve' }, 'Solve');

  function syncShocks(): void {
    shockFields.replaceChildren();
    if (state.shocks === 'none') return;
    shockFields.append(field('Shock values eps (exp(eps) multiplies utility)', area('values', 1)));
    if (state.shocks === 'iid') shockFields.append(field('Probabilities', area('probabilities', 1)));
    else
      shockFields.append(field('Transition matrix (one row per line, row = today)', area('transition', 5)));
  }

  function build(): void {
    form.replaceChildren(
      h(
        'div',
        { class: 'controls' },
        field(
          'Preset',
          (() => {
            const el = h(
              'select',
              { name: 'preset' },
              ...Object.entries(PRESETS).map(([k, p]) =>
                h('option', { value: k, selected: k === preset }, p.label),
              ),
            );
            el.addEventListener('change', () => {
              preset = el.value as Preset;
              state = PRESETS[preset].state();
              build();
              form.querySelector<HTMLSelectElement>('select[name="preset"]')?.focus();
            });
            return el;
          })(),
        ),
      ),
      h(
        'div',
        { class: 'controls' },
        field('beta (discount)', num('beta', { 'data-testid': 'dp-beta', min: 0, max: 1, step: 'any' })),
        field('gamma (CRRA)', num('gamma', { min: 0 })),
        field('Grid min', num('min', { min: 0 })),
        field('Grid max', num('max', { min: 0 })),
        field('Grid points', num('size', { min: 2, step: 1 })),
        field('Interpolation', sel('interpolation', INTERPOLATION_KINDS)),
        field('Extrapolation', sel('extrapolation', EXTRAPOLATIONS)),
        field('Initial V', sel('initial', ['log', 'zero'])),
        field('Tolerance (SSE)', num('tolerance', { min: 0 })),
        field('Max iterations', num('maxIterations', { min: 1, step: 1 })),
        field('Shocks', sel('shocks', ['none', 'iid', 'markov'])),
      ),
      shockFields,
      h('div', { class: 'controls', style: 'margin-top:10px' }, solveBtn),
    );
    syncShocks();
  }

  function solve(): void {
    errBox.replaceChildren();
    let config: CakeEatingConfig;
    try {
      config = toConfig(state);
    } catch (e) {
      errBox.append(notice('error', String(e)));
      return;
    }
    const id = ++reqId;
    solveBtn.disabled = true;
    statusEl.textContent = 'solving…';
    bar.style.width = '0';
    worker.postMessage({ id, config });
  }

  worker.onmessage = (ev: MessageEvent<DpMessage>) => {
    const m = ev.data;
    if (m.id !== reqId) return;
    if (m.type === 'progress') {
      distEl.textContent = fmt(m.distance);
      statusEl.textContent = `iteration ${m.iteration}`;
      bar.style.width = `${Math.min(100, (100 * m.iteration) / state.maxIterations)}%`;
      return;
    }
    solveBtn.disabled = false;
    if (m.type === 'error') {
      statusEl.textContent = 'failed';
      errBox.append(notice('error', `${m.code}: ${m.message}`));
      return;
    }
    bar.style.width = '100%';
    iterEl.textContent = String(m.iterations);
    statusEl.textContent = m.converged ? 'converged' : 'NOT converged (iteration cap)';
    distEl.textContent = fmt(m.distances.at(-1));
    timeEl.textContent = `${m.milliseconds.toFixed(0)} ms`;
    hooks().dp = {
      iterations: m.iterations,
      converged: m.converged,
      grid: m.grid,
      value: m.value,
      policy: m.policy,
    };
    void renderChart(valueBox, m.valueSpec);
    void renderChart(policyBox, m.policySpec);
    void renderChart(distBox, {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title: 'Distance between successive value functions (log scale)',
      height: 220,
      data: { values: m.distances.map((d, i) => ({ iteration: i + 1, distance: d })) },
      mark: { type: 'line', point: m.distances.length <= 60 },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
        y: {
          field: 'distance',
          type: 'quantitative',
          scale: { type: 'log' },
          title: 'sum of squared differences',
        },
      },
    });
  };
  worker.onerror = (ev) => {
    solveBtn.disabled = false;
    errBox.append(notice('error', `worker failed: ${ev.message}`));
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    solve();
  });
  build();
  root.append(
    h('h1', {}, 'Dynamic programming: the cake-eating problem'),
    h(
      'p',
      { class: 'lead' },
      "Value function iteration with interpolation (Evans 2019): V(W) = max over W' of u(W − W') + beta E V(W'). " +
        'The solver runs in this browser in a Web Worker, with the same code and the same numbers as ',
      h('code', {}, 'allot dp solve'),
      '.',
    ),
    form,
    errBox,
    h(
      'div',
      { class: 'kpis' },
      h('div', { class: 'kpi' }, iterEl, h('div', { class: 'k' }, 'iterations')),
      h('div', { class: 'kpi' }, statusEl),
      h('div', { class: 'kpi' }, distEl, h('div', { class: 'k' }, 'last distance')),
      h('div', { class: 'kpi' }, timeEl, h('div', { class: 'k' }, 'solve time')),
    ),
    h('div', { class: 'progress', role: 'presentation' }, bar),
    h(
      'div',
      { class: 'grid', style: 'margin-top:14px' },
      h('section', { class: 'card', 'aria-label': 'Value function' }, valueBox),
      h('section', { class: 'card', 'aria-label': 'Policy' }, policyBox),
    ),
    h('section', { class: 'card', style: 'margin-top:14px', 'aria-label': 'Convergence' }, distBox),
  );
  solve();
  return () => worker.terminate();
};

/** Tiny DOM helpers: elements from tag + attributes + children, number formatting, the test hooks object. */

type Child = Node | string | number | null | undefined | false;

/** Attributes of {@link h}: strings set attributes; `on*` functions become listeners. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;

/** Creates an element with attributes and children (strings become text nodes; null/false are skipped). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

/** Appends children to an element. */
export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Formats a number for people: fixed digits for moderate values, exponent for tiny or huge ones. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(2);
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** Relative time ("12 s ago") of an ISO timestamp. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 16).replace('T', ' ');
}

/** The test and debugging hooks: `window.__allot` (numbers the browser tests compare with the CLI). */
export interface AllotHooks {
  view: string;
  dp?: { iterations: number; converged: boolean; grid: number[]; value: number[]; policy: number[] };
  forecast?: { model: string; date: string; K: number; total: number };
  agent?: { id: string; stats: unknown; renders: number };
  agents?: string[];
  reports?: Record<string, string>;
  [key: string]: unknown;
}

/** The hooks object (created on first use). */
export function hooks(): AllotHooks {
  const w = window as unknown as { __allot?: AllotHooks };
  w.__allot ??= { view: '' };
  return w.__allot;
}

/** A labelled form field: a `<label>` wrapping the caption and the control. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'cap' }, label),
    control,
    hint ? h('small', {}, hint) : null,
  );
}

/** A status/notice box. */
export function notice(kind: 'info' | 'warn' | 'error', ...children: Child[]): HTMLDivElement {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

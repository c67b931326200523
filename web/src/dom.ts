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

/**
 * Keeps a table body's rows in step with `items` without rebuilding what did not change: a cell is replaced only
 * when its content differs and a row is moved only when the order changed, so a focused link keeps its focus while
 * a view refreshes (keyboard users are not thrown out at every poll).
 *
 * @param tbody - the table body
 * @param items - the rows' data, in display order
 * @param key - a stable key per item (set as `data-key`)
 * @param cells - the row's cells
 * @param attrs - attributes of a new row
 */
export function syncRows<T>(
  tbody: HTMLTableSectionElement,
  items: readonly T[],
  key: (item: T) => string,
  cells: (item: T) => HTMLTableCellElement[],
  attrs: (item: T) => Attrs = () => ({}),
): void {
  const existing = new Map<string, HTMLTableRowElement>();
  for (const tr of Array.from(tbody.rows)) existing.set(tr.dataset['key'] ?? '', tr);
  const wanted = new Set(items.map(key));
  for (const [k, tr] of existing) if (!wanted.has(k)) tr.remove();
  items.forEach((item, i) => {
    const k = key(item);
    const fresh = cells(item);
    let tr = existing.get(k);
    if (tr === undefined) {
      tr = h('tr', { ...attrs(item), 'data-key': k });
      tr.append(...fresh);
    } else {
      fresh.forEach((td, j) => {
        const old = tr!.cells[j];
        if (old === undefined) tr!.append(td);
        else if (old.innerHTML !== td.innerHTML || old.className !== td.className) old.replaceWith(td);
      });
    }
    if (tbody.rows[i] !== tr) tbody.insertBefore(tr, tbody.rows[i] ?? null);
  });
}

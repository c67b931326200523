/** The dashboard's entry: a small history-API router over the views; each view mounts into <main>. */
import { h, hooks, notice } from './dom.js';
import './style.css';

/** A view: mounts into `root` and returns its cleanup (stop polling, end workers). */
export type View = (root: HTMLElement, params: Record<string, string>) => (() => void) | undefined;

interface Route {
  readonly name: string;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
  readonly load: () => Promise<View>;
  readonly title: string;
}

const ROUTES: readonly Route[] = [
  {
    name: 'agents',
    pattern: /^\/agents\/?$/,
    keys: [],
    title: 'Agents',
    load: async () => (await import('./views/agents.js')).agentsView,
  },
  {
    name: 'agents',
    pattern: /^\/agents\/([^/]+)\/?$/,
    keys: ['id'],
    title: 'Agent',
    load: async () => (await import('./views/agent.js')).agentView,
  },
  {
    name: 'experiments',
    pattern: /^\/experiments(?:\/([^/]+))?\/?$/,
    keys: ['id'],
    title: 'Experiments',
    load: async () => (await import('./views/experiments.js')).experimentsView,
  },
  {
    name: 'evaluate',
    pattern: /^\/evaluate\/?$/,
    keys: [],
    title: 'Evaluate',
    load: async () => (await import('./views/evaluate.js')).evaluateView,
  },
  {
    name: 'forecasts',
    pattern: /^\/forecasts\/?$/,
    keys: [],
    title: 'Forecasts',
    load: async () => (await import('./views/forecasts.js')).forecastsView,
  },
  {
    name: 'dp',
    pattern: /^\/dp\/?$/,
    keys: [],
    title: 'Dynamic programming',
    load: async () => (await import('./views/dp.js')).dpView,
  },
  {
    name: 'reproductions',
    pattern: /^\/reproductions(?:\/([^/]+))?\/?$/,
    keys: ['domain'],
    title: 'Reproductions',
    load: async () => (await import('./views/reproductions.js')).reproductionsView,
  },
];

const main = document.getElementById('main')!;
let cleanup: (() => void) | undefined;
let generation = 0;

async function show(path: string): Promise<void> {
  if (path === '/' || path === '') {
    history.replaceState(null, '', '/agents');
    path = '/agents';
  }
  const gen = ++generation;
  cleanup?.();
  cleanup = undefined;
  const route = ROUTES.find((r) => r.pattern.test(path));
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a[data-nav]')) {
    if (route?.name === a.dataset['nav']) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.replaceChildren();
  if (route === undefined) {
    document.title = 'allot: not found';
    main.append(
      h('h1', {}, 'Not found'),
      notice('warn', `No view at ${path}. `, h('a', { href: '/agents' }, 'Agents')),
    );
    return;
  }
  const m = route.pattern.exec(path)!;
  const params: Record<string, string> = {};
  route.keys.forEach((k, i) => {
    const v = m[i + 1];
    if (v !== undefined) params[k] = decodeURIComponent(v);
  });
  document.title = `allot: ${route.title}${params['id'] ? ` ${params['id']}` : ''}`;
  hooks().view = route.name;
  const view = await route.load();
  if (gen !== generation) return;
  cleanup = view(main, params) ?? undefined;
}

/** Navigates inside the app (no reload). */
export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  void show(new URL(path, location.origin).pathname);
}

document.addEventListener('click', (ev) => {
  const a = (ev.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download') || ev.defaultPrevented) return;
  if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !ROUTES.some((r) => r.pattern.test(url.pathname))) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
  main.focus({ preventScroll: true });
});
window.addEventListener('popstate', () => void show(location.pathname));
void show(location.pathname);

/** The service's HTTP API as the dashboard uses it (issue 9 and the Agents/Experiments additions). */

/** An error answer of the service (`{"error": {"code", "message"}}`) or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** GETs JSON; throws {@link ApiError} on a non-2xx answer. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK', `cannot reach the service (${(e as Error).message})`);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text.length > 0 ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      res.status,
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? `${res.status} ${res.statusText}`,
    );
  }
  return body as T;
}

/** A policy configuration (`type` plus the library's parameters). */
export interface PolicyConfig {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** One agent of GET /v1/agents. */
export interface AgentSummary {
  readonly agentId: string;
  readonly policy: PolicyConfig;
  readonly decisions: number;
  readonly rewards: number;
  readonly version: number;
  readonly lastActivity?: string | null;
  readonly budget?: number;
  readonly spent?: number;
  readonly [key: string]: unknown;
}

/** GET /v1/agents/{id}. */
export interface AgentDetail extends AgentSummary {
  readonly arms?: readonly string[];
  readonly budget?: number;
  readonly rewardWindowSeconds?: number;
  readonly defaultReward?: number;
  readonly [key: string]: unknown;
}

/** GET /v1/agents/{id}/stats. */
export interface AgentStats {
  readonly agentId: string;
  readonly policyType: string;
  readonly timeline: readonly {
    readonly t: string;
    readonly decisions: number;
    readonly rewards: number;
    readonly rewardSum: number;
    readonly rewardSumSq: number;
  }[];
  readonly actions: readonly {
    readonly action: string;
    readonly decisions: number;
    readonly rewards: number;
    readonly rewardSum: number;
  }[];
  readonly positionBias?: readonly {
    readonly position: number;
    readonly estimate: number;
    readonly ci95: readonly [number, number];
  }[];
  readonly budget?: { readonly budget: number; readonly spent: number };
}

/** One joined row of GET /v1/agents/{id}/events (fields the dashboard reads; the service may send more). */
export interface EventRow {
  readonly eventId: string;
  readonly time?: string;
  readonly ts?: string;
  readonly decidedAt?: string;
  readonly action?: string;
  readonly actions?: readonly string[];
  readonly slot?: number;
  readonly propensity?: number;
  readonly propensities?: readonly number[];
  readonly reward?: number | null;
  readonly candidates?: readonly string[];
  readonly context?: unknown;
  readonly version?: number;
  readonly [key: string]: unknown;
}

/** GET /v1/agents/{id}/events. */
export interface EventsPage {
  readonly events: readonly EventRow[];
  readonly next: string | null;
}

/** Polls `fn` every `ms` milliseconds until stopped; errors go to `onError` and polling goes on. */
export function poll(
  fn: (signal: AbortSignal) => Promise<void>,
  ms: number,
  onError: (e: unknown) => void,
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ctrl = new AbortController();
  const tick = async (): Promise<void> => {
    try {
      await fn(ctrl.signal);
      if (!stopped) setConnection(true);
    } catch (e) {
      if (stopped || (e as Error).name === 'AbortError') return;
      setConnection(false, e);
      onError(e);
    }
    if (!stopped) timer = setTimeout(() => void tick(), ms);
  };
  void tick();
  return () => {
    stopped = true;
    ctrl.abort();
    if (timer !== undefined) clearTimeout(timer);
  };
}

/** Shows the connection state in the header. */
export function setConnection(ok: boolean, e?: unknown): void {
  const el = document.getElementById('conn');
  if (!el) return;
  el.textContent = ok
    ? `live · updated ${new Date().toLocaleTimeString('en-GB')}`
    : `service unreachable${e instanceof ApiError && e.status > 0 ? ` (${e.status})` : ''}`;
}

/**
 * The logged-bandit-feedback table every estimator reads, and its two readers: the Open Bandit Dataset CSV layout
 * and allot's own exported decision log (`allot agents export`, NDJSON or CSV).
 */
import { AllotError } from '../core/errors.js';
import { parseCsv, requireColumns } from './csv.js';

/** The decision behind a group of rows of an allot log (what an agent adapter needs to recompute it). */
export interface LoggedDecision {
  readonly eventId: string;
  readonly user: string | null;
  /** Candidate action ids in the order the decision saw them (every action of the log when none were logged). */
  readonly candidates: readonly string[];
  /** False when the decision logged no candidates (it chose among all of the agent's arms). */
  readonly candidatesLogged: boolean;
  /** Slots the decision filled (highest logged position + 1). */
  readonly slots: number;
  /** The decision context as logged (`{features?, actions?}`), passed to agent adapters untouched. */
  readonly context: unknown;
}

/**
 * Logged bandit feedback, one row per (impression, position), columnar.
 *
 * @remarks Actions are coded `0..actions.length-1`; positions are 0-based slots. Rows of one impression (a slate
 * shown at once) share `impression`. `pscore[i]` is the logging policy's probability of `action[i]` at
 * `position[i]` (the marginal, per slot), in (0, 1].
 */
export interface BanditLog {
  readonly n: number;
  /** Action ids (the code of an action is its index). */
  readonly actions: readonly string[];
  /** Number of positions (slots): 1 + the largest logged position. */
  readonly nPositions: number;
  readonly action: Int32Array;
  readonly position: Int32Array;
  readonly reward: Float64Array;
  readonly pscore: Float64Array;
  /** Impression (slate) index of each row, 0..nImpressions-1, non-decreasing in first appearance. */
  readonly impression: Int32Array;
  readonly nImpressions: number;
  /** Optional shared context features, row-major n x dim. */
  readonly context?: { readonly dim: number; readonly data: Float64Array };
  /** Optional per-action features, n x K x dim (feature of every action as seen in that row). */
  readonly actionContext?: { readonly dim: number; readonly data: Float64Array };
  /** Optional candidate set per impression (action codes); absent means every action is a candidate. */
  readonly candidates?: readonly Int32Array[];
  /** Optional decisions per impression (allot logs), for agent adapters. */
  readonly decisions?: readonly LoggedDecision[];
  /** Rows of the input that were left out (allot logs: no reward joined yet). */
  readonly skipped: number;
}

/** Checks a propensity and throws ALLOT_OUT_OF_RANGE naming the row when it is outside (0, 1]. */
function checkPscore(p: number, row: number, what: string, raw: string): void {
  if (!(p > 0 && p <= 1)) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `${what}: propensity of row ${row} must be in (0, 1] (got ${raw === '' ? 'empty' : raw})`,
    );
  }
}

function parseNum(raw: string, row: number, col: string, what: string): number {
  const t = raw.trim();
  const v = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(v)) {
    throw new AllotError(
      'ALLOT_PARSE_ERROR',
      `${what}: ${col} of row ${row} is not a number (got ${JSON.stringify(raw)})`,
    );
  }
  return v;
}

/**
 * Reads an Open Bandit Dataset log (the `obp/dataset/obd/{random,bts}/{campaign}/{campaign}.csv` layout): columns
 * `item_id`, `position` (1-based), `click`, `propensity_score`, optional `timestamp`, `user_feature_*` (hashed
 * categories, one-hot encoded, first level dropped as OBP's loader does) and `user-item_affinity_*` (one numeric
 * column per item; the affinity of the row's user for each action is kept as a one-dimensional per-action feature).
 * Rows with the same timestamp and user features are one impression.
 *
 * @param text - the CSV text.
 * @param what - a name for messages (the path).
 * @returns the log; action ids are the item ids as strings, `0..K-1` where K is the larger of 1 + max item id and
 *   the number of affinity columns.
 * @throws ALLOT_MISSING_COLUMN, ALLOT_PARSE_ERROR, ALLOT_OUT_OF_RANGE (propensity outside (0, 1], position < 1).
 */
export function parseObdLog(text: string, what = 'OBD log'): BanditLog {
  const t = parseCsv(text, what);
  const [ci, cp, cc, cs] = requireColumns(t, ['item_id', 'position', 'click', 'propensity_score'], what) as [
    number,
    number,
    number,
    number,
  ];
  const n = t.rows.length;
  if (n === 0) throw new AllotError('ALLOT_NO_MATCH', `${what} has a header but no rows`);
  const cts = t.header.indexOf('timestamp');
  const userCols: number[] = [];
  const affCols: number[] = [];
  t.header.forEach((h, k) => {
    if (/^user_feature_\d+$/.test(h)) userCols.push(k);
    const m = /^user-item_affinity_(\d+)$/.exec(h);
    if (m) affCols[Number(m[1])] = k;
  });
  const action = new Int32Array(n);
  const position = new Int32Array(n);
  const reward = new Float64Array(n);
  const pscore = new Float64Array(n);
  let maxItem = -1;
  let maxPos = 0;
  for (let i = 0; i < n; i++) {
    const r = t.rows[i]!;
    const a = parseNum(r[ci]!, i, 'item_id', what);
    if (!Number.isInteger(a) || a < 0)
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `${what}: item_id of row ${i} must be an integer >= 0 (got ${r[ci]})`,
      );
    const p = parseNum(r[cp]!, i, 'position', what);
    if (!Number.isInteger(p) || p < 1)
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `${what}: position of row ${i} must be an integer >= 1 (got ${r[cp]})`,
      );
    action[i] = a;
    position[i] = p - 1;
    reward[i] = parseNum(r[cc]!, i, 'click', what);
    const raw = r[cs]!.trim();
    const ps = raw === '' ? Number.NaN : Number(raw);
    checkPscore(ps, i, what, raw);
    pscore[i] = ps;
    if (a > maxItem) maxItem = a;
    if (p > maxPos) maxPos = p;
  }
  const K = Math.max(maxItem + 1, affCols.length);
  // Impressions: consecutive rows sharing timestamp and user features.
  const impression = new Int32Array(n);
  let imp = -1;
  let prevKey = '';
  for (let i = 0; i < n; i++) {
    const r = t.rows[i]!;
    const key = cts >= 0 ? `${r[cts]}|${userCols.map((k) => r[k]).join('|')}` : `#${i}`;
    if (i === 0 || key !== prevKey) imp++;
    impression[i] = imp;
    prevKey = key;
  }
  // One-hot user features, first level (in order of appearance) dropped.
  const levels: Map<string, number>[] = userCols.map(() => new Map());
  const offsets: number[] = [];
  let dim = 0;
  for (let u = 0; u < userCols.length; u++) {
    const m = levels[u]!;
    for (let i = 0; i < n; i++) {
      const v = t.rows[i]![userCols[u]!]!;
      if (!m.has(v)) m.set(v, m.size);
    }
    offsets.push(dim);
    dim += Math.max(0, m.size - 1);
  }
  const log: {
    -readonly [k in keyof BanditLog]: BanditLog[k];
  } = {
    n,
    actions: Array.from({ length: K }, (_, k) => String(k)),
    nPositions: maxPos,
    action,
    position,
    reward,
    pscore,
    impression,
    nImpressions: imp + 1,
    skipped: 0,
  };
  if (dim > 0) {
    const data = new Float64Array(n * dim);
    for (let u = 0; u < userCols.length; u++) {
      const m = levels[u]!;
      for (let i = 0; i < n; i++) {
        const lv = m.get(t.rows[i]![userCols[u]!]!)!;
        if (lv > 0) data[i * dim + offsets[u]! + lv - 1] = 1;
      }
    }
    log.context = { dim, data };
  }
  if (affCols.length > 0) {
    const data = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      const r = t.rows[i]!;
      for (let a = 0; a < affCols.length; a++) {
        const c = affCols[a];
        if (c === undefined) continue;
        const s = r[c]!;
        if (s !== '0.0' && s !== '0' && s !== '') data[i * K + a] = parseNum(s, i, t.header[c]!, what);
      }
    }
    log.actionContext = { dim: 1, data };
  }
  return log;
}

/** One row of an allot exported log, as the export writes it (NDJSON keys). */
export interface AllotLogRow {
  readonly eventId: string;
  readonly timestamp?: string;
  readonly agentId?: string;
  readonly version?: number;
  readonly user?: string | null;
  readonly position: number;
  readonly action: string;
  readonly propensity: number;
  readonly reward: number | null;
  readonly cost?: number | null;
  readonly candidates?: readonly string[];
  readonly context?: unknown;
}

const CSV_KEYS: Record<string, keyof AllotLogRow> = {
  event_id: 'eventId',
  timestamp: 'timestamp',
  agent_id: 'agentId',
  version: 'version',
  user: 'user',
  position: 'position',
  action: 'action',
  propensity: 'propensity',
  reward: 'reward',
  cost: 'cost',
  candidates: 'candidates',
  context: 'context',
};

/**
 * Parses the text of an allot exported log into rows: NDJSON (one JSON object per line) or CSV (header
 * `event_id,timestamp,agent_id,version,user,position,action,propensity,reward,cost,candidates,context`, candidates
 * joined by `|`, context a JSON string, empty cells for null). The kind is detected from the content when not given.
 *
 * @throws ALLOT_PARSE_ERROR, ALLOT_MISSING_COLUMN.
 */
export function parseAllotLogRows(text: string, kind?: 'ndjson' | 'csv', what = 'allot log'): AllotLogRow[] {
  const k = kind ?? (text.trimStart().startsWith('{') ? 'ndjson' : 'csv');
  const out: AllotLogRow[] = [];
  if (k === 'ndjson') {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') continue;
      let o: unknown;
      try {
        o = JSON.parse(l);
      } catch (e) {
        throw new AllotError(
          'ALLOT_PARSE_ERROR',
          `${what}: line ${i + 1} is not JSON (${(e as Error).message})`,
        );
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o))
        throw new AllotError('ALLOT_PARSE_ERROR', `${what}: line ${i + 1} is not a JSON object`);
      const rec = o as Record<string, unknown>;
      const missing = ['eventId', 'position', 'action', 'propensity', 'reward'].filter((c) => !(c in rec));
      if (missing.length > 0)
        throw new AllotError('ALLOT_MISSING_COLUMN', `${what}: line ${i + 1} lacks ${missing.join(', ')}`);
      out.push(rec as unknown as AllotLogRow);
    }
    return out;
  }
  const t = parseCsv(text, what);
  const idx = requireColumns(t, ['event_id', 'position', 'action', 'propensity', 'reward'], what);
  void idx;
  for (let i = 0; i < t.rows.length; i++) {
    const r = t.rows[i]!;
    const rec: Record<string, unknown> = {};
    t.header.forEach((h, c) => {
      const key = CSV_KEYS[h];
      if (key === undefined) return;
      const s = r[c]!;
      if (key === 'candidates') rec[key] = s === '' ? undefined : s.split('|');
      else if (key === 'context') {
        if (s !== '') {
          try {
            rec[key] = JSON.parse(s);
          } catch {
            throw new AllotError('ALLOT_PARSE_ERROR', `${what}: context of row ${i} is not JSON`);
          }
        }
      } else if (key === 'position' || key === 'propensity' || key === 'version')
        rec[key] = s === '' ? Number.NaN : Number(s);
      else if (key === 'reward' || key === 'cost') rec[key] = s === '' ? null : Number(s);
      else if (key === 'user') rec[key] = s === '' ? null : s;
      else rec[key] = s;
    });
    out.push(rec as unknown as AllotLogRow);
  }
  return out;
}

/**
 * Builds a {@link BanditLog} from allot log rows: rows of one event id are one impression (a slate); rows without a
 * joined reward are skipped (counted in `skipped`). Action codes cover every id seen as an action or a candidate.
 * Features: the shared `context.features` (padded with zeros to the longest), and per action the concatenation of
 * `context.actions[id].features` and `.predictions`.
 *
 * @throws ALLOT_OUT_OF_RANGE (propensity outside (0, 1], position not an integer >= 0), ALLOT_PARSE_ERROR,
 *   ALLOT_NO_MATCH (no row with a reward).
 */
export function allotRowsToLog(rows: readonly AllotLogRow[], what = 'allot log'): BanditLog {
  const actionIndex = new Map<string, number>();
  const code = (id: string): number => {
    let c = actionIndex.get(id);
    if (c === undefined) {
      c = actionIndex.size;
      actionIndex.set(id, c);
    }
    return c;
  };
  const kept: AllotLogRow[] = [];
  let skipped = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (typeof r.eventId !== 'string' || r.eventId === '')
      throw new AllotError('ALLOT_PARSE_ERROR', `${what}: eventId of row ${i} must be a non-empty string`);
    if (typeof r.action !== 'string')
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${what}: action of row ${i} must be a string (got ${JSON.stringify(r.action)})`,
      );
    if (!(Number.isInteger(r.position) && r.position >= 0))
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `${what}: position of row ${i} must be an integer >= 0 (got ${JSON.stringify(r.position)})`,
      );
    const p = r.propensity;
    checkPscore(typeof p === 'number' ? p : Number.NaN, i, what, JSON.stringify(p ?? null));
    for (const c of r.candidates ?? []) code(String(c));
    code(r.action);
    if (r.reward === null || r.reward === undefined) {
      skipped++;
      continue;
    }
    if (typeof r.reward !== 'number' || !Number.isFinite(r.reward))
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${what}: reward of row ${i} must be a number or null (got ${JSON.stringify(r.reward)})`,
      );
    kept.push(r);
  }
  const n = kept.length;
  if (n === 0)
    throw new AllotError('ALLOT_NO_MATCH', `${what} has no row with a joined reward (${rows.length} rows)`);
  const K = actionIndex.size;
  const actions = [...actionIndex.keys()];
  const action = new Int32Array(n);
  const position = new Int32Array(n);
  const reward = new Float64Array(n);
  const pscore = new Float64Array(n);
  const impression = new Int32Array(n);
  const impIndex = new Map<string, number>();
  const decisions: LoggedDecision[] = [];
  const candidates: Int32Array[] = [];
  let maxPos = 0;
  let ctxDim = 0;
  let actDim = 0;
  for (let i = 0; i < n; i++) {
    const r = kept[i]!;
    action[i] = actionIndex.get(r.action)!;
    position[i] = r.position;
    reward[i] = r.reward!;
    pscore[i] = r.propensity;
    if (r.position + 1 > maxPos) maxPos = r.position + 1;
    let imp = impIndex.get(r.eventId);
    if (imp === undefined) {
      imp = impIndex.size;
      impIndex.set(r.eventId, imp);
      const cands = (r.candidates ?? actions).map(String);
      candidates.push(Int32Array.from(cands, (c) => actionIndex.get(c)!));
      decisions.push({
        eventId: r.eventId,
        user: r.user ?? null,
        candidates: cands,
        candidatesLogged: Array.isArray(r.candidates),
        slots: r.position + 1,
        context: r.context,
      });
    } else if (r.position + 1 > decisions[imp]!.slots) {
      decisions[imp] = { ...decisions[imp]!, slots: r.position + 1 };
    }
    impression[i] = imp;
    const ctx = r.context as
      | { features?: unknown; actions?: Record<string, { features?: unknown; predictions?: unknown }> }
      | undefined;
    if (ctx && Array.isArray(ctx.features)) ctxDim = Math.max(ctxDim, ctx.features.length);
    if (ctx?.actions) {
      for (const v of Object.values(ctx.actions)) {
        const f = Array.isArray(v?.features) ? v.features.length : 0;
        const q = Array.isArray(v?.predictions) ? v.predictions.length : 0;
        actDim = Math.max(actDim, f + q);
      }
    }
  }
  const log: { -readonly [k in keyof BanditLog]: BanditLog[k] } = {
    n,
    actions,
    nPositions: maxPos,
    action,
    position,
    reward,
    pscore,
    impression,
    nImpressions: impIndex.size,
    candidates,
    decisions,
    skipped,
  };
  const num = (x: unknown, i: number): number => {
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${what}: a context feature of row ${i} is not a finite number`,
      );
    return x;
  };
  if (ctxDim > 0) {
    const data = new Float64Array(n * ctxDim);
    for (let i = 0; i < n; i++) {
      const f = (kept[i]!.context as { features?: unknown[] } | undefined)?.features;
      if (Array.isArray(f)) for (let j = 0; j < f.length; j++) data[i * ctxDim + j] = num(f[j], i);
    }
    log.context = { dim: ctxDim, data };
  }
  if (actDim > 0) {
    const data = new Float64Array(n * K * actDim);
    for (let i = 0; i < n; i++) {
      const acts = (
        kept[i]!.context as
          | { actions?: Record<string, { features?: unknown[]; predictions?: unknown[] }> }
          | undefined
      )?.actions;
      if (!acts) continue;
      for (const [id, v] of Object.entries(acts)) {
        const a = actionIndex.get(id);
        if (a === undefined) continue;
        const base = (i * K + a) * actDim;
        let j = 0;
        for (const x of v?.features ?? []) data[base + j++] = num(x, i);
        for (const x of v?.predictions ?? []) data[base + j++] = num(x, i);
      }
    }
    log.actionContext = { dim: actDim, data };
  }
  return log;
}

/** Reads an allot exported log (NDJSON or CSV text) into a {@link BanditLog}. */
export function parseAllotLog(text: string, kind?: 'ndjson' | 'csv', what = 'allot log'): BanditLog {
  return allotRowsToLog(parseAllotLogRows(text, kind, what), what);
}

/**
 * Forecast-hub file I/O (hubverse layout), browser-safe: a streaming parser for `model_output` CSV that keeps only
 * the quantile rows matching the filters, a target-data parser, and the assembly of complete forecasts (one per
 * model, reference date, target and horizon, with every location) with a status for each problem found.
 */
import { AllotError } from '../core/errors.js';

/** Filters applied while parsing model output (each optional; absent = keep all). */
export interface ModelOutputFilter {
  /** Keep these model_id values. */
  readonly models?: readonly string[];
  /** Keep these reference dates (YYYY-MM-DD). */
  readonly referenceDates?: readonly string[];
  /** Keep this target (e.g. "wk inc flu hosp"). */
  readonly target?: string;
  /** Keep this horizon (compared numerically). */
  readonly horizon?: number;
  /** Keep these location codes (strings; one-digit codes are zero-padded: "1" is "01"). */
  readonly locations?: readonly string[];
  /** Output type to keep (default "quantile"). */
  readonly outputType?: string;
}

/** Options of {@link createModelOutputParser}. */
export interface ModelOutputParserOptions extends ModelOutputFilter {
  /** Name of the input in messages (default "model output"). */
  readonly source?: string;
  /** model_id for files without that column (hub files name the model in the file name). */
  readonly modelId?: string;
}

/** The quantiles of one location in one forecast, as read (in file order). */
export interface RawLocation {
  readonly location: string;
  readonly levels: number[];
  /** NaN for a missing value ("" or "NA"). */
  readonly values: number[];
  /** First file line of this location (for messages). */
  readonly line: number;
}

/** One forecast as read: a model's quantiles for one reference date, target and horizon. */
export interface RawForecast {
  readonly model: string;
  readonly referenceDate: string;
  readonly target: string;
  readonly horizon: string;
  /** target_end_date of the rows (or reference_date + 7·horizon days when the column is absent). */
  readonly targetEndDate: string;
  readonly locations: Map<string, RawLocation>;
}

/** What the parser read. */
export interface ModelOutputTable {
  readonly forecasts: RawForecast[];
  /** Data rows read. */
  readonly rows: number;
  /** Rows kept (quantile rows matching the filters). */
  readonly kept: number;
  /** Distinct values of the kept rows, for defaults and messages. */
  readonly targets: readonly string[];
  readonly horizons: readonly string[];
  readonly models: readonly string[];
  readonly referenceDates: readonly string[];
  readonly locations: readonly string[];
}

/** A streaming parser: feed text chunks in order, then call `end()`. */
export interface ModelOutputParser {
  push(chunk: string): void;
  end(): ModelOutputTable;
}

/** Normalises a location code: one-digit numeric codes are zero-padded ("1" → "01"); others are kept as given. */
export function normalizeLocation(code: string): string {
  const t = code.trim();
  return t.length === 1 && t >= '0' && t <= '9' ? `0${t}` : t;
}

/** Splits one CSV line (RFC 4180 quoting, no embedded newlines) into fields. */
export function splitCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let s = '';
      i++;
      for (;;) {
        const j = line.indexOf('"', i);
        if (j < 0)
          throw new AllotError('ALLOT_PARSE_ERROR', `unterminated quoted field in ${JSON.stringify(line)}`);
        s += line.slice(i, j);
        if (line.charCodeAt(j + 1) === 34) {
          s += '"';
          i = j + 2;
        } else {
          i = j + 1;
          break;
        }
      }
      out.push(s);
      if (i >= n) return out;
      if (line.charCodeAt(i) !== 44) {
        throw new AllotError(
          'ALLOT_PARSE_ERROR',
          `unexpected text after a quoted field in ${JSON.stringify(line)}`,
        );
      }
      i++;
    } else {
      const j = line.indexOf(',', i);
      if (j < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, j));
      i = j + 1;
    }
    if (i === n) {
      out.push('');
      return out;
    }
  }
}

function addDays(date: string, days: number): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  if (!Number.isFinite(t)) return '';
  return new Date(t + days * 86400000).toISOString().slice(0, 10);
}

const MISSING = new Set(['', 'NA', 'NaN', 'nan', 'null', 'NULL']);

/**
 * A streaming parser of hubverse `model_output` CSV text.
 *
 * @remarks
 * Columns (any order): reference_date (or origin_date), target, horizon, location, output_type, output_type_id,
 * value, model_id (or `opts.modelId`), target_end_date (optional). Only rows of `outputType` (default quantile)
 * matching the filters are kept; location codes stay strings. A kept row whose level is not a number in (0, 1), or
 * whose value is neither a number nor missing ("" / "NA"), is an error naming the line. Chunks may split lines
 * anywhere.
 *
 * @param opts - filters, the source name for messages and a model_id for files without the column
 * @returns a parser; `end()` throws ALLOT_MISSING_COLUMN, ALLOT_PARSE_ERROR or ALLOT_OUT_OF_RANGE as it finds them
 * @throws ALLOT_MISSING_COLUMN when a required column is absent (at the header); ALLOT_PARSE_ERROR for a malformed
 *   line or a non-numeric value; ALLOT_OUT_OF_RANGE for a level outside (0, 1).
 */
export function createModelOutputParser(opts: ModelOutputParserOptions = {}): ModelOutputParser {
  const source = opts.source ?? 'model output';
  const outputType = opts.outputType ?? 'quantile';
  const models = opts.models === undefined ? null : new Set(opts.models);
  const dates = opts.referenceDates === undefined ? null : new Set(opts.referenceDates);
  const locs = opts.locations === undefined ? null : new Set(opts.locations.map(normalizeLocation));
  const wantTarget = opts.target;
  const wantHorizon = opts.horizon;
  let carry = '';
  let lineNo = 0;
  let header: string[] | null = null;
  let iDate = -1;
  let iTarget = -1;
  let iHorizon = -1;
  let iLoc = -1;
  let iType = -1;
  let iId = -1;
  let iValue = -1;
  let iModel = -1;
  let iEnd = -1;
  let rows = 0;
  let kept = 0;
  const forecasts = new Map<string, RawForecast>();
  const targets = new Set<string>();
  const horizons = new Set<string>();
  const modelSet = new Set<string>();
  const dateSet = new Set<string>();
  const locSet = new Set<string>();
  let lastForecast: RawForecast | null = null;
  let lastLoc: RawLocation | null = null;

  function onHeader(line: string): void {
    header = splitCsvLine(line).map((h) => h.trim());
    const col = (...names: string[]): number => {
      for (const nm of names) {
        const k = header!.indexOf(nm);
        if (k >= 0) return k;
      }
      return -1;
    };
    iDate = col('reference_date', 'origin_date', 'forecast_date');
    iTarget = col('target');
    iHorizon = col('horizon');
    iLoc = col('location');
    iType = col('output_type');
    iId = col('output_type_id');
    iValue = col('value');
    iModel = col('model_id');
    iEnd = col('target_end_date');
    const missing: string[] = [];
    if (iDate < 0) missing.push('reference_date');
    if (iTarget < 0) missing.push('target');
    if (iHorizon < 0) missing.push('horizon');
    if (iLoc < 0) missing.push('location');
    if (iType < 0) missing.push('output_type');
    if (iId < 0) missing.push('output_type_id');
    if (iValue < 0) missing.push('value');
    if (iModel < 0 && opts.modelId === undefined) missing.push('model_id');
    if (missing.length > 0) {
      throw new AllotError(
        'ALLOT_MISSING_COLUMN',
        `${source} lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${header.join(',')})`,
      );
    }
  }

  function onLine(line: string): void {
    lineNo++;
    if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    if (header === null) {
      if (line.trim() === '') return;
      onHeader(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
      return;
    }
    if (line.length === 0) return;
    onFields(splitCsvLine(line));
  }

  // Fast path for unquoted lines: fields are cut straight from the chunk, and a field equal to the previous row's
  // (dates, target, location, model: most of them) reuses that string instead of allocating a new one.
  const prev: string[] = [];
  const fields: string[] = [];
  function onSpan(text: string, s: number, e: number): boolean {
    if (header === null) return false;
    if (e > s && text.charCodeAt(e - 1) === 13) e--;
    const nc = header.length;
    let pos = s;
    for (let c = 0; c < nc; c++) {
      let end: number;
      if (c === nc - 1) end = e;
      else {
        end = text.indexOf(',', pos);
        if (end < 0 || end >= e) return false;
      }
      const p = prev[c];
      if (p !== undefined && p.length === end - pos && text.startsWith(p, pos)) fields[c] = p;
      else {
        const v = text.slice(pos, end);
        prev[c] = v;
        fields[c] = v;
      }
      pos = end + 1;
    }
    if (fields[nc - 1]!.indexOf(',') >= 0) return false; // too many fields: the slow path reports it
    lineNo++;
    if (e === s) return true;
    onFields(fields);
    return true;
  }

  function onFields(f: string[]): void {
    if (f.length !== header!.length) {
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${source} line ${lineNo}: expected ${header!.length} fields, got ${f.length}`,
      );
    }
    rows++;
    if (f[iType] !== outputType) return;
    const model = iModel >= 0 ? f[iModel]! : opts.modelId!;
    if (models !== null && !models.has(model)) return;
    const date = f[iDate]!;
    if (dates !== null && !dates.has(date)) return;
    const target = f[iTarget]!;
    if (wantTarget !== undefined && target !== wantTarget) return;
    const horizon = f[iHorizon]!;
    if (wantHorizon !== undefined && Number(horizon) !== wantHorizon) return;
    const locRaw = normalizeLocation(f[iLoc]!);
    if (locs !== null && !locs.has(locRaw)) return;
    const idRaw = f[iId]!;
    const level = Number(idRaw);
    if (!(idRaw.trim() !== '' && level > 0 && level < 1)) {
      throw new AllotError(
        'ALLOT_OUT_OF_RANGE',
        `${source} line ${lineNo}: output_type_id (quantile level) must be a number in (0, 1) (got ${JSON.stringify(idRaw)})`,
      );
    }
    const vRaw = f[iValue]!;
    let value = Number(vRaw);
    if (MISSING.has(vRaw.trim())) value = Number.NaN;
    else if (!Number.isFinite(value)) {
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${source} line ${lineNo}: value must be a number (got ${JSON.stringify(vRaw)})`,
      );
    }
    kept++;
    let fc = lastForecast;
    if (
      fc === null ||
      fc.model !== model ||
      fc.referenceDate !== date ||
      fc.target !== target ||
      fc.horizon !== horizon
    ) {
      const key = `${model}\u0000${date}\u0000${target}\u0000${horizon}`;
      fc = forecasts.get(key) ?? null;
      if (fc === null) {
        const end = iEnd >= 0 ? f[iEnd]! : addDays(date, 7 * Number(horizon));
        fc = { model, referenceDate: date, target, horizon, targetEndDate: end, locations: new Map() };
        forecasts.set(key, fc);
        targets.add(target);
        horizons.add(horizon);
        modelSet.add(model);
        dateSet.add(date);
      }
      lastForecast = fc;
      lastLoc = null;
    }
    let lq = lastLoc;
    if (lq === null || lq.location !== locRaw) {
      lq = fc.locations.get(locRaw) ?? null;
      if (lq === null) {
        lq = { location: locRaw, levels: [], values: [], line: lineNo };
        fc.locations.set(locRaw, lq);
        locSet.add(locRaw);
      }
      lastLoc = lq;
    }
    lq.levels.push(level);
    lq.values.push(value);
  }

  return {
    push(chunk: string): void {
      let start = 0;
      let text = chunk;
      if (carry.length > 0) {
        text = carry + chunk;
        carry = '';
      }
      let quote = text.indexOf('"', start);
      for (;;) {
        const j = text.indexOf('\n', start);
        if (j < 0) break;
        if (quote >= 0 && quote < start) quote = text.indexOf('"', start);
        if ((quote < 0 || quote > j) && onSpan(text, start, j)) {
          start = j + 1;
          continue;
        }
        onLine(text.slice(start, j));
        start = j + 1;
      }
      carry = text.slice(start);
    },
    end(): ModelOutputTable {
      if (carry.length > 0) {
        onLine(carry);
        carry = '';
      }
      if (header === null) throw new AllotError('ALLOT_PARSE_ERROR', `${source} is empty (no header line)`);
      const list = [...forecasts.values()].sort(
        (a, b) =>
          cmp(a.model, b.model) ||
          cmp(a.referenceDate, b.referenceDate) ||
          cmp(a.target, b.target) ||
          Number(a.horizon) - Number(b.horizon),
      );
      return {
        forecasts: list,
        rows,
        kept,
        targets: [...targets].sort(),
        horizons: [...horizons].sort((a, b) => Number(a) - Number(b)),
        models: [...modelSet].sort(),
        referenceDates: [...dateSet].sort(),
        locations: [...locSet].sort(),
      };
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Parses a whole `model_output` CSV text (see {@link createModelOutputParser}).
 *
 * @param text - the CSV text
 * @param opts - filters and options
 * @returns the kept forecasts and counts
 * @throws see {@link createModelOutputParser}
 */
export function parseModelOutput(text: string, opts: ModelOutputParserOptions = {}): ModelOutputTable {
  const p = createModelOutputParser(opts);
  p.push(text);
  return p.end();
}

/** Observations keyed by target end date and location (and target when the file has one). */
export interface TargetData {
  /** Looks up an observation; undefined when absent or missing. */
  get(targetEndDate: string, location: string, target?: string): number | undefined;
  /** Number of observations read. */
  readonly size: number;
}

/**
 * Parses hub target data (time-series layout).
 *
 * @remarks
 * Columns: location; the date as `target_end_date` or `date`; the value as `observation` or `value`; optionally
 * `target` (then lookups match it; rows of other targets are kept under their own target). "" and "NA" are
 * missing observations.
 *
 * @param text - CSV text
 * @param source - name for messages (default "target data")
 * @returns a lookup of observations
 * @throws ALLOT_MISSING_COLUMN for absent columns; ALLOT_PARSE_ERROR for malformed lines or non-numeric values.
 */
export function parseTargetData(text: string, source = 'target data'): TargetData {
  const lines = text.split('\n');
  let h = 0;
  while (h < lines.length && lines[h]!.trim() === '') h++;
  if (h >= lines.length) throw new AllotError('ALLOT_PARSE_ERROR', `${source} is empty (no header line)`);
  let hl = lines[h]!.replace(/\r$/, '');
  if (hl.charCodeAt(0) === 0xfeff) hl = hl.slice(1);
  const header = splitCsvLine(hl).map((s) => s.trim());
  const col = (...names: string[]): number => {
    for (const nm of names) {
      const k = header.indexOf(nm);
      if (k >= 0) return k;
    }
    return -1;
  };
  const iLoc = col('location');
  const iDate = col('target_end_date', 'date');
  const iVal = col('observation', 'value');
  const iTarget = col('target');
  const missing: string[] = [];
  if (iLoc < 0) missing.push('location');
  if (iDate < 0) missing.push('target_end_date (or date)');
  if (iVal < 0) missing.push('observation (or value)');
  if (missing.length > 0) {
    throw new AllotError(
      'ALLOT_MISSING_COLUMN',
      `${source} lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header: ${header.join(',')})`,
    );
  }
  const map = new Map<string, number>();
  const targets = new Set<string>();
  let size = 0;
  for (let i = h + 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const f = splitCsvLine(line);
    if (f.length !== header.length) {
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${source} line ${i + 1}: expected ${header.length} fields, got ${f.length}`,
      );
    }
    const raw = f[iVal]!.trim();
    if (MISSING.has(raw)) continue;
    const v = Number(raw);
    if (!Number.isFinite(v)) {
      throw new AllotError(
        'ALLOT_PARSE_ERROR',
        `${source} line ${i + 1}: observation must be a number (got ${JSON.stringify(f[iVal])})`,
      );
    }
    const loc = normalizeLocation(f[iLoc]!);
    const date = f[iDate]!.trim();
    const tg = iTarget >= 0 ? f[iTarget]! : '';
    map.set(`${date}\u0000${loc}\u0000${tg}`, v);
    targets.add(tg);
    size++;
  }
  // With a single target in the file, lookups ignore the target name (files often name it differently).
  const only = targets.size === 1 ? [...targets][0]! : null;
  return {
    get(targetEndDate: string, location: string, target?: string): number | undefined {
      const loc = normalizeLocation(location);
      if (only !== null) return map.get(`${targetEndDate}\u0000${loc}\u0000${only}`);
      return target === undefined ? undefined : map.get(`${targetEndDate}\u0000${loc}\u0000${target}`);
    },
    size,
  };
}

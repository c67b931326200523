/**
 * File and option helpers for the CLI: clear errors for user input, bounded reads of regular files only, and
 * all-or-nothing atomic writes (never a partial file, never some outputs without the others).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Option } from 'commander';
import { AllotError } from '../core/errors.js';

/** Largest text input (CSV logs, forecast files) the CLI reads, in bytes (256 MiB). */
export const MAX_INPUT_BYTES: number = 256 * 1024 * 1024;
/** Largest JSON config the CLI reads, in bytes (16 MiB). */
export const MAX_CONFIG_BYTES: number = 16 * 1024 * 1024;

/** A number as a user would write it back: large integers in exponent form (`1e9`), others as JS prints them. */
export function formatValue(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) >= 1e7) {
    return v
      .toExponential()
      .replace('e+', 'e')
      .replace(/\.?0+e/, 'e');
  }
  return String(v);
}

/** Collapses a message to one line (errors and warnings are always one stderr line). */
export function oneLine(msg: string): string {
  return msg.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function errnoCode(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

/** Options of {@link readText}. */
export interface ReadTextOptions {
  /** Largest accepted size in bytes (default {@link MAX_INPUT_BYTES}). */
  readonly maxBytes?: number;
}

/**
 * Checks that `path` names a readable regular file no larger than `maxBytes` and returns its stats.
 *
 * @throws ALLOT_FILE_NOT_FOUND when it is missing, unreadable or not a regular file (a folder, /dev/zero, a FIFO);
 *   ALLOT_OUT_OF_RANGE when it is larger than the maximum.
 */
export function checkInputFile(path: string, what = 'file', maxBytes: number = MAX_INPUT_BYTES): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw new AllotError('ALLOT_FILE_NOT_FOUND', `${what} ${path} cannot be read (${errnoCode(e)})`);
  }
  if (!st.isFile()) {
    throw new AllotError(
      'ALLOT_FILE_NOT_FOUND',
      `${what} ${path} cannot be read (${st.isDirectory() ? 'a folder' : 'not a regular file'})`,
    );
  }
  if (st.size > maxBytes) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `${what} ${path} must be at most ${mib(maxBytes)} (got ${mib(st.size)})`,
    );
  }
  return st;
}

/**
 * Reads a UTF-8 text file: regular files only, at most `maxBytes` (a file that grows while read is cut off with an
 * error, not read forever).
 *
 * @throws ALLOT_FILE_NOT_FOUND (missing, unreadable, not a regular file), ALLOT_OUT_OF_RANGE (too large).
 */
export function readText(path: string, what = 'file', opts: ReadTextOptions = {}): string {
  const maxBytes = opts.maxBytes ?? MAX_INPUT_BYTES;
  checkInputFile(path, what, maxBytes);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new AllotError('ALLOT_FILE_NOT_FOUND', `${what} ${path} cannot be read (${errnoCode(e)})`);
  }
  try {
    if (!fstatSync(fd).isFile()) {
      throw new AllotError('ALLOT_FILE_NOT_FOUND', `${what} ${path} cannot be read (not a regular file)`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = 1 << 20;
    for (;;) {
      const buf = Buffer.allocUnsafe(chunk);
      const n = readSync(fd, buf, 0, chunk, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw new AllotError('ALLOT_OUT_OF_RANGE', `${what} ${path} must be at most ${mib(maxBytes)}`);
      }
      chunks.push(n === chunk ? buf : buf.subarray(0, n));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } catch (e) {
    if (e instanceof AllotError) throw e;
    throw new AllotError('ALLOT_FILE_NOT_FOUND', `${what} ${path} cannot be read (${errnoCode(e)})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and parses a JSON file (at most {@link MAX_CONFIG_BYTES} unless `opts.maxBytes` says otherwise).
 *
 * @throws ALLOT_PARSE_ERROR naming the file (one line), and the errors of {@link readText}.
 */
export function readJson(path: string, what = 'file', opts: ReadTextOptions = {}): unknown {
  const text = readText(path, what, { maxBytes: opts.maxBytes ?? MAX_CONFIG_BYTES });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AllotError(
      'ALLOT_PARSE_ERROR',
      oneLine(`${what} ${path} is not valid JSON: ${(e as Error).message}`),
    );
  }
}

/** One output of a command: a file, or stdout when `path` is undefined. */
export interface OutputSpec {
  /** Target file; undefined writes to stdout. */
  readonly path: string | undefined;
  readonly data: string | Uint8Array;
  /** The option that named the file, for messages (e.g. `--plot`). */
  readonly flag?: string;
}

const PSEUDO_FS = ['/proc', '/sys'];

function ioError(path: string, why: string, flag?: string): AllotError {
  return new AllotError(
    'ALLOT_IO_ERROR',
    `cannot write ${flag === undefined ? '' : `${flag} `}${path} (${why})`,
  );
}

/** The nearest existing ancestor of an absolute path (itself when it exists). */
function nearestExisting(abs: string): { path: string; st: Stats } | null {
  let p = abs;
  for (;;) {
    try {
      return { path: p, st: statSync(p) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a component of p is a file; keep walking up to find it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    const up = dirname(p);
    if (up === p) return null;
    p = up;
  }
}

/**
 * Checks, without writing anything, that `path` can be written as an output file: not under /proc or /sys, not an
 * existing folder, special file or read-only file, and its folder exists or can be created (no regular file in the
 * way). Call it before long work starts so a bad `--out` fails in milliseconds.
 *
 * @throws ALLOT_IO_ERROR naming the user's path.
 */
export function checkOutputPath(path: string, flag?: string): void {
  if (path.trim() === '') throw ioError(JSON.stringify(path), 'empty path', flag);
  const abs = resolve(path);
  if (PSEUDO_FS.some((d) => abs === d || abs.startsWith(`${d}${sep}`))) {
    throw ioError(path, 'a system pseudo-file', flag);
  }
  if (abs.endsWith(sep) || path.endsWith('/')) throw ioError(path, 'a folder, not a file', flag);
  let st: Stats | null = null;
  try {
    st = lstatSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw ioError(path, errnoCode(e), flag);
  }
  if (st !== null) {
    if (st.isSymbolicLink()) {
      try {
        st = statSync(abs);
      } catch {
        st = null; // a dangling link is replaced like a missing file
      }
    }
    if (st !== null) {
      if (st.isDirectory()) throw ioError(path, 'a folder, not a file', flag);
      if (!st.isFile()) throw ioError(path, 'not a regular file', flag);
      // Mode bits, not access(): root passes access() on read-only files, and a read-only file is a user's choice.
      if ((st.mode & 0o222) === 0) throw ioError(path, 'the file is read-only', flag);
    }
  }
  let anc: { path: string; st: Stats } | null;
  try {
    anc = nearestExisting(dirname(abs));
  } catch (e) {
    throw ioError(path, errnoCode(e), flag);
  }
  if (anc !== null && !anc.st.isDirectory())
    throw ioError(path, `ENOTDIR: ${anc.path} is not a folder`, flag);
}

/**
 * Writes all outputs or none: every file is checked, written to a temporary sibling, and only when all of them are
 * written are they renamed over their targets; stdout (the output without a path) is written last. On failure the
 * temporary files and any folders created for them are removed, nothing reaches stdout, and the error names the
 * user's path. A Ctrl-C during the write is held until the outputs are complete.
 *
 * @throws ALLOT_IO_ERROR naming the path that could not be written.
 */
export function writeOutputs(outputs: readonly OutputSpec[]): void {
  const files = outputs.filter((o): o is OutputSpec & { path: string } => o.path !== undefined);
  const seen = new Set<string>();
  for (const f of files) {
    checkOutputPath(f.path, f.flag);
    const abs = resolve(f.path);
    if (seen.has(abs)) throw ioError(f.path, 'named twice by the outputs of this command', f.flag);
    seen.add(abs);
  }
  let interrupted: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals): void => {
    interrupted = s;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const tmps: string[] = [];
  const createdDirs: string[] = [];
  let current: (typeof files)[number] | undefined;
  try {
    for (const f of files) {
      current = f;
      const target = resolve(f.path);
      const made = mkdirSync(dirname(target), { recursive: true });
      if (made !== undefined) createdDirs.push(made);
      const tmp = join(dirname(target), `.${randomBytes(6).toString('hex')}.allot.tmp`);
      tmps.push(tmp);
      writeFileSync(tmp, f.data);
    }
    for (let i = 0; i < files.length; i++) {
      current = files[i]!;
      renameSync(tmps[i]!, resolve(current.path));
    }
    tmps.length = 0;
  } catch (e) {
    for (const t of tmps) {
      try {
        rmSync(t, { force: true });
      } catch {
        // best effort: the original error is the one to report
      }
    }
    for (const d of createdDirs.reverse()) {
      try {
        rmSync(d, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
    throw ioError(current?.path ?? '?', errnoCode(e), current?.flag);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  for (const o of outputs) {
    if (o.path === undefined) process.stdout.write(o.data);
  }
  if (interrupted !== null) process.kill(process.pid, interrupted);
}

/** Writes a file atomically (temporary sibling, then rename); creates parent folders. See {@link writeOutputs}. */
export function writeFileAtomic(path: string, data: string | Uint8Array, flag?: string): void {
  writeOutputs([flag === undefined ? { path, data } : { path, data, flag }]);
}

/** Machine output with a final newline, to `out` or stdout (for {@link writeOutputs}). */
export function output(text: string, out: string | undefined, flag = '--out'): OutputSpec {
  return { path: out, data: text.endsWith('\n') ? text : `${text}\n`, flag };
}

/** Writes machine output to `--out FILE` (atomically) or to stdout. */
export function emit(text: string, out: string | undefined): void {
  writeOutputs([output(text, out)]);
}

/** JSON with non-finite numbers as null (JSON has no NaN) and typed arrays as plain arrays. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      if (ArrayBuffer.isView(v) && !(v instanceof DataView))
        return Array.from(v as unknown as ArrayLike<number>);
      return v;
    },
    indent,
  );
}

/** Checks that a folder can be created or exists (fails before long work starts, not after). */
export function ensureDir(path: string): void {
  const abs = resolve(path);
  if (PSEUDO_FS.some((d) => abs === d || abs.startsWith(`${d}${sep}`))) {
    throw new AllotError('ALLOT_IO_ERROR', `cannot create folder ${path} (a system pseudo-folder)`);
  }
  try {
    mkdirSync(abs, { recursive: true });
    if (!statSync(abs).isDirectory()) throw new Error('not a folder');
  } catch (e) {
    throw new AllotError('ALLOT_IO_ERROR', `cannot create folder ${path} (${errnoCode(e)})`);
  }
}

/**
 * Checks a documented maximum before any work starts.
 *
 * @example assertMax('--users', 1e9, 1e7) throws `--users must be <= 10000000 (got 1e9)`.
 * @throws ALLOT_OUT_OF_RANGE naming the option, the maximum and the value.
 */
export function assertMax(option: string, value: number, max: number): void {
  if (!(value <= max)) {
    throw new AllotError('ALLOT_OUT_OF_RANGE', `${option} must be <= ${max} (got ${formatValue(value)})`);
  }
}

/** Parses a number option; rejects non-numbers with ALLOT_INVALID_ARGUMENT naming the flag. */
export function parseNumber(flag: string, raw: string): number {
  const t = raw.trim();
  const v = t === '' ? Number.NaN : Number(t);
  if (!Number.isFinite(v))
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `${flag} must be a number (got ${JSON.stringify(raw)})`);
  return v;
}

/** Parses an integer option in [min, max] (max: the documented maximum, checked with {@link assertMax}). */
export function parseInteger(
  flag: string,
  raw: string,
  min: number = Number.MIN_SAFE_INTEGER,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  const v = parseNumber(flag, raw);
  if (Number.isInteger(v) && Math.abs(v) > Number.MAX_SAFE_INTEGER) {
    if (v > 0) assertMax(flag, v, max);
  }
  if (!Number.isSafeInteger(v))
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `${flag} must be an integer (got ${JSON.stringify(raw)})`);
  if (v < min) throw new AllotError('ALLOT_OUT_OF_RANGE', `${flag} must be >= ${min} (got ${v})`);
  assertMax(flag, v, max);
  return v;
}

/** Parses a comma-separated list of numbers (at most `maxLength` entries). */
export function parseNumberList(flag: string, raw: string, maxLength: number = 1_000_000): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `${flag} must be a comma-separated list of numbers (got ${JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw)})`,
    );
  }
  if (parts.length > maxLength) {
    throw new AllotError(
      'ALLOT_OUT_OF_RANGE',
      `${flag} must have <= ${maxLength} entries (got ${parts.length})`,
    );
  }
  return parts.map((p) => parseNumber(flag, p));
}

/** Parses a comma-separated list of names (trimmed, non-empty). */
export function parseNameList(flag: string, raw: string): string[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `${flag} must be a comma-separated list of names (got ${JSON.stringify(raw)})`,
    );
  }
  return parts;
}

let quiet = false;

/** Silences {@link info} and {@link warn} (the global `--quiet`); errors are always printed. */
export function setQuiet(on: boolean): void {
  quiet = on;
}

/** True when `--quiet` is in effect. */
export function isQuiet(): boolean {
  return quiet;
}

/** Human text to stderr (never stdout, which carries machine output); silenced by `--quiet`. */
export function info(msg: string): void {
  if (!quiet) process.stderr.write(`${msg}\n`);
}

/**
 * A warning: one stderr line `allot: warning: <msg>`, silenced by `--quiet`. Use it when the data cannot support an
 * estimate, or input was skipped; errors stay `allot: CODE: message`.
 */
export function warn(msg: string): void {
  if (!quiet)
    process.stderr.write(`allot: warning: ${oneLine(msg.replace(/^allot:\s*(warning:\s*)?/, ''))}\n`);
}

/**
 * A numeric option whose `--help` shows the default as a number (`(default: 10)`, not `(default: "10")`); the parsed
 * value stays the raw string, checked by {@link parseInteger} / {@link parseNumber}.
 */
export function numberOption(flags: string, description: string, dflt: number): Option {
  return new Option(flags, description).default(String(dflt), String(dflt));
}

/** A required option marked `(required)` in `--help` (commander does not mark them). */
export function requiredOption(flags: string, description: string): Option {
  return new Option(flags, `${description} (required)`).makeOptionMandatory();
}

/** An old spelling kept working as an alias of a canonical option, hidden from `--help` (which names it). */
export function aliasOption(flags: string): Option {
  return new Option(flags).hideHelp();
}

/**
 * The value of a canonical option or its aliases: `values` are [canonical, ...aliases] as given (undefined when not
 * given); `dflt` applies when none was given.
 *
 * @throws ALLOT_INVALID_ARGUMENT when two spellings are given with different values.
 */
export function pickAlias<T extends string | undefined>(
  names: readonly string[],
  values: readonly (string | undefined)[],
  dflt: T,
): string | T {
  let chosen: string | undefined;
  let chosenName = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) continue;
    if (chosen !== undefined && v !== chosen) {
      throw new AllotError(
        'ALLOT_INVALID_ARGUMENT',
        `${chosenName} and ${names[i]} name the same option; give one (got ${JSON.stringify(chosen)} and ${JSON.stringify(v)})`,
      );
    }
    if (chosen === undefined) {
      chosen = v;
      chosenName = names[i] ?? '';
    }
  }
  return chosen ?? dflt;
}

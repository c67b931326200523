/** File and option helpers for the CLI: clear errors for user input, atomic writes (never a partial file). */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AllotError } from '../core/errors.js';

/** Reads a UTF-8 text file; a missing or unreadable file is ALLOT_FILE_NOT_FOUND naming the option. */
export function readText(path: string, what = 'file'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new AllotError(
      'ALLOT_FILE_NOT_FOUND',
      `${what} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Reads and parses a JSON file; a syntax error is ALLOT_PARSE_ERROR naming the file. */
export function readJson(path: string, what = 'file'): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AllotError('ALLOT_PARSE_ERROR', `${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Writes a file atomically: to a temporary sibling, then renamed over the target. Creates parent folders. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new AllotError(
      'ALLOT_IO_ERROR',
      `cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** Writes machine output to `--out FILE` (atomically) or to stdout. */
export function emit(text: string, out: string | undefined): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (out === undefined) process.stdout.write(body);
  else writeFileAtomic(out, body);
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
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw new Error('not a folder');
  } catch (e) {
    throw new AllotError('ALLOT_IO_ERROR', `cannot create folder ${path} (${(e as Error).message})`);
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

/** Parses an integer option >= min. */
export function parseInteger(flag: string, raw: string, min: number = Number.MIN_SAFE_INTEGER): number {
  const v = parseNumber(flag, raw);
  if (!Number.isSafeInteger(v))
    throw new AllotError('ALLOT_INVALID_ARGUMENT', `${flag} must be an integer (got ${JSON.stringify(raw)})`);
  if (v < min) throw new AllotError('ALLOT_OUT_OF_RANGE', `${flag} must be >= ${min} (got ${v})`);
  return v;
}

/** Parses a comma-separated list of numbers. */
export function parseNumberList(flag: string, raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `${flag} must be a comma-separated list of numbers (got ${JSON.stringify(raw)})`,
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

/** Human text to stderr (never stdout, which carries machine output). */
export function info(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/**
 * The shared CLI machinery of src/cli/io.ts, in-process: all-or-nothing writes, refused targets, bounded reads of
 * regular files, warnings and --quiet, documented maxima; and Ctrl-C on the built CLI leaving no partial file.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assertMax,
  checkOutputPath,
  formatValue,
  parseInteger,
  readJson,
  readText,
  setQuiet,
  warn,
  writeOutputs,
} from '../../src/cli/io.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

afterEach(() => {
  vi.restoreAllMocks();
  setQuiet(false);
});

describe('writeOutputs: all or nothing', () => {
  it('writes nothing (no file, no stdout, no temp file, no new folder) when one target fails', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'afile'), 'x');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(() =>
      writeOutputs([
        { path: join(dir, 'new', 'ok.json'), data: '{}\n', flag: '--out' },
        { path: undefined, data: 'to stdout\n' },
        { path: join(dir, 'afile', 'p.svg'), data: '<svg/>', flag: '--plot' },
      ]),
    ).toThrow(/^cannot write --plot .*afile\/p\.svg \(ENOTDIR: .*afile is not a folder\)$/);
    expect(out).not.toHaveBeenCalled();
    expect(readdirSync(dir)).toEqual(['afile']);
  });

  it('writes every file, then stdout', () => {
    const dir = tempDir();
    const order: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      order.push(`stdout:${String(s)}`);
      return true;
    });
    writeOutputs([
      { path: undefined, data: 'x' },
      { path: join(dir, 'a', 'b.json'), data: '1' },
      { path: join(dir, 'c.csv'), data: '2' },
    ]);
    expect(readFileSync(join(dir, 'a', 'b.json'), 'utf8')).toBe('1');
    expect(readFileSync(join(dir, 'c.csv'), 'utf8')).toBe('2');
    expect(order).toEqual(['stdout:x']);
    expect(readdirSync(dir).sort()).toEqual(['a', 'c.csv']);
  });

  it('refuses a read-only target (keeping its content and mode), a folder, /proc and a path named twice', () => {
    const dir = tempDir();
    const ro = join(dir, 'ro.json');
    writeFileSync(ro, 'keep');
    chmodSync(ro, 0o444);
    expect(() => writeOutputs([{ path: ro, data: 'new' }])).toThrow(/read-only/);
    expect(readFileSync(ro, 'utf8')).toBe('keep');
    mkdirSync(join(dir, 'd'));
    expect(() => checkOutputPath(join(dir, 'd'), '--out')).toThrow(/a folder, not a file/);
    expect(() => checkOutputPath('/proc/x', '--out')).toThrow(/cannot write --out \/proc\/x/);
    expect(() => checkOutputPath('/sys/x')).toThrow(/pseudo-file/);
    const p = join(dir, 'same.json');
    expect(() =>
      writeOutputs([
        { path: p, data: '1' },
        { path: p, data: '2' },
      ]),
    ).toThrow(/named twice/);
    expect(existsSync(p)).toBe(false);
  });
});

describe('reading inputs', () => {
  it('reads regular files only, with a byte bound, and one-line JSON errors', () => {
    const dir = tempDir();
    expect(() => readText('/dev/zero', '--log')).toThrow(
      /^--log \/dev\/zero cannot be read \(not a regular file\)$/,
    );
    expect(() => readText(dir, '--log')).toThrow(/a folder/);
    const big = join(dir, 'big.csv');
    writeFileSync(big, '');
    truncateSync(big, 2 * 1024 * 1024);
    expect(() => readText(big, '--log', { maxBytes: 1024 * 1024 })).toThrow(
      /must be at most 1 MiB \(got 2 MiB\)/,
    );
    writeFileSync(join(dir, 'bad.json'), '{\n"a":\n');
    expect(() => readJson(join(dir, 'bad.json'), '--config')).toThrow(
      /^--config .* is not valid JSON: [^\n]*$/,
    );
  });
});

describe('warnings, --quiet and maxima', () => {
  it('warn prints one `allot: warning:` line unless quiet', () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    warn('allot: data too thin\nfor this');
    expect(err).toHaveBeenCalledWith('allot: warning: data too thin for this\n');
    setQuiet(true);
    warn('silenced');
    expect(err).toHaveBeenCalledTimes(1);
  });

  it('assertMax names the option and the maximum, values in exponent form when large', () => {
    expect(() => assertMax('--users', 1e9, 10_000_000)).toThrow('--users must be <= 10000000 (got 1e9)');
    expect(() => parseInteger('--runs', '1e99', 1, 100)).toThrow('--runs must be <= 100 (got 1e99)');
    expect(() => parseInteger('--runs', '101', 1, 100)).toThrow('--runs must be <= 100 (got 101)');
    expect(parseInteger('--runs', '100', 1, 100)).toBe(100);
    expect(formatValue(150_000)).toBe('150000');
    expect(formatValue(2.5e10)).toBe('2.5e10');
  });
});

describe('Ctrl-C', () => {
  it('interrupting a long simulation of the built CLI leaves no output file and no temporary file', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin', 'allot.js'),
        'budget',
        'simulate',
        '--arms',
        '50',
        '--budget',
        '1000000',
        '--runs',
        '4',
        '--workers',
        '1',
        '--out',
        join(dir, 'res.json'),
      ],
      { stdio: 'ignore' },
    );
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) =>
      child.on('close', (c, sig) => r(c ?? (sig ? 130 : null))),
    );
    expect(code).not.toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);
});

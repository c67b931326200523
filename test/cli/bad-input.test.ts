/**
 * The error contract on every CLI input path, for every command: bad input prints ONE stderr line
 * `allot: CODE: message`, exits 2, writes nothing to stdout and leaves no output file (nor any other change in the
 * working folder). Cases run in batches inside one process of the BUILT CLI (dist/cli/main.js, `npm run build` first):
 * each case calls `main(argv)` with stdout/stderr captured, so ~200 cases cost a few seconds, not 200 process starts.
 * A case that hangs or kills its process is reported as such (a watchdog restarts the batch after it).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

interface Case {
  /** Test name. */
  readonly name: string;
  /** argv after `allot`; `@/` is replaced by the case's working folder. */
  readonly argv: readonly string[];
  /** Expected error code. */
  readonly code: string;
  /** A regex the message (after the code) must match. */
  readonly msg?: RegExp;
  /** Known failure: the reason (the owner has not finished); the case runs as `it.fails`. */
  readonly fails?: string;
  /** Input files this case needs, written into the folder before the batch (name -> content). */
  readonly files?: Readonly<Record<string, string>>;
}

interface CaseResult {
  readonly exit: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** 'hung' or 'died' when the process had to be killed or crashed during this case. */
  readonly status: 'ok' | 'hung' | 'died';
  readonly before: string;
  readonly after: string;
}

const MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');
const FC = join(REPO_ROOT, 'fixtures', 'forecast');
const RANK_LOG = join(REPO_ROOT, 'fixtures', 'rank', 'obd-random-men-2000.csv');
const EVAL_POLICY = join(REPO_ROOT, 'fixtures', 'evaluate', 'uniform.json');

/** The child: runs each case in-process, one JSON line per event on fd 1 (stdout itself is captured per case). */
const RUNNER = `
import { writeSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const { main } = await import(process.env.ALLOT_MAIN);
const cases = JSON.parse(readFileSync(0, 'utf8'));
function listing(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const st = statSync(p, { throwIfNoEntry: false });
      out.push(p.slice(dir.length) + ':' + (st ? (st.isFile() ? st.size + ':' + (st.mode & 0o777).toString(8) + ':' + st.mtimeMs : 'd') : '?'));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort().join('\\n');
}
const ow = process.stdout.write.bind(process.stdout);
const ew = process.stderr.write.bind(process.stderr);
for (const c of cases) {
  writeSync(1, JSON.stringify({ start: c.index }) + '\\n');
  process.chdir(c.cwd);
  const before = listing(c.cwd);
  let stdout = '', stderr = '';
  process.stdout.write = (chunk, ...rest) => { stdout += String(chunk); const cb = rest.find((x) => typeof x === 'function'); if (cb) cb(); return true; };
  process.stderr.write = (chunk, ...rest) => { stderr += String(chunk); const cb = rest.find((x) => typeof x === 'function'); if (cb) cb(); return true; };
  let exit;
  try { exit = await main(c.argv); } catch (e) { exit = -1; stderr += 'runner: ' + e + '\\n'; }
  process.stdout.write = ow;
  process.stderr.write = ew;
  writeSync(1, JSON.stringify({ done: c.index, exit, stdout, stderr, before, after: listing(c.cwd) }) + '\\n');
}
process.exit(0);
`;

/** Runs cases in one child process; restarts after a case that hangs (no progress for `stallMs`) or dies. */
async function runBatch(
  cases: readonly { index: number; argv: string[]; cwd: string }[],
  stallMs = 20_000,
): Promise<Map<number, CaseResult>> {
  const results = new Map<number, CaseResult>();
  let rest = [...cases];
  while (rest.length > 0) {
    const done = await new Promise<{ last: number | null; hung: boolean }>((resolveRun) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER], {
        cwd: REPO_ROOT,
        env: { ...process.env, ALLOT_MAIN: MAIN, FORCE_COLOR: '0', NO_COLOR: '1', ALLOT_QUIET: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let buf = '';
      let last: number | null = null;
      let hung = false;
      let timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, stallMs);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        buf += d;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
          let ev: { start?: number; done?: number; exit?: number; stdout?: string; stderr?: string } & {
            before?: string;
            after?: string;
          };
          try {
            ev = JSON.parse(line);
          } catch {
            continue; // a stray line from a library (not from a case: those are captured)
          }
          if (ev.start !== undefined) {
            last = ev.start;
            clearTimeout(timer);
            timer = setTimeout(() => {
              hung = true;
              child.kill('SIGKILL');
            }, stallMs);
          } else if (ev.done !== undefined) {
            results.set(ev.done, {
              exit: ev.exit ?? null,
              stdout: ev.stdout ?? '',
              stderr: ev.stderr ?? '',
              status: 'ok',
              before: ev.before ?? '',
              after: ev.after ?? '',
            });
            last = null;
          }
        }
      });
      child.stderr.resume();
      child.on('close', () => {
        clearTimeout(timer);
        resolveRun({ last, hung });
      });
      child.stdin.end(JSON.stringify(rest));
    });
    if (done.last !== null && !results.has(done.last)) {
      results.set(done.last, {
        exit: null,
        stdout: '',
        stderr: '',
        status: done.hung ? 'hung' : 'died',
        before: '',
        after: '',
      });
    }
    const next = rest.filter((c) => !results.has(c.index));
    if (next.length === rest.length) break; // no progress at all: give up (reported per case below)
    rest = next;
  }
  return results;
}

// ---------------------------------------------------------------- inputs shared by the cases (in each case's folder)

function makeInputs(dir: string): void {
  writeFileSync(join(dir, 'afile'), 'a regular file, not a folder\n');
  writeFileSync(join(dir, 'ro.json'), '{"keep": true}\n');
  chmodSync(join(dir, 'ro.json'), 0o444);
  mkdirSync(join(dir, 'adir'));
  writeFileSync(join(dir, 'empty.json'), '');
  writeFileSync(join(dir, 'empty.csv'), '');
  writeFileSync(join(dir, 'trunc.json'), '{"beta": 0.9,\n "grid": {');
  writeFileSync(join(dir, 'null.json'), 'null\n');
  writeFileSync(join(dir, 'inf.json'), '{"beta": 1e999}\n');
  writeFileSync(join(dir, 'nanstr.json'), '{"beta": "NaN"}\n');
  writeFileSync(join(dir, 'unknown-key.json'), '{"betta": 0.9}\n');
  writeFileSync(join(dir, 'grid-1e8.json'), '{"grid": {"min": 0.1, "max": 10, "size": 1e8}}\n');
  writeFileSync(join(dir, 'iter-1e9.json'), '{"stop": {"tolerance": 0, "maxIterations": 1e9}}\n');
  const S = 20_000;
  writeFileSync(
    join(dir, 'shocks-20000.json'),
    JSON.stringify({
      shocks: {
        values: Array.from({ length: S }, (_, i) => 1 + i / S),
        probabilities: Array.from({ length: S }, () => 1 / S),
      },
    }),
  );
  writeFileSync(join(dir, 'ok.json'), '{}\n');
  writeFileSync(join(dir, 'ragged.csv'), 'position,click,item_id\n1,0,3\n2,1\n3,0,4,9\n');
  writeFileSync(join(dir, 'trunc.csv'), 'location,target_end_date,obser');
  writeFileSync(join(dir, 'pos-1e9.csv'), 'position,click,item_id\n1,0,3\n1000000000,1,4\n');
  writeFileSync(join(dir, 'nan-log.csv'), 'position,click,item_id\n1,NaN,3\n2,1,4\n');
  const H =
    'reference_date,target,horizon,location,target_end_date,output_type,output_type_id,value,model_id';
  writeFileSync(join(dir, 'mo-level.csv'), `${H}\n2025-01-04,t,1,01,2025-01-11,quantile,1.5,3,m\n`);
  writeFileSync(join(dir, 'mo-nan.csv'), `${H}\n2025-01-04,t,1,01,2025-01-11,quantile,0.5,abc,m\n`);
  writeFileSync(join(dir, 'mo-cols.csv'), 'reference_date,location,value\n');
  writeFileSync(
    join(dir, 'mo-two.csv'),
    `${H}\n2025-01-04,a,1,01,2025-01-11,quantile,0.5,3,m\n2025-01-04,b,1,01,2025-01-11,quantile,0.5,3,m\n`,
  );
  // Sparse files: larger than every documented input maximum, without using the disk.
  writeFileSync(join(dir, 'big.csv'), '');
  truncateSync(join(dir, 'big.csv'), 300 * 1024 * 1024);
  writeFileSync(join(dir, 'big.json'), '');
  truncateSync(join(dir, 'big.json'), 300 * 1024 * 1024);
}

/** `--out`-style targets that cannot be written, for a command whose only output flag is `flag`. */
function unwritable(
  prefix: string,
  argv: readonly string[],
  flag = '--out',
  ext = 'json',
  fails?: string,
): Case[] {
  const f = fails === undefined ? {} : { fails };
  return [
    {
      name: `${prefix}: ${flag} under a regular file`,
      argv: [...argv, flag, `@/afile/x.${ext}`],
      code: 'ALLOT_IO_ERROR',
      msg: /afile/,
      ...f,
    },
    {
      name: `${prefix}: ${flag} is a read-only file`,
      argv: [...argv, flag, '@/ro.json'],
      code: 'ALLOT_IO_ERROR',
      msg: /read-only/,
      ...f,
    },
    {
      name: `${prefix}: ${flag} under /proc`,
      argv: [...argv, flag, '/proc/x'],
      code: 'ALLOT_IO_ERROR',
      ...f,
    },
    { name: `${prefix}: ${flag} is a folder`, argv: [...argv, flag, '@/adir'], code: 'ALLOT_IO_ERROR', ...f },
  ];
}

const NOT_REGULAR = (prefix: string, argv: (p: string) => string[], flag: string, fails?: string): Case[] => {
  const f = fails === undefined ? {} : { fails };
  return [
    {
      name: `${prefix}: ${flag} /dev/zero`,
      argv: argv('/dev/zero'),
      code: 'ALLOT_FILE_NOT_FOUND',
      msg: /not a regular file/,
      ...f,
    },
    { name: `${prefix}: ${flag} is a folder`, argv: argv('@/adir'), code: 'ALLOT_FILE_NOT_FOUND', ...f },
    {
      name: `${prefix}: ${flag} is missing`,
      argv: argv('@/missing.file'),
      code: 'ALLOT_FILE_NOT_FOUND',
      ...f,
    },
    {
      name: `${prefix}: ${flag} larger than the maximum`,
      argv: argv(p(flag)),
      code: 'ALLOT_OUT_OF_RANGE',
      msg: /MiB/,
      ...f,
    },
  ];
  function p(fl: string): string {
    return fl === '--config' || fl === '--policy' || fl === '--auth' ? '@/big.json' : '@/big.csv';
  }
};

const TAU = ['dp', 'tauchen', '--states', '5', '--rho', '0.5', '--sigma', '0.1'];
const ORACLE = ['budget', 'oracle', '--a', '0.9,0.5,0.4', '--b', '0.5,0.2,0.1'];
const SIM = [
  'budget',
  'simulate',
  '--arms',
  '3',
  '--budget',
  '200',
  '--runs',
  '1',
  '--policies',
  'mrcb',
  '--workers',
  '1',
];
const ALLOC = ['forecast', 'allocate', '--forecasts', join(FC, 'model-output.csv')];
const SCORE = [
  'forecast',
  'score',
  '--forecasts',
  join(FC, 'model-output.csv'),
  '--truth',
  join(FC, 'target-data.csv'),
];
const RSIM_BASE = [
  'rank',
  'simulate',
  '--dataset',
  'sinbin',
  '--rounds',
  '100',
  '--runs',
  '1',
  '--workers',
  '1',
];
const RSIM = [...RSIM_BASE, '--slots', '3'];
const BIAS = ['rank', 'bias', '--log', RANK_LOG];
const EXP = ['explore', 'simulate', '--users', '50', '--days-phase1', '2', '--days-phase2', '1'];
const EVAL = ['evaluate', '--log', RANK_LOG, '--policy', EVAL_POLICY];

/** dp config errors (moved here from test/cli/dp.test.ts): name, config, expected `CODE: message` pattern. */
const DP_CONFIG_ERRORS: [string, unknown, RegExp][] = [
  [
    'grid not strictly increasing',
    { grid: { points: [0.1, 0.3, 0.2, 0.5] } },
    /ALLOT_INVALID_ARGUMENT: grid.points must be strictly increasing/,
  ],
  [
    'grid not positive',
    { grid: { points: [-0.1, 0.3, 0.4, 0.5] } },
    /ALLOT_OUT_OF_RANGE: grid.points\[0\] must be > 0/,
  ],
  ['beta outside (0, 1)', { beta: 1.2 }, /ALLOT_OUT_OF_RANGE: beta must be in \(0, 1\) \(got 1.2\)/],
  [
    'probabilities not summing to 1',
    { shocks: { values: [0, 1], probabilities: [0.5, 0.5000001] } },
    /ALLOT_OUT_OF_RANGE: shocks.probabilities must sum to 1/,
  ],
  [
    'shape mismatch',
    { shocks: { values: [0, 1], probabilities: [1] } },
    /ALLOT_SHAPE_MISMATCH: shocks.probabilities/,
  ],
  [
    'fewer than 4 points for cubic',
    { grid: { points: [1, 2, 3] } },
    /ALLOT_SHAPE_MISMATCH: grid.points must have at least 4 points for cubic/,
  ],
  ['non-finite number', '{"beta": 1e999}', /ALLOT_NOT_FINITE: beta must be a finite number \(got Infinity\)/],
  ['unknown key', { gama: 2 }, /ALLOT_INVALID_CONFIG: gama is not a known key/],
  ['invalid JSON', '{"beta": ', /ALLOT_PARSE_ERROR: --config .* is not valid JSON/],
];

/** budget option errors (moved here from test/cli/budget.test.ts). */
const BUDGET_ORACLE_ERRORS: [string[], RegExp][] = [
  [
    ['--a', '1,2', '--b', '1,1', '--L', '3'],
    /^ALLOT_OUT_OF_RANGE: --L must be in \[1, K\] = \[1, 2\] \(got 3\)/,
  ],
  [['--a', '1,2', '--b', '1,1', '--L', '0'], /^ALLOT_OUT_OF_RANGE: --L must be in \[1, K\]/],
  [['--a', '1,0', '--b', '1,1', '--L', '1'], /^ALLOT_OUT_OF_RANGE: --a\[1\] must be > 0 \(got 0\)/],
  [['--a', '1,-2', '--b', '1,1', '--L', '1'], /^ALLOT_OUT_OF_RANGE: --a\[1\] must be > 0 \(got -2\)/],
  [['--a', '1,2', '--b', '1,-1', '--L', '1'], /^ALLOT_OUT_OF_RANGE: --b\[1\] must be >= 0 \(got -1\)/],
  [
    ['--a', '1,2,3', '--b', '1,1', '--L', '1'],
    /^ALLOT_SHAPE_MISMATCH: --a and --b must have the same length \(got 3 and 2\)/,
  ],
  [['--a', '1,x', '--b', '1,1', '--L', '1'], /^ALLOT_INVALID_ARGUMENT: --a must be a number/],
  [['--a', '1,2', '--b', '1,1', '--L', '1.5'], /^ALLOT_INVALID_ARGUMENT: --L must be an integer/],
];
const BUDGET_SIMULATE_BASE = [
  'budget',
  'simulate',
  '--arms',
  '10',
  '--plays',
  '3',
  '--budget',
  '2000',
  '--runs',
  '3',
  '--seed',
  '1',
  '--policies',
  'mrcb',
];
const BUDGET_SIMULATE_ERRORS: [string[], RegExp][] = [
  [['--plays', '11'], /--plays must be <= --arms = 10 \(got 11\)/],
  [['--plays', '0'], /--plays must be >= 1 \(got 0\)/],
  [['--budget', '0'], /--budget must be > 0 \(got 0\)/],
  [['--budget', '-5'], /--budget must be > 0 \(got -5\)/],
  [['--dist', 'gauss'], /--dist must be one of multinomial, beta, bernoulli \(got "gauss"\)/],
  [
    ['--policies', 'mrcb,greedy'],
    /--policies must be one of mrcb, bts, kube, eps-first, ucb-bv1 \(got "greedy"\)/,
  ],
  [['--scheme', 'X'], /--scheme must be one of R, T, both/],
  [['--kappa', '0'], /--kappa must be > 0/],
  [['--checkpoints', '100,5000'], /checkpoints\[1\] must be <= budget 2000/],
  [['--runs', '0'], /--runs must be >= 1/],
];

function fullCode(re: RegExp): { code: string; msg: RegExp } {
  const m = /^\^?(ALLOT_[A-Z_]+): ?(.*)$/.exec(re.source);
  if (m === null) return { code: 'ALLOT_[A-Z_]+', msg: re };
  return { code: m[1]!, msg: new RegExp(m[2]!) };
}

const CASES: Case[] = [
  ...DP_CONFIG_ERRORS.map(([name, cfg, re], i): Case => {
    const file = `dp-bad-${i}.json`;
    return {
      name: `dp solve: ${name}`,
      argv: ['dp', 'solve', '--config', `@/${file}`, '--out', '@/r.json'],
      ...fullCode(re),
      files: { [file]: typeof cfg === 'string' ? cfg : JSON.stringify(cfg) },
    };
  }),
  ...BUDGET_ORACLE_ERRORS.map(
    ([args, re]): Case => ({
      name: `budget oracle: ${args.join(' ')}`,
      argv: ['budget', 'oracle', ...args],
      ...fullCode(re),
    }),
  ),
  ...BUDGET_SIMULATE_ERRORS.map(
    ([args, re]): Case => ({
      name: `budget simulate: ${args.join(' ')}`,
      argv: [...BUDGET_SIMULATE_BASE, ...args, '--out', '@/r.json'],
      code: 'ALLOT_[A-Z_]+',
      msg: re,
    }),
  ),
  // ------------------------------------------------------------------ shell
  { name: 'unknown command', argv: ['frobnicate'], code: 'ALLOT_UNKNOWN_OPTION' },
  {
    name: 'unknown flag',
    argv: [...TAU, '--bogus', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
    msg: /unknown option/,
  },
  { name: 'flag without its value', argv: ['dp', 'tauchen', '--states'], code: 'ALLOT_INVALID_ARGUMENT' },

  // ------------------------------------------------------------------ dp
  {
    name: 'dp solve: missing --config',
    argv: ['dp', 'solve'],
    code: 'ALLOT_INVALID_ARGUMENT',
    msg: /--config/,
  },
  ...NOT_REGULAR('dp solve', (p) => ['dp', 'solve', '--config', p], '--config'),
  {
    name: 'dp solve: FIFO config',
    argv: ['dp', 'solve', '--config', '@/fifo'],
    code: 'ALLOT_FILE_NOT_FOUND',
  },
  {
    name: 'dp solve: empty config',
    argv: ['dp', 'solve', '--config', '@/empty.json'],
    code: 'ALLOT_PARSE_ERROR',
  },
  {
    name: 'dp solve: truncated config (one line)',
    argv: ['dp', 'solve', '--config', '@/trunc.json'],
    code: 'ALLOT_PARSE_ERROR',
  },
  {
    name: 'dp solve: null config',
    argv: ['dp', 'solve', '--config', '@/null.json'],
    code: 'ALLOT_INVALID_CONFIG',
    msg: /null/,
  },
  {
    name: 'dp solve: Infinity (1e999)',
    argv: ['dp', 'solve', '--config', '@/inf.json'],
    code: 'ALLOT_NOT_FINITE',
  },
  {
    name: 'dp solve: "NaN" string',
    argv: ['dp', 'solve', '--config', '@/nanstr.json'],
    code: 'ALLOT_INVALID_CONFIG',
  },
  {
    name: 'dp solve: unknown key',
    argv: ['dp', 'solve', '--config', '@/unknown-key.json'],
    code: 'ALLOT_INVALID_CONFIG',
  },
  {
    name: 'dp solve: grid size 1e8',
    argv: ['dp', 'solve', '--config', '@/grid-1e8.json'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /grid.size .*100000/,
  },
  {
    name: 'dp solve: tolerance 0 and 1e9 iterations',
    argv: ['dp', 'solve', '--config', '@/iter-1e9.json'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /maxIterations/,
  },
  {
    name: 'dp solve: 20,000 shock states',
    argv: ['dp', 'solve', '--config', '@/shocks-20000.json'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /shocks.values must have <= 1000/,
  },
  ...unwritable('dp solve', ['dp', 'solve', '--config', '@/ok.json']),
  {
    name: 'dp solve: --out ok, --plot under a file: nothing written',
    argv: ['dp', 'solve', '--config', '@/ok.json', '--out', '@/res.json', '--plot', '@/afile/p'],
    code: 'ALLOT_IO_ERROR',
  },
  {
    name: 'dp tauchen: missing --rho',
    argv: ['dp', 'tauchen', '--states', '5', '--sigma', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
    msg: /--rho/,
  },
  {
    name: 'dp tauchen: --states 1e5',
    argv: ['dp', 'tauchen', '--states', '1e5', '--rho', '0.5', '--sigma', '1'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--states must be <= 1000/,
  },
  {
    name: 'dp tauchen: --states abc',
    argv: ['dp', 'tauchen', '--states', 'abc', '--rho', '0.5', '--sigma', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'dp tauchen: --states 2.5',
    argv: ['dp', 'tauchen', '--states', '2.5', '--rho', '0.5', '--sigma', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'dp tauchen: --sigma 1e308 names --sigma',
    argv: ['dp', 'tauchen', '--states', '5', '--rho', '0.5', '--sigma', '1e308'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--sigma/,
  },
  {
    name: 'dp tauchen: --sigma NaN',
    argv: ['dp', 'tauchen', '--states', '5', '--rho', '0.5', '--sigma', 'NaN'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'dp tauchen: --rho Infinity',
    argv: ['dp', 'tauchen', '--states', '5', '--rho', 'Infinity', '--sigma', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  ...unwritable('dp tauchen', TAU),
  {
    name: 'dp simulate: missing --w0',
    argv: ['dp', 'simulate', '--config', '@/ok.json'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'dp simulate: --w0 -1',
    argv: ['dp', 'simulate', '--config', '@/ok.json', '--w0', '-1'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  {
    name: 'dp simulate: --periods 1e9',
    argv: ['dp', 'simulate', '--config', '@/ok.json', '--w0', '1', '--periods', '1e9'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--periods must be <=/,
  },
  {
    name: 'dp simulate: --initial-shock out of range',
    argv: ['dp', 'simulate', '--config', '@/ok.json', '--w0', '1', '--initial-shock', '3'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  ...NOT_REGULAR('dp simulate', (p) => ['dp', 'simulate', '--config', p, '--w0', '1'], '--config'),
  ...unwritable('dp simulate', ['dp', 'simulate', '--config', '@/ok.json', '--w0', '1']),

  // ------------------------------------------------------------------ forecast
  { name: 'forecast allocate: missing --K', argv: [...ALLOC], code: 'ALLOT_INVALID_ARGUMENT', msg: /--K/ },
  { name: 'forecast allocate: --K abc', argv: [...ALLOC, '--K', 'abc'], code: 'ALLOT_INVALID_ARGUMENT' },
  { name: 'forecast allocate: --K NaN', argv: [...ALLOC, '--K', '100,NaN'], code: 'ALLOT_INVALID_ARGUMENT' },
  { name: 'forecast allocate: --K -1', argv: [...ALLOC, '--K', '-1'], code: 'ALLOT_OUT_OF_RANGE' },
  {
    name: 'forecast allocate: 1001 stocks',
    argv: [...ALLOC, '--K', Array.from({ length: 1001 }, (_, i) => i).join(',')],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /<= 1000 entries/,
  },
  {
    name: 'forecast allocate: --L 0',
    argv: [...ALLOC, '--K', '100', '--L', '0'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  {
    name: 'forecast allocate: --tail foo',
    argv: [...ALLOC, '--K', '100', '--tail', 'foo'],
    code: 'ALLOT_UNKNOWN_OPTION',
  },
  {
    name: 'forecast allocate: --reference-date 2024/01/01',
    argv: [...ALLOC, '--K', '100', '--reference-date', '2024/01/01'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  ...NOT_REGULAR(
    'forecast allocate',
    (p) => ['forecast', 'allocate', '--forecasts', p, '--K', '100'],
    '--forecasts',
  ),
  {
    name: 'forecast allocate: empty --forecasts',
    argv: ['forecast', 'allocate', '--forecasts', '@/empty.csv', '--K', '100'],
    code: 'ALLOT_(PARSE_ERROR|MISSING_COLUMN|NO_MATCH)',
  },
  {
    name: 'forecast allocate: ragged --forecasts',
    argv: ['forecast', 'allocate', '--forecasts', '@/ragged.csv', '--K', '100'],
    code: 'ALLOT_(PARSE_ERROR|MISSING_COLUMN|SHAPE_MISMATCH)',
  },
  {
    name: 'forecast allocate: --K -5 (snapshot of the message)',
    argv: [...ALLOC, '--K', '-5'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /^--K must be >= 0 \(got -5\)$/,
  },
  {
    name: 'forecast allocate: --model that matches nothing',
    argv: [...ALLOC, '--K', '5', '--model', 'nope'],
    code: 'ALLOT_NO_MATCH',
    msg: /^no quantile forecast in --forecasts .* matches --model nope/,
  },
  {
    name: 'forecast allocate: quantile level 1.5',
    argv: ['forecast', 'allocate', '--forecasts', '@/mo-level.csv', '--K', '5'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /line 2: output_type_id \(quantile level\) must be a number in \(0, 1\) \(got "1.5"\)/,
  },
  {
    name: 'forecast allocate: a non-numeric value',
    argv: ['forecast', 'allocate', '--forecasts', '@/mo-nan.csv', '--K', '5'],
    code: 'ALLOT_PARSE_ERROR',
    msg: /line 2: value must be a number \(got "abc"\)/,
  },
  {
    name: 'forecast allocate: missing columns',
    argv: ['forecast', 'allocate', '--forecasts', '@/mo-cols.csv', '--K', '5'],
    code: 'ALLOT_MISSING_COLUMN',
    msg: /lacks columns target, horizon, output_type, output_type_id, model_id/,
  },
  {
    name: 'forecast allocate: several targets',
    argv: ['forecast', 'allocate', '--forecasts', '@/mo-two.csv', '--K', '5'],
    code: 'ALLOT_INVALID_ARGUMENT',
    msg: /several targets \("a", "b"\): choose one with --target/,
  },
  ...unwritable('forecast allocate', [...ALLOC, '--K', '100'], '--out', 'csv'),
  {
    name: 'forecast score: missing --truth',
    argv: ['forecast', 'score', '--forecasts', join(FC, 'model-output.csv')],
    code: 'ALLOT_INVALID_ARGUMENT',
    msg: /--truth/,
  },
  ...NOT_REGULAR(
    'forecast score',
    (p) => ['forecast', 'score', '--forecasts', join(FC, 'model-output.csv'), '--truth', p],
    '--truth',
  ),
  {
    name: 'forecast score: truncated --truth',
    argv: ['forecast', 'score', '--forecasts', join(FC, 'model-output.csv'), '--truth', '@/trunc.csv'],
    code: 'ALLOT_(PARSE_ERROR|MISSING_COLUMN|SHAPE_MISMATCH)',
  },
  {
    name: 'forecast score: --out ok, --summary under a file: nothing written',
    argv: [...SCORE, '--out', '@/ok.csv', '--summary', '@/afile/s.csv'],
    code: 'ALLOT_IO_ERROR',
    msg: /--summary/,
  },
  {
    name: 'forecast score: stdout, --summary under a file: no CSV on stdout',
    argv: [...SCORE, '--summary', '@/afile/s.csv'],
    code: 'ALLOT_IO_ERROR',
  },
  {
    name: 'forecast score: --pinball under /proc',
    argv: [...SCORE, '--pinball', '/proc/x'],
    code: 'ALLOT_IO_ERROR',
  },
  ...unwritable('forecast score', SCORE, '--out', 'csv'),

  // ------------------------------------------------------------------ budget
  {
    name: 'budget oracle: missing --a',
    argv: ['budget', 'oracle', '--b', '1,1', '--slots', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'budget oracle: missing --slots',
    argv: [...ORACLE],
    code: 'ALLOT_INVALID_ARGUMENT',
    msg: /--slots/,
  },
  {
    name: 'budget oracle: --a 1,x',
    argv: ['budget', 'oracle', '--a', '1,x', '--b', '1,1', '--slots', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'budget oracle: --a NaN',
    argv: ['budget', 'oracle', '--a', '1,NaN', '--b', '1,1', '--slots', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'budget oracle: --b Infinity',
    argv: ['budget', 'oracle', '--a', '1,1', '--b', '1,Infinity', '--slots', '1'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  { name: 'budget oracle: --slots 0', argv: [...ORACLE, '--slots', '0'], code: 'ALLOT_OUT_OF_RANGE' },
  {
    name: 'budget oracle: --slots and --L disagree',
    argv: [...ORACLE, '--slots', '1', '--L', '2'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  ...unwritable('budget oracle', [...ORACLE, '--slots', '2']),
  {
    name: 'budget simulate: --budget 1e99',
    argv: [...SIM, '--budget', '1e99'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--budget must be <= 10000000 \(got 1e99\)/,
  },
  {
    name: 'budget simulate: --runs 1e8',
    argv: [...SIM, '--runs', '1e8'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--runs must be <= 100000/,
  },
  {
    name: 'budget simulate: --replications 1e8 (alias)',
    argv: ['budget', 'simulate', '--replications', '1e8'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--replications must be <=/,
  },
  {
    name: 'budget simulate: --arms 2e6',
    argv: [...SIM, '--arms', '2e6'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--arms must be <= 1000000/,
  },
  { name: 'budget simulate: --arms 0', argv: [...SIM, '--arms', '0'], code: 'ALLOT_OUT_OF_RANGE' },
  {
    name: 'budget simulate: --plays > --arms',
    argv: [...SIM, '--plays', '5'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--plays/,
  },
  { name: 'budget simulate: --dist foo', argv: [...SIM, '--dist', 'foo'], code: 'ALLOT_UNKNOWN_OPTION' },
  { name: 'budget simulate: --kappa NaN', argv: [...SIM, '--kappa', 'NaN'], code: 'ALLOT_INVALID_ARGUMENT' },
  {
    name: 'budget simulate: --checkpoints 1,x',
    argv: [...SIM, '--checkpoints', '1,x'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'budget simulate: --workers 1000',
    argv: [...SIM, '--workers', '1000'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  {
    name: 'budget simulate: --out ok, --plot under a file: nothing written',
    argv: [...SIM, '--out', '@/res.json', '--plot', '@/afile/p'],
    code: 'ALLOT_IO_ERROR',
  },
  ...unwritable('budget simulate', SIM),

  // ------------------------------------------------------------------ rank (owned by the rank helper)
  {
    name: 'rank simulate: --dataset foo',
    argv: ['rank', 'simulate', '--dataset', 'foo'],
    code: 'ALLOT_UNKNOWN_OPTION',
  },
  {
    name: 'rank simulate: --actions abc',
    argv: [...RSIM, '--actions', 'abc'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'rank simulate: --positions 1e9',
    argv: [...RSIM_BASE, '--positions', '1e9'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--positions/,
  },
  {
    name: 'rank simulate: --slots 1e9',
    argv: [...RSIM_BASE, '--slots', '1e9'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--slots/,
  },
  {
    name: 'rank simulate: --runs 1e8',
    argv: [...RSIM, '--runs', '1e8'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  {
    name: 'rank simulate: --rounds 1e15',
    argv: [...RSIM, '--rounds', '1e15'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  { name: 'rank simulate: --lambda NaN', argv: [...RSIM, '--lambda', 'NaN'], code: 'ALLOT_INVALID_ARGUMENT' },
  ...unwritable('rank simulate', RSIM),
  {
    name: 'rank simulate: --out ok, --plot under a file: nothing written',
    argv: [...RSIM, '--out', '@/res.json', '--plot', '@/afile/p'],
    code: 'ALLOT_IO_ERROR',
  },
  { name: 'rank bias: missing --log', argv: ['rank', 'bias'], code: 'ALLOT_INVALID_ARGUMENT' },
  ...NOT_REGULAR('rank bias', (p) => ['rank', 'bias', '--log', p], '--log'),
  {
    name: 'rank bias: empty --log',
    argv: ['rank', 'bias', '--log', '@/empty.csv'],
    code: 'ALLOT_(PARSE_ERROR|MISSING_COLUMN|NO_MATCH|INVALID_ARGUMENT)',
  },
  {
    name: 'rank bias: ragged --log',
    argv: ['rank', 'bias', '--log', '@/ragged.csv'],
    code: 'ALLOT_(PARSE_ERROR|MISSING_COLUMN|SHAPE_MISMATCH)',
  },
  {
    name: 'rank bias: NaN click',
    argv: ['rank', 'bias', '--log', '@/nan-log.csv'],
    code: 'ALLOT_(PARSE_ERROR|NOT_FINITE|OUT_OF_RANGE|INVALID_ARGUMENT)',
  },
  {
    name: 'rank bias: a row at position 1e9',
    argv: ['rank', 'bias', '--log', '@/pos-1e9.csv'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  {
    name: 'rank bias: --positions 1e9',
    argv: [...BIAS, '--positions', '1e9'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  { name: 'rank bias: --method foo', argv: [...BIAS, '--method', 'foo'], code: 'ALLOT_UNKNOWN_OPTION' },
  { name: 'rank bias: --level 2', argv: [...BIAS, '--level', '2'], code: 'ALLOT_OUT_OF_RANGE' },
  ...unwritable('rank bias', BIAS),

  // ------------------------------------------------------------------ explore (owned by the explore helper)
  {
    name: 'explore simulate: --users 1e9',
    argv: [...EXP, '--users', '1e9'],
    code: 'ALLOT_OUT_OF_RANGE',
    msg: /--users/,
  },
  {
    name: 'explore simulate: --days-phase1 1e9',
    argv: [...EXP, '--days-phase1', '1e9'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  {
    name: 'explore simulate: --replications 1e6',
    argv: [...EXP, '--replications', '1e6'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  {
    name: 'explore simulate: --posterior-samples 1e9',
    argv: [...EXP, '--posterior-samples', '1e9'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  { name: 'explore simulate: --users abc', argv: [...EXP, '--users', 'abc'], code: 'ALLOT_INVALID_ARGUMENT' },
  {
    name: 'explore simulate: --shares that do not sum to 1',
    argv: [...EXP, '--shares', '0.5,0.2,0.1'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  { name: 'explore simulate: --gamma NaN', argv: [...EXP, '--gamma', 'NaN'], code: 'ALLOT_INVALID_ARGUMENT' },
  ...unwritable('explore simulate', EXP),

  // ------------------------------------------------------------------ evaluate (owned by the evaluate helper)
  {
    name: 'evaluate: missing --log',
    argv: ['evaluate', '--policy', EVAL_POLICY],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  ...NOT_REGULAR('evaluate', (p) => ['evaluate', '--log', p, '--policy', EVAL_POLICY], '--log'),
  ...NOT_REGULAR('evaluate', (p) => ['evaluate', '--log', RANK_LOG, '--policy', p], '--policy'),
  {
    name: 'evaluate: truncated --policy',
    argv: ['evaluate', '--log', RANK_LOG, '--policy', '@/trunc.json'],
    code: 'ALLOT_PARSE_ERROR',
  },
  {
    name: 'evaluate: ragged --log',
    argv: ['evaluate', '--log', '@/ragged.csv', '--policy', EVAL_POLICY],
    code: 'ALLOT_(PARSE_ERROR|MISSING_COLUMN|INVALID_ARGUMENT)',
  },
  {
    name: 'evaluate: --estimators foo',
    argv: [...EVAL, '--estimators', 'foo'],
    code: 'ALLOT_UNKNOWN_OPTION',
  },
  { name: 'evaluate: --clip NaN', argv: [...EVAL, '--clip', 'NaN'], code: 'ALLOT_INVALID_ARGUMENT' },
  {
    name: 'evaluate: --bootstrap 1e12',
    argv: [...EVAL, '--bootstrap', '1e12'],
    code: 'ALLOT_OUT_OF_RANGE',
  },
  ...unwritable('evaluate', EVAL, '--out', 'json'),

  // ------------------------------------------------------------------ agents / serve (owned by the lead)
  {
    name: 'agents export: missing --agent',
    argv: ['agents', 'export', '--store', 'memory'],
    code: 'ALLOT_INVALID_ARGUMENT',
  },
  {
    name: 'agents export: unknown store scheme',
    argv: ['agents', 'export', '--store', 'bogus://x', '--agent', 'a'],
    code: 'ALLOT_(INVALID_ARGUMENT|UNKNOWN_OPTION|INVALID_CONFIG)',
  },
  {
    name: 'agents export: sqlite store under a regular file',
    argv: ['agents', 'export', '--store', 'sqlite:@/afile/db.sqlite', '--agent', 'a'],
    code: 'ALLOT_(IO_ERROR|FILE_NOT_FOUND)',
  },
  { name: 'serve: --port abc', argv: ['serve', '--port', 'abc'], code: 'ALLOT_INVALID_ARGUMENT' },
  { name: 'serve: --port 70000', argv: ['serve', '--port', '70000'], code: 'ALLOT_OUT_OF_RANGE' },
  {
    name: 'serve: --auth /dev/zero',
    argv: ['serve', '--port', '0', '--auth', '/dev/zero'],
    code: 'ALLOT_FILE_NOT_FOUND',
  },
  {
    name: 'serve: --auth truncated JSON',
    argv: ['serve', '--port', '0', '--auth', '@/trunc.json'],
    code: 'ALLOT_PARSE_ERROR',
  },
  {
    name: 'serve: --store bogus',
    argv: ['serve', '--port', '0', '--store', 'bogus://x'],
    code: 'ALLOT_(INVALID_ARGUMENT|UNKNOWN_OPTION|INVALID_CONFIG)',
  },

  // ------------------------------------------------------------------ reproduce
  { name: 'reproduce: unknown domain', argv: ['reproduce', 'nope'], code: 'ALLOT_UNKNOWN_OPTION' },
  { name: 'reproduce: --seed -1', argv: ['reproduce', 'dp', '--seed', '-1'], code: 'ALLOT_OUT_OF_RANGE' },
  {
    name: 'reproduce: --out under a regular file',
    argv: ['reproduce', 'dp', '--smoke', '--out', '@/afile/r'],
    code: 'ALLOT_IO_ERROR',
  },
  {
    name: 'reproduce: --out under /proc',
    argv: ['reproduce', 'dp', '--smoke', '--out', '/proc/r'],
    code: 'ALLOT_IO_ERROR',
  },
];

describe('bad input keeps the error contract on every command (built CLI, batched)', () => {
  const results = new Map<number, CaseResult>();
  const dirs: string[] = [];

  beforeAll(async () => {
    expect(existsSync(MAIN), 'run `npm run build` first: this suite drives the built CLI').toBe(true);
    // One folder for all cases (they run one after another; each is checked for changes to it).
    const dir = tempDir('allot-bad-');
    makeInputs(dir);
    for (const c of CASES)
      for (const [name, body] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), body);
    dirs.push(dir);
    const { execFileSync } = await import('node:child_process');
    try {
      // stat on a FIFO must not block (opening one would).
      execFileSync('mkfifo', [join(dir, 'fifo')]);
    } catch {
      // no mkfifo: the FIFO case then sees a missing file, which is still FILE_NOT_FOUND
    }
    const jobs = CASES.map((c, index) => ({
      index,
      cwd: dir,
      argv: c.argv.map((a) => a.replaceAll('@/', `${dir}/`)),
    }));
    for (const [k, v] of await runBatch(jobs)) results.set(k, v);
  }, 240_000);

  CASES.forEach((c, index) => {
    const body = (): void => {
      const r = results.get(index);
      expect(r, 'no result: the batch never reached this case').toBeDefined();
      expect(r!.status, `the case ${r!.status} (killed after no progress, or crashed)`).toBe('ok');
      const lines = r!.stderr.split('\n').filter((l) => l !== '');
      expect(lines, `stderr: ${r!.stderr}`).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^allot: ${c.code}: \\S.*$`));
      if (c.msg !== undefined) expect(lines[0]!.replace(/^allot: [A-Z_]+: /, '')).toMatch(c.msg);
      expect(r!.exit).toBe(2);
      expect(r!.stdout).toBe('');
      // Nothing written, removed or changed in the folder (read-only file keeps content and mode).
      expect(r!.after).toBe(r!.before);
    };
    if (c.fails !== undefined) {
      // Known failure, reason in c.fails: the owner of the command has not finished; remove `fails` once it passes.
      it.fails(`${c.name} [known failure: ${c.fails}]`, body);
    } else {
      it(c.name, body);
    }
  });

  it('the read-only target keeps its content', () => {
    for (const d of dirs) {
      if (d === undefined) continue;
      expect(readFileSync(join(d, 'ro.json'), 'utf8')).toBe('{"keep": true}\n');
      expect(statSync(join(d, 'ro.json')).mode & 0o777).toBe(0o444);
    }
  });

  it('covers every command of the CLI', () => {
    const names = new Set(CASES.map((c) => c.argv.slice(0, 2).join(' ')));
    for (const cmd of [
      'dp solve',
      'dp tauchen',
      'dp simulate',
      'forecast allocate',
      'forecast score',
      'budget oracle',
      'budget simulate',
      'rank simulate',
      'rank bias',
      'explore simulate',
      'agents export',
    ]) {
      expect(names.has(cmd), cmd).toBe(true);
    }
    const first = new Set(CASES.map((c) => c.argv[0]));
    for (const cmd of ['evaluate', 'serve', 'reproduce']) expect(first.has(cmd), cmd).toBe(true);
    expect(relative(REPO_ROOT, MAIN)).toBe(join('dist', 'cli', 'main.js'));
    expect(readdirSync(join(REPO_ROOT, 'dist', 'cli')).includes('main.js')).toBe(true);
  });
});

/**
 * `allot evaluate` through the CLI: RESULT.json on an OBD-layout log, one-line errors for bad input, and off-policy
 * evaluation of an allot agent end to end: a decision service (SQLite) logs an epsilon-greedy agent on a seeded
 * 5-arm Bernoulli simulator, `allot agents export` writes its log, `allot agents snapshot` a different (Thompson
 * sampling) agent, `allot evaluate` estimates that agent's value from the log, and the estimate is compared with the
 * value the agent earns online on the same simulator.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentFromSnapshot, decideAgent, eventRng } from '../../src/bandits/agent/index.js';
import { createRng } from '../../src/core/rng.js';
import { createApp } from '../../src/serve/app.js';
import { openStore } from '../../src/serve/open-store.js';
import { runCli, runMain, tempDir } from '../helpers/cli.js';

const HEADER = ',timestamp,item_id,position,click,propensity_score,user_feature_0';

/** A uniform-logged OBD-layout log over 4 items and 2 positions; item 3 is clicked most. */
function obdLog(n: number): string {
  const rng = createRng(5);
  const ctr = [0.05, 0.1, 0.15, 0.4];
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    const item = rng.int(4);
    lines.push(
      `${i},2019-11-24 00:00:${String(i).padStart(6, '0')}+00:00,${item},${1 + (i % 2)},${rng.uniform() < ctr[item]! ? 1 : 0},0.25,${i % 3 === 0 ? 'a' : 'b'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('allot evaluate', () => {
  const dir = tempDir();
  const log = join(dir, 'log.csv');
  writeFileSync(log, obdLog(2000));
  const greedy = join(dir, 'greedy.json');
  writeFileSync(greedy, JSON.stringify({ type: 'epsilon-greedy', ranking: ['3', '2'], epsilon: 0.2 }));

  it('writes RESULT.json with every estimate, its se and 95% interval, and the weight diagnostics', {
    timeout: 120_000,
  }, () => {
    const out = join(dir, 'result.json');
    const r = runCli([
      'evaluate',
      '--log',
      log,
      '--format',
      'obd',
      '--policy',
      greedy,
      '--bootstrap',
      '200',
      '--seed',
      '1',
      '--out',
      out,
      '--slate',
      'pi',
    ]);
    expect(r.stderr).toContain('ipw');
    expect(r.code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.n).toBe(2000);
    for (const k of ['dm', 'ipw', 'snipw', 'dr', 'sndr', 'switch-dr', 'dros', 'slate-pi']) {
      const e = j.estimates[k];
      expect(e.value).toEqual(expect.any(Number));
      expect(e.se).toEqual(expect.any(Number));
      expect(e.ci95[0]).toBeLessThanOrEqual(e.ci95[1]);
    }
    expect(Object.keys(j.diagnostics)).toEqual(expect.arrayContaining(['ess', 'maxWeight', 'zeroSupport']));
    // Truth of the target: 0.8 on the greedy item (3 at position 0, 2 at position 1) + 0.2 uniform; positions alternate.
    const truth = 0.5 * (0.8 * 0.4 + 0.2 * 0.175) + 0.5 * (0.8 * 0.15 + 0.2 * 0.175);
    expect(Math.abs(j.estimates.ipw.value - truth)).toBeLessThan(4 * j.estimates.ipw.se);
  });

  it('one line and exit 2 for bad input, and no output file', { timeout: 300_000 }, async () => {
    const out = join(dir, 'bad.json');
    const bad = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: [string[], RegExp][] = [
      [
        ['--log', bad('nocol.csv', ',item_id,position,click\n0,1,1,0\n'), '--policy', greedy],
        /ALLOT_MISSING_COLUMN: .*lacks column propensity_score/,
      ],
      [
        ['--log', bad('p.csv', `${HEADER}\n0,t,1,1,0,1.5,a\n`), '--policy', greedy],
        /ALLOT_OUT_OF_RANGE: .*propensity of row 0 must be in \(0, 1\] \(got 1.5\)/,
      ],
      [
        [
          '--log',
          log,
          '--policy',
          bad(
            'ad.json',
            JSON.stringify({
              type: 'action-dist',
              file: bad('d.csv', 'row,position,action,probability\n0,0,3,1\n1,1,2,1\n'),
            }),
          ),
        ],
        /ALLOT_INVALID_CONFIG: .*lacks log row 2 \(no probabilities at its position 0\)/,
      ],
      [
        [
          '--log',
          log,
          '--policy',
          bad(
            'ad2.json',
            JSON.stringify({
              type: 'action-dist',
              file: bad('d2.csv', 'row,position,action,probability\n0,0,3,0.5\n0,0,2,0.3\n'),
            }),
          ),
        ],
        /ALLOT_INVALID_CONFIG: .*sum to 0.8, not 1/,
      ],
      [
        [
          '--log',
          log,
          '--policy',
          bad(
            'bts.json',
            JSON.stringify({
              type: 'bernoulli-ts',
              alpha: [1, 1, 1, 1],
              beta: [1, 1, 1, 1],
              positions: 1,
              simulations: 100,
            }),
          ),
        ],
        /ALLOT_OUT_OF_RANGE: log row 1 is at position 1, beyond the bernoulli-ts policy's 1 position/,
      ],
      [
        ['--log', log, '--policy', bad('x.json', '{"type":"oracle"}')],
        /ALLOT_UNKNOWN_OPTION: policy.type must be one of/,
      ],
      [['--log', log, '--policy', greedy, '--estimators', 'ipw,magic'], /ALLOT_UNKNOWN_OPTION: --estimators/],
    ];
    for (const [args, re] of cases) {
      // In this process (the built CLI's main()): seven spawns cost more than the checks.
      const r = await runMain(['evaluate', ...args, '--bootstrap', '0', '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('off-policy evaluation of an allot agent from a service log', () => {
  it("estimates a Thompson agent from an epsilon-greedy agent's exported log within 3 standard errors of its online value", {
    timeout: 900_000,
  }, async () => {
    const dir = tempDir();
    const db = join(dir, 'allot.db');
    const means = [0.2, 0.35, 0.5, 0.6, 0.75];
    const arms = means.map((_, i) => `arm${i}`);
    const store = await openStore(`sqlite:${db}`);
    const app = await createApp({ store, pollMs: 0, sweepMs: 0, web: false });
    const sim = createRng(11);
    const call = async (method: 'PUT' | 'POST', url: string, payload: unknown) => {
      const r = await app.inject({ method, url, payload: payload as Record<string, unknown> });
      expect(r.statusCode).toBeLessThan(300);
      return r.json();
    };
    const play = async (agent: string, rounds: number) => {
      for (let t = 0; t < rounds; t++) {
        const d = await call('POST', `/v1/agents/${agent}/decide`, { eventId: `${agent}-${t}` });
        const a = arms.indexOf(d.actions[0]);
        await call('POST', `/v1/agents/${agent}/rewards`, {
          eventId: d.eventId,
          reward: sim.uniform() < means[a]! ? 1 : 0,
        });
      }
    };
    await call('PUT', '/v1/agents/logger', {
      policy: { type: 'epsilon-greedy', epsilon: 0.5 },
      arms,
      seed: 1,
    });
    await play('logger', 3000);
    // Few propensity samples: the online run below only needs the agent's choices (its logged propensities are unused).
    await call('PUT', '/v1/agents/target', {
      policy: { type: 'thompson', propensitySamples: 10 },
      arms,
      seed: 2,
    });
    await play('target', 60);
    await app.close();
    await store.close();

    const logPath = join(dir, 'log.ndjson');
    const snapPath = join(dir, 'snapshot.json');
    let r = runCli([
      'agents',
      'export',
      '--store',
      `sqlite:${db}`,
      '--agent',
      'logger',
      '--format',
      'ndjson',
      '--out',
      logPath,
    ]);
    expect(r.stderr).toBe(r.code === 0 ? r.stderr : '');
    expect(r.code).toBe(0);
    r = runCli(['agents', 'snapshot', '--store', `sqlite:${db}`, '--agent', 'target', '--out', snapPath]);
    expect(r.code).toBe(0);

    // The target's value online: the frozen snapshot decides on the same simulator.
    const snap = JSON.parse(readFileSync(snapPath, 'utf8'));
    const rt = agentFromSnapshot(snap);
    const online = createRng(12);
    const M = 20_000;
    let sum = 0;
    for (let t = 0; t < M; t++) {
      const d = decideAgent(rt, {}, eventRng(99, `online-${t}`));
      sum += online.uniform() < means[d.actions[0]!]! ? 1 : 0;
    }
    const truth = sum / M;
    const truthSe = Math.sqrt((truth * (1 - truth)) / M);

    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({ type: 'agent', snapshot: 'snapshot.json', simulations: 20_000, seed: 1 }),
    );
    const out = join(dir, 'result.json');
    r = runCli([
      'evaluate',
      '--log',
      logPath,
      '--format',
      'allot',
      '--policy',
      policy,
      '--bootstrap',
      '200',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    const res = JSON.parse(readFileSync(out, 'utf8'));
    expect(res.n).toBe(3000);
    const loggerValue =
      readFileSync(logPath, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).reward as number)
        .reduce((a, b) => a + b, 0) / 3000;
    // The two agents differ by more than the estimates' error, so the check can fail.
    expect(Math.abs(truth - loggerValue)).toBeGreaterThan(3 * res.estimates.ipw.se);
    for (const k of ['ipw', 'snipw', 'dr', 'sndr', 'dros']) {
      const e = res.estimates[k];
      expect(Math.abs(e.value - truth)).toBeLessThan(3 * Math.sqrt(e.se ** 2 + truthSe ** 2));
    }
  });
});

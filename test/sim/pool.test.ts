import { describe, expect, it } from 'vitest';
import { type PoolStats, runReplications } from '../../src/sim/pool.js';
import { runReplicationsSync } from '../../src/sim/replicate.js';
import { failAtThree, sumUniforms } from './jobs.fixture.js';

const JOB = { module: new URL('./jobs.fixture.ts', import.meta.url).href, name: 'sumUniforms' };

describe('replication runner', () => {
  it('gives identical results, in index order, for 1 or 2 workers and in the single-threaded runner', async () => {
    const opts = { runs: 23, seed: 5 };
    const sync = runReplicationsSync(sumUniforms, { n: 100 }, opts);
    const one = await runReplications(JOB, { n: 100 }, { ...opts, workers: 1 });
    const two = await runReplications(JOB, { n: 100 }, { ...opts, workers: 2, chunk: 3 });
    expect(one).toEqual(sync);
    expect(two).toEqual(sync);
    expect(two.map((r) => (r as { index: number }).index)).toEqual([...Array(23).keys()]);
  });

  it('reports progress up to the total', async () => {
    const seen: number[] = [];
    await runReplications(JOB, { n: 10 }, { runs: 6, seed: 1, workers: 2, onProgress: (d) => seen.push(d) });
    expect(seen.at(-1)).toBe(6);
  });

  it('different seeds give different results', () => {
    const a = runReplicationsSync(sumUniforms, { n: 10 }, { runs: 2, seed: 1 });
    const b = runReplicationsSync(sumUniforms, { n: 10 }, { runs: 2, seed: 2 });
    expect(a).not.toEqual(b);
  });

  it('rethrows a replication user error with its code from a worker', async () => {
    const job = { module: JOB.module, name: 'failAtThree' };
    await expect(runReplications(job, null, { runs: 6, seed: 1, workers: 2 })).rejects.toMatchObject({
      code: 'ALLOT_OUT_OF_RANGE',
    });
    expect(() => runReplicationsSync(failAtThree, null, { runs: 6, seed: 1 })).toThrow(/replication 3/);
  });

  it('fills stats: per-worker busy time within the wall time, and every replication counted once', async () => {
    const stats: PoolStats = { wallMs: 0, busyMs: [], done: [] };
    const out = await runReplications(JOB, { n: 1000 }, { runs: 9, seed: 2, workers: 2, chunk: 1, stats });
    expect(out).toHaveLength(9);
    expect(stats.busyMs).toHaveLength(2);
    expect(stats.done.reduce((a, b) => a + b, 0)).toBe(9);
    for (const b of stats.busyMs) {
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThanOrEqual(stats.wallMs);
    }
    const one: PoolStats = { wallMs: 0, busyMs: [], done: [] };
    await runReplications(JOB, { n: 10 }, { runs: 3, seed: 2, workers: 1, stats: one });
    expect(one.done).toEqual([3]);
    expect(one.busyMs[0]).toBeLessThanOrEqual(one.wallMs);
  });
});

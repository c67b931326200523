import { describe, expect, it } from 'vitest';
import { runReplications } from '../../src/sim/pool.js';
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
});

/** Core kernels: RNG throughput and the Sherman–Morrison update against a fresh inverse. */
import { addOuter, identity, invertSpd, shermanMorrisonUpdate } from '../src/core/linalg.js';
import { createRng } from '../src/core/rng.js';
import { compare, consume, measure, type Reporter } from './harness.js';

export async function run(report: Reporter): Promise<void> {
  const rng = createRng(1);
  report.row({
    suite: 'core',
    name: 'rng.uniform()',
    value: measure('u', () => rng.uniform()).nsPerOp,
    unit: 'ns/op',
  });
  report.row({
    suite: 'core',
    name: 'rng.normal()',
    value: measure('n', () => rng.normal()).nsPerOp,
    unit: 'ns/op',
  });
  const d = 65;
  const a = identity(d);
  const ainv = identity(d);
  const x = new Float64Array(d).map(() => rng.normal() / 8);
  const work = new Float64Array(d);
  const c = compare(
    {
      name: 'invert',
      fn: () => {
        addOuter(d, a, x, 1e-9);
        return invertSpd(d, a)[0];
      },
    },
    {
      name: 'sherman-morrison',
      fn: () => {
        consume(shermanMorrisonUpdate(d, ainv, x, 1e-9, work));
      },
    },
    { batches: 9 },
  );
  report.row({
    suite: 'core',
    name: `Sherman–Morrison update, d=${d}`,
    value: c.candidate.nsPerOp / 1e3,
    unit: 'µs/op',
  });
  report.row({
    suite: 'core',
    name: `  vs. full inverse by Cholesky, d=${d} (speed-up)`,
    value: c.speedup,
    unit: 'x',
    note: `load ${c.candidate.load.toFixed(2)}`,
  });
}

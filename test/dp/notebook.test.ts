/**
 * The cake-eating notebook's printed numbers (shared/reference/dp-notebook.json), reproduced by the scipy-faithful
 * interpolation and minimiser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createInterpolant,
  evaluateInterpolant,
  linspace,
  minimizeBounded,
  solveCakeEating,
} from '../../src/dp/index.js';
import { SHARED } from '../helpers/cli.js';

interface Ref {
  first_step_deterministic: {
    grid_index: number;
    W_init: number;
    W_prime: number;
    V_new: number;
    V_guess_at_index: number;
    function_evaluations: number;
  };
  distance_sequence_deterministic_first_24: number[];
  iid_shocks: { eps: number[]; prob: number[]; distance_sequence_first_24: number[] };
  markov_shocks: {
    eps: number[];
    transition: number[][];
    distance_sequence: number[];
    iterations: number;
    beta_that_reproduces_the_printed_run: number;
  };
}
const REF = JSON.parse(readFileSync(join(SHARED, 'reference', 'dp-notebook.json'), 'utf8')) as Ref;

/** Relative error |a - b| / |b|. */
function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

describe('the notebook first step (In [5]: W_init = W_vec[10], V_t = log W)', () => {
  const f = REF.first_step_deterministic;
  const W = linspace(0.1, 10, 30);
  const V = W.map(Math.log);
  const s = createInterpolant(W, V, { kind: 'cubic', extrapolation: 'extrapolate' });
  const gamma = 2.2;
  const beta = 0.9;
  const w0 = W[f.grid_index]!;
  const r = minimizeBounded(
    (wp) => {
      const c = w0 - wp;
      return -((c ** (1 - gamma) - 1) / (1 - gamma) + beta * evaluateInterpolant(s, wp));
    },
    1e-10,
    w0 - 1e-10,
  );

  it('uses the same grid point', () => {
    expect(w0).toBe(f.W_init);
  });
  it("finds W' = 2.05675794339993 to 1e-12", () => {
    expect(Math.abs(r.x - f.W_prime)).toBeLessThan(1e-12);
  });
  it('finds V = 0.9519492043004409 to 1e-12', () => {
    expect(Math.abs(-r.fun - f.V_new)).toBeLessThan(1e-12);
  });
  it('uses exactly 10 function evaluations and reports success', () => {
    expect(r.nfev).toBe(f.function_evaluations);
    expect(r.success).toBe(true);
  });
  it('gives the same point in the first iteration of the full solve', () => {
    const sol = solveCakeEating({ stop: { maxIterations: 1 } });
    expect(Math.abs(sol.policy[f.grid_index]! - f.W_prime)).toBeLessThan(1e-12);
    expect(Math.abs(sol.value[f.grid_index]! - f.V_new)).toBeLessThan(1e-12);
    expect(sol.converged).toBe(false);
    expect(sol.iterations).toBe(1);
  });
});

describe('the printed distance sequences (every printed value to 1e-8 relative)', () => {
  const eps = REF.iid_shocks.eps;

  it('deterministic run (In [14]): the 24 printed distances, then convergence below 1e-8', () => {
    const sol = solveCakeEating({});
    const seq = REF.distance_sequence_deterministic_first_24;
    expect(sol.distances.length).toBeGreaterThanOrEqual(seq.length);
    for (let i = 0; i < seq.length; i++) expect(rel(sol.distances[i]!, seq[i]!)).toBeLessThan(1e-8);
    expect(sol.converged).toBe(true);
    expect(sol.distances.at(-1)!).toBeLessThanOrEqual(1e-8);
  });

  it('i.i.d. shocks (section 3): the 24 printed distances', () => {
    const sol = solveCakeEating({
      shocks: { values: eps, probabilities: REF.iid_shocks.prob },
      stop: { maxIterations: 24 },
    });
    const seq = REF.iid_shocks.distance_sequence_first_24;
    expect(sol.iterations).toBe(24);
    for (let i = 0; i < seq.length; i++) expect(rel(sol.distances[i]!, seq[i]!)).toBeLessThan(1e-8);
  });

  it('Markov shocks (In [33]) with beta = 0.3: all 14 printed distances and exactly 14 iterations', () => {
    const m = REF.markov_shocks;
    const sol = solveCakeEating({
      beta: m.beta_that_reproduces_the_printed_run,
      shocks: { values: m.eps, transition: m.transition },
    });
    expect(sol.iterations).toBe(m.iterations);
    expect(sol.converged).toBe(true);
    for (let i = 0; i < m.distance_sequence.length; i++) {
      expect(rel(sol.distances[i]!, m.distance_sequence[i]!)).toBeLessThan(1e-8);
    }
  });

  it('Markov shocks as written (beta = 0.9) match only the first printed distance and need far more iterations', () => {
    const m = REF.markov_shocks;
    const sol = solveCakeEating({ shocks: { values: m.eps, transition: m.transition } });
    expect(rel(sol.distances[0]!, m.distance_sequence[0]!)).toBeLessThan(1e-8);
    expect(rel(sol.distances[1]!, m.distance_sequence[1]!)).toBeGreaterThan(0.5);
    expect(sol.iterations).toBeGreaterThan(100);
  });
});

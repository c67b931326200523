/** Chart specs of a cake-eating solution: the value function and the policy (with the 45-degree line). */
import { type ChartSpec, lineChart, type Series } from '../core/chart.js';
import type { CakeSolution } from './cake.js';

function shockName(sol: CakeSolution, j: number): string {
  const v = sol.problem.shocks?.values[j];
  return v === undefined ? 'V' : `eps${j + 1} = ${v}`;
}

function columns(sol: CakeSolution, data: Float64Array, fallback: string): Series[] {
  const n = sol.grid.length;
  const S = sol.nShocks;
  const out: Series[] = [];
  for (let j = 0; j < S; j++) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = data[i * S + j]!;
    out.push({ name: S === 1 && sol.problem.shocks === null ? fallback : shockName(sol, j), x: sol.grid, y });
  }
  return out;
}

/**
 * The value function V(W, eps) over the grid, one line per shock state.
 *
 * @param sol - a solution.
 * @param title - chart title (default 'Value function V(W)').
 * @returns a Vega-Lite spec.
 */
export function valueChart(sol: CakeSolution, title?: string): ChartSpec {
  return lineChart({
    title: title ?? (sol.problem.shocks === null ? 'Value function V(W)' : 'Value function V(W, eps)'),
    xLabel: 'Cake size W',
    yLabel: 'Value function V',
    series: columns(sol, sol.value, 'V(W)'),
    points: sol.grid.length <= 60,
  });
}

/**
 * The policy W' = psi(W, eps) over the grid, one line per shock state, with the dashed 45-degree line.
 *
 * @param sol - a solution.
 * @param title - chart title.
 * @returns a Vega-Lite spec.
 */
export function policyChart(sol: CakeSolution, title?: string): ChartSpec {
  const g = sol.grid;
  const diag: Series = {
    name: '45-degree line',
    x: [g[0]!, g[g.length - 1]!],
    y: [g[0]!, g[g.length - 1]!],
    dashed: true,
  };
  return lineChart({
    title:
      title ??
      (sol.problem.shocks === null
        ? "Cake size tomorrow W' = psi(W)"
        : "Cake size tomorrow W' = psi(W, eps)"),
    xLabel: 'Cake size W',
    yLabel: "Policy W' = psi(W)",
    series: [...columns(sol, sol.policy, 'psi(W)'), diag],
    points: sol.grid.length <= 60,
  });
}

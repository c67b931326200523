/** The `personalizer` learner: feature flattening and hashing, exact epsilon-greedy probabilities, learning. */
import { describe, expect, it } from 'vitest';
import {
  createPersonalizerModel,
  decidePersonalizer,
  epsilonGreedyProbabilities,
  learnPersonalizer,
  normalizePersonalizerPolicy,
  type PersonalizerContext,
  personalizerScores,
  validatePersonalizerFeatures,
} from '../../../src/bandits/agent/personalizer.js';
import { createRng } from '../../../src/core/rng.js';

const params = normalizePersonalizerPolicy({ type: 'personalizer' });
const ctx = (over: Partial<PersonalizerContext> = {}): PersonalizerContext => ({
  contextFeatures: [{ user: { segment: 'a', age: 30 } }],
  actions: [
    { id: 'x', features: [{ topic: 'news' }] },
    { id: 'y', features: [{ topic: 'sports' }] },
    { id: 'z', features: [] },
  ],
  mode: 'Online',
  epsilon: 0.2,
  ...over,
});

describe('personalizer learner', () => {
  it('fills the defaults and refuses unknown parameters', () => {
    expect(params).toEqual({ type: 'personalizer', bits: 8, lambda: 1, interactions: 'quadratic' });
    expect(() => normalizePersonalizerPolicy({ type: 'personalizer', bits: 11 })).toThrow(/bits/);
    expect(() => normalizePersonalizerPolicy({ type: 'personalizer', epsilon: 0.1 })).toThrow(
      /not a parameter/,
    );
  });

  it('gives epsilon/n + (1 - epsilon)/m to the m tied best and epsilon/n to the others', () => {
    const p = epsilonGreedyProbabilities(Float64Array.from([1, 3, 3, 0]), 0.2);
    expect(Array.from(p)).toEqual([0.05, 0.05 + 0.4, 0.05 + 0.4, 0.05]);
    expect(Array.from(epsilonGreedyProbabilities(Float64Array.from([2, 2]), 0))).toEqual([0.5, 0.5]);
  });

  it('learns that the rewarded action is better in its context, not in another', () => {
    const model = createPersonalizerModel(params);
    for (let i = 0; i < 30; i++) {
      learnPersonalizer(model, ctx(), ['y'], [1]);
      learnPersonalizer(model, ctx(), ['x'], [0]);
      const other = ctx({ contextFeatures: [{ user: { segment: 'b', age: 30 } }] });
      learnPersonalizer(model, other, ['x'], [1]);
      learnPersonalizer(model, other, ['y'], [0]);
    }
    const s = personalizerScores(model, ctx(), -1, [0, 1]);
    expect(s[1]!).toBeGreaterThan(s[0]! + 0.5);
    const t = personalizerScores(
      model,
      ctx({ contextFeatures: [{ user: { segment: 'b', age: 30 } }] }),
      -1,
      [0, 1],
    );
    expect(t[0]!).toBeGreaterThan(t[1]! + 0.5);
  });

  it('decides with the exact probability of the chosen action, deterministically from the stream', () => {
    const model = createPersonalizerModel(params);
    learnPersonalizer(model, ctx(), ['z'], [1]);
    const a = decidePersonalizer(model, ctx(), createRng(5));
    const b = decidePersonalizer(model, ctx(), createRng(5));
    expect(a).toEqual(b);
    const total = a.ranking.reduce((s, r) => s + r.probability, 0);
    expect(total).toBeCloseTo(1, 12);
    expect(a.ranking.find((r) => r.index === 2)!.probability).toBeCloseTo(0.2 / 3 + 0.8, 12);
    expect(a.propensities[0]).toBe(a.ranking[0]!.probability);
  });

  it('fills slots without repeating actions and honours exclusions', () => {
    const model = createPersonalizerModel(params);
    const c = ctx({
      slots: [
        { id: 's1', baselineAction: 'x' },
        { id: 's2', baselineAction: 'y', excludedActions: ['z'] },
      ],
    });
    for (let seed = 0; seed < 50; seed++) {
      const d = decidePersonalizer(model, c, createRng(seed));
      expect(new Set(d.chosen).size).toBe(2);
      expect(d.chosen[1]).not.toBe(2);
    }
    expect(decidePersonalizer(model, { ...c, mode: 'Apprentice' }, createRng(1)).chosen).toEqual([0, 1]);
  });

  it('refuses malformed features', () => {
    expect(() => validatePersonalizerFeatures([1], 'contextFeatures')).toThrow(/JSON object/);
    expect(() => validatePersonalizerFeatures({ a: 1 }, 'contextFeatures')).toThrow(/array/);
    expect(() => validatePersonalizerFeatures([{ a: Number.NaN }], 'contextFeatures')).toThrow(/finite/);
    expect(() => validatePersonalizerFeatures([{ a: [1, 'x', { b: true }] }], 'c')).not.toThrow();
  });
});

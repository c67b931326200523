import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../src/core/recent-map.js';
import { fc, test } from '../helpers/fast-check.js';

describe('RecentMap', () => {
  test.prop([
    fc.integer({ min: 1, max: 50 }),
    fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 400 }),
  ])(
    'keeps at least the last `generation` keys set, at most twice that, with their latest values',
    (gen, keys) => {
      const m = new RecentMap<number, number>(gen);
      for (let i = 0; i < keys.length; i++) m.set(keys[i]!, i);
      expect(m.size).toBeLessThan(2 * gen);
      // The last `gen` sets are all there with the value of their latest set.
      const tail = keys.slice(-gen);
      for (const k of tail) expect(m.get(k)).toBe(keys.lastIndexOf(k));
    },
  );

  test.prop([
    fc.integer({ min: 1, max: 60 }),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 20 })), { maxLength: 300 }),
  ])(
    'with weights: keeps the last sets worth at least `generation` units, and drops old ones',
    (gen, sets) => {
      const m = new RecentMap<number, number>(gen);
      for (let i = 0; i < sets.length; i++) m.set(sets[i]![0], i, sets[i]![1]);
      // The most recent sets whose weights sum below `gen` are all there with their latest values.
      let w = 0;
      for (let i = sets.length - 1; i >= 0; i--) {
        w += sets[i]![1];
        if (w >= gen) break;
        expect(m.get(sets[i]![0])).toBe(sets.map((s) => s[0]).lastIndexOf(sets[i]![0]));
      }
      // Every value held was set within the last (2 × gen + 2 × 20) units of weight (two generations, each at most
      // one set beyond its capacity).
      let back = 0;
      const recent = new Set<number>();
      for (let i = sets.length - 1; i >= 0 && back < 2 * gen + 40; i--) {
        back += sets[i]![1];
        recent.add(sets[i]![0]);
      }
      for (let k = 0; k <= 300; k++) if (m.get(k) !== undefined) expect(recent.has(k)).toBe(true);
    },
  );

  it('forgets keys two generations old, deletes, and keeps an undefined value in the young generation', () => {
    const m = new RecentMap<string, number | undefined>(2);
    m.set('a', 1);
    m.set('b', 2); // young is full: a, b become the old generation
    m.set('c', 3);
    expect(m.get('a')).toBe(1);
    m.set('d', 4); // c, d old; a, b dropped
    expect(m.get('a')).toBeUndefined();
    expect(m.get('c')).toBe(3);
    m.set('c', undefined);
    expect(m.get('c')).toBeUndefined();
    m.delete('d');
    expect(m.get('d')).toBeUndefined();
    m.set('x1', 1);
    m.deleteWhere((k) => k.startsWith('x'));
    expect(m.get('x1')).toBeUndefined();
  });
});

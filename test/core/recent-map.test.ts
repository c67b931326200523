import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../src/core/recent-map.js';

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

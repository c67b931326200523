import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import {
  candidateWeightsInto,
  createInteractionLog,
  createRecsysWorld,
  createRewardModel,
  drawAvailable,
  drawCandidates,
  drawCandidatesWeighted,
  drawSessions,
  itemOrderInto,
  OUTCOME_COMPLETE,
  OUTCOME_LOOP,
  OUTCOME_SKIP,
  pickItem,
  pickItemOrdered,
  predictUser,
  respond,
  respondItem,
  sortByWeightInto,
  trainRewardModel,
} from '../../../src/sim/recsys/index.js';

/** A uniformly random permutation of 0..n-1. */
function shuffled(n: number, rng: ReturnType<typeof createRng>): Int32Array {
  const p = Int32Array.from({ length: n }, (_, j) => j);
  for (let j = n - 1; j > 0; j--) {
    const r = rng.int(j + 1);
    const x = p[j]!;
    p[j] = p[r]!;
    p[r] = x;
  }
  return p;
}

describe('recommender environment', () => {
  it('is reproducible from its seed and has relevance in (0, 1) and heavy- and light-user activity', () => {
    const a = createRecsysWorld({ users: 2000, topics: 30 }, createRng(1));
    const b = createRecsysWorld({ users: 2000, topics: 30 }, createRng(1));
    expect(Array.from(a.relevance.subarray(0, 50))).toEqual(Array.from(b.relevance.subarray(0, 50)));
    for (const r of a.relevance) expect(r > 0 && r < 1).toBe(true);
    const rates = Array.from(a.sessionRate).sort((x, y) => x - y);
    // Log-normal activity: the top 10 % of users have > 5x the median rate.
    expect(rates[1800]! / rates[1000]!).toBeGreaterThan(3);
  });

  it('draws a non-empty subset of topics per request, about half of them by default', () => {
    const w = createRecsysWorld({ users: 1, topics: 30, newTopics: 0 }, createRng(2));
    const rng = createRng(3);
    const out = new Int32Array(30);
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      const n = drawAvailable(w, rng, out);
      expect(n).toBeGreaterThan(0);
      for (let j = 1; j < n; j++) expect(out[j]!).toBeGreaterThan(out[j - 1]!);
      total += n;
    }
    expect(Math.abs(total / 2000 - 15)).toBeLessThan(0.3);
  });

  it('generates complete / loop / skip from the latent relevance (loop only after complete, skip only otherwise)', () => {
    const w = createRecsysWorld({ users: 1, topics: 2 }, createRng(4));
    w.relevance[0] = 0.8;
    w.relevance[1] = 0.1;
    const rng = createRng(5);
    const counts = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    for (let t = 0; t < 2; t++) {
      for (let i = 0; i < 20000; i++) {
        const o = respond(w, 0, t, rng);
        if (o & OUTCOME_COMPLETE) counts[t]![0]!++;
        if (o & OUTCOME_LOOP) counts[t]![1]!++;
        if (o & OUTCOME_SKIP) counts[t]![2]!++;
        expect((o & OUTCOME_LOOP) === 0 || (o & OUTCOME_COMPLETE) !== 0).toBe(true);
        expect((o & OUTCOME_SKIP) === 0 || (o & OUTCOME_COMPLETE) === 0).toBe(true);
      }
    }
    expect(counts[0]![0]! / 20000).toBeCloseTo(0.8, 1);
    expect(counts[0]![1]! / 20000).toBeCloseTo(0.8 * 0.5 * 0.8, 1); // loopScale 0.5
    expect(counts[1]![2]! / 20000).toBeCloseTo(0.9 * 0.6, 1); // skipIfIncomplete 0.6
    let s = 0;
    for (let i = 0; i < 5000; i++) s += drawSessions(w, 0, rng);
    expect(Math.abs(s / 5000 - w.sessionRate[0]!)).toBeLessThan(0.1 + 0.1 * w.sessionRate[0]!);
  });

  it('has an item layer: offsets drawn after the topic world, the best available item served, item relevance', () => {
    const base = { users: 300, topics: 30 };
    const one = createRecsysWorld({ ...base, itemsPerTopic: 1 }, createRng(9));
    const ten = createRecsysWorld({ ...base, itemsPerTopic: 10, itemSd: 0.5 }, createRng(9));
    // The topic world is the same for any number of items (items are drawn last); one item has offset 0.
    expect(ten.relevance).toEqual(one.relevance);
    expect(ten.sessionRate).toEqual(one.sessionRate);
    expect(one.itemOffset).toEqual(new Float64Array(30));
    expect(ten.itemOffset).toHaveLength(300);
    let ss = 0;
    for (const o of ten.itemOffset) ss += o * o;
    expect(Math.sqrt(ss / 300)).toBeGreaterThan(0.4);
    expect(Math.sqrt(ss / 300)).toBeLessThan(0.6);
    // pickItem: one uint32 per request (availability bits), the available item with the largest estimate.
    const est = new Float64Array(300);
    for (let m = 0; m < 300; m++) est[m] = m % 10; // item 9 of each topic is the best
    const r1 = createRng(4);
    const r2 = createRng(4);
    for (let t = 0; t < 200; t++) {
      const item = pickItem(ten, 7, est, r1);
      const bits = r2.uint32();
      expect(Math.floor(item / 10)).toBe(7);
      let best = -1;
      for (let j = 0; j < 10; j++) if ((bits >>> j) & 1) best = j;
      expect(item).toBe(70 + (best < 0 ? 9 : best));
    }
    expect(r1.uniform()).toBe(r2.uniform());
    // respondItem completes with probability logistic(logit + offset), consuming the same two uniforms as respond.
    const w = createRecsysWorld({ users: 1, topics: 2, itemsPerTopic: 2, itemSd: 0 }, createRng(1));
    w.logit[0] = 0;
    w.itemOffset.set([2, -2, 0, 0]);
    const rng = createRng(8);
    let c0 = 0;
    let c1 = 0;
    for (let t = 0; t < 20000; t++) {
      if (respondItem(w, 0, 0, rng) & OUTCOME_COMPLETE) c0++;
      if (respondItem(w, 0, 1, rng) & OUTCOME_COMPLETE) c1++;
    }
    expect(c0 / 20000).toBeCloseTo(1 / (1 + Math.exp(-2)), 1);
    expect(c1 / 20000).toBeCloseTo(1 / (1 + Math.exp(2)), 1);
  });

  it('picks the same item from the daily item order as pickItem from the estimates (ties to the lower index)', () => {
    for (const ipt of [1, 3, 10, 31, 32]) {
      const w = createRecsysWorld({ users: 2, topics: 5, itemsPerTopic: ipt }, createRng(ipt));
      const est = new Float64Array(5 * ipt);
      const order = new Int32Array(5 * ipt);
      const src = createRng(40 + ipt);
      for (let day = 0; day < 20; day++) {
        // Few distinct values, so equal estimates (ties) are common.
        for (let m = 0; m < est.length; m++) est[m] = src.int(4) / 4;
        itemOrderInto(w, est, order);
        const r1 = createRng(day);
        const r2 = createRng(day);
        for (let t = 0; t < 300; t++) {
          const topic = t % 5;
          expect(pickItemOrdered(w, topic, order, r2)).toBe(pickItem(w, topic, est, r1));
        }
        expect(r2.uniform()).toBe(r1.uniform());
      }
    }
  });

  it('sources the same candidates in the same order from precomputed weights (exponential race = Gumbel top-k)', () => {
    const K = 30;
    const w = createRecsysWorld({ users: 1, topics: K, candidates: 8, randomCandidates: 1 }, createRng(2));
    const score = new Float64Array(K);
    const keys = new Float64Array(K);
    const weights = new Float64Array(K);
    const a = new Int32Array(K);
    const b = new Int32Array(K);
    const top = new Float64Array(K);
    const order = Int32Array.from({ length: 2 * K }, (_, j) => j % K);
    const src = createRng(3);
    for (let t = 0; t < 2000; t++) {
      for (let k = 0; k < K; k++) {
        score[k] = 0.2 + 0.5 * src.uniform();
        w.launched[k] = k < 24 || src.uniform() < 0.5 ? 1 : 0;
      }
      const spread = 0.02 + 0.2 * src.uniform();
      expect(candidateWeightsInto(w, score, 0, spread, weights)).toBe(true);
      const r1 = createRng(100 + t);
      const r2 = createRng(100 + t);
      const n1 = drawCandidates(w, score, 0, spread, r1, keys, a);
      const n2 = drawCandidatesWeighted(w, weights, r2, keys, b, t % 2 === 0 ? top : undefined);
      expect(n2).toBe(n1);
      expect(Array.from(b.subarray(0, n2))).toEqual(Array.from(a.subarray(0, n1)));
      expect(r2.uniform()).toBe(r1.uniform());
      // Visiting the topics by weight (sorted from the previous draw's order, at an offset) or in a random order
      // gives the same candidates; a few equal weights test the ties.
      if (t % 5 === 0) weights[3] = weights[7]!;
      const r3 = createRng(100 + t);
      const r4 = createRng(100 + t);
      const n3 = drawCandidatesWeighted(w, weights, r3, keys, a, top);
      sortByWeightInto(w, weights, order, K);
      for (let j = 1; j < K; j++) {
        const prev = order[K + j - 1]!;
        const cur = order[K + j]!;
        if (w.launched[prev] === 1 && w.launched[cur] === 1)
          expect(weights[prev]!).toBeLessThanOrEqual(weights[cur]!);
        if (w.launched[prev] === 0) expect(w.launched[cur]).toBe(0);
      }
      const perm = t % 2 === 0 ? order : shuffled(K, src);
      const n4 = drawCandidatesWeighted(w, weights, r4, keys, b, top, perm, perm === order ? K : 0);
      expect(n4).toBe(n3);
      expect(Array.from(b.subarray(0, n4))).toEqual(Array.from(a.subarray(0, n3)));
      expect(r4.uniform()).toBe(r3.uniform());
    }
  });

  it('rejects bad settings with an error naming the field', () => {
    expect(() => createRecsysWorld({ users: 0 }, createRng(1))).toThrow(
      /users must be an integer >= 1 \(got 0\)/,
    );
    expect(() => createRecsysWorld({ topics: 0 }, createRng(1))).toThrow(
      /topics must be an integer in \[1, 1024\]/,
    );
    expect(() => createRecsysWorld({ itemsPerTopic: 0 }, createRng(1))).toThrow(
      /itemsPerTopic must be an integer in \[1, 32\] \(got 0\)/,
    );
    expect(() => createRecsysWorld({ itemSd: Number.NaN }, createRng(1))).toThrow(/itemSd/);
  });
});

describe('multi-task reward model', () => {
  // Logs from a rank-1 truth: rate(i, k) = 0.3 + 0.2 * s_i * t_k, each user shown topics 0..4 only except users in
  // the "explorers" group, who are shown every topic.
  function makeLog(explorers: number) {
    const U = 400;
    const K = 8;
    const log = createInteractionLog(U, K, 3);
    const rng = createRng(9);
    const s = Float64Array.from({ length: U }, (_, i) => (i % 2 ? 1 : -1));
    const t = Float64Array.from({ length: K }, (_, k) => (k % 2 ? 1 : -1));
    for (let i = 0; i < U; i++) {
      const topics = i < explorers ? K : 5;
      for (let k = 0; k < topics; k++) {
        const n = 40;
        const p = 0.3 + 0.2 * s[i]! * t[k]!;
        let y = 0;
        for (let j = 0; j < n; j++) if (rng.uniform() < p) y++;
        log.shown[i * K + k] = n;
        log.events[i * K + k] = y;
        log.shownTotal[i]! += n;
      }
    }
    return { log, s, t, U, K };
  }

  it('learns the shared structure and predicts unseen topics from other users', () => {
    // Users 200..399 never saw topics 5..7: their predictions there come from the shared part alone.
    const { log, s, t, U, K } = makeLog(200);
    const model = createRewardModel(3, K, { rank: 2, sweeps: 10 }, createRng(1), [0.3, 0.05, 0.4]);
    const factors = new Float64Array(U * 3 * 2);
    trainRewardModel(
      model,
      factors,
      log,
      Int32Array.from({ length: U }, (_, i) => i),
    );
    const preds = new Float64Array(3 * K);
    let err = 0;
    let n = 0;
    for (let i = 200; i < U; i++) {
      predictUser(model, factors, log, i, Float64Array.of(1, 0, 0), new Float64Array(U * K), preds);
      for (let k = 5; k < K; k++) {
        err += Math.abs(preds[k]! - (0.3 + 0.2 * s[i]! * t[k]!));
        n++;
      }
    }
    // The truth is +-0.2 around 0.3; a model that did not generalise would be off by 0.2 on average.
    expect(err / n).toBeLessThan(0.05);
  });

  it('leaks: exploration data of other users changes (improves) predictions for a user who never saw a topic', () => {
    // User 399 has seen topics 0..4 only. Compare its prediction for topics 5..7 when other users explored or not.
    const K = 8;
    const predict = (explorers: number) => {
      const { log, s, t, U } = makeLog(explorers);
      const model = createRewardModel(3, K, { rank: 2, sweeps: 10 }, createRng(1), [0.3, 0.05, 0.4]);
      const factors = new Float64Array(U * 3 * 2);
      trainRewardModel(
        model,
        factors,
        log,
        Int32Array.from({ length: U }, (_, i) => i),
      );
      const preds = new Float64Array(3 * K);
      predictUser(model, factors, log, 399, Float64Array.of(1, 0, 0), new Float64Array(U * K), preds);
      let e = 0;
      for (let k = 5; k < K; k++) e += Math.abs(preds[k]! - (0.3 + 0.2 * s[399]! * t[k]!));
      return e / 3;
    };
    const without = predict(0);
    const withExploration = predict(200);
    expect(withExploration).toBeLessThan(without - 0.05);
  });
});

/**
 * The contract every Store adapter keeps (memory, SQLite, Redis): one suite, run against each. Skips must state
 * their reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeAgentConfig } from '../../src/bandits/agent/index.js';
import {
  type DecisionEntry,
  type LogEntry,
  REQUEST_JSON,
  type RewardEntry,
  type SequencedEntry,
  type Store,
} from '../../src/store/store.js';

/** A skipped test with its reason. */
export interface ContractSkip {
  readonly test: string;
  readonly reason: string;
}

const config = normalizeAgentConfig({ policy: { type: 'ucb1' }, arms: ['a', 'b', 'c'], seed: 3 });
const other = normalizeAgentConfig({ policy: { type: 'ucb1', c: 0.5 }, arms: ['a', 'b', 'c'], seed: 3 });

const decision = (eventId: string, ts = 1000, action = 'a'): DecisionEntry => ({
  kind: 'decision',
  eventId,
  ts,
  version: 0,
  user: null,
  candidates: null,
  context: null,
  actions: [action],
  propensities: [1],
});
const reward = (d: DecisionEntry, value = 1, ts = 2000): RewardEntry => ({
  kind: 'reward',
  eventId: d.eventId,
  ts,
  reward: [value],
  cost: null,
  applied: true,
  isDefault: false,
  decision: d,
});

/** Runs the contract suite against stores made by `make` (a fresh, empty store per test). */
/**
 * An entry read from a log without its `seq`, and a reward's decision without the decision's own `seq` (an adapter
 * may attach it: the SQLite one shares the decision's entry); when present it must be below the reward's.
 */
const unsequenced = (e: SequencedEntry): LogEntry => {
  const { seq, ...rest } = e;
  if (rest.kind !== 'reward') return rest as LogEntry;
  const { seq: dseq, ...decision } = rest.decision as DecisionEntry & { seq?: number };
  if (dseq !== undefined) {
    expect(dseq).toBeGreaterThan(0);
    expect(dseq).toBeLessThan(seq);
  }
  return { ...rest, decision } as LogEntry;
};

export function runStoreContract(
  name: string,
  make: () => Promise<Store> | Store,
  opts: { skip?: readonly ContractSkip[] } = {},
): void {
  const skipped = new Map((opts.skip ?? []).map((s) => [s.test, s.reason]));
  const test = (title: string, fn: () => Promise<void>): void => {
    if (skipped.has(title)) it.skip(`${title} (skipped: ${skipped.get(title)})`, fn);
    else it(title, fn);
  };
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    test('creates an agent once, confirms the same config and refuses another', async () => {
      expect(await store.putAgent('t/a1', config, 5)).toBe('created');
      expect(await store.putAgent('t/a1', config, 6)).toBe('same');
      expect(await store.putAgent('t/a1', other, 7)).toBe('conflict');
      const rec = await store.getAgent('t/a1');
      expect(rec?.config).toEqual(config);
      expect(rec?.createdAt).toBe(5);
      expect(await store.getAgent('t/none')).toBeNull();
    });

    test('lists agents by tenant prefix, in id order', async () => {
      await store.putAgent('t/b', config, 1);
      await store.putAgent('t/a', config, 1);
      await store.putAgent('u/a', config, 1);
      expect((await store.listAgents('t/')).map((r) => r.id)).toEqual(['t/a', 't/b']);
      expect((await store.listAgents('u/')).map((r) => r.id)).toEqual(['u/a']);
    });

    test('appends decisions idempotently by event id and returns the stored one on a retry', async () => {
      await store.putAgent('t/a', config, 1);
      const d = decision('e1');
      const first = await store.appendDecision('t/a', d);
      expect(first?.existing).toBeNull();
      const again = await store.appendDecision('t/a', { ...d, actions: ['b'] });
      expect(again?.seq).toBe(first?.seq);
      expect(again?.existing?.actions).toEqual(['a']);
      expect(await store.getDecision('t/a', 'e1')).toEqual(d);
      expect(await store.getDecision('t/a', 'nope')).toBeNull();
      expect(await store.appendDecision('t/missing', d)).toBeNull();
    });

    test('joins one reward per event; a duplicate writes nothing; an unknown event is null', async () => {
      await store.putAgent('t/a', config, 1);
      const d = decision('e1');
      await store.appendDecision('t/a', d);
      const r1 = await store.appendReward('t/a', reward(d, 1));
      expect(r1?.duplicate).toBe(false);
      const before = await store.lastSeq('t/a');
      const r2 = await store.appendReward('t/a', reward(d, 0));
      expect(r2?.duplicate).toBe(true);
      expect(await store.lastSeq('t/a')).toBe(before);
      expect(await store.appendReward('t/a', reward(decision('ghost')))).toBeNull();
      const ev = await store.listEvents('t/a', 0, 10);
      expect(ev).toHaveLength(1);
      expect(ev[0]?.reward?.reward).toEqual([1]);
    });

    test('gives back the context of a decision logged with its request text (REQUEST_JSON)', async () => {
      await store.putAgent('t/a', config, 1);
      const context = { features: [0.25, -1.5e-7], actions: { b: { features: [1, 2], predictions: [0.5] } } };
      const request = JSON.stringify({ eventId: 'e-text', user: 'u9', context });
      const d: DecisionEntry = {
        ...decision('e-text', 1500, 'b'),
        user: 'u9',
        context,
        [REQUEST_JSON]: request,
      };
      const plain: DecisionEntry = { ...decision('e-text', 1500, 'b'), user: 'u9', context };
      const first = await store.appendDecision('t/a', d);
      expect(first?.existing).toBeNull();
      expect((await store.appendDecision('t/a', d))?.existing).toEqual(plain);
      expect(await store.getDecision('t/a', 'e-text')).toEqual(plain);
      await store.appendReward('t/a', reward(d, 1, 1600));
      const log = await store.readLog('t/a', 0, 10);
      expect(log.map(unsequenced)).toEqual([plain, reward(plain, 1, 1600)]);
      const ev = await store.listEvents('t/a', 0, 10);
      expect(ev.map((e) => [e.decision, e.reward])).toEqual([[plain, reward(plain, 1, 1600)]]);
    });

    test('gives back every field of decisions and rewards, the optional ones included', async () => {
      await store.putAgent('t/a', config, 1);
      const full: DecisionEntry = {
        kind: 'decision',
        eventId: 'e-full',
        ts: 1001,
        version: 4,
        user: 'u1',
        candidates: ['a', 'c'],
        context: { features: [1, 2.5, 0, -1e-300], actions: { c: { features: [0.5] } } },
        actions: ['c'],
        propensities: [0.25],
        group: 'test',
        experiment: 'x1',
      };
      const bare = decision('e-bare', 1002, 'b');
      const late: RewardEntry = { ...reward(full, 0.5, 3000), cost: [0.75], applied: false };
      const dflt: RewardEntry = { ...reward(bare, 0, 3001), isDefault: true };
      for (const d of [full, bare]) await store.appendDecision('t/a', d);
      for (const r of [late, dflt]) await store.appendReward('t/a', r);
      const log = await store.readLog('t/a', 0, 10);
      expect(log.map(unsequenced)).toEqual([full, bare, late, dflt]);
      // A page that starts after the decisions still joins each reward to its decision.
      const tail = await store.readLog('t/a', log[2]!.seq - 1, 10);
      expect(tail.map(unsequenced)).toEqual([late, dflt]);
      expect(await store.getDecision('t/a', 'e-full')).toEqual(full);
      const ev = await store.listEvents('t/a', 0, 10);
      expect(ev.map((e) => [e.decision, e.reward])).toEqual([
        [full, late],
        [bare, dflt],
      ]);
    });

    test('reads the log in order after a cursor, in pages', async () => {
      await store.putAgent('t/a', config, 1);
      const ds = Array.from({ length: 7 }, (_, i) => decision(`e${i}`, 1000 + i));
      for (const d of ds) await store.appendDecision('t/a', d);
      for (const d of ds.slice(0, 3)) await store.appendReward('t/a', reward(d));
      const all = await store.readLog('t/a', 0, 100);
      expect(all).toHaveLength(10);
      for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBeGreaterThan(all[i - 1]!.seq);
      expect(all.map((e) => e.kind)).toEqual([...Array(7).fill('decision'), ...Array(3).fill('reward')]);
      const page = await store.readLog('t/a', all[3]!.seq, 2);
      expect(page.map((e) => e.seq)).toEqual([all[4]!.seq, all[5]!.seq]);
      expect(await store.lastSeq('t/a')).toBe(all[9]!.seq);
      const events = await store.listEvents('t/a', all[1]!.seq, 3);
      expect(events.map((e) => e.decision.eventId)).toEqual(['e2', 'e3', 'e4']);
      expect(events[0]?.reward).not.toBeNull();
      expect(events[1]?.reward).toBeNull();
    });

    test('lists pending decisions (no reward, old enough), oldest first', async () => {
      await store.putAgent('t/a', config, 1);
      const ds = [decision('x', 300), decision('y', 100), decision('z', 200), decision('w', 900)];
      for (const d of ds) await store.appendDecision('t/a', d);
      await store.appendReward('t/a', reward(ds[2]!));
      const pend = await store.pendingDecisions('t/a', 500, 10);
      expect(pend.map((d) => d.eventId)).toEqual(['y', 'x']);
    });

    test('keeps the newest snapshot only', async () => {
      await store.putAgent('t/a', config, 1);
      expect(await store.loadSnapshot('t/a')).toBeNull();
      await store.saveSnapshot('t/a', { seq: 5, state: { v: 5 } });
      await store.saveSnapshot('t/a', { seq: 3, state: { v: 3 } });
      expect(await store.loadSnapshot('t/a')).toEqual({ seq: 5, state: { v: 5 } });
      await store.saveSnapshot('t/a', { seq: 9, state: { v: 9 } });
      expect((await store.loadSnapshot('t/a'))?.seq).toBe(9);
    });

    test('deletes an agent with its log and snapshot', async () => {
      await store.putAgent('t/a', config, 1);
      await store.appendDecision('t/a', decision('e1'));
      await store.saveSnapshot('t/a', { seq: 1, state: {} });
      expect(await store.deleteAgent('t/a')).toBe(true);
      expect(await store.getAgent('t/a')).toBeNull();
      expect(await store.readLog('t/a', 0, 10)).toEqual([]);
      expect(await store.loadSnapshot('t/a')).toBeNull();
      expect(await store.deleteAgent('t/a')).toBe(false);
      expect(await store.putAgent('t/a', other, 2)).toBe('created');
    });

    test('appends control entries into the same ordered log', async () => {
      await store.putAgent('t/a', config, 1);
      await store.appendDecision('t/a', decision('e1'));
      const c = await store.appendControl('t/a', {
        kind: 'control',
        ts: 5,
        eventId: 'phase-2',
        data: { phase: 2 },
      });
      expect(c?.seq).toBeGreaterThan(0);
      const log = await store.readLog('t/a', 0, 10);
      expect(log[1]).toMatchObject({ kind: 'control', data: { phase: 2 } });
      expect(
        await store.appendControl('t/none', { kind: 'control', ts: 5, eventId: 'x', data: {} }),
      ).toBeNull();
    });

    test('stores free-form records by kind and id', async () => {
      await store.putRecord('experiment', 't/x', { a: 1 });
      await store.putRecord('experiment', 't/y', { a: 2 });
      await store.putRecord('experiment', 'u/z', { a: 3 });
      expect(await store.getRecord('experiment', 't/x')).toEqual({ a: 1 });
      expect((await store.listRecords('experiment', 't/')).map((r) => r.id)).toEqual(['t/x', 't/y']);
      expect(await store.deleteRecord('experiment', 't/x')).toBe(true);
      expect(await store.getRecord('experiment', 't/x')).toBeNull();
      expect(await store.deleteRecord('experiment', 't/x')).toBe(false);
    });

    test('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

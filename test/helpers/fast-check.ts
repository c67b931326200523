/**
 * `test.prop` of @fast-check/vitest, without its import cost: importing @fast-check/vitest 0.5 with Vitest 4.1 takes
 * about 2 s of CPU in every test file (at load it enriches every chain of Vitest's `test` modifiers, recursively,
 * one wrapper per ordering), 20 files x 2-4 s of a 2-core `npm test`. This module gives the same `test.prop` with the
 * same runner: `fc.assert` of an `fc.asyncProperty` over the arbitraries, the seed given or drawn as the package draws
 * it, and the test named `NAME (with seed=SEED)`, so a failure reports the seed to replay it. Unlike the package, it
 * does not run `beforeEach`/`afterEach` hooks around every generated case (no property test here has such hooks).
 */
import * as fc from 'fast-check';
import { type TestAPI, test as vitestTest } from 'vitest';

export { fc };

type ArbitraryTuple<Ts extends [unknown] | unknown[]> = { [K in keyof Ts]: fc.Arbitrary<Ts[K]> };

/** A property: throws or returns false when it does not hold. */
type Prop<Ts extends [unknown] | unknown[]> = (...args: Ts) => unknown;

/** Vitest's `test` plus `prop(arbitraries, params)(name, property, timeout?)`, as in @fast-check/vitest. */
export type PropTestAPI = TestAPI & {
  prop<Ts extends [unknown] | unknown[]>(
    arbitraries: ArbitraryTuple<Ts>,
    params?: fc.Parameters<Ts>,
  ): (name: string, property: Prop<Ts>, timeout?: number) => void;
};

function prop<Ts extends [unknown] | unknown[]>(
  arbitraries: ArbitraryTuple<Ts>,
  params?: fc.Parameters<Ts>,
): (name: string, property: Prop<Ts>, timeout?: number) => void {
  return (name, property, timeout) => {
    const global = fc.readConfigureGlobal();
    const seed = params?.seed ?? global.seed ?? Date.now() ^ (Math.random() * 4294967296);
    const run: fc.Parameters<Ts> = { ...params, seed };
    const limit = params?.interruptAfterTimeLimit ?? global.interruptAfterTimeLimit;
    if (limit !== undefined) run.interruptAfterTimeLimit = limit;
    const asyncProperty = fc.asyncProperty as unknown as (
      ...args: [...fc.Arbitrary<unknown>[], (...values: unknown[]) => Promise<unknown>]
    ) => fc.IAsyncProperty<Ts>;
    const property_ = asyncProperty(...(arbitraries as fc.Arbitrary<unknown>[]), (...values) =>
      Promise.resolve(property(...(values as Ts))),
    );
    vitestTest(
      `${name} (with seed=${seed})`,
      async () => {
        await fc.assert(property_, run);
      },
      timeout,
    );
  };
}

/** Vitest's `test` (every modifier unchanged) with `prop`. */
export const test: PropTestAPI = new Proxy(vitestTest, {
  get: (target, key) => (key === 'prop' ? prop : Reflect.get(target, key)),
}) as PropTestAPI;

/** The same as {@link test}. */
export const it: PropTestAPI = test;

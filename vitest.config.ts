import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest test files, longest first (seconds each in a 2-core `npm test`). On a fresh clone Vitest has no
 * durations cached and starts the largest files first, which started the 20-25 s Monte Carlo check (beta-max) at
 * 60-100 s and left it running alone at the end.
 */
const LONGEST_FIRST = [
  'test/experiments/beta-max.test.ts', // 19-28 s, one CPU-bound test
  'test/web/dashboard.test.ts', // 27-33 s
  'test/experiments/recsys-ab.test.ts', // 25-28 s
  'test/cli/evaluate.test.ts', // 11-15 s
  'test/serve/e2e.test.ts', // 9-13 s
  'test/serve/chaos.test.ts', // 7-9 s
  'test/forecast/flusight.test.ts', // 3-7 s
  'test/cli/explore.test.ts', // 5-7 s
];

/** Vitest's order (cached durations, else file size), with the files of {@link LONGEST_FIRST} ahead of the rest. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.indexOf(relative(f.project.config.root, f.moduleId).replaceAll('\\', '/'));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

/**
 * The test folders of the library alone (no server, CLI, browser, store, or change to the process): their files
 * share the loaded modules of their worker (isolate: false) instead of each loading src/ into a fresh process.
 * Every other folder, and any new one, stays isolated.
 */
const LIBRARY = ['core', 'bandits', 'dp', 'forecast', 'evaluate', 'experiments', 'sim'].map(
  (d) => `test/${d}/**/*.test.ts`,
);

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'library', include: LIBRARY, isolate: false } },
      { extends: true, test: { name: 'io', include: ['test/**/*.test.ts'], exclude: LIBRARY } },
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers on two cores: many files wait on spawned CLIs, servers and browsers, so they overlap well. A third
    // did not help once the longest files start first (Vitest 95.0 s with 3 workers, 94.2 s with 2).
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});

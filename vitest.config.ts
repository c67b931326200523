import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two workers on two cores: many files wait on spawned CLIs, servers and browsers, so they overlap well.
    maxWorkers: 2,
  },
});

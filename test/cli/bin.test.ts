import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const BIN = `${REPO_ROOT}bin/allot.js`;
const BUILT = existsSync(`${REPO_ROOT}dist/cli/bin.js`);

describe('the built allot binary', () => {
  // `npm test` builds before running Vitest, so dist exists there; a bare `vitest run` without a build skips this.
  it.skipIf(!BUILT)('runs from dist and prints its version', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, SHARED } from './helpers/cli.js';

describe('shipped fixtures', () => {
  it('fixtures/dp/notebook-reference.json is the shared dp-notebook.json, unchanged', () => {
    const shared = join(SHARED, 'reference', 'dp-notebook.json');
    expect(existsSync(shared)).toBe(true);
    expect(readFileSync(join(REPO_ROOT, 'fixtures', 'dp', 'notebook-reference.json'), 'utf8')).toBe(
      readFileSync(shared, 'utf8'),
    );
  });
});

/** The store contract on memory, SQLite (a temporary file, WAL) and a real Redis (127.0.0.1:6379). */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../src/store/memory/index.js';
import { createRedisStore } from '../../src/store/redis/index.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { runStoreContract } from './store.contract.js';

runStoreContract('memory', () => createMemoryStore());

runStoreContract('sqlite', () =>
  createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'allot-sqlite-')), 'a.db') }),
);

let n = 0;
// Every test gets its own key prefix on the shared Redis, so runs never see each other's keys.
runStoreContract('redis', () =>
  createRedisStore({
    url: 'redis://127.0.0.1:6379',
    prefix: `allot-test-${process.pid}-${Date.now()}-${n++}`,
  }),
);

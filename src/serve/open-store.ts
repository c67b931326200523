/**
 * Opens a store from a URL: `memory`, `sqlite:PATH` (or a path ending in .db/.sqlite), `redis://HOST:PORT[/DB]`.
 * Each adapter's module, with its driver, is imported only when that adapter is asked for.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AllotError } from '../core/errors.js';
import type { Store } from '../store/store.js';

/**
 * @param url - the `--store` value.
 * @throws ALLOT_INVALID_ARGUMENT for an unknown scheme; ALLOT_IO_ERROR when a SQLite file cannot be opened.
 */
export async function openStore(url: string): Promise<Store> {
  if (url === 'memory') {
    const { createMemoryStore } = await import('../store/memory/index.js');
    return createMemoryStore();
  }
  if (url.startsWith('redis://') || url.startsWith('rediss://')) {
    const { createRedisStore } = await import('../store/redis/index.js');
    const u = new URL(url);
    const prefix = u.searchParams.get('prefix') ?? undefined;
    u.searchParams.delete('prefix');
    return createRedisStore({ url: u.toString(), ...(prefix === undefined ? {} : { prefix }) });
  }
  if (url.startsWith('sqlite:') || /\.(db|sqlite3?)$/.test(url)) {
    const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
    if (path.length === 0) throw new AllotError('ALLOT_INVALID_ARGUMENT', '--store sqlite:PATH needs a path');
    const { createSqliteStore } = await import('../store/sqlite/index.js');
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return createSqliteStore({ path });
    } catch (e) {
      throw new AllotError('ALLOT_IO_ERROR', `cannot open SQLite store ${path}: ${(e as Error).message}`);
    }
  }
  throw new AllotError(
    'ALLOT_INVALID_ARGUMENT',
    `--store must be memory, sqlite:PATH or redis://HOST:PORT[/DB] (got ${JSON.stringify(url)})`,
  );
}

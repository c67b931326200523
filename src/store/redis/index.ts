/**
 * The Redis store (ioredis): what several `allot serve` replicas share. Every key of an agent carries the hash tag
 * `{<agent id>}`, so all of an agent's keys live in one slot and the Lua scripts that append to its log are atomic
 * on a single server and on Redis Cluster alike.
 *
 * Keys of agent A: `allot:{A}:cfg` (config JSON), `allot:{A}:log` (list of entry JSON; the sequence number of an
 * entry is its 1-based list position), `allot:{A}:dec` (hash event id -> decision seq), `allot:{A}:rew` (hash event
 * id -> reward seq), `allot:{A}:pend` (sorted set of unrewarded event ids by decision time), `allot:{A}:snap`
 * (snapshot). `allot:agents` is the set of agent ids; records live under `allot:rec:{kind}:<id>` with an index set.
 *
 * Durability: a call resolves once Redis has executed it. Run Redis with `--appendonly yes --appendfsync always`
 * for every acknowledged write to survive a Redis crash; with `everysec` up to a second can be lost on a crash,
 * nothing on a clean restart.
 */
import { Redis } from 'ioredis';
import type { AgentConfig } from '../../bandits/agent/config.js';
import type {
  AgentRecord,
  DecisionEntry,
  JoinedEvent,
  RewardEntry,
  SequencedEntry,
  Store,
} from '../store.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** `redis://HOST:PORT[/DB]`. */
  readonly url: string;
  /** Key prefix (default `allot`), to share one Redis between deployments or tests. */
  readonly prefix?: string;
}

const APPEND_DECISION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, false} end
local cur = redis.call('HGET', KEYS[3], ARGV[1])
if cur then return {tonumber(cur), redis.call('LINDEX', KEYS[2], tonumber(cur) - 1)} end
local seq = redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], seq)
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return {seq, false}
`;
const APPEND_REWARD = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return {-1, 0} end
local cur = redis.call('HGET', KEYS[3], ARGV[1])
if cur then return {tonumber(cur), 1} end
local seq = redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], seq)
redis.call('ZREM', KEYS[4], ARGV[1])
return {seq, 0}
`;
const APPEND_CONTROL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('RPUSH', KEYS[2], ARGV[1])
`;
const PUT_AGENT = `
local cur = redis.call('GET', KEYS[1])
if cur then if cur == ARGV[1] then return 'same' else return 'conflict' end end
redis.call('SET', KEYS[1], ARGV[1])
return 'created'
`;
const SAVE_SNAPSHOT = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local seq = tonumber(string.match(cur, '^{"seq":(%d+)'))
  if seq and seq >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

type Scripted = Redis & {
  allotAppendDecision(
    k1: string,
    k2: string,
    k3: string,
    k4: string,
    eventId: string,
    body: string,
    ts: number,
  ): Promise<[number, string | null]>;
  allotAppendReward(
    k1: string,
    k2: string,
    k3: string,
    k4: string,
    eventId: string,
    body: string,
  ): Promise<[number, number]>;
  allotAppendControl(k1: string, k2: string, body: string): Promise<number>;
  allotPutAgent(k1: string, body: string): Promise<string>;
  allotSaveSnapshot(k1: string, seq: number, body: string): Promise<number>;
};

/**
 * Connects to Redis. The client reconnects by itself after a Redis restart; commands issued while disconnected
 * fail fast (the service answers 503 and the client retries) instead of queueing without bound.
 */
export function createRedisStore(opts: RedisStoreOptions): Store {
  const base = opts.prefix ?? 'allot';
  const client = new Redis(opts.url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(50 * times, 500),
    lazyConnect: false,
  }) as Scripted;
  // Errors surface on the commands; the connection's own error events are reported there, not thrown.
  client.on('error', () => {});
  client.defineCommand('allotAppendDecision', { numberOfKeys: 4, lua: APPEND_DECISION });
  client.defineCommand('allotAppendReward', { numberOfKeys: 4, lua: APPEND_REWARD });
  client.defineCommand('allotAppendControl', { numberOfKeys: 2, lua: APPEND_CONTROL });
  client.defineCommand('allotPutAgent', { numberOfKeys: 1, lua: PUT_AGENT });
  client.defineCommand('allotSaveSnapshot', { numberOfKeys: 1, lua: SAVE_SNAPSHOT });

  const k = (id: string, part: string): string => `${base}:{${id}}:${part}`;
  const agentsKey = `${base}:agents`;
  const recKey = (kind: string, id: string): string => `${base}:rec:{${kind}}:${id}`;
  const recIndex = (kind: string): string => `${base}:rec:{${kind}}:index`;
  const toRecord = (id: string, json: string): AgentRecord => {
    const v = JSON.parse(json) as { config: AgentConfig; createdAt: number };
    return { id, config: v.config, createdAt: v.createdAt };
  };

  return {
    kind: 'redis',
    async putAgent(id, config, now) {
      const cur = await client.get(k(id, 'cfg'));
      if (cur !== null) {
        return JSON.stringify((JSON.parse(cur) as { config: unknown }).config) === JSON.stringify(config)
          ? 'same'
          : 'conflict';
      }
      const res = await client.allotPutAgent(k(id, 'cfg'), JSON.stringify({ config, createdAt: now }));
      if (res === 'created') await client.sadd(agentsKey, id);
      else {
        const again = await client.get(k(id, 'cfg'));
        if (
          again !== null &&
          JSON.stringify((JSON.parse(again) as { config: unknown }).config) === JSON.stringify(config)
        )
          return 'same';
        return 'conflict';
      }
      return 'created';
    },
    async getAgent(id) {
      const v = await client.get(k(id, 'cfg'));
      return v === null ? null : toRecord(id, v);
    },
    async listAgents(prefix) {
      const ids = (await client.smembers(agentsKey)).filter((x) => x.startsWith(prefix)).sort();
      if (ids.length === 0) return [];
      const pipe = client.pipeline();
      for (const id of ids) pipe.get(k(id, 'cfg'));
      const res = (await pipe.exec()) ?? [];
      const out: AgentRecord[] = [];
      res.forEach(([err, v], i) => {
        if (err === null && typeof v === 'string') out.push(toRecord(ids[i]!, v));
      });
      return out;
    },
    async deleteAgent(id) {
      const n = await client.del(
        k(id, 'cfg'),
        k(id, 'log'),
        k(id, 'dec'),
        k(id, 'rew'),
        k(id, 'pend'),
        k(id, 'snap'),
      );
      await client.srem(agentsKey, id);
      return n > 0;
    },
    async appendDecision(id, d) {
      const [seq, existing] = await client.allotAppendDecision(
        k(id, 'cfg'),
        k(id, 'log'),
        k(id, 'dec'),
        k(id, 'pend'),
        d.eventId,
        JSON.stringify(d),
        d.ts,
      );
      if (seq < 0) return null;
      return { seq, existing: existing ? (JSON.parse(existing) as DecisionEntry) : null };
    },
    async getDecision(id, eventId) {
      const seq = await client.hget(k(id, 'dec'), eventId);
      if (seq === null) return null;
      const body = await client.lindex(k(id, 'log'), Number(seq) - 1);
      return body === null ? null : (JSON.parse(body) as DecisionEntry);
    },
    async appendReward(id, r) {
      const [seq, dup] = await client.allotAppendReward(
        k(id, 'log'),
        k(id, 'dec'),
        k(id, 'rew'),
        k(id, 'pend'),
        r.eventId,
        JSON.stringify(r),
      );
      if (seq < 0) return null;
      return { seq, duplicate: dup === 1 };
    },
    async appendControl(id, c) {
      const seq = await client.allotAppendControl(k(id, 'cfg'), k(id, 'log'), JSON.stringify(c));
      return seq < 0 ? null : { seq };
    },
    async readLog(id, after, limit) {
      const rows = await client.lrange(k(id, 'log'), after, after + limit - 1);
      // Hot in catch-ups and replays: the parsed entry gets its seq in place (a spread copy cost twice the parse).
      const out = new Array<SequencedEntry>(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const e = JSON.parse(rows[i]!) as { seq: number };
        e.seq = after + 1 + i;
        out[i] = e as SequencedEntry;
      }
      return out;
    },
    async lastSeq(id) {
      return client.llen(k(id, 'log'));
    },
    async listEvents(id, after, limit) {
      const out: JoinedEvent[] = [];
      let cursor = after;
      // Scan the log in pages until `limit` decisions are found or the log ends.
      for (;;) {
        const page = await this.readLog(id, cursor, Math.max(100, limit * 2));
        if (page.length === 0) break;
        const decisions = page.filter((e) => e.kind === 'decision') as Array<DecisionEntry & { seq: number }>;
        const rewardSeqs =
          decisions.length === 0 ? [] : await client.hmget(k(id, 'rew'), ...decisions.map((d) => d.eventId));
        const bodies = await Promise.all(
          rewardSeqs.map((s) =>
            s === null ? Promise.resolve(null) : client.lindex(k(id, 'log'), Number(s) - 1),
          ),
        );
        for (let i = 0; i < decisions.length && out.length < limit; i++) {
          const { seq, ...decision } = decisions[i]!;
          const rb = bodies[i];
          out.push({
            seq,
            decision: decision as DecisionEntry,
            reward: rb ? (JSON.parse(rb) as RewardEntry) : null,
          });
        }
        if (out.length >= limit) break;
        cursor = page[page.length - 1]!.seq;
      }
      return out;
    },
    async pendingDecisions(id, olderThan, limit) {
      const ids = await client.zrangebyscore(k(id, 'pend'), '-inf', olderThan, 'LIMIT', 0, limit);
      const out: DecisionEntry[] = [];
      for (const e of ids) {
        const d = await this.getDecision(id, e);
        if (d !== null) out.push(d);
      }
      return out;
    },
    async saveSnapshot(id, s) {
      await client.allotSaveSnapshot(k(id, 'snap'), s.seq, JSON.stringify({ seq: s.seq, state: s.state }));
    },
    async loadSnapshot(id) {
      const v = await client.get(k(id, 'snap'));
      return v === null ? null : (JSON.parse(v) as { seq: number; state: Record<string, unknown> });
    },
    async putRecord(kind, id, value) {
      await client.multi().set(recKey(kind, id), JSON.stringify(value)).sadd(recIndex(kind), id).exec();
    },
    async getRecord(kind, id) {
      const v = await client.get(recKey(kind, id));
      return v === null ? null : (JSON.parse(v) as unknown);
    },
    async listRecords(kind, prefix) {
      const ids = (await client.smembers(recIndex(kind))).filter((x) => x.startsWith(prefix)).sort();
      const out: Array<{ id: string; value: unknown }> = [];
      for (const id of ids) {
        const v = await client.get(recKey(kind, id));
        if (v !== null) out.push({ id, value: JSON.parse(v) as unknown });
      }
      return out;
    },
    async deleteRecord(kind, id) {
      const [[, n] = [null, 0]] = ((await client
        .multi()
        .del(recKey(kind, id))
        .srem(recIndex(kind), id)
        .exec()) ?? []) as Array<[unknown, number]>;
      return n > 0;
    },
    async ping() {
      await client.ping();
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/**
 * @module
 * The Store interface of the decision service and its driver-free adapter (memory). The durable adapters live in
 * their own entries, each importing its driver alone: `allot/store/sqlite` (better-sqlite3) and `allot/store/redis`
 * (ioredis).
 */
export { createMemoryStore } from './memory/index.js';
export type {
  AgentRecord,
  ControlEntry,
  DecisionEntry,
  JoinedEvent,
  LogEntry,
  RewardEntry,
  SequencedEntry,
  Snapshot,
  Store,
} from './store.js';
export { scanLog } from './store.js';

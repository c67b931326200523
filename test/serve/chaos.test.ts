/**
 * The chaos script (scripts/chaos.mjs, `npm run chaos`) run small: 4 s of seeded load on two replicas over a Redis
 * with an append-only file, one replica SIGKILLed and restarted, Redis shut down and started again. It spawns the
 * built CLI (`npm run build` first, as `npm test` does).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;

describe('chaos', () => {
  // Skip reason: the script starts its own redis-server on a free port; without the binary there is nothing to run.
  test.skipIf(!hasRedis)(
    'acknowledged rewards equal /state on both replicas after a replica kill and a Redis restart',
    () => {
      const r = spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'scripts', 'chaos.mjs'), '--duration', '4', '--concurrency', '4', '--seed', '7'],
        { encoding: 'utf8', timeout: 170_000 },
      );
      let report: Record<string, unknown>;
      try {
        report = JSON.parse(r.stdout) as Record<string, unknown>;
      } catch {
        throw new Error(`chaos printed no JSON (exit ${r.status}): ${r.stderr.slice(-2000)}`);
      }
      expect(report['error'], String(report['error'])).toBeUndefined();
      const checks = report['checks'] as Record<string, boolean>;
      const acked = report['rewardsAcknowledged'] as number;
      expect(acked).toBeGreaterThan(0);
      expect(report['rewardsInState']).toEqual({ A: acked, B: acked });
      expect(checks).toMatchObject({
        rewardsAcknowledgedEqualState: true,
        replicasServeTheSameState: true,
        replayEqualsServedState: true,
        no5xxOutsideWindows: true,
        decisionsResumedWithin5s: true,
      });
      expect(report['ok']).toBe(true);
      expect(r.status).toBe(0);
    },
    180_000,
  );
});

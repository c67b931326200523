/**
 * `allot agents export|replay|snapshot|list`: read a service's store directly (no server needed).
 * - export: the joined log, one row per decision and slot, with propensities and rewards (the input of
 *   off-policy evaluation: `allot evaluate --format allot`);
 * - replay: rebuilds the state from the whole log and checks it equals the stored state (snapshot + log after);
 * - snapshot: config + state in one JSON document (`allot evaluate` with `{"type": "agent"}`).
 */
import type { Command } from 'commander';
import {
  agentStateToJson,
  foldDecision,
  foldReward,
  restoreAgentRuntime,
} from '../../bandits/agent/index.js';
import { AllotError } from '../../core/errors.js';
import { replayFromLog } from '../../serve/agent-service.js';
import { DEFAULT_TENANT } from '../../serve/auth.js';
import { openStore } from '../../serve/open-store.js';
import { type JoinedEvent, type Store, scanLog } from '../../store/store.js';
import { info, toJson, writeFileAtomic } from '../io.js';
import { DEFAULT_STORE } from './serve.js';

const AGENT_ID = /^[A-Za-z0-9._-]{1,128}$/;

interface Common {
  store: string;
  agent: string;
  tenant: string;
}

async function withStore<T>(url: string, f: (s: Store) => Promise<T>): Promise<T> {
  const store = await openStore(url);
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

function key(o: Common): string {
  if (!AGENT_ID.test(o.agent))
    throw new AllotError(
      'ALLOT_INVALID_ARGUMENT',
      `--agent must match ${AGENT_ID.source} (got ${JSON.stringify(o.agent)})`,
    );
  return `${o.tenant}/${o.agent}`;
}

/** Column order of the CSV export. */
export const EXPORT_COLUMNS = [
  'event_id',
  'timestamp',
  'agent_id',
  'version',
  'user',
  'position',
  'action',
  'propensity',
  'reward',
  'cost',
  'candidates',
  'context',
] as const;

/** One export row per decision and slot. */
export function exportRows(agentId: string, e: JoinedEvent): Array<Record<string, unknown>> {
  const d = e.decision;
  const r = e.reward;
  return d.actions.map((action, position) => ({
    eventId: d.eventId,
    timestamp: new Date(d.ts).toISOString(),
    agentId,
    version: d.version,
    user: d.user,
    position,
    action,
    propensity: d.propensities[position],
    reward: r === null ? null : r.reward[position],
    applied: r === null ? null : r.applied,
    cost: r?.cost?.[position] ?? null,
    candidates: d.candidates,
    context: d.context,
    ...(d.group === undefined ? {} : { group: d.group }),
  }));
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(row: Record<string, unknown>): string {
  const vals: unknown[] = [
    row['eventId'],
    row['timestamp'],
    row['agentId'],
    row['version'],
    row['user'],
    row['position'],
    row['action'],
    row['propensity'],
    row['reward'],
    row['cost'],
    Array.isArray(row['candidates']) ? (row['candidates'] as string[]).join('|') : '',
    row['context'] === null ? '' : JSON.stringify(row['context']),
  ];
  return vals.map(csvCell).join(',');
}

/** Registers `allot agents ...`. */
export function registerAgents(program: Command): void {
  const agents = program
    .command('agents')
    .description("read a decision service's store: export the joined log, replay, snapshot");
  const common = (c: Command): Command =>
    c
      .option('--store <url>', 'memory | sqlite:PATH | redis://HOST:PORT[/DB]', DEFAULT_STORE)
      .requiredOption('--agent <id>', 'agent id (required)')
      .option('--tenant <name>', 'tenant the agent belongs to (with --auth on the server)', DEFAULT_TENANT);

  common(agents.command('export'))
    .description(
      'write the joined log: one row per decision and slot, with the propensity and the reward (OPE input)',
    )
    .option('--format <f>', 'ndjson | csv', 'ndjson')
    .option('--out <file>', 'output file (default stdout; written atomically)')
    .addHelpText(
      'after',
      '\nExample:\n  npx allot agents export --store sqlite:.allot/allot.db --agent demo-ucb1 --format csv --out out/log.csv',
    )
    .action(async (o: Common & { format: string; out?: string }) => {
      if (o.format !== 'ndjson' && o.format !== 'csv')
        throw new AllotError(
          'ALLOT_UNKNOWN_OPTION',
          `--format must be ndjson or csv (got ${JSON.stringify(o.format)})`,
        );
      const id = key(o);
      const text = await withStore(o.store, async (store) => {
        if ((await store.getAgent(id)) === null)
          throw new AllotError(
            'ALLOT_UNKNOWN_AGENT',
            `agent ${JSON.stringify(o.agent)} does not exist in ${o.store}`,
          );
        const lines: string[] = o.format === 'csv' ? [EXPORT_COLUMNS.join(',')] : [];
        let after = 0;
        for (;;) {
          const page = await store.listEvents(id, after, 5000);
          if (page.length === 0) break;
          for (const e of page) {
            for (const row of exportRows(o.agent, e))
              lines.push(o.format === 'csv' ? csvRow(row) : JSON.stringify(row));
          }
          after = page[page.length - 1]!.seq;
        }
        return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
      });
      if (o.out === undefined) process.stdout.write(text);
      else {
        writeFileAtomic(o.out, text);
        info(`wrote ${o.out}`);
      }
    });

  common(agents.command('replay'))
    .description(
      'rebuild the state from the whole log and check it equals the stored state (snapshot + log after it)',
    )
    .option('--out <file>', 'write the report JSON here (default stdout)')
    .addHelpText(
      'after',
      '\nExit 0 when equal, 1 when not.\n\nExample:\n  npx allot agents replay --store sqlite:.allot/allot.db --agent demo-ucb1',
    )
    .action(async (o: Common & { out?: string }) => {
      const id = key(o);
      const t0 = performance.now();
      const report = await withStore(o.store, async (store) => {
        const rec = await store.getAgent(id);
        if (rec === null)
          throw new AllotError(
            'ALLOT_UNKNOWN_AGENT',
            `agent ${JSON.stringify(o.agent)} does not exist in ${o.store}`,
          );
        const replay = await replayFromLog(store, id, rec.config);
        const replaySeconds = (performance.now() - t0) / 1000;
        const snap = await store.loadSnapshot(id);
        // The stored state is the newest snapshot plus the log after it. Without a snapshot it is the log itself,
        // i.e. the replay just made: folding the whole log a second time would only double the time.
        let stored = replay.rt;
        if (snap !== null) {
          stored = restoreAgentRuntime(rec.config, snap.state as Record<string, unknown>);
          for await (const page of scanLog(store, id, snap.seq, 5000)) {
            for (const e of page) {
              if (e.kind === 'decision') foldDecision(stored, e);
              else if (e.kind === 'reward') foldReward(stored, e.decision, e);
            }
          }
        }
        const a = JSON.stringify(agentStateToJson(replay.rt));
        const b = JSON.stringify(agentStateToJson(stored));
        return {
          agentId: o.agent,
          equal: a === b,
          entries: replay.entries,
          rewards: replay.rt.version,
          decisions: replay.rt.decisions,
          snapshotSeq: snap?.seq ?? null,
          replaySeconds,
        };
      });
      const text = `${toJson(report)}\n`;
      if (o.out === undefined) process.stdout.write(text);
      else writeFileAtomic(o.out, text);
      info(
        report.equal
          ? `replay equals the stored state (${report.rewards} rewards)`
          : 'replay DIFFERS from the stored state',
      );
      if (!report.equal) process.exitCode = 1;
    });

  common(agents.command('snapshot'))
    .description(
      "write the agent's config and state as one JSON document (input of `allot evaluate` agent policies)",
    )
    .option('--out <file>', 'output file (default stdout)')
    .addHelpText(
      'after',
      '\nExample:\n  npx allot agents snapshot --store sqlite:.allot/allot.db --agent demo-ucb1 --out out/snapshot.json',
    )
    .action(async (o: Common & { out?: string }) => {
      const id = key(o);
      const doc = await withStore(o.store, async (store) => {
        const rec = await store.getAgent(id);
        if (rec === null)
          throw new AllotError(
            'ALLOT_UNKNOWN_AGENT',
            `agent ${JSON.stringify(o.agent)} does not exist in ${o.store}`,
          );
        const { rt } = await replayFromLog(store, id, rec.config);
        return { agentId: o.agent, config: rec.config, state: agentStateToJson(rt) };
      });
      const text = `${toJson(doc)}\n`;
      if (o.out === undefined) process.stdout.write(text);
      else writeFileAtomic(o.out, text);
    });

  agents
    .command('list')
    .description('list the agents in a store')
    .option('--store <url>', 'memory | sqlite:PATH | redis://HOST:PORT[/DB]', DEFAULT_STORE)
    .option('--tenant <name>', 'tenant', DEFAULT_TENANT)
    .addHelpText('after', '\nExample:\n  npx allot agents list --store sqlite:.allot/allot.db')
    .action(async (o: { store: string; tenant: string }) => {
      const rows = await withStore(o.store, (s) => s.listAgents(`${o.tenant}/`));
      process.stdout.write(
        `${toJson(rows.map((r) => ({ agentId: r.id.slice(r.id.indexOf('/') + 1), policy: r.config.policy, createdAt: new Date(r.createdAt).toISOString() })))}\n`,
      );
    });
}

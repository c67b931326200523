/**
 * `allot serve`: the decision service over a store, with the dashboard; `--demo` adds seeded simulated clients so a
 * newcomer sees agents learn. SIGTERM/SIGINT shut it down gracefully: stop accepting, finish in-flight requests,
 * save snapshots, close the store.
 */
import { type Command, Option } from 'commander';
import { AllotError } from '../../core/errors.js';
import { isLoopback, parseAuth, type TokenEntry } from '../../serve/auth.js';
import { openStore } from '../../serve/open-store.js';
import { numberOption, parseInteger, readJson } from '../io.js';

/** Default store of `allot serve` (and `npm start`): a SQLite file in the working folder. */
export const DEFAULT_STORE = 'sqlite:.allot/allot.db';

interface ServeOptions {
  port: string;
  host: string;
  store: string;
  auth?: string;
  demo?: boolean;
  demoRate: string;
  web: boolean;
  reports?: string;
  personalizer?: string;
}

/** Registers `allot serve`. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the decision service: decide -> log with propensities -> join rewards by event id -> learn (HTTP + JSON, ' +
        'OpenAPI at /openapi.json, metrics at /metrics, dashboard at /)',
    )
    .addOption(numberOption('--port <n>', 'TCP port (0: any free port)', 8080))
    .addOption(
      new Option('--host <addr>', 'address to bind; anything but loopback requires --auth').default(
        '127.0.0.1',
        '127.0.0.1',
      ),
    )
    .option('--store <url>', 'memory | sqlite:PATH | redis://HOST:PORT[/DB]', DEFAULT_STORE)
    .option(
      '--auth <file>',
      'JSON {"tokens": [{"token", "tenant"}]}: require Authorization: Bearer TOKEN; agents per tenant',
    )
    .option('--demo', 'also run seeded simulated clients against demo agents (see docs/serve.md)')
    .addOption(numberOption('--demo-rate <n>', 'demo decisions per second per agent', 20))
    .option('--no-web', 'do not serve the dashboard')
    .option('--reports <dir>', 'folder of `allot reproduce` outputs the dashboard shows', 'out/reproduce')
    .option(
      '--personalizer <agent>',
      'agent id of the Azure AI Personalizer-compatible loop at /personalizer/v1.0/... (created if absent; docs/personalizer.md)',
      'personalizer',
    )
    .addHelpText(
      'after',
      '\nThe URL is printed on stderr ("allot: listening on http://..."). Docs: docs/serve.md.\n\n' +
        'Example:\n  npx allot serve --store sqlite:.allot/allot.db --port 8080 --demo',
    )
    .action(async (o: ServeOptions) => {
      const port = parseInteger('--port', o.port, 0);
      if (port > 65535) throw new AllotError('ALLOT_OUT_OF_RANGE', `--port must be <= 65535 (got ${port})`);
      const rate = Number(o.demoRate);
      if (!(rate > 0 && rate <= 1000))
        throw new AllotError('ALLOT_OUT_OF_RANGE', `--demo-rate must be in (0, 1000] (got ${o.demoRate})`);
      let auth: TokenEntry[] | undefined;
      if (o.auth !== undefined) auth = parseAuth(readJson(o.auth, '--auth file'));
      if (auth === undefined && !isLoopback(o.host)) {
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `--host ${o.host} is not a loopback address: without --auth the service only binds 127.0.0.1, ::1 or localhost`,
        );
      }
      // Fastify, prom-client and the route plugins load only when the service starts, not with every command.
      const { createApp, registerServePlugin } = await import('../../serve/app.js');
      const { configurePersonalizer, personalizerPlugin } = await import('../../serve/personalizer/index.js');
      const store = await openStore(o.store);
      if (!/^[A-Za-z0-9._-]{1,128}$/.test(o.personalizer ?? 'personalizer'))
        throw new AllotError(
          'ALLOT_INVALID_ARGUMENT',
          `--personalizer must be an agent id [A-Za-z0-9._-] (got ${o.personalizer})`,
        );
      registerServePlugin(personalizerPlugin);
      const app = await createApp({
        store,
        ...(auth === undefined ? {} : { auth }),
        web: o.web,
        ...(o.reports === undefined ? {} : { reportsDir: o.reports }),
      });
      if (o.personalizer !== undefined) configurePersonalizer(app, { loop: o.personalizer });
      let address: string;
      try {
        address = await app.listen({ port, host: o.host });
      } catch (e) {
        await store.close();
        throw new AllotError('ALLOT_IO_ERROR', `cannot listen on ${o.host}:${port}: ${(e as Error).message}`);
      }
      process.stderr.write(`allot: listening on ${address}\n`);
      process.stderr.write(
        `allot: store ${o.store}; dashboard ${address}/agents; API docs ${address}/openapi.json\n`,
      );
      const demo = o.demo
        ? await (await import('../../serve/demo.js')).startDemo(app.allot.service, {
            ratePerSecond: rate,
            seed: 1,
          })
        : null;
      if (demo) process.stderr.write(`allot: demo clients running for agents ${demo.agents.join(', ')}\n`);
      await new Promise<void>((resolve) => {
        let closing = false;
        const stop = (): void => {
          if (closing) return;
          closing = true;
          process.stderr.write('allot: shutting down (finishing in-flight requests)\n');
          demo?.stop();
          app
            .close()
            .then(() => store.close())
            .then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}

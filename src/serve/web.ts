/**
 * The dashboard as a Fastify plugin: the built front end (web/dist) with its hashed assets (pre-compressed
 * `.gz` copies sent when the client accepts gzip), the views' paths answered with index.html (a reload keeps the
 * view), `/` redirected to `/agents`, and the reports `allot reproduce` wrote (for the Reproductions view).
 * It leaves `/v1/*`, `/healthz`, `/metrics`, `/openapi.json`, `/personalizer/*` and `/compat/*` alone.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Options of {@link webPlugin}. */
export interface WebPluginOptions {
  /** The built dashboard (web/dist of the package). */
  readonly webRoot: string;
  /** Where `allot reproduce` writes its reports (default: out/reproduce under the working directory). */
  readonly reportsDir?: string;
}

/** The single-page app's view paths: each answers with index.html. */
export const VIEW_PATHS: readonly string[] = [
  '/agents',
  '/agents/:id',
  '/evaluate',
  '/forecasts',
  '/dp',
  '/reproductions',
  '/reproductions/:domain',
  '/experiments',
  '/experiments/:id',
];

/** Domains whose reproduction reports the Reproductions view shows. */
const REPORT_DOMAINS = ['dp', 'forecast', 'budget', 'rank', 'explore'] as const;
const REPORT_FILE = /^[A-Za-z0-9][\w.-]*\.(json|md|svg)$/;
const TYPES: Record<string, string> = {
  json: 'application/json; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  svg: 'image/svg+xml',
};

function notBuilt(reply: FastifyReply, webRoot: string): FastifyReply {
  return reply
    .code(503)
    .type('text/html; charset=utf-8')
    .send(
      '<!doctype html><meta charset="utf-8"><title>allot</title><p>The dashboard is not built ' +
        `(${webRoot}/index.html is missing): run <code>npm run build</code>.</p>`,
    );
}

/**
 * Serves the dashboard and the reproduction reports.
 *
 * @param app - the Fastify instance (register at the root: `app.register(webPlugin, { webRoot })`)
 * @param opts - where the built dashboard and the reports are
 */
export async function webPlugin(app: FastifyInstance, opts: WebPluginOptions): Promise<void> {
  const webRoot = resolve(opts.webRoot);
  const reportsDir = resolve(opts.reportsDir ?? join(process.cwd(), 'out', 'reproduce'));
  const indexPath = join(webRoot, 'index.html');
  // Re-read index.html when a rebuild changed it (it names the hashed assets).
  let cached: { mtime: number; html: string } | null = null;
  const index = (): string | null => {
    let mtime: number;
    try {
      mtime = statSync(indexPath).mtimeMs;
    } catch {
      return null;
    }
    if (cached === null || cached.mtime !== mtime) cached = { mtime, html: readFileSync(indexPath, 'utf8') };
    return cached.html;
  };

  const assets = join(webRoot, 'assets');
  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      decorateReply: false,
      preCompressed: true,
      immutable: true,
      maxAge: '365d',
      index: false,
      list: false,
    });
  }

  const sendIndex = async (_req: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    const html = index();
    if (html === null) return notBuilt(reply, webRoot);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  for (const path of VIEW_PATHS) app.get(path, { schema: { hide: true } }, sendIndex);
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/agents', 302));

  app.get('/reports/index.json', { schema: { hide: true } }, async () => {
    const domains: Record<string, { json: boolean; md: boolean; modified: string | null }> = {};
    for (const d of REPORT_DOMAINS) {
      const dir = join(reportsDir, d);
      const json = existsSync(join(dir, 'report.json'));
      const md = existsSync(join(dir, 'report.md'));
      let modified: string | null = null;
      if (md || json) modified = statSync(join(dir, json ? 'report.json' : 'report.md')).mtime.toISOString();
      domains[d] = { json, md, modified };
    }
    return { dir: reportsDir, domains };
  });
  app.get<{ Params: { domain: string; file: string } }>(
    '/reports/:domain/:file',
    { schema: { hide: true } },
    async (req, reply) => {
      const { domain, file } = req.params;
      const ok = (REPORT_DOMAINS as readonly string[]).includes(domain) && REPORT_FILE.test(file);
      const path = join(reportsDir, domain, file);
      if (!ok || !existsSync(path) || !statSync(path).isFile()) {
        return reply.code(404).send({
          error: {
            code: 'ALLOT_FILE_NOT_FOUND',
            message: `no report file ${domain}/${file} in ${reportsDir}`,
          },
        });
      }
      const ext = file.slice(file.lastIndexOf('.') + 1);
      return reply
        .header('cache-control', 'no-cache')
        .type(TYPES[ext] ?? 'application/octet-stream')
        .send(readFileSync(path));
    },
  );
}

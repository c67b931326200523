/**
 * Vite build of the dashboard: web/ -> web/dist, served by `allot serve` (src/serve/web.ts). Every text asset is
 * also written gzip-compressed beside itself (NAME.gz), so the server sends the compressed bytes with no CPU per request.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const WEB = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(WEB, 'dist');

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Writes NAME.gz next to every text asset of the build (served by @fastify/static preCompressed). */
function precompress(): Plugin {
  return {
    name: 'allot-precompress',
    apply: 'build',
    closeBundle() {
      for (const p of walk(OUT)) {
        if (!/\.(js|css|html|svg|json|csv|map|txt)$/.test(p)) continue;
        const buf = readFileSync(p);
        if (buf.length < 1024) continue;
        writeFileSync(`${p}.gz`, gzipSync(buf, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: WEB,
  base: '/',
  publicDir: join(WEB, 'public'),
  logLevel: 'warn',
  build: {
    outDir: OUT,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
    reportCompressedSize: false,
  },
  worker: { format: 'es' },
  // `npm run dev:web`: the API of a running `allot serve` (ALLOT_API, default http://127.0.0.1:8080) behind the dev server.
  server: {
    fs: { allow: [ROOT] },
    proxy: Object.fromEntries(
      ['/v1', '/reports', '/openapi.json', '/healthz'].map((p) => [
        p,
        process.env['ALLOT_API'] ?? 'http://127.0.0.1:8080',
      ]),
    ),
  },
  plugins: [precompress()],
});

// After the build: every `exports` / `bin` target exists, and publint finds no error in the package layout.
import { existsSync, readFileSync } from 'node:fs';
import { publint } from 'publint';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const missing = [];
const visit = (v) => {
  if (typeof v === 'string') {
    if (!existsSync(new URL(`../${v}`, import.meta.url))) missing.push(v);
  } else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x);
};
visit(pkg.exports);
visit(pkg.bin);
if (missing.length > 0) {
  console.error(`check-package: missing export targets: ${missing.join(', ')}`);
  process.exit(1);
}
const { messages } = await publint({ pkgDir: new URL('..', import.meta.url).pathname, level: 'warning' });
for (const m of messages)
  console.error(`publint ${m.type}: ${m.code} ${JSON.stringify(m.args)} at ${m.path.join('.')}`);
if (messages.some((m) => m.type === 'error')) process.exit(1);
console.error(
  `check-package: ${Object.keys(pkg.exports).length} exports ok, publint ${messages.length} warnings`,
);

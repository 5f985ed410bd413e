// `npm test`: the format check (Prettier), the type check (astro check), unit and GPU-kernel tests (Vitest), the site build, then browser tests (Playwright).
// Fails if anything failed, if a suite ran no test, or if any test was skipped: in CI a GPU test
// must run on SwiftShader, never be skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureChromium } from './chromium.mjs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `Node ${process.versions.node} is too old: the course needs Node >= 22.12 (npm scripts use the bundled Node 24 on Linux x64; run through npm).`,
  );
  process.exit(1);
}
try {
  ensureChromium();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

// Playwright empties test-results/ when it starts, so the reports live elsewhere.
mkdirSync('reports', { recursive: true });
const run = (cmd, args) => {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  return spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;
};

const formatStatus = run('npx', ['prettier', '--check', '--log-level=warn', '.']);
const typeStatus = run('npx', ['astro', 'check']);
const vitestStatus = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=reports/vitest.json']);
const buildStatus = run('npm', ['run', 'build']);
const browserStatus = buildStatus === 0 ? run('npx', ['playwright', 'test']) : 1;

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

try {
  const v = JSON.parse(readFileSync('reports/vitest.json', 'utf8'));
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  skipped += v.numPendingTests + v.numTodoTests;
  const gpuTests = v.testResults.filter((f) => f.name.includes('/test/gpu/')).flatMap((f) => f.assertionResults);
  if (gpuTests.length === 0) problems.push('no GPU kernel test ran');
  const gpuSkipped = gpuTests.filter((t) => t.status !== 'passed' && t.status !== 'failed');
  if (gpuSkipped.length) problems.push(`${gpuSkipped.length} GPU kernel test(s) did not run`);
} catch (error) {
  problems.push(`no Vitest report (${error.message})`);
}

if (formatStatus !== 0) problems.push('files not formatted (run npm run format)');
if (typeStatus !== 0) problems.push('type check (astro check) failed');
if (buildStatus !== 0) problems.push('the site build failed');
try {
  const p = JSON.parse(readFileSync('reports/playwright.json', 'utf8'));
  passed += p.stats.expected;
  failed += p.stats.unexpected + p.stats.flaky;
  skipped += p.stats.skipped;
  if (p.stats.expected === 0) problems.push('no browser test ran');
} catch (error) {
  if (buildStatus === 0) problems.push(`no Playwright report (${error.message})`);
}

if (skipped > 0) problems.push(`${skipped} test(s) skipped`);
if (vitestStatus !== 0 && failed === 0) problems.push('Vitest exited with an error');
if (browserStatus !== 0 && failed === 0 && buildStatus === 0) problems.push('Playwright exited with an error');

console.log('');
for (const p of problems) console.log(`problem: ${p}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || problems.length > 0 ? 1 : 0);

// `npm run lighthouse`: Lighthouse's performance audit (its default mobile settings: a mid-range
// phone, simulated slow 4G and a 4x slower CPU) on the home page, every chapter, the deck and an
// embed, served from dist/ (run `npm run build` first). Prints one table and exits 1 when a page
// misses the goal: performance score at least 95, CLS under 0.05, Total Blocking Time under 200 ms.
// Paths given after `--` audit only those pages.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const ROOT = join(import.meta.dirname, '..');
const SITE_PORT = 4391;
const DEBUG_PORT = 9331;
const GOAL = { score: 95, cls: 0.05, tbtMs: 200 };

const chapters = readdirSync(join(ROOT, 'content', 'chapters'))
  .filter((f) => f.endsWith('.mdx'))
  .map((f) => `/chapters/${f.replace(/\.mdx$/, '')}/`);
const only = process.argv.slice(2);
const pages = only.length ? only : ['/', ...chapters, '/flashcards/', '/embed/lora-trainer/'];

/** Polls `url` until it answers (the preview server, Chromium's debugging endpoint). */
async function waitFor(url, what) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start (${url})`);
}

const server = spawn('npx', ['astro', 'preview', '--port', String(SITE_PORT), '--host', '127.0.0.1'], { cwd: ROOT, stdio: 'ignore', detached: true });
const profile = mkdtempSync(join(tmpdir(), 'lighthouse-chromium-'));
const chromium = spawn(
  findChromium(),
  [...CHROMIUM_ARGS, '--headless=new', `--remote-debugging-port=${DEBUG_PORT}`, `--user-data-dir=${profile}`, 'about:blank'],
  {
    stdio: 'ignore',
  },
);
const rows = [];
try {
  await waitFor(`http://127.0.0.1:${SITE_PORT}/`, 'astro preview');
  await waitFor(`http://127.0.0.1:${DEBUG_PORT}/json/version`, 'Chromium');
  for (const path of pages) {
    const result = await lighthouse(`http://127.0.0.1:${SITE_PORT}${path}`, { port: DEBUG_PORT, onlyCategories: ['performance'], logLevel: 'error' });
    const { categories, audits, lighthouseVersion } = result.lhr;
    rows.version = lighthouseVersion;
    const row = {
      path,
      score: Math.round(100 * categories.performance.score),
      cls: audits['cumulative-layout-shift'].numericValue,
      tbtMs: audits['total-blocking-time'].numericValue,
      lcpMs: audits['largest-contentful-paint'].numericValue,
      fcpMs: audits['first-contentful-paint'].numericValue,
    };
    row.ok = row.score >= GOAL.score && row.cls < GOAL.cls && row.tbtMs < GOAL.tbtMs;
    rows.push(row);
    console.error(`${path}: ${row.score}`);
  }
} finally {
  // Chromium writes to its profile until it has exited: wait for that before removing it.
  if (chromium.exitCode === null) {
    const exited = new Promise((resolve) => chromium.once('exit', resolve));
    chromium.kill();
    await exited;
  }
  process.kill(-server.pid);
  rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(`Lighthouse ${rows.version} performance, mobile defaults (goal: score ≥ ${GOAL.score}, CLS < ${GOAL.cls}, TBT < ${GOAL.tbtMs} ms)\n`);
console.log('| page | score | CLS | TBT | LCP | FCP | goal |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.path} | ${r.score} | ${r.cls.toFixed(3)} | ${Math.round(r.tbtMs)} ms | ${s(r.lcpMs)} | ${s(r.fcpMs)} | ${r.ok ? 'met' : 'missed'} |`,
  );
process.exit(rows.every((r) => r.ok) ? 0 : 1);

// Finds (and, for `npm test`, installs when missing) the Chromium that browser tests, GPU-kernel
// tests and benchmarks drive, and the flags they need.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';

const SYSTEM_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

const HOW_TO_INSTALL =
  'Install one (Debian/Ubuntu: `sudo apt-get install chromium`; elsewhere `npx playwright install chromium`) ' +
  'or point CHROMIUM_PATH at a Chromium or Chrome executable.';

/** Where Playwright keeps its own Chromium once downloaded (the path exists only after a download). */
function playwrightChromium() {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * The Chromium executable, in this order: $CHROMIUM_PATH, a system Chromium or Chrome,
 * Playwright's downloaded browser. Throws with instructions when there is none.
 */
export function findChromium() {
  const named = process.env.CHROMIUM_PATH;
  if (named) {
    if (!existsSync(named)) throw new Error(`CHROMIUM_PATH is ${named}, but no file is there.`);
    return named;
  }
  const found = SYSTEM_BROWSERS.find((p) => existsSync(p)) ?? playwrightChromium();
  if (!found) throw new Error(`No Chromium found for the browser tests. ${HOW_TO_INSTALL}`);
  return found;
}

/** SwiftShader's Vulkan driver needs the Vulkan loader; the Debian packages that bring both. */
const DEBIAN_PACKAGES = ['chromium', 'libvulkan1', 'fonts-dejavu-core'];

function vulkanLoaderPresent() {
  return ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib/chromium/libvulkan.so.1'].some((p) =>
    existsSync(p),
  );
}

function run(cmd, args, timeoutSeconds) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', timeout: timeoutSeconds * 1000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

function aptGet(packages) {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) return false;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n'] : null;
  if (!sudo) {
    console.log('apt-get needs root or passwordless sudo; skipped.');
    return false;
  }
  const [cmd, ...prefix] = sudo.length ? sudo : ['apt-get'];
  const apt = (args) => (sudo.length ? run(cmd, [...prefix, 'apt-get', ...args], 900) : run('apt-get', args, 900));
  return apt(['update', '-qq']) && apt(['install', '-y', '-qq', ...packages]);
}

/**
 * `findChromium()`, or when there is none: Playwright's own download where the network allows it,
 * else Debian/Ubuntu's chromium through apt-get as root or with sudo. Says what it did; throws
 * today's clear message when nothing worked. On Linux it also makes sure the Vulkan loader that
 * SwiftShader (WebGPU without a GPU) needs is there.
 */
export function ensureChromium() {
  try {
    const found = findChromium();
    if (process.platform === 'linux' && !vulkanLoaderPresent()) {
      console.log('No Vulkan loader (libvulkan1): WebGPU on SwiftShader needs it. Installing it.');
      aptGet(['libvulkan1']);
    }
    return found;
  } catch (error) {
    if (process.env.CHROMIUM_PATH) throw error;
  }
  console.log('No Chromium found. Trying Playwright’s own download…');
  if (run('npx', ['playwright', 'install', 'chromium'], 300) && playwrightChromium()) {
    console.log(`Using Playwright’s Chromium: ${playwrightChromium()}`);
    if (process.platform === 'linux' && !vulkanLoaderPresent()) aptGet(['libvulkan1']);
    return findChromium();
  }
  console.log('Playwright’s download did not work (no network to its CDN?). Trying apt-get…');
  if (aptGet(DEBIAN_PACKAGES)) {
    const found = findChromium();
    console.log(`Installed Debian’s chromium: ${found}`);
    return found;
  }
  throw new Error(`No Chromium found for the browser tests, and installing one did not work. ${HOW_TO_INSTALL}`);
}

/** Quiet, sandbox-free headless flags for a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** WebGPU on SwiftShader (a CPU implementation), so GPU code paths run on machines without a GPU. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];

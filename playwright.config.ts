import { defineConfig } from '@playwright/test';
// @ts-expect-error: a plain .mjs helper shared with the Vitest config and the benchmark runner
import { CHROMIUM_ARGS, WEBGPU_ARGS, findChromium } from './scripts/chromium.mjs';

const PORT = Number(process.env.TEST_PORT ?? 4327);
const executablePath = findChromium();

/**
 * Browser tests against the built site (`npm run build` first; `npm test` does both).
 * Three projects: `webgpu` runs every spec with WebGPU on SwiftShader; `no-webgpu` runs the
 * generic widget spec with WebGPU absent, to prove the CPU fallback and its badge; `main-thread`
 * measures long tasks once both are done, alone.
 */
export default defineConfig({
  testDir: 'test/browser',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['json', { outputFile: 'reports/playwright.json' }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1280, height: 900 },
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /main-thread\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /widgets\.spec\.ts/,
      grep: /runs to done/,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: [...CHROMIUM_ARGS, '--disable-features=WebGPU'] } },
    },
    {
      // Long tasks are wall time: a test running beside it on the same cores would stretch them.
      // So this spec runs last, one test at a time.
      name: 'main-thread',
      testMatch: /main-thread\.spec\.ts/,
      dependencies: ['webgpu', 'no-webgpu'],
      workers: 1,
      use: { browserName: 'chromium', launchOptions: { executablePath, args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS] } },
    },
  ],
  webServer: {
    command: `npx astro preview --port ${PORT} --host 127.0.0.1`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});

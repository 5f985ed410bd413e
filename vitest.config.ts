import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
// @ts-expect-error: a plain .mjs helper shared with the Playwright config and the benchmark runner
import { CHROMIUM_ARGS, WEBGPU_ARGS, findChromium } from './scripts/chromium.mjs';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // A limit for a stuck test, not a speed check: CI machines have two cores shared with other work.
          testTimeout: 60_000,
        },
      },
      {
        // WGSL kernels against their CPU references in real WebGPU: Chromium on SwiftShader here and
        // in CI. gpu-setup.ts fails (never skips) when no adapter appears.
        test: {
          name: 'gpu',
          include: ['test/gpu/**/*.test.ts'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: findChromium(), args: [...CHROMIUM_ARGS, ...WEBGPU_ARGS] } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        // Widget plumbing that needs a real DOM but no GPU (e.g. the lazily loaded plotting library).
        test: {
          name: 'dom',
          include: ['test/dom/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});

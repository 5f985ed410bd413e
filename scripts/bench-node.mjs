// Running the bundled benches in Node through Dawn, and printing their reports. Shared by
// `npm run bench -- --node` and by the folder `--pack` writes for a GPU server without Node.

/**
 * Makes Dawn (the `webgpu` package's module, passed in) navigator.gpu, on Vulkan as Chrome uses it
 * on Linux; prints the adapter; then runs each bench in the bundle at `bundleUrl`, hands each report
 * to `onReport` as it comes (so a run cut short keeps what it measured) and returns them all.
 */
export async function runInDawn(webgpu, bundleUrl, onReport = () => {}) {
  const { create, globals } = webgpu;
  Object.assign(globalThis, globals);
  const gpu = create(process.platform === 'linux' ? ['backend=vulkan'] : []);
  Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  console.log(
    `Node ${process.versions.node}, Dawn (webgpu npm), adapter: ${
      adapter
        ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim()
        : 'none (no GPU adapter: GPU rows are skipped, CPU rows run)'
    }${process.env.BENCH_GPU_ONLY === '1' ? ' (--gpu-only: CPU rows skipped)' : ''}`,
  );
  const { benches } = await import(bundleUrl);
  const reports = [];
  for (const [name, bench] of benches) {
    try {
      reports.push(await bench());
    } catch (error) {
      reports.push({ title: name, error: error instanceof Error ? error.message : String(error) });
    }
    onReport(reports.at(-1), reports);
  }
  return reports;
}

/** Prints a report's rows and ratios. */
export function printReport(report) {
  console.log(`\n## ${report.title}`);
  if (report.error) console.log(`  error: ${report.error}`);
  for (const row of report.rows ?? []) console.log(`  ${row.label.padEnd(56)} ${formatNumber(row.value).padStart(12)} ${row.unit}`);
  for (const ratio of report.ratios ?? []) console.log(`  ratio: ${ratio.label.padEnd(49)} ${ratio.value.toFixed(2).padStart(12)}x`);
}

/** True when a bench failed. */
export const anyFailed = (reports) => reports.some((r) => r.error);

function formatNumber(v) {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

import type { BenchReport } from './types';

/** Runs every bench/*.bench.ts in this page, one after another, and leaves the reports on window for the runner. */
const benches = import.meta.glob<{ default: () => Promise<BenchReport> }>('./*.bench.ts');
const only = new URLSearchParams(location.search).get('only');
const log = document.getElementById('log')!;
const reports: (BenchReport | { title: string; error: string })[] = [];
log.textContent = '';
for (const [path, load] of Object.entries(benches)) {
  if (only && !only.split(',').some((name) => path.includes(name))) continue;
  try {
    const report = await (await load()).default();
    reports.push(report);
    log.textContent += `${report.title}: done\n`;
  } catch (error) {
    reports.push({ title: path, error: error instanceof Error ? error.message : String(error) });
    log.textContent += `${path}: ${String(error)}\n`;
  }
}
(window as unknown as { __benchReports: unknown }).__benchReports = reports;

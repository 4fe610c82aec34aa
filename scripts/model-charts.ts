/**
 * The README's pictures of the finance models (issue 15): `npm run charts`.
 *
 * Runs the built-in demo (main/demo/, the same entry point as `npm run demo`) in a temporary data
 * folder, reads every model's published data source back from the Tableau emulator, draws one SVG
 * chart per model (scripts/model-charts/), and screenshots each with Debian's Chromium through
 * playwright-core (as the e2e tests do) into docs/screenshots/models-<model>.png.
 *
 * The clock starts on 10 January: the sample company's history is the calendar year before the
 * clock's start (main/emulators/intacct/sample-company.ts), so that is a company syncing just after
 * its year end. The demo then syncs again 30, 60 and 90 days later, so AP aging has four snapshots
 * (the emulator records no new payments in between: the chart shows the open bills ageing).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../main/core/clock';
import { systemClock } from '../main/core/clock';
import { createNodeFetch } from '../main/core/http/transport';
import { defaultFactories } from '../main/core/service/default-factories';
import type { Row } from '../main/core/streams/types';
import { runDemo } from '../main/demo';
import type { ModelName } from '../shared/models';
import { launchBrowser } from '../test/e2e/helpers/browser';
import { apAgingChart, balanceSheetChart, daysToPayChart, glBalancesChart, pnlChart, vendorSpendChart } from './model-charts/model-series';
import { chartSvg, type Chart } from './model-charts/svg';

const projectRoot = resolve(fileURLToPath(import.meta.url), '../..');
const SNAPSHOT_DAYS = [30, 60, 90];
const DAY_MS = 86_400_000;
const CURRENCY = 'USD';

/** Real time, shifted to start on 10 January of this year and jumped forward by `jump`. */
function shiftedClock(): Clock & { jump(days: number): void } {
  const t0 = Date.now();
  const start = Date.UTC(new Date(t0).getUTCFullYear(), 0, 10, 9, 0, 0);
  let offset = start - t0;
  return { now: () => Date.now() + offset, sleep: (ms, signal) => systemClock.sleep(ms, signal), jump: (days) => (offset += days * DAY_MS) };
}

const CHARTS: Readonly<Record<ModelName, (rows: readonly Row[]) => Chart>> = {
  gl_balances: (r) => glBalancesChart(r, CURRENCY),
  pnl: (r) => pnlChart(r, CURRENCY),
  balance_sheet: (r) => balanceSheetChart(r, CURRENCY),
  ap_aging: (r) => apAgingChart(r, CURRENCY),
  bill_payment_flow: (r) => daysToPayChart(r),
  vendor_performance: (r) => vendorSpendChart(r, CURRENCY),
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-charts-'));
  const clock = shiftedClock();
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const { result, env } = await runDemo({
      dataDir: join(dir, 'demo'),
      clock,
      fetch: createNodeFetch({}),
      factories: defaultFactories({ projectRoot }),
      ...(process.env.HYPERD_PATH ? { env: { HYPERD_PATH: process.env.HYPERD_PATH } } : {}),
      keep: true,
    });
    if (!env || !result.ok) throw new Error(`The demo did not succeed: ${result.problems.join('; ') || JSON.stringify(result.models)}`);
    try {
      let previous = 0;
      for (const days of SNAPSHOT_DAYS) {
        clock.jump(days - previous);
        previous = days;
        const r = await env.service.runNow({ trigger: 'demo' });
        if (!('outcome' in r) || r.outcome !== 'succeeded') throw new Error(`The sync ${days} days later did not succeed: ${JSON.stringify(r)}`);
        log(`Synced again ${days} days later.`);
      }
      const sections: string[] = [];
      for (const m of result.models) {
        const rows = await env.tableau.readRows(m.datasource);
        if (!rows?.length) throw new Error(`No rows published for ${m.name} (${m.datasource}).`);
        const model = m.name as ModelName;
        sections.push(`<section id="${model}" style="display:inline-block">${chartSvg(CHARTS[model](rows))}</section>`);
        log(`${m.name}: ${rows.length} rows from "${m.datasource}".`);
      }
      const page = join(dir, 'charts.html');
      writeFileSync(page, `<!doctype html><html><body style="margin:0;background:#fff">${sections.join('\n')}</body></html>`);
      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage({ deviceScaleFactor: 1 });
        await tab.goto(`file://${page}`);
        for (const m of result.models) {
          const out = join(projectRoot, 'docs', 'screenshots', `models-${m.name}.png`);
          await tab.locator(`#${m.name}`).screenshot({ path: out });
          log(`Wrote ${out}`);
        }
      } finally {
        await browser.close();
      }
    } finally {
      await env.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

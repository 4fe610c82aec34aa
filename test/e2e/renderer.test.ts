/**
 * The renderer in a real browser (Debian's Chromium through playwright-core), served by the
 * headless server over the real core service and both emulators (issue #5 "Served mode and browser
 * tests"): set up, test both connections, sync, break the Intacct password, change the schedule,
 * see this month's Intacct API transactions and estimate a full load, read Logs and History, add a
 * custom field to a stream. Writes the screenshots in docs/screenshots/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildRenderer } from '../../scripts/build-renderer.mjs';
import type { StreamName } from '../../shared/types';
import type { Backend } from './helpers/backend';
import { launchBrowser } from './helpers/browser';
import { startBackend } from './helpers/real-backend';
import { mailSubject, mailText, startSmtpReceiver } from '../helpers/smtp-receiver';
import { startWebhookReceiver } from '../helpers/webhook-receiver';

const SHOTS = join(process.cwd(), 'docs', 'screenshots');
const WIDE = { width: 900, height: 700 };

describe('renderer in served mode (browser)', () => {
  let backend: Backend;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let firstRunRows = 0;

  before(async () => {
    const staticDir = await buildRenderer({ outDir: join(process.cwd(), 'test', 'output', 'e2e-renderer') });
    await mkdir(SHOTS, { recursive: true });
    [backend, browser] = await Promise.all([startBackend(staticDir), launchBrowser()]);
    context = await browser.newContext({ viewport: WIDE, colorScheme: 'light', timezoneId: 'UTC', locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await backend?.close();
  });

  const field = (name: string) => page.locator(`[name="${name}"]`);
  const go = async (hash: string, heading: string) => {
    await page.goto(`${backend.url}${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
    // Settings shows its heading over "Loading…" before the form arrives; a test that reads the
    // form at once (evaluateAll does not wait) would see no fields (a CI run failed so).
    if (hash === '#/settings') await page.locator('form.settings').waitFor();
  };
  /** Fits the viewport to the page so the sticky save bar sits at the bottom of a full shot. */
  const fullShot = async (name: string, width = WIDE.width) => {
    const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
    await page.setViewportSize({ width, height: Math.max(height, 400) });
    await page.screenshot({ path: join(SHOTS, name) });
    await page.setViewportSize({ width, height: WIDE.height });
  };
  /**
   * Polls a page-side expression until it is truthy. (page.waitForFunction would compile the text
   * with eval inside the page, which the renderer's CSP rightly forbids.)
   */
  const waitUntil = async (expression: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate(expression))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const testSteps = async (side: 'intacct' | 'tableau') => {
    const box = page.getByTestId(`test-${side}`);
    await box.getByRole('button', { name: /Test .* connection/ }).click();
    await box.locator('.test-summary').waitFor({ timeout: 30_000 });
    return box.locator('.test-steps li').evaluateAll((items) => items.map((li) => ({ ok: li.getAttribute('data-ok') === 'true', text: li.textContent ?? '' })));
  };

  it('takes the token from the URL fragment, hides it, and shows a fresh install as not set up', async () => {
    await page.goto(`${backend.url}#token=${backend.token}`);
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    assert.ok(!page.url().includes(backend.token), 'the token is stripped from the address bar');
    assert.equal(await page.evaluate("sessionStorage.getItem('ml-connector.token')"), backend.token);
    await page.getByTestId('state-pill').getByText('Not set up').waitFor();
  });

  it('rejects invalid settings with a message next to the field, and saves valid ones with write-only secrets', async () => {
    await go('#/settings', 'Settings');
    await page.getByText('Advanced').click();
    await field('intacct.endpoint').fill('ftp://not-a-gateway');
    await field('intacct.senderId').fill(backend.intacct.senderId);
    await page.getByTestId('save-settings').click();
    const endpointError = page.locator('[data-path="intacct.endpoint"] .field-error');
    await endpointError.waitFor();
    assert.match((await endpointError.textContent()) ?? '', /https/i);
    assert.equal(await field('intacct.endpoint').getAttribute('aria-invalid'), 'true');

    await field('intacct.endpoint').fill(backend.intacct.endpoint);
    await field('intacctSenderPassword').fill(backend.intacct.senderPassword);
    await field('intacct.companyId').fill(backend.intacct.companyId);
    await field('intacct.userId').fill(backend.intacct.userId);
    await field('intacctUserPassword').fill(backend.intacct.userPassword);
    await page.getByRole('radio', { name: 'Tableau Server' }).check();
    await field('tableau.serverUrl').fill(backend.tableau.serverUrl);
    await field('tableau.site').fill(backend.tableau.site);
    await field('tableau.patName').fill(backend.tableau.patName);
    await field('tableauPatSecret').fill(backend.tableau.patSecret);
    await field('tableau.project').fill('Finance');
    await page.getByLabel('Create the project if it does not exist').check();
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();

    for (const name of ['intacctSenderPassword', 'intacctUserPassword', 'tableauPatSecret']) {
      assert.equal(await page.getByTestId(`secret-${name}`).textContent(), '•••• set');
      assert.equal(await field(name).inputValue(), '', 'a stored secret is never shown');
    }
    const html = await page.content();
    for (const secret of [backend.intacct.senderPassword, backend.intacct.userPassword, backend.tableau.patSecret])
      assert.ok(!html.includes(secret), 'no secret in the page');
  });

  it('tests both connections and shows every step passing', async () => {
    const intacct = await testSteps('intacct');
    assert.ok(intacct.length >= 2, JSON.stringify(intacct));
    assert.ok(
      intacct.every((s) => s.ok),
      JSON.stringify(intacct),
    );
    const tableau = await testSteps('tableau');
    assert.ok(tableau.length >= 2, JSON.stringify(tableau));
    assert.ok(
      tableau.every((s) => s.ok),
      JSON.stringify(tableau),
    );
    await fullShot('settings.png');
  });

  it('syncs now with live progress and shows the rows moved in the stream cards', async () => {
    await go('#/status', 'Status');
    // Record every progress phase the page renders, however briefly.
    // (Page-side code is passed as text: tsx would otherwise inject helpers the page lacks.)
    await page.evaluate(`{
      const seen = (window.phases = new Set());
      const record = () => document.querySelectorAll('[data-phase]').forEach((el) => seen.add(el.dataset.testid + ':' + el.dataset.phase));
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
    }`);
    const sync = page.getByTestId('sync-now');
    await sync.click();
    await page.getByRole('button', { name: 'Cancel' }).waitFor();
    assert.equal(await sync.isDisabled(), true, 'Sync now is disabled while syncing');
    assert.match((await sync.textContent()) ?? '', /Syncing/);
    // Best effort: a picture of the bars moving, if the run is still going.
    await page
      .locator('[data-phase="reading"], [data-phase="writing"], [data-phase="applying"]')
      .first()
      .waitFor({ timeout: 5_000 })
      .then(
        () => page.screenshot({ path: join(SHOTS, 'status-syncing.png') }),
        () => undefined,
      );
    await page.getByTestId('state-pill').getByText('Up to date').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Sync now' }).waitFor();

    const phases = (await page.evaluate('[...window.phases]')) as string[];
    assert.ok(
      phases.some((p) => /:(reading|writing|uploading|applying)$/.test(p)),
      `progress was shown: ${phases.join(', ')}`,
    );
    assert.ok(
      phases.some((p) => p.endsWith(':done')),
      `progress reached done: ${phases.join(', ')}`,
    );

    const streams: StreamName[] = ['gl_account', 'vendor', 'ap_bill', 'gl_detail'];
    for (const stream of streams) {
      const shown = Number((await page.getByTestId(`rows-${stream}`).textContent())?.replace(/[^0-9]/g, ''));
      const expected = await backend.intacctRows(stream);
      assert.ok(expected > 0, `the sample company has ${stream} rows`);
      assert.equal(shown, expected, `${stream}: rows moved on the card = Intacct's rows`);
      assert.equal(await backend.tableauRows(stream), expected, `${stream}: Tableau holds them`);
      firstRunRows += shown;
    }
    // The finance models, built after the streams and published, beside the stream cards (issue 15).
    const models = page.getByTestId('models');
    await models.waitFor();
    assert.equal(await page.locator('[data-testid="model"][data-outcome="published"]').count(), 6, await models.innerText());
    const balanceRows = Number((await page.locator('[data-testid="model"][data-model="gl_balances"] td.num').first().textContent())?.replace(/[^0-9]/g, ''));
    assert.ok(balanceRows > 0, `GL balances rows shown: ${balanceRows}`);
    assert.match(await models.innerText(), /Intacct GL Balances by Period/);
    // Which fiscal year start the GL models used, and where it came from (the entities' FIRSTMONTH in Intacct).
    const fiscalYear = page.getByTestId('fiscal-year');
    assert.deepEqual([await fiscalYear.getAttribute('data-source'), await fiscalYear.getAttribute('data-month')], ['intacct', '4']);
    assert.match(await fiscalYear.innerText(), /Fiscal year starts in: April, the first fiscal month of entities CA-HP, US-HP in Sage Intacct\./);
    await page.getByTestId('accounting-checks').waitFor();
    assert.equal(await page.getByTestId('error-banner').count(), 0);
    await page.screenshot({ path: join(SHOTS, 'status.png'), fullPage: true });
  });

  it('reads well in the dark theme and in a narrow tray window', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'status-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 420, height: 640 });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    assert.equal(overflow, 0, 'no horizontal scrolling at 420 px');
    await page.screenshot({ path: join(SHOTS, 'status-narrow.png') });
    for (const [hash, heading] of [
      ['#/settings', 'Settings'],
      ['#/logs', 'Logs'],
      ['#/history', 'History'],
    ] as const) {
      await go(hash, heading);
      await page.locator('.card').first().waitFor();
      assert.equal(
        await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
        0,
        `no horizontal scrolling on ${heading} at 420 px`,
      );
    }
    await page.setViewportSize(WIDE);
  });

  it('is keyboard accessible: tabs reach the navigation and Sync now in order', async () => {
    await go('#/status', 'Status');
    await page.reload(); // start from the top of the document, as a freshly opened window does
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    const focused: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Tab');
      focused.push(String(await page.evaluate("(document.activeElement?.textContent ?? '').trim()")));
    }
    const order = ['Status', 'Settings', 'Logs', 'History', 'Sync now'].map((t) => focused.indexOf(t));
    assert.ok(
      order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1]!)),
      `tab order: ${focused.join(' | ')}`,
    );
    await page.getByRole('link', { name: 'History' }).focus();
    await page.keyboard.press('Enter'); // a tab activated from the keyboard
    await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
  });

  it('cancels a run from the Cancel button and says so', async () => {
    backend.setIntacctLatency(300);
    try {
      await go('#/status', 'Status');
      await page.getByTestId('sync-now').click();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByTestId('sync-now').getByText('Sync now').waitFor({ timeout: 30_000 });
      assert.match((await page.locator('#sync-summary').textContent()) ?? '', /Last sync.*cancelled/);
      assert.equal(await page.getByTestId('error-banner').count(), 0, 'a cancelled run is not an error');
    } finally {
      backend.setIntacctLatency(5);
    }
  });

  it('shows the specific error when Intacct rejects the password, in the test step and the banner', async () => {
    await go('#/settings', 'Settings');
    await field('intacctUserPassword').fill('definitely-wrong-password');
    const steps = await testSteps('intacct'); // tests the typed password without saving it
    const failed = steps.find((s) => !s.ok);
    assert.ok(failed, JSON.stringify(steps));
    assert.match(failed.text, /sign-in|password|user/i);
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();

    await go('#/status', 'Status');
    await page.getByTestId('sync-now').click();
    const banner = page.getByTestId('error-banner');
    await banner.waitFor({ timeout: 60_000 });
    const text = (await banner.textContent()) ?? '';
    assert.match(text, /Sage Intacct failed/);
    assert.match(text, /password|sign-in|credentials/i, text);
    await page.getByTestId('state-pill').getByText('Needs attention').waitFor();
    await page.screenshot({ path: join(SHOTS, 'status-error.png'), fullPage: true });

    await banner.getByRole('link', { name: 'View the log lines of this run' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    const runId = new URLSearchParams(page.url().split('?')[1] ?? '').get('runId');
    assert.ok(runId, page.url());
    assert.equal(await page.locator('[name="logs.run"]').inputValue(), runId);
    await page.getByTestId('log-table').waitFor();
    assert.ok((await page.locator('.log-table tbody tr.level-error').count()) >= 1, 'the run has an error line');
  });

  it('previews the next five runs and updates them as the schedule changes', async () => {
    await go('#/settings', 'Settings');
    // Put the right password back (the next run must succeed for History).
    await field('intacctUserPassword').fill(backend.intacct.userPassword);
    const preview = page.getByTestId('schedule-preview');
    await field('schedule.preset.kind').selectOption('hourly');
    await field('schedule.preset.everyHours').fill('2');
    await page.getByLabel('Business days only (Mon–Fri)').uncheck();
    await preview.getByText(/2 hours/i).waitFor();
    const times = await preview.locator('time').evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('datetime') ?? '')));
    assert.equal(times.length, 5);
    for (let i = 1; i < times.length; i += 1) assert.equal(times[i]! - times[i - 1]!, 2 * 3_600_000, 'runs two hours apart');

    await field('schedule.preset.kind').selectOption('daily');
    await field('schedule.preset.time').fill('07:30');
    await field('schedule.timezone').fill('America/New_York');
    await preview.getByText(/America\/New_York/).waitFor();
    const daily = await preview.locator('time').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    assert.equal(daily.length, 5);
    assert.ok(
      daily.every((t) => /07:30/.test(t)),
      daily.join(' | '),
    );

    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();
  });

  it('moves only the changed records on the next sync', async () => {
    await backend.editVendors(3);
    await go('#/status', 'Status');
    await page.getByTestId('sync-now').click();
    await page.getByTestId('state-pill').getByText('Up to date').waitFor({ timeout: 60_000 });
    await page.getByTestId('sync-now').getByText('Sync now').waitFor();
    assert.equal(await page.getByTestId('rows-vendor').textContent(), '3');
    assert.equal(await page.getByTestId('rows-gl_detail').textContent(), '0');
    // What each finished stream checked and what changed, not a row count beside "Rows moved 0".
    assert.match((await page.getByTestId('progress-vendor').locator('.progress-rows').textContent()) ?? '', /^[\d,]+ checked · 3 changed$/);
    assert.match((await page.getByTestId('progress-gl_detail').locator('.progress-rows').textContent()) ?? '', /^[\d,]+ checked · 0 changed$/);
    assert.equal(await page.getByTestId('error-banner').count(), 0, 'the good password is back');
  });

  /** This month's runs (since the 1st, UTC), as the service counts them. */
  const runsThisMonth = async () => {
    const now = new Date();
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    return (await backend.runs(1000)).filter((r) => r.startedAt >= monthStart);
  };
  const count = (text: string | null) => Number((text ?? '').replace(/[^0-9]/g, ''));

  it("shows this month's Intacct API transactions on Status: every request Intacct answered", async () => {
    await go('#/status', 'Status');
    const runs = await runsThisMonth();
    assert.ok(runs.length >= 3 && runs.every((r) => r.outcome !== 'running'), `three finished runs so far: ${JSON.stringify(runs)}`);
    // Runs, connection tests and field lookups all count: the emulator's own request log is the truth.
    const expected = backend.intacctRequests();
    assert.ok(expected > runs.reduce((n, r) => n + r.apiTransactions, 0), `more than the runs alone used: ${expected}`);
    const line = page.getByTestId('api-usage');
    // The status pushed after the last run carries it; allow for the push to arrive.
    await waitUntil(`Number(document.querySelector('[data-testid="api-usage-count"]')?.textContent.replace(/[^0-9]/g, '')) === ${expected}`).catch(
      () => undefined,
    );
    assert.equal(count(await page.getByTestId('api-usage-count').textContent()), expected, 'the line shows every request Intacct answered');
    assert.equal((await line.textContent())?.trim(), `Intacct API transactions this month: ${expected.toLocaleString('en-US')} of 100,000 included`);
    assert.equal(await line.evaluate((el) => el.classList.contains('api-usage-high')), false, 'nothing alarming far below the allowance');
  });

  it('estimates a full load of the enabled streams from the saved settings, with counts equal to Intacct', async () => {
    await go('#/settings', 'Settings');
    const box = page.getByTestId('full-load-estimate');
    const button = box.getByRole('button', { name: /Estimate a full load|Counting records/ });
    const unsaved = box.getByTestId('estimate-unsaved');
    const table = box.getByRole('table', { name: 'Full load from Intacct, by stream' });
    const enabled = (await page
      .locator('input[name^="streams.enabled."]:checked')
      .evaluateAll((els) => els.map((el) => (el.getAttribute('name') ?? '').slice('streams.enabled.'.length)))) as StreamName[];
    assert.ok(enabled.includes('gl_detail') && enabled.length >= 4, `enabled: ${enabled.join(', ')}`);

    // It counts the SAVED settings: a change in the draft says so until it is saved or discarded.
    assert.equal(await unsaved.count(), 0, 'no note while nothing is changed');
    await field('streams.enabled.vendor').uncheck();
    await unsaved.waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await unsaved.waitFor({ state: 'detached' });

    // A sign-in Intacct refuses says why, inline.
    await field('intacctUserPassword').fill('definitely-wrong-password');
    await unsaved.waitFor();
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();
    await unsaved.waitFor({ state: 'detached' });
    const consoleBefore = pageErrors.length;
    await button.click();
    const refused = box.locator('.estimate-result .inline-error');
    await refused.waitFor({ timeout: 30_000 });
    assert.match((await refused.textContent()) ?? '', /password|sign-in|credentials/i, 'the API error in words');
    assert.equal(await table.count(), 0, 'no table after a failure');
    // Chromium logs the refused call's HTTP status (400, a configuration error) to the console: expected here.
    const logged = pageErrors.splice(consoleBefore);
    assert.ok(
      logged.every((e) => /status of 400/.test(e)),
      `only the refused estimate was logged: ${logged.join(' | ')}`,
    );
    await field('intacctUserPassword').fill(backend.intacct.userPassword);

    // A later GL-detail start date leaves the earlier entries out of the count.
    const startField = field('streams.glDetailStartDate');
    const savedStart = await startField.inputValue();
    const allGlDetail = await backend.intacctRows('gl_detail');
    await startField.fill('2025-07-01');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();
    try {
      const expectedRows = new Map<StreamName, number>();
      for (const stream of enabled) expectedRows.set(stream, await backend.intacctRows(stream));
      const glDetail = expectedRows.get('gl_detail') ?? 0;
      assert.ok(glDetail > 0 && glDetail < allGlDetail, `the start date matters: ${glDetail} of ${allGlDetail} GL detail rows`);

      // Progress while it counts, then the table.
      backend.setIntacctLatency(300);
      try {
        await button.click();
        await box.getByRole('button', { name: /Counting records in Intacct…/ }).waitFor({ timeout: 5_000 });
        assert.equal(await button.isDisabled(), true, 'the button is disabled while it counts');
        await table.waitFor({ timeout: 30_000 });
      } finally {
        backend.setIntacctLatency(5);
      }
      assert.equal(await refused.count(), 0, 'the earlier error is gone');
      const rows = await table.locator('tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          stream: tr.getAttribute('data-stream') ?? '',
          label: tr.querySelector('th')?.textContent ?? '',
          rows: tr.querySelector('[data-col="rows"]')?.textContent ?? '',
          transactions: tr.querySelector('[data-col="transactions"]')?.textContent ?? '',
        })),
      );
      assert.deepEqual(rows.map((r) => r.stream).sort(), [...enabled].sort(), 'one row per enabled stream');
      for (const r of rows) {
        assert.equal(count(r.rows), expectedRows.get(r.stream as StreamName), `${r.stream}: records = Intacct's count for a full load`);
        assert.ok(count(r.transactions) >= Math.ceil(count(r.rows) / 2000) + 1, `${r.stream}: at least one transaction per 2,000-row page (${r.transactions})`);
      }
      assert.ok(rows.find((r) => r.stream === 'gl_detail')?.label === 'GL detail', 'streams are shown by label');
      const total = table.locator('tfoot tr');
      const totalTransactions = count(await total.locator('[data-col="transactions"]').textContent());
      assert.equal(
        totalTransactions,
        rows.reduce((n, r) => n + count(r.transactions), 0),
        'total = the sum of the rows',
      );
      assert.equal(
        count(await total.locator('[data-col="rows"]').textContent()),
        rows.reduce((n, r) => n + count(r.rows), 0),
        'total records = the sum of the rows',
      );

      const summary = (await box.getByTestId('estimate-summary').textContent()) ?? '';
      const m =
        /^A full load of these streams uses about ([\d,]+) API transactions \(this count used ([\d,]+)\)\. This month so far: ([\d,]+) of 100,000 included\.$/.exec(
          summary,
        );
      assert.ok(m, `the sentence: ${summary}`);
      assert.equal(count(m[1]!), totalTransactions, 'the sentence gives the total');
      assert.ok(count(m[2]!) >= 1, `counting cost something: ${m[2]}`);
      assert.equal(count(m[3]!), backend.intacctRequests(), 'this month = every request Intacct answered, the count included');
      assert.equal(await box.locator('.estimate-result').getAttribute('aria-live'), 'polite', 'the result is announced');

      const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
      await page.setViewportSize({ width: WIDE.width, height });
      await page.locator('section[aria-labelledby="sec-streams"]').screenshot({ path: join(SHOTS, 'settings-estimate.png') });
      await page.setViewportSize({ width: 420, height: 640 });
      assert.equal(
        await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
        0,
        'no horizontal scrolling at 420 px with the estimate shown',
      );
      await page.setViewportSize(WIDE);
    } finally {
      await startField.fill(savedStart);
      await page.getByTestId('save-settings').click();
      await page.getByTestId('save-message').getByText('Settings saved.').waitFor();
    }
    assert.equal(await backend.intacctRows('gl_detail'), allGlDetail, 'the start date is back');
  });

  it('lists the log lines with filters, search and a support bundle without secrets', async () => {
    await go('#/logs', 'Logs');
    await page.getByTestId('log-table').waitFor();
    const all = await page.locator('.log-table tbody tr').count();
    assert.ok(all > 5, `log lines: ${all}`);
    await page.locator('[name="logs.level"]').selectOption('error');
    await waitUntil("[...document.querySelectorAll('.log-table tbody tr')].every((tr) => tr.classList.contains('level-error'))");
    await page.locator('[name="logs.level"]').selectOption('');
    await waitUntil(`document.querySelectorAll('.log-table tbody tr').length >= ${all}`);
    await page.screenshot({ path: join(SHOTS, 'logs.png') });
    await page.getByLabel('Search').fill('tie-out');
    await waitUntil(
      `(() => { const rows = [...document.querySelectorAll('.log-table tbody tr')]; return rows.length > 0 && rows.length < ${all} && rows.every((tr) => /tie-out/i.test(tr.textContent)); })()`,
    );
    await page.getByLabel('Search').fill('');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-bundle').click()]);
    assert.match(download.suggestedFilename(), /\.zip$/);
    const zip = await readFile(await download.path());
    assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK');
    for (const secret of [backend.intacct.senderPassword, backend.intacct.userPassword, backend.tableau.patSecret])
      assert.ok(!zip.includes(secret), 'no secret in the bundle');
  });

  it('charts the runs and searches the audit trail by record key', async () => {
    await go('#/history', 'History');
    await page.getByTestId('history-chart').waitFor();
    const bars = await page.locator('[data-testid="history-chart"] rect.bar').count();
    const rows = await page.locator('[data-testid="runs-table"] > tbody > tr').count();
    assert.ok(bars >= 3, `bars: ${bars}`);
    assert.equal(bars, rows, 'one bar per run');
    assert.equal(await page.locator('[data-testid="history-chart"] rect.bar-failed').count(), 1, 'the bad-password run is shown as failed');

    await page.locator('[data-testid="runs-table"] > tbody > tr').first().getByRole('button', { name: 'Details' }).click();
    const detail = page.locator('.run-detail');
    await detail.getByText('Vendors').waitFor();
    assert.match((await detail.textContent()) ?? '', /Tie-out: Tableau matches Intacct/);
    await page.getByTestId('audit-table').waitFor();
    const key = (await page.locator('.audit-table tbody tr td.mono').first().textContent())?.trim() ?? '';
    assert.ok(key, 'an audit entry is listed');
    await page.getByLabel('Record key').fill(key);
    await page.getByRole('button', { name: 'Search' }).click();
    await waitUntil(
      `[...document.querySelectorAll('.audit-table tbody tr')].every((tr) => tr.querySelector('td.mono')?.textContent === ${JSON.stringify(key)})`,
    );
    assert.ok(firstRunRows > 0);
    await fullShot('history.png');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-audit').click()]);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.ok(lines.length >= 2, csv.slice(0, 200));
    assert.ok(
      lines.slice(1).every((l) => l.includes(key)),
      'the export holds that record only',
    );
  });

  it('adds an Intacct custom field to GL detail from Settings and loads it into Tableau', async () => {
    await go('#/settings', 'Settings');
    const toggle = page.getByTestId('extra-fields-toggle-gl_detail');
    const panel = page.getByTestId('extra-fields-gl_detail');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false', 'the panel starts closed');
    assert.equal(await toggle.getAttribute('aria-controls'), await panel.getAttribute('id'), 'the button controls the panel');
    assert.match((await toggle.textContent()) ?? '', /Extra fields \(0\)/);
    assert.equal(await panel.isVisible(), false, 'a closed panel is hidden');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'the button says the panel is open');
    await panel.getByText('Added fields become columns of the data source. Changing them publishes it again in full on the next sync.').waitFor();

    // A lookup Intacct refuses says why, next to the button.
    const find = panel.getByRole('button', { name: /Find fields in Intacct|Finding fields/ });
    await field('intacctUserPassword').fill('definitely-wrong-password');
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();
    const consoleBefore = pageErrors.length;
    await find.click();
    const refused = panel.locator('.extra-fields-status .inline-error');
    await refused.waitFor({ timeout: 30_000 });
    assert.match((await refused.textContent()) ?? '', /password|sign-in|credentials/i, 'the API error in words');
    // Chromium logs the refused call's HTTP status (400, a configuration error) to the console: expected here.
    const logged = pageErrors.splice(consoleBefore);
    assert.ok(
      logged.every((e) => /status of 400/.test(e)),
      `only the refused lookup was logged: ${logged.join(' | ')}`,
    );
    await field('intacctUserPassword').fill(backend.intacct.userPassword);
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();

    // Find fields in Intacct: progress while it runs, then the fields GL detail does not have yet.
    backend.setIntacctLatency(300);
    try {
      await find.click();
      await panel.getByRole('button', { name: /Finding fields/ }).waitFor({ timeout: 5_000 });
      assert.equal(await find.isDisabled(), true, 'Find is disabled while it runs');
      await panel.locator('.field-choices').waitFor({ timeout: 30_000 });
      assert.equal(await refused.count(), 0, 'the earlier error is gone');
    } finally {
      backend.setIntacctLatency(5);
    }
    const choices = panel.locator('.field-choices li');
    const offered = await choices.evaluateAll((items) => items.map((li) => li.getAttribute('data-field') ?? ''));
    assert.ok(offered.includes('GLDIMSALES_CHANNEL'), `GLDIMSALES_CHANNEL is offered: ${offered.join(', ')}`);
    assert.ok(!offered.includes('ACCOUNTNO') && !offered.includes('RECORDNO'), `standard columns are not offered: ${offered.join(', ')}`);
    // The company's own fields first: user-defined dimensions (GLDIM*, ISCUSTOM false in Intacct's lookup) in name order.
    assert.ok(
      offered.slice(0, 6).every((f) => f.startsWith('GLDIM')),
      `dimensions come first: ${offered.join(', ')}`,
    );
    const program = panel.locator('.field-choices li[data-field="GLDIMSALES_CHANNEL"]');
    assert.match(
      (await program.textContent()) ?? '',
      /GLDIMSALES_CHANNEL\s*dimension\s*Sales channel · TEXT/,
      'marked as a dimension, with its label and Intacct type',
    );
    await program.getByRole('button', { name: 'Add GLDIMSALES_CHANNEL' }).click();
    await program.waitFor({ state: 'detached' });
    assert.equal(await field('streams.extraFields.gl_detail.0.field').inputValue(), 'GLDIMSALES_CHANNEL');
    assert.equal(await field('streams.extraFields.gl_detail.0.type').inputValue(), 'text');
    assert.match((await toggle.textContent()) ?? '', /Extra fields \(1\)/);
    // The whole page fits the viewport, so the sticky save bar does not cover the panel.
    const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
    await page.setViewportSize({ width: WIDE.width, height });
    await page.locator('.stream-item', { has: toggle }).screenshot({ path: join(SHOTS, 'settings-fields.png') });
    await page.setViewportSize(WIDE);

    // Decimals are offered for Decimal only.
    const type = field('streams.extraFields.gl_detail.0.type');
    await type.selectOption({ label: 'Decimal' });
    await field('streams.extraFields.gl_detail.0.scale').waitFor();
    assert.equal(await field('streams.extraFields.gl_detail.0.scale').getAttribute('placeholder'), '2', 'empty decimals mean 2');
    await type.selectOption({ label: 'Text' });
    await field('streams.extraFields.gl_detail.0.scale').waitFor({ state: 'detached' });

    // The same field twice: the service's message shows next to the second one, even with the panel closed.
    await panel.getByRole('button', { name: 'Add a field' }).click();
    await waitUntil(`document.activeElement?.getAttribute('name') === 'streams.extraFields.gl_detail.1.field'`);
    await page.keyboard.type('GLDIMSALES_CHANNEL');
    await toggle.click();
    assert.equal(await panel.isVisible(), false, 'the panel closed');
    await page.getByTestId('save-settings').click();
    const twice = page.locator('[data-path="streams.extraFields.gl_detail.1.field"] .field-error');
    await twice.waitFor();
    assert.match((await twice.textContent()) ?? '', /GLDIMSALES_CHANNEL is listed twice/);
    assert.equal(await field('streams.extraFields.gl_detail.1.field').getAttribute('aria-invalid'), 'true', 'the input is marked invalid');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'the panel opened to show the error');
    await panel.getByRole('button', { name: 'Remove GLDIMSALES_CHANNEL' }).nth(1).click();
    await page.getByTestId('save-settings').click();
    await page.getByTestId('save-message').getByText('Settings saved.').waitFor();
    assert.equal(await page.getByTestId('error-summary').count(), 0, 'no errors left');

    // The open panel fits a narrow tray window too.
    await page.setViewportSize({ width: 420, height: 640 });
    assert.equal(
      await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
      0,
      'no horizontal scrolling at 420 px with the panel open',
    );
    await page.setViewportSize(WIDE);

    // The next sync publishes GL detail again in full, with the new column.
    const before = (await backend.runs())[0]?.runId;
    await go('#/status', 'Status');
    await page.getByTestId('sync-now').click();
    const deadline = Date.now() + 60_000;
    let run = (await backend.runs())[0];
    while (!run || run.runId === before || run.outcome === 'running') {
      assert.ok(Date.now() < deadline, `the run finishes within a minute (latest: ${JSON.stringify(run)})`);
      await new Promise((r) => setTimeout(r, 200));
      run = (await backend.runs())[0];
    }
    assert.equal(run.outcome, 'succeeded', JSON.stringify(run));
    await page.getByTestId('state-pill').getByText('Up to date').waitFor({ timeout: 10_000 });
    await page
      .locator('#sync-summary')
      .getByText(/succeeded/)
      .waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId('error-banner').count(), 0, 'no error banner');
    const total = await backend.intacctRows('gl_detail');
    assert.equal(Number((await page.getByTestId('rows-gl_detail').textContent())?.replace(/[^0-9]/g, '')), total, 'GL detail was loaded again in full');

    const columns = await backend.tableauColumns('gl_detail');
    assert.deepEqual(
      columns.find((c) => c.name === 'GLDIMSALES_CHANNEL'),
      { name: 'GLDIMSALES_CHANNEL', type: 'text' },
      `columns: ${columns.map((c) => c.name).join(', ')}`,
    );
    const intacctValues = await backend.intacctValues('gl_detail', 'GLDIMSALES_CHANNEL');
    const tableauValues = await backend.tableauValues('gl_detail', 'GLDIMSALES_CHANNEL');
    assert.ok(tableauValues, 'the data source has a GLDIMSALES_CHANNEL column');
    assert.equal(tableauValues.size, intacctValues.size, 'one row per Intacct record');
    const differences = [...intacctValues].filter(([recordNo, value]) => !tableauValues.has(recordNo) || tableauValues.get(recordNo) !== value);
    assert.equal(
      differences.length,
      0,
      `values differ by RECORDNO, e.g. ${JSON.stringify(differences.slice(0, 3).map(([k, v]) => [k, v, tableauValues.get(k)]))}`,
    );
    const filled = [...intacctValues.values()].filter((v) => v !== null);
    assert.ok(filled.length > 0 && filled.length < intacctValues.size, `some records have a program, some not (${filled.length} of ${intacctValues.size})`);
    assert.ok(new Set(filled).size > 1, `several programs: ${[...new Set(filled)].join(', ')}`);
  });

  it('says why stored secrets do not follow a changed address, and shows the alert command read-only', async () => {
    await go('#/settings', 'Settings');
    assert.equal(await page.getByTestId('endpoint-change').count(), 0);
    await field('tableau.serverUrl').fill('https://tableau.elsewhere.example.com');
    const banner = page.getByTestId('endpoint-change');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /Tableau server address changed.*entered for the old address/s);
    assert.equal(await page.getByTestId('confirm-endpoint-change').isChecked(), false);
    // Typing the secret again for the new address makes the warning moot.
    await field('tableauPatSecret').fill('a-new-secret');
    assert.equal(await banner.count(), 0);
    await page.getByRole('button', { name: 'Discard changes' }).click();
    assert.equal(await field('alerts.command').getAttribute('readonly'), '');
  });

  it('sends a test alert by email and to Slack from the unsaved alert settings and shows each channel’s result', async () => {
    const smtp = await startSmtpReceiver();
    const hook = await startWebhookReceiver();
    let smtpOpen = true;
    try {
      await go('#/settings', 'Settings');
      await field('alerts.email.host').fill('127.0.0.1');
      await field('alerts.email.port').fill(String(smtp.port));
      await field('alerts.email.security').selectOption('none');
      await field('alerts.email.from').fill('alerts@acme.example');
      await field('alerts.email.to').fill('controller@acme.example, it@acme.example');
      await field('alerts.webhook.kind').selectOption('slack');
      await field('alertWebhookUrl').fill(`${hook.origin}/services/T1/B1/e2e-hook-secret`);
      const box = page.getByTestId('send-test-alert');
      await box.getByRole('button', { name: 'Send test alert' }).click();
      await box.locator('.test-summary').waitFor({ timeout: 30_000 });
      assert.equal(await box.locator('.test-summary').textContent(), 'The test alert was sent.');
      const lines = await box
        .locator('.test-steps li')
        .evaluateAll((items) => items.map((li) => [li.getAttribute('data-channel'), li.getAttribute('data-ok'), li.textContent ?? '']));
      assert.deepEqual(
        lines.map(([c, ok]) => [c, ok]),
        [
          ['email', 'true'],
          ['webhook', 'true'],
        ],
      );
      assert.match(lines[0]![2]!, /Sent to controller@acme\.example, it@acme\.example through 127\.0\.0\.1/);
      const [mail] = await smtp.waitFor(1);
      assert.deepEqual(mail!.to, ['controller@acme.example', 'it@acme.example']);
      assert.match(mailSubject(mail!.raw), /ml-connector: Test alert/);
      assert.match(mailText(mail!.raw), /If you can read it, alerts reach you here/);
      const [post] = await hook.waitFor(1);
      assert.equal(post!.path, '/services/T1/B1/e2e-hook-secret');
      assert.ok(!post!.body.includes('e2e-hook-secret'));
      // Nothing was saved: the typed webhook address is still only in the form.
      assert.match((await page.getByTestId('secret-alertWebhookUrl').textContent()) ?? '', /not set/);

      // A mail server that is down and a bad recipient: each says what to fix, next to its channel or field.
      await smtp.close();
      smtpOpen = false;
      await box.getByRole('button', { name: 'Send test alert' }).click();
      await box.locator('.test-steps li[data-channel="email"][data-ok="false"]').waitFor({ timeout: 30_000 });
      assert.match(
        (await box.locator('.test-steps li[data-channel="email"]').textContent()) ?? '',
        /could not be reached.*Check the SMTP server and port in Settings › Alerts/,
      );
      await field('alerts.email.to').fill('controller at acme');
      await page.getByRole('button', { name: 'Save settings' }).click();
      const error = page.locator('[data-path="alerts.email.to"] .field-error');
      await error.waitFor();
      assert.match((await error.textContent()) ?? '', /Write one address like controller@example\.com/);
      await page.getByRole('button', { name: 'Discard changes' }).click();
    } finally {
      if (smtpOpen) await smtp.close();
      await hook.close();
    }
  });

  it('raised no script errors and no CSP violations', () => {
    assert.deepEqual(pageErrors, []);
  });
});

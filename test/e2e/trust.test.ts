/**
 * "A controller can trust what the window says" (issue #14), in a real browser over the real
 * service and both emulators: a dependent data source that does not exist is found by Test
 * connection and makes the run "partly succeeded" with a banner and a per-data-source list (point 1);
 * stream cards say what Tableau holds and since when, and "Not run" for streams a run did not reach
 * (point 2); a page that loses the service says so and turns its actions off (point 8).
 * Writes docs/screenshots/status-partial.png, status-freshness.png and status-disconnected.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildRenderer } from '../../scripts/build-renderer.mjs';
import type { RunSummary } from '../../shared/types';
import type { Backend } from './helpers/backend';
import { connectBackend } from './helpers/connect-backend';
import { launchBrowser } from './helpers/browser';
import { startBackend } from './helpers/real-backend';

const SHOTS = join(process.cwd(), 'docs', 'screenshots');
const WIDE = { width: 900, height: 700 };
const EXISTING = 'Board pack';
const MISSING = 'Cash forecast (no such data source)';

describe('the window never says success when something is wrong (browser)', () => {
  let backend: Backend;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    const staticDir = await buildRenderer({ outDir: join(process.cwd(), 'test', 'output', 'e2e-trust') });
    await mkdir(SHOTS, { recursive: true });
    [backend, browser] = await Promise.all([startBackend(staticDir), launchBrowser()]);
    context = await browser.newContext({ viewport: WIDE, colorScheme: 'light', timezoneId: 'UTC', locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));

    // Both sides set up through the service (the Settings form has its own tests), with one
    // dependent data source that exists and one that does not.
    await connectBackend(backend, (s) => {
      s.tableau.dependentDatasources = [EXISTING, MISSING];
      s.schedule = { ...s.schedule, preset: { kind: 'manual' } };
    });
    await backend.createTableauDatasource(EXISTING, 'Finance');
    await page.goto(`${backend.url}#token=${backend.token}`);
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await backend?.close();
  });

  const go = async (hash: string, heading: string) => {
    await page.goto(`${backend.url}${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  };
  /** Clicks Sync now and waits for the run to finish (as the service records it). */
  const syncAndWait = async (): Promise<RunSummary> => {
    const before = (await backend.runs(1))[0]?.runId;
    await page.getByTestId('sync-now').click();
    const deadline = Date.now() + 90_000;
    for (;;) {
      const run = (await backend.runs(1))[0];
      if (run && run.runId !== before && run.outcome !== 'running') {
        await page.getByTestId('sync-now').getByText('Sync now').waitFor({ timeout: 10_000 });
        return run;
      }
      assert.ok(Date.now() < deadline, 'the run finishes within 90 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const fullShot = async (name: string) => {
    const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
    await page.setViewportSize({ width: WIDE.width, height: Math.max(height, 400) });
    await page.screenshot({ path: join(SHOTS, name) });
    await page.setViewportSize(WIDE);
  };

  it('Test connection checks every dependent data source and names the missing one', async () => {
    await go('#/settings', 'Settings');
    const box = page.getByTestId('test-tableau');
    await box.getByRole('button', { name: /Test .* connection/ }).click();
    await box.locator('.test-summary').waitFor({ timeout: 30_000 });
    const steps = await box
      .locator('.test-steps li')
      .evaluateAll((items) => items.map((li) => ({ ok: li.getAttribute('data-ok') === 'true', text: li.textContent ?? '' })));
    const dependents = steps.find((s) => /Dependent data sources/.test(s.text));
    assert.ok(dependents, `a step checks the dependent data sources: ${JSON.stringify(steps)}`);
    assert.equal(dependents.ok, false, JSON.stringify(steps));
    assert.ok(dependents.text.includes(MISSING), `it names the missing one: ${dependents.text}`);
    assert.ok(!dependents.text.includes(`"${EXISTING}"`), `not the one that exists: ${dependents.text}`);
    assert.match((await box.locator('.test-summary').textContent()) ?? '', /fail|problem|not/i, 'the summary is not a pass');
  });

  it('a run whose dependent refresh failed is "partly succeeded", with a banner and each dependent data source listed', async () => {
    await go('#/status', 'Status');
    const run = await syncAndWait();
    assert.equal(run.outcome, 'partial', JSON.stringify(run));
    assert.equal(run.error?.code, 'DEPENDENT_REFRESH_FAILED', JSON.stringify(run.error));

    await page
      .locator('#sync-summary')
      .getByText(/partly succeeded/)
      .waitFor({ timeout: 10_000 });
    const banner = page.getByTestId('error-banner');
    await banner.waitFor();
    const text = (await banner.textContent()) ?? '';
    assert.match(text, /partly succeeded/i, text);
    assert.ok(text.includes(MISSING), `the banner names the data source: ${text}`);
    await page.getByTestId('state-pill').getByText('Needs attention').waitFor();

    const rows = page.getByTestId('dependents').getByTestId('dependent');
    assert.equal(await rows.count(), 2);
    const listed = await rows.evaluateAll((items) => items.map((li) => ({ result: li.getAttribute('data-result'), text: li.textContent ?? '' })));
    const ok = listed.find((d) => d.text.includes(EXISTING));
    const bad = listed.find((d) => d.text.includes(MISSING));
    assert.equal(ok?.result, 'succeeded', JSON.stringify(listed));
    assert.match(ok?.text ?? '', /Refreshed\s*\d{2}:\d{2} UTC · job [0-9a-f-]{8,}/, `last refresh time and job: ${ok?.text}`);
    assert.equal(bad?.result, 'not-found', JSON.stringify(listed));
    assert.match(bad?.text ?? '', /Not found in Tableau\s*\d{2}:\d{2}/, `last attempt time: ${bad?.text}`);
    await fullShot('status-partial.png');
  });

  it('cards say what Tableau holds and since when; a failed stream says so and streams the run did not reach say "Not run"', async () => {
    const first = (await backend.runs(1))[0]!;
    // Vendors get a field Intacct does not have, and the run covers GL accounts and vendors only:
    // vendors fail, the other streams are never reached by it.
    const s = await backend.service.getSettings();
    s.tableau.dependentDatasources = [EXISTING];
    s.streams.extraFields = { ...s.streams.extraFields, vendor: [{ field: 'NO_SUCH_FIELD', type: 'text' }] };
    const saved = await backend.service.saveSettings(s);
    assert.ok(saved.ok, JSON.stringify(saved));
    await go('#/status', 'Status');
    const started = await backend.service.syncNow({ streams: ['gl_account', 'vendor'] });
    assert.ok(started.started, JSON.stringify(started));
    await backend.service.idle();
    const second = (await backend.runs(1))[0]!;
    assert.equal(second.runId, started.runId);
    await page.getByTestId('sync-now').getByText('Sync now').waitFor({ timeout: 10_000 });
    assert.notEqual(second.outcome, 'succeeded', JSON.stringify(second));
    const detail = await backend.service.getRun({ runId: second.runId });
    const outcomeOf = (stream: string) => detail?.streams.find((r) => r.stream === stream)?.outcome;
    assert.equal(outcomeOf('gl_account'), 'succeeded', JSON.stringify(detail?.streams));
    assert.equal(outcomeOf('vendor'), 'failed', JSON.stringify(detail?.streams));
    assert.equal(outcomeOf('ap_bill'), undefined, JSON.stringify(detail?.streams));

    const hhmm = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`; // the page runs in UTC, and says so
    const badge = (stream: string) => page.getByTestId(`badge-${stream}`).textContent();
    const fresh = async (stream: string) => ((await page.getByTestId(`freshness-${stream}`).textContent()) ?? '').trim();
    await page.getByTestId('badge-ap_bill').getByText('Not run').waitFor({ timeout: 10_000 });

    assert.equal(await badge('gl_account'), 'Succeeded');
    assert.equal(await fresh('gl_account'), `Data as of ${hhmm(second.startedAt)}`);
    assert.equal(await badge('vendor'), 'Failed');
    assert.equal(await fresh('vendor'), `Data as of ${hhmm(first.startedAt)} · last attempt ${hhmm(second.startedAt)} failed`);
    for (const stream of ['ap_bill', 'gl_detail']) {
      assert.equal(await badge(stream), 'Not run', stream);
      assert.equal(await fresh(stream), `Data as of ${hhmm(first.startedAt)} · last run ${hhmm(second.startedAt)} did not reach it`, stream);
    }
    await fullShot('status-freshness.png');

    // The banner's next step is chosen by the error: the invalid field links to Vendors' extra fields.
    const next = page.getByTestId('error-banner').getByTestId('banner-next');
    assert.match((await next.textContent()) ?? '', /extra fields/);
    await next.getByRole('link', { name: /Vendors.* extra fields/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const toggle = page.getByTestId('extra-fields-toggle-vendor');
    for (let i = 0; i < 50 && (await toggle.getAttribute('aria-expanded')) !== 'true'; i += 1) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true', "the link opens Vendors' extra-fields panel");
    assert.equal(await page.locator('[name="streams.extraFields.vendor.0.field"]').inputValue(), 'NO_SUCH_FIELD');

    // Put the settings back for the next test.
    s.streams.extraFields = { ...s.streams.extraFields, vendor: [] };
    assert.ok((await backend.service.saveSettings(s)).ok);
  });

  it('Test connection tests the typed draft without saving it: a password tried out never replaces the stored one', async () => {
    await go('#/settings', 'Settings');
    const field = (name: string) => page.locator(`[name="${name}"]`);
    await field('intacctUserPassword').fill('a-password-being-tried');
    await field('intacct.companyId').fill('TRIED-COMPANY');
    const box = page.getByTestId('test-intacct');
    await box.getByRole('button', { name: /Test .* connection/ }).click();
    await box.locator('.test-summary').waitFor({ timeout: 30_000 });
    assert.match((await box.locator('.test-summary').textContent()) ?? '', /failed/, 'the draft was what got tested');
    // Nothing was saved: the form still has its changes, and the service still has the old values.
    assert.equal(await page.getByTestId('save-settings').isDisabled(), false, 'the changes are still unsaved');
    assert.equal((await backend.service.getSettings()).intacct.companyId, backend.intacct.companyId, 'the saved company ID is unchanged');
    const stored = await backend.service.testConnection({ side: 'intacct' });
    assert.ok(stored.ok, `the stored password still works: ${JSON.stringify(stored)}`);
    // The good values typed into the draft pass, still without saving.
    await field('intacct.companyId').fill(backend.intacct.companyId);
    await field('intacctUserPassword').fill(backend.intacct.userPassword);
    await box.getByRole('button', { name: /Test .* connection/ }).click();
    await box.locator('.test-summary.ok').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Discard changes' }).click();
  });

  it('checks both sides before reading and reports every problem at once, each with its own next step and the raw codes in a disclosure', async () => {
    await backend.service.setCredential({ name: 'intacctUserPassword', value: 'wrong-intacct-password' });
    await backend.service.setCredential({ name: 'tableauPatSecret', value: 'wrong-tableau-secret' });
    try {
      await go('#/status', 'Status');
      const run = await syncAndWait();
      assert.equal(run.outcome, 'failed');
      const banner = page.getByTestId('error-banner');
      await banner.getByTestId('banner-problem').nth(1).waitFor({ timeout: 10_000 });
      const problems = await banner.getByTestId('banner-problem').evaluateAll((els) => els.map((el) => el.querySelector('.banner-title')?.textContent ?? ''));
      assert.deepEqual(problems, ['Tableau failed', 'Sage Intacct failed'], 'both sides are reported by the one run');
      assert.match((await banner.textContent()) ?? '', /2 problems were found/);
      // Raw codes sit in a closed disclosure, not in the sentence.
      const details = banner.locator('details.banner-details').nth(1);
      assert.equal(await details.getAttribute('open'), null);
      assert.equal(await details.locator('.code').isVisible(), false);
      await details.locator('summary').click();
      assert.match((await details.locator('.code').textContent()) ?? '', /code LOGIN_INVALID/);
      await fullShot('status-problems.png');
      // The Intacct next step links to the password field.
      await banner.getByTestId('banner-problem').nth(1).getByRole('link', { name: 'Enter the Intacct user password' }).click();
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
      for (let i = 0; i < 50 && !(await page.evaluate("document.activeElement?.getAttribute('name') === 'intacctUserPassword'")); i += 1)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(await page.evaluate("document.activeElement?.getAttribute('name')"), 'intacctUserPassword', 'the link lands on the field');
    } finally {
      await backend.service.setCredential({ name: 'intacctUserPassword', value: backend.intacct.userPassword });
      await backend.service.setCredential({ name: 'tableauPatSecret', value: backend.tableau.patSecret });
    }
  });

  it('keeps unsaved settings across a tab switch', async () => {
    await go('#/settings', 'Settings');
    const field = (name: string) => page.locator(`[name="${name}"]`);
    await field('tableau.project').fill('Finance Draft');
    await field('tableauPatSecret').fill('typed-not-saved');
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Status' }).click();
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await field('tableau.project').waitFor();
    for (let i = 0; i < 30 && (await field('tableau.project').inputValue()) !== 'Finance Draft'; i += 1) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await field('tableau.project').inputValue(), 'Finance Draft', 'the draft came back');
    assert.equal(await field('tableauPatSecret').inputValue(), 'typed-not-saved', 'so did the typed secret');
    assert.equal(await page.getByTestId('save-settings').isDisabled(), false, 'still unsaved');
    assert.match((await page.getByTestId('save-message').textContent()) ?? '', /unsaved changes were kept/);
    assert.equal((await backend.service.getSettings()).tableau.project, 'Finance', 'nothing was saved');
    await page.getByRole('button', { name: 'Discard changes' }).click();
    assert.equal(await field('tableau.project').inputValue(), 'Finance');
  });

  it('asks before the tab closes while settings are unsaved, shown or kept from a tab switch, and not when all is saved', async () => {
    const asked: string[] = [];
    const opened: Page[] = [];
    /** A tab of its own on Settings: closing it runs its beforeunload handlers (runBeforeUnload). */
    const open = async (): Promise<Page> => {
      const p = await context.newPage();
      opened.push(p);
      p.on('dialog', (d) => {
        asked.push(d.type());
        void d.accept(); // leave
      });
      await p.goto(`${backend.url}#token=${backend.token}`);
      await p.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Settings' }).click();
      await p.getByTestId('save-settings').waitFor();
      return p;
    };
    const questionsOnClose = async (p: Page): Promise<number> => {
      const before = asked.length;
      const closed = new Promise<void>((r) => p.once('close', () => r()));
      await p.close({ runBeforeUnload: true });
      await closed;
      return asked.length - before;
    };
    try {
      assert.equal(await questionsOnClose(await open()), 0, 'nothing unsaved: no question');
      let p = await open();
      await p.locator('[name="tableau.project"]').fill('Finance Unsaved');
      assert.equal(await questionsOnClose(p), 1, 'unsaved changes on Settings: asked');
      p = await open();
      await p.locator('[name="tableau.project"]').fill('Finance Unsaved');
      await p.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Status' }).click();
      await p.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
      assert.equal(await questionsOnClose(p), 1, 'unsaved changes kept from a tab switch: asked');
      assert.deepEqual([...new Set(asked)], ['beforeunload']);
    } finally {
      for (const p of opened) if (!p.isClosed()) await p.close();
    }
  });

  it('shows the running stream first, an overall bar with rows per second and time left, and counts API transactions live during a run', async () => {
    await go('#/status', 'Status');
    const count = async () => Number(((await page.getByTestId('api-usage-count').textContent()) ?? '').replace(/[^0-9]/g, ''));
    const before = await count();
    backend.setIntacctLatency(150);
    try {
      await page.getByTestId('sync-now').click();
      const firstCard = page.locator('.card-grid > section').first();
      let sawRunningFirst = false;
      let sawLiveCount = false;
      let sawPace = '';
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !(sawRunningFirst && sawLiveCount && sawPace)) {
        const syncing = (await page.getByTestId('sync-now').textContent())?.includes('Syncing') ?? false;
        if (!syncing && (await backend.runs(1))[0]?.outcome !== 'running') break;
        const active = await page
          .locator('[data-phase="reading"], [data-phase="writing"], [data-phase="uploading"], [data-phase="applying"]')
          .first()
          .getAttribute('data-testid')
          .catch(() => null);
        const first = await firstCard.getAttribute('data-testid');
        // GL accounts are first anyway: only a later stream being read shows the reordering.
        if (active && active !== 'progress-gl_account' && first && active === first.replace(/^stream-/, 'progress-')) sawRunningFirst = true;
        // Read during the run: the run is still going after the figure was read.
        const shown = await count();
        if (shown > before && (await backend.runs(1))[0]?.outcome === 'running') sawLiveCount = true;
        // One bar for the whole run, with its pace and the time left.
        const overall =
          (await page
            .getByTestId('run-progress')
            .textContent({ timeout: 200 })
            .catch(() => null)) ?? '';
        if (/^\d+% · [\d,]+ rows read · [\d,]+ rows\/s · about .+ left$/.test(overall)) sawPace = overall;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(sawRunningFirst, 'the card of the stream being synced was first');
      assert.ok(sawLiveCount, 'the API counter moved while the run was going');
      assert.ok(sawPace, 'the overall bar showed the rows per second and the time left');
    } finally {
      backend.setIntacctLatency(5);
      await backend.service.idle();
    }
  });

  it('says "Disconnected, reconnecting…" and turns the actions off when the page loses the service, and recovers', async () => {
    await go('#/status', 'Status');
    const sync = page.getByTestId('sync-now');
    assert.equal(await sync.isDisabled(), false);
    assert.equal(await page.getByTestId('disconnected-banner').count(), 0);
    await backend.stopServer();
    try {
      const banner = page.getByTestId('disconnected-banner');
      await banner.waitFor({ timeout: 10_000 });
      assert.match((await banner.textContent()) ?? '', /Disconnected, reconnecting…/);
      assert.equal(await sync.isDisabled(), true, 'Sync now is off while disconnected');
      assert.equal(await page.getByRole('button', { name: /Pause schedule|Resume schedule/ }).isDisabled(), true, 'so is the schedule toggle');
      await page.screenshot({ path: join(SHOTS, 'status-disconnected.png') });
    } finally {
      await backend.restartServer();
    }
    await page.getByTestId('disconnected-banner').waitFor({ state: 'detached', timeout: 15_000 });
    assert.equal(await sync.isDisabled(), false, 'Sync now is back once the service answers');
  });

  it('raised no script errors', () => {
    assert.deepEqual(pageErrors, []);
  });
});

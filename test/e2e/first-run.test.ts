/**
 * The guided first setup (issue #14, "First run"), in a real browser against both emulators and
 * the real service: a new installation opens the guide on Status with Sync now off; each side
 * must pass its connection test before the next step; the tables step shows the full-load
 * estimate; the first sync loads Tableau. The demo shows its banner, whose "Connect your own Sage
 * Intacct" opens the guide with empty sign-in fields. After the first sync, "Reload in full…" in
 * Settings shows one table's estimate, and the next sync reloads only that table in full. Writes
 * docs/screenshots/first-run-guide.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildRenderer } from '../../scripts/build-renderer.mjs';
import type { Backend } from './helpers/backend';
import { launchBrowser } from './helpers/browser';
import { startBackend } from './helpers/real-backend';

const SHOTS = join(process.cwd(), 'docs', 'screenshots');

describe('the guided first setup (browser)', () => {
  let staticDir: string;
  let backend: Backend;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    staticDir = await buildRenderer({ outDir: join(process.cwd(), 'test', 'output', 'e2e-first-run') });
    await mkdir(SHOTS, { recursive: true });
    [backend, browser] = await Promise.all([startBackend(staticDir), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 900, height: 700 }, colorScheme: 'light', timezoneId: 'UTC', locale: 'en-US' });
    page = await context.newPage();
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await backend?.close();
  });

  const field = (name: string) => page.locator(`[name="${name}"]`);
  const waitFor = async (check: () => Promise<boolean>, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, 'timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const guide = () => page.getByTestId('first-run-guide');
  const next = () => page.getByTestId('guide-next');
  const test = async (side: 'intacct' | 'tableau') => {
    const box = page.getByTestId(`test-${side}`);
    await box.getByRole('button', { name: /Test .* connection/ }).click();
    await box.locator('.test-summary').waitFor({ timeout: 30_000 });
    return (await box.locator('.test-summary').textContent()) ?? '';
  };

  it('opens on a new installation with Sync now off and no next sync', async () => {
    await page.goto(`${backend.url}#token=${backend.token}`);
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    await guide().waitFor();
    assert.equal(await page.getByTestId('sync-now').isDisabled(), true, 'Sync now is off until both sides are set up');
    assert.match((await page.locator('#sync-summary').textContent()) ?? '', /Next sync only when you click Sync now/);
    assert.equal(await guide().locator('[aria-current="step"]').textContent(), 'Sage Intacct');
  });

  it('moves to Tableau only after the Intacct connection passed its test', async () => {
    await guide().getByText('Advanced').click();
    await field('intacct.endpoint').fill(backend.intacct.endpoint);
    await field('intacct.senderId').fill(backend.intacct.senderId);
    await field('intacctSenderPassword').fill(backend.intacct.senderPassword);
    await field('intacct.companyId').fill(backend.intacct.companyId);
    await field('intacct.userId').fill(backend.intacct.userId);
    await field('intacctUserPassword').fill('wrong-password');
    assert.equal(await next().isDisabled(), true, 'no test yet');
    assert.match(await test('intacct'), /failed/);
    assert.equal(await next().isDisabled(), true, 'a failed test does not open the next step');
    await field('intacctUserPassword').fill(backend.intacct.userPassword);
    assert.match(await test('intacct'), /works/);
    assert.equal(await next().isDisabled(), false);
    await field('intacct.companyId').fill(`${backend.intacct.companyId} `);
    assert.equal(await next().isDisabled(), true, 'a change after the test needs a new test');
    await field('intacct.companyId').fill(backend.intacct.companyId);
    assert.match(await test('intacct'), /works/);
    await next().click();
    assert.equal(await guide().locator('[aria-current="step"]').textContent(), 'Tableau');
    // Nothing is saved before both sides passed: the service still has no Intacct sender.
    assert.equal((await backend.service.getSettings()).intacct.senderId, '');
  });

  it('splits a Tableau address pasted from the browser into server and site', async () => {
    await page.getByRole('radio', { name: 'Tableau Server' }).check();
    await field('tableau.serverUrl').fill('https://10ax.online.tableau.com/#/site/acme/home');
    assert.equal(await field('tableau.serverUrl').inputValue(), 'https://10ax.online.tableau.com');
    assert.equal(await field('tableau.site').inputValue(), 'acme');
    assert.equal(await page.getByRole('radio', { name: 'Tableau Cloud' }).isChecked(), true, 'an online.tableau.com address is Tableau Cloud');
  });

  it('saves once Tableau passed too, and shows the full-load estimate of the tables', async () => {
    await page.getByRole('radio', { name: 'Tableau Server' }).check();
    await field('tableau.serverUrl').fill(backend.tableau.serverUrl);
    await field('tableau.site').fill(backend.tableau.site);
    await field('tableau.patName').fill(backend.tableau.patName);
    await field('tableauPatSecret').fill(backend.tableau.patSecret);
    await field('tableau.project').fill('Finance');
    await page.getByLabel('Create the project if it does not exist').check();
    assert.equal(await next().isDisabled(), true);
    assert.match(await test('tableau'), /works/);
    await next().click();
    await guide().locator('#sec-streams').waitFor();
    assert.equal(await guide().locator('[aria-current="step"]').textContent(), 'Tables');
    const saved = await backend.service.getSettings();
    assert.equal(saved.intacct.senderId, backend.intacct.senderId);
    assert.equal(saved.tableau.patName, backend.tableau.patName);
    assert.deepEqual((await backend.service.getStatus()).configured, { intacct: true, tableau: true });
    // Set up but never synced: nothing is in Tableau yet, so the header must not say "Up to date".
    await page.getByTestId('state-pill').getByText('Not synced yet').waitFor({ timeout: 10_000 });

    await guide().getByRole('button', { name: 'Estimate a full load' }).click();
    const estimate = guide().getByTestId('full-load-estimate');
    await estimate.locator('table').waitFor({ timeout: 30_000 });
    const glAccounts = await backend.intacctRows('gl_account');
    assert.ok(((await estimate.textContent()) ?? '').includes(String(glAccounts)), 'the estimate counts the GL accounts in Intacct');
    await guide().screenshot({ path: join(SHOTS, 'first-run-guide.png') });
  });

  it('starts the first sync, which loads Tableau, and then shows the status', async () => {
    await next().click();
    await guide().waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByTestId('state-pill').getByText('Up to date').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('not-set-up').count(), 0, 'no "not set up" banner is left');
    assert.equal(await page.getByTestId('sync-now').isDisabled(), false);
    assert.equal(await backend.tableauRows('gl_account'), await backend.intacctRows('gl_account'));
    const runs = await backend.runs();
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.trigger, 'manual');
  });

  // After the first sync (the previous test), one table is asked to reload in full from Settings.
  it('reloads one table in full at the next sync after showing its estimate ("Reload in full…")', async () => {
    await page.goto(`${backend.url}#/settings`);
    await page.locator('form.settings').waitFor();
    const box = page.getByTestId('reload-vendor');
    await box.getByRole('button', { name: /Reload in full/ }).click();
    const estimate = page.getByTestId('reload-estimate-vendor');
    await estimate.waitFor({ timeout: 30_000 });
    const vendors = await backend.intacctRows('vendor');
    assert.match((await estimate.textContent()) ?? '', new RegExp(`reads ${vendors.toLocaleString('en-US')} records from Sage Intacct`));
    assert.deepEqual((await backend.service.getStatus()).pendingReloads, [], 'nothing is asked before confirming');
    await page.getByTestId('reload-confirm-vendor').click();
    await page.getByTestId('reload-pending-vendor').waitFor();
    assert.deepEqual((await backend.service.getStatus()).pendingReloads, ['vendor']);

    await page.goto(`${backend.url}#/status`);
    await page.getByTestId('sync-now').click();
    // The second run, once it has finished (the pill alone could still show the first one's state).
    const deadline = Date.now() + 60_000;
    let latest = (await backend.runs(1))[0];
    while (!((await backend.runs()).length === 2 && latest && latest.outcome !== 'running')) {
      assert.ok(Date.now() < deadline, 'the second run finished in time');
      await new Promise((r) => setTimeout(r, 200));
      latest = (await backend.runs(1))[0];
    }
    assert.equal(latest.outcome, 'succeeded');
    await page.getByTestId('state-pill').getByText('Up to date').waitFor({ timeout: 10_000 });
    const detail = await backend.service.getRun({ runId: latest!.runId });
    const full = detail!.streams.filter((x) => x.fullLoad).map((x) => x.stream);
    assert.deepEqual(full, ['vendor'], 'only Vendors was reloaded in full');
    assert.equal(await backend.tableauRows('vendor'), vendors);
    assert.deepEqual((await backend.service.getStatus()).pendingReloads, [], 'the request is done');
  });

  it('searches the audit trail by vendor, with keys in numeric order, UTC times and runs named by outcome and seconds', async () => {
    await page.goto(`${backend.url}#/history`);
    await page.getByTestId('audit-table').waitFor();
    const options = await page.locator('[name="audit.run"] option').allTextContents();
    assert.ok(
      options.slice(1).length === 2 && options.slice(1).every((o) => /^\d{4}-\d\d-\d\d \d\d:\d\d UTC · succeeded · \d+ s$/.test(o)),
      options.join(' | '),
    );
    assert.match((await page.locator('.audit-table thead').textContent()) ?? '', /Time \(UTC\)/);

    const [vendorKey, vendorName] = [...(await backend.intacctValues('vendor', 'NAME'))].find(([, name]) => name)!;
    await page.getByLabel('Vendor', { exact: true }).fill(vendorName!.toLowerCase());
    await page.locator('[name="audit.stream"]').selectOption('vendor');
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(
      async () =>
        (await page.locator('.audit-table tbody tr').count()) > 0 &&
        (await page.locator('[data-testid="audit-words"]').allTextContents()).every((t) => t.toLowerCase().includes(vendorName!.toLowerCase())),
    );
    const keys = await page.locator('.audit-table tbody tr td:nth-child(3)').allTextContents();
    assert.ok(keys.includes(vendorKey), `${vendorKey} in ${keys.join(',')}`);

    // All vendors of the first run: numeric keys in numeric order.
    await page.getByLabel('Vendor', { exact: true }).fill('');
    await page.locator('[name="audit.run"]').selectOption({ index: 2 });
    await page.getByRole('button', { name: 'Search' }).click();
    await waitFor(async () => (await page.locator('.audit-table tbody tr').count()) > 20);
    const all = (await page.locator('.audit-table tbody tr td:nth-child(3)').allTextContents()).map(Number);
    assert.ok(
      all.every((k, i) => i === 0 || k > all[i - 1]!),
      `numeric order: ${all.slice(0, 15).join(',')}`,
    );
  });

  it('shows the demo banner, whose "Connect your own Sage Intacct" opens the guide with empty sign-in fields', async () => {
    const demo = await startBackend(staticDir, { demo: true });
    try {
      const s = await demo.service.getSettings();
      s.intacct = {
        ...s.intacct,
        senderId: demo.intacct.senderId,
        companyId: demo.intacct.companyId,
        userId: demo.intacct.userId,
        endpoint: demo.intacct.endpoint,
      };
      assert.ok((await demo.service.saveSettings(s)).ok);
      await page.goto(`${demo.url}#token=${demo.token}`);
      await page.getByTestId('demo-banner').waitFor();
      assert.equal(await guide().count(), 0, 'the demo does not open the guide by itself');
      await page.getByTestId('reset-demo').waitFor();
      await page.getByTestId('connect-own').click();
      await guide().waitFor();
      assert.equal(await field('intacct.senderId').inputValue(), '');
      assert.equal(await field('intacct.companyId').inputValue(), '');
      await guide()
        .getByRole('button', { name: /Close the guide/ })
        .click();
      await guide().waitFor({ state: 'detached' });
      assert.equal((await demo.service.getSettings()).intacct.senderId, demo.intacct.senderId, 'closing the guide saved nothing');
    } finally {
      await demo.close();
    }
  });
});

/**
 * The demo does not run its schedule (`serve --demo` starts no scheduler), so the window says so
 * next to the schedule and on Status instead of promising runs that never come (issue #14 point 6).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildRenderer } from '../../scripts/build-renderer.mjs';
import type { Backend } from './helpers/backend';
import { launchBrowser } from './helpers/browser';
import { startBackend } from './helpers/real-backend';

describe('the demo says that it does not run its schedule (browser)', () => {
  let backend: Backend;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    const staticDir = await buildRenderer({ outDir: join(process.cwd(), 'test', 'output', 'e2e-demo-schedule') });
    [backend, browser] = await Promise.all([startBackend(staticDir, { demo: true }), launchBrowser()]);
    context = await browser.newContext({ viewport: { width: 900, height: 700 }, colorScheme: 'light', timezoneId: 'UTC', locale: 'en-US' });
    page = await context.newPage();
    const s = await backend.service.getSettings();
    s.schedule = { ...s.schedule, preset: { kind: 'hourly', everyHours: 2, businessDaysOnly: false }, paused: false };
    assert.ok((await backend.service.saveSettings(s)).ok);
    await page.goto(`${backend.url}#token=${backend.token}`);
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await backend?.close();
  });

  it('says next to the schedule preview that the demo does not run it', async () => {
    await page.goto(`${backend.url}#/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    const preview = page.getByTestId('schedule-preview');
    await preview.locator('time').first().waitFor();
    const note = preview.getByTestId('schedule-not-run');
    await note.waitFor({ timeout: 5_000 });
    assert.match((await note.textContent()) ?? '', /The demo does not run its schedule/);
  });

  it('does not promise a next sync on Status', async () => {
    await page.goto(`${backend.url}#/status`);
    await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
    const summary = (await page.locator('#sync-summary').textContent()) ?? '';
    assert.match(summary, /Next sync only when you click Sync now \(the demo does not run its schedule\)/, summary);
  });
});

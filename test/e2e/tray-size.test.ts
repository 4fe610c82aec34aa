/**
 * The window at the tray's size, 420×640, in the light and the dark theme (issue #14 acceptance
 * 2): during a running sync the running stream's card, "Sync now" and the run bar are on screen
 * without scrolling, and no visible text is smaller than 11 px. Writes
 * docs/screenshots/status-tray-light.png and status-tray-dark.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { buildRenderer } from '../../scripts/build-renderer.mjs';
import type { Backend } from './helpers/backend';
import { connectBackend } from './helpers/connect-backend';
import { launchBrowser } from './helpers/browser';
import { startBackend } from './helpers/real-backend';

const SHOTS = join(process.cwd(), 'docs', 'screenshots');
const TRAY = { width: 420, height: 640 };
const ACTIVE = ['reading', 'writing', 'uploading', 'applying', 'refreshing', 'reconciling'];

/** The smallest computed font size among visible text, with an example of it (runs in the page). */
const SMALLEST_TEXT = `(() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let smallest = { px: Infinity, text: '' };
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el) continue;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    // Visible: laid out, not hidden, not the screen-reader-only 1 px box.
    if (r.width <= 1 || r.height <= 1 || style.visibility === 'hidden' || el.closest('[hidden], .sr-only')) continue;
    const px = parseFloat(style.fontSize);
    if (px < smallest.px) smallest = { px, text: text.slice(0, 60) + ' <' + el.tagName.toLowerCase() + '.' + el.className + '>' };
  }
  return smallest;
})()`;

/** Whether the element's box lies wholly inside the viewport (no scrolling needed to see it). */
async function inViewport(page: Page, locator: Locator): Promise<{ inside: boolean; box: string }> {
  const box = await locator.boundingBox();
  const vp = page.viewportSize()!;
  if (!box) return { inside: false, box: 'not laid out' };
  const inside = box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width + 0.5 && box.y + box.height <= vp.height + 0.5;
  return { inside, box: `${Math.round(box.x)},${Math.round(box.y)} ${Math.round(box.width)}×${Math.round(box.height)}` };
}

describe('the tray-size window during a sync (browser, 420×640)', () => {
  let backend: Backend;
  let browser: Browser;

  before(async () => {
    const staticDir = await buildRenderer({ outDir: join(process.cwd(), 'test', 'output', 'e2e-tray-size') });
    await mkdir(SHOTS, { recursive: true });
    [backend, browser] = await Promise.all([startBackend(staticDir), launchBrowser()]);
    await connectBackend(backend);
  });

  after(async () => {
    await backend?.service.cancelSync().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await backend?.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`shows the running stream and Sync now without scrolling, with no text below 11 px (${colorScheme})`, async () => {
      const context = await browser.newContext({ viewport: TRAY, colorScheme, timezoneId: 'UTC', locale: 'en-US' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Slow Intacct down so the run is still going while the page is measured.
      backend.setIntacctLatency(400);
      try {
        await page.goto(`${backend.url}#token=${backend.token}`);
        await page.getByRole('heading', { level: 1, name: 'Status' }).waitFor();
        await page.getByTestId('sync-now').click();
        const running = page
          .locator('.stream-card')
          .filter({ has: page.locator(ACTIVE.map((p) => `.progress[data-phase="${p}"]`).join(', ')) })
          .first();
        await running.waitFor({ timeout: 30_000 });
        await page.getByTestId('run-progress').waitFor();
        // Its badge says what is happening now, not how the previous (cancelled) attempt ended.
        assert.equal((await running.locator('[data-testid^="badge-"]').textContent())?.trim(), 'Syncing');
        // From the top of the page, as the tray opens it.
        await page.evaluate('window.scrollTo(0, 0)');
        await page.screenshot({ path: join(SHOTS, `status-tray-${colorScheme}.png`) });
        for (const [what, locator] of [
          ['the running stream’s card', running],
          ['Sync now', page.getByTestId('sync-now')],
          ['the run bar', page.getByTestId('run-progress')],
        ] as const) {
          const { inside, box } = await inViewport(page, locator);
          assert.ok(inside, `${what} is visible without scrolling at 420×640 (${colorScheme}); its box is ${box}`);
        }
        assert.equal(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'), 0, 'no horizontal scrolling');
        const smallest = (await page.evaluate(SMALLEST_TEXT)) as { px: number; text: string };
        assert.ok(smallest.px >= 11, `no visible text below 11 px; the smallest is ${smallest.px} px: ${smallest.text}`);
        assert.deepEqual(errors, []);
      } finally {
        await backend.service.cancelSync();
        backend.setIntacctLatency(5);
        for (let i = 0; i < 100 && (await backend.service.getStatus()).currentRun; i += 1) await new Promise((r) => setTimeout(r, 100));
        await context.close();
      }
    });
  }
});

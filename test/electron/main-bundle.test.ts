/**
 * Issue #10 acceptance 2: the BUILT main bundle (scripts/build.mjs's output, not the TypeScript
 * sources) runs a demo sync to the end under an Electron-faithful fake: `require('electron')`
 * answers with test/electron/helpers/fake-electron.ts, whose net.fetch follows Electron's rules
 * (helpers/fake-net-fetch.ts: restricted headers refused with net::ERR_INVALID_ARGUMENT, bodies
 * buffered and measured by the stack, redirects by mode). The app is set up through IPC as the
 * Settings window does, syncs a full load and then an incremental one (upload blocks + PATCH),
 * and every stream must match between the two emulators; then the app quits, waiting for the
 * service to stop.
 *
 * The bundle is built into test/output/main-bundle/dist (the same build as dist/, kept apart so
 * a packaging run in parallel cannot overwrite it mid-test).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Module, { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { channelOf } from '../../shared/ipc-contract';
import type { ApiEnvelope } from '../../shared/http-api';
import type { RunSummary, Settings, Status } from '../../shared/types';
import { compareStream, demoSettings } from '../../main/demo';
import { startIntacctEmulator, type IntacctEmulator } from '../../main/emulators/intacct';
import { startTableauEmulator, type TableauEmulator } from '../../main/emulators/tableau';
import { streamDefinitions } from '../../main/core/streams/definitions';
import { buildMain, buildPreload } from '../../scripts/build.mjs';
import { buildRenderer } from '../../scripts/build-renderer.mjs';
import { createFakeElectron, FakeBrowserWindow, FakeTray } from './helpers/fake-electron';
import { createFakeNetFetch, RESTRICTED_HEADERS } from './helpers/fake-net-fetch';

const outRoot = resolve('test/output/main-bundle');
const bundle = join(outRoot, 'dist', 'electron', 'main.cjs');
const loader = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

async function until<T>(what: string, probe: () => Promise<T | null | undefined> | T | null | undefined, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the built main bundle under an Electron-faithful fake', () => {
  let intacct: IntacctEmulator;
  let tableau: TableauEmulator;
  let dataDir: string;
  const net = createFakeNetFetch();
  const fake = createFakeElectron({ netFetch: net });
  const keychain = new Map<string, string>();
  const originalLoad = loader._load;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlc-bundle-'));
    rmSync(outRoot, { recursive: true, force: true });
    await buildMain({ outDir: join(outRoot, 'dist', 'electron') });
    await buildPreload({ outDir: join(outRoot, 'dist', 'electron') });
    await buildRenderer({ outDir: join(outRoot, 'dist', 'renderer') });
    intacct = await startIntacctEmulator({ glRows: 400, seed: 10 });
    tableau = await startTableauEmulator({ workDir: join(dataDir, 'tableau') });
    fake.electron.app.setPath('appData', join(dataDir, 'appData'));
    const fakeKeytar = {
      getPassword: async (s: string, a: string) => keychain.get(`${s}/${a}`) ?? null,
      setPassword: async (s: string, a: string, p: string) => void keychain.set(`${s}/${a}`, p),
      deletePassword: async (s: string, a: string) => keychain.delete(`${s}/${a}`),
    };
    loader._load = function (request, parent, isMain) {
      if (request === 'electron') return fake.electron;
      if (request === 'keytar') return fakeKeytar;
      return originalLoad.call(this, request, parent, isMain);
    };
    process.env.HYPERD_PATH = join(process.cwd(), 'node_modules', 'hyperdb-api-node-linux-x64-gnu', 'hyperd');
    createRequire(import.meta.url)(bundle);
  });

  after(async () => {
    loader._load = originalLoad;
    delete process.env.HYPERD_PATH;
    await intacct?.close();
    await tableau?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, serves the page over app://, syncs full and incremental loads through net.fetch with every stream matching, and quits cleanly', async () => {
    // Not set up yet: the Settings window opens by itself (tray icons hide in the overflow).
    const win = await until('the settings window', () => FakeBrowserWindow.instances[0]);
    assert.equal(win.url, 'app://ml-connector/index.html#/settings');
    assert.ok(FakeTray.instances.length === 1, 'one tray icon');
    assert.deepEqual(fake.schemes, ['app']);
    assert.equal(fake.electron.app.getPath('userData'), join(dataDir, 'appData', 'ml-connector-dev'), 'development data folder');

    const page = await fake.load('app://ml-connector/index.html');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">|<script/);
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const d of ["object-src 'none'", "base-uri 'none'", "form-action 'none'", "script-src 'self'"]) assert.ok(csp.includes(d), `CSP has ${d}`);
    assert.equal((await fake.load('app://ml-connector/..%2F..%2Fpackage.json')).status, 404, 'nothing outside the renderer folder');
    assert.equal(fake.requestPermission('media'), false, 'permission requests are denied');

    const sender = { id: win.webContents.id, url: 'app://ml-connector/index.html#/settings' };
    const call = async <T>(op: Parameters<typeof channelOf>[0], payload?: unknown): Promise<T> => {
      const answer = (await fake.ipcMain.invoke(channelOf(op), sender, payload)) as ApiEnvelope<T>;
      if (!answer.ok) throw new Error(`${op}: ${answer.error.message}`);
      return answer.result;
    };
    const settings: Settings = demoSettings(intacct, tableau);
    await call('saveSettings', settings);
    await call('setCredential', { name: 'intacctSenderPassword', value: intacct.credentials.senderPassword });
    await call('setCredential', { name: 'intacctUserPassword', value: intacct.credentials.userPassword });
    await call('setCredential', { name: 'tableauPatSecret', value: tableau.patSecret });

    const syncAndWait = async (): Promise<RunSummary> => {
      const before = (await call<Status>('getStatus')).lastRun?.runId;
      const started = await call<{ started: boolean }>('syncNow', {});
      assert.equal(started.started, true);
      const status = await until('the run to finish', async () => {
        // A refused request would only be retried until the run gives up: fail at once, saying why.
        if (net.refused.length) throw new Error(`Electron's network stack refused: ${JSON.stringify(net.refused)}`);
        const s = await call<Status>('getStatus');
        return s.state !== 'syncing' && s.lastRun && s.lastRun.runId !== before ? s : null;
      });
      return status.lastRun!;
    };
    const compareAll = async () => {
      const current = await call<Settings>('getSettings');
      const out = [];
      for (const def of streamDefinitions.filter((d) => current.streams.enabled[d.name])) {
        out.push(await compareStream(def, current, { intacctRecords: (o) => intacct.company.list(o), tableauRows: (n) => tableau.readRows(n) }));
      }
      return out;
    };

    const full = await syncAndWait();
    assert.equal(full.outcome, 'succeeded', JSON.stringify(full.error));
    let sides = await compareAll();
    assert.ok(sides.length >= 5);
    for (const s of sides) assert.equal(s.match, true, `${s.name} after the full load: ${s.problems.join('; ')}`);

    // Changes in Intacct: the next run is incremental (upload session, blocks, PATCH).
    intacct.company.edit('VENDOR', 1, { NAME: 'Renamed through the bundle test' });
    for (let k = 0; k < 5; k++)
      intacct.company.add('GLDETAIL', {
        BOOKID: 'ACCRUAL',
        BATCH_DATE: '11/24/2026',
        ACCOUNTNO: '6400',
        AMOUNT: `-${k}.25`,
        CREDITAMOUNT: `${k}.25`,
        DEBITAMOUNT: '0',
      });
    const sentBefore = net.sent.length;
    const incremental = await syncAndWait();
    assert.equal(incremental.outcome, 'succeeded', JSON.stringify(incremental.error));
    sides = await compareAll();
    for (const s of sides) assert.equal(s.match, true, `${s.name} after the incremental load: ${s.problems.join('; ')}`);

    // Everything went through net.fetch, and nothing Electron refuses was ever sent.
    assert.deepEqual(net.refused, [], 'no request was refused by the network stack');
    for (const r of net.sent) for (const h of RESTRICTED_HEADERS) assert.ok(!(h in r.headers), `${r.method} ${r.url} set ${h}`);
    const blocks = net.sent.slice(sentBefore).filter((r) => r.method === 'PUT' && r.url.includes('/fileUploads/'));
    assert.ok(blocks.length > 0, 'the incremental run uploaded blocks');
    for (const b of blocks) assert.ok((b.bodyBytes ?? 0) > 0, 'each block had a body of known length');
    assert.ok(
      net.sent.some((r) => r.method === 'PATCH'),
      'the incremental run applied its changes with PATCH',
    );
    assert.ok(
      net.sent.some((r) => r.url.startsWith(intacct.url)),
      'Intacct calls went through net.fetch too',
    );

    // Quit waits for the service (hyperd stopped, stores closed) before the app really quits.
    fake.electron.app.quit();
    assert.equal(fake.isQuitted(), false, 'the first quit is held while the service stops');
    await until('the app to quit', () => fake.isQuitted(), 30_000);
    assert.equal(FakeTray.instances[0]!.destroyed, true);
    // The main-process log (electron-log) is a file in the app's logs folder.
    const mainLog = join(dataDir, 'appData', 'ml-connector-dev', 'logs', 'main.log');
    await until('main.log', () => existsSync(mainLog), 5_000);
    assert.match(readFileSync(mainLog, 'utf8'), /refused a permission request from the window: media/);
  });
});

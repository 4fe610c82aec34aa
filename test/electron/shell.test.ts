import { defaultSettings } from '../../main/core/service/settings';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { channelOf, EVENT_CHANNEL } from '../../shared/ipc-contract';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startShell, type ServiceFactoryDeps, type ShellDeps } from '../../main/electron/shell';
import type { KeyValueStoreFactory } from '../../main/electron/settings-store';
import { createFakeElectron, FakeBrowserWindow, FakeNotification, FakeTray, type FakeImage, type FakeMenu } from './helpers/fake-electron';
import { baseStatus, createRecordingService } from './helpers/fake-service';
import type { Settings, Status } from '../../shared/types';

// Real defaults: the settings store validates what it reads back (core/service/settings.ts).
const defaults = (): Settings => ({ ...defaultSettings(0), startAtLogin: true });
const memoryStoreFactory: KeyValueStoreFactory = () => {
  const data = new Map<string, unknown>();
  return { get: (k) => data.get(k), set: (k, v) => void data.set(k, v) };
};
const fakeKeytar = () => {
  const m = new Map<string, string>();
  return {
    store: m,
    getPassword: async (s: string, a: string) => m.get(`${s}/${a}`) ?? null,
    setPassword: async (s: string, a: string, p: string) => void m.set(`${s}/${a}`, p),
    deletePassword: async (s: string, a: string) => m.delete(`${s}/${a}`),
  };
};
const icons = { idle: '/icons/idle.png', syncing: '/icons/syncing.png', error: '/icons/error.png', 'not-configured': '/icons/nc.png' };

async function boot(opts: { lock?: boolean; isPackaged?: boolean; status?: Status; over?: Partial<ShellDeps<FakeImage, FakeMenu>> } = {}) {
  const fake = createFakeElectron(opts);
  const svc = createRecordingService(opts.status);
  const deps: ShellDeps<FakeImage, FakeMenu> = {
    platform: 'win32',
    env: {},
    appUserModelId: 'com.ml-connector.app',
    electron: fake.electron,
    keytar: fakeKeytar(),
    storeFactory: memoryStoreFactory,
    createService: async () => svc.service,
    defaults,
    paths: { preload: '/app/dist/preload.cjs', rendererDir: '/app/dist/renderer', icons },
    formatTime: (ms) => new Date(ms).toISOString().slice(11, 16),
    ...opts.over,
  };
  const shell = await startShell(deps);
  return { fake, svc, shell };
}
const appUrl = 'app://ml-connector/index.html#/status';
const tick = () => new Promise((r) => setImmediate(r));

describe('startShell', () => {
  it('quits at once when another instance holds the lock', async () => {
    const { fake, shell } = await boot({ lock: false });
    assert.equal(shell, null);
    assert.equal(fake.calls.quit, 1);
    assert.equal(FakeTray.instances.length, 0);
  });

  it('tray menu actions call the service', async () => {
    const { svc } = await boot();
    const tray = FakeTray.instances[0]!;
    assert.match(tray.tooltip, /Next sync: 18:00/);
    tray.clickMenu('Sync now');
    tray.clickMenu('Pause schedule');
    await tick();
    assert.ok(svc.calls.some((c) => c.op === 'syncNow'));
    assert.deepEqual(svc.calls.find((c) => c.op === 'setSchedulePaused')?.request, { paused: true });
    // The menu now offers Resume, and the tooltip says the schedule is paused.
    assert.ok(tray.menu!.template.some((i) => i.label === 'Resume schedule'));
    assert.match(tray.tooltip, /Schedule paused/);
    assert.ok(svc.calls.some((c) => c.op === 'startScheduler'));
  });

  it('Cancel sync… in the tray asks first and cancels only when confirmed', async () => {
    const { svc, fake } = await boot();
    const tray = FakeTray.instances[0]!;
    svc.emit({
      type: 'status',
      status: {
        ...(await svc.service.getStatus()),
        state: 'syncing',
        currentRun: { runId: 'r', startedAt: 0, progress: [{ stream: 'gl_detail', phase: 'reading', rowsDone: 1, rowsExpected: 4 }] },
      },
    });
    await tick();
    assert.ok(
      tray.menu!.template.some((i) => i.label === 'Syncing 25%' && i.enabled === false),
      'the progress line is not a button',
    );
    tray.clickMenu('Cancel sync…');
    await tick();
    assert.equal(fake.calls.messageBoxes.length, 1);
    assert.match(fake.calls.messageBoxes[0]!.message, /Cancel the sync in progress\?/);
    assert.ok(!svc.calls.some((c) => c.op === 'cancelSync'), '"Keep syncing" leaves the run alone');
    fake.calls.messageBoxAnswers.push(0);
    tray.clickMenu('Cancel sync…');
    await tick();
    assert.equal(svc.calls.filter((c) => c.op === 'cancelSync').length, 1);
  });

  it('opens one locked-down window on the requested page and denies navigation and new windows', async () => {
    await boot();
    const tray = FakeTray.instances[0]!;
    tray.clickMenu('Settings…');
    await tick();
    tray.clickMenu('View logs');
    await tick();
    assert.equal(FakeBrowserWindow.instances.length, 1, 'the window is reused');
    const win = FakeBrowserWindow.instances[0]!;
    assert.equal(win.url, 'app://ml-connector/index.html#/logs');
    const prefs = win.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(win.webContents.tryNavigate('https://evil.example/'), true);
    assert.equal(win.webContents.tryNavigate('app://ml-connector/index.html#/status'), false);
    assert.deepEqual(win.webContents.openHandler!({ url: 'https://evil.example/' }), { action: 'deny' });
  });

  it('asks before the window closes or reloads over unsaved settings, and leaves only when told to', async () => {
    const { fake } = await boot();
    FakeTray.instances[0]!.clickMenu('Settings…');
    await tick();
    const win = FakeBrowserWindow.instances[0]!;
    // The page's beforeunload refused (renderer/app.tsx): "Stay" (the default) keeps the window.
    assert.equal(win.webContents.tryUnloadRefusedByPage(), false);
    assert.equal(fake.calls.messageBoxes.length, 1);
    assert.match(fake.calls.messageBoxes[0]!.message, /Leave without saving your settings\?/);
    assert.deepEqual(fake.calls.messageBoxes[0]!.buttons, ['Leave', 'Stay']);
    fake.calls.messageBoxAnswers.push(0);
    assert.equal(win.webContents.tryUnloadRefusedByPage(), true, '"Leave" lets the page unload');
  });

  it('IPC handlers serve trusted windows and refuse untrusted senders and bad payloads', async () => {
    const { fake, svc } = await boot();
    FakeTray.instances[0]!.click();
    await tick();
    const win = FakeBrowserWindow.instances[0]!;
    const ok = (await fake.ipcMain.invoke(channelOf('syncNow'), { id: win.webContents.id, url: appUrl }, { streams: ['gl_detail'] })) as { ok: boolean };
    assert.equal(ok.ok, true);
    const stranger = (await fake.ipcMain.invoke(channelOf('syncNow'), { id: 9999, url: appUrl }, null)) as { ok: boolean; error: { code: string } };
    assert.equal(stranger.ok, false);
    assert.equal(stranger.error.code, 'UNTRUSTED_SENDER');
    const wrongFrame = (await fake.ipcMain.invoke(channelOf('getStatus'), { id: win.webContents.id, url: 'https://evil.example/' })) as { ok: boolean };
    assert.equal(wrongFrame.ok, false);
    const bad = (await fake.ipcMain.invoke(channelOf('syncNow'), { id: win.webContents.id, url: appUrl }, { streams: ['not_a_stream'] })) as {
      ok: boolean;
      error: { code: string };
    };
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'INVALID_REQUEST');
    const secretBad = (await fake.ipcMain.invoke(
      channelOf('setCredential'),
      { id: win.webContents.id, url: appUrl },
      { name: 'rootPassword', value: 'hunter2' },
    )) as {
      ok: boolean;
      error: { message: string };
    };
    assert.equal(secretBad.ok, false);
    assert.doesNotMatch(secretBad.error.message, /hunter2/, 'a refused payload is never echoed');
    assert.equal(svc.calls.filter((c) => c.op === 'syncNow').length, 1, 'only the trusted, valid call reached the service');
    win.close();
    const afterClose = (await fake.ipcMain.invoke(channelOf('getStatus'), { id: win.webContents.id, url: appUrl })) as { ok: boolean };
    assert.equal(afterClose.ok, false, 'a closed window is no longer trusted');
  });

  it('forwards events to the window, updates the tray and notifies on failure', async () => {
    const { svc } = await boot();
    FakeTray.instances[0]!.click();
    await tick();
    const win = FakeBrowserWindow.instances[0]!;
    const syncing = baseStatus({
      state: 'syncing',
      currentRun: { runId: 'r', startedAt: 0, progress: [{ stream: 'gl_detail', phase: 'reading', rowsDone: 50, rowsExpected: 100 }] },
    });
    svc.emit({ type: 'status', status: syncing });
    assert.match(FakeTray.instances[0]!.tooltip, /Syncing 50%/);
    assert.deepEqual(FakeTray.instances[0]!.image, { path: icons.syncing });
    assert.ok(win.webContents.sent.some((s) => s.channel === EVENT_CHANNEL));
    svc.emit({ type: 'alert', alert: { kind: 'run-failed', message: 'Sage Intacct rejected the user password.', at: 0 } });
    svc.emit({ type: 'alert', alert: { kind: 'run-succeeded', message: 'ok', at: 0 } });
    assert.equal(FakeNotification.shown.length, 1, 'success is not notified unless asked');
    assert.equal(FakeNotification.shown[0]!.options.title, 'Sync failed');
  });

  it('starts at login as set, and shuts the service down on quit', async () => {
    const { fake, svc } = await boot();
    assert.deepEqual(fake.calls.loginItem, [{ openAtLogin: true }]);
    FakeTray.instances[0]!.clickMenu('Quit ml-connector');
    await tick();
    assert.ok(svc.calls.some((c) => c.op === 'shutdown'));
    assert.equal(FakeTray.instances[0]!.destroyed, true);
  });
});

describe('startShell: what a tray app on each system needs', () => {
  it('registers app:// before ready, serves only the renderer folder with a CSP, and denies permissions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-renderer-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    try {
      const { fake } = await boot({ over: { paths: { preload: '/p.cjs', rendererDir: dir, icons } } });
      assert.deepEqual(fake.schemes, ['app']);
      const page = await fake.load('app://ml-connector/index.html');
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-security-policy')!, /object-src 'none'.*base-uri 'none'.*form-action 'none'/);
      assert.equal((await fake.load('app://ml-connector/%2e%2e/%2e%2e/etc/passwd')).status, 404);
      assert.equal((await fake.load('app://elsewhere/index.html')).status, 404);
      assert.equal(fake.requestPermission('geolocation'), false);
      assert.equal(fake.checkPermission('notifications'), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('packaged: no application menu and no DevTools; development keeps both', async () => {
    const packaged = await boot({ isPackaged: true });
    assert.deepEqual(packaged.fake.calls.applicationMenu, [null]);
    FakeTray.instances[0]!.click();
    await tick();
    assert.equal(FakeBrowserWindow.instances[0]!.options.webPreferences.devTools, false);
    const dev = await boot();
    assert.deepEqual(dev.fake.calls.applicationMenu, []);
    FakeTray.instances[0]!.click();
    await tick();
    assert.equal(FakeBrowserWindow.instances[0]!.options.webPreferences.devTools, true);
  });

  it('sets the AppUserModelID on Windows and hides the Dock icon', async () => {
    const { fake } = await boot();
    assert.deepEqual(fake.calls.appUserModelId, ['com.ml-connector.app']);
    assert.equal(fake.calls.dockHidden, 1);
  });

  it('opens Settings on the first run, and the status window on GNOME (no tray there)', async () => {
    await boot({ status: baseStatus({ state: 'not-configured' }) });
    assert.equal(FakeBrowserWindow.instances[0]!.url, 'app://ml-connector/index.html#/settings');
    await boot({ over: { platform: 'linux', env: { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME', XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'mlc-xdg-')) } } });
    assert.equal(FakeBrowserWindow.instances[0]!.url, 'app://ml-connector/index.html#/status');
    await boot();
    assert.equal(FakeBrowserWindow.instances.length, 0, 'elsewhere the app starts in the tray');
  });

  it('starts without a Secret Service and says what to install, in the Settings window and on every secret call', async () => {
    const broken = {
      getPassword: async () => {
        throw new Error('The name org.freedesktop.secrets was not provided by any .service files');
      },
      setPassword: async () => {},
      deletePassword: async () => true,
    };
    const config = mkdtempSync(join(tmpdir(), 'mlc-xdg-'));
    let secrets: ServiceFactoryDeps['secrets'] | null = null;
    const svc = createRecordingService();
    const { shell } = await boot({
      over: { platform: 'linux', env: { XDG_CONFIG_HOME: config }, keytar: broken, createService: async (d) => ((secrets = d.secrets), svc.service) },
    });
    assert.match(shell!.keychainProblem!, /install gnome-keyring/);
    assert.equal(FakeBrowserWindow.instances[0]!.url, 'app://ml-connector/index.html#/settings');
    await assert.rejects(secrets!.set('intacctUserPassword', 'x'), (e: Error & { userMessage?: string }) => /gnome-keyring/.test(e.userMessage ?? ''));
    rmSync(config, { recursive: true, force: true });
  });

  it('Linux: start at login writes an XDG autostart entry, and removes it when switched off', async () => {
    const config = mkdtempSync(join(tmpdir(), 'mlc-xdg-'));
    const file = join(config, 'autostart', 'ml-connector.desktop');
    try {
      let settings: ServiceFactoryDeps['settings'] | null = null;
      const svc = createRecordingService();
      await boot({
        over: {
          platform: 'linux',
          env: { XDG_CONFIG_HOME: config, APPIMAGE: '/opt/ml connector.AppImage' },
          createService: async (d) => ((settings = d.settings), svc.service),
        },
      });
      assert.match(readFileSync(file, 'utf8'), /^Exec="\/opt\/ml connector\.AppImage"$/m);
      settings!.set({ ...settings!.get(), startAtLogin: false });
      assert.equal(existsSync(file), false, 'removed as soon as the setting changes');
      settings!.set({ ...settings!.get(), startAtLogin: true });
      assert.equal(existsSync(file), true);
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('Windows/macOS: a changed start-at-login setting is applied at once', async () => {
    let settings: ServiceFactoryDeps['settings'] | null = null;
    const svc = createRecordingService();
    const { fake } = await boot({ over: { createService: async (d) => ((settings = d.settings), svc.service) } });
    settings!.set({ ...settings!.get(), startAtLogin: false });
    assert.deepEqual(fake.calls.loginItem, [{ openAtLogin: true }, { openAtLogin: false }]);
  });

  it('quit waits until the service has stopped', async () => {
    let release: () => void = () => {};
    const svc = createRecordingService();
    svc.service.shutdown = () => new Promise<void>((r) => (release = r));
    const { fake } = await boot({ over: { createService: async () => svc.service } });
    fake.electron.app.quit();
    await tick();
    assert.equal(fake.isQuitted(), false, 'still stopping');
    assert.equal(fake.calls.quitPrevented, 1);
    release();
    await tick();
    await tick();
    assert.equal(fake.isQuitted(), true);
  });

  it('packaged: checks for updates at start and offers "Restart to update" once one is downloaded', async () => {
    const listeners = new Map<string, (arg: never) => void>();
    const updater = {
      checks: 0,
      installs: 0,
      checkForUpdates: async () => void updater.checks++,
      quitAndInstall: () => void updater.installs++,
      on: (event: string, l: (arg: never) => void) => void listeners.set(event, l),
    };
    await boot({ isPackaged: true, over: { updater } });
    assert.equal(updater.checks, 1);
    const tray = FakeTray.instances[0]!;
    assert.ok(!tray.menu!.template.some((i) => String(i.label).startsWith('Restart to update')));
    (listeners.get('update-downloaded') as (i: { version: string }) => void)({ version: '0.2.0' });
    tray.clickMenu('Restart to update (0.2.0)');
    assert.equal(updater.installs, 1);
  });
});

/**
 * The Electron shell: wires the core service to a tray icon, one window and IPC. No sync logic
 * lives here (issue #5): everything the user does is a call on the core service.
 *
 * Order matters and follows Electron's rules: the app:// scheme is registered before `ready`,
 * the protocol handler, permission handlers, windows, tray and net.fetch only after it.
 */
import { EVENT_CHANNEL } from '../../shared/ipc-contract';
import type { Alert, ServiceEvent, Settings, Status } from '../../shared/types';
import { APP_INDEX_URL, createAppProtocolHandler, isAppPageUrl, registerAppScheme } from './app-protocol';
import type { ElectronSurface, TrayLike } from './electron-surface';
import { registerIpcHandlers, type ServiceOperations } from './ipc';
import { describeUnexpected } from '../core/api/error-envelope';
import { checkKeychain, unavailableSecretStore } from '../core/keychain/keychain-check';
import { createKeytarSecretStore, KEYCHAIN_SERVICE, type KeytarLike, type SecretStore } from '../core/keychain/keytar-secret-store';
import { applyStartAtLogin } from './login-item';
import { showAlert, shouldNotify } from './notifications';
import { createSettingsStore, type KeyValueStoreFactory, type SettingsStore } from './settings-store';
import { trayView, type TrayAction, type TrayIcon } from './tray-view';
import { TrustedSenders } from './trusted-senders';
import { WindowManager, type Page } from './windows';
import { formatDateTime } from '../../shared/format';

export interface ShellService extends ServiceOperations {
  onEvent(listener: (event: ServiceEvent) => void): () => void;
  startScheduler(): void;
  shutdown(): Promise<void>;
}

export interface ServiceFactoryDeps {
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  secrets: SecretStore;
  settings: SettingsStore;
  dataDir: string;
  logDir: string;
}

/** electron-updater's autoUpdater, as far as the shell uses it. */
export interface UpdaterLike {
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** The main-process log (electron-log in the app). */
export interface ShellLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface ShellDeps<Image, MenuT> {
  electron: ElectronSurface<Image, MenuT>;
  keytar: KeytarLike;
  storeFactory: KeyValueStoreFactory;
  createService: (deps: ServiceFactoryDeps) => Promise<ShellService>;
  defaults: () => Settings;
  paths: { preload: string; rendererDir: string; icons: Record<TrayIcon, string> };
  formatTime?: (ms: number) => string;
  appVersion?: string;
  /** Windows AppUserModelID; must equal electron-builder's appId for notifications to show. */
  appUserModelId?: string;
  platform?: NodeJS.Platform;
  env?: Readonly<Record<string, string | undefined>>;
  execPath?: string;
  updater?: UpdaterLike;
  log?: ShellLog;
  /** Longest wait for the service to stop at quit before the app exits anyway. */
  shutdownTimeoutMs?: number;
}

export interface Shell<Image, MenuT> {
  service: ShellService;
  tray: TrayLike<Image, MenuT>;
  windows: WindowManager;
  trusted: TrustedSenders;
  /** Set when the keychain does not answer (Linux without a Secret Service). */
  keychainProblem: string | null;
  /** Runs a tray menu action (also what the menu's click handlers call). */
  act(action: TrayAction): Promise<void>;
}

const defaultFormatTime = (ms: number) => formatDateTime(ms);
const DAY_MS = 86_400_000;
const silentLog: ShellLog = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Stock GNOME shows no tray icons (an extension is needed), so there the window opens on start.
 * Electron cannot ask whether a tray is visible; the desktop's name is the signal it has.
 */
export function desktopMayHideTray(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): boolean {
  return platform === 'linux' && /gnome/i.test(env.XDG_CURRENT_DESKTOP ?? '');
}

/**
 * Starts the shell; resolves to null when another instance already runs (it gets focused instead).
 * Call it before the app is ready: it registers the app:// scheme, which Electron allows only then.
 */
export async function startShell<Image, MenuT>(deps: ShellDeps<Image, MenuT>): Promise<Shell<Image, MenuT> | null> {
  const { electron } = deps;
  const { app } = electron;
  const platform = deps.platform ?? process.platform;
  const env = deps.env ?? {};
  const log = deps.log ?? silentLog;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  registerAppScheme(electron.protocol);
  if (platform === 'win32' && deps.appUserModelId) app.setAppUserModelId(deps.appUserModelId);
  await app.whenReady();

  // A tray app: no Dock icon on macOS; no default menu (with its DevTools entries) in packaged builds.
  app.dock?.hide();
  if (app.isPackaged) electron.Menu.setApplicationMenu(null);
  // The page asks for nothing; every permission (camera, notifications from the page, …) is refused.
  electron.session.defaultSession.setPermissionRequestHandler((_wc, permission, callback) => {
    log.warn(`refused a permission request from the window: ${permission}`);
    callback(false);
  });
  electron.session.defaultSession.setPermissionCheckHandler(() => false);
  electron.protocol.handle('app', createAppProtocolHandler(deps.paths.rendererDir));

  const keychainProblem = await checkKeychain(deps.keytar, KEYCHAIN_SERVICE, platform);
  if (keychainProblem) log.error(keychainProblem);
  const secrets = keychainProblem ? unavailableSecretStore(keychainProblem) : createKeytarSecretStore(deps.keytar);
  const loginItem = (on: boolean) => {
    try {
      applyStartAtLogin(on, { platform, app, env, execPath: deps.execPath ?? process.execPath });
    } catch (err) {
      log.warn(`could not apply "start at login": ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const stored = createSettingsStore(deps.storeFactory, deps.defaults, deps.appVersion);
  // Start at login takes effect when the setting changes, not only at the next launch.
  const settings: SettingsStore = {
    get: () => stored.get(),
    set: (next) => {
      const before = stored.get().startAtLogin;
      stored.set(next);
      if (next.startAtLogin !== before) loginItem(next.startAtLogin);
    },
  };
  const service = await deps.createService({
    fetch: (url, init) => electron.net.fetch(url, init),
    secrets,
    settings,
    dataDir: app.getPath('userData'),
    logDir: app.getPath('logs'),
  });

  const trusted = new TrustedSenders();
  const windows = new WindowManager(electron, {
    preloadPath: deps.paths.preload,
    devTools: !app.isPackaged,
    pageUrl: (page: Page) => `${APP_INDEX_URL}#/${page}`,
    isAppUrl: isAppPageUrl,
    onCreated: (win) => trusted.add(win.webContents.id),
    onClosed: (id) => trusted.remove(id),
  });
  registerIpcHandlers(electron.ipcMain, service, trusted, {
    isAppUrl: isAppPageUrl,
    onRefused: (op, reason) => log.warn(`refused IPC ${op}: ${reason}`),
    onUnexpected: (op, reference, err) => log.error(`IPC ${op}: ${describeUnexpected(reference, err)}`),
  });

  const formatTime = deps.formatTime ?? defaultFormatTime;
  const tray = new electron.Tray(electron.nativeImage.createFromPath(deps.paths.icons.idle));
  let lastIcon: TrayIcon = 'idle';
  let lastStatus: Status | null = null;
  let updateReady: string | null = null;
  const act = async (action: TrayAction): Promise<void> => {
    switch (action) {
      case 'sync-now':
        await service.syncNow({});
        return;
      case 'cancel-sync': {
        const { response } = await electron.dialog.showMessageBox({
          type: 'question',
          title: 'Cancel sync',
          message: 'Cancel the sync in progress?',
          detail: 'Tables already loaded stay as they are. The others keep their last checkpoint and continue from there at the next sync.',
          buttons: ['Cancel sync', 'Keep syncing'],
          defaultId: 1,
          cancelId: 1,
        });
        if (response === 0) await service.cancelSync();
        return;
      }
      case 'pause':
      case 'resume':
        renderTray(await service.setSchedulePaused({ paused: action === 'pause' }));
        return;
      case 'open-status':
      case 'open-settings':
      case 'open-logs':
        await windows.open(action === 'open-status' ? 'status' : action === 'open-settings' ? 'settings' : 'logs');
        return;
      case 'restart-to-update':
        // quitAndInstall quits the app (before-quit runs: the service stops first).
        deps.updater?.quitAndInstall();
        return;
      case 'quit':
        app.quit();
        return;
    }
  };
  const renderTray = (status: Status) => {
    lastStatus = status;
    const view = trayView(status, formatTime, { updateReady });
    if (view.icon !== lastIcon) {
      tray.setImage(electron.nativeImage.createFromPath(deps.paths.icons[view.icon]));
      lastIcon = view.icon;
    }
    tray.setToolTip(view.tooltip);
    tray.setContextMenu(
      electron.Menu.buildFromTemplate(
        view.menu.map((item) =>
          item.separator ? { type: 'separator' as const } : { label: item.label, enabled: item.enabled, click: () => void (item.action && act(item.action)) },
        ),
      ),
    );
  };
  tray.on('click', () => void windows.open('status'));
  const initial = await service.getStatus();
  renderTray(initial);

  service.onEvent((event) => {
    const win = windows.current;
    if (win && trusted.has(win.webContents.id) && !win.webContents.isDestroyed()) win.webContents.send(EVENT_CHANNEL, event);
    if (event.type === 'status') renderTray(event.status);
    if (event.type === 'alert') notify(event.alert);
  });
  const notify = (alert: Alert) => {
    if (shouldNotify(alert, settings.get().alerts.notifyOnSuccess)) showAlert(electron, alert, () => void windows.open('status'));
  };

  app.on('second-instance', () => void windows.open('status'));
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => {});
  // Quit waits for the service: a running sync is cancelled cleanly (no checkpoint moves for a batch
  // Tableau has not confirmed), hyperd is stopped and the databases are closed; then the app quits.
  let stopping: Promise<void> | null = null;
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (stopping) return;
    tray.destroy();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, deps.shutdownTimeoutMs ?? 30_000).unref());
    stopping = Promise.race([service.shutdown().catch((err: unknown) => log.error('service shutdown failed', err)), timeout]).then(() => {
      stopped = true;
      app.quit();
    });
  });

  if (deps.updater && app.isPackaged) {
    const updater = deps.updater;
    updater.on('update-downloaded', (info) => {
      updateReady = info.version;
      log.info(`update ${info.version} downloaded; offered as "Restart to update"`);
      if (lastStatus) renderTray(lastStatus);
    });
    updater.on('error', (err) => log.warn(`update check failed: ${err.message}`));
    const check = () =>
      void updater.checkForUpdates().catch((err: unknown) => log.warn(`update check failed: ${err instanceof Error ? err.message : String(err)}`));
    check();
    setInterval(check, DAY_MS).unref();
  }

  loginItem(settings.get().startAtLogin);
  service.startScheduler();

  // Tray icons hide in the Windows overflow and do not show at all on stock GNOME: open the window
  // where the user would otherwise see nothing (first run, no keychain, a desktop without a tray).
  if (initial.state === 'not-configured' || keychainProblem) await windows.open('settings');
  else if (desktopMayHideTray(platform, env)) await windows.open('status');
  return { service, tray, windows, trusted, keychainProblem, act };
}

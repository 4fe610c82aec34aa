/**
 * The Electron shell: wires the core service to a tray icon, one window and IPC. No sync logic
 * lives here (issue #5): everything the user does is a call on the core service.
 */
import { pathToFileURL } from 'node:url';
import { EVENT_CHANNEL } from '../../shared/ipc-contract';
import type { Alert, ServiceEvent, Settings, Status } from '../../shared/types';
import type { ElectronSurface, TrayLike } from './electron-surface';
import { registerIpcHandlers, type ServiceOperations } from './ipc';
import { createKeytarSecretStore, type KeytarLike, type SecretStore } from './keytar-secret-store';
import { showAlert, shouldNotify } from './notifications';
import { createSettingsStore, type KeyValueStoreFactory, type SettingsStore } from './settings-store';
import { trayView, type TrayAction, type TrayIcon } from './tray-view';
import { TrustedSenders } from './trusted-senders';
import { WindowManager, type Page } from './windows';

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

export interface ShellDeps {
  electron: ElectronSurface;
  keytar: KeytarLike;
  storeFactory: KeyValueStoreFactory;
  createService: (deps: ServiceFactoryDeps) => Promise<ShellService>;
  defaults: () => Settings;
  paths: { preload: string; rendererIndex: string; icons: Record<TrayIcon, string> };
  formatTime?: (ms: number) => string;
  appVersion?: string;
}

export interface Shell {
  service: ShellService;
  tray: TrayLike;
  windows: WindowManager;
  trusted: TrustedSenders;
  /** Runs a tray menu action (also what the menu's click handlers call). */
  act(action: TrayAction): Promise<void>;
}

const defaultFormatTime = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

/** Starts the shell; resolves to null when another instance already runs (it gets focused instead). */
export async function startShell(deps: ShellDeps): Promise<Shell | null> {
  const { electron } = deps;
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  await app.whenReady();

  const secrets = createKeytarSecretStore(deps.keytar);
  const settings = createSettingsStore(deps.storeFactory, deps.defaults, deps.appVersion);
  const service = await deps.createService({
    fetch: (url, init) => electron.net.fetch(url, init),
    secrets,
    settings,
    dataDir: app.getPath('userData'),
    logDir: app.getPath('logs'),
  });

  const indexUrl = pathToFileURL(deps.paths.rendererIndex).href;
  const isAppUrl = (url: string) => url.split('#')[0] === indexUrl;
  const trusted = new TrustedSenders();
  const windows = new WindowManager(electron, {
    preloadPath: deps.paths.preload,
    pageUrl: (page: Page) => `${indexUrl}#/${page}`,
    isAppUrl,
    onCreated: (win) => trusted.add(win.webContents.id),
    onClosed: (id) => trusted.remove(id),
  });
  registerIpcHandlers(electron.ipcMain, service, trusted, { isAppUrl });

  const formatTime = deps.formatTime ?? defaultFormatTime;
  const tray = new electron.Tray(electron.nativeImage.createFromPath(deps.paths.icons.idle));
  let lastIcon: TrayIcon = 'idle';
  const act = async (action: TrayAction): Promise<void> => {
    switch (action) {
      case 'sync-now':
        await service.syncNow({});
        return;
      case 'cancel-sync':
        await service.cancelSync();
        return;
      case 'pause':
      case 'resume':
        renderTray(await service.setSchedulePaused({ paused: action === 'pause' }));
        return;
      case 'open-status':
      case 'open-settings':
      case 'open-logs':
        await windows.open(action === 'open-status' ? 'status' : action === 'open-settings' ? 'settings' : 'logs');
        return;
      case 'quit':
        app.quit();
        return;
    }
  };
  const renderTray = (status: Status) => {
    const view = trayView(status, formatTime);
    if (view.icon !== lastIcon) {
      tray.setImage(electron.nativeImage.createFromPath(deps.paths.icons[view.icon]));
      lastIcon = view.icon;
    }
    tray.setToolTip(view.tooltip);
    tray.setContextMenu(
      electron.Menu.buildFromTemplate(
        view.menu.map((item) =>
          item.separator
            ? { type: 'separator' as const }
            : { label: item.label, enabled: item.enabled, click: () => void (item.action && act(item.action)) },
        ),
      ),
    );
  };
  tray.on('click', () => void windows.open('status'));
  renderTray(await service.getStatus());

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
  let quitting = false;
  app.on('before-quit', () => {
    if (quitting) return;
    quitting = true;
    tray.destroy();
    void service.shutdown();
  });
  app.setLoginItemSettings({ openAtLogin: settings.get().startAtLogin });
  service.startScheduler();
  return { service, tray, windows, trusted, act };
}

/**
 * The Electron main process entry (bundled to dist/electron/main.cjs by scripts/build.mjs).
 * It only gathers the real modules and hands them to the shell; everything else is in shell.ts
 * (tested against a fake electron, and this bundle itself by test/electron/main-bundle.test.ts)
 * and in the core (plain Node).
 */
import * as electron from 'electron';
import log from 'electron-log/main';
import Store from 'electron-store';
import updater from 'electron-updater';
import keytar from 'keytar';
import { join } from 'node:path';
import { arch, release, type } from 'node:os';
import { systemClock } from '../core/clock';
import { hyperdEnvironment } from '../core/hyper';
import { createConnectorService, defaultFactories, defaultSettings } from '../core/service';
import type { ElectronSurface } from './electron-surface';
import type { KeyValueStore } from './settings-store';
import { startShell } from './shell';

// The real module is checked against the shell's surface here, member by member, with no cast:
// calling an API Electron does not have cannot compile (test/electron/surface-types.ts).
const surface: ElectronSurface<electron.NativeImage, electron.Menu> = electron;
const { app } = electron;

/** Must equal electron-builder.yml's appId (Windows attributes notifications to it). */
const APP_ID = 'com.ml-connector.app';

// Development runs keep their data apart from an installed copy's (settings, keychain-backed
// settings file, SQLite store, logs): Electron names both folders after package.json otherwise.
if (!app.isPackaged) {
  app.setPath('userData', join(app.getPath('appData'), 'ml-connector-dev'));
  app.setPath('logs', join(app.getPath('userData'), 'logs'));
}

// The main-process log file: <logs>/main.log, rotated to main.old.log at 5 MB.
log.transports.file.resolvePathFn = () => join(app.getPath('logs'), 'main.log');
log.transports.file.maxSize = 5 * 1024 * 1024;
// Updates only for an installed app (electron-updater reads the feed electron-builder wrote into
// resources/app-update.yml from electron-builder.yml's `publish`).
const autoUpdater = app.isPackaged ? updater.autoUpdater : undefined;
if (autoUpdater) autoUpdater.logger = log;

const resources = app.isPackaged ? process.resourcesPath : join(__dirname, '..', '..', 'build');
// macOS: template images (black + alpha), which the menu bar tints for light and dark mode.
// Windows: .ico files (sharp at every tray size). Linux: PNG.
const icon = (state: string) =>
  join(
    resources,
    'icons',
    process.platform === 'darwin' ? `tray-${state}Template.png` : process.platform === 'win32' ? `tray-${state}.ico` : `tray-${state}.png`,
  );

void startShell({
  electron: surface,
  keytar,
  storeFactory: (options) => new Store(options as ConstructorParameters<typeof Store>[0]) as unknown as KeyValueStore,
  defaults: defaultSettings,
  appVersion: app.getVersion(),
  appUserModelId: APP_ID,
  platform: process.platform,
  env: process.env,
  execPath: process.execPath,
  ...(autoUpdater ? { updater: autoUpdater } : {}),
  log,
  paths: {
    preload: join(__dirname, 'preload.cjs'),
    rendererDir: join(__dirname, '..', 'renderer'),
    icons: { idle: icon('idle'), syncing: icon('syncing'), error: icon('error'), 'not-configured': icon('not-configured') },
  },
  createService: (deps) =>
    createConnectorService({
      clock: systemClock,
      fetch: deps.fetch,
      secrets: deps.secrets,
      settings: deps.settings,
      dataDir: deps.dataDir,
      // hyperd gets only the system folders it needs (Windows' SystemRoot), never the app's environment.
      env: { HYPERD_PATH: process.env.HYPERD_PATH, hyperd: hyperdEnvironment(process.env) },
      supportLogFiles: [join(app.getPath('logs'), 'main.log')],
      // About and the support bundle (issue #14): the app's version, the OS and Electron's.
      host: { appVersion: app.getVersion(), os: `${type()} ${release()} ${arch()}`, runtime: `Electron ${process.versions.electron ?? '?'}` },
      factories: defaultFactories({ resourcesPath: app.isPackaged ? process.resourcesPath : undefined, projectRoot: join(__dirname, '..', '..') }),
    }),
}).catch((err: unknown) => {
  log.error('ml-connector could not start', err);
  electron.dialog.showErrorBox('ml-connector could not start', err instanceof Error ? err.message : String(err));
  app.exit(1);
});

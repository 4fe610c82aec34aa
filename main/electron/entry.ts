/**
 * The Electron main process entry (bundled to dist/electron/main.cjs by scripts/build.mjs).
 * It only gathers the real modules and hands them to the shell; everything else is in shell.ts
 * (tested against a fake electron) and in the core (plain Node).
 */
import * as electron from 'electron';
import keytar from 'keytar';
import Store from 'electron-store';
import { join } from 'node:path';
import { systemClock } from '../core/clock';
import { createConnectorService, defaultFactories, defaultSettings } from '../core/service';
import type { ElectronSurface } from './electron-surface';
import type { KeyValueStore } from './settings-store';
import { startShell } from './shell';

// Electron's overloaded signatures are wider than the narrow surface the shell declares; the
// fake used in tests is checked against ElectronSurface with `satisfies`.
const surface = electron as unknown as ElectronSurface;
const resources = electron.app.isPackaged ? process.resourcesPath : join(__dirname, '..', '..', 'build');
const icon = (state: string) => join(resources, 'icons', `tray-${state}.png`);

void startShell({
  electron: surface,
  keytar,
  storeFactory: (options) => new Store(options as ConstructorParameters<typeof Store>[0]) as unknown as KeyValueStore,
  defaults: defaultSettings,
  appVersion: electron.app.getVersion(),
  paths: {
    preload: join(__dirname, 'preload.cjs'),
    rendererIndex: join(__dirname, '..', 'renderer', 'index.html'),
    icons: { idle: icon('idle'), syncing: icon('syncing'), error: icon('error'), 'not-configured': icon('not-configured') },
  },
  createService: (deps) =>
    createConnectorService({
      clock: systemClock,
      fetch: deps.fetch,
      secrets: deps.secrets,
      settings: deps.settings,
      dataDir: deps.dataDir,
      factories: defaultFactories({ resourcesPath: electron.app.isPackaged ? process.resourcesPath : undefined, projectRoot: join(__dirname, '..', '..') }),
    }),
}).catch((err: unknown) => {
  electron.dialog.showErrorBox('ml-connector could not start', err instanceof Error ? err.message : String(err));
  electron.app.exit(1);
});

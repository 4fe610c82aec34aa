/**
 * "Start at login", applied whenever the setting changes. Windows and macOS: Electron's
 * `app.setLoginItemSettings`. Linux, where Electron has no login items: an XDG autostart entry
 * (`$XDG_CONFIG_HOME/autostart/ml-connector.desktop`, freedesktop.org Desktop Application
 * Autostart Specification), removed again when the setting is off.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppSurface } from './electron-surface';

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  app: Pick<AppSurface, 'setLoginItemSettings'>;
  env: Readonly<Record<string, string | undefined>>;
  /** The executable to start (the AppImage when run as one). */
  execPath: string;
}

export const AUTOSTART_FILE = 'ml-connector.desktop';

export function autostartDir(env: LoginItemDeps['env']): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'autostart');
}

/** The desktop entry for `exec` (quoted as the Desktop Entry Specification's Exec key wants). */
export function autostartEntry(exec: string): string {
  const quoted = `"${exec.replace(/(["`$\\])/g, '\\$1')}"`;
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=ml-connector',
    'Comment=Keeps Tableau current with Sage Intacct',
    `Exec=${quoted}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function applyStartAtLogin(openAtLogin: boolean, deps: LoginItemDeps): void {
  if (deps.platform !== 'linux') {
    deps.app.setLoginItemSettings({ openAtLogin });
    return;
  }
  const dir = autostartDir(deps.env);
  const file = join(dir, AUTOSTART_FILE);
  if (!openAtLogin) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, autostartEntry(deps.env.APPIMAGE || deps.execPath), { mode: 0o644 });
}

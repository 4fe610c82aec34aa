/**
 * What the tray shows for a given status: icon, tooltip and menu, as plain data.
 *
 * Pure, so the tray's behaviour is tested without Electron; `tray.ts` only applies it.
 */
import type { Status } from '../../shared/types';
import { runFraction } from '../../shared/run-progress';

export type TrayIcon = 'idle' | 'syncing' | 'error' | 'not-configured';
export type TrayAction = 'sync-now' | 'cancel-sync' | 'pause' | 'resume' | 'open-status' | 'open-settings' | 'open-logs' | 'restart-to-update' | 'quit';

export interface TrayMenuItem {
  label: string;
  action?: TrayAction;
  enabled: boolean;
  separator?: boolean;
}

export interface TrayView {
  icon: TrayIcon;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** Overall progress of the current run, 0–100 (shared/run-progress.ts, as the window's overall bar). */
export function runPercent(status: Status): number | null {
  const fraction = runFraction(status.currentRun?.progress ?? [], status.streams.filter((s) => s.enabled).length);
  return fraction === null ? null : Math.round(fraction * 100);
}

/** `updateReady`: the version electron-updater downloaded, offered as "Restart to update". */
export function trayView(status: Status, formatTime: (ms: number) => string, opts: { updateReady?: string | null } = {}): TrayView {
  const syncing = status.state === 'syncing';
  const pct = runPercent(status);
  const lines = ['ml-connector'];
  if (status.demo) lines[0] += ' (demo)';
  if (syncing) lines.push(`Syncing${pct === null ? '…' : ` ${pct}%`}`);
  else if (status.state === 'not-configured') lines.push('Not set up yet: open Settings');
  else if (status.state === 'error' && status.lastError) lines.push(`Last sync failed: ${truncate(status.lastError.message, 80)}`);
  if (status.lastRun?.finishedAt) lines.push(`Last sync: ${formatTime(status.lastRun.finishedAt)}`);
  lines.push(status.schedulePaused ? 'Schedule paused' : status.nextRunAt ? `Next sync: ${formatTime(status.nextRunAt)}` : 'No sync scheduled');

  const icon: TrayIcon = syncing ? 'syncing' : status.state === 'not-configured' ? 'not-configured' : status.state === 'error' ? 'error' : 'idle';
  const menu: TrayMenuItem[] = [
    // The progress line is not a button: a click meant to look at it must not cancel a long run
    // (issue #14); cancelling is its own item and asks first (shell.ts).
    ...(syncing
      ? [
          { label: `Syncing${pct === null ? '…' : ` ${pct}%`}`, enabled: false },
          { label: 'Cancel sync…', action: 'cancel-sync' as const, enabled: true },
        ]
      : [{ label: 'Sync now', action: 'sync-now' as const, enabled: status.state !== 'not-configured' }]),
    status.schedulePaused ? { label: 'Resume schedule', action: 'resume', enabled: true } : { label: 'Pause schedule', action: 'pause', enabled: true },
    { label: '', enabled: false, separator: true },
    { label: 'Open status', action: 'open-status', enabled: true },
    { label: 'Settings…', action: 'open-settings', enabled: true },
    { label: 'View logs', action: 'open-logs', enabled: true },
    { label: '', enabled: false, separator: true },
    ...(opts.updateReady ? [{ label: `Restart to update (${opts.updateReady})`, action: 'restart-to-update' as const, enabled: true }] : []),
    { label: 'Quit ml-connector', action: 'quit', enabled: true },
  ];
  // Windows caps tray tooltips at 127 characters.
  return { icon, tooltip: truncate(lines.join('\n'), 127), menu };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

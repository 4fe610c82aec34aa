/**
 * Native notifications for alerts: a failed run always, a success only if the user asked.
 * Clicking one opens the status window.
 */
import type { Alert } from '../../shared/types';
import type { ElectronSurface } from './electron-surface';

export function shouldNotify(alert: Alert, notifyOnSuccess: boolean): boolean {
  return alert.kind !== 'run-succeeded' || notifyOnSuccess;
}

export function notificationTitle(alert: Alert): string {
  switch (alert.kind) {
    case 'run-failed':
      return 'Sync failed';
    case 'consecutive-failures':
      return 'Sync keeps failing';
    case 'stale-data':
      return 'Tableau data is out of date';
    case 'run-succeeded':
      return 'Sync finished';
  }
}

export function showAlert(electron: Pick<ElectronSurface<unknown, unknown>, 'Notification'>, alert: Alert, onClick: () => void): boolean {
  if (!electron.Notification.isSupported()) return false;
  const n = new electron.Notification({ title: notificationTitle(alert), body: alert.message, silent: alert.kind === 'run-succeeded' });
  n.on('click', onClick);
  n.show();
  return true;
}

/**
 * Native notifications for alerts: a failed run always, a success only if the user asked.
 * Clicking one opens the status window.
 */
import type { Alert } from '../../shared/types';
import { alertTitle } from '../core/alerts/alert-text';
import type { ElectronSurface } from './electron-surface';

export function shouldNotify(alert: Alert, notifyOnSuccess: boolean): boolean {
  return alert.kind !== 'run-succeeded' || notifyOnSuccess;
}

/** The notification's title: the same heading the alert email and webhook card carry. */
export function notificationTitle(alert: Alert): string {
  return alertTitle(alert);
}

export function showAlert(electron: Pick<ElectronSurface<unknown, unknown>, 'Notification'>, alert: Alert, onClick: () => void): boolean {
  if (!electron.Notification.isSupported()) return false;
  const body = alert.nextStep ? `${alert.message}\n${alert.nextStep}` : alert.message;
  const n = new electron.Notification({ title: notificationTitle(alert), body, silent: alert.kind === 'run-succeeded' || alert.kind === 'test' });
  n.on('click', onClick);
  n.show();
  return true;
}

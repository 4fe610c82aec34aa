/**
 * The service's alerts: the facts the evaluator sees now (`currentAlerts`), and `raiseAlerts`,
 * which sends each new one once to the event stream (window, SSE), the log, the alert command and
 * the email/Teams/Slack channels (alert-delivery.ts).
 * Raised after every run and, by the scheduler, every five minutes (stale data is a fact of time).
 */
import { createAlertGate } from '../alerts';
import { asConnectorError } from '../errors';
import type { Alert, Settings } from '../../../shared/types';
import type { ServiceContext } from './service-context';
import type { AlertDelivery } from './alert-delivery';

/** What the gate remembers an alert fact by. */
export const alertKey = (a: Alert) => (a as Alert & { key?: string }).key ?? `${a.kind}:${a.runId ?? a.at}`;

export interface ServiceAlerts {
  currentAlerts(settings: Settings): Alert[];
  /** Raises the alerts that became true since the last call (`runId`: the run that just ended); never throws. */
  raiseAlerts(settings: Settings, runId?: string): void;
}

/** Creates the alerts of the service; facts already true now (at startup) are not raised again. */
export function createAlerts(ctx: ServiceContext, delivery: Pick<AlertDelivery, 'deliver'>): ServiceAlerts {
  const { deps, store, clock, emit, log } = ctx;
  // Each alert fact is raised once (F's gate); facts already true at startup are not raised again.
  const gate = createAlertGate();
  const currentAlerts = (settings: Settings) =>
    deps.factories.evaluateAlerts({ runs: store.listRuns(50), lastSuccessAt: store.lastSuccessAt(), now: clock.now(), settings: settings.alerts });
  const raiseAlerts = (settings: Settings, runId?: string) => {
    try {
      const alerts = currentAlerts(settings);
      const fresh = new Set(gate.admit(alerts.map((a) => ({ ...a, key: alertKey(a) }))).map((a) => a.key));
      for (const alert of alerts.filter((a) => fresh.has(alertKey(a)))) {
        const { key: _key, ...fields } = alert as Alert & { key?: string };
        const a: Alert = { ...fields, ...((alert.runId ?? runId) ? { runId: alert.runId ?? runId } : {}) };
        emit({ type: 'alert', alert: a });
        log(a.kind === 'run-succeeded' ? 'info' : 'warn', `Alert: ${a.message}`, runId ? { runId } : {});
        if (settings.alerts.command && deps.runAlertCommand) deps.runAlertCommand(settings.alerts.command, a);
        delivery.deliver(a, settings);
      }
    } catch (err) {
      log('warn', `Alerts could not be evaluated: ${asConnectorError(err, 'local').userMessage}`);
    }
  };
  try {
    gate.seed(currentAlerts(deps.settings.get()).map((a) => ({ ...a, key: alertKey(a) })));
  } catch {
    // Evaluated again after the next run.
  }
  return { currentAlerts, raiseAlerts };
}

/**
 * Alerts (docs/architecture.md): what the run history calls for, a gate that raises each one once, and their
 * delivery by email and to a Teams/Slack webhook (issue #14 "Alerts that reach people").
 */
export { evaluateAlerts, nextStepOfError, type AlertInput, type KeyedAlert } from './evaluate-alerts';
export { createAlertGate, type AlertGate } from './alert-gate';
export { runAlertCommand, parseCommandLine, alertCommandProblem, childEnvironment, CommandLineError } from './alert-command';
export { renderAlert, alertTitle, type AlertContent } from './alert-text';
export { deliverAlert, type AlertChannels } from './deliver-alert';
export { AlertDeliveryError } from './delivery-error';

/**
 * Alerts (apis.md §F): what the run history calls for, and a gate that raises each one once.
 */
export { evaluateAlerts, type AlertInput, type KeyedAlert } from './evaluate-alerts';
export { createAlertGate, type AlertGate } from './alert-gate';
export { runAlertCommand, parseCommandLine, alertCommandProblem, childEnvironment, CommandLineError } from './alert-command';

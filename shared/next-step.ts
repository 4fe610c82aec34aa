/**
 * The next step for a run's error, chosen by the error itself (issue #14 point 3), in words that
 * stand on their own: the window shows it under the error with a link to the field, and an alert
 * (email, Teams, Slack) carries the same sentence, so the person who reads it knows what to do.
 * Pure: the stream labels come from the caller (the renderer may not import the core's definitions).
 */
import type { ErrorInfo, StreamName } from './types';

/** A next step: the sentence, and the Settings field it points at (a link in the window). */
export interface NextStepText {
  text: string;
  /** Settings field to open (`tableau.project`, a secret name…); absent: Settings as a whole, or none. */
  field?: string;
  /** The link's words for `field`, or for Settings when `settings` is true. */
  linkLabel?: string;
  /** The step is done in Settings (link to the page when no field is named). */
  settings?: boolean;
}

/** What a finance user can do next about `error`. */
export function nextStepFor(error: ErrorInfo, labelOf: (stream: StreamName) => string): NextStepText {
  const code = error.code ?? '';
  if (code === 'DEPENDENT_REFRESH_FAILED') {
    return {
      text: 'Correct or remove the data source names under Dependent data sources, run “Test Tableau connection”, then Sync now again.',
      field: 'tableau.dependentDatasources',
      linkLabel: 'Open Dependent data sources',
    };
  }
  if (code === 'INVALID_FIELD' && error.stream) {
    const label = labelOf(error.stream);
    return {
      text: `Remove or correct the field in ${label}’s extra fields, then Sync now again.`,
      field: `streams.extraFields.${error.stream}`,
      linkLabel: `Open ${label}’s extra fields`,
    };
  }
  if (error.service === 'intacct' && (code === 'LOGIN_INVALID' || code === 'XL03000006' || /user/i.test(error.message)) && error.kind === 'config') {
    return {
      text: 'Check the company ID, user ID and user password, run “Test Intacct connection”, then Sync now again.',
      field: 'intacctUserPassword',
      linkLabel: 'Enter the Intacct user password',
    };
  }
  if (error.service === 'intacct' && /sender/i.test(error.message) && error.kind === 'config') {
    return {
      text: 'Check the Web Services sender ID and password, run “Test Intacct connection”, then Sync now again.',
      field: 'intacctSenderPassword',
      linkLabel: 'Enter the sender password',
    };
  }
  if (code === 'PROJECT_NOT_FOUND') {
    return {
      text: 'Create the project in Tableau, or allow the connector to create it, then Sync now again.',
      field: 'tableau.project',
      linkLabel: 'Open the Tableau project setting',
    };
  }
  if (error.service === 'tableau' && error.kind === 'config' && /sign-in|token/i.test(error.message)) {
    return {
      text: 'Check the Tableau token name and secret (or connected app) and the site, run “Test Tableau connection”, then Sync now again.',
      field: 'tableauPatSecret',
      linkLabel: 'Enter the Tableau token secret',
    };
  }
  switch (error.service) {
    case 'intacct':
      return { text: 'Check the Intacct sign-in in Settings and run “Test connection”, then Sync now again.', settings: true, linkLabel: 'Open Settings' };
    case 'tableau':
      return { text: 'Check the Tableau settings and run “Test connection”, then Sync now again.', settings: true, linkLabel: 'Open Settings' };
    case 'hyper':
      return { text: 'Sync now again; if it keeps failing, export a support bundle from Logs.' };
    case 'local':
      return { text: 'See the log lines for details; if it keeps failing, export a support bundle from Logs.' };
  }
}

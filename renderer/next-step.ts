/**
 * The next-step line for an error, chosen by the error itself (issue #14 point 3): an invalid
 * extra field links to that stream's extra-fields panel, a refused password to its field, a
 * missing dependent data source to that list. The link opens Settings at the field
 * (`#/settings?field=<name>`), which the Settings page focuses.
 */
import type { ErrorInfo } from '../shared/types';
import { hrefOf } from './route';
import { streamLabels } from './streams';

export interface NextStep {
  text: string;
  link?: { href: string; label: string };
}

const settingsAt = (field: string, label: string) => ({ href: hrefOf('settings', { field }), label });

/** What a finance user can do next about `error`. */
export function nextStepOf(error: ErrorInfo): NextStep {
  const code = error.code ?? '';
  if (code === 'DEPENDENT_REFRESH_FAILED') {
    return { text: 'Correct or remove the data source names under Dependent data sources, run “Test Tableau connection”, then Sync now again.', link: settingsAt('tableau.dependentDatasources', 'Open Dependent data sources') };
  }
  if (code === 'INVALID_FIELD' && error.stream) {
    const label = streamLabels[error.stream] ?? error.stream;
    return { text: `Remove or correct the field in ${label}’s extra fields, then Sync now again.`, link: settingsAt(`streams.extraFields.${error.stream}`, `Open ${label}’s extra fields`) };
  }
  if (error.service === 'intacct' && (code === 'LOGIN_INVALID' || code === 'XL03000006' || /user/i.test(error.message)) && error.kind === 'config') {
    return { text: 'Check the company ID, user ID and user password, run “Test Intacct connection”, then Sync now again.', link: settingsAt('intacctUserPassword', 'Enter the Intacct user password') };
  }
  if (error.service === 'intacct' && /sender/i.test(error.message) && error.kind === 'config') {
    return { text: 'Check the Web Services sender ID and password, run “Test Intacct connection”, then Sync now again.', link: settingsAt('intacctSenderPassword', 'Enter the sender password') };
  }
  if (code === 'PROJECT_NOT_FOUND') {
    return { text: 'Create the project in Tableau, or allow the connector to create it, then Sync now again.', link: settingsAt('tableau.project', 'Open the Tableau project setting') };
  }
  if (error.service === 'tableau' && error.kind === 'config' && /sign-in|token/i.test(error.message)) {
    return { text: 'Check the Tableau token name and secret (or connected app) and the site, run “Test Tableau connection”, then Sync now again.', link: settingsAt('tableauPatSecret', 'Enter the Tableau token secret') };
  }
  switch (error.service) {
    case 'intacct':
      return { text: 'Check the Intacct sign-in in Settings and run “Test connection”, then Sync now again.', link: { href: hrefOf('settings'), label: 'Open Settings' } };
    case 'tableau':
      return { text: 'Check the Tableau settings and run “Test connection”, then Sync now again.', link: { href: hrefOf('settings'), label: 'Open Settings' } };
    case 'hyper':
      return { text: 'Sync now again; if it keeps failing, export a support bundle from Logs.' };
    case 'local':
      return { text: 'See the log lines for details; if it keeps failing, export a support bundle from Logs.' };
  }
}

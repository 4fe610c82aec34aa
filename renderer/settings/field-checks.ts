/**
 * Checks the form makes as the user types (issue #14, validation), before the service is asked:
 * a Tableau address pasted from the browser is split into server and site, a hand-typed extra
 * field is checked against Intacct's field list once "Find fields in Intacct" has fetched it, and
 * the error summary names each field.
 */
import type { FieldChoice } from '../../shared/types';
import { settingsFieldLabel } from '../../shared/settings-labels';
import { streamLabels } from '../streams';

/**
 * A Tableau address as the browser shows it, split: `https://10ax.online.tableau.com/#/site/acme/home`
 * is the pod `https://10ax.online.tableau.com` and the site `acme` (Tableau's own explanation of the
 * site name in the address: https://help.tableau.com/current/online/en-us/to_site_url.htm). A Server
 * address without `/site/` (`https://tableau.example.com/#/projects`) is the Default site (site '').
 * Null when the text is no such browser address (then it is taken as typed).
 */
export function splitTableauUrl(text: string): { serverUrl: string; site: string; cloud: boolean } | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const site = /\/site\/([^/?#]+)/.exec(`${url.pathname}${url.hash}`)?.[1];
  // The browser's address has the page after `#/` (or a /site/ path); a bare server address has neither.
  if (!/^#\/[^/]/.test(url.hash) && !site) return null;
  return { serverUrl: url.origin, site: site ? decodeURIComponent(site) : '', cloud: /\.online\.tableau\.com$/i.test(url.hostname) };
}

/**
 * A problem with a hand-typed extra field once Intacct's field list is known: a name not in it
 * (a typo would otherwise only fail at the next sync, as an invalid field). Dotted names
 * (`VENDOR.NAME`, a related object's field) are not in the object's own list and are not checked.
 */
export function unknownFieldProblem(field: string, choices: readonly FieldChoice[] | null, tableLabel: string): string | undefined {
  const name = field.trim();
  if (!choices || !name || name.includes('.')) return undefined;
  if (choices.some((c) => c.field.toUpperCase() === name.toUpperCase())) return undefined;
  return `${name} is not a field of ${tableLabel} in Sage Intacct: check the spelling, or pick it from the fields Intacct lists below.`;
}

/** A settings message as the error summary shows it: led by its field's label unless it names it already. */
export function namedMessage(path: string, message: string): string {
  const label = settingsFieldLabel(path, (s) => streamLabels[s as keyof typeof streamLabels] ?? s);
  return message.toLowerCase().includes(label.toLowerCase()) ? message : `${label}: ${message}`;
}

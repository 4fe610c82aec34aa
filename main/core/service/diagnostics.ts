/**
 * Connection tests, both sides side by side, and which secrets belong to which address. Intacct's
 * test is its client's (intacct-client.ts `testConnection`: sender, user, company in one sign-in);
 * Tableau's is a list of steps here (server, sign in, project, dependent data sources), each shown
 * with its own outcome and stopping at the first that fails.
 */
import { ValidationError, asConnectorError } from '../errors';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import type { ConnectionTestResult, SecretName, Settings } from '../../../shared/types';
import { intacctCredentials, tableauAuth, type ServiceFactories } from './runtime';
import { validateSettings } from './settings';
import type { SecretStore } from './stores';
import type { ApiUsage } from './api-usage';
import type { ServiceContext } from './service-context';

/** The secrets each side sends to its address. */
export const SIDE_SECRETS: Record<'intacct' | 'tableau' | 'smtp', readonly SecretName[]> = {
  intacct: ['intacctSenderPassword', 'intacctUserPassword'],
  tableau: ['tableauPatSecret', 'tableauConnectedAppSecret'],
  // The SMTP password goes to the alert mail server: a changed server (e.g. through the served API)
  // must not receive the stored password unless confirmed (issue #14 "Alerts").
  smtp: ['smtpPassword'],
};

/** The origin (scheme, host, port) a URL setting sends secrets to; '' when empty or unparsable. */
function originOf(url: string): string {
  try {
    return url.trim() ? new URL(url).origin : '';
  } catch {
    return url.trim();
  }
}

/** The mail server (host:port) the SMTP password is sent to; '' when email is off. */
const smtpServerOf = (s: Settings) => (s.alerts.email.host ? `${s.alerts.email.host.toLowerCase()}:${s.alerts.email.port}` : '');

/** The sides whose address (Intacct endpoint, Tableau server, alert mail server) changed between two settings. */
export function endpointChanges(before: Settings, after: Settings): { side: keyof typeof SIDE_SECRETS; label: string; from: string; to: string }[] {
  const out: { side: keyof typeof SIDE_SECRETS; label: string; from: string; to: string }[] = [];
  const i = [originOf(before.intacct.endpoint), originOf(after.intacct.endpoint)] as const;
  if (i[0] !== i[1]) out.push({ side: 'intacct', label: 'The Sage Intacct endpoint', from: i[0], to: i[1] });
  const t = [originOf(before.tableau.serverUrl), originOf(after.tableau.serverUrl)] as const;
  if (t[0] !== t[1]) out.push({ side: 'tableau', label: 'The Tableau server address', from: t[0], to: t[1] });
  const m = [smtpServerOf(before), smtpServerOf(after)] as const;
  if (m[0] !== m[1]) out.push({ side: 'smtp', label: 'The alert mail server', from: m[0], to: m[1] });
  return out;
}

/** The side whose address a secret is sent to. */
const sideOf = (name: SecretName) => (Object.keys(SIDE_SECRETS) as (keyof typeof SIDE_SECRETS)[]).find((side) => SIDE_SECRETS[side].includes(name));

export function createDiagnostics(ctx: ServiceContext, usage: Pick<ApiUsage, 'counted'>): Pick<ConnectorApi, 'testConnection'> {
  const { deps, refusals, clientDeps } = ctx;
  const { counted } = usage;

  /** Signs in to Intacct with these settings and secrets; its API use is recorded. */
  const testIntacct = async (settings: Settings, secrets: SecretStore): Promise<ConnectionTestResult> => {
    let creds;
    try {
      creds = await intacctCredentials(settings, secrets);
    } catch (err) {
      return { ok: false, steps: [{ name: 'Settings', ok: false, message: asConnectorError(err, 'intacct').userMessage }] };
    }
    const client = deps.factories.createSource({ ...clientDeps(settings), credentials: creds });
    return counted('connection test', client, async () => {
      try {
        const result = await client.testConnection();
        if (result.ok) refusals.note(creds, settings.intacct.endpoint, null);
        return result;
      } catch (err) {
        return { ok: false, steps: [{ name: 'Sender credentials', ok: false, message: asConnectorError(err, 'intacct').userMessage }] };
      }
    });
  };

  /** Signs in to Tableau with these settings and secrets, then looks for the project and the dependent data sources. */
  const testTableau = async (settings: Settings, secrets: SecretStore): Promise<ConnectionTestResult> => {
    const steps: { name: string; ok: boolean; message: string }[] = [];
    let auth;
    try {
      auth = await tableauAuth(settings, secrets);
    } catch (err) {
      return { ok: false, steps: [{ name: 'Settings', ok: false, message: asConnectorError(err, 'tableau').userMessage }] };
    }
    let client: ReturnType<ServiceFactories['createTarget']>['client'];
    try {
      client = deps.factories.createTarget({ ...clientDeps(settings), auth }).client;
    } catch (err) {
      return { ok: false, steps: [{ name: 'Server', ok: false, message: asConnectorError(err, 'tableau').userMessage }] };
    }
    const step = async (name: string, fn: () => Promise<string>) => {
      if (steps.some((s) => !s.ok)) return;
      try {
        steps.push({ name, ok: true, message: await fn() });
      } catch (err) {
        steps.push({ name, ok: false, message: asConnectorError(err, 'tableau').userMessage });
      }
    };
    await step('Server', async () => {
      const info = await client.serverInfo();
      const note = client.address?.note ? ` ${client.address.note}` : '';
      return `Tableau ${info.productVersion}, REST API ${info.restApiVersion}.${note}`;
    });
    let signedIn = false;
    await step('Sign in', async () => {
      await client.signIn();
      signedIn = true;
      return `Signed in to site "${client.address?.site || settings.tableau.site || 'Default'}".`;
    });
    await step('Project', async () => {
      const p = await client.findProject(settings.tableau.project, { create: false });
      if (p) return `Project "${p.name}" found.`;
      if (settings.tableau.createProject) return `Project "${settings.tableau.project}" does not exist yet; the first sync will create it.`;
      throw new ValidationError({
        service: 'tableau',
        userMessage: `Project "${settings.tableau.project}" was not found. Create it, or allow the connector to create it.`,
        fields: { 'tableau.project': 'Not found' },
      });
    });
    if (settings.tableau.dependentDatasources.length) {
      // Every dependent data source must exist, or a run would load the data and leave the
      // dashboards built on it stale (issue #14 point 1).
      await step('Dependent data sources', async () => {
        const names = settings.tableau.dependentDatasources;
        const missing: string[] = [];
        for (const name of names) if (!(await client.findDatasource(name))) missing.push(name);
        if (missing.length) {
          throw new ValidationError({
            service: 'tableau',
            userMessage: `${missing.map((n) => `"${n}"`).join(', ')} ${missing.length === 1 ? 'was' : 'were'} not found on this site. Correct the name under Dependent data sources, or remove it.`,
            fields: { 'tableau.dependentDatasources': 'Not found' },
          });
        }
        return `${names.length === 1 ? `"${names[0]}" found` : `All ${names.length} found`}; each is refreshed after a run.`;
      });
    }
    if (signedIn) await client.signOut().catch(() => undefined);
    return { ok: steps.every((s) => s.ok), steps };
  };

  return {
    /**
     * Tests one side with the saved settings, or with a draft and typed secrets that are not saved
     * (issue #14 point 4: trying a password must not replace the stored one). A stored secret is only
     * used for a draft whose address (origin) is the one it was entered for, unless confirmed.
     */
    async testConnection(req) {
      const { side } = req;
      const saved = deps.settings.get();
      let settings = saved;
      if (req.draft) {
        const checked = validateSettings(req.draft);
        if (!checked.ok) {
          const own = Object.entries(checked.errors).filter(([k]) => k.startsWith(`${side}.`) || SIDE_SECRETS[side].includes(k as SecretName));
          const list = (own.length ? own : Object.entries(checked.errors)).map(([k, v]) => `${k}: ${v}`).join('; ');
          return { ok: false, steps: [{ name: 'Settings', ok: false, message: `Fix these settings first: ${list}` }] };
        }
        settings = checked.settings;
      }
      const moved = new Set(req.confirmEndpointChange === true ? [] : endpointChanges(saved, settings).map((c) => c.side));
      const typed = req.secrets ?? {};
      const secrets: SecretStore = {
        get: async (name) => {
          const side = sideOf(name);
          return typed[name] || (side && moved.has(side) ? null : await deps.secrets.get(name));
        },
        set: async () => undefined,
        delete: async () => undefined,
      };
      return side === 'intacct' ? testIntacct(settings, secrets) : testTableau(settings, secrets);
    },
  };
}

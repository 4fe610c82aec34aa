/**
 * How the service builds the clients of a run from settings and secrets, behind factories so that
 * tests can swap any of them for a fake. `defaultFactories` wires the real
 * Intacct client, Tableau client + loader, and Hyper writer.
 */
import type { SqlEngine } from '../models/model-ports';
import type { Clock } from '../clock';
import { ValidationError } from '../errors';
import type { FetchLike } from '../http/transport';
import type { RequestEventListener } from '../http/request-events';
import type { Alert, ConnectionTestResult, RunSummary, SecretName, Settings } from '../../../shared/types';
import type { LoadFn, SourcePort, TargetPort, WritePayloadFn } from '../sync/ports';
import type { QueryHyperFn, TableauReadBackPort } from '../sync/tableau-tie-out';
import type { SecretStore } from './stores';
import type { FieldInfo, IntacctCredentials } from '../intacct';
import type { TableauAuth } from '../tableau';
import type { HyperReplica } from '../replica';

export type { IntacctCredentials, TableauAuth };

/** The Intacct client as the service uses it. */
export interface SourceClient extends SourcePort {
  testConnection(signal?: AbortSignal): Promise<ConnectionTestResult>;
  /** An object's fields (`lookup`), custom ones marked: what Settings offers to add to a stream. */
  lookup(object: string, signal?: AbortSignal): Promise<FieldInfo[]>;
  close(): void;
}

/** The Tableau client as the service uses it. */
export interface TargetClient extends TargetPort {
  serverInfo(): Promise<{ productVersion: string; restApiVersion: string }>;
  /** Server and site as used, with a note when they were split from a pasted browser address. */
  readonly address?: { baseUrl: string; site: string; note?: string };
  signOut(): Promise<void>;
  /** Follows a job to its end (throws when it fails); a run uses it for dependent refreshes. */
  waitForJob?(jobId: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>;
}

/** What writes payloads (hyperd), and what else runs on that hyperd. */
export interface PayloadWriter {
  write: WritePayloadFn;
  stop(): Promise<void>;
  queryHyper?: QueryHyperFn;
  replica?: HyperReplica;
  /** The same hyperd for the finance models' SQL (absent: no models are built). */
  sql?: SqlEngine;
}

/** Common arguments of the client factories. */
export interface ClientArgs {
  settings: Settings;
  fetch: FetchLike;
  clock: Clock;
  random?: () => number;
  onEvent: RequestEventListener;
}

/** Everything the service builds from settings; each may be replaced in tests. */
export interface ServiceFactories {
  createSource(a: ClientArgs & { credentials: IntacctCredentials }): SourceClient;
  /** `readBack`: how the tie-out reads Tableau (VDS, download); without it the ledger stands in. */
  createTarget(a: ClientArgs & { auth: TableauAuth }): { client: TargetClient; load: LoadFn; readBack?: TableauReadBackPort };
  /**
   * Starts (once per service) what writes .hyper payloads: hyperd (`queryHyper`: the tie-out's
   * download route; `replica`: the local replica in the data folder, on the same hyperd).
   * `env.hyperd`: the environment hyperd gets (hyperdEnvironment picks it; never the whole one).
   */
  startPayloadWriter(a: { dataDir: string; hyperdPath?: string; env?: { HYPERD_PATH?: string; hyperd?: Record<string, string> } }): Promise<PayloadWriter>;
  evaluateAlerts(input: { runs: RunSummary[]; lastSuccessAt: number | null; now: number; settings: Settings['alerts'] }): Alert[];
  /** The version of the hyperd a payload writer would start (About); null when none is found or it says none. */
  hyperdVersion?(a: { hyperdPath?: string; env?: { HYPERD_PATH?: string; hyperd?: Record<string, string> } }): Promise<string | null>;
}

/** The Intacct credentials from settings + secrets; a ValidationError naming what is missing. */
export async function intacctCredentials(settings: Settings, secrets: SecretStore): Promise<IntacctCredentials> {
  const i = settings.intacct;
  const senderPassword = await secrets.get('intacctSenderPassword');
  const userPassword = await secrets.get('intacctUserPassword');
  const fields: Record<string, string> = {};
  if (!i.senderId) fields['intacct.senderId'] = 'Enter the Web Services sender ID.';
  if (!i.companyId) fields['intacct.companyId'] = 'Enter the company ID.';
  if (!i.userId) fields['intacct.userId'] = 'Enter the Web Services user ID.';
  if (!senderPassword) fields.intacctSenderPassword = 'Enter the sender password.';
  if (!userPassword) fields.intacctUserPassword = 'Enter the user password.';
  if (Object.keys(fields).length) {
    throw new ValidationError({
      service: 'intacct',
      code: 'NOT_CONFIGURED',
      userMessage: `Sage Intacct is not fully set up: ${Object.values(fields).join(' ')}`,
      fields,
    });
  }
  return {
    senderId: i.senderId,
    senderPassword: senderPassword!,
    companyId: i.companyId,
    userId: i.userId,
    userPassword: userPassword!,
    ...(i.entityId ? { entityId: i.entityId } : {}),
  };
}

/** The Tableau credentials from settings + secrets; a ValidationError naming what is missing. */
export async function tableauAuth(settings: Settings, secrets: SecretStore): Promise<TableauAuth> {
  const t = settings.tableau;
  const fields: Record<string, string> = {};
  if (!t.serverUrl) fields['tableau.serverUrl'] = 'Enter the Tableau server or Cloud pod address.';
  let auth: TableauAuth | null = null;
  if (t.auth === 'pat') {
    const secret = await secrets.get('tableauPatSecret');
    if (!t.patName) fields['tableau.patName'] = 'Enter the personal access token name.';
    if (!secret) fields.tableauPatSecret = 'Enter the personal access token secret.';
    if (t.patName && secret) auth = { kind: 'pat', name: t.patName, secret };
  } else {
    const secretValue = await secrets.get('tableauConnectedAppSecret');
    if (!t.connectedAppClientId) fields['tableau.connectedAppClientId'] = 'Enter the connected app client ID.';
    if (!t.connectedAppSecretId) fields['tableau.connectedAppSecretId'] = 'Enter the connected app secret ID.';
    if (!t.connectedAppUser) fields['tableau.connectedAppUser'] = 'Enter the Tableau user name.';
    if (!secretValue) fields.tableauConnectedAppSecret = 'Enter the connected app secret value.';
    if (t.connectedAppClientId && t.connectedAppSecretId && t.connectedAppUser && secretValue) {
      auth = { kind: 'connected-app', clientId: t.connectedAppClientId, secretId: t.connectedAppSecretId, secretValue, username: t.connectedAppUser };
    }
  }
  if (!auth || Object.keys(fields).length) {
    throw new ValidationError({
      service: 'tableau',
      code: 'NOT_CONFIGURED',
      userMessage: `Tableau is not fully set up: ${Object.values(fields).join(' ')}`,
      fields,
    });
  }
  return auth;
}

/** Which secrets exist (never their values). */
export async function secretStatus(secrets: SecretStore, names: readonly SecretName[]): Promise<Record<SecretName, boolean>> {
  const out = {} as Record<SecretName, boolean>;
  for (const n of names) out[n] = (await secrets.get(n)) !== null;
  return out;
}

/** Every secret value currently stored (to scan exports for leaks); never logged. */
export async function secretValues(secrets: SecretStore, names: readonly SecretName[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) {
    const v = await secrets.get(n);
    if (v) out.push(v);
  }
  return out;
}

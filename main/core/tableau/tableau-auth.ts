/**
 * Tableau sign-in material and the one session per client.
 *
 * A personal access token allows one session at a time: a second sign-in with the same PAT ends
 * the first, whose token then fails with 401002 (tableau-rest.md §4, TSC #717). So the client keeps
 * exactly one session, signs in lazily, lets concurrent callers share one in-flight sign-in, and on
 * an expired token renews it only if nobody else already did. The app creates one client per PAT.
 * Secrets live only in the caller's `TableauAuth` object and in request bodies; they are never put
 * in events, errors or this session object (which holds the session token, not the PAT).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { xmlAttr } from './tableau-xml';

/** How the connector signs in (secrets come from the caller's secret store). */
export type TableauAuth =
  { kind: 'pat'; name: string; secret: string } | { kind: 'connected-app'; clientId: string; secretId: string; secretValue: string; username: string };

/** What a run will do besides loading, which decides the scopes its JWT asks for. */
export interface ScopeNeeds {
  /** Create the project when it is missing (Settings › Tableau). */
  createProject?: boolean;
  /** Refresh dependent data sources. */
  refresh?: boolean;
  /** Read Tableau back for the tie-out: through VizQL Data Service, or by downloading the data source. */
  readBack?: 'vds' | 'download' | null;
}

/**
 * The scopes a connected-app JWT asks for: only those the run's calls need, because a JWT asking
 * for a scope the connected app does not grant is refused at sign-in (Tableau's "Access Scopes for
 * Connected Apps" page). Per call (tableau-rest.md §4, MCP `vizqlDataServiceMethods.ts`):
 * - `tableau:content:read`: query projects, query / get data sources, connections;
 * - `tableau:datasources:create`: publish; `tableau:file_uploads:create`: initiate / append upload;
 * - `tableau:datasources:update`: the Hyper PATCH (UNCONFIRMED that this scope covers it; it is
 *   the one the REST reference pairs with data source updates);
 * - `tableau:jobs:read`: Query Job (works with JWT from REST 3.25, TSC #1581);
 * - `tableau:projects:create` (UNCONFIRMED name) only when the project may be created;
 * - `tableau:tasks:run` only when dependent data sources are refreshed;
 * - `tableau:viz_data_service:read` (tie-out through VDS) or `tableau:datasources:download`
 *   (tie-out by download), never both.
 */
export function connectedAppScopes(needs: ScopeNeeds = {}): string[] {
  const scopes = ['tableau:content:read', 'tableau:datasources:create', 'tableau:datasources:update', 'tableau:file_uploads:create', 'tableau:jobs:read'];
  if (needs.createProject) scopes.push('tableau:projects:create');
  if (needs.refresh) scopes.push('tableau:tasks:run');
  if (needs.readBack === 'vds') scopes.push('tableau:viz_data_service:read');
  if (needs.readBack === 'download') scopes.push('tableau:datasources:download');
  return scopes;
}

/** The scopes of a connector that loads, creates its project and refreshes (what the settings help lists). */
export const CONNECTED_APP_SCOPES: readonly string[] = connectedAppScopes({ createProject: true, refresh: true });

/** JWT lifetime: Tableau accepts at most 10 minutes (tableau-rest.md §4, UNCONFIRMED); MCP uses 5. */
export const JWT_LIFETIME_SECONDS = 5 * 60;

/**
 * Builds a connected-app (direct trust) JWT, HS256-signed with the secret value (MCP `getJwt.ts`):
 * header `{alg, typ, kid: secretId, iss: clientId}`, claims iss, sub, aud 'tableau', exp, iat, jti,
 * scp. `iss` in the header is UNCONFIRMED as required; Tableau's docs allow it, so it is sent.
 */
export function buildConnectedAppJwt(
  app: { clientId: string; secretId: string; secretValue: string; username: string },
  nowMs: number,
  opts: { scopes?: readonly string[]; jti?: string; lifetimeSeconds?: number } = {},
): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'HS256', typ: 'JWT', kid: app.secretId, iss: app.clientId };
  const claims = {
    iss: app.clientId,
    sub: app.username,
    aud: 'tableau',
    exp: iat + Math.min(opts.lifetimeSeconds ?? JWT_LIFETIME_SECONDS, 600),
    iat,
    jti: opts.jti ?? randomUUID(),
    scp: [...(opts.scopes ?? CONNECTED_APP_SCOPES)],
  };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createHmac('sha256', app.secretValue).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

/** The XML sign-in body for a PAT or a connected-app JWT (tableau-rest.md §4). */
export function signInBody(auth: TableauAuth, siteContentUrl: string, nowMs: number, scopes?: readonly string[]): string {
  const site = `<site contentUrl="${xmlAttr(siteContentUrl)}"/>`;
  const credentials =
    auth.kind === 'pat'
      ? `personalAccessTokenName="${xmlAttr(auth.name)}" personalAccessTokenSecret="${xmlAttr(auth.secret)}"`
      : `jwt="${xmlAttr(buildConnectedAppJwt(auth, nowMs, scopes ? { scopes } : {}))}"`;
  return `<tsRequest><credentials ${credentials}>${site}</credentials></tsRequest>`;
}

/** One signed-in session: the token for X-Tableau-Auth and the LUIDs used in later URLs. */
export interface TableauSessionInfo {
  readonly token: string;
  readonly siteId: string;
  readonly userId: string;
  readonly signedInAt: number;
}

/**
 * Holds the client's single session. `get()` signs in when there is none; `renew(stale)` replaces
 * the session a request found expired, unless another caller already replaced it. Either way at
 * most one sign-in runs at a time.
 */
export class TableauSessionHolder {
  private session: TableauSessionInfo | null = null;
  private inflight: Promise<TableauSessionInfo> | null = null;
  /** Sign-ins performed (tests assert there are no races). */
  signIns = 0;

  constructor(private readonly signIn: () => Promise<TableauSessionInfo>) {}

  get current(): TableauSessionInfo | null {
    return this.session;
  }

  /** The current session, signing in first (once, shared by concurrent callers) if there is none. */
  get(): Promise<TableauSessionInfo> {
    if (this.session) return Promise.resolve(this.session);
    return this.start();
  }

  /** Replaces `stale` (the session a request was refused with); returns the newer one if it exists. */
  renew(stale: TableauSessionInfo): Promise<TableauSessionInfo> {
    if (this.inflight) return this.inflight;
    if (this.session && this.session !== stale) return Promise.resolve(this.session);
    this.session = null;
    return this.start();
  }

  /** Forgets the session (after sign-out). */
  clear(): void {
    this.session = null;
  }

  private start(): Promise<TableauSessionInfo> {
    if (this.inflight) return this.inflight;
    this.signIns++;
    const p = this.signIn().then(
      (s) => {
        this.session = s;
        this.inflight = null;
        return s;
      },
      (err: unknown) => {
        this.inflight = null;
        throw err;
      },
    );
    this.inflight = p;
    return p;
  }
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

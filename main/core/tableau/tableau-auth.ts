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
  | { kind: 'pat'; name: string; secret: string }
  | { kind: 'connected-app'; clientId: string; secretId: string; secretValue: string; username: string };

/**
 * Scopes a connected-app JWT asks for (tableau-rest.md §4). `tableau:projects:create` and whether
 * `tableau:datasources:update` covers the Hyper PATCH are UNCONFIRMED: we ask for both, since an
 * unneeded scope costs nothing and a missing one fails the load.
 */
export const CONNECTED_APP_SCOPES: readonly string[] = [
  'tableau:content:read',
  'tableau:datasources:create',
  'tableau:datasources:update',
  'tableau:file_uploads:create',
  'tableau:jobs:read',
  'tableau:tasks:run',
  'tableau:projects:create',
];

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
export function signInBody(auth: TableauAuth, siteContentUrl: string, nowMs: number): string {
  const site = `<site contentUrl="${xmlAttr(siteContentUrl)}"/>`;
  const credentials =
    auth.kind === 'pat'
      ? `personalAccessTokenName="${xmlAttr(auth.name)}" personalAccessTokenSecret="${xmlAttr(auth.secret)}"`
      : `jwt="${xmlAttr(buildConnectedAppJwt(auth, nowMs))}"`;
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

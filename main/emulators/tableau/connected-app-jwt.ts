/**
 * Verifies a connected-app (direct trust) JWT the way Tableau documents it (tableau-rest.md §4):
 * HS256, header `kid` = secret id, payload `iss` = client id, `sub` = username, `aud` = "tableau",
 * `exp` in the future and at most 10 minutes ahead (UNCONFIRMED limit; enforcing it is the safe
 * choice for an emulator, so a client that mints long-lived tokens fails here first), a `jti` used
 * for one sign-in only, and `scp`: a non-empty array of scopes the connected app grants (a JWT that
 * asks for a scope the app does not grant is refused, Tableau's "Access Scopes for Connected Apps").
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The connected app the emulator trusts. `secretValue` is the HS256 key. */
export interface ConnectedAppConfig {
  readonly clientId: string;
  readonly secretId: string;
  readonly secretValue: string;
  /** The Tableau user the JWT may sign in as (`sub`). */
  readonly username: string;
  /** Scopes the connected app grants (a JWT may ask for these only). */
  readonly scopes: readonly string[];
}

const MAX_LIFETIME_MS = 10 * 60_000;

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What a valid JWT grants. */
export interface VerifiedJwt {
  readonly jti: string;
  readonly scopes: readonly string[];
}

/**
 * Why a JWT was refused (`{ refused }`), or what it grants. Never includes the token or the
 * secret. `usedJtis` are the ids already signed in with.
 */
export function checkConnectedAppJwt(
  jwt: string,
  app: ConnectedAppConfig,
  nowMs: number,
  usedJtis: ReadonlySet<string> = new Set(),
): { refused: string } | VerifiedJwt {
  const why = verifyConnectedAppJwt(jwt, app, nowMs);
  if (why !== null) return { refused: why };
  const payload = decodeJson(jwt.split('.')[1]!)!;
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '') return { refused: 'missing jti' };
  if (usedJtis.has(jti)) return { refused: 'jti already used' };
  const scp = payload.scp;
  if (!Array.isArray(scp) || scp.length === 0 || !scp.every((x) => typeof x === 'string')) return { refused: 'missing scp' };
  const ungranted = (scp as string[]).filter((x) => !grants(app.scopes, x));
  if (ungranted.length) return { refused: `scopes not granted: ${ungranted.join(' ')}` };
  return { jti, scopes: scp as string[] };
}

/** True when `granted` covers `scope` (a granted `tableau:datasources:*` covers `tableau:datasources:update`). */
export function grants(granted: Iterable<string>, scope: string): boolean {
  for (const g of granted) {
    if (g === scope) return true;
    if (g.endsWith(':*') && scope.startsWith(g.slice(0, -1))) return true;
  }
  return false;
}

/** Why a JWT's signature and standard claims are refused, or null (no jti / scp checks). */
export function verifyConnectedAppJwt(jwt: string, app: ConnectedAppConfig, nowMs: number): string | null {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'malformed JWT';
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h);
  const payload = decodeJson(p);
  if (!header || !payload) return 'malformed JWT';
  if (header.alg !== 'HS256') return 'unsupported alg';
  if (header.kid !== app.secretId) return 'unknown kid';
  const expected = createHmac('sha256', app.secretValue).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad signature';
  if (payload.iss !== app.clientId) return 'wrong iss';
  if (payload.sub !== app.username) return 'unknown sub';
  const aud = payload.aud;
  if (!(aud === 'tableau' || (Array.isArray(aud) && aud.includes('tableau')))) return 'wrong aud';
  if (typeof payload.exp !== 'number') return 'missing exp';
  const expMs = payload.exp * 1000;
  if (expMs <= nowMs) return 'expired';
  if (expMs - nowMs > MAX_LIFETIME_MS) return 'exp too far ahead';
  return null;
}

/** Signs a JWT like Tableau's own TypeScript client (MCP `getJwt.ts`); for tests and demos. */
export function signConnectedAppJwt(app: ConnectedAppConfig, nowMs: number, overrides: Record<string, unknown> = {}): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: app.secretId, iss: app.clientId })).toString('base64url');
  const iat = Math.floor(nowMs / 1000);
  const body = {
    iss: app.clientId,
    sub: app.username,
    aud: 'tableau',
    jti: `${iat}-${Math.floor(nowMs % 1000)}`,
    iat,
    exp: iat + 300,
    scp: ['tableau:content:read'],
    ...overrides,
  };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  const sig = createHmac('sha256', app.secretValue).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

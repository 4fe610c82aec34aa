/**
 * serverinfo, sign-in and sign-out (tableau-rest.md §4, §5), and the token check every other
 * route goes through.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { checkConnectedAppJwt, grants } from './connected-app-jwt';
import type { EmulatorState, Route, Session } from './emulator-state';
import { MB, versionNumber } from './emulator-state';
import { badRequest, TsHttpError } from './http-error';
import { drain, obj, parseTsRequest, readBody, strAttr } from './request-io';
import { el } from './ts-response';

/** 401002 "Unauthorized Access" for an unknown, expired or superseded token (§4). */
export function invalidToken(): TsHttpError {
  return new TsHttpError(401, '401002', 'Unauthorized Access', 'Invalid authentication credentials were provided.');
}

/**
 * The session of `X-Tableau-Auth`, or a 401002. Sessions end after `tokenTtlMs` idle (Server's
 * `wgserver.session.idle_limit`, §4) or `tokenLifetimeMs` in all. The site LUID in the URL must be
 * the session's.
 */
export function authenticate(
  st: EmulatorState,
  req: IncomingMessage,
  params: Readonly<Record<string, string>>,
  need: { scope?: string; version?: string; jobQuery?: boolean } = {},
): Session {
  const token = req.headers['x-tableau-auth'];
  const s = typeof token === 'string' ? st.sessions.get(token) : undefined;
  if (!s) throw invalidToken();
  const { clock, tokenTtlMs, tokenLifetimeMs } = st.config;
  const now = clock.now();
  if (now - s.lastUsedAt >= tokenTtlMs || (tokenLifetimeMs !== undefined && now - s.createdAt >= tokenLifetimeMs)) {
    st.sessions.delete(s.token);
    throw invalidToken();
  }
  s.lastUsedAt = now;
  s.uses += 1;
  if (s.scopes !== null) {
    // A JWT session may make only the calls its scopes allow. What Tableau answers otherwise is
    // UNCONFIRMED; 401002 is what TSC #1320 users got for Query Job (which had no scope then).
    if (need.scope !== undefined && !grants(s.scopes, need.scope)) throw invalidToken();
    // Query Job with a JWT session: 401002 before REST 3.25 (TSC #1320, #1581).
    if (need.jobQuery && need.version !== undefined && versionNumber(need.version) < versionNumber('3.25')) throw invalidToken();
  }
  if (params.siteId !== undefined && params.siteId !== s.siteId) {
    // UNCONFIRMED code for a site LUID that is not the session's site.
    throw new TsHttpError(403, '403000', 'Forbidden', `The token was issued for another site than '${params.siteId}'.`);
  }
  return s;
}

/** The unauthenticated routes. */
export function authRoutes(st: EmulatorState): Route[] {
  const { config } = st;
  return [
    {
      method: 'GET',
      // TSC spells it serverInfo; whether the segment is case-insensitive is UNCONFIRMED (§5): both work.
      pattern: /^serverinfo$/i,
      keys: [],
      authed: false,
      faults: ['http429', 'http5xx'],
      handle: async () => ({
        status: 200,
        body: [
          el('serverInfo', undefined, [
            el('productVersion', { build: `${config.productVersion.replace(/\./g, '')}.25.0101.0000` }, undefined, { text: config.productVersion }),
            el('restApiVersion', undefined, undefined, { text: config.apiVersion }),
          ]),
        ],
      }),
    },
    {
      method: 'POST',
      pattern: /^auth\/signin$/,
      keys: [],
      authed: false,
      faults: ['http429', 'http5xx'],
      handle: async (ctx) => {
        const body = parseTsRequest(await readBody(ctx.req, MB), ctx.req.headers['content-type']);
        const cred = obj(body.credentials);
        if (!cred) throw badRequest("The request has no 'credentials' element.");
        const siteUrl = strAttr(obj(cred.site), 'contentUrl') ?? '';
        const jwt = strAttr(cred, 'jwt');
        const pName = strAttr(cred, 'personalAccessTokenName');
        // fixture auth_sign_in_error.xml
        const fail = (): TsHttpError => new TsHttpError(401, '401001', 'Signin Error', 'Error signing in to Tableau Server');
        let sessionPat: string | null = null;
        let scopes: ReadonlySet<string> | null = null;
        let jti: string | null = null;
        if (jwt !== undefined) {
          // Connected apps sign in from REST 3.17 (Server 2022.3) on (tableau-rest.md §4).
          if (versionNumber(ctx.version) < versionNumber('3.17'))
            throw new TsHttpError(400, '400000', 'Bad Request', 'JWT sign-in is not available in this API version.');
          const checked = checkConnectedAppJwt(jwt, config.connectedApp, config.clock.now(), st.usedJtis);
          if ('refused' in checked) throw fail();
          scopes = new Set(checked.scopes);
          jti = checked.jti;
        } else if (pName !== undefined) {
          if (pName !== config.patName || strAttr(cred, 'personalAccessTokenSecret') !== config.patSecret) throw fail();
          sessionPat = pName;
        } else {
          throw badRequest('Sign-in needs a personal access token or a JWT (password sign-in is not emulated).');
        }
        // A wrong site content URL is a 401001 too (§4, Salesforce KB 001496614).
        if (siteUrl !== config.site) throw fail();
        if (jti !== null) st.usedJtis.add(jti);
        if (sessionPat !== null) {
          // One session per PAT (§4): a new sign-in ends the previous session of the same PAT.
          for (const [tok, s] of st.sessions) if (s.patName === sessionPat) st.sessions.delete(tok);
        }
        const token = randomBytes(24).toString('base64url');
        const now = config.clock.now();
        st.sessions.set(token, { token, patName: sessionPat, scopes, uses: 0, userId: config.userId, siteId: config.siteId, createdAt: now, lastUsedAt: now });
        // fixture auth_sign_in.xml
        return {
          status: 200,
          body: [el('credentials', { token }, [el('site', { id: config.siteId, contentUrl: config.site }), el('user', { id: config.userId })])],
        };
      },
    },
    {
      method: 'POST',
      pattern: /^auth\/signout$/,
      keys: [],
      authed: false,
      faults: ['http429', 'http5xx'],
      handle: async (ctx) => {
        // §4: 204, and the token stops working. Signing out an unknown token is not an error here
        // (UNCONFIRMED what Tableau answers; a client's shutdown must not fail on it).
        await drain(ctx.req);
        const token = ctx.req.headers['x-tableau-auth'];
        if (typeof token === 'string') st.sessions.delete(token);
        return { status: 204 };
      },
    },
  ];
}

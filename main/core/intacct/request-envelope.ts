/**
 * Builds the XML gateway request envelope (intacct-xml.md §1.2–§1.4).
 *
 * Strings are assembled by hand (no builder dependency) and every value goes through
 * {@link escapeXml}, so a vendor named `Smith & <Sons> "Ltd"` or a filter value with quotes can never
 * break or inject into the document. Function bodies are passed in already built (by the query
 * builder or the helpers below), each one escaping its own values.
 */

/** Escapes text for element content and attribute values. Drops characters XML 1.0 forbids. */
export function escapeXml(value: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let rep: string | null = null;
    if (c === 38) rep = '&amp;';
    else if (c === 60) rep = '&lt;';
    else if (c === 62) rep = '&gt;';
    else if (c === 34) rep = '&quot;';
    else if (c === 39) rep = '&apos;';
    else if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffe || c === 0xffff) rep = '';
    if (rep !== null) {
      out += value.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return last === 0 ? value : out + value.slice(last);
}

/** `<name>value</name>` with the value escaped. */
export function el(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Sign-in with the user's credentials (only used for getAPISession). */
export interface LoginAuth {
  kind: 'login';
  userId: string;
  companyId: string;
  password: string;
  /** Entity to sign in to (multi-entity companies, §3.3). */
  locationId?: string;
}

/** An API session from getAPISession. */
export interface SessionAuth {
  kind: 'session';
  sessionId: string;
}

/** One `<function>`: its controlid attribute and its already-built inner XML. */
export interface FunctionCall {
  controlId: string;
  body: string;
}

export interface EnvelopeInit {
  senderId: string;
  senderPassword: string;
  /** The request's control id; not checked for uniqueness by Intacct (§1.3). */
  controlId: string;
  auth: LoginAuth | SessionAuth;
  functions: readonly FunctionCall[];
}

/**
 * The whole request document.
 * uniqueid=false (reads are idempotent and retried; §1.3), dtdversion 3.0 for the generic `query`
 * function, includewhitespace=false for smaller responses.
 */
export function buildRequest(init: EnvelopeInit): string {
  if (init.functions.length === 0) throw new RangeError('An Intacct request needs at least one function.');
  if (init.functions.length > 1 && init.functions.some((f) => f.body.startsWith('<getAPISession'))) {
    // DOC-SESS: getAPISession must be the only function in its request (§1.4).
    throw new RangeError('getAPISession must be the only function in its request.');
  }
  const auth =
    init.auth.kind === 'login'
      ? `<login>${el('userid', init.auth.userId)}${el('companyid', init.auth.companyId)}${el('password', init.auth.password)}` +
        `${init.auth.locationId ? el('locationid', init.auth.locationId) : ''}</login>`
      : el('sessionid', init.auth.sessionId);
  const functions = init.functions.map((f) => `<function controlid="${escapeXml(f.controlId)}">${f.body}</function>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<request><control>' +
    el('senderid', init.senderId) +
    el('password', init.senderPassword) +
    el('controlid', init.controlId) +
    '<uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace>' +
    '</control><operation><authentication>' +
    auth +
    '</authentication><content>' +
    functions +
    '</content></operation></request>'
  );
}

/** `<getAPISession/>`, optionally for an entity (DOC-SESS, §3.1). */
export function getApiSessionFunction(locationId?: string): string {
  return locationId ? `<getAPISession>${el('locationid', locationId)}</getAPISession>` : '<getAPISession/>';
}

/** `<lookup><object>X</object></lookup>`: an object's fields, types and relationships (§4.3). */
export function lookupFunction(object: string): string {
  return `<lookup>${el('object', object)}</lookup>`;
}

/** `<readUserFormatting><userId>…</userId></readUserFormatting>` (§4.4; response shape UNCONFIRMED). */
export function readUserFormattingFunction(userId: string): string {
  return `<readUserFormatting>${el('userId', userId)}</readUserFormatting>`;
}

/**
 * String building for the emulator's responses: the envelope of intacct-xml.md §2.1 and the error
 * block of §2.1/§2.2. No DOM: a 2,000-row page is a few hundred kilobytes of concatenated text.
 */

const ESCAPE_RE = /[&<>"']/;
const ESCAPE_ALL_RE = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** XML-escapes text and attribute values (a vendor called `Smith & <Sons> "Ltd"` stays text). */
export function escapeXml(text: string): string {
  return ESCAPE_RE.test(text) ? text.replace(ESCAPE_ALL_RE, (c) => ENTITIES[c] ?? c) : text;
}

/** `<name>value</name>`; an empty value is an empty element, Intacct's null (§2.1 examples). */
export function element(name: string, value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : escapeXml(String(value));
  return `<${name}>${text}</${name}>`;
}

/** One `<error>` entry. */
export interface IntacctErrorEntry {
  errorno: string;
  description?: string;
  description2?: string;
  correction?: string;
}

/** `<errormessage>` with one or more `<error>` entries, in Intacct's element order. */
export function errorMessageXml(errors: readonly IntacctErrorEntry[]): string {
  let out = '<errormessage>';
  for (const e of errors) {
    out +=
      '<error>' +
      element('errorno', e.errorno) +
      element('description', e.description ?? '') +
      element('description2', e.description2 ?? '') +
      element('correction', e.correction ?? '') +
      '</error>';
  }
  return out + '</errormessage>';
}

/** What the control block echoes back from the request. */
export interface ControlEcho {
  senderId: string | null;
  controlId: string | null;
  uniqueId: string | null;
  dtdVersion: string | null;
}

/** The `<control>` block; a gateway-level failure carries only `<status>` (§2.3, NET-SDK #215). */
export function controlXml(status: 'success' | 'failure', echo: ControlEcho | null): string {
  if (!echo) return `<control><status>${status}</status></control>`;
  return (
    '<control>' +
    element('status', status) +
    element('senderid', echo.senderId ?? '') +
    element('controlid', echo.controlId ?? '') +
    element('uniqueid', echo.uniqueId ?? 'false') +
    element('dtdversion', echo.dtdVersion ?? '3.0') +
    '</control>'
  );
}

/** A whole control-level failure response: no `<operation>` at all (§2.2 level 1). */
export function controlFailureXml(echo: ControlEcho | null, errors: readonly IntacctErrorEntry[]): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n<response>' + controlXml('failure', echo) + errorMessageXml(errors) + '</response>';
}

/** The body of one `<result>`. */
export function resultXml(r: {
  status: 'success' | 'failure' | 'aborted';
  fn: string;
  controlId: string;
  data?: string;
  errors?: readonly IntacctErrorEntry[];
}): string {
  return (
    '<result>' +
    element('status', r.status) +
    element('function', r.fn) +
    element('controlid', r.controlId) +
    (r.data ?? '') +
    (r.errors && r.errors.length ? errorMessageXml(r.errors) : '') +
    '</result>'
  );
}

/** A piece of an answer: text, or bytes already encoded as UTF-8 (the rows of a large page). */
export type BodyPart = string | Buffer;

/** A successful `<result>` whose `<data>` comes as chunks (large pages are never one string). */
export function resultParts(fn: string, controlId: string, data: readonly BodyPart[]): BodyPart[] {
  return ['<result>' + element('status', 'success') + element('function', fn) + element('controlid', controlId), ...data, '</result>'];
}

/** The start of a successful response, up to and including `<authentication>`; results follow. */
export function responseHeadXml(echo: ControlEcho, authXml: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n<response>' + controlXml('success', echo) + '<operation>' + authXml;
}

/** Closes what responseHeadXml opened. */
export const RESPONSE_TAIL = '</operation></response>';

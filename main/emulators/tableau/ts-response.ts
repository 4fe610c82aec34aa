/**
 * Response bodies of the Tableau emulator: one element tree, rendered as XML (the default) or JSON
 * (when the request says `Accept: application/json`), shaped like the real responses in
 * `shared/reference/tableau-fixtures/` (tableau-rest.md §5 "JSON", §8 "Error body").
 */

/** One element of a `tsResponse`. Attribute values are rendered as strings, as Tableau does. */
export interface TsElement {
  readonly tag: string;
  readonly attrs?: Readonly<Record<string, string | number | boolean | null | undefined>>;
  readonly children?: readonly TsElement[];
  readonly text?: string;
  /** The children are a list (`<datasources>`): JSON renders them as `{datasource: [...]}`. */
  readonly list?: boolean;
}

/** Builds an element; `undefined`/`null` attributes are left out. */
export function el(tag: string, attrs?: TsElement['attrs'], children?: readonly TsElement[], extra?: { text?: string; list?: boolean }): TsElement {
  return { tag, attrs, children, ...extra };
}

/** A rendered body with its content type. */
export interface RenderedBody {
  readonly contentType: string;
  readonly body: string;
}

/** Schema location, as in the fixtures (`ts-api_3_14.xsd` style for 3.x versions). */
function schemaLocation(apiVersion: string): string {
  return `http://tableau.com/api https://help.tableau.com/samples/en-us/rest_api/ts-api_${apiVersion.replace('.', '_')}.xsd`;
}

function escapeXml(s: string): string {
  // Attributes are double-quoted, so an apostrophe needs no escape (fixture server_info_404.xml).
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function attrString(attrs: TsElement['attrs']): string {
  if (!attrs) return '';
  let out = '';
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    out += ` ${k}="${escapeXml(String(v))}"`;
  }
  return out;
}

function elementXml(e: TsElement): string {
  const open = `<${e.tag}${attrString(e.attrs)}`;
  const inner = (e.text !== undefined ? escapeXml(e.text) : '') + (e.children ?? []).map(elementXml).join('');
  return inner === '' ? `${open}/>` : `${open}>${inner}</${e.tag}>`;
}

/** `<tsResponse xmlns="http://tableau.com/api" …>children</tsResponse>` like the fixtures. */
export function renderXml(children: readonly TsElement[], apiVersion: string): string {
  return (
    `<?xml version='1.0' encoding='UTF-8'?>` +
    `<tsResponse xmlns="http://tableau.com/api" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${schemaLocation(apiVersion)}">` +
    children.map(elementXml).join('') +
    `</tsResponse>`
  );
}

type Json = string | { [k: string]: Json } | Json[];

function elementJson(e: TsElement): Json {
  const hasAttrs = e.attrs && Object.values(e.attrs).some((v) => v !== undefined && v !== null);
  const children = e.children ?? [];
  // A text-only element is a plain string (`"restApiVersion":"3.25"`); text with attributes goes
  // under `value` (`"productVersion":{"value":"…","build":"…"}`), as Tableau's JSON does.
  if (!hasAttrs && children.length === 0 && !e.list) return e.text ?? '';
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(e.attrs ?? {})) if (v !== undefined && v !== null) out[k] = String(v);
  if (e.text !== undefined) out.value = e.text;
  if (e.list) {
    for (const c of children) {
      const arr = (out[c.tag] ??= []) as Json[];
      arr.push(elementJson(c));
    }
    return out;
  }
  for (const c of children) {
    const v = elementJson(c);
    const prev = out[c.tag];
    if (prev === undefined) out[c.tag] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[c.tag] = [prev, v];
  }
  return out;
}

/** `{ "<tag>": … }` for each top-level element (tableau-rest.md §5: JSON mirrors the XML). */
export function renderJson(children: readonly TsElement[]): string {
  const out: { [k: string]: Json } = {};
  for (const c of children) out[c.tag] = elementJson(c);
  return JSON.stringify(out);
}

/** Renders as JSON when the client asked for it, XML otherwise. */
export function render(children: readonly TsElement[], wantsJson: boolean, apiVersion: string): RenderedBody {
  return wantsJson
    ? { contentType: 'application/json;charset=UTF-8', body: renderJson(children) }
    : { contentType: 'application/xml;charset=UTF-8', body: renderXml(children, apiVersion) };
}

/** The real error element: `<error code="…"><summary/><detail/></error>` (tableau-rest.md §8). */
export function errorElement(code: string, summary: string, detail: string): TsElement {
  return el('error', { code }, [el('summary', undefined, undefined, { text: summary }), el('detail', undefined, undefined, { text: detail })]);
}

/** Tableau's timestamps: ISO 8601 UTC to the second, `2021-09-18T09:40:12Z` (fixtures). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

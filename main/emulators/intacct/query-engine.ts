/**
 * Runs `query`, `lookup` and `readUserFormatting` against the sample company and renders the
 * `<data>` element of each result (intacct-xml.md §4.3; DOC-Q examples for `listtype`,
 * `totalcount`, `offset`, `count`, `numremaining` and aggregate names like `COUNT.RECORDNO`).
 */
import { seededRandom } from '../../core/util/seeded-random';
import { formatDateTime, parseDate, parseDateTime } from './intacct-dates';
import { escapeXml, element, type BodyPart } from './intacct-xml-writer';
import { fieldSpec, objectSpec, relatedField, type FieldSpec, type IntacctRecord, type ObjectSpec } from './object-catalog';
import { selectGl, type GlOrder } from './gl-query';
import {
  compileFilter,
  compileOrder,
  filterFields,
  parseFilterChildren,
  QueryProblem,
  schemaError,
  storedKey,
  unqueryableFields,
  type FilterNode,
  type OrderSpec,
} from './query-filter';
import type { SampleCompany } from './sample-company';
import { parseQueryString } from './read-by-query';
import { decimalToUnits } from './sample-hash';
import { entityVisibility, visibleRecords, type EntityVisibility } from './entity-visibility';

type XmlNode = Record<string, unknown>;
const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Settings a query runs under. */
export interface QueryContext {
  /** API user's offset east of GMT: datetimes are shown and read in it (§4.4). */
  offsetMinutes: number;
  auditHistoryPermitted: boolean;
  /** The entity the session is signed in to; '' or absent = top level (§3.3). */
  locationId?: string;
  /** Seeds the row order of a query without <orderby> (a new value per request). */
  orderSeed?: number;
  /** AUDITHISTORY entries (by ID) whose pages fail with "There was an error processing the request." */
  poisonedAudit?: ReadonlySet<number>;
}

/** A copy of `rows` in a seeded pseudo-random order (Fisher–Yates on the emulators' one generator). */
function shuffled<T>(rows: T[], seed: number): T[] {
  const out = rows.slice();
  const random = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * The record with its related fields filled in (`VENDOR.NAME` on APBILL): the related record is
 * the one whose relatedBy field (or RECORDNO, when the target has no field of that name) equals
 * this record's relatedBy value.
 */
function withRelated(company: SampleCompany, r: IntacctRecord, related: readonly ReturnType<typeof relatedField>[]): IntacctRecord {
  const out: IntacctRecord = { ...r };
  for (const rel of related) {
    if (!rel) continue;
    const want = r[rel.rel.relatedBy] ?? '';
    const matchField = rel.target.fields.some((f) => f.id === rel.rel.relatedBy) ? rel.rel.relatedBy : 'RECORDNO';
    let found: IntacctRecord | undefined;
    if (want !== '')
      for (const t of company.list(rel.target.name, (x) => x[matchField] === want)) {
        found = t;
        break;
      }
    out[rel.spec.id] = found ? (found[rel.spec.id.slice(rel.spec.id.indexOf('.') + 1)] ?? '') : '';
  }
  return out;
}

type AggregateFn = 'count' | 'min' | 'max' | 'sum' | 'avg';
interface Aggregate {
  fn: AggregateFn;
  field: string;
}

/** A parsed `<query>`. */
export interface ParsedQuery {
  object: ObjectSpec;
  fields: string[];
  aggregates: Aggregate[];
  filter: FilterNode | null;
  order: OrderSpec[];
  caseInsensitive: boolean;
  /** `<options><showprivate>`: at the top level, include records of private entities (§3.3). */
  showPrivate: boolean;
  pageSize: number;
  offset: number;
}

function intElement(v: unknown, name: string, def: number, min: number, max: number): number {
  const t = text(asArray(v)[0] ?? '').trim();
  if (t === '') return def;
  const n = Number(t);
  if (!Number.isInteger(n) || n < min || n > max) throw schemaError(`Element '${name}' value '${t}' is not an integer between ${min} and ${max}.`);
  return n;
}

/** Parses and validates a `<query>` element (schema limits as in DOC-Q's XSD). */
export function parseQuery(node: XmlNode, ctx: QueryContext): ParsedQuery {
  const objectName = text(asArray(node.object)[0]).trim();
  if (!objectName) throw schemaError("Missing required element 'object'.");
  const object = objectSpec(objectName);
  if (!object)
    throw new QueryProblem('result', [{ errorno: 'Query Failed', description: '', description2: `Object definition ${objectName} not found`, correction: '' }]);
  if (object.name === 'AUDITHISTORY' && !ctx.auditHistoryPermitted) {
    // intacct-xml.md §2.4: PL04000005, the permission error Estuary probes for.
    throw new QueryProblem('result', [
      {
        errorno: 'PL04000005',
        description: '',
        description2: 'You do not have permission for API operation READ_BY_QUERY on objects of type audithistory',
        correction: '',
      },
    ]);
  }
  const select = asArray(node.select)[0];
  if (!select || typeof select !== 'object') throw schemaError("Missing required element 'select'.");
  const sel = select as XmlNode;
  const fields = asArray(sel.field).map((f) => text(f).trim().toUpperCase());
  const aggregates: Aggregate[] = [];
  for (const fn of ['count', 'min', 'max', 'sum', 'avg'] as const) {
    for (const f of asArray(sel[fn])) aggregates.push({ fn, field: text(f).trim().toUpperCase() });
  }
  if (fields.length + aggregates.length === 0) throw schemaError("Element 'select' needs at least one 'field'.");
  const filterEl = asArray(node.filter)[0];
  let filter: FilterNode | null = null;
  if (filterEl !== undefined && filterEl !== '') {
    const nodes = parseFilterChildren(filterEl);
    if (nodes.length !== 1) throw schemaError("Element 'filter' must hold exactly one top-level operator.");
    filter = nodes[0]!;
  }
  const order: OrderSpec[] = [];
  const orderby = asArray(node.orderby)[0];
  if (orderby && typeof orderby === 'object') {
    for (const o of asArray((orderby as XmlNode).order)) {
      const on = (o ?? {}) as XmlNode;
      order.push({ field: text(asArray(on.field)[0]).trim().toUpperCase(), descending: 'descending' in on });
    }
  }
  const options = (asArray(node.options)[0] ?? {}) as XmlNode;
  const caseInsensitive = typeof options === 'object' && text(asArray(options.caseinsensitive)[0]).trim() === 'true';
  const showPrivate = typeof options === 'object' && text(asArray(options.showprivate)[0]).trim() === 'true';
  const pageSize = intElement(node.pagesize, 'pagesize', 100, 1, 2000);
  const offset = intElement(node.offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  // `*` is not allowed in `query` (§4.3): it is reported like any other unqueryable field.
  const unknown = [...new Set([...fields, ...aggregates.map((a) => a.field), ...filterFields(filter), ...order.map((o) => o.field)])].filter(
    (f) => f === '*' || !fieldSpec(object, f),
  );
  if (unknown.length) throw unqueryableFields(object.name, unknown);
  return { object, fields, aggregates, filter, order, caseInsensitive, showPrivate, pageSize, offset };
}

/** Renders one record's selected fields; datetimes in the user's zone. */
function recordXml(tag: string, rec: IntacctRecord, specs: readonly FieldSpec[], offsetMinutes: number, opens: string[], closes: string[]): string {
  let out = `<${tag}>`;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    let v = rec[spec.id] ?? '';
    if (v !== '' && offsetMinutes !== 0 && spec.type === 'TIMESTAMP') v = formatDateTime(parseDateTime(v, 0)!, offsetMinutes);
    out += opens[i]! + escapeXml(v) + closes[i]!;
  }
  return out + `</${tag}>`;
}

function dataXml(object: string, total: number, offset: number, body: string, count: number): string {
  return dataParts(object, total, offset, [body], count).join('');
}

function dataParts(object: string, total: number, offset: number, body: readonly BodyPart[], count: number): BodyPart[] {
  const remaining = Math.max(0, total - offset - count);
  return [`<data listtype="${object}" totalcount="${total}" offset="${offset}" count="${count}" numremaining="${remaining}">`, ...body, '</data>'];
}

/**
 * Row text written straight into one growing Buffer as it is made. Rows kept as strings until the
 * answer was sent (the 32 KB chunks of before) lived through several scavenges of a 2,000-row page
 * and were copied each time: garbage collection was half of the emulator's CPU on GL pages
 * (measured with --cpu-prof, scripts/bench-intacct.ts), more than the client spends parsing them.
 */
class ChunkBuilder {
  private buf = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  add(s: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    const need = this.used + s.length * 3;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.used);
      this.buf = next;
    }
    this.used += this.buf.write(s, this.used, 'utf8');
  }
  done(): Buffer[] {
    return this.used ? [this.buf.subarray(0, this.used)] : [];
  }
}

function glOrder(order: readonly OrderSpec[]): { order: GlOrder; desc: boolean } | null {
  const key = order.map((o) => `${o.field}:${o.descending ? 'd' : 'a'}`).join(',');
  if (key === '' || key === 'RECORDNO:a') return { order: 'recordno', desc: false };
  if (key === 'RECORDNO:d') return { order: 'recordno', desc: true };
  if (key === 'WHENMODIFIED:a' || key === 'WHENMODIFIED:a,RECORDNO:a') return { order: 'wm', desc: false };
  if (key === 'WHENMODIFIED:d' || key === 'WHENMODIFIED:d,RECORDNO:d') return { order: 'wm', desc: true };
  return null;
}

/**
 * The first few GLDETAIL rows ordered by BATCH_DATE (a client's probe for the earliest or latest
 * date), without a scan: base rows are dated in index order (gl-ledger.ts), so the first base rows
 * by index are the earliest, and the few edited or added rows are merged in by (date, RECORDNO).
 * Null when the query is not such a probe (another order, an offset, a large page).
 */
function dateProbe(
  company: SampleCompany,
  q: ParsedQuery,
  ctx: QueryContext,
  pred: (r: IntacctRecord) => boolean,
  vis: EntityVisibility,
): { rows: (number | IntacctRecord)[]; total: number } | null {
  const o = q.order;
  if (o.length === 0 || o[0]!.field !== 'BATCH_DATE' || q.offset !== 0 || q.pageSize > 10) return null;
  if (o.length > 2 || (o.length === 2 && (o[1]!.field !== 'RECORDNO' || o[1]!.descending !== o[0]!.descending))) return null;
  const desc = o[0]!.descending;
  const base = selectGl(company.gl, q.filter, 'recordno', () => false, ctx.offsetMinutes, q.caseInsensitive, vis);
  const all = selectGl(company.gl, q.filter, 'recordno', pred, ctx.offsetMinutes, q.caseInsensitive, vis);
  if (!base || !all) return null;
  const k = Math.min(q.pageSize, base.total);
  const baseRows = desc ? base.pageRefs(base.total - k, k).reverse() : base.pageRefs(0, k);
  const gl = company.gl;
  const extras = [...gl.overrides].filter(([n, r]) => !gl.deleted.has(n) && pred(r)).map(([, r]) => r);
  const key = (r: number | IntacctRecord): [number, string] => {
    const rec = typeof r === 'number' ? company.gl.baseRow(r) : r;
    return [parseDate(rec.BATCH_DATE ?? '') ?? (desc ? -Infinity : Infinity), rec.RECORDNO ?? ''];
  };
  const merged = [...baseRows, ...extras].sort((a, b) => {
    const [da, ka] = key(a);
    const [db, kb] = key(b);
    const c = da !== db ? (da < db ? -1 : 1) : ka < kb ? -1 : ka > kb ? 1 : 0;
    return desc ? -c : c;
  });
  return { rows: merged.slice(0, q.pageSize), total: all.total };
}

/** How readByQuery/readMore differ in their `<data>`: lower-case record elements, resultId (§4.1). */
export interface DataStyle {
  recordTag: string;
  open(total: number, offset: number, count: number): string;
}

/** Runs a parsed query: the `<data>` element of its result, in chunks, and the row count. */
export function runQuery(company: SampleCompany, q: ParsedQuery, ctx: QueryContext, style?: DataStyle): { parts: BodyPart[]; count: number; total: number } {
  // Records the session may not see (§3.3) are absent from rows, counts and aggregates alike.
  const vis = entityVisibility(ctx.locationId ?? '', q.showPrivate);
  const matches = compileFilter(q.object, q.filter, ctx.offsetMinutes, q.caseInsensitive);
  const visible = visibleRecords(q.object, vis);
  const pred = visible ? (r: IntacctRecord) => visible(r) && matches(r) : matches;
  const tag = style?.recordTag ?? q.object.name;
  if (q.aggregates.length) return { parts: [runAggregate(company, q, ctx, pred, vis)], count: 1, total: 1 };
  const specs = q.fields.map((f) => fieldSpec(q.object, f)!);
  const opens = specs.map((s) => `<${s.id}>`);
  const closes = specs.map((s) => `</${s.id}>`);
  let rows: (number | IntacctRecord)[];
  let total: number;
  const byDate = q.object.name === 'GLDETAIL' ? dateProbe(company, q, ctx, pred, vis) : null;
  if (byDate) {
    const ids = specs.map((x) => x.id);
    const out = new ChunkBuilder();
    for (const r of byDate.rows)
      out.add(typeof r === 'number' ? company.gl.rowXml(r, ids, ctx.offsetMinutes, tag) : recordXml(tag, r, specs, ctx.offsetMinutes, opens, closes));
    return { parts: dataParts(tag, byDate.total, q.offset, out.done(), byDate.rows.length), count: byDate.rows.length, total: byDate.total };
  }
  // No <orderby> on GLDETAIL: the fast path's key order, rotated by a per-request amount, so the
  // order is not stable from one request to the next (see the other objects below).
  const order = q.object.name === 'GLDETAIL' ? (q.order.length === 0 ? null : glOrder(q.order)) : null;
  const sel = order ? selectGl(company.gl, q.filter, order.order, pred, ctx.offsetMinutes, q.caseInsensitive, vis) : null;
  if (sel && order) {
    total = sel.total;
    if (!order.desc) rows = sel.pageRefs(q.offset, q.pageSize);
    else {
      // Descending = the ascending rows at the mirrored positions, reversed.
      const end = Math.max(0, total - q.offset);
      rows = sel.pageRefs(Math.max(0, end - q.pageSize), Math.min(q.pageSize, end)).reverse();
    }
  } else {
    let all = [...company.list(tag, pred)];
    if (q.order.length === 0) {
      // Without <orderby>, Intacct returns rows in no stable order (intacct-exchanges.md §4: a count
      // probe and the next page disagreed on the first row). Each request gets its own order, so
      // offset paging without an order repeats and skips rows here as it can in Intacct.
      all = shuffled(all, ctx.orderSeed ?? 0);
    } else {
      all.sort(compileOrder(q.object, q.order, q.caseInsensitive, q.object.name === 'AUDITHISTORY' ? 'ID' : 'RECORDNO'));
    }
    total = all.length;
    rows = all.slice(q.offset, q.offset + q.pageSize);
    if (q.object.name === 'AUDITHISTORY' && ctx.poisonedAudit?.size && all.some((r) => ctx.poisonedAudit!.has(Number(r.ID)))) {
      throw new QueryProblem('result', [
        { errorno: 'DL02000001', description: '', description2: 'There was an error processing the request.', correction: '' },
      ]);
    }
  }
  const related = specs.map((x) => relatedField(q.object, x.id));
  if (related.some(Boolean)) rows = rows.map((r) => (typeof r === 'number' ? company.gl.baseRow(r) : r)).map((r) => withRelated(company, r, related));
  const ids = specs.map((x) => x.id);
  const out = new ChunkBuilder();
  for (const r of rows)
    out.add(typeof r === 'number' ? company.gl.rowXml(r, ids, ctx.offsetMinutes, tag) : recordXml(tag, r, specs, ctx.offsetMinutes, opens, closes));
  const body = out.done();
  const parts: BodyPart[] = style ? [style.open(total, q.offset, rows.length), ...body, '</data>'] : dataParts(tag, total, q.offset, body, rows.length);
  return { parts, count: rows.length, total };
}

function runAggregate(company: SampleCompany, q: ParsedQuery, ctx: QueryContext, pred: (r: IntacctRecord) => boolean, vis: EntityVisibility): string {
  const tag = q.object.name;
  // Fast path: GL detail count/min/max of RECORDNO or WHENMODIFIED with no grouping.
  if (
    tag === 'GLDETAIL' &&
    q.fields.length === 0 &&
    q.aggregates.every(
      (a) => (a.fn === 'count' && a.field === 'RECORDNO') || ((a.fn === 'min' || a.fn === 'max') && (a.field === 'RECORDNO' || a.field === 'WHENMODIFIED')),
    )
  ) {
    const byRno = selectGl(company.gl, q.filter, 'recordno', pred, ctx.offsetMinutes, q.caseInsensitive, vis);
    const byWm = byRno ? selectGl(company.gl, q.filter, 'wm', pred, ctx.offsetMinutes, q.caseInsensitive, vis) : null;
    if (byRno && byWm) {
      // RECORDNO and (WHENMODIFIED, RECORDNO) orders put the minimum first and the maximum last.
      const ends = { RECORDNO: byRno.firstAndLast(), WHENMODIFIED: byWm.firstAndLast() } as const;
      const values = q.aggregates.map((a) => {
        if (a.fn === 'count') return String(byRno.total);
        const e = ends[a.field as 'RECORDNO' | 'WHENMODIFIED'];
        if (!e) return '';
        const rec = a.fn === 'min' ? e.first : e.last;
        return aggregateOut(fieldSpec(q.object, a.field)!, rec[a.field] ?? '', ctx.offsetMinutes);
      });
      let body = `<${tag}>`;
      q.aggregates.forEach((a, i) => (body += element(`${a.fn.toUpperCase()}.${a.field}`, values[i]!)));
      body += `</${tag}>`;
      return dataXml(tag, 1, q.offset, q.offset === 0 ? body : '', q.offset === 0 ? 1 : 0);
    }
  }
  // General path: group by the plain fields (DOC-Q "Aggregate functions").
  const groups = new Map<string, { key: IntacctRecord; rows: IntacctRecord[] }>();
  for (const r of company.list(tag, pred)) {
    const keyRec: IntacctRecord = {};
    for (const f of q.fields) keyRec[f] = r[f] ?? '';
    const k = JSON.stringify(q.fields.map((f) => r[f] ?? ''));
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { key: keyRec, rows: [] }));
    g.rows.push(r);
  }
  if (q.fields.length === 0 && groups.size === 0) groups.set('[]', { key: {}, rows: [] });
  const out: IntacctRecord[] = [];
  for (const g of groups.values()) {
    const rec: IntacctRecord = { ...g.key };
    for (const a of q.aggregates) rec[`${a.fn.toUpperCase()}.${a.field}`] = aggregate(q.object, a, g.rows, ctx.offsetMinutes);
    out.push(rec);
  }
  const cmp = compileOrder(
    q.object,
    q.order.filter((o) => q.fields.includes(o.field)),
    q.caseInsensitive,
    '__none__',
  );
  out.sort(cmp);
  const page = out.slice(q.offset, q.offset + q.pageSize);
  const specs = q.fields.map((f) => fieldSpec(q.object, f)!);
  let body = '';
  for (const r of page) {
    body += `<${tag}>`;
    for (const s of specs) {
      let v = r[s.id] ?? '';
      if (v !== '' && s.type === 'TIMESTAMP' && ctx.offsetMinutes !== 0) v = formatDateTime(parseDateTime(v, 0)!, ctx.offsetMinutes);
      body += element(s.id, v);
    }
    for (const a of q.aggregates) body += element(`${a.fn.toUpperCase()}.${a.field}`, r[`${a.fn.toUpperCase()}.${a.field}`] ?? '');
    body += `</${tag}>`;
  }
  return dataXml(tag, out.length, q.offset, body, page.length);
}

function aggregateOut(spec: FieldSpec, v: string, offsetMinutes: number): string {
  return v !== '' && spec.type === 'TIMESTAMP' && offsetMinutes !== 0 ? formatDateTime(parseDateTime(v, 0)!, offsetMinutes) : v;
}

function aggregate(object: ObjectSpec, a: Aggregate, rows: IntacctRecord[], offsetMinutes: number): string {
  const spec = fieldSpec(object, a.field)!;
  const present = rows.map((r) => r[spec.id] ?? '').filter((v) => v !== '');
  if (a.fn === 'count') return String(present.length);
  if (!present.length) return '';
  if (a.fn === 'min' || a.fn === 'max') {
    let best = present[0]!;
    for (const v of present) {
      const k = storedKey(spec, v, false)!;
      const bk = storedKey(spec, best, false)!;
      if (a.fn === 'min' ? k < bk : k > bk) best = v;
    }
    return aggregateOut(spec, best, offsetMinutes);
  }
  // sum/avg exactly, at 6 decimals, printed without trailing zeros like Intacct's decimals.
  let units = 0n;
  for (const v of present) units += decimalToUnits(v, 6);
  if (a.fn === 'avg') units = units / BigInt(present.length);
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(7, '0');
  const whole = digits.slice(0, -6);
  const frac = digits.slice(-6).replace(/0+$/, '');
  return (neg ? '-' : '') + whole + (frac ? '.' + frac : '');
}

/** `lookup`: the object's fields with types and ISCUSTOM, then relationships (DOC-Q "lookup"). */
export function runLookup(node: XmlNode): string {
  const name = text(asArray(node.object)[0]).trim();
  const object = objectSpec(name);
  if (!object)
    throw new QueryProblem('result', [{ errorno: 'Query Failed', description: '', description2: `Object definition ${name} not found`, correction: '' }]);
  let out = `<data listtype="${object.name}"><Type Name="${object.name}" DocumentType=""><Fields>`;
  for (const f of object.fields) {
    out +=
      '<Field>' +
      element('ID', f.id) +
      element('LABEL', f.label) +
      element('DESCRIPTION', f.label) +
      element('REQUIRED', f.id === 'RECORDNO' ? 'false' : 'false') +
      element('READONLY', f.id === 'RECORDNO' || f.id.startsWith('WHEN') ? 'true' : 'false') +
      element('DATATYPE', f.type);
    if (f.validValues) out += '<VALIDVALUES>' + f.validValues.map((v) => element('VALIDVALUE', v)).join('') + '</VALIDVALUES>';
    out += element('ISCUSTOM', f.custom ? 'true' : 'false') + '</Field>';
  }
  out += '</Fields><Relationships>';
  for (const r of object.relationships ?? []) {
    out +=
      '<Relationship>' +
      element('OBJECTPATH', r.path) +
      element('OBJECTNAME', r.object) +
      element('LABEL', '') +
      element('RELATIONSHIPTYPE', 'MANY2ONE') +
      element('RELATEDBY', r.relatedBy) +
      '</Relationship>';
  }
  return out + '</Relationships></Type></data>';
}

/** `readUserFormatting` (Users API): locale, date format, GMT offset, clock; by `userId` or `key`. */
export function runReadUserFormatting(
  node: XmlNode,
  user: { recordNo: number; userId: string; gmtOffset: string; dateFormat?: string; clock?: 12 | 24 },
): string {
  const userId = text(asArray(node.userId)[0]).trim() || text(asArray(node.userid)[0]).trim();
  const key = text(asArray(node.key)[0]).trim();
  if ((userId && userId !== user.userId) || (key && key !== String(user.recordNo)) || (!userId && !key)) {
    throw new QueryProblem('result', [
      {
        errorno: 'BL01001973',
        description: '',
        description2: `Could not find user ${userId || key}`,
        correction: "Pass the API user's login ID in userId or its RECORDNO in key.",
      },
    ]);
  }
  return (
    '<data><userformatting>' +
    element('recordno', user.recordNo) +
    element('locale', 'en_US') +
    element('dateformat', user.dateFormat ?? '/mdY') +
    element('gmtoffset', user.gmtOffset) +
    element('clock', user.clock ?? 24) +
    '</userformatting></data>'
  );
}

/** Parses a `readByQuery` (legacy, §4.1): fields list or `*`, query string, pagesize 1..1000. */
export function parseReadByQuery(node: XmlNode, ctx: QueryContext): ParsedQuery {
  const objectName = text(asArray(node.object)[0]).trim();
  const object = objectSpec(objectName);
  if (!object)
    throw new QueryProblem('result', [{ errorno: 'Query Failed', description: '', description2: `Object definition ${objectName} not found`, correction: '' }]);
  if (object.name === 'AUDITHISTORY' && !ctx.auditHistoryPermitted) {
    throw new QueryProblem('result', [
      {
        errorno: 'PL04000005',
        description: '',
        description2: 'You do not have permission for API operation READ_BY_QUERY on objects of type audithistory',
        correction: '',
      },
    ]);
  }
  const fieldText = text(asArray(node.fields)[0]).trim();
  const fields =
    fieldText === '' || fieldText === '*'
      ? object.fields.map((f) => f.id)
      : fieldText
          .split(',')
          .map((f) => f.trim().toUpperCase())
          .filter(Boolean);
  const filter = parseQueryString(text(asArray(node.query)[0]));
  const unknown = [...new Set([...fields, ...filterFields(filter)])].filter((f) => !fieldSpec(object, f));
  if (unknown.length) throw unqueryableFields(object.name, unknown);
  const pageSize = intElement(node.pagesize, 'pagesize', 100, 1, 1000);
  // readByQuery has no showprivate option; whether it sees private entities is UNCONFIRMED (§3.3),
  // so it does not: a client relying on it would miss rows here before it does in production.
  return { object, fields, aggregates: [], filter, order: [], caseInsensitive: false, showPrivate: false, pageSize, offset: 0 };
}

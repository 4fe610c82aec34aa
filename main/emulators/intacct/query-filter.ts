/**
 * The `query` function's filter, select and order-by, parsed from the request and evaluated
 * against stored records (intacct-xml.md §4.3 and the DOC-Q schema it summarises).
 */
import { parseDate, parseDateTime } from './intacct-dates';
import { fieldSpec, type FieldSpec, type IntacctRecord, type ObjectSpec } from './object-catalog';
import type { IntacctErrorEntry } from './intacct-xml-writer';

/** The `query` comparison operators (DOC-Q schema, intacct-xml.md §4.3). */
export type CompareOp =
  | 'equalto'
  | 'notequalto'
  | 'lessthan'
  | 'lessthanorequalto'
  | 'greaterthan'
  | 'greaterthanorequalto'
  | 'between'
  | 'in'
  | 'notin'
  | 'like'
  | 'notlike'
  | 'isnull'
  | 'isnotnull';

/** Every comparison operator, for parsing. */
export const COMPARE_OPS: readonly CompareOp[] = [
  'equalto',
  'notequalto',
  'lessthan',
  'lessthanorequalto',
  'greaterthan',
  'greaterthanorequalto',
  'between',
  'in',
  'notin',
  'like',
  'notlike',
  'isnull',
  'isnotnull',
];

/** `<and>`/`<or>` with two or more children. */
export interface LogicNode {
  kind: 'and' | 'or';
  children: FilterNode[];
}
/** One comparison; `values` holds 0 (isnull), 2 (between) or up to 1,000 (in) values. */
export interface CompareNode {
  kind: 'cmp';
  op: CompareOp;
  field: string;
  values: string[];
}
/** A parsed filter tree. */
export type FilterNode = LogicNode | CompareNode;

/** A query problem, reported at control level (schema violations, XL03000003) or per result. */
export class QueryProblem extends Error {
  constructor(
    readonly level: 'control' | 'result',
    readonly entries: IntacctErrorEntry[],
  ) {
    super(entries[0]?.description2 ?? 'query problem');
  }
}

/** XSD violations come back as a control-level XL03000003 (intacct-xml.md §2.4). */
export function schemaError(detail: string): QueryProblem {
  return new QueryProblem('control', [
    { errorno: 'XL03000003', description: 'XML Parse schema error', description2: `XML Parse schema error: ${detail}`, correction: '' },
  ]);
}

/** "The following fields cannot be queried" (intacct-xml.md §2.4; errorno as seen in third-party code). */
export function unqueryableFields(object: string, fields: string[]): QueryProblem {
  return new QueryProblem('result', [
    {
      errorno: 'XL03000006',
      description: '',
      description2: `The following fields cannot be queried: [${object}: [${fields.join(', ')}] ]`,
      correction: 'Check that the fields exist and try again.',
    },
  ]);
}

type XmlNode = Record<string, unknown>;
const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === undefined || v === null ? '' : '';

/** Builds the filter nodes held by one parsed element (the `<filter>`, an `<and>` or an `<or>`). */
export function parseFilterChildren(container: unknown): FilterNode[] {
  if (!container || typeof container !== 'object') return [];
  const out: FilterNode[] = [];
  for (const [key, value] of Object.entries(container as XmlNode)) {
    if (key.startsWith('@_') || key === '#text') continue;
    for (const item of asArray(value)) {
      if (key === 'and' || key === 'or') {
        const children = parseFilterChildren(item);
        if (children.length < 2) throw schemaError(`Element '${key}' must have at least 2 child operators.`);
        out.push({ kind: key, children });
      } else if ((COMPARE_OPS as readonly string[]).includes(key)) {
        const node = (item ?? {}) as XmlNode;
        const fields = asArray(node.field).map(text);
        const values = asArray(node.value).map(text);
        const op = key as CompareOp;
        if (fields.length !== 1 || !fields[0]) throw schemaError(`Element '${op}' needs exactly one 'field'.`);
        const need = op === 'isnull' || op === 'isnotnull' ? [0, 0] : op === 'between' ? [2, 2] : op === 'in' || op === 'notin' ? [1, 1000] : [1, 1];
        if (values.length < need[0]! || values.length > need[1]!) {
          throw schemaError(`Element '${op}' has ${values.length} 'value' elements; expected ${need[0] === need[1] ? need[0] : `${need[0]}..${need[1]}`}.`);
        }
        out.push({ kind: 'cmp', op, field: fields[0].toUpperCase(), values });
      } else {
        throw schemaError(`Element '${key}' is not expected in a filter.`);
      }
    }
  }
  return out;
}

/** Every field a filter mentions. */
export function filterFields(node: FilterNode | null, out = new Set<string>()): Set<string> {
  if (!node) return out;
  if (node.kind === 'cmp') out.add(node.field);
  else for (const c of node.children) filterFields(c, out);
  return out;
}

/** Sort/compare key of a stored value; null for Intacct's null (empty). */
export type Key = number | string | null;

/** The comparable key of a stored value of a field. */
export function storedKey(spec: FieldSpec, raw: string | undefined, caseInsensitive: boolean): Key {
  if (raw === undefined || raw === '') return null;
  switch (spec.type) {
    case 'INTEGER':
    case 'DECIMAL':
    case 'CURRENCY':
    case 'PERCENT':
      return Number(raw);
    case 'DATE':
      return parseDate(raw);
    case 'TIMESTAMP':
      return parseDateTime(raw, 0);
    case 'BOOLEAN':
      return raw === 'true' ? 1 : 0;
    default:
      return caseInsensitive ? raw.toLowerCase() : raw;
  }
}

/** The comparable key of a filter value; throws a result-level problem when it cannot be read. */
export function filterKey(spec: FieldSpec, value: string, offsetMinutes: number, caseInsensitive: boolean): Key {
  const bad = () =>
    new QueryProblem('result', [
      {
        errorno: 'Query Failed',
        description: '',
        description2: `Invalid value "${value}" for field ${spec.id} of type ${spec.type}`,
        correction: spec.type === 'TIMESTAMP' ? 'Use MM/DD/YYYY HH:MM:SS.' : spec.type === 'DATE' ? 'Use MM/DD/YYYY.' : '',
      },
    ]);
  switch (spec.type) {
    case 'INTEGER':
    case 'DECIMAL':
    case 'CURRENCY':
    case 'PERCENT': {
      const n = Number(value.trim());
      if (value.trim() === '' || !Number.isFinite(n)) throw bad();
      return n;
    }
    case 'DATE': {
      const d = parseDate(value);
      if (d === null) throw bad();
      return d;
    }
    case 'TIMESTAMP': {
      // Datetime filter values are read in the API user's zone, like the values returned (§4.4).
      const t = parseDateTime(value, offsetMinutes);
      if (t === null) throw bad();
      return t;
    }
    case 'BOOLEAN': {
      const v = value.trim().toLowerCase();
      if (v === 'true' || v === 't' || v === '1') return 1;
      if (v === 'false' || v === 'f' || v === '0') return 0;
      throw bad();
    }
    default:
      return caseInsensitive ? value.toLowerCase() : value;
  }
}

const cmpKeys = (a: number | string, b: number | string): number => (a < b ? -1 : a > b ? 1 : 0);

function likeRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let src = '';
  for (const ch of pattern) src += ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${src}$`, caseInsensitive ? 'is' : 's');
}

/** A compiled filter: record → match. Comparisons with null are false, as in SQL. */
export function compileFilter(object: ObjectSpec, node: FilterNode | null, offsetMinutes: number, caseInsensitive: boolean): (r: IntacctRecord) => boolean {
  if (!node) return () => true;
  if (node.kind !== 'cmp') {
    const parts = node.children.map((c) => compileFilter(object, c, offsetMinutes, caseInsensitive));
    return node.kind === 'and' ? (r) => parts.every((p) => p(r)) : (r) => parts.some((p) => p(r));
  }
  const spec = fieldSpec(object, node.field);
  if (!spec) throw unqueryableFields(object.name, [node.field]);
  const id = spec.id;
  const key = (r: IntacctRecord) => storedKey(spec, r[id], caseInsensitive);
  switch (node.op) {
    case 'isnull':
      return (r) => (r[id] ?? '') === '';
    case 'isnotnull':
      return (r) => (r[id] ?? '') !== '';
    case 'like':
    case 'notlike': {
      const re = likeRegex(node.values[0]!, caseInsensitive);
      const want = node.op === 'like';
      return (r) => {
        const v = r[id] ?? '';
        return v !== '' && re.test(v) === want;
      };
    }
    case 'in':
    case 'notin': {
      const set = new Set(node.values.map((v) => filterKey(spec, v, offsetMinutes, caseInsensitive)));
      const want = node.op === 'in';
      return (r) => {
        const k = key(r);
        return k !== null && set.has(k) === want;
      };
    }
    case 'between': {
      const lo = filterKey(spec, node.values[0]!, offsetMinutes, caseInsensitive)!;
      const hi = filterKey(spec, node.values[1]!, offsetMinutes, caseInsensitive)!;
      return (r) => {
        const k = key(r);
        return k !== null && cmpKeys(k, lo) >= 0 && cmpKeys(k, hi) <= 0;
      };
    }
    default: {
      const v = filterKey(spec, node.values[0]!, offsetMinutes, caseInsensitive)!;
      const test: (c: number) => boolean =
        node.op === 'equalto'
          ? (c) => c === 0
          : node.op === 'notequalto'
            ? (c) => c !== 0
            : node.op === 'lessthan'
              ? (c) => c < 0
              : node.op === 'lessthanorequalto'
                ? (c) => c <= 0
                : node.op === 'greaterthan'
                  ? (c) => c > 0
                  : (c) => c >= 0;
      return (r) => {
        const k = key(r);
        return k !== null && test(cmpKeys(k, v));
      };
    }
  }
}

/** One `<order>`. */
export interface OrderSpec {
  field: string;
  descending: boolean;
}

/** Record comparator for an order-by; ties (and no order-by) fall back to RECORDNO ascending. */
export function compileOrder(
  object: ObjectSpec,
  order: readonly OrderSpec[],
  caseInsensitive: boolean,
  tieField: string,
): (a: IntacctRecord, b: IntacctRecord) => number {
  const parts = order.map((o) => {
    const spec = fieldSpec(object, o.field);
    if (!spec) throw unqueryableFields(object.name, [o.field]);
    return { spec, dir: o.descending ? -1 : 1 };
  });
  const tie = fieldSpec(object, tieField);
  return (a, b) => {
    for (const { spec, dir } of parts) {
      const ka = storedKey(spec, a[spec.id], caseInsensitive);
      const kb = storedKey(spec, b[spec.id], caseInsensitive);
      if (ka === kb) continue;
      // Oracle's default: nulls sort last ascending, first descending.
      if (ka === null) return dir;
      if (kb === null) return -dir;
      const c = cmpKeys(ka, kb);
      if (c !== 0) return c * dir;
    }
    if (!tie) return 0;
    // GLDETAIL's RECORDNO is TEXT (intacct-objects.md): compare by the field's own type.
    const ta = storedKey(tie, a[tie.id], false);
    const tb = storedKey(tie, b[tie.id], false);
    return ta === tb ? 0 : ta === null ? 1 : tb === null ? -1 : cmpKeys(ta, tb);
  };
}

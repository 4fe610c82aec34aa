/**
 * Builds the body of the generic `query` function (intacct-xml.md §4.3; DOC-Q).
 *
 * Filters are a small tree (and/or of comparisons) rendered to Intacct's element form. Every field
 * name and value is XML-escaped; `and`/`or` with a single child collapse to the child because
 * Intacct requires at least two children (§4.3).
 */
import { el } from './request-envelope';

/** Binary comparison operators of `query`. */
export type CompareOp = 'equalto' | 'notequalto' | 'lessthan' | 'lessthanorequalto' | 'greaterthan' | 'greaterthanorequalto' | 'like' | 'notlike';

export type QueryFilter =
  | { op: CompareOp; field: string; value: string }
  | { op: 'between'; field: string; from: string; to: string }
  | { op: 'in' | 'notin'; field: string; values: readonly string[] }
  | { op: 'isnull' | 'isnotnull'; field: string }
  | { op: 'and' | 'or'; filters: readonly QueryFilter[] };

/** Aggregate select (`count`, `min`, …) of one field. */
export interface AggregateField {
  fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
  field: string;
}

export interface QuerySpec {
  object: string;
  fields: readonly (string | AggregateField)[];
  filter?: QueryFilter | null;
  orderBy?: readonly { field: string; descending?: boolean }[];
  /** Top-level sessions must ask for private entities' records (§3.3, DOC-GLD options). */
  showPrivate?: boolean;
  caseInsensitive?: boolean;
  /** 1–2000 (§4.3). */
  pageSize?: number;
  offset?: number;
}

/** `in`/`notin` accept at most 1,000 values (XSD; JS-SDK issue #54 → XL03000003). */
export const MAX_IN_VALUES = 1000;

/** Helpers to write filters readably. */
export const f = {
  eq: (field: string, value: string): QueryFilter => ({ op: 'equalto', field, value }),
  ne: (field: string, value: string): QueryFilter => ({ op: 'notequalto', field, value }),
  gt: (field: string, value: string): QueryFilter => ({ op: 'greaterthan', field, value }),
  gte: (field: string, value: string): QueryFilter => ({ op: 'greaterthanorequalto', field, value }),
  lt: (field: string, value: string): QueryFilter => ({ op: 'lessthan', field, value }),
  lte: (field: string, value: string): QueryFilter => ({ op: 'lessthanorequalto', field, value }),
  between: (field: string, from: string, to: string): QueryFilter => ({ op: 'between', field, from, to }),
  in: (field: string, values: readonly string[]): QueryFilter => ({ op: 'in', field, values }),
  isNull: (field: string): QueryFilter => ({ op: 'isnull', field }),
  isNotNull: (field: string): QueryFilter => ({ op: 'isnotnull', field }),
  and: (...filters: (QueryFilter | null | undefined)[]): QueryFilter | null => combine('and', filters),
  or: (...filters: (QueryFilter | null | undefined)[]): QueryFilter | null => combine('or', filters),
};

function combine(op: 'and' | 'or', filters: (QueryFilter | null | undefined)[]): QueryFilter | null {
  const kept = filters.filter((x): x is QueryFilter => !!x);
  if (kept.length === 0) return null;
  if (kept.length === 1) return kept[0]!;
  return { op, filters: kept };
}

/** Renders one filter node. */
export function renderFilter(filter: QueryFilter): string {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const kids = filter.filters;
      if (kids.length === 0) throw new RangeError(`An '${filter.op}' filter needs children.`);
      if (kids.length === 1) return renderFilter(kids[0]!);
      return `<${filter.op}>${kids.map(renderFilter).join('')}</${filter.op}>`;
    }
    case 'between':
      // DOC-Q: the earlier value first.
      return `<between>${el('field', filter.field)}${el('value', filter.from)}${el('value', filter.to)}</between>`;
    case 'in':
    case 'notin':
      if (filter.values.length === 0) throw new RangeError(`An '${filter.op}' filter needs at least one value.`);
      if (filter.values.length > MAX_IN_VALUES) throw new RangeError(`An '${filter.op}' filter takes at most ${MAX_IN_VALUES} values.`);
      return `<${filter.op}>${el('field', filter.field)}${filter.values.map((v) => el('value', v)).join('')}</${filter.op}>`;
    case 'isnull':
    case 'isnotnull':
      return `<${filter.op}>${el('field', filter.field)}</${filter.op}>`;
    default:
      return `<${filter.op}>${el('field', filter.field)}${el('value', filter.value)}</${filter.op}>`;
  }
}

/** The `<query>` function body. */
export function buildQuery(spec: QuerySpec): string {
  if (spec.fields.length === 0) throw new RangeError('A query needs at least one selected field (`*` is not allowed).');
  if (spec.pageSize !== undefined && (spec.pageSize < 1 || spec.pageSize > 2000)) {
    throw new RangeError('query pagesize must be between 1 and 2000.');
  }
  const select = spec.fields.map((x) => (typeof x === 'string' ? el('field', x) : `<${x.fn}>${el('field', x.field)}</${x.fn}>`)).join('');
  let xml = `<query>${el('object', spec.object)}<select>${select}</select>`;
  if (spec.filter) xml += `<filter>${renderFilter(spec.filter)}</filter>`;
  if (spec.orderBy && spec.orderBy.length) {
    xml +=
      '<orderby>' + spec.orderBy.map((o) => `<order>${el('field', o.field)}${o.descending ? '<descending/>' : '<ascending/>'}</order>`).join('') + '</orderby>';
  }
  const options: string[] = [];
  if (spec.caseInsensitive !== undefined) options.push(el('caseinsensitive', spec.caseInsensitive));
  if (spec.showPrivate !== undefined) options.push(el('showprivate', spec.showPrivate));
  if (options.length) xml += `<options>${options.join('')}</options>`;
  if (spec.pageSize !== undefined) xml += el('pagesize', spec.pageSize);
  if (spec.offset !== undefined) xml += el('offset', spec.offset);
  return `${xml}</query>`;
}

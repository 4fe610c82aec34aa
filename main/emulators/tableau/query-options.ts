/**
 * `filter=`, `sort=` and paging query parameters of Tableau's list calls (tableau-rest.md §7;
 * REST API "Filtering and Sorting"): filters are `field:op:value`, comma-joined (AND), with the
 * operators TSC's `RequestOptions.Operator` lists: eq, cieq (case-insensitive equals), gt, gte,
 * lt, lte, in (`[a,b]`) and has; dates (`createdAt`, `updatedAt`) compare as instants.
 * `sort=field:asc|desc`, comma-joined. `pageSize` 1–1000 (default 100), `pageNumber` from 1.
 */
import { badRequest } from './http-error';
import { el, type TsElement } from './ts-response';

/** One parsed filter expression. */
export type FilterOp = 'eq' | 'cieq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'has';
const OPS: readonly FilterOp[] = ['eq', 'cieq', 'gt', 'gte', 'lt', 'lte', 'in', 'has'];
const DATE_FIELDS = new Set(['createdAt', 'updatedAt', 'lastLogin']);

export interface FilterExpr {
  readonly field: string;
  readonly op: FilterOp;
  readonly values: readonly string[];
}

/** Parses `filter`; only the fields in `allowed` are accepted. */
export function parseFilter(raw: string | null, allowed: readonly string[]): FilterExpr[] {
  if (raw === null || raw === '') return [];
  // Split on commas that are not inside [ ] (the `in` operator's list).
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of raw) {
    if (ch === '[') depth += 1;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => {
    const i = p.indexOf(':');
    const j = i < 0 ? -1 : p.indexOf(':', i + 1);
    if (i < 0 || j < 0) throw badRequest(`Invalid filter expression '${p}'.`);
    const field = p.slice(0, i);
    const op = p.slice(i + 1, j);
    const value = p.slice(j + 1);
    if (!allowed.includes(field)) throw badRequest(`Unsupported filter field '${field}'.`);
    if (!OPS.includes(op as FilterOp)) throw badRequest(`Unsupported filter operator '${op}'.`);
    if (op === 'in') {
      if (!value.startsWith('[') || !value.endsWith(']')) throw badRequest(`The 'in' filter needs a [list]: '${p}'.`);
      return { field, op, values: value.slice(1, -1).split(',') };
    }
    if (DATE_FIELDS.has(field) && op !== 'has' && Number.isNaN(Date.parse(value))) throw badRequest(`'${value}' is not a date for the '${field}' filter.`);
    return { field, op: op as FilterOp, values: [value] };
  });
}

function compare(field: string, a: string, b: string): number {
  if (DATE_FIELDS.has(field)) return Date.parse(a) - Date.parse(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sort order of names: case-insensitive, as a database collation sorts them (UNCONFIRMED for Tableau). */
function sortCompare(field: string, a: string, b: string): number {
  if (DATE_FIELDS.has(field)) return compare(field, a, b);
  return a.localeCompare(b, 'en', { sensitivity: 'base' }) || compare(field, a, b);
}

/** True when `get(field)` satisfies every filter. */
export function matchesFilters(filters: readonly FilterExpr[], get: (field: string) => string | undefined): boolean {
  return filters.every((f) => {
    const v = get(f.field);
    if (v === undefined) return false;
    const x = f.values[0] ?? '';
    switch (f.op) {
      case 'eq':
        return DATE_FIELDS.has(f.field) ? compare(f.field, v, x) === 0 : v === x;
      case 'cieq':
        return v.toLowerCase() === x.toLowerCase();
      case 'in':
        return f.values.includes(v);
      case 'has':
        return v.toLowerCase().includes(x.toLowerCase());
      case 'gt':
        return compare(f.field, v, x) > 0;
      case 'gte':
        return compare(f.field, v, x) >= 0;
      case 'lt':
        return compare(f.field, v, x) < 0;
      case 'lte':
        return compare(f.field, v, x) <= 0;
    }
  });
}

/** Sorts per `sort=field:asc|desc,…` over the fields in `allowed`; stable, no sort = as stored. */
export function sortItems<T>(items: readonly T[], raw: string | null, allowed: readonly string[], get: (item: T, field: string) => string | undefined): T[] {
  if (raw === null || raw === '') return [...items];
  const keys = raw.split(',').map((part) => {
    const [field, dir = 'asc'] = part.split(':');
    if (!field || !allowed.includes(field)) throw badRequest(`Unsupported sort field '${field ?? ''}'.`);
    if (dir !== 'asc' && dir !== 'desc') throw badRequest(`Sort direction must be asc or desc, not '${dir}'.`);
    return { field, sign: dir === 'asc' ? 1 : -1 };
  });
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const d = sortCompare(k.field, get(a, k.field) ?? '', get(b, k.field) ?? '');
      if (d !== 0) return d * k.sign;
    }
    return 0;
  });
}

/** Page of `items` per `pageSize`/`pageNumber`, with the `<pagination>` element. */
export function paginate<T>(items: readonly T[], params: URLSearchParams): { page: T[]; pagination: TsElement } {
  const size = params.get('pageSize') === null ? 100 : Number(params.get('pageSize'));
  const number = params.get('pageNumber') === null ? 1 : Number(params.get('pageNumber'));
  if (!Number.isInteger(size) || size < 1 || size > 1000) throw badRequest(`pageSize must be an integer from 1 to 1000.`);
  if (!Number.isInteger(number) || number < 1) throw badRequest(`pageNumber must be a positive integer.`);
  const page = items.slice((number - 1) * size, number * size);
  return { page, pagination: el('pagination', { pageNumber: number, pageSize: size, totalAvailable: items.length }) };
}

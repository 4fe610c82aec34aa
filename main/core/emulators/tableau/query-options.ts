/**
 * `filter=` and paging query parameters of Tableau's list calls (tableau-rest.md §7): filters are
 * `field:op:value`, comma-joined (AND); `in` takes `[a,b]`; `pageSize` 1–1000 (default 100),
 * `pageNumber` from 1.
 */
import { badRequest } from './http-error';
import { el, type TsElement } from './ts-response';

/** One parsed filter expression. */
export interface FilterExpr {
  readonly field: string;
  readonly op: 'eq' | 'in';
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
    if (op === 'eq') return { field, op, values: [value] };
    if (op === 'in') {
      if (!value.startsWith('[') || !value.endsWith(']')) throw badRequest(`The 'in' filter needs a [list]: '${p}'.`);
      return { field, op, values: value.slice(1, -1).split(',') };
    }
    throw badRequest(`Unsupported filter operator '${op}'.`);
  });
}

/** True when `get(field)` satisfies every filter. */
export function matchesFilters(filters: readonly FilterExpr[], get: (field: string) => string | undefined): boolean {
  return filters.every((f) => {
    const v = get(f.field);
    return v !== undefined && f.values.includes(v);
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

/**
 * VizQL Data Service of the emulator: `POST /api/v1/vizql-data-service/read-metadata` and
 * `…/query-datasource` over the stored `.hyper` data, shaped as Tableau's VDS OpenAPI schema
 * (`VizQLDataServiceOpenAPISchema.json`: ReadMetadataRequest → MetadataOutput `{data:[FieldMetadata]}`,
 * QueryRequest `{datasource:{datasourceLuid}, query:{fields, filters}, options}` → QueryOutput
 * `{data:[…]}`, errors as TableauError `{errorCode, message, datetime}`).
 *
 * Implemented: fields by caption, with `fieldAlias`, `maxDecimalPlaces`, `sortDirection` /
 * `sortPriority`; the aggregations SUM, AVG, MIN, MAX, COUNT, COUNTD and the date functions
 * YEAR, QUARTER, MONTH, DAY, TRUNC_YEAR, TRUNC_QUARTER, TRUNC_MONTH, TRUNC_DAY; filters SET,
 * MATCH, QUANTITATIVE_NUMERICAL and QUANTITATIVE_DATE on a dimension field. Without an
 * aggregation the rows are the distinct combinations (VDS aggregates unless `disaggregate`).
 * The rest (calculations, parameters, TOP, relative dates) answers 400 "not emulated".
 *
 * UNCONFIRMED and chosen here: how values are written (numbers as JSON numbers, dates as
 * `YYYY-MM-DD`, timestamps as `YYYY-MM-DDTHH:MM:SS`), the output key of a field with a function
 * and no alias (`SUM(AMOUNT)`), and the error codes.
 */
import type { EmulatorState, Session } from './emulator-state';
import { queryStoredTable, type StoredColumn } from './hyper-store';
import { ident } from './data-update';

/** A VDS error: HTTP status plus the TableauError body. */
export class VdsError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
  body(now: number): string {
    return JSON.stringify({
      errorCode: this.errorCode,
      message: this.message,
      datetime: new Date(now).toISOString(),
      'tab-error-code': `TAB-${this.errorCode}`,
    });
  }
}

const AGGREGATES: Record<string, (col: string) => string> = {
  SUM: (c) => `SUM(${c})`,
  AVG: (c) => `AVG(${c})`,
  MIN: (c) => `MIN(${c})`,
  MAX: (c) => `MAX(${c})`,
  COUNT: (c) => `COUNT(${c})`,
  COUNTD: (c) => `COUNT(DISTINCT ${c})`,
};
const DATE_FUNCTIONS: Record<string, (col: string) => string> = {
  YEAR: (c) => `EXTRACT(YEAR FROM ${c})`,
  QUARTER: (c) => `EXTRACT(QUARTER FROM ${c})`,
  MONTH: (c) => `EXTRACT(MONTH FROM ${c})`,
  DAY: (c) => `EXTRACT(DAY FROM ${c})`,
  TRUNC_YEAR: (c) => `CAST(DATE_TRUNC('year', ${c}) AS DATE)`,
  TRUNC_QUARTER: (c) => `CAST(DATE_TRUNC('quarter', ${c}) AS DATE)`,
  TRUNC_MONTH: (c) => `CAST(DATE_TRUNC('month', ${c}) AS DATE)`,
  TRUNC_DAY: (c) => `CAST(DATE_TRUNC('day', ${c}) AS DATE)`,
};

const DATA_TYPES: Record<string, string> = {
  bigint: 'INTEGER',
  integer: 'INTEGER',
  smallint: 'INTEGER',
  double: 'REAL',
  numeric: 'REAL',
  text: 'STRING',
  date: 'DATE',
  timestamp: 'DATETIME',
  timestamptz: 'DATETIME',
  bool: 'BOOLEAN',
};

function bad(message: string, code = '400800'): VdsError {
  return new VdsError(400, code, message);
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad(`'${what}' must be an object.`);
  return v as Record<string, unknown>;
}

function sqlLiteral(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return `'${v.replace(/'/g, "''")}'`;
  if (v === null) return 'NULL';
  throw bad(`Unsupported filter value ${JSON.stringify(v)}.`);
}

/** The data source a VDS request names, with its stored file. */
async function target(st: EmulatorState, body: Record<string, unknown>): Promise<{ path: string; key: string }> {
  const ds = record(body.datasource, 'datasource');
  const luid = ds.datasourceLuid;
  if (typeof luid !== 'string' || luid === '') throw bad("'datasource.datasourceLuid' is required.");
  const d = st.datasources.get(luid);
  // UNCONFIRMED code for an unknown data source.
  if (!d) throw new VdsError(400, '400801', `Data source '${luid}' was not found or you do not have permission to it.`);
  if (d.filePath === null) throw bad(`Data source '${d.name}' has an upstream connection; the emulator queries published .hyper data only.`, '400802');
  const key = st.datasourceKey(d.projectId, d.name);
  await st.idle(key); // a query sees every job already finished
  return { path: d.filePath, key };
}

async function columnsOf(st: EmulatorState, path: string): Promise<StoredColumn[]> {
  const r = await queryStoredTable(await st.engine(), path, { schema: 'Extract', name: 'Extract' }, (t) => `SELECT * FROM ${t} LIMIT 0`);
  if (!r) throw bad('The data source has no Extract.Extract table.', '400802');
  return r.columns;
}

/** read-metadata. */
export async function readMetadata(st: EmulatorState, body: Record<string, unknown>): Promise<unknown> {
  const { path } = await target(st, body);
  const cols = await columnsOf(st, path);
  return {
    data: cols.map((c) => {
      const dataType = DATA_TYPES[c.type] ?? 'UNKNOWN';
      return {
        fieldName: c.name,
        fieldCaption: c.name,
        dataType,
        defaultAggregation: dataType === 'INTEGER' || dataType === 'REAL' ? 'SUM' : 'NONE',
        logicalTableId: 'Extract_Extract',
      };
    }),
  };
}

interface PlannedField {
  key: string;
  sql: string;
  aggregate: boolean;
  type: string;
  maxDecimalPlaces?: number;
  sort?: { priority: number; desc: boolean };
}

/** query-datasource. */
export async function queryDatasource(st: EmulatorState, body: Record<string, unknown>): Promise<unknown> {
  const { path } = await target(st, body);
  const query = record(body.query, 'query');
  if (query.parameters !== undefined) throw bad('Query parameters are not emulated.', '400810');
  const cols = await columnsOf(st, path);
  const byName = new Map(cols.map((c) => [c.name, c]));
  const column = (caption: unknown): StoredColumn => {
    if (typeof caption !== 'string' || caption === '') throw bad("Every field needs a 'fieldCaption'.");
    const c = byName.get(caption);
    if (!c) throw bad(`Unknown field '${caption}'.`, '400803');
    return c;
  };
  if (!Array.isArray(query.fields) || query.fields.length === 0) throw bad("'query.fields' must be a non-empty array.");
  const planned: PlannedField[] = query.fields.map((f, i) => {
    const o = record(f, `query.fields[${i}]`);
    if (o.calculation !== undefined) throw bad('Calculated fields are not emulated.', '400810');
    const c = column(o.fieldCaption);
    const q = ident(c.name);
    const fn = o.function;
    let sql = q;
    let aggregate = false;
    let type = c.type;
    if (fn !== undefined && fn !== 'NONE') {
      if (typeof fn !== 'string') throw bad(`query.fields[${i}].function must be a string.`);
      if (AGGREGATES[fn]) {
        sql = AGGREGATES[fn](q);
        aggregate = true;
        if (fn === 'COUNT' || fn === 'COUNTD') type = 'bigint';
        else if (fn === 'AVG') type = 'double';
      } else if (DATE_FUNCTIONS[fn]) {
        if (c.type !== 'date' && c.type !== 'timestamp') throw bad(`${fn} needs a date field; '${c.name}' is ${c.type}.`);
        sql = DATE_FUNCTIONS[fn](q);
        type = fn.startsWith('TRUNC_') ? 'date' : 'bigint';
      } else throw bad(`Function '${fn}' is not emulated.`, '400810');
    }
    const key =
      typeof o.fieldAlias === 'string' && o.fieldAlias !== '' ? o.fieldAlias : fn !== undefined && fn !== 'NONE' ? `${String(fn)}(${c.name})` : c.name;
    const out: PlannedField = { key, sql, aggregate, type };
    if (typeof o.maxDecimalPlaces === 'number') out.maxDecimalPlaces = o.maxDecimalPlaces;
    if (typeof o.sortPriority === 'number') out.sort = { priority: o.sortPriority, desc: o.sortDirection === 'DESC' };
    return out;
  });
  const where: string[] = [];
  for (const [i, f] of (Array.isArray(query.filters) ? query.filters : []).entries()) where.push(filterSql(record(f, `query.filters[${i}]`), column));
  const dims = planned.filter((p) => !p.aggregate);
  const anyAggregate = planned.some((p) => p.aggregate);
  const select = planned.map((p, i) => `${p.sql} AS ${ident(`f${i}`)}`).join(', ');
  const order = planned
    .map((p, i) => ({ p, i }))
    .filter((x) => x.p.sort)
    .sort((a, b) => a.p.sort!.priority - b.p.sort!.priority)
    .map((x) => `${ident(`f${x.i}`)} ${x.p.sort!.desc ? 'DESC' : 'ASC'}`);
  const r = await queryStoredTable(await st.engine(), path, { schema: 'Extract', name: 'Extract' }, (t) => {
    let sql = `SELECT ${anyAggregate ? '' : 'DISTINCT '}${select} FROM ${t}`;
    if (where.length) sql += ` WHERE ${where.join(' AND ')}`;
    if (anyAggregate && dims.length) sql += ` GROUP BY ${dims.map((d) => d.sql).join(', ')}`;
    if (order.length) sql += ` ORDER BY ${order.join(', ')}`;
    return sql;
  });
  const rows = r?.rows ?? [];
  return { data: rows.map((row) => Object.fromEntries(planned.map((p, i) => [p.key, value(p, row[i] ?? null)]))) };
}

function value(p: PlannedField, v: string | null): unknown {
  if (v === null) return null;
  switch (p.type) {
    case 'bigint':
    case 'integer':
    case 'smallint':
    case 'double':
    case 'numeric': {
      const n = Number(v);
      return p.maxDecimalPlaces !== undefined ? Number(n.toFixed(p.maxDecimalPlaces)) : n;
    }
    case 'bool':
      return v === 't' || v === 'true';
    case 'timestamp':
      return v.replace(' ', 'T');
    default:
      return v;
  }
}

function filterSql(f: Record<string, unknown>, column: (caption: unknown) => StoredColumn): string {
  const field = record(f.field, 'filter.field');
  if (field.function !== undefined || field.calculation !== undefined) throw bad('Filters on a function or calculation are not emulated.', '400810');
  const q = ident(column(field.fieldCaption).name);
  const not = (cond: string) => (f.exclude === true ? `NOT (${cond})` : cond);
  switch (f.filterType) {
    case 'SET': {
      if (!Array.isArray(f.values)) throw bad("A SET filter needs 'values'.");
      const values = f.values as unknown[];
      const hasNull = values.includes(null);
      const list = values.filter((v) => v !== null).map(sqlLiteral);
      const parts = [...(list.length ? [`${q} IN (${list.join(', ')})`] : []), ...(hasNull ? [`${q} IS NULL`] : [])];
      return not(parts.length ? `(${parts.join(' OR ')})` : 'FALSE');
    }
    case 'MATCH': {
      const like = (pattern: string) => `${q} LIKE ${sqlLiteral(pattern)}`;
      const esc = (s: unknown) => String(s).replace(/[%_\\]/g, (c) => `\\${c}`);
      const parts: string[] = [];
      if (f.startsWith !== undefined) parts.push(like(`${esc(f.startsWith)}%`));
      if (f.endsWith !== undefined) parts.push(like(`%${esc(f.endsWith)}`));
      if (f.contains !== undefined) parts.push(like(`%${esc(f.contains)}%`));
      if (!parts.length) throw bad('A MATCH filter needs startsWith, endsWith or contains.');
      return not(parts.join(' AND '));
    }
    case 'QUANTITATIVE_NUMERICAL':
    case 'QUANTITATIVE_DATE': {
      const isDate = f.filterType === 'QUANTITATIVE_DATE';
      const lo = isDate ? f.minDate : f.min;
      const hi = isDate ? f.maxDate : f.max;
      const lit = (v: unknown) => (isDate ? `DATE ${sqlLiteral(String(v))}` : sqlLiteral(v));
      const nulls = f.includeNulls === true ? ` OR ${q} IS NULL` : '';
      switch (f.quantitativeFilterType) {
        case 'RANGE':
          return `(${q} >= ${lit(lo)} AND ${q} <= ${lit(hi)}${nulls})`;
        case 'MIN':
          return `(${q} >= ${lit(lo)}${nulls})`;
        case 'MAX':
          return `(${q} <= ${lit(hi)}${nulls})`;
        case 'ONLY_NULL':
          return `${q} IS NULL`;
        case 'ONLY_NON_NULL':
          return `${q} IS NOT NULL`;
        default:
          throw bad(`Unknown quantitativeFilterType '${String(f.quantitativeFilterType)}'.`);
      }
    }
    default:
      throw bad(`Filter type '${String(f.filterType)}' is not emulated.`, '400810');
  }
}

/** The scope VDS needs of a JWT session (tableau-mcp `vizqlDataServiceMethods.ts`). */
export const VDS_SCOPE = 'tableau:viz_data_service:read';

/** True when `session` may use VDS. */
export function vdsAllowed(session: Session): boolean {
  return session.scopes === null || [...session.scopes].some((s) => s === VDS_SCOPE || s === 'tableau:viz_data_service:*');
}

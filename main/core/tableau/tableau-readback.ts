/**
 * Reading a published data source back from Tableau, for the tie-out:
 *
 * Facts and sources: docs/reference/tableau-realities.md.
 * - VizQL Data Service (Tableau Cloud; Tableau Server 2025.1 and later): `POST
 *   /api/v1/vizql-data-service/read-metadata` and `…/query-datasource`, JSON in and out, the
 *   session token in X-Tableau-Auth, scope `tableau:viz_data_service:read` (VDS OpenAPI schema
 *   `VizQLDataServiceOpenAPISchema.json`; Tableau's TypeScript client, tableau-mcp
 *   `vizqlDataServiceApi.ts`). A 404 means VDS is not there (tableau-mcp treats 404 as
 *   "feature-disabled").
 * - Download Data Source (`GET …/datasources/{id}/content?includeExtract=true`, scope
 *   `tableau:datasources:download`), whose `.hyper` the caller queries with the local hyperd.
 */
import { ApiError } from '../errors';
import type { TableauHttp } from './tableau-http';
import { hyperFromDownload } from './tdsx-archive';

/** One field of read-metadata's answer (`FieldMetadata`). */
export interface VdsFieldMetadata {
  fieldName?: string;
  fieldCaption: string;
  dataType?: string;
  defaultAggregation?: string;
}

/** A query field (`DimensionField` / `MeasureField`); `fieldAlias` names it in the output. */
export interface VdsField {
  fieldCaption: string;
  fieldAlias?: string;
  function?: 'SUM' | 'COUNT' | 'COUNTD' | 'MIN' | 'MAX' | 'AVG' | 'TRUNC_MONTH' | 'TRUNC_YEAR' | 'YEAR' | 'MONTH';
  maxDecimalPlaces?: number;
  sortDirection?: 'ASC' | 'DESC';
  sortPriority?: number;
}

/** A filter on one field (`SetFilter`, `QuantitativeDateFilter`…), passed through as the schema has it. */
export type VdsFilter = { field: { fieldCaption: string; function?: string }; filterType: string } & Record<string, unknown>;

export interface VdsQuery {
  fields: VdsField[];
  filters?: VdsFilter[];
}

const VDS_VERSION_SEGMENT = 'v1';

/** True when a VDS call failed because the server has no VizQL Data Service. */
export function isVdsUnavailable(err: unknown): boolean {
  return err instanceof ApiError && err.code === 'VDS_UNAVAILABLE';
}

/** read-metadata: the fields of a published data source. */
export async function vdsReadMetadata(http: TableauHttp, datasourceId: string, signal?: AbortSignal): Promise<VdsFieldMetadata[]> {
  const out = await vdsPost(http, 'read-metadata', { datasource: { datasourceLuid: datasourceId } }, signal);
  const data = out['data'];
  if (!Array.isArray(data)) throw malformedVds('read-metadata');
  return data
    .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object')
    .map((f) => ({
      fieldCaption: String(f['fieldCaption'] ?? f['fieldName'] ?? ''),
      ...(typeof f['fieldName'] === 'string' ? { fieldName: f['fieldName'] } : {}),
      ...(typeof f['dataType'] === 'string' ? { dataType: f['dataType'] } : {}),
      ...(typeof f['defaultAggregation'] === 'string' ? { defaultAggregation: f['defaultAggregation'] } : {}),
    }));
}

/** query-datasource with `returnFormat: OBJECTS`: one object per row, keyed by alias (or caption). */
export async function vdsQueryDatasource(http: TableauHttp, datasourceId: string, query: VdsQuery, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const out = await vdsPost(
    http,
    'query-datasource',
    { datasource: { datasourceLuid: datasourceId }, query, options: { returnFormat: 'OBJECTS', disaggregate: false } },
    signal,
  );
  const data = out['data'];
  if (!Array.isArray(data)) throw malformedVds('query-datasource');
  return data.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r));
}

async function vdsPost(http: TableauHttp, method: string, body: unknown, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const json = JSON.stringify(body);
  try {
    return await http.request(
      {
        operation: `query the data source through VizQL Data Service (${method})`,
        method: 'POST',
        path: `vizql-data-service/${method}`,
        version: VDS_VERSION_SEGMENT,
        auth: 'session',
        resend: 'always', // a read
        headers: { Accept: 'application/json' },
        body: () => ({ body: json, contentType: 'application/json' }),
        ...(signal ? { signal } : {}),
      },
      (res) => {
        try {
          const v: unknown = JSON.parse(res.body.toString('utf8'));
          if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
        } catch {
          // fall through
        }
        throw malformedVds(method);
      },
    );
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      throw new ApiError({
        service: 'tableau',
        kind: 'config',
        code: 'VDS_UNAVAILABLE',
        status: 404,
        userMessage: 'This Tableau has no VizQL Data Service (it needs Tableau Cloud or Tableau Server 2025.1 or later, with the service enabled).',
        cause: err,
      });
    }
    throw err;
  }
}

/** Downloads a data source with its extract; returns the bytes of its `.hyper`. */
export async function downloadDatasourceHyper(http: TableauHttp, datasourceId: string, signal?: AbortSignal): Promise<Buffer> {
  return http.request(
    {
      operation: 'download the data source',
      method: 'GET',
      path: `datasources/${encodeURIComponent(datasourceId)}/content`,
      site: true,
      query: { includeExtract: 'true' },
      auth: 'session',
      resend: 'always',
      headers: { Accept: '*/*' },
      timeoutMs: 30 * 60_000,
      ...(signal ? { signal } : {}),
    },
    (res) => hyperFromDownload(res.body, `data source ${datasourceId}`),
  );
}

function malformedVds(method: string): ApiError {
  return new ApiError({
    service: 'tableau',
    kind: 'system',
    code: 'MALFORMED_RESPONSE',
    userMessage: `VizQL Data Service sent an answer to ${method} the connector could not read.`,
  });
}

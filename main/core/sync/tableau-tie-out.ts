/**
 * The Tableau side of the tie-out, read from Tableau itself (issue 11 "The tie-out reads Tableau").
 *
 * For every stream the run tied out: the row count of its data source, and for GL detail
 * SUM(AMOUNT) per account and month (with the row count in the same query). Two ways to read:
 *
 * 1. VizQL Data Service (Tableau Cloud; Server 2025.1 and later): one `read-metadata` (on the first
 *    data source, to learn that VDS answers and that the fields are there) and one
 *    `query-datasource` per data source: `COUNT(<key>)`, and for GL detail
 *    `<account>, TRUNC_MONTH(<date>), SUM(<amount>), COUNT(<key>)`. VDS is capped per Creator
 *    licence per hour, so that is all: 1 + (streams tied out) queries a run.
 * 2. Where VDS is missing (404) or refused: "Download Data Source" with its extract, queried with
 *    the local hyperd (`COUNT(*)`, and the same sums with `EXTRACT(YEAR/MONTH …)`), file deleted after.
 *
 * The answer says which way it read, so the run's detail can tell. Anything that fails both ways
 * is the caller's to report (it falls back to the ledger and says so).
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import type { StreamName, TieOut } from '../../../shared/types';
import { ApiError, asConnectorError, isAbortError } from '../errors';
import type { HyperEngine } from '../hyper';
import { quoteIdent } from '../hyper';
import { decimalToUnits } from './canonical-row';
import type { AmountSums } from './ledger';

/** A field of read-metadata's answer (the part used here). */
export interface ReadBackField {
  fieldCaption: string;
  fieldName?: string;
}

/** The Tableau client's read-back calls (tableau-readback.ts). */
export interface TableauReadBackPort {
  expectsVds(): Promise<boolean>;
  vdsReadMetadata(datasourceId: string, signal?: AbortSignal): Promise<ReadBackField[]>;
  vdsQuery(
    datasourceId: string,
    query: { fields: { fieldCaption: string; fieldAlias?: string; function?: 'SUM' | 'COUNT' | 'TRUNC_MONTH'; maxDecimalPlaces?: number }[] },
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>[]>;
  downloadDatasourceHyper(datasourceId: string, signal?: AbortSignal): Promise<Buffer>;
}

/** Runs `sql(table)` on `Extract.Extract` of a local `.hyper` file; rows as raw text. */
export type QueryHyperFn = (path: string, sql: (table: string) => string) => Promise<Record<string, string | null>[]>;

/** What the tie-out reads back for one stream. */
export interface ReadBackTarget {
  stream: StreamName;
  datasourceId: string;
  keyColumn: string;
  /** GL detail: the sums to read, with the amount's scale. */
  sums?: { accountColumn: string; dateColumn: string; amountColumn: string; scale: number };
}

/** What Tableau holds for one stream. */
export interface TableauFigures {
  count: number;
  sums?: AmountSums;
}

export interface ReadBackResult {
  via: NonNullable<TieOut['readFrom']>;
  figures: Map<StreamName, TableauFigures>;
  /** VDS calls made (read-metadata + query-datasource), or data sources downloaded. */
  calls: number;
  /** Why VDS was not used, when the download was. */
  fallbackReason?: string;
}

export interface ReadBackDeps {
  tableau: TableauReadBackPort;
  /** The local hyperd, for the download route; without it only VDS can be used. */
  queryHyper?: QueryHyperFn;
  workDir: string;
  signal?: AbortSignal;
}

const key = (account: string | null | undefined, period: string | null | undefined) => `${account ?? ''}\u0000${period ?? ''}`;

/** Reads the figures of every target, through VDS when the server has it, else by download. */
export async function readTableauFigures(deps: ReadBackDeps, targets: readonly ReadBackTarget[]): Promise<ReadBackResult> {
  let fallbackReason: string | undefined;
  if (targets.length && (await deps.tableau.expectsVds())) {
    try {
      return await viaVds(deps, targets);
    } catch (err) {
      if (isAbortError(err) || deps.signal?.aborted) throw err;
      fallbackReason = asConnectorError(err, 'tableau').userMessage;
    }
  } else {
    fallbackReason = 'this Tableau has no VizQL Data Service (it needs Tableau Cloud or Tableau Server 2025.1 or later)';
  }
  if (!deps.queryHyper)
    throw new ApiError({
      service: 'tableau',
      code: 'TIE_OUT_UNREADABLE',
      userMessage: `Cannot read Tableau back: ${fallbackReason ?? 'no VizQL Data Service'}, and no local Hyper engine to query a download with.`,
    });
  const r = await viaDownload(deps, targets, deps.queryHyper);
  return { ...r, ...(fallbackReason ? { fallbackReason } : {}) };
}

async function viaVds(deps: ReadBackDeps, targets: readonly ReadBackTarget[]): Promise<ReadBackResult> {
  const { tableau, signal } = deps;
  const figures = new Map<StreamName, TableauFigures>();
  let calls = 0;
  // One read-metadata: VDS answers, and the first data source has the fields we query by caption.
  const first = targets.find((t) => t.sums) ?? targets[0]!;
  const fields = await tableau.vdsReadMetadata(first.datasourceId, signal);
  calls++;
  const captions = new Set(fields.map((f) => f.fieldCaption));
  const wanted = [first.keyColumn, ...(first.sums ? [first.sums.accountColumn, first.sums.dateColumn, first.sums.amountColumn] : [])];
  const missing = wanted.filter((c) => !captions.has(c));
  if (missing.length)
    throw new ApiError({
      service: 'tableau',
      code: 'VDS_FIELDS_MISSING',
      userMessage: `VizQL Data Service does not show the field(s) ${missing.join(', ')} of the data source.`,
    });
  for (const t of targets) {
    if (t.sums) {
      const s = t.sums;
      const rows = await tableau.vdsQuery(
        t.datasourceId,
        {
          fields: [
            { fieldCaption: s.accountColumn, fieldAlias: 'account' },
            { fieldCaption: s.dateColumn, fieldAlias: 'period', function: 'TRUNC_MONTH' },
            { fieldCaption: s.amountColumn, fieldAlias: 'amount', function: 'SUM', maxDecimalPlaces: s.scale },
            { fieldCaption: t.keyColumn, fieldAlias: 'rows', function: 'COUNT' },
          ],
        },
        signal,
      );
      calls++;
      const sums: AmountSums = new Map();
      let count = 0;
      for (const r of rows) {
        const k = key(r.account === null || r.account === undefined ? null : String(r.account), periodText(r.period));
        sums.set(k, (sums.get(k) ?? 0n) + amountUnits(r.amount, s.scale));
        count += Number(r.rows ?? 0);
      }
      figures.set(t.stream, { count, sums });
    } else {
      const rows = await tableau.vdsQuery(t.datasourceId, { fields: [{ fieldCaption: t.keyColumn, fieldAlias: 'rows', function: 'COUNT' }] }, signal);
      calls++;
      figures.set(t.stream, { count: rows.reduce((n, r) => n + Number(r.rows ?? 0), 0) });
    }
  }
  return { via: 'vds', figures, calls };
}

async function viaDownload(deps: ReadBackDeps, targets: readonly ReadBackTarget[], queryHyper: QueryHyperFn): Promise<ReadBackResult> {
  const figures = new Map<StreamName, TableauFigures>();
  let calls = 0;
  for (const t of targets) {
    const bytes = await deps.tableau.downloadDatasourceHyper(t.datasourceId, deps.signal);
    calls++;
    const path = join(deps.workDir, `tie-out-${t.stream}-${process.pid}.hyper`);
    await writeFile(path, bytes);
    try {
      if (t.sums) {
        const s = t.sums;
        const q = quoteIdent;
        const rows = await queryHyper(
          path,
          (table) =>
            `SELECT CAST(${q(s.accountColumn)} AS TEXT) AS account, CAST(EXTRACT(YEAR FROM ${q(s.dateColumn)}) AS TEXT) AS y, CAST(EXTRACT(MONTH FROM ${q(s.dateColumn)}) AS TEXT) AS m, ` +
            `CAST(SUM(${q(s.amountColumn)}) AS TEXT) AS amount, CAST(COUNT(*) AS TEXT) AS n FROM ${table} GROUP BY 1, 2, 3`,
        );
        const sums: AmountSums = new Map();
        let count = 0;
        for (const r of rows) {
          const period = r.y && r.m ? `${r.y.padStart(4, '0')}-${r.m.padStart(2, '0')}` : null;
          const k = key(r.account, period);
          sums.set(k, (sums.get(k) ?? 0n) + (r.amount ? decimalToUnits(r.amount, s.scale) : 0n));
          count += Number(r.n ?? 0);
        }
        figures.set(t.stream, { count, sums });
      } else {
        const rows = await queryHyper(path, (table) => `SELECT CAST(COUNT(*) AS TEXT) AS n FROM ${table}`);
        figures.set(t.stream, { count: Number(rows[0]?.n ?? 0) });
      }
    } finally {
      await rm(path, { force: true });
    }
  }
  return { via: 'download', figures, calls };
}

/** "YYYY-MM" of a TRUNC_MONTH value ("2025-03-01", "2025-03-01T00:00:00"); null when empty. */
function periodText(v: unknown): string | null {
  return typeof v === 'string' && /^\d{4}-\d{2}/.test(v) ? v.slice(0, 7) : null;
}

/** Cents of a SUM VDS returned as a JSON number (or a decimal string). */
function amountUnits(v: unknown, scale: number): bigint {
  if (v === null || v === undefined || v === '') return 0n;
  // A JSON number is a double: toFixed(scale) recovers the exact decimal for sums below ~1e13.
  const text = typeof v === 'number' ? v.toFixed(scale) : String(v);
  return decimalToUnits(text, scale);
}

/** A QueryHyperFn on a running hyperd: ATTACH the file, run the query, DETACH. */
export function hyperQueryFn(engine: HyperEngine): QueryHyperFn {
  let n = 0;
  return (path, sql) =>
    engine.withClient(async (c) => {
      const alias = `tieout_${process.pid}_${++n}`;
      await c.query(`ATTACH DATABASE ${quoteIdent(path)} AS ${quoteIdent(alias)}`);
      try {
        const raw = { getTypeParser: () => (v: string) => v };
        const r = await c.query<Record<string, string | null>>({
          text: sql(`${quoteIdent(alias)}.${quoteIdent('Extract')}.${quoteIdent('Extract')}`),
          types: raw,
        } as pg.QueryConfig);
        return r.rows;
      } finally {
        await c.query(`DETACH DATABASE ${quoteIdent(alias)}`).catch(() => undefined);
      }
    });
}

/**
 * What the engine asks Intacct for: a stream's read spec (object, fixed filters with settings
 * applied, backfill window), row timestamps, and counts that may fail without failing the run.
 */
import { isAbortError } from '../errors';
import type { ColumnDef, FixedFilter, StreamDefinition } from '../streams/types';
import type { Settings } from '../../../shared/types';
import type { ReadSpec, SourcePort } from './ports';

/** Parses a Row timestamp ("YYYY-MM-DD HH:MM:SS", UTC) to UTC ms; NaN when absent. */
export function timestampMs(value: unknown): number {
  if (typeof value !== 'string') return NaN;
  return Date.parse(`${value.replace(' ', 'T')}Z`);
}

/** The stream's fixed filters, with values a setting overrides (e.g. the GL book). */
export function effectiveFilters(def: StreamDefinition, settings: Settings): FixedFilter[] {
  return def.filters.map((f) => {
    const override = f.setting ? (settings.intacct as unknown as Record<string, unknown>)[f.setting] : undefined;
    return typeof override === 'string' && override !== '' ? { ...f, value: override } : f;
  });
}

export function columnByName(def: StreamDefinition, name: string): ColumnDef {
  const c = def.columns.find((x) => x.name === name);
  if (!c) throw new RangeError(`Stream ${def.name} has no column ${name}`);
  return c;
}

/** What a full read of the stream selects: its object, fixed filters and backfill window. */
export function streamReadSpec(def: StreamDefinition, settings: Settings, columns: readonly ColumnDef[] = def.columns): ReadSpec {
  const spec: ReadSpec = { object: def.intacctObject, columns, filters: effectiveFilters(def, settings), pageSize: def.pageSize };
  if (def.backfillDateColumn) {
    const column = columnByName(def, def.backfillDateColumn).source;
    spec.partitionColumn = column;
    if (settings.streams.glDetailStartDate) spec.dateRange = { column, from: settings.streams.glDetailStartDate };
  }
  return spec;
}

/** Intacct's count for a read, or null when it cannot be had (the data already loaded stays loaded). */
export async function countOrNull(source: SourcePort, spec: ReadSpec, signal: AbortSignal): Promise<number | null> {
  try {
    return await source.count(spec, signal);
  } catch (err) {
    if (isAbortError(err) || signal.aborted) throw err;
    return null;
  }
}

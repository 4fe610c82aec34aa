/**
 * What Intacct holds, asked for by a person in Settings: a stream's fields (to add custom ones)
 * and what a full load would cost in rows and API transactions before it is started.
 */
import { streamByName, streamDefinitions } from '../streams/definitions';
import { columnNameOf, fieldTypeOf, withExtraFields } from '../streams/extra-fields';
import type { StreamDefinition } from '../streams/types';
import { defaultEngineOptions, streamReadSpec } from '../sync/stream-sync';
import type { ConnectorApi } from '../../../shared/ipc-contract';
import { INCLUDED_API_TRANSACTIONS } from '../../../shared/types';
import { transactionCounter, type ApiUsage } from './api-usage';
import type { ServiceContext } from './service-context';

/** A company's own field: custom, or a user-defined dimension. */
const own = (f: { field: string; isCustom: boolean }) => f.isCustom || /^GLDIM/.test(f.field);

/** A run's sign-in: `getAPISession` and reading the user's date and time format, before the first stream. */
const RUN_SIGN_IN_TRANSACTIONS = 2;

/**
 * API transactions a full load of `rows` records of a stream uses, as the engine reads it
 * (sync/batch-pipeline.ts, intacct-reader.ts): one per page of `pageSize` rows (at least one), the pass
 * over rows with an empty WHENMODIFIED, then the tie-out count; exact, checked against real first
 * runs on the emulator (test/integration/sync.test.ts). A partitioned backfill (GL detail) reads
 * date partitions (plus one for rows without a date) and counts the read first; how the rows spread
 * over the dates decides how many partial pages there are, so for it this is an estimate, within
 * one page per partition.
 */
export function fullLoadTransactions(def: StreamDefinition, rows: number, partitions: number): number {
  if (!def.backfillDateColumn) return Math.max(1, Math.ceil(rows / def.pageSize)) + 2;
  return Math.ceil(rows / def.pageSize) + partitions + 4;
}

export function createCatalog(ctx: ServiceContext, usage: ApiUsage): Pick<ConnectorApi, 'listFields' | 'estimateFullLoad'> {
  const { deps } = ctx;
  const { withIntacctClient } = usage;
  return {
    async listFields({ stream }) {
      // The fields of the stream's Intacct object, custom ones first, each marked if the stream already has it.
      return withIntacctClient(`field lookup (${stream})`, async (client, settings) => {
        const base = streamByName(stream);
        const def = withExtraFields(base, settings.streams.extraFields[stream]);
        const names = (d: StreamDefinition) => new Set(d.columns.map((c) => c.name.toUpperCase()));
        const standard = names(base);
        const have = names(def);
        const fields = await client.lookup(def.intacctObject);
        return (
          fields
            .map((f) => {
              const column = columnNameOf(f.id).toUpperCase();
              return {
                field: f.id,
                label: f.label,
                intacctType: f.type,
                type: fieldTypeOf(f.type),
                isCustom: f.isCustom,
                standard: standard.has(column),
                inStream: have.has(column),
              };
            })
            // Custom fields and user-defined dimensions (GLDIM*, ISCUSTOM false in Intacct's lookup,
            // intacct-objects.md) first: they are what a company adds of its own.
            .sort((a, b) => Number(own(b)) - Number(own(a)) || a.field.localeCompare(b.field))
        );
      });
    },
    async estimateFullLoad(req) {
      // One `count` per stream, with the filters and backfill window a full load would read.
      return withIntacctClient('full-load estimate', async (client, settings) => {
        const chosen = streamDefinitions.filter((d) => (req?.streams?.length ? req.streams.includes(d.name) : settings.streams.enabled[d.name]));
        const partitions = deps.engineOptions?.partitions ?? defaultEngineOptions.partitions;
        const counting = transactionCounter(client);
        const streams = [];
        for (const def of chosen) {
          const rows = await client.count(streamReadSpec(def, settings));
          streams.push({
            stream: def.name,
            label: def.label,
            rows,
            apiTransactions: fullLoadTransactions(def, rows, partitions) + (streams.length ? 0 : RUN_SIGN_IN_TRANSACTIONS),
          });
        }
        // Counting used one transaction per stream, plus the sign-in; it is recorded as the client closes.
        const countingTransactions = counting();
        return {
          streams,
          apiTransactions: streams.reduce((n, x) => n + x.apiTransactions, 0),
          countingTransactions,
          usedThisMonth: usage.usedThisMonth() + countingTransactions,
          monthlyAllowance: INCLUDED_API_TRANSACTIONS,
        };
      });
    },
  };
}

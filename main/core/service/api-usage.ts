/**
 * Counting Intacct API transactions. Every request is one and Sage bills those beyond the monthly
 * allowance (INCLUDED_API_TRANSACTIONS in shared/types.ts), so each Intacct client the service
 * builds is counted: a run's while it runs (Status adds it live, the run record keeps it), and a
 * person's lookup, estimate or connection test, recorded in the store as its client closes.
 */
import { asConnectorError } from '../errors';
import type { Settings } from '../../../shared/types';
import { intacctCredentials, type SourceClient } from './runtime';
import type { ServiceContext } from './service-context';

/**
 * 00:00 UTC on the 1st of the month holding `now`. Whether Intacct's billing month follows the
 * company's time zone is not documented (UNCONFIRMED): UTC is used and said in the UI.
 */
export function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The transactions `client` uses from now on: each call answers how many so far. */
export function transactionCounter(client: { readonly transactions: number }): () => number {
  const startTx = client.transactions;
  return () => client.transactions - startTx;
}

export interface ApiUsage {
  /** Transactions recorded since 00:00 UTC on the 1st of this month (a run in progress is recorded when it ends). */
  usedThisMonth(): number;
  /** Runs `fn`, then records the transactions `client` used meanwhile as `what` and closes it. */
  counted<T>(what: string, client: SourceClient, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with a fresh Intacct client for something a person asked for (not a run): its API use
   * is recorded, and its sign-in outcome goes to the refusal guard.
   */
  withIntacctClient<T>(what: string, fn: (client: SourceClient, settings: Settings) => Promise<T>): Promise<T>;
}

/**
 * `onRecorded`: told after a person's lookup, estimate or test is recorded, so Status (pushed to the
 * window) shows the new count at once instead of at the next push.
 */
export function createApiUsage(ctx: ServiceContext, onRecorded: () => void = () => undefined): ApiUsage {
  const { deps, clock, store, refusals, clientDeps } = ctx;
  const counted = async <T>(what: string, client: SourceClient, fn: () => Promise<T>): Promise<T> => {
    const used = transactionCounter(client);
    try {
      return await fn();
    } finally {
      store.recordApiUsage(clock.now(), what, used());
      client.close();
      onRecorded();
    }
  };
  const withIntacctClient = async <T>(what: string, fn: (client: SourceClient, settings: Settings) => Promise<T>): Promise<T> => {
    const settings = deps.settings.get();
    const credentials = await intacctCredentials(settings, deps.secrets);
    const client = deps.factories.createSource({ ...clientDeps(settings), credentials });
    return counted(what, client, async () => {
      try {
        const result = await fn(client, settings);
        refusals.note(credentials, settings.intacct.endpoint, null);
        return result;
      } catch (err) {
        const e = asConnectorError(err, 'intacct');
        refusals.note(credentials, settings.intacct.endpoint, { service: e.service, ...(e.code ? { code: e.code } : {}), message: e.userMessage });
        throw err;
      }
    });
  };
  return {
    usedThisMonth: () => store.apiTransactionsSince(monthStart(clock.now())),
    counted,
    withIntacctClient,
  };
}

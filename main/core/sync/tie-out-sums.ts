/**
 * Intacct's side of the GL tie-out, as an observer of the pages a sync reads anyway.
 *
 * A tie-out stream's amounts per account and period are only worth comparing when a read saw every
 * record: a full load, or a key reconciliation (its keyed read of the whole stream). Either one
 * hands each page to `observe`, and `sums` is what it saw; neither needs to know what is summed or
 * why. This is the shape of the Airbyte CDK's cursor, which `observe`s records as they pass and
 * reports only when the partition is closed
 * (https://github.com/airbytehq/airbyte-python-cdk/blob/main/airbyte_cdk/sources/streams/concurrent/cursor.py).
 *
 * The same figures (`tieOutFigures`) go into the ledger's entry for each loaded row, so the Intacct
 * side and the ledger's stand-in for Tableau's side are computed by one function.
 */
import type { Row, StreamDefinition } from '../streams/types';
import { decimalToUnits, periodOf } from './canonical-row';
import type { AmountSums } from './ledger';
import { columnByName, timestampMs } from './read-spec';
import { addSum } from './tie-out';

/** Something that sees every page of a read, in order. */
export interface PageObserver {
  observe(rows: readonly Row[]): void;
}

/** A page observer that sums a tie-out stream's amounts per (account, period). */
export interface TieOutSumsObserver extends PageObserver {
  /** What the pages observed so far add up to. */
  readonly sums: AmountSums;
}

/** A row's tie-out figures: its account, its period ("YYYY-MM") and its amount in 10^-scale units. */
export interface TieOutFigures {
  account: string | null;
  period: string | null;
  /** Null when the amount cell is empty. */
  amountUnits: bigint | null;
}

/** The tie-out figures of `row`, a row of `def` whose tie-out columns are `tie` (`def.tieOut`). */
export function tieOutFigures(def: StreamDefinition, tie: NonNullable<StreamDefinition['tieOut']>, row: Row): TieOutFigures {
  const amount = row[tie.amountColumn];
  return {
    account: row[tie.accountColumn] === null ? null : String(row[tie.accountColumn]),
    period: periodOf(row[tie.dateColumn]),
    amountUnits: typeof amount === 'string' ? decimalToUnits(amount, columnByName(def, tie.amountColumn).scale ?? 2) : null,
  };
}

/**
 * An observer summing `def`'s amounts; null for a stream without a tie-out. With `until`, rows
 * changed after it are left out: a key reconciliation reads the stream as it is now, and rows
 * changed after the run started are not in Tableau yet, so they are left out of both sides' view.
 */
export function observeTieOutSums(def: StreamDefinition, opts: { until?: number } = {}): TieOutSumsObserver | null {
  const tie = def.tieOut;
  if (!tie) return null;
  const sums: AmountSums = new Map();
  const { until } = opts;
  return {
    sums,
    observe(rows) {
      for (const row of rows) {
        if (until !== undefined && timestampMs(row[def.cursorColumn]) > until) continue;
        const f = tieOutFigures(def, tie, row);
        addSum(sums, f.account, f.period, f.amountUnits ?? 0n);
      }
    },
  };
}
